"""A report's content is assembled from the unit's records for exactly its period (API.md
"Reports"): drills and trainings held (by `held_from`, in the unit's zone) within the period
with their outcomes; hazards found within the period plus every one still open, with counts;
the unit, staffing, approved plans, missing scenarios and equipment as they stand; compliance
as of the period's end. Another unit's records never appear. `refresh` reassembles."""
from datetime import date, datetime, timedelta

from anbao.extensions import db
from plans.models import SCENARIOS
from tests.reports.helpers import (H1, approved_plan, at, create, gear, hazard, held,
                                   key_since)
from units.service import today_in

LAST = date(2026, 6, 30)     # the last day of unit A's half year H1 2026
FIRST = date(2026, 1, 1)


def _content(api, world, period=H1):
    return create(api, world.coordinator_a, world.unit_a, period)["content"]


def test_activities_held_within_the_period_in_the_units_zone(api, world):
    inside = {
        "first minute": held(world.unit_a, at(FIRST, 0, 0), title="元旦零点演练"),
        "last evening": held(world.unit_a, at(LAST, 23, 30), title="期末夜间演练"),
        "training": held(world.unit_a, at(date(2026, 3, 15), 14), kind="training",
                         title="全员安全教育"),
    }
    # 00:10 on 1 July in Shanghai is still 30 June in UTC: outside all the same
    held(world.unit_a, at(LAST + timedelta(days=1), 0, 10), title="下期凌晨演练")
    held(world.unit_a, at(FIRST - timedelta(days=1), 23, 59), title="上期末演练")
    held(world.unit_b, at(date(2026, 3, 1)), title="越秀演练")  # another unit, in the period
    activities = _content(api, world)["activities"]
    assert [a["title"] for a in activities] == ["元旦零点演练", "全员安全教育", "期末夜间演练"]
    assert {a["activity_id"] for a in activities} == {a.id for a in inside.values()}
    last = activities[-1]
    assert last["held_from"] == "2026-06-30T23:30:00+08:00"
    assert last["held_to"] == "2026-07-01T00:30:00+08:00"
    assert (last["kind"], last["scenario"], last["format"]) == ("drill", "terror_attack",
                                                                "tabletop")
    assert (activities[1]["kind"], activities[1]["topic"]) == ("training", "awareness")


def test_the_period_is_the_units_own_zone(api, world):
    from zoneinfo import ZoneInfo
    urumqi = ZoneInfo("Asia/Urumqi")   # UTC+6, two hours behind Shanghai
    world.unit_a.timezone = "Asia/Urumqi"
    db.session.commit()
    held(world.unit_a, datetime(2026, 6, 30, 23, 30, tzinfo=urumqi), title="乌鲁木齐期末演练")
    held(world.unit_a, datetime(2026, 7, 1, 0, 10, tzinfo=urumqi), title="乌鲁木齐下期演练")
    [found] = _content(api, world)["activities"]
    assert found["title"] == "乌鲁木齐期末演练"   # 01:30 on 1 July in Shanghai
    assert found["held_from"] == "2026-06-30T23:30:00+06:00"


def test_the_period_is_counted_by_when_it_was_held_not_scheduled(api, world):
    from drills import outcomes, service
    from tests.reports.helpers import coordinator_of
    who = coordinator_of(world.unit_a)
    start = at(LAST, 9)
    scheduled_inside = service.create_activity(who, world.unit_a, {
        "kind": "drill", "title": "推迟举行的演练", "scenario": "accident", "format": "tabletop",
        "starts_at": start, "ends_at": start + timedelta(hours=1)})
    late = at(LAST + timedelta(days=2), 9)
    outcomes.record(who, scheduled_inside, {"held_from": late,
                                            "held_to": late + timedelta(hours=1)})
    early = at(date(2025, 12, 20), 9)
    scheduled_outside = service.create_activity(who, world.unit_a, {
        "kind": "drill", "title": "提前举行的演练", "scenario": "accident", "format": "tabletop",
        "starts_at": early, "ends_at": early + timedelta(hours=1)})
    moved = at(date(2026, 1, 5), 9)
    outcomes.record(who, scheduled_outside, {"held_from": moved,
                                             "held_to": moved + timedelta(hours=1)})
    db.session.commit()
    assert [a["title"] for a in _content(api, world)["activities"]] == ["提前举行的演练"]


