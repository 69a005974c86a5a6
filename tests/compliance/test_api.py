"""Compliance through the API (API.md "Compliance"): a unit's items as of a day, the overview
of the units in scope with its filters and pages, the rule intervals an admin sets, and the
overview's fixed number of statements whatever the number of units."""
import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import selectinload

from anbao.audit.models import AuditEvent
from anbao.extensions import db
from compliance import service
from compliance.models import RuleSetting
from drills.models import TOPICS, Activity, Outcome
from equipment.models import Equipment
from hazards.models import Hazard
from plans.models import LEVELS, SCENARIOS, Plan
from tests.compliance.test_rules import at, hazard
from tests.conftest import count_queries
from units.models import Person, Unit
from units.service import today_in

DEFAULTS = {"PLAN-REVIEW": 36, "DRILL-PLAN": 12, "TRAIN-AWARENESS": 12, "TRAIN-SKILLS": 12,
            "TRAIN-NATSEC": 12, "TRAIN-ANTITERROR": 12}
ITEM_KEYS = {"rule", "title", "clause", "status", "due_date", "subject", "detail"}
ROW_KEYS = {"unit_id", "unit_name", "status", "overdue", "due_soon", "missing"}


def compliance(api, user, unit, as_of=None, expect=200):
    query = f"?as_of={as_of}" if as_of else ""
    response = api.get(f"/units/{unit.id}/compliance{query}", as_=user)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def of_rule(body, rule, subject=None):
    found = [i for i in body["items"] if i["rule"] == rule
             and (subject is None or i["subject"] == subject)]
    assert len(found) == 1, found
    return found[0]


def rows(api, user, query="", expect=200):
    response = api.get(f"/compliance{query}", as_=user)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def query_errors(response) -> dict:
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["code"] == 422
    return body["errors"]["query"]


# One unit

def test_a_units_items_as_of_a_day(api, world):
    response = api.get(f"/units/{world.unit_a.id}/compliance?as_of=2027-01-15",
                       as_=world.coordinator_a)
    assert response.status_code == 200, response.get_json()
    assert b"\\u" not in response.data   # Chinese as is
    body = response.get_json()
    assert {"as_of", "status", "items"} <= set(body)
    assert body["as_of"] == "2027-01-15"
    for item in body["items"]:
        assert set(item) == ITEM_KEYS, item
        assert item["title"] and item["clause"] and item["detail"]
    # a key security unit (a school) without plans: five PLAN-SET items, each missing
    plan_set = [i for i in body["items"] if i["rule"] == "PLAN-SET"]
    assert [(i["subject"], i["status"], i["due_date"]) for i in plan_set] == [
        (s, "missing", None) for s in SCENARIOS]
    assert body["status"] == "non_compliant"
    assert {i["rule"] for i in body["items"]} == {
        "PLAN-SET", "TRAIN-AWARENESS", "TRAIN-SKILLS", "TRAIN-NATSEC", "EQUIPMENT", "HAZARD",
        "STAFFING", "REPORT"}
    # registered today: the trainings are due in 12 months
    registered = world.unit_a.registered_on
    natsec = of_rule(body, "TRAIN-NATSEC")
    assert (natsec["due_date"], natsec["status"], natsec["subject"]) == (
        str(registered + relativedelta(months=12)), "ok", None)
    # every role that reads it reads the same
    for user in (world.admin, world.police_a, world.supervisor_a):
        assert api.get(f"/units/{world.unit_a.id}/compliance?as_of=2027-01-15",
                       as_=user).get_json() == body


def test_as_of_defaults_to_today_in_the_units_zone(api, world):
    body = compliance(api, world.police_b, world.unit_b)
    assert body["as_of"] == str(today_in(world.unit_b))
    assert of_rule(body, "TRAIN-ANTITERROR")["status"] == "ok"


def test_an_invalid_as_of_is_422(api, world, subtests):
    for value in ("2027-02-30", "2027-13-01", "soon", "15/01/2027", "2027-01-15T00:00:00Z"):
        with subtests.test(msg=value):
            errors = query_errors(api.get(f"/units/{world.unit_a.id}/compliance?as_of={value}",
                                          as_=world.coordinator_a))
            assert list(errors) == ["as_of"]
            errors = query_errors(api.get(f"/compliance?as_of={value}", as_=world.admin))
            assert list(errors) == ["as_of"]


