"""The hazard ledger (隐患台账) and police rectification orders (责令限期整改): recording,
rectification, verification, escalation and acknowledgement, each step kept in the history."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_smorest import abort

from anbao import scope
from anbao.attachments import service as attachments
from anbao.audit import service as audit
from anbao.extensions import db, utcnow
from anbao.i18n import gettext as _
from hazards.models import Hazard, HazardStep
from units.models import KeyPart, Unit
from units.service import today_in

FIELDS = ("order", "description", "severity", "source", "owner", "due_date", "location",
          "key_part_id", "legal_basis", "status", "escalated_to", "acknowledged_by")
# What each side may change by PATCH: the unit keeps its own hazards and says who fixes an
# order and where; the police word their order and set its deadline.
EDITABLE = {
    ("coordinator", False): {"description", "severity", "source", "owner", "due_date",
                             "location", "key_part_id"},
    ("coordinator", True): {"owner", "location", "key_part_id"},
    ("police", True): {"description", "severity", "due_date", "legal_basis"},
}
# 421号 Art 19 and GZ-(十七): fines once a unit ignores an order past its deadline (yuan)
PENALTY = {"unit_min": 10_000, "unit_max": 100_000, "person_min": 500, "person_max": 5_000}
DEFAULT_ORDER_SEVERITY = "high"

scope.allow("hazards.read", "admin", "police", "supervisor", "coordinator")
scope.allow("hazards.write", "coordinator")
scope.allow("hazards.order", "police")


def penalty_basis() -> str:
    return _("State Council Decree No. 421 (Regulations on Internal Security of Enterprises "
             "and Institutions), Art. 19; Guangzhou opinion on internal security, item (17): "
             "a unit that does not rectify by the deadline is fined 10,000 to 100,000 yuan, its "
             "principal and other directly responsible persons 500 to 5,000 yuan each.")


def invalid(field: str, message: str):
    abort(422, errors={"json": {field: [message]}})


def conflict(message: str):
    abort(409, message=message)


def is_overdue(hazard: Hazard, today: date) -> bool:
    return hazard.status == "open" and hazard.due_date < today


def penalty(hazard: Hazard, today: date) -> dict | None:
    """The fines an overdue order exposes the unit and its responsible persons to."""
    if not (hazard.order and is_overdue(hazard, today)):
        return None
    return {**PENALTY, "basis": penalty_basis()}


def get_hazard(actor, hazard_id: int) -> Hazard:
    """A hazard in scope (404 otherwise) that the actor's role may read (403 otherwise)."""
    hazard = scope.get_or_404(Hazard, hazard_id, actor)
    scope.authorize(actor, "hazards.read")
    return hazard


def visible(actor, hazard_id: int) -> bool:
    return scope.may(actor, "hazards.read") and scope.in_scope(Hazard, hazard_id, actor)


attachments.register_owner("hazard", visible)


def overdue_condition(zones: dict[str, date]) -> sa.ColumnElement[bool]:
    """Open and past the due date, each unit's today in its own zone (`zones`: zone → today)."""
    past = sa.or_(*(sa.and_(Unit.timezone == zone, Hazard.due_date < today)
                    for zone, today in zones.items())) if zones else sa.false()
    return sa.and_(Hazard.status == "open",
                   Hazard.unit_id.in_(sa.select(Unit.id).where(past)))


def todays(unit: Unit | None = None) -> dict[str, date]:
    """Today in the zone of `unit`, or in every zone of a unit (one short query)."""
    if unit is not None:
        return {unit.timezone: today_in(unit)}
    zones = db.session.scalars(sa.select(Unit.timezone).distinct()).all()
    return {zone: datetime.now(ZoneInfo(zone)).date() for zone in zones}


def hazards_query(actor, filters: dict, unit: Unit | None = None) -> sa.Select:
    """Hazards in scope, ascending id: of one unit, or of every unit the actor sees."""
    scope.authorize(actor, "hazards.read")
    stmt = sa.select(Hazard).order_by(Hazard.id)
    if unit is not None:
        stmt = stmt.where(Hazard.unit_id == unit.id)
    elif "unit_id" in filters:
        stmt = stmt.where(Hazard.unit_id == filters["unit_id"])
    for field in ("status", "severity", "source", "order", "escalated_to"):
        if field in filters:
            stmt = stmt.where(getattr(Hazard, field) == filters[field])
    if "overdue" in filters:
        overdue = overdue_condition(todays(unit))
        stmt = stmt.where(overdue if filters["overdue"] else sa.not_(overdue))
    if "acknowledged" in filters:
        # awaiting acknowledgement: escalated, not acknowledged, and not closed meanwhile
        stmt = stmt.where(Hazard.escalated_to.is_not(None),
                          Hazard.acknowledged_at.is_not(None) if filters["acknowledged"]
                          else sa.and_(Hazard.acknowledged_at.is_(None),
                                       Hazard.status != "closed"))
    return scope.scoped(stmt, Hazard, actor)