def test_activities_carry_attendance_and_findings(api, world, make):
    second = make.person(world.unit_a, name="赵敏", role="guard")
    activity = held(world.unit_a, at(date(2026, 4, 2), 9), attendees=[world.person_a, second],
                    participants=40, findings=[
                        {"description": "报警响应迟缓", "severity": "high", "owner": "王五",
                         "due_date": date(2026, 5, 1)},
                        {"description": "疏散路线标识不清", "severity": "low"}])
    [found] = _content(api, world)["activities"]
    assert found["activity_id"] == activity.id
    assert (found["attendees"], found["participants"]) == (2, 40)
    assert found["summary"] == "防暴恐演练总结"
    first, second_finding = found["findings"]
    assert (first["description"], first["severity"], first["owner"], first["due_date"]) == \
        ("报警响应迟缓", "high", "王五", "2026-05-01")
    assert first["hazard_id"] is not None and found["hazard_ids"] == [first["hazard_id"]]
    assert second_finding["description"] == "疏散路线标识不清"
    assert second_finding["hazard_id"] is None


def test_hazards_found_in_the_period_and_every_one_still_open(api, world):
    today = today_in(world.unit_a)
    future = today + timedelta(days=60)
    h = {
        # found within the period
        "open_in": hazard(world.unit_a, at(date(2026, 2, 1)), date(2026, 3, 1)),  # overdue
        "closed_in": hazard(world.unit_a, at(date(2026, 3, 1)), date(2026, 4, 1), "closed"),
        "rectified_in": hazard(world.unit_a, at(LAST, 23, 30), future, "rectified"),
        # found before the period, still open (not overdue)
        "open_before": hazard(world.unit_a, at(date(2025, 5, 1)), future),
        # found after the period, still open
        "open_after": hazard(world.unit_a, at(date(2026, 8, 1)), future),
        # not in the report: found outside the period and no longer open
        "closed_before": hazard(world.unit_a, at(FIRST - timedelta(days=1), 23, 50),
                                date(2026, 1, 10), "closed"),
        "rectified_after": hazard(world.unit_a, at(LAST + timedelta(days=1), 0, 10), future,
                                  "rectified"),
    }
    hazard(world.unit_b, at(date(2026, 2, 1)), date(2026, 3, 1))  # another unit's
    hazards = _content(api, world)["hazards"]
    ids = [item["id"] for item in hazards["items"]]
    assert ids == sorted(h[name].id for name in ("open_in", "closed_in", "rectified_in",
                                                 "open_before", "open_after"))
    assert (hazards["found"], hazards["rectified"], hazards["open"], hazards["overdue"]) == \
        (3, 2, 3, 1)
    by_id = {item["id"]: item for item in hazards["items"]}
    first = by_id[h["open_in"].id]
    assert (first["description"], first["severity"], first["source"], first["status"],
            first["due_date"], first["found_on"], first["overdue"], first["order"]) == \
        ("东门围栏破损", "medium", "self_inspection", "open", "2026-03-01", "2026-02-01", True,
         False)
    assert by_id[h["rectified_in"].id]["found_on"] == "2026-06-30"
    assert by_id[h["open_before"].id]["overdue"] is False


def test_plans_missing_scenarios_and_equipment(api, world):
    plan = approved_plan(world.unit_a, "terror_attack")
    approved_plan(world.unit_a, "accident", "onsite", "校园事故现场处置方案")
    from plans import service as plans
    from tests.reports.helpers import coordinator_of
    plans.create_plan(coordinator_of(world.unit_a), world.unit_a,
                      {"scenario": "sabotage", "level": "special", "title": "草稿"}, "zh_CN")
    approved_plan(world.unit_b, "theft_robbery")  # another unit's
    short = gear(world.unit_a, "防暴钢叉", 2, required_quantity=6, category="restraint")
    gear(world.unit_b, "越秀灭火器", 9)
    db.session.commit()
    content = _content(api, world)
    plans_found = {(p["scenario"], p["level"]) for p in content["plans"]}
    assert plans_found == {("terror_attack", "comprehensive"), ("accident", "onsite")}
    mine = next(p for p in content["plans"] if p["id"] == plan.id)
    assert (mine["title"], mine["version"], mine["approved_by"]) == ("防暴恐应急预案", 1, "陈校长")
    assert content["missing_scenarios"] == [s for s in SCENARIOS
                                            if s not in ("terror_attack", "accident")]
    [item] = content["equipment"]
    assert (item["id"], item["name"], item["quantity"], item["required_quantity"]) == \
        (short.id, "防暴钢叉", 2, 6)
    assert "below_required" in item["alerts"]


