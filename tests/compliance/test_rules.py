"""The compliance engine (DESIGN.md §3 "Compliance obligations"): who each rule applies to, its
due date and its status as of a day, each at its boundaries.

Status as of D: `overdue` when the due date is before D, `due_soon` when D ≤ due ≤ D + 30,
else `ok`; months are calendar months (relativedelta). The helpers at the top are shared by
the other compliance test modules."""
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from anbao.extensions import db
from anbao.system import stand_in
from compliance import rules, service
from drills import outcomes as drill_outcomes
from drills import service as drills
from equipment import service as equipment
from hazards import service as hazards
from plans import service as plans
from plans.models import SCENARIOS, Plan
from units import service as units

ZONE = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
REGISTERED = date(2025, 1, 10)
D = date(2026, 3, 10)   # a due date to look at from either side
A = date(2026, 6, 15)   # an as_of day for the rules that are not periodic
# (days from as_of to the due date, status)
BOUNDARIES = ((31, "ok"), (30, "due_soon"), (0, "due_soon"), (-1, "overdue"))
KSU = {"key_security_unit": True}
TARGET = {"key_target": True}
BOTH = {**KSU, **TARGET}


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An instant of that day in Shanghai, the units' zone."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def actor(unit=None, role: str = "coordinator"):
    return stand_in(role, unit=unit)


@pytest.fixture
def city(make):
    return make.jurisdiction("广州市公安局", "GZ")


@pytest.fixture
def new_unit(make, city):
    """A unit registered on a given day (key units: key since then, unless given)."""
    def build(registered_on: date = REGISTERED, jurisdiction=None, **fields):
        unit = make.unit(jurisdiction or city, **fields)
        unit.registered_on = registered_on
        if unit.key_since is not None and "key_since" not in fields:
            unit.key_since = registered_on
        db.session.commit()
        return unit
    return build


def approve(unit, scenario: str = "terror_attack", on: date = date(2025, 3, 10),
            level: str = "comprehensive", hour: int = 10) -> Plan:
    """The scenario's plan of that level approved on `on` at `hour` in Shanghai: version 1,
    or a new version that supersedes the one approved before."""
    who = actor(unit)
    current = db.session.scalar(sa.select(Plan).where(
        Plan.unit_id == unit.id, Plan.scenario == scenario, Plan.level == level,
        Plan.status == "approved"))
    if current is None:
        plan = plans.create_plan(who, unit, {"scenario": scenario, "level": level,
                                             "title": "应急预案"}, "zh_CN")
    else:
        plan, _new = plans.update_plan(who, current, {"title": f"应急预案 第{current.version + 1}版"})
    plans.approve_plan(who, plan, "陈校长")
    plan.approved_at = at(on, hour)
    plan.review_due = on + relativedelta(months=36)
    db.session.commit()
    return plan


def activity(unit, on: date, scenario: str | None = None, topic: str | None = None,
             plan: Plan | None = None, hour: int = 10):
    """A drill (with a scenario) or a training (with a topic) scheduled on that day."""
    start = at(on, hour)
    data = {"kind": "drill" if scenario else "training", "title": "演练" if scenario else "培训",
            "starts_at": start, "ends_at": start + timedelta(hours=1), "location": "操场"}
    if scenario:
        data.update(scenario=scenario, format="tabletop", plan_id=plan.id if plan else None)
    else:
        data["topic"] = topic
    found = drills.create_activity(actor(unit), unit, data)
    db.session.commit()
    return found


def held(unit, on: date, scenario: str | None = None, topic: str | None = None,
         plan: Plan | None = None, hour: int = 10):
    """A drill or training held on that day: scheduled, then its outcome recorded."""
    found = activity(unit, on, scenario, topic, plan, hour)
    start = at(on, hour)
    drill_outcomes.record(actor(unit), found, {"held_from": start,
                                               "held_to": start + timedelta(hours=1),
                                               "evaluator": "李卫国"})
    db.session.commit()
    return found


def hazard(unit, due: date, status: str = "open", escalate: bool = False):
    who = actor(unit)
    found = hazards.create_hazard(who, unit, {
        "description": "东门围栏破损", "severity": "medium", "source": "self_inspection",
        "owner": "王五", "due_date": due})
    if escalate:
        hazards.escalate(who, found, "police", "需要警力支援")
    if status in ("rectified", "closed"):
        hazards.rectify(who, found, "已修复", [])
    if status == "closed":
        hazards.verify(who, found, True, "复查合格")
    # found (and put right) long before the days the tests look at
    found.created_at = at(date(2024, 1, 2))
    if found.rectified_at is not None:
        found.rectified_at = at(date(2024, 1, 3))
    db.session.commit()
    return found


