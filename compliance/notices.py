"""Who the daily sweep tells about compliance (DESIGN.md §2 Reminders): the coordinators of
each obligation turning due soon or overdue, again every 7 days while overdue; the police of
the jurisdiction, in one digest a day each, of the units that turned non-compliant."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from anbao.auth.models import User
from anbao.extensions import UTCDateTime, db, dialect_insert
from anbao.outbox import service as outbox
from anbao.outbox.models import Notification
from compliance import rules
from compliance.models import UnitState
from compliance.service import Result, evaluate
from reports import periods
from plans.labels import plan_label
from plans.models import Plan
from units.models import Jurisdiction, Unit

# told by their own notices (hazards.notices, equipment.notices), item by item
OWN_NOTICES = {"HAZARD", "EQUIPMENT"}
REPEAT_DAYS = 7


def sweep(now: datetime) -> int:
    units = db.session.scalars(sa.select(Unit).order_by(Unit.id)
                               .options(selectinload(Unit.campuses))).all()
    results = evaluate(units, at=now)
    queued = _obligations(results, now)
    _record_states(results, now)
    return queued + _digests({r.unit.id: r for r in results}, now)


def _subjects(results: list[Result]):
    """What an item's subject stands for, in words: a scenario, a plan's title, a period."""
    plan_ids = {int(item.subject) for r in results for item in r.items
                if item.rule == "PLAN-REVIEW" and item.subject}
    titles = dict(db.session.execute(sa.select(Plan.id, Plan.title)
                                     .where(Plan.id.in_(plan_ids))).all()) if plan_ids else {}

    def words(item, unit):
        if item.rule == "PLAN-REVIEW" and item.subject:
            return titles.get(int(item.subject), item.subject)
        if item.rule == "REPORT":
            return periods.words(item.subject)
        return plan_label("scenario", item.subject) if item.subject else None
    return words


def _obligations(results: list[Result], now: datetime) -> int:
    told = outbox.coordinators(r.unit.id for r in results)
    words = _subjects(results)
    queue = outbox.Queue(now)
    for result in results:
        link = outbox.link("compliance_views.unit_compliance", unit_id=result.unit.id)
        for item in result.items:
            if item.rule in OWN_NOTICES or item.due_date is None:
                continue
            if item.status == "due_soon":
                kind, period = "obligation_due_soon", item.due_date.isoformat()
            elif item.status == "overdue":
                late = (result.as_of - item.due_date).days - 1
                kind = "obligation_overdue"
                period = f"{item.due_date.isoformat()}+{late // REPEAT_DAYS}"
            else:
                continue
            for recipient in told.get(result.unit.id, []):
                queue.add(recipient, kind, f"{result.unit.id}:{item.rule}:{item.subject or ''}",
                          period, unit_id=result.unit.id, link=link, unit=result.unit,
                          rule=rules.RULES[item.rule], due=item.due_date,
                          subject=words(item, result.unit))
    return queue.send()


def _record_states(results: list[Result], now: datetime) -> None:
    """Each unit's status now; `changed_at` moves only when the status changes."""
    known = dict(db.session.execute(sa.select(UnitState.unit_id, UnitState.status)).all())
    table = UnitState.__table__
    for result in results:
        status = result.status
        if known.get(result.unit.id) == status:
            continue
        statement = dialect_insert(table).values(unit_id=result.unit.id, status=status,
                                                 changed_at=now)
        # typed: an untyped aware instant would be stored as its wall-clock time (SQLite) or
        # converted to the database session's zone (PostgreSQL), not as naive UTC
        changed_at = sa.literal(now, UTCDateTime)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=[table.c.unit_id],
            set_={"status": status,
                  "changed_at": sa.case((table.c.status != status, changed_at),
                                        else_=table.c.changed_at)}))


def _digests(results: dict[int, Result], now: datetime) -> int:
    """One message a day to each police user listing the units in their jurisdiction that
    turned non-compliant since their previous digest (or within the last day)."""
    police = db.session.scalars(sa.select(User).where(
        User.role == "police", User.active.is_(True), User.jurisdiction_id.is_not(None))
        .order_by(User.id)).all()
    if not police:
        return 0
    turned = db.session.execute(
        sa.select(Unit, Jurisdiction.path, UnitState.changed_at)
        .join(UnitState, UnitState.unit_id == Unit.id)
        .join(Jurisdiction, Jurisdiction.id == Unit.jurisdiction_id)
        .where(UnitState.status == "non_compliant")
        .order_by(Unit.id)).all()
    if not turned:
        return 0
    paths = dict(db.session.execute(sa.select(Jurisdiction.id, Jurisdiction.path)).all())
    previous = dict(db.session.execute(
        sa.select(Notification.user_id, sa.func.max(Notification.created_at))
        .where(Notification.kind == "compliance_digest").group_by(Notification.user_id)).all())
    bad = {"overdue", "missing", "non_compliant"}
    failing = {unit.id: list(dict.fromkeys(rules.RULES[i.rule].title
                                           for i in results[unit.id].items if i.status in bad))
               for unit, _path, _at in turned if unit.id in results}
    day = now.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date().isoformat()
    queued = 0
    for user in police:
        since = previous.get(user.id) or now - timedelta(days=1)
        root = paths.get(user.jurisdiction_id)
        units = [(unit, failing[unit.id]) for unit, path, changed_at in turned
                 if unit.id in failing and root is not None and path.startswith(root)
                 and since < changed_at <= now]
        if units:
            queued += outbox.notify(
                outbox.of_user(user), "compliance_digest", f"jurisdiction:{user.jurisdiction_id}",
                day, now=now, link=outbox.link("compliance_views.overview",
                                               status="non_compliant"), units=units)
    return queued

