"""A report's content, assembled from the unit's records (no double entry): API.md "Reports"
content fields. Plain JSON values only, so what is stored is what the API gives and the
SHA-256 of a submitted revision can be recomputed by anyone."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from anbao.extensions import db
from compliance.schemas import UnitComplianceSchema
from compliance.service import evaluate
from drills.models import Activity, Outcome
from equipment.models import Equipment
from equipment.service import alerts
from hazards.models import Hazard
from hazards.service import is_overdue
from plans.models import SCENARIOS, Plan
from units import service as units
from units.schemas import StaffingSchema, UnitSchema


def _instant(value: datetime | None, zone: ZoneInfo) -> str | None:
    return value.astimezone(zone).isoformat() if value is not None else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _span(unit, start: date, end: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(unit.timezone)
    return (datetime.combine(start, time(), zone),
            datetime.combine(end + timedelta(days=1), time(), zone))


def _plans(unit, zone) -> tuple[list[dict], list[str]]:
    approved = db.session.scalars(sa.select(Plan).where(
        Plan.unit_id == unit.id, Plan.status == "approved").order_by(Plan.scenario, Plan.id))
    found = [{"id": p.id, "scenario": p.scenario, "level": p.level, "title": p.title,
              "version": p.version, "approved_at": _instant(p.approved_at, zone),
              "approved_by": p.approved_by or "", "review_due": _day(p.review_due)}
             for p in approved]
    covered = {p["scenario"] for p in found}
    return found, [s for s in SCENARIOS if s not in covered]


def _activities(unit, start: date, end: date, zone) -> list[dict]:
    after, before = _span(unit, start, end)
    rows = db.session.execute(
        sa.select(Outcome, Activity).join(Activity, Activity.id == Outcome.activity_id)
        .where(Outcome.unit_id == unit.id, Outcome.held_from >= after,
               Outcome.held_from < before)
        .order_by(Outcome.held_from, Outcome.id)).all()
    return [{"activity_id": activity.id, "outcome_id": outcome.id, "kind": activity.kind,
             "title": activity.title, "scenario": activity.scenario, "format": activity.format,
             "topic": activity.topic, "held_from": _instant(outcome.held_from, zone),
             "held_to": _instant(outcome.held_to, zone),
             "attendees": len(outcome.attendee_ids or []),
             "participants": outcome.participants_count,
             "objectives": [{"text": o.get("text", ""), "result": o.get("result")}
                            for o in outcome.objectives or []],
             "findings": [{"description": f.get("description", ""),
                           "severity": f.get("severity"), "owner": f.get("owner") or "",
                           "due_date": f.get("due_date"), "hazard_id": f.get("hazard_id")}
                          for f in outcome.findings or []],
             "hazard_ids": list(outcome.hazard_ids or []), "summary": outcome.summary}
            for outcome, activity in rows]


def _equipment(unit, today: date) -> list[dict]:
    items = db.session.scalars(sa.select(Equipment).where(Equipment.unit_id == unit.id)
                               .order_by(Equipment.id))
    return [{"id": i.id, "category": i.category, "name": i.name, "quantity": i.quantity,
             "required_quantity": i.required_quantity, "expires_on": _day(i.expires_on),
             "next_inspection_on": _day(i.next_inspection_on), "alerts": alerts(i, today)}
            for i in items]


def _hazards(unit, start: date, end: date, today: date, zone) -> dict:
    after, before = _span(unit, start, end)
    found = db.session.scalars(sa.select(Hazard).where(
        Hazard.unit_id == unit.id,
        sa.or_(sa.and_(Hazard.created_at >= after, Hazard.created_at < before),
               Hazard.status == "open")).order_by(Hazard.id)).all()
    items = [{"id": h.id, "order": h.order, "description": h.description,
              "severity": h.severity, "source": h.source, "status": h.status,
              "due_date": _day(h.due_date), "found_on": _day(h.created_at.astimezone(zone).date()),
              "rectified_at": _instant(h.rectified_at, zone), "overdue": is_overdue(h, today),
              "in_period": after <= h.created_at < before} for h in found]
    in_period = [i for i in items if i["in_period"]]
    return {"found": len(in_period),
            "rectified": sum(i["status"] != "open" for i in in_period),
            "open": sum(i["status"] == "open" for i in items),
            "overdue": sum(i["overdue"] for i in items),
            "items": items}


def content(unit, start: date, end: date) -> dict:
    """Everything the report says about the unit's records, in the current language."""
    zone = ZoneInfo(unit.timezone)
    today = units.today_in(unit)
    plans, missing = _plans(unit, zone)
    compliance = UnitComplianceSchema().dump(evaluate([unit], as_of=end)[0])
    return {
        "unit": UnitSchema().dump(unit),
        "staffing": StaffingSchema().dump(units.staffing(unit)),
        "plans": plans,
        "missing_scenarios": missing,
        "activities": _activities(unit, start, end, zone),
        "equipment": _equipment(unit, today),
        "hazards": _hazards(unit, start, end, today, zone),
        "compliance": compliance,
    }