def gear(unit, name: str = "灭火器", quantity: int = 5, **fields):
    found = equipment.create_equipment(actor(unit), unit, {
        "category": "fire", "name": name, "quantity": quantity, **fields})
    db.session.commit()
    return found


def result(unit, as_of: date | None) -> service.Result:
    return service.evaluate([unit], as_of)[0]


def items(unit, as_of: date, rule: str) -> dict:
    """The unit's items of one rule by subject."""
    return {i.subject: i for i in result(unit, as_of).items if i.rule == rule}


def item(unit, as_of: date, rule: str, subject: str | None = None) -> service.Item:
    found = [i for i in result(unit, as_of).items
             if i.rule == rule and (subject is None or i.subject == subject)]
    assert len(found) == 1, found
    return found[0]


# Who each rule applies to

EVERY_UNIT = {"TRAIN-NATSEC", "EQUIPMENT", "HAZARD", "STAFFING"}
KEY_ONLY = {
    "neither": ({}, set()),
    "key security unit": (KSU, {"PLAN-SET", "TRAIN-AWARENESS", "TRAIN-SKILLS", "REPORT"}),
    "key target": (TARGET, {"PLAN-SET", "TRAIN-AWARENESS", "TRAIN-ANTITERROR", "REPORT"}),
    "both": (BOTH, {"PLAN-SET", "TRAIN-AWARENESS", "TRAIN-SKILLS", "TRAIN-ANTITERROR",
                    "REPORT"}),
}
# key since 2025-01-10, as of 2026-06-15: the half years from 2025-07-01, the quarters from
# 2025-04-01 (tests/reports/ test the REPORT rule itself)
REPORTS = {"neither": 0, "key security unit": 2, "key target": 5, "both": 5}


@pytest.mark.parametrize("kind", KEY_ONLY)
def test_who_each_rule_applies_to(new_unit, kind):
    flags, extra = KEY_ONLY[kind]
    unit = new_unit(**flags)
    found = result(unit, A).items
    assert {i.rule for i in found} == EVERY_UNIT | extra
    # key units: one PLAN-SET item per scenario; every other rule here one item
    counts = Counter(i.rule for i in found)
    assert counts.pop("PLAN-SET", 0) == (5 if flags else 0)
    assert counts.pop("REPORT", 0) == REPORTS[kind]
    assert set(counts.values()) == {1}
    assert [i.subject for i in found if i.rule == "PLAN-SET"] == (list(SCENARIOS) if flags
                                                                   else [])
    # one item each, about the unit as a whole
    assert {i.subject for i in found if i.rule not in ("PLAN-SET", "REPORT")} == {None}
    for i in found:
        assert i.title and i.clause and i.detail
        assert (i.title, i.clause) == (str(rules.RULES[i.rule].title), rules.RULES[i.rule].clause)
        assert i.status in rules.STATUSES


def test_a_unit_with_neither_flag_reviews_its_plans_but_owes_no_set_or_drills(new_unit):
    unit = new_unit()
    plan = approve(unit, "accident", date(2025, 3, 10))
    held(unit, date(2025, 4, 1), scenario="accident", plan=plan)
    found = {i.rule for i in result(unit, date(2026, 1, 1)).items}
    assert "PLAN-SET" not in found and "DRILL-PLAN" not in found
    review = item(unit, date(2026, 1, 1), "PLAN-REVIEW")
    assert (review.subject, review.due_date, review.status) == (
        str(plan.id), date(2028, 3, 10), "ok")


# PLAN-SET