def _check_key_part(unit_id: int, key_part_id: int | None) -> None:
    if key_part_id is None:
        return
    part = db.session.get(KeyPart, key_part_id)
    if part is None or part.unit_id != unit_id:
        invalid("key_part_id", _("Not a key part of this unit."))


def _step(actor, hazard: Hazard, action: str, comment: str = "",
          attachment_ids: list[int] | None = None) -> None:
    db.session.add(HazardStep(hazard_id=hazard.id, unit_id=hazard.unit_id, action=action,
                              status=hazard.status, comment=comment or "",
                              attachment_ids=attachment_ids or [],
                              by=getattr(actor, "username", "") or "",
                              by_role=getattr(actor, "role", "") or ""))


def _record(actor, action: str, hazard: Hazard, before: dict | None, **detail) -> None:
    unit = hazard.unit
    audit.record(actor, action, "hazard", hazard.id, unit_id=hazard.unit_id,
                 jurisdiction_id=unit.jurisdiction_id if unit else None, before=before,
                 after=audit.snapshot(hazard, FIELDS), detail=detail or None)


def _create(actor, unit: Unit, data: dict, *, order: bool) -> Hazard:
    _check_key_part(unit.id, data.get("key_part_id"))
    hazard = Hazard(unit_id=unit.id, unit=unit, order=order, status="open",
                    created_by=getattr(actor, "username", "") or "", **data)
    db.session.add(hazard)
    db.session.flush()
    _step(actor, hazard, "create")
    db.session.flush()
    _record(actor, "create", hazard, None)
    return hazard


def create_hazard(actor, unit: Unit, data: dict) -> Hazard:
    """A hazard the unit found (self-inspection, a drill, a supervisor, ...)."""
    scope.authorize(actor, "hazards.write")
    return _create(actor, unit, data, order=False)


def issue_order(actor, unit: Unit, data: dict) -> Hazard:
    """A police rectification order: a hazard that only the police may verify."""
    scope.authorize(actor, "hazards.order")
    data = {"severity": DEFAULT_ORDER_SEVERITY, "owner": unit.responsible_person or "",
            **data, "source": "police_inspection"}
    return _create(actor, unit, data, order=True)


def inspection_finding(actor, unit: Unit, data: dict, order: bool) -> Hazard:
    """A finding of a police inspection: an order, or a hazard the unit verifies itself."""
    scope.authorize(actor, "hazards.order")
    data = {"owner": unit.responsible_person or "", **data, "source": "police_inspection"}
    if order:
        data.setdefault("severity", DEFAULT_ORDER_SEVERITY)
    return _create(actor, unit, data, order=order)


def update_hazard(actor, hazard: Hazard, data: dict) -> Hazard:
    """Correct a hazard; what each side may change is in EDITABLE (403 for anyone else)."""
    editable = EDITABLE.get((actor.role, hazard.order))
    if editable is None:
        scope.forbid()
    refused = sorted(set(data) - editable)
    if refused:
        abort(422, errors={"json": {field: [_("Your role may not change this here.")]
                                    for field in refused}})
    if hazard.status == "closed":
        conflict(_("The hazard is closed; record a new one instead."))
    if "key_part_id" in data:
        _check_key_part(hazard.unit_id, data["key_part_id"])
    before = audit.snapshot(hazard, FIELDS)
    changed = {field: value for field, value in data.items()
               if getattr(hazard, field) != value}
    for field, value in changed.items():
        setattr(hazard, field, value)
    if changed:
        _step(actor, hazard, "update", comment=", ".join(sorted(changed)))
        db.session.flush()
        _record(actor, "update", hazard, before)
    return hazard


def add_evidence(actor, hazard: Hazard, upload):
    """A photo or document showing the hazard or its rectification."""
    scope.authorize(actor, "hazards.write")
    if hazard.status == "closed":
        conflict(_("The hazard is closed: its evidence is final."))
    row = attachments.attach(actor, hazard.unit_id, "hazard", hazard.id, upload)
    _step(actor, hazard, "evidence", comment=row.filename, attachment_ids=[row.id])
    db.session.flush()
    db.session.expire(hazard, ["evidence"])
    return row


