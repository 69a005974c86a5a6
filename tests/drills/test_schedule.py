"""GET /units/{id}/schedule (API.md "Activities"): every occurrence starting within whole
days of the unit's zone, ordered by start, series expanded, moved occurrences at their new
time, cancelled ones included; staff see unannounced drills masked."""
import pytest

from anbao.extensions import db
from tests.conftest import count_queries
from tests.drills.test_api import WEEKLY, create, field_errors, schedule, training

ROW_FIELDS = {"activity_id", "occurrence", "starts_at", "ends_at", "title", "kind", "status"}


def _move(api, user, activity_id, occurrence, starts_at, ends_at):
    response = api.post(f"/activities/{activity_id}/occurrences", as_=user, json={
        "occurrence": occurrence, "starts_at": starts_at, "ends_at": ends_at})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize(("query", "fields"), [
    ("", {"from", "to"}),
    ("?from=2027-03-01", {"to"}),
    ("?to=2027-03-01", {"from"}),
    ("?from=2027-03-01&to=2028-04-05", {"to"}),      # 401 days
    ("?from=2027-03-10&to=2027-03-09", {"to"}),
    ("?from=2027-02-30&to=2027-03-09", {"from"}),
    ("?from=yesterday&to=2027-03-09", {"from"}),
    ("?from=2027-03-01T00:00:00%2B08:00&to=2027-03-09", {"from"}),
])
def test_from_and_to_are_required_dates_at_most_400_days_apart(api, world, query, fields):
    response = api.get(f"/units/{world.unit_a.id}/schedule{query}", as_=world.coordinator_a)
    assert set(field_errors(response, "query")) == fields


def test_400_days_and_a_single_day_are_fine(api, world):
    create(api, world.coordinator_a, world.unit_a)
    assert len(schedule(api, world.coordinator_a, world.unit_a, "2027-03-01",
                        "2028-04-04")) == 1   # 400 days
    assert len(schedule(api, world.coordinator_a, world.unit_a, "2027-03-01",
                        "2027-03-01")) == 1
    assert schedule(api, world.coordinator_a, world.unit_a, "2027-03-02", "2027-03-02") == []


def test_rows_are_ordered_by_start_across_activities(api, world):
    c, unit = world.coordinator_a, world.unit_a
    series = create(api, c, unit, title="每周巡查演练", **WEEKLY)             # Mondays 09:00
    tuesday = create(api, c, unit, title="周二桌面推演", format="tabletop",
                     starts_at="2027-03-09T08:00:00+08:00", ends_at="2027-03-09T09:00:00+08:00")
    lesson = api.post(f"/units/{unit.id}/activities", as_=c, json=training(
        starts_at="2027-03-15T09:00:00+08:00", ends_at="2027-03-15T11:00:00+08:00")
    ).get_json()                                                  # same start as a Monday
    early = create(api, c, unit, title="早班演练", starts_at="2027-03-01T07:00:00+08:00",
                   ends_at="2027-03-01T07:30:00+08:00")
    create(api, world.coordinator_b, world.unit_b)                 # another unit's
    rows = schedule(api, c, unit, "2027-03-01", "2027-03-31")
    assert all(set(row) == ROW_FIELDS for row in rows)
    assert [(r["activity_id"], r["starts_at"]) for r in rows] == [
        (early["id"], "2027-03-01T07:00:00+08:00"),
        (series["id"], "2027-03-01T09:00:00+08:00"),
        (series["id"], "2027-03-08T09:00:00+08:00"),
        (tuesday["id"], "2027-03-09T08:00:00+08:00"),
        (series["id"], "2027-03-15T09:00:00+08:00"),
        (lesson["id"], "2027-03-15T09:00:00+08:00"),
        (series["id"], "2027-03-22T09:00:00+08:00")]
    first = rows[1]
    assert first == {"activity_id": series["id"], "occurrence": "2027-03-01T09:00:00+08:00",
                     "starts_at": "2027-03-01T09:00:00+08:00",
                     "ends_at": "2027-03-01T10:30:00+08:00", "title": "每周巡查演练",
                     "kind": "drill", "status": "scheduled"}
    assert rows[5]["kind"] == "training"
    # a range inside the series
    assert [r["starts_at"] for r in schedule(api, c, unit, "2027-03-14", "2027-03-16")] == [
        "2027-03-15T09:00:00+08:00", "2027-03-15T09:00:00+08:00"]