def test_plan_set_asks_an_approved_plan_for_each_scenario(new_unit):
    unit = new_unit(**KSU)
    approve(unit, "theft_robbery", date(2025, 3, 10))
    approve(unit, "terror_attack", date(2025, 3, 10), level="onsite")
    plans.create_plan(actor(unit), unit, {"scenario": "accident", "level": "special",
                                          "title": "草稿"}, "zh_CN")  # a draft is no plan
    db.session.commit()
    as_of = date(2025, 6, 1)
    found = items(unit, as_of, "PLAN-SET")
    assert {s: i.status for s, i in found.items()} == {
        "theft_robbery": "ok", "sabotage": "missing", "accident": "missing",
        "terror_attack": "ok", "extreme_individual": "missing"}
    assert {i.due_date for i in found.values()} == {None}
    # drills are owed for the scenarios with an approved plan only
    assert set(items(unit, as_of, "DRILL-PLAN")) == {"theft_robbery", "terror_attack"}
    whole = result(unit, as_of)
    assert (whole.status, whole.count("missing")) == ("non_compliant", 3)
    for scenario in ("sabotage", "accident", "extreme_individual"):
        approve(unit, scenario, date(2025, 4, 1))
    assert {i.status for i in items(unit, as_of, "PLAN-SET").values()} == {"ok"}
    assert result(unit, as_of).count("missing") == 0


# PLAN-REVIEW

@pytest.mark.parametrize(("approved", "due"), [
    (date(2024, 1, 31), date(2027, 1, 31)),
    (date(2023, 8, 31), date(2026, 8, 31)),
    (date(2024, 2, 29), date(2027, 2, 28)),    # 2027 has no 29 February
    (date(2023, 12, 31), date(2026, 12, 31)),
])
def test_a_plan_is_due_for_review_36_calendar_months_after_its_approval(new_unit, approved,
                                                                        due):
    unit = new_unit(**TARGET)
    plan = approve(unit, "terror_attack", approved)
    assert due == approved + relativedelta(months=36)
    got = item(unit, approved + timedelta(days=1), "PLAN-REVIEW")
    assert (got.subject, got.due_date, got.status) == (str(plan.id), due, "ok")


def test_the_approval_day_is_the_day_in_the_units_zone(new_unit):
    unit = new_unit()
    # 07:00 on 1 February in Shanghai is 31 January in UTC
    plan = approve(unit, "accident", date(2024, 2, 1), hour=7)
    assert plan.approved_at.astimezone(UTC).date() == date(2024, 1, 31)
    assert item(unit, date(2024, 3, 1), "PLAN-REVIEW").due_date == date(2027, 2, 1)
    # on 31 January, in Shanghai, the plan was not approved yet
    assert items(unit, date(2024, 1, 31), "PLAN-REVIEW") == {}


def test_a_review_requested_by_a_drill_finding_is_due_within_30_days(new_unit):
    unit = new_unit(**KSU)
    plan = approve(unit, "theft_robbery", date(2026, 1, 10))
    # 23:30 on 1 June in Shanghai, 15:30 UTC
    plans.request_review(actor(unit), plan, at(date(2026, 6, 1), 23, 30))
    db.session.commit()
    before = item(unit, date(2026, 5, 31), "PLAN-REVIEW")
    assert (before.due_date, before.status) == (date(2029, 1, 10), "ok")
    for as_of, status in ((date(2026, 6, 1), "due_soon"), (date(2026, 7, 1), "due_soon"),
                          (date(2026, 7, 2), "overdue")):
        got = item(unit, as_of, "PLAN-REVIEW")
        assert (got.subject, got.due_date, got.status) == (str(plan.id), date(2026, 7, 1),
                                                           status), as_of
    # a revised version approved answers the request: 36 months from its approval
    revised = approve(unit, "theft_robbery", date(2026, 6, 20))
    got = item(unit, date(2026, 7, 2), "PLAN-REVIEW")
    assert (got.subject, got.due_date, got.status) == (str(revised.id), date(2029, 6, 20),
                                                       "ok")
    # until then the requested version was the one in force
    got = item(unit, date(2026, 6, 19), "PLAN-REVIEW")
    assert (got.subject, got.due_date, got.status) == (str(plan.id), date(2026, 7, 1),
                                                       "due_soon")


def test_a_requested_review_never_puts_off_the_36_months(new_unit):
    unit = new_unit()
    plan = approve(unit, "sabotage", date(2023, 3, 10))
    plans.request_review(actor(unit), plan, at(date(2026, 3, 1)))
    db.session.commit()
    assert item(unit, date(2026, 3, 2), "PLAN-REVIEW").due_date == date(2026, 3, 10)


# DRILL-PLAN

