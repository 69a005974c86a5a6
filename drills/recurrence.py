"""RFC 5545 recurrence in the unit's wall-clock time (python-dateutil).

A series is expanded from its first start in the unit's zone: a drill every Monday at 09:00
stays at 09:00 across a change of daylight saving time. An occurrence is named by its original
start (an instant); moved and cancelled ones are the activity's exceptions."""
import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule as Rule
from dateutil.rrule import rrulestr

from anbao.i18n import gettext as _

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
# parts a drill schedule needs; the others (BYHOUR, BYYEARDAY, ...) only make rules that are
# hard to show and, combined, never match (dateutil then searches to the year 9999)
PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS",
         "WKST")
MAX_LENGTH = 500
UTC = ZoneInfo("UTC")
# UNTIL as RFC 5545 writes it: a date, a local date-time, or a UTC date-time
UNTIL_FORMATS = {8: "%Y%m%d", 15: "%Y%m%dT%H%M%S", 16: "%Y%m%dT%H%M%SZ"}
UNTIL_SHAPE = re.compile(r"[0-9]{8}(T[0-9]{6}Z?)?")


class InvalidRule(ValueError):
    pass


def _parts(value: str) -> dict[str, str]:
    parts = {}
    for piece in value.strip().removeprefix("RRULE:").split(";"):
        name, sep, content = piece.partition("=")
        name = name.strip().upper()
        if not sep or not name or not content.strip():
            raise InvalidRule(_("Each part is NAME=value, separated by “;”."))
        if name not in PARTS:
            raise InvalidRule(_("%(part)s is not supported; use FREQ, INTERVAL, COUNT, UNTIL, "
                                "BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS or WKST.", part=name))
        if name in parts:
            raise InvalidRule(_("%(part)s is given twice.", part=name))
        parts[name] = content.strip().upper()
    return parts


def _numbers(parts: dict[str, str], name: str, low: int, high: int) -> list[int]:
    """The part's comma-separated whole numbers, each within ±low..high (never 0)."""
    if name not in parts:
        return []
    try:
        values = [int(v) for v in parts[name].split(",")]
    except ValueError:
        raise InvalidRule(_("%(part)s takes whole numbers.", part=name))
    if any(not low <= abs(v) <= high for v in values):
        raise InvalidRule(_("%(part)s takes numbers from %(low)s to %(high)s.", part=name,
                            low=low, high=high))
    return values


WEEKDAY = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
MAX_COUNT = 1000
MAX_YEARS = 30  # a series runs at most this long (UNTIL), so its expansion stays cheap


def _weekdays(parts: dict[str, str]) -> None:
    """BYDAY as RFC 5545 allows it: a numbered day (1MO, -1FR) only in monthly (±1..5) and
    yearly (±1..53) rules; dateutil would fail or search to the year 9999 otherwise."""
    if "BYDAY" not in parts:
        return
    for day in parts["BYDAY"].split(","):
        match = WEEKDAY.fullmatch(day.strip())
        if match is None:
            raise InvalidRule(_("BYDAY takes MO, TU, WE, TH, FR, SA, SU, numbered like 1MO or "
                                "-1FR in monthly and yearly rules."))
        if match.group(1) is None:
            continue
        number = abs(int(match.group(1)))
        most = {"MONTHLY": 5, "YEARLY": 5 if "BYMONTH" in parts else 53}.get(parts.get("FREQ"))
        if most is None or not 1 <= number <= most:
            raise InvalidRule(_("BYDAY takes MO, TU, WE, TH, FR, SA, SU, numbered like 1MO or "
                                "-1FR in monthly and yearly rules."))


def _possible(parts: dict[str, str]) -> bool:
    """Whether the rule can name a day at all, checked before dateutil, which would search
    up to the year 9999 for a rule that never matches (30 February, the 6th Monday)."""
    months = _numbers(parts, "BYMONTH", 1, 12)
    if any(m < 0 for m in months):
        raise InvalidRule(_("%(part)s takes numbers from %(low)s to %(high)s.", part="BYMONTH",
                            low=1, high=12))
    days = _numbers(parts, "BYMONTHDAY", 1, 31)
    positions = _numbers(parts, "BYSETPOS", 1, 366)
    if positions:
        if parts.get("FREQ") not in ("MONTHLY", "YEARLY") or "BYDAY" not in parts:
            raise InvalidRule(_("BYSETPOS is for monthly or yearly rules with BYDAY."))
        most = 5 * len(parts["BYDAY"].split(",")) if parts["FREQ"] == "MONTHLY" else 366
        if any(abs(p) > most for p in positions):
            return False
    if days and months:
        longest = [29 if m == 2 else calendar.monthrange(2025, m)[1] for m in months]
        return any(abs(d) <= n for d in days for n in longest)
    return True


PERIODS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 28, "YEARLY": 365}


def period(value: str) -> timedelta:
    """The shortest time between two occurrences the rule's FREQ and INTERVAL allow."""
    parts = _parts(value)
    interval = int(parts["INTERVAL"]) if parts.get("INTERVAL", "").isdigit() else 1
    return timedelta(days=PERIODS.get(parts.get("FREQ"), 1) * max(interval, 1))