def test_days_are_whole_days_in_the_units_zone(api, world):
    c, unit = world.coordinator_a, world.unit_a
    late = create(api, c, unit, starts_at="2027-03-31T23:30:00+08:00",
                  ends_at="2027-04-01T00:30:00+08:00")
    after = create(api, c, unit, starts_at="2027-04-01T00:30:00+08:00",
                   ends_at="2027-04-01T01:00:00+08:00")
    midnight = create(api, c, unit, starts_at="2027-03-01T00:00:00+08:00",
                      ends_at="2027-03-01T00:30:00+08:00")
    before = create(api, c, unit, starts_at="2027-02-28T23:00:00+08:00",
                    ends_at="2027-03-01T01:00:00+08:00")        # starts the day before
    rows = schedule(api, c, unit, "2027-03-01", "2027-03-31")
    assert [r["activity_id"] for r in rows] == [midnight["id"], late["id"]]
    assert [r["activity_id"] for r in schedule(api, c, unit, "2027-04-01", "2027-04-01")] == [
        after["id"]]
    assert [r["activity_id"] for r in schedule(api, c, unit, "2027-02-28", "2027-02-28")] == [
        before["id"]]


def test_a_moved_occurrence_is_at_its_new_time(api, world):
    c, unit = world.coordinator_a, world.unit_a
    series = create(api, c, unit, **WEEKLY)
    _move(api, c, series["id"], "2027-03-08T09:00:00+08:00", "2027-03-10T15:00:00+08:00",
          "2027-03-10T16:00:00+08:00")
    rows = schedule(api, c, unit, "2027-03-01", "2027-03-31")
    assert [(r["occurrence"], r["starts_at"], r["ends_at"], r["status"]) for r in rows] == [
        ("2027-03-01T09:00:00+08:00", "2027-03-01T09:00:00+08:00",
         "2027-03-01T10:30:00+08:00", "scheduled"),
        ("2027-03-08T09:00:00+08:00", "2027-03-10T15:00:00+08:00",
         "2027-03-10T16:00:00+08:00", "scheduled"),
        ("2027-03-15T09:00:00+08:00", "2027-03-15T09:00:00+08:00",
         "2027-03-15T10:30:00+08:00", "scheduled"),
        ("2027-03-22T09:00:00+08:00", "2027-03-22T09:00:00+08:00",
         "2027-03-22T10:30:00+08:00", "scheduled")]
    # its old day is empty, its new day has it
    assert schedule(api, c, unit, "2027-03-08", "2027-03-08") == []
    assert [r["occurrence"] for r in schedule(api, c, unit, "2027-03-10", "2027-03-10")] == [
        "2027-03-08T09:00:00+08:00"]


def test_an_occurrence_moved_into_the_range_from_outside_it(api, world):
    c, unit = world.coordinator_a, world.unit_a
    series = create(api, c, unit, **WEEKLY)
    # from before the range into it, and from inside it to after it
    _move(api, c, series["id"], "2027-03-01T09:00:00+08:00", "2027-03-17T09:00:00+08:00",
          "2027-03-17T10:00:00+08:00")
    _move(api, c, series["id"], "2027-03-15T09:00:00+08:00", "2027-04-02T09:00:00+08:00",
          "2027-04-02T10:00:00+08:00")
    rows = schedule(api, c, unit, "2027-03-10", "2027-03-31")
    assert [(r["occurrence"], r["starts_at"]) for r in rows] == [
        ("2027-03-01T09:00:00+08:00", "2027-03-17T09:00:00+08:00"),
        ("2027-03-22T09:00:00+08:00", "2027-03-22T09:00:00+08:00")]
    assert [(r["occurrence"], r["starts_at"]) for r in schedule(
        api, c, unit, "2027-04-01", "2027-04-30")] == [
        ("2027-03-15T09:00:00+08:00", "2027-04-02T09:00:00+08:00")]