def test_a_scenario_never_drilled_is_due_12_months_after_its_plans_approval(new_unit):
    unit = new_unit(**KSU)
    approve(unit, "sabotage", date(2025, 3, 10), level="special")
    activity(unit, date(2025, 5, 1), scenario="sabotage")   # scheduled, never held
    held(unit, date(2025, 5, 2), topic="awareness")          # a training is no drill
    held(unit, date(2025, 5, 3), scenario="accident")        # another scenario
    got = item(unit, date(2025, 6, 1), "DRILL-PLAN", "sabotage")
    assert (got.due_date, got.status) == (date(2026, 3, 10), "ok")
    assert item(unit, date(2026, 3, 11), "DRILL-PLAN", "sabotage").status == "overdue"


def test_the_last_drill_of_the_scenario_starts_the_next_12_months(new_unit):
    unit = new_unit(**KSU)
    plan = approve(unit, "sabotage", date(2025, 3, 10), level="special")
    held(unit, date(2025, 6, 15), scenario="sabotage", plan=plan)
    held(unit, date(2025, 5, 1), scenario="sabotage")   # an earlier one, recorded later
    got = item(unit, date(2025, 12, 1), "DRILL-PLAN", "sabotage")
    assert (got.due_date, got.status) == (date(2026, 6, 15), "ok")
    # as of a day before a drill, that drill had not been held
    assert item(unit, date(2025, 6, 14), "DRILL-PLAN", "sabotage").due_date == date(2026, 5, 1)
    assert item(unit, date(2025, 4, 30), "DRILL-PLAN", "sabotage").due_date == date(2026, 3, 10)


def test_a_drill_held_before_the_plans_approval_counts(new_unit):
    unit = new_unit(**KSU, registered_on=date(2024, 1, 5))
    held(unit, date(2024, 12, 1), scenario="accident")
    approve(unit, "accident", date(2025, 3, 10))
    got = item(unit, date(2025, 4, 1), "DRILL-PLAN", "accident")
    assert (got.due_date, got.status) == (date(2025, 12, 1), "ok")
    assert item(unit, date(2025, 12, 2), "DRILL-PLAN", "accident").status == "overdue"


def test_an_onsite_plan_in_force_asks_for_a_drill_every_6_months(new_unit):
    unit = new_unit(**TARGET)
    special = approve(unit, "terror_attack", date(2025, 1, 20), level="special")
    held(unit, date(2025, 6, 15), scenario="terror_attack", plan=special)
    approve(unit, "terror_attack", date(2025, 8, 1), level="onsite")
    # before the onsite plan was approved: 12 months
    assert item(unit, date(2025, 7, 31), "DRILL-PLAN", "terror_attack").due_date == date(
        2026, 6, 15)
    # with it in force: the shortest interval of the levels, 6 months
    for as_of, status in ((date(2025, 8, 1), "ok"), (date(2025, 11, 14), "ok"),
                          (date(2025, 11, 15), "due_soon"), (date(2025, 12, 15), "due_soon"),
                          (date(2025, 12, 16), "overdue")):
        got = item(unit, as_of, "DRILL-PLAN", "terror_attack")
        assert (got.due_date, got.status) == (date(2025, 12, 15), status), as_of
    # an onsite plan of another scenario leaves this one at 12 months
    approve(unit, "accident", date(2025, 1, 20), level="special")
    approve(unit, "sabotage", date(2025, 1, 20), level="onsite")
    held(unit, date(2025, 6, 15), scenario="accident")
    assert item(unit, date(2025, 8, 1), "DRILL-PLAN", "accident").due_date == date(2026, 6, 15)


def test_an_onsite_plan_never_drilled_ends_on_the_last_day_of_a_shorter_month(new_unit):
    unit = new_unit(**KSU, registered_on=date(2024, 1, 5))
    approve(unit, "theft_robbery", date(2024, 8, 31), level="onsite")
    got = item(unit, date(2024, 9, 1), "DRILL-PLAN", "theft_robbery")
    assert (got.due_date, got.status) == (date(2025, 2, 28), "ok")


def test_approving_a_revised_plan_does_not_restart_the_drill_clock(new_unit):
    """The obligation began with the scenario's first approved plan; a new version of the
    plan keeps it (a unit could otherwise put its drills off by re-approving)."""
    unit = new_unit(**KSU, registered_on=date(2024, 1, 5))
    approve(unit, "sabotage", date(2024, 3, 1))
    approve(unit, "sabotage", date(2025, 2, 1))
    got = item(unit, date(2025, 3, 2), "DRILL-PLAN", "sabotage")
    assert (got.due_date, got.status) == (date(2025, 3, 1), "overdue")


