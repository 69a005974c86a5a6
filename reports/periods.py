"""Report periods (DESIGN.md §3 REPORT): calendar quarters for key targets, calendar half
years for other key security units; due 15 days after the period ends."""
from datetime import date, timedelta

from anbao.i18n import day_text
from anbao.i18n import gettext as _

DUE_DAYS = 15


def months_of(unit) -> int | None:
    """The period's length in months, or None for a unit that owes no report."""
    if unit.key_target:
        return 3
    if unit.key_security_unit:
        return 6
    return None


def containing(day: date, months: int) -> tuple[date, date]:
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    return start, following(start, months) - timedelta(days=1)


def following(start: date, months: int) -> date:
    month = start.month + months
    return date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def is_period(unit, start: date, end: date) -> bool:
    months = months_of(unit)
    return months is not None and containing(start, months) == (start, end)


def due(end: date) -> date:
    return end + timedelta(days=DUE_DAYS)


def owed(unit, as_of: date) -> list[tuple[date, date]]:
    """Every period from the first that starts on or after `key_since` up to the one
    containing `as_of`."""
    months = months_of(unit)
    if months is None or unit.key_since is None:
        return []
    start, _end = containing(unit.key_since, months)
    if start < unit.key_since:
        start = following(start, months)
    found = []
    while start <= as_of:
        found.append((start, following(start, months) - timedelta(days=1)))
        start = following(start, months)
    return found


def code(start: date, months: int) -> str:
    """The period's name in the API (a compliance item's `subject`): 2027-Q1, 2027-H2."""
    if months == 3:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-H{(start.month - 1) // 6 + 1}"


def start_of(name: str) -> date:
    """The first day of the period named like 2027-Q1 or 2027-H2."""
    year, _sep, part = name.partition("-")
    number = int(part[1:])
    return date(int(year), (number - 1) * (3 if part[0] == "Q" else 6) + 1, 1)


def name_of(start: date, end: date) -> str:
    """A report period in words: "2027 Q1", "2027 H2", else its first and last day."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 3 and start.day == 1:
        return _("%(year)s Q%(quarter)s", year=start.year, quarter=(start.month - 1) // 3 + 1)
    if months == 6 and start.day == 1:
        return _("%(year)s H%(half)s", year=start.year, half=(start.month - 1) // 6 + 1)
    return f"{day_text(start)} – {day_text(end)}"


def words(name: str) -> str:
    """The period named like 2027-Q1 in words ("2027 Q1", "2027年第1季度")."""
    first = start_of(name)
    return name_of(first, following(first, 3 if "Q" in name else 6) - timedelta(days=1))