def test_staff_may_not_read_it_and_other_units_do_not_exist(api, world):
    unit_a, unit_b = world.unit_a.id, world.unit_b.id
    assert api.get(f"/units/{unit_a}/compliance", as_=world.staff_a).status_code == 403
    for user, unit_id in ((world.staff_a, unit_b), (world.coordinator_a, unit_b),
                          (world.police_b, unit_a), (world.supervisor_a, world.other_unit_a.id),
                          (world.coordinator_b, unit_a)):
        response = api.get(f"/units/{unit_id}/compliance", as_=user)
        missing = api.get("/units/987654/compliance", as_=user)
        assert response.status_code == missing.status_code == 404, (user.username, unit_id)
        assert response.get_json()["message"] == missing.get_json()["message"]
    assert api.get(f"/units/{unit_a}/compliance").status_code == 401


def test_a_drill_finding_asking_for_review_shows_through_the_api(api, world):
    """Plan approved and drilled through the API; the finding that asks for the plan's review
    makes PLAN-REVIEW due within 30 days, the finding with an owner a hazard."""
    c, unit = world.coordinator_a, world.unit_a
    today = today_in(unit)
    created = api.post(f"/units/{unit.id}/plans", as_=c, json={
        "scenario": "accident", "level": "onsite", "title": "防事故现场处置方案"})
    assert created.status_code == 201, created.get_json()
    plan_id = created.get_json()["id"]
    approved = api.post(f"/plans/{plan_id}/approve", as_=c, json={"approved_by": "陈校长"})
    assert approved.status_code == 200, approved.get_json()
    before = of_rule(compliance(api, c, unit), "PLAN-REVIEW")
    assert (before["subject"], before["due_date"], before["status"]) == (
        str(plan_id), approved.get_json()["review_due"], "ok")
    assert before["due_date"] == str(today + relativedelta(months=36))
    never = of_rule(compliance(api, c, unit), "DRILL-PLAN", "accident")
    assert never["due_date"] == str(today + relativedelta(months=6))   # onsite, never drilled

    day = today - timedelta(days=1)
    drill = api.post(f"/units/{unit.id}/activities", as_=c, json={
        "kind": "drill", "title": "防事故演练", "scenario": "accident", "format": "functional",
        "plan_id": plan_id, "starts_at": f"{day}T09:00:00+08:00",
        "ends_at": f"{day}T10:00:00+08:00", "location": "实验楼"})
    assert drill.status_code == 201, drill.get_json()
    outcome = api.post(f"/activities/{drill.get_json()['id']}/outcomes", as_=c, json={
        "held_from": f"{day}T09:05:00+08:00", "held_to": f"{day}T09:55:00+08:00",
        "evaluator": "李卫国", "findings": [
            {"description": "预案未写明疏散路线", "severity": "medium", "plan_review": True},
            {"description": "实验楼消防通道堵塞", "severity": "high", "owner": "王五",
             "due_date": str(today + timedelta(days=7))}]})
    assert outcome.status_code == 201, outcome.get_json()

    body = compliance(api, c, unit)
    review = of_rule(body, "PLAN-REVIEW")
    assert (review["subject"], review["due_date"], review["status"]) == (
        str(plan_id), str(today + timedelta(days=30)), "due_soon")
    drilled = of_rule(body, "DRILL-PLAN", "accident")
    assert (drilled["due_date"], drilled["status"]) == (
        str(day + relativedelta(months=6)), "ok")
    found = of_rule(body, "HAZARD")
    assert (found["due_date"], found["status"]) == (str(today + timedelta(days=7)),
                                                    "due_soon")
    later = compliance(api, c, unit, today + timedelta(days=31))
    assert of_rule(later, "PLAN-REVIEW")["status"] == "overdue"
    assert of_rule(later, "HAZARD")["status"] == "overdue"


# Rule intervals

def _audit_events():
    db.session.rollback()
    return db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.entity == "rule_settings").order_by(AuditEvent.id)).all()


def test_every_reader_gets_the_intervals_staff_excepted(api, world):
    for user in (world.admin, world.police_a, world.supervisor_a, world.coordinator_a):
        response = api.get("/compliance/settings", as_=user)
        assert response.status_code == 200 and response.get_json() == DEFAULTS
    assert api.get("/compliance/settings", as_=world.staff_a).status_code == 403