def test_key_unit_obligations_start_when_the_unit_became_one(new_unit):
    """DESIGN.md §2: obligations that apply to key units start from `key_since`."""
    unit = new_unit(registered_on=date(2024, 1, 10))
    approve(unit, "accident", date(2024, 2, 1))
    unit.key_security_unit, unit.key_since = True, date(2025, 9, 1)
    db.session.commit()
    as_of = date(2025, 10, 1)
    dues = {(i.rule, i.subject): (i.due_date, i.status) for i in result(unit, as_of).items
            if i.rule.startswith(("TRAIN-", "DRILL-"))}
    assert dues == {
        ("TRAIN-AWARENESS", None): (date(2026, 9, 1), "ok"),
        ("TRAIN-SKILLS", None): (date(2026, 9, 1), "ok"),
        ("TRAIN-NATSEC", None): (date(2025, 1, 10), "overdue"),   # every unit: registration
        ("DRILL-PLAN", "accident"): (date(2026, 9, 1), "ok"),
    }


# Trainings

@pytest.mark.parametrize(("rule", "flags"), [
    ("TRAIN-AWARENESS", KSU), ("TRAIN-AWARENESS", TARGET), ("TRAIN-SKILLS", KSU),
    ("TRAIN-NATSEC", {}), ("TRAIN-NATSEC", BOTH), ("TRAIN-ANTITERROR", TARGET),
])
def test_a_training_never_held_is_due_12_months_after_registration(new_unit, rule, flags):
    unit = new_unit(registered_on=date(2024, 2, 29), **flags)
    got = item(unit, date(2024, 3, 1), rule)
    assert (got.due_date, got.status, got.subject) == (date(2025, 2, 28), "ok", None)
    assert item(unit, date(2025, 3, 1), rule).status == "overdue"


def test_each_training_counts_for_its_own_topic(new_unit):
    unit = new_unit(**BOTH)
    held(unit, date(2025, 5, 20), topic="awareness")
    held(unit, date(2025, 7, 1), topic="national_security")
    held(unit, date(2025, 3, 1), topic="national_security")
    held(unit, date(2025, 8, 1), scenario="accident")        # a drill is no training
    activity(unit, date(2025, 8, 2), topic="skills")          # scheduled, never held

    def dues(as_of):
        return {i.rule: i.due_date for i in result(unit, as_of).items
                if i.rule.startswith("TRAIN-")}
    assert dues(date(2025, 9, 1)) == {
        "TRAIN-AWARENESS": date(2026, 5, 20), "TRAIN-SKILLS": date(2026, 1, 10),
        "TRAIN-NATSEC": date(2026, 7, 1), "TRAIN-ANTITERROR": date(2026, 1, 10)}
    # before the July training, the March one was the last
    assert dues(date(2025, 6, 30))["TRAIN-NATSEC"] == date(2026, 3, 1)


# Statuses at the boundaries of the due date D, rule by rule

def _natsec_never_held(new_unit):
    return new_unit(registered_on=D - relativedelta(months=12)), "TRAIN-NATSEC", None


def _antiterror_held(new_unit):
    unit = new_unit(**TARGET, registered_on=date(2024, 1, 5))
    held(unit, D - relativedelta(months=12), topic="anti_terror")
    return unit, "TRAIN-ANTITERROR", None


def _skills_held(new_unit):
    unit = new_unit(**KSU, registered_on=date(2024, 1, 5))
    held(unit, D - relativedelta(months=12), topic="skills")
    return unit, "TRAIN-SKILLS", None


def _review(new_unit):
    unit = new_unit()
    plan = approve(unit, "sabotage", D - relativedelta(months=36))
    return unit, "PLAN-REVIEW", str(plan.id)


def _drill_never(new_unit):
    unit = new_unit(**KSU, registered_on=date(2024, 1, 5))
    approve(unit, "extreme_individual", D - relativedelta(months=12), level="special")
    return unit, "DRILL-PLAN", "extreme_individual"


def _drill_onsite(new_unit):
    unit = new_unit(**TARGET, registered_on=date(2024, 1, 5))
    plan = approve(unit, "terror_attack", date(2024, 6, 1), level="onsite")
    held(unit, D - relativedelta(months=6), scenario="terror_attack", plan=plan)
    return unit, "DRILL-PLAN", "terror_attack"


def _hazard(new_unit):
    unit = new_unit()
    hazard(unit, D)
    return unit, "HAZARD", None


