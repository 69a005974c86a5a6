"""Plans: create from a scenario template, edit drafts, version approved plans, approve."""
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask_smorest import abort

from anbao import scope
from anbao.attachments import service as attachments
from anbao.audit import service as audit
from anbao.extensions import db, utcnow
from anbao.i18n import gettext as _
from equipment import service as equipment
from plans import scenarios
from plans.models import Plan
from units.models import Unit

FIELDS = ("scenario", "level", "version", "status", "title", "sections", "contacts",
          "equipment_ids", "approved_by", "approved_at", "review_due", "review_requested")

scope.allow("plans.write", "coordinator")
scope.allow("plans.read_unapproved", "admin", "police", "supervisor", "coordinator")


def invalid(field: str, message: str):
    abort(422, errors={"json": {field: [message]}})


def review_months() -> int:
    """PLAN-REVIEW: months from approval to the next review (预案办法 Art 35), as the admin
    set the rule's interval."""
    from compliance.service import months  # compliance reads plans: imported when called
    return months()["PLAN-REVIEW"]


def _visible(stmt: sa.Select, actor) -> sa.Select:
    stmt = scope.scoped(stmt, Plan, actor)
    if not scope.may(actor, "plans.read_unapproved"):
        stmt = stmt.where(Plan.status == "approved")
    return stmt


def plans_query(actor, unit: Unit, filters: dict) -> sa.Select:
    stmt = sa.select(Plan).where(Plan.unit_id == unit.id).order_by(Plan.id)
    for field in ("scenario", "level", "status"):
        if field in filters:
            stmt = stmt.where(getattr(Plan, field) == filters[field])
    return _visible(stmt, actor)


def get_plan(actor, plan_id: int) -> Plan:
    """The version with that id, if the actor may see it (staff: approved ones only)."""
    if not scope.may(actor, "plans.read_unapproved"):
        plan = scope.get_or_404(Plan, plan_id, actor)
        if plan.status != "approved":
            abort(404)
        return plan
    return scope.get_or_404(Plan, plan_id, actor)


def visible(actor, plan_id: int) -> bool:
    return db.session.scalar(_visible(sa.select(Plan.id).where(Plan.id == plan_id),
                                      actor)) is not None


attachments.register_owner("plan", visible)


def versions(actor, plan: Plan) -> list[Plan]:
    """Every version of the plan's scenario and level, oldest first, with attachments."""
    stmt = _visible(sa.select(Plan).where(
        Plan.unit_id == plan.unit_id, Plan.scenario == plan.scenario,
        Plan.level == plan.level).order_by(Plan.version), actor)
    rows = db.session.scalars(stmt).all()
    files = attachments.attachments_of_many("plan", [p.id for p in rows])
    for row in rows:
        row.attachment_list = files.get(row.id, [])
    return rows


def _check_equipment(unit_id: int, ids: list[int]) -> None:
    if equipment.unknown_ids(unit_id, ids):
        invalid("equipment_ids", _("No such equipment in this unit."))


def create_plan(actor, unit: Unit, data: dict, language: str) -> Plan:
    """Version 1 of a plan, its sections starting from the scenario's template."""
    scope.authorize(actor, "plans.write")
    taken = db.session.scalar(sa.select(Plan.id).where(
        Plan.unit_id == unit.id, Plan.scenario == data["scenario"],
        Plan.level == data["level"]).limit(1))
    if taken is not None:
        abort(409, message=_("This unit has a plan for this scenario and level already; "
                             "edit that one."))
    _check_equipment(unit.id, data.get("equipment_ids") or [])
    start = scenarios.template(data["scenario"], data["level"], language)
    plan = Plan(unit_id=unit.id, scenario=data["scenario"], level=data["level"], version=1,
                status="draft", title=data["title"],
                sections={**start["sections"], **data.get("sections", {})},
                contacts=data.get("contacts") or [],
                equipment_ids=data.get("equipment_ids") or [],
                created_by_id=getattr(actor, "id", None))
    db.session.add(plan)
    db.session.flush()
    audit.record(actor, "create", "plan", plan.id, unit_id=unit.id,
                 after=audit.snapshot(plan, FIELDS))
    return plan


