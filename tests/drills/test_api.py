"""Activities through the API (API.md "Activities (drills and training)"): creating drills
and trainings, validation, edits and their `sequence`, cancelling and moving occurrences,
lists. The helpers at the top are shared by the other drills test modules."""
import json

import pytest
import sqlalchemy as sa

from anbao.extensions import db
from drills.models import Activity, Occurrence
from plans import service as plans
from tests.conftest import count_queries

DROP = object()  # a key to leave out of a body


def drill(**over) -> dict:
    """A drill body: a 90-minute functional terror-attack drill on Monday 1 March 2027."""
    body = {"kind": "drill", "title": "防暴恐演练", "scenario": "terror_attack",
            "format": "functional", "starts_at": "2027-03-01T09:00:00+08:00",
            "ends_at": "2027-03-01T10:30:00+08:00", "location": "操场"}
    body.update(over)
    return {k: v for k, v in body.items() if v is not DROP}


def training(**over) -> dict:
    return drill(**{"kind": "training", "title": "全员安全教育", "scenario": DROP,
                    "format": DROP, "topic": "awareness", **over})


def create(api, user, unit, expect: int = 201, **over) -> dict:
    """POST a drill (fields overridden by `over`) and return the answer's JSON."""
    response = api.post(f"/units/{unit.id}/activities", as_=user, json=drill(**over))
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def field_errors(response, where: str = "json") -> dict:
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["code"] == 422
    return body["errors"][where]


def schedule(api, user, unit, first: str, last: str) -> list[dict]:
    response = api.get(f"/units/{unit.id}/schedule?from={first}&to={last}", as_=user)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def make_plan(world, scenario: str = "terror_attack", unit=None, coordinator=None,
              level: str = "special"):
    plan = plans.create_plan(coordinator or world.coordinator_a, unit or world.unit_a,
                             {"scenario": scenario, "level": level, "title": "专项应急预案"},
                             "zh_CN")
    db.session.commit()
    return plan


WEEKLY = {"rrule": "FREQ=WEEKLY;COUNT=4"}  # Mondays 1, 8, 15 and 22 March 2027, 09:00


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# Creating

def test_a_drill_is_created_scheduled_with_sequence_0(api, world):
    response = api.post(f"/units/{world.unit_a.id}/activities", as_=world.coordinator_a,
                        json=drill(participant_ids=[world.person_a.id],
                                   key_part_id=world.key_part_a.id,
                                   description="模拟持刀人员闯入东门"))
    assert response.status_code == 201, response.get_json()
    assert response.headers["ETag"]
    body = response.get_json()
    assert body["status"] == "scheduled" and body["sequence"] == 0
    assert body["unit_id"] == world.unit_a.id
    assert (body["kind"], body["scenario"], body["format"], body["topic"]) == (
        "drill", "terror_attack", "functional", None)
    assert body["participant_ids"] == [world.person_a.id]
    assert body["key_part_id"] == world.key_part_a.id
    assert body["unannounced"] is False and body["rrule"] is None
    assert body["exceptions"] == []
    assert body["starts_at"] == "2027-03-01T09:00:00+08:00"
    assert body["ends_at"] == "2027-03-01T10:30:00+08:00"
    # Chinese as is, no \u escapes
    assert "防暴恐演练".encode() in response.data
    got = api.get(f"/activities/{body['id']}", as_=world.coordinator_a)
    assert got.status_code == 200 and got.get_json() == body
    assert got.headers["ETag"] == response.headers["ETag"]


def test_times_given_in_another_offset_are_shown_in_the_units_zone(api, world):
    body = create(api, world.coordinator_a, world.unit_a,
                  starts_at="2027-03-01T01:00:00Z", ends_at="2027-03-01T02:30:00+00:00")
    assert body["starts_at"] == "2027-03-01T09:00:00+08:00"
    assert body["ends_at"] == "2027-03-01T10:30:00+08:00"


def test_a_training_has_a_topic(api, world):
    response = api.post(f"/units/{world.unit_a.id}/activities", as_=world.coordinator_a,
                        json=training(topic="national_security"))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["kind"], body["topic"], body["scenario"], body["format"]) == (
        "training", "national_security", None, None)