def test_an_admin_changes_an_interval_and_the_audit_log_keeps_it(api, world):
    changed = api.patch("/compliance/settings", as_=world.admin, json={"DRILL-PLAN": 6})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json() == {**DEFAULTS, "DRILL-PLAN": 6}
    assert api.get("/compliance/settings", as_=world.police_a).get_json() == changed.get_json()
    [event] = _audit_events()
    assert (event.action, event.username, event.user_id) == ("update", "admin", world.admin.id)
    assert event.changes == {"before": {"DRILL-PLAN": 12}, "after": {"DRILL-PLAN": 6}}
    # again: the setting is changed in place, another event written
    again = api.patch("/compliance/settings", as_=world.admin,
                      json={"DRILL-PLAN": 9, "TRAIN-NATSEC": 120, "PLAN-REVIEW": 1})
    assert again.status_code == 200, again.get_json()
    assert again.get_json() == {**DEFAULTS, "DRILL-PLAN": 9, "TRAIN-NATSEC": 120,
                                "PLAN-REVIEW": 1}
    events = _audit_events()
    assert len(events) == 2
    assert events[1].changes == {
        "before": {"DRILL-PLAN": 6, "TRAIN-NATSEC": 12, "PLAN-REVIEW": 36},
        "after": {"DRILL-PLAN": 9, "TRAIN-NATSEC": 120, "PLAN-REVIEW": 1}}
    settings = db.session.scalars(sa.select(RuleSetting).order_by(RuleSetting.rule)).all()
    assert [(s.rule, s.months, s.updated_by) for s in settings] == [
        ("DRILL-PLAN", 9, "admin"), ("PLAN-REVIEW", 1, "admin"), ("TRAIN-NATSEC", 120, "admin")]


def test_only_an_admin_changes_intervals(api, world):
    for user in (world.police_a, world.supervisor_a, world.coordinator_a, world.staff_a):
        response = api.patch("/compliance/settings", as_=user, json={"DRILL-PLAN": 6})
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["code"] == 403
    assert _audit_events() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RuleSetting)) == 0
    assert service.months() == DEFAULTS


INVALID_INTERVALS = [   # (body, the field named)
    ({}, "_schema"),
    ({"PLAN-SET": 12}, "PLAN-SET"),           # not a periodic rule: no interval to change
    ({"EQUIPMENT": 12}, "EQUIPMENT"),
    ({"REPORT": 3}, "REPORT"),
    ({"DRILL_PLAN": 6}, "DRILL_PLAN"),
    ({"DRILL-PLAN": 0}, "DRILL-PLAN"),
    ({"DRILL-PLAN": 121}, "DRILL-PLAN"),
    ({"DRILL-PLAN": -6}, "DRILL-PLAN"),
    ({"DRILL-PLAN": "12"}, "DRILL-PLAN"),
    ({"DRILL-PLAN": "twelve"}, "DRILL-PLAN"),
    ({"DRILL-PLAN": 6.5}, "DRILL-PLAN"),
    ({"DRILL-PLAN": True}, "DRILL-PLAN"),
    ({"DRILL-PLAN": None}, "DRILL-PLAN"),
    ({"DRILL-PLAN": 6, "TRAIN-NATSEC": 0}, "TRAIN-NATSEC"),   # nothing half-applied
]


def test_invalid_intervals_are_422(api, world, subtests):
    for body, field in INVALID_INTERVALS:
        with subtests.test(msg=json.dumps(body, ensure_ascii=False)):
            response = api.patch("/compliance/settings", as_=world.admin, json=body)
            assert response.status_code == 422, response.get_json()
            assert response.get_json()["code"] == 422
            errors = response.get_json()["errors"]["json"]
            assert field in errors, errors
    assert _audit_events() == []
    assert service.months() == DEFAULTS


def test_a_body_that_is_not_an_object_is_refused(api, world):
    for body in ([], [{"DRILL-PLAN": 6}], 6, "DRILL-PLAN"):
        response = api.patch("/compliance/settings", as_=world.admin, json=body)
        assert response.status_code == 422, response.get_json()
        assert list(response.get_json()["errors"]["json"]) == ["_schema"]
    malformed = api.patch("/compliance/settings", as_=world.admin, data='{"DRILL-PLAN": ',
                          content_type="application/json")
    assert malformed.status_code == 400 and malformed.get_json()["code"] == 400
    assert service.months() == DEFAULTS


