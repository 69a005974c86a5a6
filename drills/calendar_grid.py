"""The month calendar of a unit's activities: weeks × days (Monday first), each day with a
block per occurrence starting or running on it, from `drills.service.schedule`."""
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask_babel import get_locale

from drills import service
from drills.picker import WEEKDAY_LABELS, WEEKDAY_SHORT, WEEKDAYS

MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass
class Entry:
    """One occurrence as the calendar shows it on one day."""
    activity_id: int
    occurrence: datetime
    starts: datetime  # wall-clock time in the unit's zone
    ends: datetime
    title: str
    kind: str
    status: str
    moved: bool
    masked: bool
    continued: bool = False  # a day after the first of an occurrence over several days


@dataclass
class Day:
    day: date
    in_month: bool
    today: bool
    entries: list[Entry] = field(default_factory=list)


def month_of(value: str | None, today: date) -> date:
    """The first day of the month named `YYYY-MM`; today's month when none or not one."""
    match = MONTH.fullmatch(value or "")
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1900 <= year <= 2999 and 1 <= month <= 12:
            return date(year, month, 1)
    return today.replace(day=1)


def shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_label(month: date) -> str:
    locale = get_locale()
    return format_skeleton("yMMMM", month, locale=str(locale) if locale else "zh_CN")


def _last_day(start: datetime, end: datetime) -> date:
    """The last day an occurrence runs on (an end at midnight ends the day before)."""
    last = end.date()
    if end.time() == datetime.min.time() and last > start.date():
        last -= timedelta(days=1)
    return max(last, start.date())


def build(actor, unit, month: date, today: date) -> dict:
    """The weeks of the month's grid, each a list of seven Days, with their entries."""
    first = month - timedelta(days=month.weekday())
    month_end = shift(month, 1) - timedelta(days=1)
    last = month_end + timedelta(days=6 - month_end.weekday())
    zone = ZoneInfo(unit.timezone)
    days = {}
    d = first
    while d <= last:
        days[d] = Day(d, d.month == month.month, d == today)
        d += timedelta(days=1)
    # a block over several days may start before the grid: look back a week
    for row in service.schedule(actor, unit, first - timedelta(days=7), last):
        starts = row.starts_at.astimezone(zone).replace(tzinfo=None)
        ends = row.ends_at.astimezone(zone).replace(tzinfo=None)
        masked = service.masked_for(actor, row.activity)
        d = starts.date()
        while d <= _last_day(starts, ends):
            if d in days:
                days[d].entries.append(Entry(
                    row.activity_id, row.occurrence, starts, ends, row.title, row.kind,
                    row.status, row.moved, masked, continued=d != starts.date()))
            d += timedelta(days=1)
    ordered = [days[k] for k in sorted(days)]
    return {"weeks": [ordered[i:i + 7] for i in range(0, len(ordered), 7)],
            "month": month, "label": month_label(month), "previous": shift(month, -1),
            "next": shift(month, 1), "today_month": today.replace(day=1),
            "weekdays": [(WEEKDAY_SHORT[d], WEEKDAY_LABELS[d]) for d in WEEKDAYS],
            "count": sum(1 for day in ordered if day.in_month for e in day.entries
                         if not e.continued)}