def test_activities_may_lie_in_the_past(api, world):
    body = create(api, world.coordinator_a, world.unit_a,
                  starts_at="2020-05-11T14:00:00+08:00", ends_at="2020-05-11T15:00:00+08:00")
    assert body["status"] == "scheduled"


INVALID = [   # (body, the field named, case)
    (drill(starts_at="2027-03-01T09:00:00"), "starts_at", "start without offset"),
    (drill(ends_at="2027-03-01T10:30:00"), "ends_at", "end without offset"),
    (drill(starts_at="2027-03-01"), "starts_at", "start a date"),
    (drill(ends_at="2027-03-01T09:00:00+08:00"), "ends_at", "end == start"),
    (drill(ends_at="2027-03-01T08:00:00+08:00"), "ends_at", "end before start"),
    (drill(ends_at="2027-03-01T01:00:00Z"), "ends_at", "end == start in another offset"),
    (drill(ends_at="2027-03-09T09:00:00+08:00"), "ends_at", "longer than 7 days"),
    (drill(starts_at=DROP), "starts_at", "no start"),
    (drill(scenario=DROP), "scenario", "drill without scenario"),
    (drill(scenario=None), "scenario", "drill with null scenario"),
    (drill(format=DROP), "format", "drill without format"),
    (drill(topic="skills"), "topic", "drill with a topic"),
    (drill(scenario="flood"), "scenario", "unknown scenario"),
    (drill(format="huge"), "format", "unknown format"),
    (training(topic=DROP), "topic", "training without topic"),
    (training(topic="cooking"), "topic", "unknown topic"),
    (training(scenario="accident"), "scenario", "training with a scenario"),
    (training(format="tabletop"), "format", "training with a format"),
    (training(unannounced=True), "unannounced", "unannounced training"),
    (drill(kind="exercise"), "kind", "unknown kind"),
    (drill(kind=DROP), "kind", "no kind"),
    (drill(title=""), "title", "empty title"),
    (drill(title=DROP), "title", "no title"),
    (drill(title="演" * 201), "title", "title too long"),
    (drill(participant_ids=[1, 1]), "participant_ids", "participant twice"),
    (drill(participant_ids=[987654]), "participant_ids", "unknown person"),
    (drill(rrule="FREQ=SECONDLY"), "rrule", "rrule"),
    (drill(plan_id=987654), "plan_id", "unknown plan"),
    (drill(key_part_id=987654), "key_part_id", "unknown key part"),
    (drill(status="completed"), "status", "status is not given"),
    (drill(sequence=5), "sequence", "sequence is not given"),
    (drill(colour="red"), "colour", "unknown field"),
]


def test_invalid_activities_are_refused_naming_the_field(api, world):
    """One world for all the cases (a world each would take seconds); every wrong one is
    reported."""
    wrong = []
    for body, field, case in INVALID:
        response = api.post(f"/units/{world.unit_a.id}/activities", as_=world.coordinator_a,
                            json=body)
        if response.status_code != 422 or field not in response.get_json()["errors"]["json"]:
            wrong.append(f"{case}: {response.status_code} {response.get_json()}")
    assert not wrong, "\n".join(wrong)
    assert _count(Activity) == 0


def test_references_must_be_of_the_same_unit(api, world, make):
    plan_b = make_plan(world, unit=world.unit_b, coordinator=world.coordinator_b)
    accident_plan = make_plan(world, scenario="accident")
    for body, field in (
            (drill(participant_ids=[world.person_a.id, world.person_b.id]), "participant_ids"),
            (drill(plan_id=plan_b.id), "plan_id"),
            (drill(plan_id=accident_plan.id), "plan_id"),  # the unit's, another scenario
            (drill(key_part_id=world.key_part_b.id), "key_part_id")):
        response = api.post(f"/units/{world.unit_a.id}/activities", as_=world.coordinator_a,
                            json=body)
        assert field in field_errors(response), body
    assert _count(Activity) == 0
    own_plan = make_plan(world)
    body = create(api, world.coordinator_a, world.unit_a, plan_id=own_plan.id,
                  key_part_id=world.key_part_a.id, participant_ids=[world.person_a.id])
    assert body["plan_id"] == own_plan.id