def test_the_engine_uses_the_changed_intervals(api, world):
    c, unit = world.coordinator_a, world.unit_a
    created = api.post(f"/units/{unit.id}/plans", as_=c, json={
        "scenario": "sabotage", "level": "special", "title": "防破坏专项预案"})
    plan_id = created.get_json()["id"]
    api.post(f"/plans/{plan_id}/approve", as_=c, json={"approved_by": "陈校长"})
    today, registered = today_in(unit), unit.registered_on
    as_of = str(today + timedelta(days=1))
    before = compliance(api, c, unit, as_of)
    assert of_rule(before, "DRILL-PLAN", "sabotage")["due_date"] == str(
        today + relativedelta(months=12))
    assert api.patch("/compliance/settings", as_=world.admin, json={
        "DRILL-PLAN": 3, "TRAIN-SKILLS": 24, "PLAN-REVIEW": 1}).status_code == 200
    after = compliance(api, c, unit, as_of)
    assert of_rule(after, "DRILL-PLAN", "sabotage")["due_date"] == str(
        today + relativedelta(months=3))
    assert of_rule(after, "TRAIN-SKILLS")["due_date"] == str(
        registered + relativedelta(months=24))
    review = of_rule(after, "PLAN-REVIEW")
    assert (review["due_date"], review["status"]) == (
        str(today + relativedelta(months=1)), "due_soon")
    # the others stay as they were
    assert of_rule(after, "TRAIN-AWARENESS") == of_rule(before, "TRAIN-AWARENESS")


# The overview

@pytest.fixture
def spread(world, make):
    """Two more units in station A1, registered today, staffed: one compliant, one needing
    attention (a hazard due in 10 days). The world's own units are all non-compliant."""
    found = {}
    for name in ("compliant", "attention"):
        unit = make.unit(world.station_a, name=f"{name}单位", headcount=50)
        make.person(unit, name="甲", role="security_part_time")
        make.person(unit, name="乙", role="security_full_time")
        found[name] = unit
    hazard(found["attention"], today_in(found["attention"]) + timedelta(days=10))
    return found


def test_one_row_per_unit_counting_its_items(api, world, spread):
    listed = rows(api, world.admin, "?page_size=500")
    ids = [world.unit_a.id, world.other_unit_a.id, world.unit_b.id, spread["compliant"].id,
           spread["attention"].id]
    assert [row["unit_id"] for row in listed] == ids
    for row in listed:
        assert ROW_KEYS <= set(row), row
        unit = db.session.get(Unit, row["unit_id"])
        assert row["unit_name"] == unit.name
        items = compliance(api, world.admin, unit)
        assert row["status"] == items["status"]
        for status in ("overdue", "due_soon", "missing"):
            assert row[status] == sum(i["status"] == status for i in items["items"]), (
                row, status)
    by_id = {row["unit_id"]: row for row in listed}
    assert by_id[spread["compliant"].id]["status"] == "compliant"
    assert (by_id[spread["attention"].id]["status"], by_id[spread["attention"].id]["due_soon"]) \
        == ("attention", 1)
    assert by_id[world.unit_a.id]["missing"] == 5


def test_rows_as_of_a_day(api, world, spread):
    far = str(today_in(world.unit_a) + relativedelta(years=2))
    listed = rows(api, world.police_a, f"?as_of={far}")
    by_id = {row["unit_id"]: row for row in listed}
    # two years on, the trainings never held are overdue, the hazard too
    assert by_id[spread["compliant"].id]["status"] == "non_compliant"
    assert by_id[spread["attention"].id]["overdue"] == 2   # TRAIN-NATSEC, HAZARD


def test_the_status_filter(api, world, spread):
    for status, expected in (
            ("compliant", [spread["compliant"].id]), ("attention", [spread["attention"].id]),
            ("non_compliant", [world.unit_a.id, world.other_unit_a.id])):
        listed = rows(api, world.police_a, f"?status={status}")
        assert [row["unit_id"] for row in listed] == expected, status
        assert {row["status"] for row in listed} == {status}
    assert [row["unit_id"] for row in rows(api, world.police_b, "?status=compliant")] == []


def test_an_unknown_status_is_422(api, world):
    assert list(query_errors(api.get("/compliance?status=bad", as_=world.admin))) == ["status"]