@pytest.mark.parametrize("build", [_natsec_never_held, _antiterror_held, _skills_held,
                                   _review, _drill_never, _drill_onsite, _hazard],
                         ids=lambda build: build.__name__.strip("_"))
def test_status_at_the_boundaries_of_the_due_date(new_unit, build):
    unit, rule, subject = build(new_unit)
    for days_left, expected in BOUNDARIES:
        as_of = D - timedelta(days=days_left)
        got = item(unit, as_of, rule, subject)
        assert (got.due_date, got.status) == (D, expected), (as_of, got)


# EQUIPMENT

@pytest.mark.parametrize(("fields", "status", "due"), [
    ({}, "ok", None),
    ({"required_quantity": 5, "expires_on": A + timedelta(days=400),
      "next_inspection_on": A + timedelta(days=31)}, "ok", None),
    ({"required_quantity": 6}, "non_compliant", None),
    ({"expires_on": A - timedelta(days=1)}, "non_compliant", None),
    ({"expires_on": A}, "due_soon", A),
    ({"expires_on": A + timedelta(days=30)}, "due_soon", A + timedelta(days=30)),
    ({"expires_on": A + timedelta(days=31)}, "ok", None),
    ({"next_inspection_on": A - timedelta(days=1)}, "non_compliant", None),
    ({"next_inspection_on": A}, "due_soon", A),
    ({"next_inspection_on": A + timedelta(days=30)}, "due_soon", A + timedelta(days=30)),
    ({"next_inspection_on": A + timedelta(days=31)}, "ok", None),
], ids=["plain", "in order", "short", "expired", "expires today", "expires in 30 days",
        "expires in 31 days", "inspection overdue", "inspection today",
        "inspection in 30 days", "inspection in 31 days"])
def test_equipment_one_item(new_unit, fields, status, due):
    unit = new_unit()
    gear(unit, **fields)
    got = item(unit, A, "EQUIPMENT")
    assert (got.status, got.due_date) == (status, due)


def test_equipment_the_worst_item_decides(new_unit):
    unit = new_unit()
    assert (item(unit, A, "EQUIPMENT").status, item(unit, A, "EQUIPMENT").due_date) == (
        "ok", None)   # nothing recorded
    gear(unit, "灭火器", next_inspection_on=A + timedelta(days=20))
    gear(unit, "对讲机", expires_on=A + timedelta(days=5),
         next_inspection_on=A + timedelta(days=90))
    gear(unit, "应急灯", expires_on=A + timedelta(days=300))
    got = item(unit, A, "EQUIPMENT")
    assert (got.status, got.due_date) == ("due_soon", A + timedelta(days=5))
    assert "灭火器" in got.detail and "对讲机" in got.detail and "应急灯" not in got.detail
    gear(unit, "钢叉", quantity=2, required_quantity=4)
    got = item(unit, A, "EQUIPMENT")
    assert got.status == "non_compliant"
    assert "钢叉" in got.detail and "灭火器" not in got.detail
    assert result(unit, A).status == "non_compliant"


# HAZARD

@pytest.mark.parametrize(("due", "status", "expected", "item_due"), [
    (A - timedelta(days=1), "open", "overdue", A - timedelta(days=1)),
    (A, "open", "due_soon", A),
    (A + timedelta(days=30), "open", "due_soon", A + timedelta(days=30)),
    (A + timedelta(days=31), "open", "ok", A + timedelta(days=31)),
    (A - timedelta(days=10), "rectified", "ok", None),   # awaits verification: not counted
    (A - timedelta(days=10), "closed", "ok", None),
], ids=["open past due", "open due today", "open due in 30 days", "open due in 31 days",
        "rectified past due", "closed past due"])
def test_hazard_one(new_unit, due, status, expected, item_due):
    unit = new_unit()
    hazard(unit, due, status)
    got = item(unit, A, "HAZARD")
    assert (got.status, got.due_date) == (expected, item_due)


def test_hazards_the_earliest_open_one_past_due_decides(new_unit):
    unit = new_unit()
    assert item(unit, A, "HAZARD").status == "ok"
    hazard(unit, A + timedelta(days=5))
    hazard(unit, A - timedelta(days=30), "rectified")
    got = item(unit, A, "HAZARD")
    assert (got.status, got.due_date) == ("due_soon", A + timedelta(days=5))
    hazard(unit, A - timedelta(days=1))
    hazard(unit, A - timedelta(days=3), escalate=True)   # escalated is still open
    got = item(unit, A, "HAZARD")
    assert (got.status, got.due_date) == ("overdue", A - timedelta(days=3))