def test_a_malformed_body_is_400_and_a_wrong_media_type_415(api, world):
    path = f"/units/{world.unit_a.id}/activities"
    assert api.post(path, as_=world.coordinator_a, data="{", content_type="application/json"
                    ).status_code == 400
    assert api.post(path, as_=world.coordinator_a, data=json.dumps(drill()),
                    content_type="text/plain").status_code == 415


def test_unbounded_series_are_allowed(api, world):
    body = create(api, world.coordinator_a, world.unit_a, rrule="FREQ=WEEKLY;BYDAY=MO")
    assert body["rrule"] == "FREQ=WEEKLY;BYDAY=MO"
    rows = schedule(api, world.coordinator_a, world.unit_a, "2030-01-01", "2030-12-31")
    assert len(rows) == 52


# Editing, and `sequence`

@pytest.mark.parametrize("change", [
    {"title": "防暴恐综合演练"},
    {"location": "东门广场"},
    {"description": "增加疏散环节"},
    {"starts_at": "2027-03-01T14:00:00+08:00", "ends_at": "2027-03-01T15:30:00+08:00"},
    {"ends_at": "2027-03-01T11:00:00+08:00"},
    {"rrule": "FREQ=WEEKLY;COUNT=2"},
    {"format": "full_scale"},
    {"unannounced": True},
    {"participant_ids": []},
], ids=lambda change: ",".join(change))
def test_a_change_a_calendar_shows_raises_sequence_by_one(api, world, change):
    body = create(api, world.coordinator_a, world.unit_a, participant_ids=[world.person_a.id])
    response = api.patch(f"/activities/{body['id']}", as_=world.coordinator_a, json=change)
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert changed["sequence"] == 1
    for field, value in change.items():
        assert changed[field] == value
    again = api.patch(f"/activities/{body['id']}", as_=world.coordinator_a, json=change)
    assert again.get_json()["sequence"] == 1  # the same values again change nothing


def test_participants_count_as_a_calendar_change(api, world, make):
    other = make.person(world.unit_a, name="赵敏")
    body = create(api, world.coordinator_a, world.unit_a, participant_ids=[world.person_a.id])
    response = api.patch(f"/activities/{body['id']}", as_=world.coordinator_a,
                         json={"participant_ids": [world.person_a.id, other.id]})
    assert response.get_json()["participant_ids"] == [world.person_a.id, other.id]
    assert response.get_json()["sequence"] == 1
    response = api.patch(f"/activities/{body['id']}", as_=world.coordinator_a,
                         json={"participant_ids": [world.person_b.id]})
    assert "participant_ids" in field_errors(response)
    assert api.get(f"/activities/{body['id']}", as_=world.coordinator_a).get_json()[
        "participant_ids"] == [world.person_a.id, other.id]


def test_a_change_no_calendar_shows_keeps_sequence(api, world):
    plan = make_plan(world)
    body = create(api, world.coordinator_a, world.unit_a)
    response = api.patch(f"/activities/{body['id']}", as_=world.coordinator_a,
                         json={"plan_id": plan.id})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["plan_id"] == plan.id
    assert response.get_json()["sequence"] == 0
    # nothing at all
    response = api.patch(f"/activities/{body['id']}", as_=world.coordinator_a, json={})
    assert response.status_code == 200 and response.get_json()["sequence"] == 0
    response = api.patch(f"/activities/{body['id']}", as_=world.coordinator_a,
                         json={"title": body["title"], "location": body["location"]})
    assert response.get_json()["sequence"] == 0


