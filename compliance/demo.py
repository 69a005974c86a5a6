"""Demo units that show the remaining compliance statuses: a small enterprise that meets
every rule that applies to it (compliant) and a library whose fire extinguishers expire within
the month (attention). The key units of the earlier demos fall short (non-compliant)."""
from datetime import timedelta

from anbao.system import stand_in
from equipment import service as equipment
from units import creditcode
from units import service as units
from units.service import today_in


def load(actor, context: dict) -> None:
    places = context["jurisdictions"]
    firm = units.create_unit(actor, {
        "name": "广州天河云帆软件有限公司", "credit_code": creditcode.make("91440106MA5CXY123"),
        "category": "enterprise", "jurisdiction_id": places["tianhe"].id,
        "address": "广州市天河区软件路 11 号", "headcount": 60, "responsible_person": "周总"})
    library = units.create_unit(actor, {
        "name": "广州市越秀区图书馆", "credit_code": creditcode.make("12440104MB0L12345"),
        "category": "other", "jurisdiction_id": places["yuexiu"].id,
        "address": "广州市越秀区中山四路 42 号", "headcount": 45, "responsible_person": "吴馆长"})
    # GZ-(六)1: two security staff for a unit of 200 people or fewer
    for unit in (firm, library):
        for name, role in (("安全员甲", "security_full_time"), ("安全员乙", "security_part_time")):
            units.create_person(actor, unit, {"name": f"{unit.responsible_person[0]}{name}",
                                              "role": role})
    keeper = stand_in("coordinator", unit=library)
    equipment.create_equipment(keeper, library, {
        "category": "fire", "name": "灭火器", "quantity": 12, "required_quantity": 12,
        "location": "各楼层消防箱", "expires_on": today_in(library) + timedelta(days=20)})
    context["units"].update(firm=firm, library=library)
