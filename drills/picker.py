"""The activity form's recurrence picker: friendly choices (none, weekly, monthly by date,
monthly by weekday, a custom rule; an end) turned into an RFC 5545 RRULE value and back, and
a sentence that says what a rule means.

The picker writes UNTIL as a UTC time (the end of the chosen day in the unit's zone), the
form RFC 5545 wants next to a DTSTART with a TZID; the service and the feeds read it alike."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from anbao.i18n import day_text
from anbao.i18n import gettext as _
from anbao.schemas import FIRST_DAY, LAST_DAY

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_LABELS = {"MO": _l("Monday"), "TU": _l("Tuesday"), "WE": _l("Wednesday"),
                  "TH": _l("Thursday"), "FR": _l("Friday"), "SA": _l("Saturday"),
                  "SU": _l("Sunday")}
WEEKDAY_SHORT = {"MO": _l("Mon"), "TU": _l("Tue"), "WE": _l("Wed"), "TH": _l("Thu"),
                 "FR": _l("Fri"), "SA": _l("Sat"), "SU": _l("Sun")}
ORDINALS = {"1": _l("first"), "2": _l("second"), "3": _l("third"), "4": _l("fourth"),
            "-1": _l("last")}
REPEATS = ("none", "weekly", "monthly_date", "monthly_weekday", "custom")
REPEAT_LABELS = {"none": _l("Does not repeat"), "weekly": _l("Weekly"),
                 "monthly_date": _l("Monthly on a date"),
                 "monthly_weekday": _l("Monthly on a weekday"),
                 "custom": _l("Custom rule (RRULE)")}
ENDS = ("never", "count", "until")
MAX_INTERVAL = 99
MAX_COUNT = 1000
# every field of the picker, so a form can tell them from the others
FIELDS = ("repeat", "weekly_days", "weekly_interval", "month_day", "monthly_interval",
          "month_week", "month_weekday", "repeat_end", "repeat_count", "repeat_until",
          "rrule_text")


def defaults(day: date) -> dict:
    """The picker's values for a series starting on `day`: its weekday, its date, its place
    in the month (the fifth of a weekday is the last)."""
    weekday = WEEKDAYS[day.weekday()]
    week = (day.day - 1) // 7 + 1
    return {"repeat": "none", "weekly_days": [weekday], "weekly_interval": "1",
            "month_day": str(day.day), "monthly_interval": "1",
            "month_week": "-1" if week == 5 else str(week), "month_weekday": weekday,
            "repeat_end": "never", "repeat_count": "", "repeat_until": "", "rrule_text": ""}


def _number(form, name: str, low: int, high: int, errors: dict, message: str) -> int | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return low if name.endswith("interval") else None
    if raw.lstrip("-").isdigit() and low <= int(raw) <= high:
        return int(raw)
    errors[name] = [message]
    return None


def _days(form) -> list[str]:
    getlist = getattr(form, "getlist", None)
    chosen = getlist("weekly_days") if getlist else (form.get("weekly_days") or [])
    if isinstance(chosen, str):
        chosen = [chosen]
    return [d for d in WEEKDAYS if d in chosen]


def _until_utc(day: date, zone: ZoneInfo) -> str:
    """The end of the day in the zone, as an RRULE UTC time."""
    end = datetime.combine(day + timedelta(days=1), time(), zone) - timedelta(seconds=1)
    return end.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def to_rrule(form, zone: ZoneInfo) -> tuple[str | None, dict]:
    """The RRULE value the picker names (None: no series) and errors by picker field."""
    repeat = form.get("repeat") or "none"
    errors: dict[str, list[str]] = {}
    if repeat not in REPEATS:
        return None, {"repeat": [_("Choose how the activity repeats.")]}
    if repeat == "none":
        return None, {}
    if repeat == "custom":
        value = (form.get("rrule_text") or "").strip()
        if value.upper().startswith("RRULE:"):
            value = value[6:].strip()
        if not value:
            return None, {"rrule_text": [_("Enter the rule, e.g. FREQ=MONTHLY;BYDAY=1MO;"
                                           "COUNT=6.")]}
        return value, {}
    interval_message = _("Enter a whole number from 1 to %(max)s.", max=MAX_INTERVAL)
    if repeat == "weekly":
        days = _days(form)
        if not days:
            errors["weekly_days"] = [_("Choose at least one day of the week.")]
        interval = _number(form, "weekly_interval", 1, MAX_INTERVAL, errors, interval_message)
        parts = ["FREQ=WEEKLY"] + ([f"INTERVAL={interval}"] if interval and interval > 1
                                   else []) + [f"BYDAY={','.join(days)}"]
    else:
        interval = _number(form, "monthly_interval", 1, MAX_INTERVAL, errors,
                           interval_message)
        parts = ["FREQ=MONTHLY"] + ([f"INTERVAL={interval}"] if interval and interval > 1
                                    else [])
        if repeat == "monthly_date":
            day = _number(form, "month_day", 1, 31, errors,
                          _("Enter a day of the month from 1 to 31."))
            if day is None and "month_day" not in errors:
                errors["month_day"] = [_("Enter a day of the month from 1 to 31.")]
            parts.append(f"BYMONTHDAY={day}")
        else:
            week = form.get("month_week") or ""
            weekday = form.get("month_weekday") or ""
            if week not in ORDINALS:
                errors["month_week"] = [_("Choose which one in the month.")]
            if weekday not in WEEKDAYS:
                errors["month_weekday"] = [_("Choose a day of the week.")]
            parts.append(f"BYDAY={week}{weekday}")
    end = form.get("repeat_end") or "never"
    if end == "count":
        count = _number(form, "repeat_count", 1, MAX_COUNT, errors,
                        _("Enter a whole number from 1 to %(max)s.", max=MAX_COUNT))
        if count is None and "repeat_count" not in errors:
            errors["repeat_count"] = [_("Enter how many times.")]
        parts.append(f"COUNT={count}")
    elif end == "until":
        raw = (form.get("repeat_until") or "").strip()
        try:
            last = date.fromisoformat(raw)
            if not FIRST_DAY <= last <= LAST_DAY:
                raise ValueError(raw)
            parts.append("UNTIL=" + _until_utc(last, zone))
        except ValueError:
            errors["repeat_until"] = [_("Enter the last day (YYYY-MM-DD).")]
    elif end != "never":
        errors["repeat_end"] = [_("Choose when the series ends.")]
    return (None if errors else ";".join(parts)), errors


def _parts(value: str) -> dict[str, str] | None:
    parts = {}
    for piece in value.strip().removeprefix("RRULE:").split(";"):
        name, sep, content = piece.partition("=")
        if not sep or name.strip().upper() in parts:
            return None
        parts[name.strip().upper()] = content.strip().upper()
    return parts


def _until_date(value: str, zone: ZoneInfo) -> date | None:
    """The last day an UNTIL names, in the zone."""
    try:
        if value.endswith("Z"):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(
                tzinfo=ZoneInfo("UTC")).astimezone(zone).date()
        if "T" in value:
            return datetime.strptime(value, "%Y%m%dT%H%M%S").date()
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None


def from_rrule(value: str | None, start: date, zone: ZoneInfo) -> dict:
    """The picker's values for a stored rule: one of the friendly choices when the rule is one
    of them, else the custom rule with its text."""
    values = defaults(start)
    if not value:
        return values
    parts = _parts(value)
    custom = {**values, "repeat": "custom", "rrule_text": value}
    if parts is None:
        return custom
    freq = parts.pop("FREQ", None)
    interval = parts.pop("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= MAX_INTERVAL:
        return custom
    if "COUNT" in parts and "UNTIL" in parts:
        return custom
    if "COUNT" in parts:
        count = parts.pop("COUNT")
        if not count.isdigit() or not 1 <= int(count) <= MAX_COUNT:
            return custom
        values.update(repeat_end="count", repeat_count=count)
    elif "UNTIL" in parts:
        until = _until_date(parts.pop("UNTIL"), zone)
        if until is None:
            return custom
        values.update(repeat_end="until", repeat_until=until.isoformat())
    if freq == "WEEKLY" and set(parts) <= {"BYDAY"}:
        days = parts.get("BYDAY", WEEKDAYS[start.weekday()]).split(",")
        if not all(d in WEEKDAYS for d in days):
            return custom
        values.update(repeat="weekly", weekly_days=days, weekly_interval=interval)
        return values
    if freq == "MONTHLY" and set(parts) == {"BYMONTHDAY"}:
        day = parts["BYMONTHDAY"]
        if not day.isdigit() or not 1 <= int(day) <= 31:
            return custom
        values.update(repeat="monthly_date", month_day=day, monthly_interval=interval)
        return values
    if freq == "MONTHLY" and set(parts) == {"BYDAY"}:
        byday = parts["BYDAY"]
        week, weekday = byday[:-2].lstrip("+"), byday[-2:]
        if week not in ORDINALS or weekday not in WEEKDAYS:
            return custom
        values.update(repeat="monthly_weekday", month_week=week, month_weekday=weekday,
                      monthly_interval=interval)
        return values
    return custom


def join(items) -> str:
    """Items listed the way the user's language lists them: 周一、周三 or Mon, Wed."""
    try:
        chinese = get_locale() is not None and get_locale().language == "zh"
    except (RuntimeError, AttributeError):
        chinese = False
    return ("、" if chinese else ", ").join(str(item) for item in items)


