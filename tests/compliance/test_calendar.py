"""The obligations' due dates in the coordinator's own calendar feed: an all-day event per
due date, never in a staff member's or the unit's feed, and a change to what a due date is
computed from (a plan approved, a hazard recorded, a rule interval) shows in the feed."""
from datetime import date, timedelta

import icalendar

from anbao.extensions import db
from compliance import service
from tests.compliance.test_rules import approve, hazard
from tests.drills.test_ical import fetch, my_feed, unit_feed
from units.service import today_in


def obligations(body: bytes) -> list:
    return [e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
            if str(e["UID"]).startswith("obligation-")]


def due_dates(api, world) -> set[tuple[str, date]]:
    body = api.get(f"/units/{world.unit_a.id}/compliance", as_=world.coordinator_a).get_json()
    return {(i["rule"], date.fromisoformat(i["due_date"])) for i in body["items"]
            if i["due_date"]}


def test_each_due_date_is_an_all_day_event_of_the_coordinators_own_feed(api, client, world):
    unit = world.unit_a
    approve(unit, "terror_attack", on=today_in(unit) - timedelta(days=400))
    hazard(unit, today_in(unit) + timedelta(days=5))
    feed = fetch(client, my_feed(api, world.coordinator_a)).data
    events = obligations(feed)
    expected = due_dates(api, world)
    assert expected
    found = set()
    for event in events:
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        assert type(start) is date and end == start + timedelta(days=1)
        assert str(event["TRANSP"]) == "TRANSPARENT"
        rule = next(r for r, _d in expected if f"-{r}-" in str(event["UID"]))
        found.add((rule, start))
    assert found == expected
    summaries = {str(e["SUMMARY"]) for e in events}
    # Chinese round-trips: the rule's title and the scenario in words
    assert any("防暴恐袭击" in s for s in summaries), summaries
    # staff and the unit's shared feed carry no obligations
    assert not obligations(fetch(client, my_feed(api, world.staff_a)).data)
    assert not obligations(fetch(client, unit_feed(api, world.coordinator_a, unit)).data)


def test_what_a_due_date_comes_from_changes_the_feed(api, client, world):
    unit, coordinator = world.unit_a, world.coordinator_a
    path = my_feed(api, coordinator)
    first = fetch(client, path)
    assert not [e for e in obligations(first.data) if "-HAZARD-" in str(e["UID"])]

    due = today_in(unit) + timedelta(days=9)
    hazard(unit, due)
    second = fetch(client, path)
    assert second.headers["ETag"] != first.headers["ETag"]
    [found] = [e for e in obligations(second.data) if "-HAZARD-" in str(e["UID"])]
    assert found["DTSTART"].dt == due

    approve(unit, "accident", on=today_in(unit) - timedelta(days=30))
    third = fetch(client, path)
    reviews = [e for e in obligations(third.data) if "-PLAN-REVIEW-" in str(e["UID"])]
    assert len(reviews) == 1
    review_due = reviews[0]["DTSTART"].dt

    # an admin's shorter review interval moves the due date in the feed at once
    service.update_months(world.admin, {"PLAN-REVIEW": 12})
    db.session.commit()
    fourth = fetch(client, path)
    [moved] = [e for e in obligations(fourth.data) if "-PLAN-REVIEW-" in str(e["UID"])]
    assert moved["DTSTART"].dt < review_due
    assert str(moved["UID"]) != str(reviews[0]["UID"])  # a new due date is a new event
