"""Shared by the report tests: reports through the API, drills held and hazards found at given
instants, the SHA-256 of API.md "Reports" recomputed independently."""
import hashlib
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from anbao.extensions import db
from anbao.system import stand_in
from drills import outcomes as drill_outcomes
from drills import service as drills
from hazards import service as hazards
from reports.checklist import IDS

ZONE = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
# unit A (school) is a key security unit: half years; unit B (museum) a key target: quarters
H1 = {"period_start": "2026-01-01", "period_end": "2026-06-30"}
H2_2025 = {"period_start": "2025-07-01", "period_end": "2025-12-31"}
Q1 = {"period_start": "2026-01-01", "period_end": "2026-03-31"}
Q4_2025 = {"period_start": "2025-10-01", "period_end": "2025-12-31"}
ALL_YES = {item_id: {"answer": "yes", "note": ""} for item_id in IDS}


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An instant of that day in Shanghai, the units' zone."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def digest(content, checklist, narrative) -> str:
    """API.md "Reports": the hex SHA-256 anyone can recompute, written out again here."""
    text = json.dumps({"content": content, "checklist": checklist, "narrative": narrative},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def create(api, user, unit, period=H1, status=201):
    response = api.post(f"/units/{unit.id}/reports", as_=user, json=period)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def answer(api, user, report_id, narrative="本期安全防范工作落实到位。", checklist=None):
    response = api.patch(f"/reports/{report_id}", as_=user,
                         json={"narrative": narrative, "checklist": checklist or ALL_YES})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def submit(api, user, report_id, status=200):
    response = api.post(f"/reports/{report_id}/submit", as_=user)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def review(api, user, report_id, decision="accept", comment="", status=200):
    response = api.post(f"/reports/{report_id}/review", as_=user,
                        json={"decision": decision, "comment": comment})
    assert response.status_code == status, response.get_json()
    return response.get_json()


def submitted(api, user, unit, period=H1, narrative="本期安全防范工作落实到位。"):
    """A report created, answered in full and submitted by `user` (the unit's coordinator)."""
    report = create(api, user, unit, period)
    answer(api, user, report["id"], narrative)
    return submit(api, user, report["id"])


def coordinator_of(unit):
    return stand_in("coordinator", unit=unit)


def held(unit, start: datetime, kind="drill", title="防暴恐演练", attendees=(), findings=(),
         participants=None, minutes=60):
    """A drill (or training) scheduled and held from `start`: its outcome recorded."""
    who = coordinator_of(unit)
    data = {"kind": kind, "title": title, "starts_at": start,
            "ends_at": start + timedelta(minutes=minutes), "location": "操场"}
    if kind == "drill":
        data.update(scenario="terror_attack", format="tabletop")
    else:
        data["topic"] = "awareness"
    activity = drills.create_activity(who, unit, data)
    outcome = {"held_from": start, "held_to": start + timedelta(minutes=minutes),
               "attendee_ids": [p.id for p in attendees], "evaluator": "李卫国",
               "findings": list(findings), "summary": f"{title}总结"}
    if participants is not None:
        outcome["participants_count"] = participants
    drill_outcomes.record(who, activity, outcome)
    db.session.commit()
    return activity


def hazard(unit, found: datetime, due: date, status="open", description="东门围栏破损"):
    """A hazard the unit found at the instant `found`, in the given state."""
    who = coordinator_of(unit)
    found_hazard = hazards.create_hazard(who, unit, {
        "description": description, "severity": "medium", "source": "self_inspection",
        "owner": "王五", "due_date": due})
    if status in ("rectified", "closed"):
        hazards.rectify(who, found_hazard, "已修复", [])
    if status == "closed":
        hazards.verify(who, found_hazard, True, "复查合格")
    found_hazard.created_at = found
    db.session.commit()
    return found_hazard


def key_since(unit, day: date | None, **flags):
    """Set the unit's key flags and `key_since` directly (the API protects them)."""
    for name, value in flags.items():
        setattr(unit, name, value)
    unit.key_since = day
    db.session.commit()
    return unit


def approved_plan(unit, scenario="terror_attack", level="comprehensive", title="防暴恐应急预案"):
    from plans import service as plans
    who = coordinator_of(unit)
    plan = plans.create_plan(who, unit, {"scenario": scenario, "level": level, "title": title},
                             "zh_CN")
    plans.approve_plan(who, plan, "陈校长")
    db.session.commit()
    return plan


def gear(unit, name="灭火器", quantity=5, **fields):
    from equipment import service as equipment
    item = equipment.create_equipment(coordinator_of(unit), unit, {
        "category": "fire", "name": name, "quantity": quantity, **fields})
    db.session.commit()
    return item