def test_a_hazard_counts_on_the_days_it_was_open(new_unit):
    """As of a past day: a hazard found later does not count; one rectified later does."""
    unit = new_unit()
    late = hazard(unit, A - timedelta(days=10))
    late.created_at = at(A + timedelta(days=1))           # found after the day looked at
    db.session.commit()
    assert item(unit, A, "HAZARD").status == "ok"
    assert item(unit, A + timedelta(days=1), "HAZARD").status == "overdue"
    fixed = hazard(unit, A - timedelta(days=5), "rectified")
    fixed.rectified_at = at(A + timedelta(days=3))        # open on A, put right after it
    late.created_at = at(A + timedelta(days=30))
    db.session.commit()
    got = item(unit, A, "HAZARD")
    assert (got.status, got.due_date) == ("overdue", A - timedelta(days=5))
    assert item(unit, A + timedelta(days=3), "HAZARD").status == "ok"


# STAFFING

def test_staffing_is_met_or_not_now(new_unit, make):
    unit = new_unit(headcount=100)   # GZ-6.1: 2 security staff
    assert item(unit, A, "STAFFING").status == "non_compliant"
    make.person(unit, name="甲", role="security_part_time")
    leaving = make.person(unit, name="乙", role="security_full_time")
    make.person(unit, name="丙", role="staff")
    assert item(unit, A, "STAFFING").status == "ok"
    leaving.left_on = units.today_in(unit) - timedelta(days=1)
    db.session.commit()
    got = item(unit, A, "STAFFING")
    assert got.status == "non_compliant" and got.due_date is None
    assert "GZ-(六)" in got.detail


def test_staffing_agrees_with_the_units_staffing_requirements(new_unit, make):
    school = new_unit(category="school", headcount=1200, **KSU, campuses=[
        {"name": "东校区", "population": 1200, "boarding_students": 300}])
    for n in range(6):
        make.person(school, name=f"专职{n}", role="security_full_time")
    for n in range(4):
        make.person(school, name=f"保安{n}", role="guard", campus="东校区",
                    guard_certificate_no=f"粤保{n:04d}")
    make.person(school, name="无证保安", role="guard", campus="东校区")
    hospital = new_unit(category="hospital", headcount=800, hospital={
        "medical_staff": 300, "beds": 400, "daily_outpatients": 3000})
    for n in range(2):
        make.person(hospital, name=f"兼职{n}", role="security_part_time")
    for n in range(3):
        make.person(hospital, name=f"保安{n}", role="guard", guard_certificate_no=f"粤保9{n}")
    plain = new_unit(headcount=3000)
    found = {}
    for unit in (school, hospital, plain):
        compliant = units.staffing(unit)["compliant"]
        found[unit.category] = compliant
        assert item(unit, A, "STAFFING").status == ("ok" if compliant else "non_compliant")
    assert found == {"school": True, "hospital": False, "enterprise": False}


# The unit's status

@pytest.mark.parametrize(("statuses", "expected"), [
    ((), "compliant"), (("ok", "ok"), "compliant"), (("ok", "due_soon"), "attention"),
    (("due_soon", "overdue"), "non_compliant"), (("ok", "missing"), "non_compliant"),
    (("due_soon", "non_compliant"), "non_compliant"),
])
def test_the_worst_status_decides_the_units(statuses, expected):
    assert rules.unit_status(statuses) == expected


def test_a_units_status_follows_its_items(new_unit, make):
    unit = new_unit(registered_on=date(2026, 1, 5))   # TRAIN-NATSEC due 2027-01-05
    make.person(unit, name="甲", role="security_part_time")
    make.person(unit, name="乙", role="security_part_time")
    as_of = date(2026, 6, 1)
    found = result(unit, as_of)
    assert found.status == "compliant"
    assert {(i.status, i.subject) for i in found.items} == {("ok", None)}
    hazard(unit, as_of + timedelta(days=10))
    found = result(unit, as_of)
    assert (found.status, found.count("due_soon"), found.count("overdue")) == ("attention", 1, 0)
    hazard(unit, as_of - timedelta(days=1))
    found = result(unit, as_of)
    assert (found.status, found.count("due_soon"), found.count("overdue")) == (
        "non_compliant", 0, 1)


