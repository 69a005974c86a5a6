"""Demo equipment: the school's recommended set with a ledger of movements, one item expired,
one past its inspection, one below its required quantity, a plan that relies on some of it;
a few items for the hospital and the bank."""
from datetime import timedelta

import sqlalchemy as sa

from anbao.extensions import db
from anbao.system import stand_in
from equipment import service
from plans import service as plans
from plans.models import Plan
from units.models import KeyPart
from units.service import today_in


def _coordinator(unit):
    """Equipment is kept by a unit's coordinator; the demo stands in for one."""
    return stand_in("coordinator", unit=unit)


def _item(actor, unit, category, name, quantity, required=None, **fields):
    return service.create_equipment(actor, unit, {
        "category": category, "name": name, "quantity": quantity,
        "required_quantity": required, **fields})


def _school(school) -> None:
    actor = _coordinator(school)
    today = today_in(school)
    items = {item.name: item for item in service.load_recommended(actor, school, "zh_CN")}
    gate = db.session.scalar(sa.select(KeyPart).where(KeyPart.unit_id == school.id)
                             .order_by(KeyPart.id))
    for name, item in items.items():
        # stocked to the recommended number, except the cut-resistant gloves: two short
        stock = item.required_quantity - (2 if name == "防割手套" else 0)
        service.move(actor, item, stock, "采购入库")
        changes = {"location": "东校区门卫室"}
        if gate is not None and item.category in ("restraint", "protective", "barrier"):
            changes["key_part_id"] = gate.id
        service.update_equipment(actor, item, changes)
    if "钢叉" in items:
        service.move(actor, items["钢叉"], -2, "综合演练领用")
        service.move(actor, items["钢叉"], 2, "演练结束归还")
    if "急救箱" in items:  # expired
        service.update_equipment(actor, items["急救箱"],
                                 {"expires_on": today - timedelta(days=12)})
    if "一键报警装置（联网公安）" in items:  # inspection overdue
        service.update_equipment(actor, items["一键报警装置（联网公安）"],
                                 {"next_inspection_on": today - timedelta(days=9)})
    if "灭火器" in items:
        service.inspect(actor, items["灭火器"], {
            "inspected_on": today - timedelta(days=20), "result": "ok",
            "note": "压力正常，铅封完好", "next_inspection_on": today + timedelta(days=10)})
        service.update_equipment(actor, items["灭火器"],
                                 {"expires_on": today + timedelta(days=365 * 3)})

    draft = db.session.scalar(sa.select(Plan).where(
        Plan.unit_id == school.id, Plan.status == "draft").order_by(Plan.id))
    linked = [items[n].id for n in ("钢叉", "防暴盾牌", "一键报警装置（联网公安）") if n in items]
    if draft is not None and linked:
        plans.update_plan(actor, draft, {"equipment_ids": linked})


def _hospital(hospital) -> None:
    actor = _coordinator(hospital)
    today = today_in(hospital)
    _item(actor, hospital, "restraint", "钢叉", 6, 6, location="急诊科警务室")
    _item(actor, hospital, "protective", "防暴盾牌", 4, 6, location="急诊科警务室")
    _item(actor, hospital, "medical", "自动体外除颤器（AED）", 2, 2, location="门诊大厅",
          next_inspection_on=today + timedelta(days=45))
    _item(actor, hospital, "detection", "安检门", 1, 1, location="门诊楼正门",
          next_inspection_on=today + timedelta(days=20))


def _bank(bank) -> None:
    actor = _coordinator(bank)
    today = today_in(bank)
    _item(actor, bank, "communication", "一键报警装置（联网公安）", 2, 2, location="营业厅柜台",
          next_inspection_on=today + timedelta(days=60))
    _item(actor, bank, "restraint", "钢叉", 2, 2, location="营业厅")
    _item(actor, bank, "fire", "灭火器", 8, 8, location="营业厅、现金区",
          expires_on=today + timedelta(days=25))


def load(actor, context: dict) -> None:
    units = context["units"]
    _school(units["school"])
    _hospital(units["hospital"])
    _bank(units["bank"])
    db.session.flush()