def test_patch_checks_the_activity_as_a_whole(api, world):
    body = create(api, world.coordinator_a, world.unit_a)
    path = f"/activities/{body['id']}"
    for change, field in (({"ends_at": "2027-03-01T08:00:00+08:00"}, "ends_at"),
                          ({"starts_at": "2027-03-01T11:00:00+08:00"}, "ends_at"),
                          ({"kind": "training"}, "topic"),
                          ({"scenario": None}, "scenario"),
                          ({"rrule": "FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=30"}, "rrule"),
                          ({"key_part_id": world.key_part_b.id}, "key_part_id"),
                          ({"starts_at": "2027-03-01T09:00:00"}, "starts_at"),
                          ({"status": "cancelled"}, "status")):
        assert field in field_errors(api.patch(path, as_=world.coordinator_a, json=change)), \
            change
    assert api.get(path, as_=world.coordinator_a).get_json() == body
    # a drill may become a training when its drill fields go
    response = api.patch(path, as_=world.coordinator_a, json={
        "kind": "training", "scenario": None, "format": None, "topic": "anti_terror"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["sequence"] == 1


def test_if_match_is_optional_and_a_stale_one_is_412(api, world):
    body = create(api, world.coordinator_a, world.unit_a)
    path = f"/activities/{body['id']}"
    tag = api.get(path, as_=world.coordinator_a).headers["ETag"]
    first = api.patch(path, as_=world.coordinator_a, json={"title": "第一次修改"},
                      headers={"If-Match": tag})
    assert first.status_code == 200 and first.headers["ETag"] != tag
    stale = api.patch(path, as_=world.coordinator_a, json={"title": "第二次修改"},
                      headers={"If-Match": tag})
    assert stale.status_code == 412 and stale.get_json()["code"] == 412
    assert api.get(path, as_=world.coordinator_a).get_json()["title"] == "第一次修改"
    fresh = api.patch(path, as_=world.coordinator_a, json={"title": "第二次修改"},
                      headers={"If-Match": first.headers["ETag"]})
    assert fresh.status_code == 200 and fresh.get_json()["sequence"] == 2
    assert api.patch(path, as_=world.coordinator_a, json={"location": "礼堂"},
                     headers={"If-Match": "*"}).status_code == 200


def test_a_new_start_or_rule_drops_moves_of_occurrences_that_no_longer_exist(api, world):
    body = create(api, world.coordinator_a, world.unit_a, **WEEKLY)
    path = f"/activities/{body['id']}"
    api.post(f"{path}/occurrences", as_=world.coordinator_a, json={
        "occurrence": "2027-03-08T09:00:00+08:00", "starts_at": "2027-03-09T09:00:00+08:00",
        "ends_at": "2027-03-09T10:30:00+08:00"})
    api.post(f"{path}/cancel", as_=world.coordinator_a, json={
        "reason": "考试", "occurrence": "2027-03-22T09:00:00+08:00"})
    # the rule now stops before 22 March: the cancellation goes, the move stays
    changed = api.patch(path, as_=world.coordinator_a,
                        json={"rrule": "FREQ=WEEKLY;COUNT=3"}).get_json()
    assert [(e["occurrence"], e["status"]) for e in changed["exceptions"]] == [
        ("2027-03-08T09:00:00+08:00", "scheduled")]
    # a new start names other occurrences: the move goes too
    changed = api.patch(path, as_=world.coordinator_a, json={
        "starts_at": "2027-03-02T09:00:00+08:00",
        "ends_at": "2027-03-02T10:30:00+08:00"}).get_json()
    assert changed["exceptions"] == []
    assert [r["starts_at"] for r in schedule(api, world.coordinator_a, world.unit_a,
                                             "2027-03-01", "2027-03-31")] == [
        "2027-03-02T09:00:00+08:00", "2027-03-09T09:00:00+08:00",
        "2027-03-16T09:00:00+08:00"]


# Cancelling

def test_cancelling_the_whole_activity(api, world):
    body = create(api, world.coordinator_a, world.unit_a)
    path = f"/activities/{body['id']}"
    assert "reason" in field_errors(api.post(f"{path}/cancel", as_=world.coordinator_a,
                                             json={}))
    response = api.post(f"{path}/cancel", as_=world.coordinator_a, json={"reason": "暴雨"})
    assert response.status_code == 200, response.get_json()
    cancelled = response.get_json()
    assert (cancelled["status"], cancelled["sequence"], cancelled["cancel_reason"]) == (
        "cancelled", 1, "暴雨")
    again = api.post(f"{path}/cancel", as_=world.coordinator_a, json={"reason": "再次"})
    assert again.status_code == 409 and again.get_json()["code"] == 409
    # it stays, marked cancelled, and can no longer be changed
    assert api.get(path, as_=world.coordinator_a).get_json()["sequence"] == 1
    rows = schedule(api, world.coordinator_a, world.unit_a, "2027-03-01", "2027-03-01")
    assert [(r["activity_id"], r["status"]) for r in rows] == [(body["id"], "cancelled")]
    assert api.patch(path, as_=world.coordinator_a, json={"title": "改"}).status_code == 409
    assert api.post(f"{path}/outcomes", as_=world.coordinator_a, json={
        "held_from": "2027-03-01T09:00:00+08:00",
        "held_to": "2027-03-01T10:00:00+08:00"}).status_code == 409


def test_cancelling_a_whole_series_cancels_every_occurrence(api, world):
    body = create(api, world.coordinator_a, world.unit_a, **WEEKLY)
    api.post(f"/activities/{body['id']}/cancel", as_=world.coordinator_a,
             json={"reason": "整改期间暂停"})
    rows = schedule(api, world.coordinator_a, world.unit_a, "2027-03-01", "2027-03-31")
    assert [r["status"] for r in rows] == ["cancelled"] * 4


def test_cancelling_one_occurrence(api, world):
    body = create(api, world.coordinator_a, world.unit_a, **WEEKLY)
    path = f"/activities/{body['id']}/cancel"
    # named by its original start, in any offset
    response = api.post(path, as_=world.coordinator_a,
                        json={"reason": "期中考试", "occurrence": "2027-03-08T01:00:00Z"})
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert changed["status"] == "scheduled" and changed["sequence"] == 1
    assert changed["exceptions"] == [{
        "occurrence": "2027-03-08T09:00:00+08:00", "starts_at": "2027-03-08T09:00:00+08:00",
        "ends_at": "2027-03-08T10:30:00+08:00", "status": "cancelled", "reason": "期中考试"}]
    rows = schedule(api, world.coordinator_a, world.unit_a, "2027-03-01", "2027-03-31")
    assert [r["status"] for r in rows] == ["scheduled", "cancelled", "scheduled", "scheduled"]
    again = api.post(path, as_=world.coordinator_a,
                     json={"reason": "再次", "occurrence": "2027-03-08T09:00:00+08:00"})
    assert again.status_code == 409


def test_cancelling_an_occurrence_the_series_does_not_have_is_422(api, world):
    series = create(api, world.coordinator_a, world.unit_a, **WEEKLY)
    for occurrence in ("2027-03-08T10:00:00+08:00",    # not at the series' time
                       "2027-03-29T09:00:00+08:00",    # after the last one
                       "2027-02-22T09:00:00+08:00"):   # before the first
        response = api.post(f"/activities/{series['id']}/cancel", as_=world.coordinator_a,
                            json={"reason": "x", "occurrence": occurrence})
        assert "occurrence" in field_errors(response), occurrence
    assert "occurrence" in field_errors(api.post(
        f"/activities/{series['id']}/cancel", as_=world.coordinator_a,
        json={"reason": "x", "occurrence": "2027-03-08T09:00:00"}))
    single = create(api, world.coordinator_a, world.unit_a)
    response = api.post(f"/activities/{single['id']}/cancel", as_=world.coordinator_a,
                        json={"reason": "x", "occurrence": "2027-03-01T09:00:00+08:00"})
    assert "occurrence" in field_errors(response)
    assert api.get(f"/activities/{single['id']}", as_=world.coordinator_a).get_json()[
        "status"] == "scheduled"
    assert _count(Occurrence) == 0


# Moving one occurrence

def test_moving_one_occurrence(api, world):
    body = create(api, world.coordinator_a, world.unit_a, **WEEKLY)
    path = f"/activities/{body['id']}/occurrences"
    response = api.post(path, as_=world.coordinator_a, json={
        "occurrence": "2027-03-15T09:00:00+08:00", "starts_at": "2027-03-16T14:00:00+08:00",
        "ends_at": "2027-03-16T15:00:00+08:00"})
    assert response.status_code == 200, response.get_json()
    moved = response.get_json()
    assert moved["sequence"] == 1 and moved["status"] == "scheduled"
    assert moved["exceptions"] == [{
        "occurrence": "2027-03-15T09:00:00+08:00", "starts_at": "2027-03-16T14:00:00+08:00",
        "ends_at": "2027-03-16T15:00:00+08:00", "status": "scheduled", "reason": ""}]
    # moved again: still named by its original start
    again = api.post(path, as_=world.coordinator_a, json={
        "occurrence": "2027-03-15T09:00:00+08:00", "starts_at": "2027-03-17T08:00:00+08:00",
        "ends_at": "2027-03-17T09:00:00+08:00"})
    assert again.status_code == 200 and again.get_json()["sequence"] == 2
    rows = schedule(api, world.coordinator_a, world.unit_a, "2027-03-01", "2027-03-31")
    assert [(r["occurrence"], r["starts_at"]) for r in rows] == [
        ("2027-03-01T09:00:00+08:00", "2027-03-01T09:00:00+08:00"),
        ("2027-03-08T09:00:00+08:00", "2027-03-08T09:00:00+08:00"),
        ("2027-03-15T09:00:00+08:00", "2027-03-17T08:00:00+08:00"),
        ("2027-03-22T09:00:00+08:00", "2027-03-22T09:00:00+08:00")]


def test_invalid_moves(api, world):
    series = create(api, world.coordinator_a, world.unit_a, **WEEKLY)
    path = f"/activities/{series['id']}/occurrences"
    move = {"occurrence": "2027-03-08T09:00:00+08:00", "starts_at": "2027-03-09T09:00:00+08:00",
            "ends_at": "2027-03-09T10:00:00+08:00"}
    for change, field in (({"occurrence": "2027-03-09T09:00:00+08:00"}, "occurrence"),
                          ({"ends_at": "2027-03-09T09:00:00+08:00"}, "ends_at"),
                          ({"ends_at": "2027-03-09T08:00:00+08:00"}, "ends_at"),
                          ({"starts_at": "2027-03-09T09:00:00"}, "starts_at"),
                          ({"occurrence": None}, "occurrence")):
        response = api.post(path, as_=world.coordinator_a, json={**move, **change})
        assert field in field_errors(response), change
    single = create(api, world.coordinator_a, world.unit_a)
    response = api.post(f"/activities/{single['id']}/occurrences", as_=world.coordinator_a,
                        json={**move, "occurrence": "2027-03-01T09:00:00+08:00"})
    assert "occurrence" in field_errors(response)
    # a cancelled occurrence, or a cancelled series, cannot be moved
    api.post(f"/activities/{series['id']}/cancel", as_=world.coordinator_a,
             json={"reason": "停课", "occurrence": "2027-03-08T09:00:00+08:00"})
    assert api.post(path, as_=world.coordinator_a, json=move).status_code == 409
    api.post(f"/activities/{series['id']}/cancel", as_=world.coordinator_a,
             json={"reason": "停课"})
    assert api.post(path, as_=world.coordinator_a, json={
        **move, "occurrence": "2027-03-15T09:00:00+08:00"}).status_code == 409
    assert api.get(f"/activities/{series['id']}", as_=world.coordinator_a).get_json()[
        "sequence"] == 2


# Reading

def test_an_unknown_activity_is_404(api, world):
    response = api.get("/activities/987654", as_=world.coordinator_a)
    assert response.status_code == 404 and response.get_json()["code"] == 404


def test_the_list_filters_and_pages(api, world):
    c, unit = world.coordinator_a, world.unit_a
    early = create(api, c, unit, starts_at="2027-01-04T09:00:00+08:00",
                   ends_at="2027-01-04T10:00:00+08:00")
    series = create(api, c, unit, starts_at="2027-01-11T09:00:00+08:00",
                    ends_at="2027-01-11T10:00:00+08:00", rrule="FREQ=MONTHLY;COUNT=6")
    unbounded = create(api, c, unit, starts_at="2026-06-01T09:00:00+08:00",
                       ends_at="2026-06-01T10:00:00+08:00", rrule="FREQ=YEARLY")
    lesson = api.post(f"/units/{unit.id}/activities", as_=c, json=training(
        starts_at="2027-04-05T09:00:00+08:00", ends_at="2027-04-05T10:00:00+08:00")).get_json()
    cancelled = create(api, c, unit, starts_at="2027-05-03T09:00:00+08:00",
                       ends_at="2027-05-03T10:00:00+08:00")
    api.post(f"/activities/{cancelled['id']}/cancel", as_=c, json={"reason": "取消"})
    create(api, world.coordinator_b, world.unit_b)

    def ids(query=""):
        response = api.get(f"/units/{unit.id}/activities{query}", as_=c)
        assert response.status_code == 200, response.get_json()
        return [a["id"] for a in response.get_json()]

    assert ids() == [early["id"], series["id"], unbounded["id"], lesson["id"],
                     cancelled["id"]]
    assert ids("?kind=training") == [lesson["id"]]
    assert ids("?status=cancelled") == [cancelled["id"]]
    assert ids("?kind=drill&status=scheduled") == [early["id"], series["id"], unbounded["id"]]
    # the series runs until June 2027; the unbounded one forever
    assert ids("?from=2027-03-01") == [series["id"], unbounded["id"], lesson["id"],
                                       cancelled["id"]]
    assert ids("?to=2027-01-10") == [early["id"], unbounded["id"]]
    assert ids("?from=2027-06-01&to=2027-06-30") == [series["id"], unbounded["id"]]
    assert ids("?from=2028-05-01&to=2028-06-30") == [unbounded["id"]]
    # a span between two occurrences: at least nothing that ended before it or starts after
    assert not {early["id"], series["id"], lesson["id"]} & set(
        ids("?from=2027-01-05&to=2027-01-10"))
    response = api.get(f"/units/{unit.id}/activities?page=2&page_size=2", as_=c)
    assert [a["id"] for a in response.get_json()] == [unbounded["id"], lesson["id"]]
    assert json.loads(response.headers["X-Pagination"])["total"] == 5
    assert json.loads(response.headers["X-Pagination"])["total_pages"] == 3
    assert api.get(f"/units/{unit.id}/activities?page=9", as_=c).get_json() == []
    for query, field in (("?page_size=501", "page_size"), ("?kind=exercise", "kind"),
                         ("?status=done", "status"), ("?from=2027-13-01", "from"),
                         ("?from=2027-03-01&to=2027-02-01", "to")):
        response = api.get(f"/units/{unit.id}/activities{query}", as_=c)
        assert field in field_errors(response, "query"), query


def test_the_list_runs_a_constant_number_of_statements(api, world, make):
    c, unit = world.coordinator_a, world.unit_a
    people = [world.person_a.id] + [make.person(unit, name=f"队员{i}").id for i in range(3)]

    def add(n):
        for i in range(n):
            body = create(api, c, unit, participant_ids=people[: 1 + i % 4],
                          key_part_id=world.key_part_a.id, **WEEKLY)
            if i % 2:
                api.post(f"/activities/{body['id']}/cancel", as_=c, json={
                    "reason": "调整", "occurrence": "2027-03-08T09:00:00+08:00"})

    def statements():
        db.session.expire_all()
        with count_queries() as n:
            response = api.get(f"/units/{unit.id}/activities?page_size=500", as_=c)
        assert response.status_code == 200
        return n(), len(response.get_json())

    statements()  # the token issued: not part of the count
    add(3)
    few, listed = statements()
    assert listed == 3
    add(12)
    many, listed = statements()
    assert listed == 15
    assert many == few
