"""Equipment: items, movements applied atomically, inspections, alerts as of a day."""
import json
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_smorest import abort

from anbao import scope
from anbao.audit import service as audit
from anbao.extensions import db
from anbao.i18n import gettext as _
from equipment.models import Equipment, Inspection, Movement
from units.models import KeyPart, Unit
from units.service import today_in

FIELDS = ("category", "name", "quantity", "required_quantity", "location", "key_part_id",
          "expires_on", "next_inspection_on")
SOON = timedelta(days=30)
MAX_QUANTITY = 10_000_000  # as the schemas allow; keeps the INTEGER column far from overflow
RECOMMENDED = Path(__file__).parent / "recommended"

scope.allow("equipment.write", "coordinator")


def invalid(field: str, message: str):
    abort(422, errors={"json": {field: [message]}})


def alerts(item: Equipment, today: date) -> list[str]:
    """What is wrong or soon due with an item on `today` (DESIGN.md §3 EQUIPMENT)."""
    found = []
    if item.required_quantity is not None and item.quantity < item.required_quantity:
        found.append("below_required")
    if item.expires_on is not None:
        if item.expires_on < today:
            found.append("expired")
        elif item.expires_on <= today + SOON:
            found.append("expiring_soon")
    if item.next_inspection_on is not None:
        if item.next_inspection_on < today:
            found.append("inspection_overdue")
        elif item.next_inspection_on <= today + SOON:
            found.append("inspection_due_soon")
    return found


ALERT_CONDITIONS = {
    "below_required": lambda today: sa.and_(Equipment.required_quantity.is_not(None),
                                            Equipment.quantity < Equipment.required_quantity),
    "expired": lambda today: Equipment.expires_on < today,
    "inspection_overdue": lambda today: Equipment.next_inspection_on < today,
}


def equipment_query(actor, unit: Unit, filters: dict) -> sa.Select:
    stmt = sa.select(Equipment).where(Equipment.unit_id == unit.id).order_by(Equipment.id)
    if "alert" in filters:
        stmt = stmt.where(ALERT_CONDITIONS[filters["alert"]](today_in(unit)))
    if "category" in filters:
        stmt = stmt.where(Equipment.category == filters["category"])
    return scope.scoped(stmt, Equipment, actor)


def _check_key_part(unit_id: int, key_part_id: int | None) -> None:
    if key_part_id is None:
        return
    part = db.session.get(KeyPart, key_part_id)
    if part is None or part.unit_id != unit_id:
        invalid("key_part_id", _("Not a key part of this unit."))


def _record_movement(actor, item: Equipment, delta: int, after: int, reason: str) -> Movement:
    movement = Movement(equipment_id=item.id, unit_id=item.unit_id, delta=delta,
                        quantity_after=after, reason=reason,
                        by_user_id=getattr(actor, "id", None),
                        by=getattr(actor, "username", "") or "")
    db.session.add(movement)
    return movement


def create_equipment(actor, unit: Unit, data: dict) -> Equipment:
    """A new item; its opening quantity is the ledger's first movement."""
    scope.authorize(actor, "equipment.write")
    _check_key_part(unit.id, data.get("key_part_id"))
    item = Equipment(unit_id=unit.id, **data)
    db.session.add(item)
    db.session.flush()
    _record_movement(actor, item, item.quantity, item.quantity, _("Opening balance"))
    db.session.flush()
    audit.record(actor, "create", "equipment", item.id, unit_id=unit.id,
                 after=audit.snapshot(item, FIELDS))
    return item


def update_equipment(actor, item: Equipment, data: dict) -> Equipment:
    scope.authorize(actor, "equipment.write")
    if "key_part_id" in data:
        _check_key_part(item.unit_id, data["key_part_id"])
    before = audit.snapshot(item, FIELDS)
    for field, value in data.items():
        setattr(item, field, value)
    db.session.flush()
    audit.record(actor, "update", "equipment", item.id, unit_id=item.unit_id, before=before,
                 after=audit.snapshot(item, FIELDS))
    return item