def test_the_jurisdiction_filter_stays_in_scope(api, world, spread):
    a, b = world.unit_a.id, world.unit_b.id
    extra = [spread["compliant"].id, spread["attention"].id]

    def ids(user, jurisdiction):
        return [row["unit_id"] for row in rows(api, user, f"?jurisdiction_id={jurisdiction.id}")]
    assert ids(world.admin, world.district_b) == [b]
    assert ids(world.admin, world.city) == [a, world.other_unit_a.id, b, *extra]
    assert ids(world.police_a, world.station_a) == [a, *extra]
    assert ids(world.police_a, world.district_a) == [a, world.other_unit_a.id, *extra]
    assert ids(world.supervisor_a, world.station_a) == [a]
    assert ids(world.police_b, world.district_b) == [b]
    # a jurisdiction the caller does not oversee, or none at all: 422 on the field
    for user, jurisdiction_id in ((world.police_a, world.district_b.id),
                                  (world.police_a, world.city.id),
                                  (world.supervisor_a, world.district_b.id),
                                  (world.police_b, world.station_a.id),
                                  (world.police_a, 987654), (world.admin, 987654)):
        errors = query_errors(api.get(f"/compliance?jurisdiction_id={jurisdiction_id}",
                                      as_=user))
        assert list(errors) == ["jurisdiction_id"], (user.username, jurisdiction_id)
    for value in ("abc", "0", "-1", str(2**40)):
        errors = query_errors(api.get(f"/compliance?jurisdiction_id={value}", as_=world.admin))
        assert list(errors) == ["jurisdiction_id"]


def test_pages(api, world, spread):
    first = api.get("/compliance?page_size=2", as_=world.admin)
    assert first.status_code == 200
    assert json.loads(first.headers["X-Pagination"])["total"] == 5
    meta = json.loads(first.headers["X-Pagination"])
    assert (meta["total"], meta["total_pages"], meta["page"]) == (5, 3, 1)
    ids = [row["unit_id"] for row in first.get_json()]
    for page in (2, 3):
        response = api.get(f"/compliance?page_size=2&page={page}", as_=world.admin)
        assert json.loads(response.headers["X-Pagination"])["page"] == page
        ids += [row["unit_id"] for row in response.get_json()]
    assert ids == [row["unit_id"] for row in rows(api, world.admin)]
    assert len(ids) == 5
    past = api.get("/compliance?page_size=2&page=4", as_=world.admin)
    assert past.status_code == 200 and past.get_json() == []
    assert json.loads(past.headers["X-Pagination"])["total"] == 5
    # the status filter pages over the filtered rows
    filtered = api.get("/compliance?status=non_compliant&page_size=1", as_=world.admin)
    assert json.loads(filtered.headers["X-Pagination"])["total"] == 3
    for query in ("page_size=501", "page_size=0", "page=0"):
        assert api.get(f"/compliance?{query}", as_=world.admin).status_code == 422


def test_staff_and_coordinators_get_no_overview(api, world):
    for user in (world.staff_a, world.coordinator_a, world.coordinator_b):
        response = api.get("/compliance", as_=user)
        assert response.status_code == 403 and response.get_json()["code"] == 403
        assert api.get(f"/compliance?jurisdiction_id={world.station_a.id}",
                       as_=user).status_code == 403
    assert api.get("/compliance").status_code == 401


# A fixed number of statements

AS_OF = date(2026, 6, 15)


