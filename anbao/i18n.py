"""Translation that works everywhere: in a request (the requester's language), and in the
CLI or scheduler (English as written). Marshmallow's own English messages are translated here
too, so the API and the pages show validation errors in the user's language."""
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import flask_babel
from markupsafe import Markup


def gettext(message: str, **variables) -> str:
    """`message` in the requester's language, or as written where there is no app to ask."""
    try:
        return flask_babel.gettext(message, **variables)
    except (RuntimeError, LookupError, AttributeError):
        return message % variables if variables else message


def lazy_gettext(message: str, **variables) -> flask_babel.LazyString:
    """`gettext` when the text is used, for messages declared at import time."""
    return flask_babel.LazyString(gettext, message, **variables)


_l = lazy_gettext

# marshmallow's and webargs' built-in messages
BUILT_IN = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field is required."),
    "Invalid value.": _l("Invalid value."),
    "Invalid input type.": _l("Invalid value."),
    "Not a valid integer.": _l("Enter a whole number."),
    "Not a valid number.": _l("Enter a number."),
    "Not a valid date.": _l("Enter a date (YYYY-MM-DD)."),
    "Not a valid datetime.": _l("Enter a date and time with its offset, e.g. 2027-03-01T09:00:00+08:00."),
    "Not a valid aware datetime.": _l("Enter a date and time with its offset, e.g. 2027-03-01T09:00:00+08:00."),
    "Not a valid email address.": _l("Enter a valid email address."),
    "Not a valid boolean.": _l("Choose yes or no."),
    "Not a valid string.": _l("Enter text."),
    "Not a valid list.": _l("Enter a list."),
    "Not a valid mapping type.": _l("Enter an object."),
    "Unknown field.": _l("This field is not accepted here."),
    "Invalid JSON body.": _l("The request body is not valid JSON."),
}
PATTERNS = (
    (re.compile(r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$"),
     _l("Enter between %(min)s and %(max)s characters.")),
    (re.compile(r"^Shorter than minimum length (?P<min>\d+)\.$"),
     _l("Enter at least %(min)s characters.")),
    (re.compile(r"^Longer than maximum length (?P<max>\d+)\.$"),
     _l("Enter at most %(max)s characters.")),
    (re.compile(r"^Must be greater than or equal to (?P<min>-?\d+) and less than or equal to "
                r"(?P<max>-?\d+)\.$"), _l("Enter a number from %(min)s to %(max)s.")),
    (re.compile(r"^Must be greater than or equal to (?P<min>-?\d+)\.$"),
     _l("Enter a number of at least %(min)s.")),
    (re.compile(r"^Must be less than or equal to (?P<max>-?\d+)\.$"),
     _l("Enter a number of at most %(max)s.")),
    (re.compile(r"^Must be one of: (?P<choices>.*)\.$"),
     _l("Choose one of: %(choices)s.")),
)


def translate(message) -> str:
    """A validation message in the requester's language (ours are translated already)."""
    text = str(message)
    if text in BUILT_IN:
        return str(BUILT_IN[text])
    for pattern, template in PATTERNS:
        if match := pattern.match(text):
            return str(template) % match.groupdict()
    return text


def translate_errors(errors):
    """The same nested structure of messages, each translated; keys as text (list indexes
    and field names may mix, and JSON keys are text anyway)."""
    if isinstance(errors, dict):
        return {str(key): translate_errors(value) for key, value in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [translate_errors(item) for item in errors]
    return translate(errors)


# Dates, times and numbers as the reader's language writes them (2027年3月1日 / Mar 1, 2027).
# On pages a date is a <time> element that keeps the ISO value machine-readable.
def day_text(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return flask_babel.format_date(value, "medium")


def in_zone(value, zone=None):
    """An instant (a datetime, or ISO text as stored in JSON) in `zone`: a ZoneInfo, a zone's
    name, or a unit (anything with `timezone`); as it is without one."""
    if not value:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if zone is None:
        return value
    if not isinstance(zone, ZoneInfo):
        zone = ZoneInfo(getattr(zone, "timezone", zone))
    if value.tzinfo is None:  # a wall-clock time there already
        return value.replace(tzinfo=zone)
    return value.astimezone(zone)


def moment_text(value, zone=None) -> str:
    """A date and time in `zone` (a unit's, usually): the date, then hours:minutes."""
    value = in_zone(value, zone)
    if not value:
        return ""
    return f"{day_text(value.date())} {value.strftime('%H:%M')}"


def day(value) -> Markup:
    if not value:
        return Markup("—")
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return Markup('<time datetime="{}">{}</time>').format(value.isoformat(), day_text(value))


def moment(value, zone=None) -> Markup:
    value = in_zone(value, zone)
    if not value:
        return Markup("—")
    return Markup('<time datetime="{}">{}</time>').format(value.isoformat(timespec="minutes"),
                                                          moment_text(value))


def number(value) -> str:
    return "" if value is None else flask_babel.format_decimal(value)


# Legal citations (DESIGN.md: "GZ-(六)2", "预案办法 Art 35") stay as written in Chinese and in
# the API; an English page names the laws in English and numbers the opinion's sections.
LAWS = {"预案办法": "Plan Measures", "反恐怖主义法": "Counter-Terrorism Law",
        "国家安全法": "National Security Law", "421号": "Decree 421",
        "企业事业单位内部治安保卫条例": "Regulations on Internal Security"}
NUMERALS = dict(zip("一二三四五六七八九", range(1, 10)))
SECTION = re.compile(r"\(([一二三四五六七八九十]+)\)")


def _numeral(text: str) -> int:
    tens, ten, units = text.rpartition("十")
    if not ten:
        return NUMERALS[text]
    return (NUMERALS.get(tens, 1) if tens else 1) * 10 + NUMERALS.get(units, 0)


def cite(text, language: str | None = None) -> str:
    """`text` with its citations as `language` (else the reader's) writes them; where there is
    no reader, as the English the messages are written in."""
    if language is None:
        try:
            locale = flask_babel.get_locale()
        except (RuntimeError, LookupError, AttributeError):
            locale = None
        language = locale.language if locale else "en"
    if not text or language == "zh":
        return text or ""
    text = SECTION.sub(lambda m: f"({_numeral(m.group(1))})", str(text))
    for law, english in LAWS.items():
        text = text.replace(law, english)
    return text


FILTERS = {"day": day, "day_text": day_text, "moment": moment, "moment_text": moment_text,
           "number": number, "cite": cite}