def test_unit_and_staffing_as_they_stand(api, world):
    content = _content(api, world)
    unit = api.get(f"/units/{world.unit_a.id}", as_=world.coordinator_a).get_json()
    assert content["unit"]["id"] == world.unit_a.id
    assert content["unit"]["name"] == "天河实验学校"
    assert content["unit"] == unit
    staffing = api.get(f"/units/{world.unit_a.id}/staffing", as_=world.coordinator_a)
    assert content["staffing"] == staffing.get_json()


def test_compliance_as_of_the_periods_end(api, world):
    key_since(world.unit_a, date(2025, 1, 1))
    # H1 2025 was reported on 10 July 2025: ok as of 30 June 2026; H2 2025 is overdue and
    # H1 2026 due soon
    from reports.models import ReportRevision
    from tests.reports.helpers import submitted
    report = submitted(api, world.coordinator_a, world.unit_a,
                       {"period_start": "2025-01-01", "period_end": "2025-06-30"})
    revision = db.session.query(ReportRevision).filter_by(report_id=report["id"]).one()
    revision.submitted_at = at(date(2025, 7, 10))
    db.session.commit()
    content = _content(api, world)
    compliance = content["compliance"]
    assert compliance["as_of"] == "2026-06-30"
    expected = api.get(f"/units/{world.unit_a.id}/compliance?as_of=2026-06-30",
                       as_=world.coordinator_a).get_json()
    assert compliance["status"] == expected["status"]
    assert compliance["items"] == expected["items"]
    reports = {i["subject"]: i["status"] for i in compliance["items"] if i["rule"] == "REPORT"}
    assert len(reports) == 3  # 2025 H1, 2025 H2, 2026 H1 (the period containing as_of)
    assert sorted(reports.values()) == ["due_soon", "ok", "overdue"]


def test_refresh_reassembles_the_working_copy(api, world):
    report = create(api, world.coordinator_a, world.unit_a)
    assert report["content"]["activities"] == []
    held(world.unit_a, at(date(2026, 5, 20)), title="补录的演练")
    hazard(world.unit_a, at(date(2026, 5, 21)), date(2026, 5, 30), description="新发现的隐患")
    before = api.get(f"/reports/{report['id']}", as_=world.coordinator_a).get_json()
    assert before["content"] == report["content"]  # not before a refresh
    response = api.post(f"/reports/{report['id']}/refresh", as_=world.coordinator_a)
    assert response.status_code == 200, response.get_json()
    after = response.get_json()
    assert [a["title"] for a in after["content"]["activities"]] == ["补录的演练"]
    assert "新发现的隐患" in [h["description"] for h in after["content"]["hazards"]["items"]]
    assert api.get(f"/reports/{report['id']}", as_=world.coordinator_a).get_json()["content"] \
        == after["content"]


def test_refresh_keeps_the_answers_and_narrative(api, world):
    from tests.reports.helpers import answer
    report = create(api, world.coordinator_a, world.unit_a)
    answer(api, world.coordinator_a, report["id"], "自查情况说明")
    after = api.post(f"/reports/{report['id']}/refresh", as_=world.coordinator_a).get_json()
    assert after["narrative"] == "自查情况说明"
    assert {c["answer"] for c in after["checklist"]} == {"yes"}


def test_content_is_plain_json(api, world):
    """What is stored is what the API gives: no value changes on the way out."""
    held(world.unit_a, at(date(2026, 2, 2)))
    hazard(world.unit_a, at(date(2026, 2, 3)), date(2026, 3, 1))
    report = create(api, world.coordinator_a, world.unit_a)
    from reports.models import Report
    db.session.expire_all()
    assert db.session.get(Report, report["id"]).content == report["content"]
