"""Police inspections (检查) whose findings become hazards or orders, and random spot checks
drawn with a recorded seed (GZ-(十七)): the same seed over the same units draws the same
units, so a draw can be repeated and audited."""
import random
import secrets

import sqlalchemy as sa
from flask_smorest import abort

from anbao import scope
from anbao.audit import service as audit
from anbao.extensions import db
from anbao.i18n import gettext as _
from hazards import service as hazards
from reports.models import Inspection, SpotCheck
from units.models import Jurisdiction, Unit

scope.allow("inspections.read", "admin", "police", "supervisor", "coordinator")
scope.allow("inspections.write", "police")
scope.allow("spot_checks", "police")
MAX_SEED = 2**53  # exact in JSON numbers everywhere


def inspections_query(actor, unit: Unit) -> sa.Select:
    scope.authorize(actor, "inspections.read")
    return scope.scoped(sa.select(Inspection).where(Inspection.unit_id == unit.id)
                        .order_by(Inspection.id), Inspection, actor)


def get_inspection(actor, inspection_id: int) -> Inspection:
    inspection = scope.get_or_404(Inspection, inspection_id, actor)
    scope.authorize(actor, "inspections.read")  # in scope first: 404 never turns into 403
    return inspection


def inspect(actor, unit: Unit, data: dict) -> Inspection:
    scope.authorize(actor, "inspections.write")
    if data.get("spot_check_id") is not None:
        check = db.session.get(SpotCheck, data["spot_check_id"])
        if check is None or unit.id not in check.unit_ids or \
                not scope.in_scope(Jurisdiction, check.jurisdiction_id, actor):
            abort(422, errors={"json": {"spot_check_id": [
                _("Not a spot check that drew this unit.")]}})
    inspection = Inspection(unit_id=unit.id, unit=unit, kind=data["kind"],
                            inspected_on=data["inspected_on"], summary=data["summary"],
                            spot_check_id=data.get("spot_check_id"),
                            inspector=actor.username or "")
    db.session.add(inspection)
    db.session.flush()
    found = []
    for finding in data.get("findings") or []:
        finding = dict(finding)
        order = finding.pop("order", False)
        found.append(hazards.inspection_finding(actor, unit, finding, order).id)
    inspection.hazard_ids = found
    db.session.flush()
    audit.record(actor, "create", "inspection", inspection.id, unit_id=unit.id,
                 after={"kind": inspection.kind, "inspected_on": inspection.inspected_on,
                        "hazard_ids": found})
    return inspection


def draw(seed: int, candidates: list[int], count: int) -> list[int]:
    """The draw itself: the candidates in ascending id, shuffled by the seed."""
    pool = sorted(candidates)
    return sorted(random.Random(seed).sample(pool, min(count, len(pool))))


def spot_check(actor, data: dict) -> SpotCheck:
    scope.authorize(actor, "spot_checks")
    root = db.session.get(Jurisdiction, data["jurisdiction_id"])
    if root is None or not scope.in_scope(Jurisdiction, root.id, actor):
        abort(422, errors={"json": {"jurisdiction_id": [_("Not a jurisdiction you oversee.")]}})
    stmt = sa.select(Unit.id).where(Unit.jurisdiction_id.in_(
        sa.select(Jurisdiction.id).where(
            Jurisdiction.path.startswith(root.path, autoescape=True))))
    if data.get("category"):
        stmt = stmt.where(Unit.category == data["category"])
    candidates = sorted(db.session.scalars(scope.scoped(stmt, Unit, actor)))
    seed = data.get("seed")
    if seed is None:
        seed = secrets.randbelow(MAX_SEED)
    check = SpotCheck(jurisdiction_id=root.id, category=data.get("category"),
                      count=data["count"], seed=seed, candidate_ids=candidates,
                      unit_ids=draw(seed, candidates, data["count"]),
                      drawn_by=actor.username or "")
    db.session.add(check)
    db.session.flush()
    audit.record(actor, "draw", "spot_check", check.id, jurisdiction_id=root.id,
                 after={"seed": seed, "count": check.count, "category": check.category,
                        "candidate_ids": candidates, "unit_ids": check.unit_ids})
    return check


def spot_checks_query(actor) -> sa.Select:
    scope.authorize(actor, "spot_checks")
    return scope.scoped(sa.select(SpotCheck).order_by(SpotCheck.id), SpotCheck, actor)