def _until(value: str) -> datetime:
    """UNTIL's value, naive (UTC when it ends in Z); InvalidRule when it is none of the
    three forms (dateutil would read "2027" or "2027-06-30" too, and a feed could not)."""
    if UNTIL_SHAPE.fullmatch(value):
        try:
            until = datetime.strptime(value, UNTIL_FORMATS[len(value)])
        except ValueError:
            pass
        else:
            if 1900 <= until.year <= 2199:  # as every date of the service
                return until
    raise InvalidRule(_("UNTIL is a date (20270630) or a UTC time (20270630T160000Z)."))


def _normalise(value: str, zone: ZoneInfo) -> str:
    """The rule as dateutil reads it for a naive local start: an UNTIL in UTC becomes the
    local wall-clock time, a date-only UNTIL the end of that day (as in feeds)."""
    parts = _parts(value)
    until = parts.get("UNTIL")
    if until:
        wall = _until(until)
        if until.endswith("Z"):
            wall = wall.replace(tzinfo=UTC).astimezone(zone)
        elif "T" not in until:
            wall += timedelta(days=1, seconds=-1)
        parts["UNTIL"] = wall.strftime("%Y%m%dT%H%M%S")
    return ";".join(f"{k}={v}" for k, v in parts.items())


def parse(value: str, start: datetime, zone: ZoneInfo) -> Rule:
    """The rule for a series starting at `start` (an instant); InvalidRule says what is wrong."""
    if len(value) > MAX_LENGTH:
        raise InvalidRule(_("At most %(n)s characters.", n=MAX_LENGTH))
    parts = _parts(value)
    if parts.get("FREQ") not in FREQUENCIES:
        raise InvalidRule(_("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY."))
    if "COUNT" in parts and "UNTIL" in parts:
        raise InvalidRule(_("Give COUNT or UNTIL, not both."))
    interval = parts.get("INTERVAL", "1")
    if not re.fullmatch(r"[0-9]{1,4}", interval) or int(interval) < 1:
        # INTERVAL=0 repeats one instant for ever: expanding it would never end
        raise InvalidRule(_("Not a valid RRULE: %(error)s", error="INTERVAL must be 1 or more"))
    if "COUNT" in parts and not (parts["COUNT"].isdigit() and 1 <= int(parts["COUNT"])
                                 <= MAX_COUNT):
        raise InvalidRule(_("COUNT takes a number from 1 to %(n)s.", n=MAX_COUNT))
    _weekdays(parts)
    if not _possible(parts):
        raise InvalidRule(_("The rule names no real day."))
    local = start.astimezone(zone).replace(tzinfo=None)
    normalised = _normalise(value, zone)  # its own InvalidRule says what is wrong with UNTIL
    try:
        rule = rrulestr(normalised, dtstart=local)
    except (ValueError, TypeError, KeyError, IndexError) as err:
        raise InvalidRule(_("Not a valid RRULE: %(error)s", error=str(err) or type(err).__name__))
    if rule._until is not None and rule._until > local.replace(year=min(local.year + MAX_YEARS,
                                                                        9998)):
        raise InvalidRule(_("A series runs at most %(n)s years; give an earlier UNTIL.",
                            n=MAX_YEARS))
    try:
        first = rule.after(local, inc=True) if isinstance(rule, Rule) else None
    except (ValueError, OverflowError, IndexError) as err:
        raise InvalidRule(_("Not a valid RRULE: %(error)s", error=str(err) or type(err).__name__))
    if first is None:
        raise InvalidRule(_("The rule gives no occurrence."))
    return rule


def local(instant: datetime, zone: ZoneInfo) -> datetime:
    """An instant as naive wall-clock time in the zone."""
    return instant.astimezone(zone).replace(tzinfo=None)


def instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """Naive wall-clock time in the zone as a UTC instant."""
    return wall.replace(tzinfo=zone).astimezone(UTC)


def last_start(rule: Rule) -> datetime | None:
    """The naive local start of a bounded series' last occurrence; None when unbounded."""
    if rule._count is None and rule._until is None:
        return None
    last = None
    for last in rule:
        pass
    return last


@dataclass
class Slot:
    """One occurrence: its original start (its name), where it is now, and its status."""
    original: datetime
    starts_at: datetime
    ends_at: datetime
    status: str
    moved: bool = False


def starts(rule: Rule, zone: ZoneInfo, after: datetime, before: datetime) -> list[datetime]:
    """Original starts (UTC instants) of the series within [after, before]."""
    margin = timedelta(days=1)  # zone offsets; filtered exactly below
    walls = rule.between(local(after, zone) - margin, local(before, zone) + margin, inc=True)
    found = [instant(w, zone) for w in walls]
    return [s for s in found if after <= s <= before]


def normalise_for_feed(value: str, zone: ZoneInfo) -> str:
    """The rule for a feed whose DTSTART has a TZID: UNTIL as a UTC date-time (RFC 5545
    3.3.10), a date-only UNTIL meaning the end of that day in the zone."""
    parts = _parts(value)
    until = parts.get("UNTIL")
    if until and not until.endswith("Z"):
        wall = _until(until)
        if "T" not in until:
            wall += timedelta(days=1, seconds=-1)
        parts["UNTIL"] = instant(wall, zone).strftime("%Y%m%dT%H%M%SZ")
    return ";".join(f"{k}={v}" for k, v in parts.items())
