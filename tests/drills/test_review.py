"""What a review of the drills package found, each kept from coming back: bad input at the
edges answers 422 (never 500, never minutes of CPU), unannounced drills stay masked for staff
everywhere, and changes to different occurrences of a series do not conflict."""
import pytest

from anbao.extensions import db
from drills import service
from drills.models import Activity
from tests.drills.test_api import WEEKLY, create, drill, field_errors, schedule
from tests.drills.test_outcomes import outcome, post
from tests.hazards.test_concurrency import race


@pytest.mark.parametrize("field, value", [
    ("starts_at", "0001-01-01T00:00:00+08:00"), ("ends_at", "9999-12-31T23:00:00-05:00"),
    ("starts_at", "1899-12-31T09:00:00+08:00")])
def test_instants_far_out_are_422(api, world, field, value):
    response = api.post(f"/units/{world.unit_a.id}/activities", as_=world.coordinator_a,
                        json=drill(**{field: value}))
    assert field in field_errors(response)


@pytest.mark.parametrize("query", ["from=0001-01-01&to=0001-01-02",
                                   "from=9999-12-30&to=9999-12-31"])
def test_schedule_days_far_out_are_422(api, world, query):
    response = api.get(f"/units/{world.unit_a.id}/schedule?{query}", as_=world.coordinator_a)
    assert field_errors(response, "query")


@pytest.mark.parametrize("rule", [
    "FREQ=MONTHLY;BYDAY=+9MO", "FREQ=MONTHLY;BYDAY=99MO", "FREQ=YEARLY;BYDAY=60MO",
    "FREQ=MONTHLY;BYDAY=6MO", "FREQ=WEEKLY;BYDAY=1MO", "FREQ=DAILY;COUNT=999999999",
    "FREQ=WEEKLY;UNTIL=99991231T235959Z", "FREQ=WEEKLY;UNTIL=21001231"])
def test_rules_that_would_fail_or_run_for_ever_are_422(api, world, rule):
    response = api.post(f"/units/{world.unit_a.id}/activities", as_=world.coordinator_a,
                        json=drill(rrule=rule))
    assert "rrule" in field_errors(response)


def test_a_daily_series_from_long_ago_is_422_a_monthly_one_is_not(api, world):
    c, unit = world.coordinator_a, world.unit_a
    old = {"starts_at": "1990-01-01T09:00:00+08:00", "ends_at": "1990-01-01T10:00:00+08:00"}
    response = api.post(f"/units/{unit.id}/activities", as_=c,
                        json=drill(rrule="FREQ=DAILY", **old))
    assert "starts_at" in field_errors(response)
    create(api, c, unit, rrule="FREQ=YEARLY", **old)


def test_a_blank_rule_is_no_series(api, world):
    created = create(api, world.coordinator_a, world.unit_a, rrule="  ")
    assert created["rrule"] is None
    assert [r["activity_id"] for r in schedule(api, world.coordinator_a, world.unit_a,
                                               "2030-01-01", "2030-12-31")] == []


def test_the_same_participants_in_another_order_change_nothing(api, world, make):
    other = make.person(world.unit_a, name="王二")
    created = create(api, world.coordinator_a, world.unit_a,
                     participant_ids=[world.person_a.id, other.id])
    again = api.patch(f"/activities/{created['id']}", as_=world.coordinator_a,
                      json={"participant_ids": [other.id, world.person_a.id]}).get_json()
    assert again["sequence"] == created["sequence"]


def test_staff_get_no_outcomes_of_a_masked_series(api, world):
    c, unit = world.coordinator_a, world.unit_a
    series = create(api, c, unit, unannounced=True, participant_ids=[world.person_a.id],
                    **WEEKLY)
    post(api, c, series["id"], outcome(occurrence="2027-03-01T09:00:00+08:00"), 201)
    assert api.get(f"/activities/{series['id']}/outcomes", as_=world.staff_a).get_json() == []
    rows = schedule(api, world.staff_a, unit, "2027-03-01", "2027-03-31")
    assert rows and all(r["title"] != "防暴恐演练" for r in rows)


def test_outcomes_of_two_occurrences_at_once_both_land(app, api, world, monkeypatch):
    """Each bumps the series' sequence in an UPDATE of its own: no false 409."""
    c, unit = world.coordinator_a, world.unit_a
    series = create(api, c, unit, **WEEKLY)
    path = f"/activities/{series['id']}/outcomes"
    statuses = race(app, monkeypatch, [
        (c, path, outcome(occurrence=start, held_from=start, held_to=start))
        for start in ("2027-03-01T09:00:00+08:00", "2027-03-08T09:00:00+08:00")],
        clock_of=service)
    assert statuses == [201, 201]
    assert db.session.get(Activity, series["id"]).sequence == series["sequence"] + 2