def _units(make, jurisdiction, first: int, count: int) -> list[Unit]:
    """Units cheaply (schools with a campus, hospitals, key units among them), and for each a
    plan, a drill and a training held, equipment, a hazard and a person, as rows."""
    made = []
    for n in range(first, first + count):
        fields = {"key_security_unit": n % 3 == 0, "key_target": n % 4 == 0}
        if n % 5 == 0:
            fields.update(category="school", campuses=[
                {"name": "主校区", "population": 600 + n,
                 "boarding_students": 100 if n % 10 == 0 else 0}])
        elif n % 5 == 1:
            fields.update(category="hospital", hospital={
                "medical_staff": 50 + n, "beds": 100, "daily_outpatients": 800})
        made.append(make.unit(jurisdiction, name=f"单位{n}", headcount=100 + 7 * n, **fields))
    rows = []
    for n, unit in enumerate(made, first):
        scenario, approved = SCENARIOS[n % 5], AS_OF - timedelta(days=200 + 3 * n)
        requested = n % 4 == 0
        rows.append(Plan(unit_id=unit.id, scenario=scenario, level=LEVELS[n % 3], version=1,
                         status="approved", title="应急预案", approved_by="陈",
                         approved_at=at(approved),
                         review_due=approved + relativedelta(months=36),
                         review_requested=requested,
                         review_requested_at=at(AS_OF - timedelta(days=n % 40))
                         if requested else None))
        for kind, extra in (("drill", {"scenario": scenario, "format": "tabletop"}),
                            ("training", {"topic": TOPICS[n % 4]})):
            start = at(AS_OF - timedelta(days=(n * 11) % 400))
            activity = Activity(unit_id=unit.id, uid=f"bulk-{unit.id}-{kind}", kind=kind,
                                title=kind, starts_at=start, ends_at=start + timedelta(hours=1),
                                status="completed", sequence=1, **extra)
            rows += [activity, Outcome(activity=activity, unit_id=unit.id, occurrence_key="",
                                       held_from=start, held_to=start + timedelta(hours=1))]
        rows.append(Equipment(unit_id=unit.id, category="fire", name="灭火器",
                              quantity=n % 3, required_quantity=1,
                              expires_on=AS_OF + timedelta(days=n % 70),
                              next_inspection_on=AS_OF + timedelta(days=(n * 7) % 90 - 5)))
        rows.append(Hazard(unit_id=unit.id, description="隐患", severity="low", source="other",
                           owner="王五", due_date=AS_OF + timedelta(days=n % 50 - 10),
                           status="open" if n % 3 else "rectified"))
        role = ("security_full_time", "security_part_time", "guard", "staff")[n % 4]
        rows.append(Person(unit_id=unit.id, name="张三", role=role,
                           guard_certificate_no="粤保0001" if role == "guard" else None,
                           campus_id=unit.campuses[0].id if unit.campuses else None,
                           left_on=AS_OF - timedelta(days=1) if n % 7 == 0 else None))
        rows.append(Person(unit_id=unit.id, name="李四", role="security_part_time"))
    db.session.add_all(rows)
    db.session.commit()
    return made


def test_the_overview_takes_the_same_statements_for_10_units_as_for_200(api, make):
    city = make.jurisdiction("广州市公安局", "GZ")
    district = make.jurisdiction("天河区分局", "TH", city)
    users = (make.user("admin", "admin"),
             make.user("police", "police", jurisdiction_id=city.id),
             make.user("supervisor", "supervisor", jurisdiction_id=district.id,
                       sectors=["school", "hospital", "enterprise"]))
    counted = {}

    def statements(user, path):
        headers = api.headers(user)
        api.get(path, headers=headers)   # once before, so that only the request is counted
        db.session.expire_all()
        with count_queries() as n:
            response = api.get(path, headers=headers)
        assert response.status_code == 200, response.get_json()
        return n(), response.get_json()

    def engine(as_of):
        db.session.expire_all()
        with count_queries() as n:
            units = db.session.scalars(sa.select(Unit).options(selectinload(Unit.campuses))
                                       .order_by(Unit.id)).all()
            results = service.evaluate(units, as_of)
        return n(), results

    for first, count, total in ((0, 10, 10), (10, 190, 200)):
        _units(make, district, first, count)
        for user in users:
            for path in (f"/compliance?as_of={AS_OF}&page_size=500",
                         "/compliance?status=non_compliant&page_size=5"):
                n, body = statements(user, path)
                counted.setdefault((user.role, path), []).append(n)
                if "as_of" in path:
                    assert len(body) == total
        for as_of in (AS_OF, None):
            n, results = engine(as_of)
            counted.setdefault(("engine", as_of), []).append(n)
            assert len(results) == total
        # every kind of item was there to be computed
        found = {(i.rule, i.status) for r in results for i in r.items}
        assert {("PLAN-SET", "missing"), ("PLAN-REVIEW", "ok"), ("EQUIPMENT", "non_compliant"),
                ("HAZARD", "overdue"), ("STAFFING", "ok"), ("STAFFING", "non_compliant"),
                } <= found, found
        assert {rule for rule, _status in found} >= {
            "DRILL-PLAN", "TRAIN-AWARENESS", "TRAIN-SKILLS", "TRAIN-NATSEC",
            "TRAIN-ANTITERROR"}
    for key, (few, many) in counted.items():
        assert few == many, (key, counted)
    # the engine: the units with their campuses, the intervals, plans, drills and trainings
    # held, equipment, hazards, people, reports
    assert counted[("engine", AS_OF)][0] <= 9, counted
