"""Outcomes (API.md "Activities", DESIGN.md §2 "Outcome"): recording what happened completes
the activity or one occurrence; findings with an owner and a due date, and equipment that
failed, become hazards with `source` `drill`; a finding can ask for the plan's review."""
import sqlalchemy as sa

from anbao.extensions import db
from drills.models import Outcome
from equipment import service as equipment
from hazards.models import Hazard
from tests.drills.test_api import WEEKLY, create, field_errors, make_plan, schedule

HELD = {"held_from": "2027-03-01T09:05:00+08:00", "held_to": "2027-03-01T10:20:00+08:00"}


def outcome(**over) -> dict:
    return {**HELD, "objectives": [{"text": "3分钟内完成报警", "result": "met"},
                                   {"text": "5分钟内封控东门", "result": "partially_met"}],
            "response_times": {"alarm_to_police": 95, "lockdown": 260},
            "summary": "整体处置有序", "noteworthy": "门卫反应迅速", "evaluator": "李卫国",
            **over}


def post(api, user, activity_id, body, expect=None):
    response = api.post(f"/activities/{activity_id}/outcomes", as_=user, json=body)
    if expect is not None:
        assert response.status_code == expect, response.get_json()
    return response


def _shield(world, unit=None, coordinator=None, name="防暴盾牌"):
    item = equipment.create_equipment(coordinator or world.coordinator_a, unit or world.unit_a,
                                      {"category": "protective", "name": name, "quantity": 5,
                                       "required_quantity": 4, "location": "东门岗亭"})
    db.session.commit()
    return item


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_an_outcome_completes_a_single_activity(api, world):
    c = world.coordinator_a
    activity = create(api, c, world.unit_a, participant_ids=[world.person_a.id])
    response = post(api, c, activity["id"], outcome(attendee_ids=[world.person_a.id]), 201)
    body = response.get_json()
    assert body["activity_id"] == activity["id"] and body["occurrence"] is None
    assert (body["held_from"], body["held_to"]) == (HELD["held_from"], HELD["held_to"])
    assert body["attendee_ids"] == [world.person_a.id]
    assert body["participants_count"] == 1      # the attendees, when not given
    assert body["objectives"][1] == {"text": "5分钟内封控东门", "result": "partially_met"}
    assert body["response_times"] == {"alarm_to_police": 95, "lockdown": 260}
    assert (body["evaluator"], body["hazard_ids"]) == ("李卫国", [])
    assert body["created_by"] == "coordinator_a"
    after = api.get(f"/activities/{activity['id']}", as_=c).get_json()
    assert (after["status"], after["sequence"]) == ("completed", 1)
    listed = api.get(f"/activities/{activity['id']}/outcomes", as_=c)
    assert listed.status_code == 200 and listed.get_json() == [body]
    # every role in scope reads it, staff too
    for user in (world.staff_a, world.police_a, world.supervisor_a, world.admin):
        assert api.get(f"/activities/{activity['id']}/outcomes", as_=user).get_json() == [body]
    # once only
    again = post(api, c, activity["id"], outcome(), 409)
    assert again.get_json()["code"] == 409
    assert _count(Outcome) == 1


def test_a_cancelled_activity_or_occurrence_takes_no_outcome(api, world):
    c = world.coordinator_a
    single = create(api, c, world.unit_a)
    api.post(f"/activities/{single['id']}/cancel", as_=c, json={"reason": "暴雨"})
    post(api, c, single["id"], outcome(), 409)
    series = create(api, c, world.unit_a, **WEEKLY)
    api.post(f"/activities/{series['id']}/cancel", as_=c, json={
        "reason": "停电", "occurrence": "2027-03-08T09:00:00+08:00"})
    post(api, c, series["id"], outcome(occurrence="2027-03-08T09:00:00+08:00"), 409)
    api.post(f"/activities/{series['id']}/cancel", as_=c, json={"reason": "整体取消"})
    post(api, c, series["id"], outcome(occurrence="2027-03-15T09:00:00+08:00"), 409)
    assert _count(Outcome) == 0


def test_a_series_needs_the_occurrence(api, world):
    c = world.coordinator_a
    series = create(api, c, world.unit_a, **WEEKLY)
    assert "occurrence" in field_errors(post(api, c, series["id"], outcome()))
    assert "occurrence" in field_errors(post(api, c, series["id"], outcome(
        occurrence="2027-03-09T09:00:00+08:00")))   # not an occurrence of the series
    single = create(api, c, world.unit_a)
    assert "occurrence" in field_errors(post(api, c, single["id"], outcome(
        occurrence="2027-03-01T09:00:00+08:00")))   # not a series
    assert _count(Outcome) == 0


