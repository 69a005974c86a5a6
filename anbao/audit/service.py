"""Write and read audit events."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from anbao import scope
from anbao.audit.models import AuditEvent
from anbao.extensions import db
from units.models import Unit


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def snapshot(obj, fields) -> dict:
    """The audited fields of a record, as JSON-ready values."""
    return {f: _plain(getattr(obj, f)) for f in fields}


def changes(before: dict | None, after: dict | None) -> dict:
    """Only what differs: {"before": {...}, "after": {...}}."""
    before, after = _plain(before or {}), _plain(after or {})
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return {"before": {k: before.get(k) for k in keys if k in before},
            "after": {k: after.get(k) for k in keys if k in after}}


def record(actor, action: str, entity: str, entity_id: int | None, *, before=None, after=None,
           unit_id: int | None = None, jurisdiction_id: int | None = None,
           detail: dict | None = None) -> AuditEvent:
    """Add an audit event to the session (committed with the request)."""
    diff = changes(before, after) if (before is not None or after is not None) else {}
    if detail:
        diff.update(_plain(detail))
    event = AuditEvent(user_id=getattr(actor, "id", None),
                       username=getattr(actor, "username", "") or "",
                       action=action, entity=entity, entity_id=entity_id,
                       unit_id=unit_id, jurisdiction_id=jurisdiction_id, changes=diff)
    db.session.add(event)
    return event


def events_query(actor, unit_id: int | None = None, since: datetime | None = None) -> sa.Select:
    """Audit events the actor may read, oldest first."""
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id).options(selectinload(AuditEvent.unit))
    if actor.role != "admin":
        stmt = stmt.where(AuditEvent.unit_id.in_(
            sa.select(Unit.id).where(scope.unit_condition(actor))))
    if unit_id is not None:
        stmt = stmt.where(AuditEvent.unit_id == unit_id)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    return stmt