def rectify(actor, hazard: Hazard, measures: str, evidence_ids: list[int]) -> Hazard:
    """The unit reports the hazard fixed; it waits for verification."""
    scope.authorize(actor, "hazards.write")
    if hazard.status != "open":
        conflict(_("Only an open hazard can be reported rectified."))
    own = {row.id for row in hazard.evidence}
    unknown = [i for i in evidence_ids if i not in own]
    if unknown:
        invalid("evidence_ids", _("Not evidence of this hazard: %(ids)s.",
                                  ids=", ".join(map(str, unknown))))
    before = audit.snapshot(hazard, FIELDS)
    hazard.status = "rectified"
    hazard.measures = measures
    hazard.rectified_at = utcnow()
    hazard.rectified_by = actor.username
    _step(actor, hazard, "rectify", comment=measures, attachment_ids=evidence_ids)
    db.session.flush()
    _record(actor, "rectify", hazard, before, evidence_ids=evidence_ids)
    return hazard


def may_verify(actor, hazard: Hazard) -> bool:
    """Orders are verified by the police, the unit's own hazards by its coordinator."""
    return actor.role == ("police" if hazard.order else "coordinator")


def verify(actor, hazard: Hazard, accepted: bool, comment: str) -> Hazard:
    if not may_verify(actor, hazard):
        scope.forbid()
    if hazard.status != "rectified":
        conflict(_("Only a rectified hazard can be verified."))
    before = audit.snapshot(hazard, FIELDS)
    hazard.status = "closed" if accepted else "open"
    hazard.verified_at = utcnow()
    hazard.verified_by = actor.username
    hazard.verification_comment = comment
    _step(actor, hazard, "accept" if accepted else "reject", comment=comment)
    db.session.flush()
    _record(actor, "verify", hazard, before, accepted=accepted)
    return hazard


def escalate(actor, hazard: Hazard, to: str, reason: str) -> Hazard:
    """The unit cannot fix it alone: the supervisor or the police are told (and acknowledge)."""
    scope.authorize(actor, "hazards.write")
    if hazard.status == "closed":
        conflict(_("The hazard is closed; there is nothing to escalate."))
    before = audit.snapshot(hazard, FIELDS)
    hazard.escalated_to = to
    hazard.escalation_reason = reason
    hazard.escalated_at = utcnow()
    hazard.acknowledged_at = None
    hazard.acknowledged_by = None
    hazard.acknowledgement_comment = ""
    _step(actor, hazard, "escalate", comment=reason)
    db.session.flush()
    _record(actor, "escalate", hazard, before, to=to)
    return hazard


def may_acknowledge(actor, hazard: Hazard) -> bool:
    return (hazard.escalated_to is not None and hazard.acknowledged_at is None
            and actor.role == hazard.escalated_to)


def acknowledge(actor, hazard: Hazard, comment: str) -> Hazard:
    """The supervisor or police the hazard was escalated to confirm they have taken it up."""
    if actor.role not in ("supervisor", "police"):
        scope.forbid()
    if hazard.escalated_to is None:
        conflict(_("This hazard was never escalated."))
    if hazard.escalated_to != actor.role:
        scope.forbid()
    if hazard.acknowledged_at is not None:
        conflict(_("This escalation was already acknowledged by %(user)s.",
                   user=hazard.acknowledged_by))
    before = audit.snapshot(hazard, FIELDS)
    hazard.acknowledged_at = utcnow()
    hazard.acknowledged_by = actor.username
    hazard.acknowledgement_comment = comment
    _step(actor, hazard, "acknowledge", comment=comment)
    db.session.flush()
    _record(actor, "acknowledge", hazard, before)
    return hazard


def summary(actor, unit: Unit | None = None) -> dict[str, int]:
    """Counts for the ledger's tiles, in one statement: open, rectified (awaiting
    verification), overdue, overdue orders, escalations not yet acknowledged."""
    overdue = overdue_condition(todays(unit))
    stmt = hazards_query(actor, {}, unit).order_by(None).with_only_columns(
        sa.func.count(),
        sa.func.count().filter(Hazard.status == "open"),
        sa.func.count().filter(Hazard.status == "rectified"),
        sa.func.count().filter(overdue),
        sa.func.count().filter(sa.and_(overdue, Hazard.order.is_(True))),
        sa.func.count().filter(sa.and_(Hazard.escalated_to.is_not(None),
                                       Hazard.acknowledged_at.is_(None),
                                       Hazard.status != "closed")))
    row = db.session.execute(stmt).one()
    return dict(zip(("total", "open", "rectified", "overdue", "overdue_orders",
                     "escalated"), row))