def test_an_occurrence_completes_that_occurrence_only(api, world):
    c = world.coordinator_a
    series = create(api, c, world.unit_a, **WEEKLY)
    body = post(api, c, series["id"], outcome(occurrence="2027-03-08T01:00:00Z",
                                              held_from="2027-03-08T09:00:00+08:00",
                                              held_to="2027-03-08T10:00:00+08:00"),
                201).get_json()
    assert body["occurrence"] == "2027-03-08T09:00:00+08:00"
    after = api.get(f"/activities/{series['id']}", as_=c).get_json()
    assert (after["status"], after["sequence"]) == ("scheduled", 1)
    assert [(e["occurrence"], e["status"]) for e in after["exceptions"]] == [
        ("2027-03-08T09:00:00+08:00", "completed")]
    rows = schedule(api, c, world.unit_a, "2027-03-01", "2027-03-31")
    assert [r["status"] for r in rows] == ["scheduled", "completed", "scheduled", "scheduled"]
    # that occurrence once only, in whatever offset it is named; the others still take one
    post(api, c, series["id"], outcome(occurrence="2027-03-08T09:00:00+08:00"), 409)
    post(api, c, series["id"], outcome(occurrence="2027-03-08T01:00:00+00:00"), 409)
    post(api, c, series["id"], outcome(occurrence="2027-03-15T09:00:00+08:00"), 201)
    assert [o["occurrence"] for o in api.get(f"/activities/{series['id']}/outcomes",
                                             as_=c).get_json()] == [
        "2027-03-08T09:00:00+08:00", "2027-03-15T09:00:00+08:00"]
    # a held occurrence can be neither moved nor cancelled
    assert api.post(f"/activities/{series['id']}/occurrences", as_=c, json={
        "occurrence": "2027-03-08T09:00:00+08:00", "starts_at": "2027-03-09T09:00:00+08:00",
        "ends_at": "2027-03-09T10:00:00+08:00"}).status_code == 409
    assert api.post(f"/activities/{series['id']}/cancel", as_=c, json={
        "reason": "x", "occurrence": "2027-03-08T09:00:00+08:00"}).status_code == 409


def test_a_moved_occurrence_takes_its_outcome_by_its_original_start(api, world):
    c = world.coordinator_a
    series = create(api, c, world.unit_a, **WEEKLY)
    api.post(f"/activities/{series['id']}/occurrences", as_=c, json={
        "occurrence": "2027-03-08T09:00:00+08:00", "starts_at": "2027-03-10T14:00:00+08:00",
        "ends_at": "2027-03-10T15:00:00+08:00"})
    post(api, c, series["id"], outcome(occurrence="2027-03-10T14:00:00+08:00"), 422)
    post(api, c, series["id"], outcome(occurrence="2027-03-08T09:00:00+08:00",
                                       held_from="2027-03-10T14:00:00+08:00",
                                       held_to="2027-03-10T15:00:00+08:00"), 201)
    row = schedule(api, c, world.unit_a, "2027-03-10", "2027-03-10")[0]
    assert (row["starts_at"], row["status"]) == ("2027-03-10T14:00:00+08:00", "completed")


def test_findings_with_an_owner_and_a_due_date_become_drill_hazards(api, world):
    c, unit = world.coordinator_a, world.unit_a
    activity = create(api, c, unit, location="东门")
    body = post(api, c, activity["id"], outcome(findings=[
        {"description": "东门未能在5分钟内关闭", "severity": "high", "owner": "王保安",
         "due_date": "2027-03-31"},
        {"description": "广播音量偏小", "severity": "low"},                   # no owner
        {"description": "对讲机电量不足", "severity": "medium", "owner": "赵六"},  # no due date
        {"description": "报警按钮被遮挡", "severity": "major", "owner": "钱七",
         "due_date": "2027-03-15"},
    ]), 201).get_json()
    assert len(body["hazard_ids"]) == 2
    assert body["findings"][0] == {"description": "东门未能在5分钟内关闭", "severity": "high",
                                   "owner": "王保安", "due_date": "2027-03-31",
                                   "hazard_id": body["hazard_ids"][0]}
    assert [f.get("hazard_id") for f in body["findings"]] == [
        body["hazard_ids"][0], None, None, body["hazard_ids"][1]]
    hazards = api.get(f"/units/{unit.id}/hazards", as_=c).get_json()
    assert [h["id"] for h in hazards] == body["hazard_ids"]
    assert [(h["description"], h["severity"], h["source"], h["owner"], h["due_date"],
             h["status"]) for h in hazards] == [
        ("东门未能在5分钟内关闭", "high", "drill", "王保安", "2027-03-31", "open"),
        ("报警按钮被遮挡", "major", "drill", "钱七", "2027-03-15", "open")]
    assert hazards[0]["location"] == "东门"
    for hazard_id in body["hazard_ids"]:
        assert api.get(f"/hazards/{hazard_id}", as_=world.police_a).get_json()["source"] == \
            "drill"