def test_an_occurrence_moved_beyond_either_end_of_its_series(api, world):
    """Moved before the series' first start, or after its last one: the schedule of a range
    that holds only the moved occurrence still shows it."""
    c, unit = world.coordinator_a, world.unit_a
    series = create(api, c, unit, **WEEKLY)
    _move(api, c, series["id"], "2027-03-01T09:00:00+08:00", "2027-02-20T09:00:00+08:00",
          "2027-02-20T10:00:00+08:00")
    _move(api, c, series["id"], "2027-03-22T09:00:00+08:00", "2027-04-20T09:00:00+08:00",
          "2027-04-20T10:00:00+08:00")
    assert [(r["occurrence"], r["starts_at"]) for r in schedule(
        api, c, unit, "2027-02-01", "2027-02-28")] == [
        ("2027-03-01T09:00:00+08:00", "2027-02-20T09:00:00+08:00")]
    assert [(r["occurrence"], r["starts_at"]) for r in schedule(
        api, c, unit, "2027-04-01", "2027-04-30")] == [
        ("2027-03-22T09:00:00+08:00", "2027-04-20T09:00:00+08:00")]
    # the activity list agrees: the series occurs in both months
    for first, last in (("2027-02-01", "2027-02-28"), ("2027-04-01", "2027-04-30")):
        listed = api.get(f"/units/{unit.id}/activities?from={first}&to={last}", as_=c)
        assert [a["id"] for a in listed.get_json()] == [series["id"]], (first, last)


def test_cancelled_occurrences_and_activities_are_included(api, world):
    c, unit = world.coordinator_a, world.unit_a
    series = create(api, c, unit, **WEEKLY)
    single = create(api, c, unit, title="消防疏散演练", scenario="accident",
                    starts_at="2027-03-03T15:00:00+08:00", ends_at="2027-03-03T16:00:00+08:00")
    api.post(f"/activities/{series['id']}/cancel", as_=c, json={
        "reason": "停电", "occurrence": "2027-03-15T09:00:00+08:00"})
    api.post(f"/activities/{single['id']}/cancel", as_=c, json={"reason": "台风"})
    rows = schedule(api, c, unit, "2027-03-01", "2027-03-31")
    assert [(r["activity_id"], r["status"]) for r in rows] == [
        (series["id"], "scheduled"), (single["id"], "cancelled"), (series["id"], "scheduled"),
        (series["id"], "cancelled"), (series["id"], "scheduled")]
    # a moved and then cancelled occurrence is cancelled at its new time
    _move(api, c, series["id"], "2027-03-22T09:00:00+08:00", "2027-03-23T09:00:00+08:00",
          "2027-03-23T10:00:00+08:00")
    api.post(f"/activities/{series['id']}/cancel", as_=c, json={
        "reason": "再次调整", "occurrence": "2027-03-22T09:00:00+08:00"})
    last = schedule(api, c, unit, "2027-03-01", "2027-03-31")[-1]
    assert (last["starts_at"], last["status"]) == ("2027-03-23T09:00:00+08:00", "cancelled")


def test_completed_occurrences_are_completed(api, world):
    c, unit = world.coordinator_a, world.unit_a
    series = create(api, c, unit, **WEEKLY)
    response = api.post(f"/activities/{series['id']}/outcomes", as_=c, json={
        "occurrence": "2027-03-08T09:00:00+08:00", "held_from": "2027-03-08T09:00:00+08:00",
        "held_to": "2027-03-08T10:00:00+08:00"})
    assert response.status_code == 201, response.get_json()
    rows = schedule(api, c, unit, "2027-03-01", "2027-03-31")
    assert [r["status"] for r in rows] == ["scheduled", "completed", "scheduled", "scheduled"]