def _apply(plan: Plan, data: dict) -> None:
    if "title" in data:
        plan.title = data["title"]
    if "sections" in data:
        plan.sections = {**plan.sections, **data["sections"]}
    if "contacts" in data:
        plan.contacts = data["contacts"]
    if "equipment_ids" in data:
        _check_equipment(plan.unit_id, data["equipment_ids"])
        plan.equipment_ids = data["equipment_ids"]


def update_plan(actor, plan: Plan, data: dict) -> tuple[Plan, bool]:
    """Edit a draft; an approved version stays as it is and a new draft (version + 1) takes
    the change. Returns the plan changed and whether it is new."""
    scope.authorize(actor, "plans.write")
    if plan.status == "superseded":
        abort(409, message=_("A superseded version cannot be changed."))
    if plan.status == "draft":
        before = audit.snapshot(plan, FIELDS)
        _apply(plan, data)
        plan.updated_at = utcnow()
        db.session.flush()
        audit.record(actor, "update", "plan", plan.id, unit_id=plan.unit_id, before=before,
                     after=audit.snapshot(plan, FIELDS))
        return plan, False
    newer = db.session.scalar(sa.select(Plan.id).where(
        Plan.unit_id == plan.unit_id, Plan.scenario == plan.scenario,
        Plan.level == plan.level, Plan.version > plan.version).limit(1))
    if newer is not None:
        abort(409, message=_("A newer draft of this plan exists; edit that one."))
    draft = Plan(unit_id=plan.unit_id, scenario=plan.scenario, level=plan.level,
                 version=plan.version + 1, status="draft", title=plan.title,
                 sections=dict(plan.sections), contacts=list(plan.contacts),
                 equipment_ids=list(plan.equipment_ids),
                 review_requested=plan.review_requested,
                 review_requested_at=plan.review_requested_at,
                 created_by_id=getattr(actor, "id", None))
    _apply(draft, data)
    db.session.add(draft)
    db.session.flush()
    audit.record(actor, "create", "plan", draft.id, unit_id=plan.unit_id,
                 after=audit.snapshot(draft, FIELDS), detail={"revises": plan.id})
    return draft, True


def approve_plan(actor, plan: Plan, approved_by: str) -> Plan:
    """Approve a draft; the version approved before it is superseded."""
    scope.authorize(actor, "plans.write")
    if plan.status != "draft":
        abort(409, message=_("Only a draft can be approved."))
    previous = db.session.scalars(sa.select(Plan).where(
        Plan.unit_id == plan.unit_id, Plan.scenario == plan.scenario,
        Plan.level == plan.level, Plan.status == "approved")).all()
    for old in previous:
        old.status = "superseded"
        audit.record(actor, "update", "plan", old.id, unit_id=old.unit_id,
                     before={"status": "approved"}, after={"status": "superseded"})
    before = audit.snapshot(plan, FIELDS)
    now = utcnow()
    approved_on = now.astimezone(ZoneInfo(plan.unit.timezone)).date()
    plan.status = "approved"
    plan.approved_by = approved_by
    plan.approved_at = now
    plan.review_due = approved_on + relativedelta(months=review_months())
    plan.review_requested = False
    plan.review_requested_at = None
    db.session.flush()
    audit.record(actor, "approve", "plan", plan.id, unit_id=plan.unit_id, before=before,
                 after=audit.snapshot(plan, FIELDS))
    return plan


def request_review(actor, plan: Plan, when: datetime | None = None) -> None:
    """A drill finding asks for the plan to be reviewed (PLAN-REVIEW: within 30 days).

    Called by the outcome of a drill, whose service has checked the actor's scope."""
    if plan.review_requested:
        return
    plan.review_requested = True
    plan.review_requested_at = when or utcnow()
    db.session.flush()
    audit.record(actor, "update", "plan", plan.id, unit_id=plan.unit_id,
                 before={"review_requested": False}, after={"review_requested": True})


def attach(actor, plan: Plan, upload):
    scope.authorize(actor, "plans.write")
    if plan.status == "superseded":
        abort(409, message=_("A superseded version cannot be changed."))
    return attachments.attach(actor, plan.unit_id, "plan", plan.id, upload)