def test_failed_equipment_becomes_a_medium_hazard_for_the_evaluator(api, world):
    c, unit = world.coordinator_a, world.unit_a
    shield = _shield(world)
    torch = _shield(world, name="强光手电")
    activity = create(api, c, unit)
    # held until 23:30 on 1 March in Shanghai (15:30 UTC): due 30 days after 1 March
    body = post(api, c, activity["id"], outcome(
        held_to="2027-03-01T15:30:00Z", evaluator="李卫国",
        equipment_checks=[{"equipment_id": shield.id, "worked": True},
                          {"equipment_id": torch.id, "worked": False, "note": "电池失效"}]),
        201).get_json()
    [hazard_id] = body["hazard_ids"]
    assert body["equipment_checks"][1] == {"equipment_id": torch.id, "worked": False,
                                           "note": "电池失效", "hazard_id": hazard_id}
    assert "hazard_id" not in body["equipment_checks"][0]
    hazard = api.get(f"/hazards/{hazard_id}", as_=c).get_json()
    assert (hazard["severity"], hazard["source"], hazard["owner"], hazard["due_date"]) == (
        "medium", "drill", "李卫国", "2027-03-31")
    assert "强光手电" in hazard["description"]


def test_failed_equipment_without_an_evaluator_is_owned_by_the_recorder(api, world):
    torch = _shield(world, name="强光手电")
    activity = create(api, world.coordinator_a, world.unit_a)
    body = post(api, world.coordinator_a, activity["id"], outcome(
        evaluator="", equipment_checks=[{"equipment_id": torch.id, "worked": False}]),
        201).get_json()
    hazard = api.get(f"/hazards/{body['hazard_ids'][0]}", as_=world.coordinator_a).get_json()
    assert hazard["owner"] == "coordinator_a"


def test_a_finding_can_ask_for_the_plans_review(api, world):
    c = world.coordinator_a
    plan = make_plan(world)
    assert api.get(f"/plans/{plan.id}", as_=c).get_json()["review_requested"] is False
    activity = create(api, c, world.unit_a, plan_id=plan.id)
    post(api, c, activity["id"], outcome(findings=[
        {"description": "预案未写明夜间处置流程", "severity": "medium", "plan_review": True},
    ]), 201)
    assert api.get(f"/plans/{plan.id}", as_=c).get_json()["review_requested"] is True
    assert _count(Hazard) == 0   # no owner, no due date: no hazard


def test_plan_review_without_a_plan_is_422(api, world):
    activity = create(api, world.coordinator_a, world.unit_a)
    response = post(api, world.coordinator_a, activity["id"], outcome(findings=[
        {"description": "预案需修订", "severity": "low", "plan_review": True}]))
    assert "findings" in field_errors(response)
    assert _count(Outcome) == 0


INVALID = [   # (change, the field named)
    ({"held_to": "2027-03-01T09:00:00+08:00"}, "held_to"),
    ({"held_from": "2027-03-01T09:05:00"}, "held_from"),
    ({"held_to": None}, "held_to"),
    ({"objectives": [{"text": "报警", "result": "great"}]}, "objectives"),
    ({"objectives": [{"result": "met"}]}, "objectives"),
    ({"response_times": {"lockdown": -5}}, "response_times"),
    ({"response_times": {"": 5}}, "response_times"),
    ({"findings": [{"description": "x", "severity": "huge"}]}, "findings"),
    ({"findings": [{"description": "x", "severity": "low", "due_date": "2027-02-30"}]},
     "findings"),
    ({"equipment_checks": [{"equipment_id": 987654, "worked": False}]}, "equipment_checks"),
    ({"equipment_checks": [{"equipment_id": 1}]}, "equipment_checks"),
    ({"attendee_ids": [987654]}, "attendee_ids"),
    ({"attendee_ids": [1, 1]}, "attendee_ids"),
    ({"participants_count": -1}, "participants_count"),
    ({"hazard_ids": [1]}, "hazard_ids"),
]


def test_invalid_outcomes_are_422(api, world):
    """One activity for all the cases; every one not refused is reported."""
    activity = create(api, world.coordinator_a, world.unit_a)
    wrong = []
    for change, field in INVALID:
        response = post(api, world.coordinator_a, activity["id"], outcome(**change))
        if response.status_code != 422 or field not in response.get_json()["errors"]["json"]:
            wrong.append(f"{change}: {response.status_code} {response.get_json()}")
    assert not wrong, "\n".join(wrong)
    assert _count(Outcome) == 0 and _count(Hazard) == 0
    assert api.get(f"/activities/{activity['id']}", as_=world.coordinator_a).get_json()[
        "status"] == "scheduled"