def move(actor, item: Equipment, delta: int, reason: str) -> Movement:
    """Change the quantity by `delta` in one conditional UPDATE, so concurrent withdrawals
    can never take the stock below 0 or lose one another (409 when it would go below 0)."""
    scope.authorize(actor, "equipment.write")
    after = db.session.execute(
        sa.update(Equipment)
        .where(Equipment.id == item.id, Equipment.quantity + delta >= 0,
               Equipment.quantity + delta <= MAX_QUANTITY)
        .values(quantity=Equipment.quantity + delta)
        .returning(Equipment.quantity)
        .execution_options(synchronize_session=False)).scalar()
    if after is None:
        if delta > 0:
            abort(409, message=_("The quantity cannot exceed %(limit)s.", limit=MAX_QUANTITY))
        abort(409, message=_("Not enough in stock: the quantity cannot go below 0."))
    db.session.expire(item, ["quantity"])
    movement = _record_movement(actor, item, delta, after, reason)
    db.session.flush()
    audit.record(actor, "move", "equipment", item.id, unit_id=item.unit_id,
                 before={"quantity": after - delta}, after={"quantity": after},
                 detail={"reason": reason})
    return movement


def movements(item: Equipment) -> list[Movement]:
    return db.session.scalars(sa.select(Movement).where(Movement.equipment_id == item.id)
                              .order_by(Movement.id)).all()


def inspect(actor, item: Equipment, data: dict) -> Inspection:
    """Record an inspection; its next date becomes the item's."""
    scope.authorize(actor, "equipment.write")
    inspection = Inspection(equipment_id=item.id, unit_id=item.unit_id,
                            by_user_id=getattr(actor, "id", None),
                            by=getattr(actor, "username", "") or "", **data)
    db.session.add(inspection)
    before = audit.snapshot(item, ("next_inspection_on",))
    if "next_inspection_on" in data:
        item.next_inspection_on = data["next_inspection_on"]
    db.session.flush()
    audit.record(actor, "inspect", "equipment", item.id, unit_id=item.unit_id, before=before,
                 after=audit.snapshot(item, ("next_inspection_on",)),
                 detail={"result": inspection.result, "inspected_on": inspection.inspected_on})
    return inspection


def unknown_ids(unit_id: int, ids: list[int]) -> list[int]:
    """Which of these ids name no equipment of the unit (for plans' equipment_ids)."""
    if not ids:
        return []
    known = set(db.session.scalars(sa.select(Equipment.id).where(
        Equipment.unit_id == unit_id, Equipment.id.in_(ids))))
    return [i for i in ids if i not in known]


def linked(plans: list) -> dict[int, list[Equipment]]:
    """The equipment each plan relies on (`equipment_ids`, in that order), in one query."""
    ids = {i for plan in plans for i in plan.equipment_ids or []}
    items = {item.id: item for item in db.session.scalars(
        sa.select(Equipment).where(Equipment.id.in_(ids)))} if ids else {}
    return {plan.id: [items[i] for i in plan.equipment_ids or [] if i in items]
            for plan in plans}


def inspections(item: Equipment) -> list[Inspection]:
    return db.session.scalars(sa.select(Inspection).where(Inspection.equipment_id == item.id)
                              .order_by(Inspection.id)).all()


def recommended(category: str, language: str) -> list[dict]:
    """The recommended set of a unit category (equipment/recommended/<category>.json), names
    in `language` (`zh_CN` or `en`)."""
    path = RECOMMENDED / f"{category}.json"
    if not path.is_file():
        path = RECOMMENDED / "other.json"
    items = json.loads(path.read_text(encoding="utf-8"))
    return [{"category": item["category"],
             "name": item["name"].get(language) or item["name"]["zh_CN"],
             "required_quantity": item["required_quantity"], "basis": item["basis"]}
            for item in items]


def load_recommended(actor, unit: Unit, language: str) -> list[Equipment]:
    """Load the recommended set of the unit's category as required quantities: an item of the
    unit with the same name gets the set's required quantity; any other becomes a new item
    with quantity 0, whose ledger opens with a movement of 0 like every item's. Loading twice
    changes nothing the second time."""
    scope.authorize(actor, "equipment.write")
    existing: dict[str, list[Equipment]] = {}
    for item in db.session.scalars(sa.select(Equipment).where(Equipment.unit_id == unit.id)
                                   .order_by(Equipment.id)):
        existing.setdefault(item.name, []).append(item)
    for entry in recommended(unit.category, language):
        same = existing.get(entry["name"])
        if same:
            for item in same:
                if item.required_quantity != entry["required_quantity"]:
                    update_equipment(actor, item,
                                     {"required_quantity": entry["required_quantity"]})
        else:
            existing[entry["name"]] = [create_equipment(actor, unit, {
                "category": entry["category"], "name": entry["name"], "quantity": 0,
                "required_quantity": entry["required_quantity"]})]
    return db.session.scalars(sa.select(Equipment).where(Equipment.unit_id == unit.id)
                              .order_by(Equipment.id)).all()