def describe(value: str | None, start: date, zone: ZoneInfo) -> str:
    """What the rule means, in a sentence of the user's language."""
    if not value:
        return _("Once")
    picked = from_rrule(value, start, zone)
    repeat = picked["repeat"]
    if repeat == "custom":
        return _("Custom rule: %(rule)s", rule=value)
    if repeat == "weekly":
        days = join([WEEKDAY_LABELS[d] for d in picked["weekly_days"]])
        n = int(picked["weekly_interval"])
        text = _("Every week on %(days)s", days=days) if n == 1 else \
            _("Every %(n)s weeks on %(days)s", n=n, days=days)
    elif repeat == "monthly_date":
        n = int(picked["monthly_interval"])
        text = _("Every month on day %(day)s", day=picked["month_day"]) if n == 1 else \
            _("Every %(n)s months on day %(day)s", n=n, day=picked["month_day"])
    else:
        n = int(picked["monthly_interval"])
        ordinal = ORDINALS[picked["month_week"]]
        weekday = WEEKDAY_LABELS[picked["month_weekday"]]
        text = _("Every month on the %(ordinal)s %(weekday)s", ordinal=ordinal,
                 weekday=weekday) if n == 1 else \
            _("Every %(n)s months on the %(ordinal)s %(weekday)s", n=n, ordinal=ordinal,
              weekday=weekday)
    if picked["repeat_end"] == "count":
        return _("%(rule)s, %(n)s times in all", rule=text, n=picked["repeat_count"])
    if picked["repeat_end"] == "until":
        return _("%(rule)s, until %(date)s", rule=text, date=day_text(picked["repeat_until"]))
    return text