def test_attendees_and_equipment_must_be_of_the_unit(api, world, make):
    c = world.coordinator_a
    shield_b = _shield(world, unit=world.unit_b, coordinator=world.coordinator_b)
    activity = create(api, c, world.unit_a)
    assert "attendee_ids" in field_errors(post(api, c, activity["id"], outcome(
        attendee_ids=[world.person_a.id, world.person_b.id])))
    assert "equipment_checks" in field_errors(post(api, c, activity["id"], outcome(
        equipment_checks=[{"equipment_id": shield_b.id, "worked": False}])))
    assert _count(Outcome) == 0 and _count(Hazard) == 0
    # a count above the attendees is fine (visitors, students); below is not
    other = make.person(world.unit_a, name="周八")
    assert "participants_count" in field_errors(post(api, c, activity["id"], outcome(
        attendee_ids=[world.person_a.id, other.id], participants_count=1)))
    body = post(api, c, activity["id"], outcome(attendee_ids=[world.person_a.id, other.id],
                                                participants_count=120), 201).get_json()
    assert body["participants_count"] == 120


def test_only_the_coordinator_records_outcomes(api, world):
    activity = create(api, world.coordinator_a, world.unit_a)
    for user in (world.staff_a, world.police_a, world.supervisor_a, world.admin):
        assert post(api, user, activity["id"], outcome()).status_code == 403
    assert post(api, world.coordinator_b, activity["id"], outcome()).status_code == 404
    assert _count(Outcome) == 0


def test_staff_see_an_unannounced_drill_whole_once_its_outcome_exists(api, world):
    c = world.coordinator_a
    secret = create(api, c, world.unit_a, title="夜间突击反恐演练", unannounced=True,
                    key_part_id=world.key_part_a.id, description="模拟持刀人员翻越东墙",
                    participant_ids=[world.person_a.id], location="东墙")
    path = f"/activities/{secret['id']}"
    masked = api.get(path, as_=world.staff_a, headers={"Accept-Language": "en"}).get_json()
    assert masked["title"] == "Busy (unannounced)"
    assert (masked["scenario"], masked["format"], masked["location"], masked["description"],
            masked["key_part_id"], masked["participant_ids"], masked["plan_id"]) == (
        None, None, "", "", None, [], None)
    assert (masked["starts_at"], masked["ends_at"]) == (secret["starts_at"],
                                                       secret["ends_at"])
    listed = api.get(f"/units/{world.unit_a.id}/activities", as_=world.staff_a).get_json()
    assert "夜间突击反恐演练" not in str(listed) and "东墙" not in str(listed)
    assert api.get(path, as_=c).get_json() == secret
    post(api, c, secret["id"], outcome(), 201)
    whole = api.get(path, as_=world.staff_a).get_json()
    assert (whole["title"], whole["location"], whole["description"], whole["scenario"]) == (
        "夜间突击反恐演练", "东墙", "模拟持刀人员翻越东墙", "terror_attack")
    assert whole["participant_ids"] == [world.person_a.id]


def test_a_masked_drill_leaks_no_text_of_its_own(api, world):
    """Nothing the coordinator wrote about an unannounced drill reaches staff before it is
    held: not even the reason an occurrence was cancelled."""
    c = world.coordinator_a
    secret = create(api, c, world.unit_a, title="夜间突击反恐演练", unannounced=True,
                    location="东墙", description="模拟持刀人员翻越东墙", **WEEKLY)
    api.post(f"/activities/{secret['id']}/cancel", as_=c, json={
        "reason": "突击反恐演练改到下周", "occurrence": "2027-03-08T09:00:00+08:00"})
    seen = api.get(f"/activities/{secret['id']}", as_=world.staff_a).get_data(as_text=True)
    for text in ("夜间突击反恐演练", "东墙", "翻越", "突击反恐演练改到下周", "terror_attack"):
        assert text not in seen, text
    seen = api.get(f"/units/{world.unit_a.id}/activities", as_=world.staff_a).get_data(
        as_text=True)
    assert "突击反恐演练改到下周" not in seen


def test_an_equipment_check_without_its_item_is_422_not_500(api, world):
    """Found by schemathesis: the each-item-once check read a field the item lacked."""
    c, unit = world.coordinator_a, world.unit_a
    activity = create(api, c, unit)
    response = post(api, c, activity["id"], outcome(
        equipment_checks=[{"note": "", "worked": False}]))
    assert response.status_code == 422
    assert "equipment_checks" in response.get_json()["errors"]["json"]