def test_an_unbounded_series_from_long_ago_still_shows(api, world):
    c, unit = world.coordinator_a, world.unit_a
    series = create(api, c, unit, starts_at="2019-01-07T09:00:00+08:00",
                    ends_at="2019-01-07T10:00:00+08:00", rrule="FREQ=MONTHLY;BYDAY=1MO")
    rows = schedule(api, c, unit, "2027-01-01", "2027-06-30")
    assert [r["starts_at"] for r in rows] == [
        "2027-01-04T09:00:00+08:00", "2027-02-01T09:00:00+08:00", "2027-03-01T09:00:00+08:00",
        "2027-04-05T09:00:00+08:00", "2027-05-03T09:00:00+08:00", "2027-06-07T09:00:00+08:00"]
    assert {r["activity_id"] for r in rows} == {series["id"]}


def test_staff_see_an_unannounced_drill_masked_until_it_is_held(api, world):
    c, unit = world.coordinator_a, world.unit_a
    secret = create(api, c, unit, title="夜间突击反恐演练", unannounced=True,
                    participant_ids=[world.person_a.id])
    plain = create(api, c, unit, title="消防演练", scenario="accident",
                   starts_at="2027-03-02T09:00:00+08:00", ends_at="2027-03-02T10:00:00+08:00")
    for headers in ({"Accept-Language": "en"}, {}):
        rows = api.get(f"/units/{unit.id}/schedule?from=2027-03-01&to=2027-03-31",
                       as_=world.staff_a, headers=headers).get_json()
        assert [r["activity_id"] for r in rows] == [secret["id"], plain["id"]]
        assert "夜间突击反恐演练" not in str(rows)
        assert rows[1]["title"] == "消防演练"
        assert (rows[0]["starts_at"], rows[0]["kind"]) == ("2027-03-01T09:00:00+08:00",
                                                           "drill")
    masked = api.get(f"/units/{unit.id}/schedule?from=2027-03-01&to=2027-03-31",
                     as_=world.staff_a, headers={"Accept-Language": "en"}).get_json()[0]
    assert masked["title"] == "Busy (unannounced)"
    # the coordinator, police and supervisors see it whole
    for user in (c, world.police_a, world.supervisor_a, world.admin):
        assert schedule(api, user, unit, "2027-03-01", "2027-03-31")[0]["title"] == \
            "夜间突击反恐演练"
    api.post(f"/activities/{secret['id']}/outcomes", as_=c, json={
        "held_from": "2027-03-01T09:05:00+08:00", "held_to": "2027-03-01T10:00:00+08:00"})
    assert schedule(api, world.staff_a, unit, "2027-03-01", "2027-03-31")[0]["title"] == \
        "夜间突击反恐演练"


def test_the_schedule_runs_a_constant_number_of_statements(api, world):
    c, unit = world.coordinator_a, world.unit_a

    def add(n):
        for i in range(n):
            body = create(api, c, unit, participant_ids=[world.person_a.id],
                          unannounced=bool(i % 3), **WEEKLY)
            if i % 2:
                _move(api, c, body["id"], "2027-03-08T09:00:00+08:00",
                      "2027-03-09T09:00:00+08:00", "2027-03-09T10:00:00+08:00")

    def statements(user):
        db.session.expire_all()
        with count_queries() as n:
            response = api.get(f"/units/{unit.id}/schedule?from=2027-03-01&to=2027-03-31",
                               as_=user)
        assert response.status_code == 200
        return n(), len(response.get_json())

    statements(c), statements(world.staff_a)  # tokens issued: not part of the count
    add(2)
    few = statements(c), statements(world.staff_a)
    assert few[0][1] == 8
    add(10)
    many = statements(c), statements(world.staff_a)
    assert many[0][1] == 48
    assert [n for n, _ in many] == [n for n, _ in few]
