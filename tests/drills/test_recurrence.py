"""Series: RFC 5545 RRULEs expanded in the unit's wall-clock time (drills/recurrence.py;
API.md "Activities", DESIGN.md §2 "Activity"). A weekly 09:00 drill stays at 09:00 local
across a change of daylight saving time, whatever the zone; invalid rules are 422."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from drills import recurrence
from tests.drills.test_api import create, drill, field_errors, schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")


def starts(value, start, zone, days=400):
    rule = recurrence.parse(value, start, zone)
    return recurrence.starts(rule, zone, start, start + timedelta(days=days))


# Expansion

def test_first_monday_of_six_months_in_shanghai():
    start = datetime(2027, 1, 4, 9, tzinfo=SHANGHAI)
    found = starts("FREQ=MONTHLY;BYDAY=1MO;COUNT=6", start, SHANGHAI)
    assert found == [datetime(2027, month, day, 9, tzinfo=SHANGHAI) for month, day in
                     ((1, 4), (2, 1), (3, 1), (4, 5), (5, 3), (6, 7))]
    # instants, in UTC
    assert [s.astimezone(UTC).hour for s in found] == [1] * 6
    assert recurrence.last_start(recurrence.parse(
        "FREQ=MONTHLY;BYDAY=1MO;COUNT=6", start, SHANGHAI)) == datetime(2027, 6, 7, 9)


def test_an_unbounded_series_has_no_last_start():
    start = datetime(2027, 1, 4, 9, tzinfo=SHANGHAI)
    rule = recurrence.parse("FREQ=WEEKLY;BYDAY=MO,TH", start, SHANGHAI)
    assert recurrence.last_start(rule) is None
    assert len(recurrence.starts(rule, SHANGHAI, start,
                                start + timedelta(days=364, seconds=-1))) == 104


@pytest.mark.parametrize(("zone", "first", "wall_hours_utc"), [
    # Europe/Berlin: CET (+01) until 28 March 2027, then CEST (+02)
    (BERLIN, datetime(2027, 3, 15, 9), [8, 8, 7, 7]),
    # America/New_York: EDT (-04) until 7 November 2027, then EST (-05)
    (NEW_YORK, datetime(2027, 10, 25, 9), [13, 13, 14, 14]),
    # and back the other way in Berlin (end of October)
    (BERLIN, datetime(2027, 10, 18, 9), [7, 7, 8, 8]),
    # no daylight saving in China: 01:00 UTC throughout
    (SHANGHAI, datetime(2027, 3, 15, 9), [1, 1, 1, 1]),
], ids=["berlin-spring", "new-york-autumn", "berlin-autumn", "shanghai"])
def test_a_weekly_0900_series_stays_0900_local_across_dst(zone, first, wall_hours_utc):
    start = first.replace(tzinfo=zone)
    found = starts("FREQ=WEEKLY;COUNT=4", start, zone)
    assert [s.astimezone(zone).replace(tzinfo=None) for s in found] == [
        first + timedelta(weeks=n) for n in range(4)]
    assert [s.astimezone(UTC).hour for s in found] == wall_hours_utc


def _unit_in(make, world, zone: str):
    unit = make.unit(world.district_a, name="柏林办事处", timezone=zone)
    return unit, make.user("coordinator", f"coordinator_{zone.replace('/', '_')}",
                           unit_id=unit.id)


def test_the_schedule_of_a_unit_in_berlin_keeps_0900_across_dst(api, world, make):
    unit, coordinator = _unit_in(make, world, "Europe/Berlin")
    create(api, coordinator, unit, starts_at="2027-03-15T09:00:00+01:00",
           ends_at="2027-03-15T10:30:00+01:00", rrule="FREQ=WEEKLY;COUNT=4")
    rows = schedule(api, coordinator, unit, "2027-03-01", "2027-04-30")
    assert [(r["starts_at"], r["ends_at"]) for r in rows] == [
        ("2027-03-15T09:00:00+01:00", "2027-03-15T10:30:00+01:00"),
        ("2027-03-22T09:00:00+01:00", "2027-03-22T10:30:00+01:00"),
        ("2027-03-29T09:00:00+02:00", "2027-03-29T10:30:00+02:00"),
        ("2027-04-05T09:00:00+02:00", "2027-04-05T10:30:00+02:00")]
    assert [r["occurrence"] for r in rows] == [r["starts_at"] for r in rows]


def test_a_series_in_new_york_across_the_end_of_dst(api, world, make):
    unit, coordinator = _unit_in(make, world, "America/New_York")
    body = create(api, coordinator, unit, starts_at="2027-10-25T09:00:00-04:00",
                  ends_at="2027-10-25T10:00:00-04:00", rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=3")
    assert body["starts_at"] == "2027-10-25T09:00:00-04:00"
    rows = schedule(api, coordinator, unit, "2027-10-01", "2027-11-30")
    assert [r["starts_at"] for r in rows] == ["2027-10-25T09:00:00-04:00",
                                              "2027-11-01T09:00:00-04:00",
                                              "2027-11-08T09:00:00-05:00"]
    # moving and cancelling name the occurrence by its original start, in any offset
    moved = api.post(f"/activities/{body['id']}/occurrences", as_=coordinator, json={
        "occurrence": "2027-11-08T14:00:00Z", "starts_at": "2027-11-09T15:00:00-05:00",
        "ends_at": "2027-11-09T16:00:00-05:00"})
    assert moved.status_code == 200, moved.get_json()
    cancelled = api.post(f"/activities/{body['id']}/cancel", as_=coordinator, json={
        "reason": "Veterans Day week", "occurrence": "2027-11-01T09:00:00-04:00"})
    assert cancelled.status_code == 200, cancelled.get_json()
    rows = schedule(api, coordinator, unit, "2027-10-01", "2027-11-30")
    assert [(r["occurrence"], r["starts_at"], r["status"]) for r in rows] == [
        ("2027-10-25T09:00:00-04:00", "2027-10-25T09:00:00-04:00", "scheduled"),
        ("2027-11-01T09:00:00-04:00", "2027-11-01T09:00:00-04:00", "cancelled"),
        ("2027-11-08T09:00:00-05:00", "2027-11-09T15:00:00-05:00", "scheduled")]


# UNTIL

@pytest.mark.parametrize(("until", "count"), [
    ("20270125T010000Z", 4),   # UTC, exactly the last start (09:00 in Shanghai): inclusive
    ("20270125T005959Z", 3),   # a second before it
    ("20270125T090000", 4),    # local wall-clock time
    ("20270125", 4),           # a date: that whole day in the unit's zone
    ("20270124", 3),
])
def test_until_bounds_the_series_inclusively(until, count):
    start = datetime(2027, 1, 4, 9, tzinfo=SHANGHAI)
    rule = f"FREQ=WEEKLY;UNTIL={until}"
    assert len(starts(rule, start, SHANGHAI)) == count
    # and the rule a feed publishes (UNTIL in UTC) agrees
    published = recurrence.normalise_for_feed(rule, SHANGHAI)
    assert published.startswith("FREQ=WEEKLY;UNTIL=") and published.endswith("Z")
    last = datetime.strptime(published.split("UNTIL=")[1], "%Y%m%dT%H%M%SZ").replace(
        tzinfo=UTC)
    assert sum(1 for n in range(6) if start + timedelta(weeks=n) <= last) == count


def test_a_date_until_is_the_end_of_that_day_in_the_units_zone(api, world, make):
    unit, coordinator = _unit_in(make, world, "Europe/Berlin")
    create(api, coordinator, unit, starts_at="2027-03-15T23:30:00+01:00",
           ends_at="2027-03-15T23:45:00+01:00", rrule="FREQ=WEEKLY;UNTIL=20270329")
    rows = schedule(api, coordinator, unit, "2027-03-01", "2027-04-30")
    assert [r["starts_at"] for r in rows] == ["2027-03-15T23:30:00+01:00",
                                              "2027-03-22T23:30:00+01:00",
                                              "2027-03-29T23:30:00+02:00"]
    assert recurrence.normalise_for_feed("FREQ=WEEKLY;UNTIL=20270329", BERLIN) == \
        "FREQ=WEEKLY;UNTIL=20270329T215959Z"


# Validation

INVALID_RULES = [
    "FREQ=SECONDLY",
    "FREQ=MINUTELY;COUNT=5",
    "FREQ=HOURLY;COUNT=3",
    "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=YEARLY;BYMONTH=4,6;BYMONTHDAY=31",
    "garbage",
    "FREQ",
    "FREQ=",
    ";;",
    "COUNT=3",
    "FREQ=WEEKLY;BYHOUR=9",
    "FREQ=WEEKLY;COUNT=3;UNTIL=20270301",
    "FREQ=WEEKLY;COUNT=2;COUNT=3",
    "FREQ=WEEKLY;COUNT=0",
    "FREQ=WEEKLY;COUNT=-1",
    "FREQ=WEEKLY;COUNT=many",
    "FREQ=WEEKLY;INTERVAL=0",
    "FREQ=WEEKLY;INTERVAL=-1",
    "FREQ=WEEKLY;INTERVAL=x",
    "FREQ=WEEKLY;UNTIL=20260101",              # before the first start
    "FREQ=WEEKLY;UNTIL=2027",
    "FREQ=WEEKLY;UNTIL=2027-06-30",
    "FREQ=WEEKLY;UNTIL=20270630T1600Z",
    "FREQ=WEEKLY;UNTIL=20271345",
    "FREQ=WEEKLY;BYDAY=XX",
    "FREQ=MONTHLY;BYSETPOS=0",
    "FREQ=YEARLY;BYMONTH=13",
    "FREQ=WEEKLY;WKST=XX",
    "FREQ=WEEKLY\r\nCOUNT=3",
    "FREQ=WEEKLY;COUNT=3;" + "BYDAY=MO" + ";" + "X" * 500,
]


def test_invalid_rules_are_422_on_rrule(api, world):
    """One world for all the rules; every one not refused is reported."""
    wrong = []
    for rule in INVALID_RULES:
        response = api.post(f"/units/{world.unit_a.id}/activities", as_=world.coordinator_a,
                            json=drill(rrule=rule))
        errors = (response.get_json().get("errors") or {}).get("json", {})
        if response.status_code != 422 or list(errors) != ["rrule"] or not all(
                isinstance(m, str) and m for m in errors["rrule"]):
            wrong.append(f"{rule!r}: {response.status_code} {errors}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("rule", "day", "first", "last", "count"), [
    ("FREQ=WEEKLY;COUNT=4", "2027-03-01", "2027-03-01", "2027-03-31", 4),
    ("RRULE:FREQ=WEEKLY;COUNT=4", "2027-03-01", "2027-03-01", "2027-03-31", 4),
    ("freq=weekly;count=4", "2027-03-01", "2027-03-01", "2027-03-31", 4),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=4", "2027-03-01", "2027-03-01", "2027-03-31",
     4),
    ("FREQ=DAILY;COUNT=10", "2027-03-01", "2027-03-01", "2027-03-31", 10),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", "2027-03-31", "2027-03-01", "2027-12-31", 10),
    ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1;COUNT=3", "2027-03-29", "2027-03-01", "2027-12-31",
     3),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "2028-02-29", "2028-01-01", "2029-01-31", 1),
    ("FREQ=WEEKLY;UNTIL=20270322T010000Z", "2027-03-01", "2027-03-01", "2027-03-31", 4),
])
def test_valid_rules(api, world, rule, day, first, last, count):
    create(api, world.coordinator_a, world.unit_a, rrule=rule,
           starts_at=f"{day}T09:00:00+08:00", ends_at=f"{day}T10:00:00+08:00")
    assert len(schedule(api, world.coordinator_a, world.unit_a, first, last)) == count


@pytest.mark.parametrize(("rule", "day"), [
    ("FREQ=MONTHLY;BYDAY=1MO;COUNT=6", "2027-03-02"),     # a Tuesday
    ("FREQ=WEEKLY;BYDAY=SA,SU", "2027-03-01"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", "2027-03-01"),
])
def test_a_series_starts_on_one_of_its_occurrences(api, world, rule, day):
    """RFC 5545 leaves what a calendar shows for another start undefined (feeds show it as
    one more occurrence): 422 on starts_at, naming the first occurrence."""
    response = api.post(f"/units/{world.unit_a.id}/activities", as_=world.coordinator_a,
                        json=drill(rrule=rule, starts_at=f"{day}T09:00:00+08:00",
                                   ends_at=f"{day}T10:00:00+08:00"))
    assert list(field_errors(response)) == ["starts_at"]
    # and the same by PATCH, of the rule or of the start
    body = create(api, world.coordinator_a, world.unit_a, rrule="FREQ=WEEKLY;BYDAY=MO")
    path = f"/activities/{body['id']}"
    assert "starts_at" in field_errors(api.patch(path, as_=world.coordinator_a,
                                                 json={"rrule": "FREQ=WEEKLY;BYDAY=TU"}))
    assert "starts_at" in field_errors(api.patch(path, as_=world.coordinator_a, json={
        "starts_at": "2027-03-02T09:00:00+08:00", "ends_at": "2027-03-02T10:00:00+08:00"}))
    assert api.patch(path, as_=world.coordinator_a, json={
        "rrule": "FREQ=WEEKLY;BYDAY=TU", "starts_at": "2027-03-02T09:00:00+08:00",
        "ends_at": "2027-03-02T10:00:00+08:00"}).status_code == 200