# as_of

def test_as_of_a_past_day_counts_the_version_in_force_then(new_unit):
    unit = new_unit(**KSU, registered_on=date(2021, 6, 1))
    first = approve(unit, "accident", date(2022, 3, 1))
    # 07:00 on 1 March in Shanghai: still 28 February in UTC
    second = approve(unit, "accident", date(2025, 3, 1), hour=7)
    db.session.refresh(first)
    assert first.status == "superseded"
    # before any approval: no plan then, so nothing to review or drill
    before = result(unit, date(2022, 2, 28))
    assert [i.status for i in before.items if i.subject == "accident"] == ["missing"]
    assert not [i for i in before.items if i.rule in ("PLAN-REVIEW", "DRILL-PLAN")]
    # the first version until the second's approval day in the unit's zone
    got = item(unit, date(2025, 2, 28), "PLAN-REVIEW")
    assert (got.subject, got.due_date, got.status) == (str(first.id), date(2025, 3, 1),
                                                       "due_soon")
    assert item(unit, date(2025, 2, 28), "PLAN-SET", "accident").status == "ok"
    got = item(unit, date(2025, 3, 1), "PLAN-REVIEW")
    assert (got.subject, got.due_date, got.status) == (str(second.id), date(2028, 3, 1), "ok")
    # one item per scenario and level: the superseded version is no longer reviewed
    assert list(items(unit, date(2026, 1, 1), "PLAN-REVIEW")) == [str(second.id)]


def test_as_of_defaults_to_today_in_each_units_zone(new_unit):
    shanghai = new_unit()
    new_york = new_unit(timezone="America/New_York")
    found = service.evaluate([shanghai, new_york])
    assert found[0].as_of == datetime.now(ZONE).date()
    assert found[1].as_of == datetime.now(ZoneInfo("America/New_York")).date()


# Settings

def test_the_engine_uses_the_intervals_an_admin_set(new_unit):
    unit = new_unit(**KSU)
    approve(unit, "accident", date(2025, 3, 10), level="special")
    as_of = date(2025, 4, 1)

    def dues():
        return {(i.rule, i.subject): i.due_date for i in result(unit, as_of).items
                if i.rule.startswith(("TRAIN-", "DRILL-", "PLAN-REVIEW"))}
    defaults = dues()
    assert defaults[("TRAIN-NATSEC", None)] == date(2026, 1, 10)
    service.update_months(actor(role="admin"), {"TRAIN-NATSEC": 24, "PLAN-REVIEW": 12,
                                                 "DRILL-PLAN": 3})
    db.session.commit()
    assert service.months() == {"PLAN-REVIEW": 12, "DRILL-PLAN": 3, "TRAIN-AWARENESS": 12,
                                "TRAIN-SKILLS": 12, "TRAIN-NATSEC": 24, "TRAIN-ANTITERROR": 12}
    changed = dues()
    plan_id = next(s for r, s in changed if r == "PLAN-REVIEW")
    assert changed == {**defaults, ("TRAIN-NATSEC", None): date(2027, 1, 10),
                       ("PLAN-REVIEW", plan_id): date(2026, 3, 10),
                       ("DRILL-PLAN", "accident"): date(2025, 6, 10)}


# Many units at once

def test_many_units_at_once_give_what_each_gives_alone(new_unit, make):
    school = new_unit(category="school", headcount=1200, **KSU, campuses=[
        {"name": "东校区", "population": 1200, "boarding_students": 0}])
    plan = approve(school, "accident", date(2025, 3, 10), level="onsite")
    held(school, date(2025, 6, 1), scenario="accident", plan=plan)
    held(school, date(2025, 6, 2), topic="skills")
    make.person(school, name="保安", role="guard", campus="东校区",
                guard_certificate_no="粤保0001")
    museum = new_unit(category="museum", **TARGET)
    gear(museum, "钢叉", quantity=1, required_quantity=2)
    plain = new_unit()
    hazard(plain, date(2025, 7, 1))
    as_of = date(2025, 9, 1)
    together = service.evaluate([school, museum, plain], as_of)
    assert [r.unit.id for r in together] == [school.id, museum.id, plain.id]
    for found, unit in zip(together, (school, museum, plain), strict=True):
        alone = result(unit, as_of)
        assert found.items == alone.items and found.status == alone.status
