"""After-action records (演练记录, AQ/T 9009; HSEEP): an outcome completes the activity or
one occurrence of a series; its findings and failed equipment become hazards (`source`
`drill`), and a finding can ask for the plan's review."""
from datetime import timedelta

import sqlalchemy as sa
from flask_smorest import abort

from anbao import scope
from anbao.audit import service as audit
from anbao.extensions import db
from anbao.i18n import gettext as _
from drills import recurrence, service
from drills.models import Activity, Outcome
from equipment.models import Equipment
from hazards import service as hazards
from plans import service as plans
from plans.models import Plan
from units.models import Person

FAILED_EQUIPMENT_DAYS = 30


def invalid(field: str, message: str):
    abort(422, errors={"json": {field: [message]}})


def outcomes(activity: Activity) -> list[Outcome]:
    return db.session.scalars(sa.select(Outcome).where(Outcome.activity_id == activity.id)
                              .order_by(Outcome.id)).all()


def _check(activity: Activity, data: dict) -> dict[int, Equipment]:
    unit_id = activity.unit_id
    ids = data.get("attendee_ids") or []
    if ids:
        known = set(db.session.scalars(sa.select(Person.id).where(
            Person.unit_id == unit_id, Person.id.in_(ids))))
        unknown = [i for i in ids if i not in known]
        if unknown:
            invalid("attendee_ids", _("Not people of this unit: %(ids)s.",
                                      ids=", ".join(map(str, unknown))))
    if data["held_to"] < data["held_from"]:
        invalid("held_to", _("The end must not come before the start."))
    checks = data.get("equipment_checks") or []
    wanted = [c["equipment_id"] for c in checks]
    items = {item.id: item for item in db.session.scalars(sa.select(Equipment).where(
        Equipment.unit_id == unit_id, Equipment.id.in_(wanted)))} if wanted else {}
    unknown = [i for i in wanted if i not in items]
    if unknown:
        invalid("equipment_checks", _("Not equipment of this unit: %(ids)s.",
                                      ids=", ".join(map(str, unknown))))
    if activity.plan is None:
        for n, finding in enumerate(data.get("findings") or []):
            if finding.get("plan_review"):
                abort(422, errors={"json": {"findings": {str(n): {"plan_review": [
                    _("The activity names no plan to review.")]}}}})
    return items


def record(actor, activity: Activity, data: dict) -> Outcome:
    """Record what happened; 409 for a cancelled activity or occurrence, or a second outcome."""
    scope.authorize(actor, "activities.write")
    if activity.status == "cancelled":
        abort(409, message=_("The activity was cancelled."))
    original = data.get("occurrence")
    exception = None
    if activity.rrule:
        if original is None:
            invalid("occurrence", _("Name the occurrence of the series (its original start)."))
        exception = service.exception_at(activity, service.occurrence_of(activity, original))
        if exception.status == "cancelled":
            abort(409, message=_("This occurrence was cancelled."))
    elif original is not None:
        service.occurrence_of(activity, original)  # 422: not a series
    # one spelling per instant, whatever offset the client named it in
    key = original.astimezone(recurrence.UTC).isoformat() if original is not None else ""
    if exception is not None and exception.status == "completed" or (
            exception is None and activity.status == "completed") or db.session.scalar(
            sa.select(Outcome.id).where(Outcome.activity_id == activity.id,
                                        Outcome.occurrence_key == key)):
        abort(409, message=_("An outcome is already recorded for this activity."))
    items = _check(activity, data)

    data = dict(data)
    findings = data.get("findings") or []
    data["findings"] = [{**f, "due_date": f["due_date"].isoformat()} if f.get("due_date")
                        else f for f in findings]
    if "participants_count" not in data:
        data["participants_count"] = len(data.get("attendee_ids") or [])
    outcome = Outcome(activity_id=activity.id, unit_id=activity.unit_id, occurrence_key=key,
                      created_by=getattr(actor, "username", "") or "", **data)
    db.session.add(outcome)
    before = service.snapshot(activity)
    if exception is not None:
        exception.status = "completed"
    else:
        activity.status = "completed"
    service.bump(activity)
    if exception is not None:
        exception.sequence = activity.sequence
        exception.updated_at = activity.updated_at
    db.session.flush()
    outcome.hazard_ids = _hazards(actor, activity, outcome, findings, items)
    db.session.flush()
    audit.record(actor, "create", "outcome", outcome.id, unit_id=activity.unit_id,
                 after={"activity_id": activity.id, "occurrence": original,
                        "hazard_ids": outcome.hazard_ids})
    audit.record(actor, "complete", "activity", activity.id, unit_id=activity.unit_id,
                 before=before, after=service.snapshot(activity))
    return outcome


def _current_version(plan):
    """The approved version of the plan's scenario and level now, else the plan named."""
    return db.session.scalar(sa.select(Plan).where(
        Plan.unit_id == plan.unit_id, Plan.scenario == plan.scenario, Plan.level == plan.level,
        Plan.status == "approved")) or plan


def _hazards(actor, activity: Activity, outcome: Outcome, findings: list[dict],
             items: dict) -> list[int]:
    """Findings with an owner and a due date, and equipment that failed, become hazards;
    each finding and check keeps the id of the hazard it made."""
    unit = activity.unit
    created = []
    location = activity.location or ""
    stored = [dict(f) for f in outcome.findings]
    for finding, kept in zip(findings, stored):
        if finding.get("plan_review") and activity.plan is not None:
            plans.request_review(actor, _current_version(activity.plan))
        if finding.get("owner") and finding.get("due_date"):
            hazard = hazards.create_hazard(actor, unit, {
                "description": finding["description"], "severity": finding["severity"],
                "source": "drill", "owner": finding["owner"], "location": location[:200],
                "due_date": finding["due_date"]})
            created.append(hazard.id)
            kept["hazard_id"] = hazard.id
    held_to = outcome.held_to.astimezone(service.zone_of(unit)).date()
    checks = [dict(c) for c in outcome.equipment_checks]
    for check in checks:
        if check["worked"]:
            continue
        item = items[check["equipment_id"]]
        hazard = hazards.create_hazard(actor, unit, {
            "description": _("Equipment failed in the drill “%(title)s”: %(name)s.",
                             title=activity.title, name=item.name),
            "severity": "medium", "source": "drill",
            "owner": outcome.evaluator or getattr(actor, "username", "") or "-",
            "location": item.location or location[:200],
            "due_date": held_to + timedelta(days=FAILED_EQUIPMENT_DAYS)})
        created.append(hazard.id)
        check["hazard_id"] = hazard.id
    outcome.findings, outcome.equipment_checks = stored, checks  # each names its hazard
    return created
