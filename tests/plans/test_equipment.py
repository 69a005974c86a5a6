"""A plan names the equipment it relies on; their shortage or expiry shows on the plan (API
field `equipment_alerts`, the plan page, the editor's checkboxes)."""
from datetime import timedelta

from anbao.extensions import db
from equipment import service as equipment
from plans.models import Plan
from tests.anbao.test_views import pages  # noqa: F401  (fixture)
from tests.conftest import count_queries
from tests.plans.test_views import coordinator_of, editor_form, make_plan
from units.service import today_in


def _item(unit, name, quantity, required=None, **fields):
    item = equipment.create_equipment(coordinator_of(unit), unit, {
        "category": "restraint", "name": name, "quantity": quantity,
        "required_quantity": required, **fields})
    db.session.commit()
    return item


def test_a_shortage_and_an_expiry_show_on_the_plan_until_fixed(api, world):
    unit = world.unit_a
    forks = _item(unit, "钢叉", 2, 4)
    kit = _item(unit, "急救箱", 1, 1, expires_on=today_in(unit) - timedelta(days=1))
    fine = _item(unit, "防暴盾牌", 3, 3)
    plan = make_plan(unit, equipment_ids=[forks.id, kit.id, fine.id])

    body = api.get(f"/plans/{plan.id}", as_=world.police_a).get_json()
    assert body["equipment_alerts"] == [
        {"equipment_id": forks.id, "name": "钢叉", "alerts": ["below_required"]},
        {"equipment_id": kit.id, "name": "急救箱", "alerts": ["expired"]}]

    api.post(f"/equipment/{forks.id}/movements", as_=world.coordinator_a,
             json={"delta": 2, "reason": "采购入库"})
    api.patch(f"/equipment/{kit.id}", as_=world.coordinator_a,
              json={"expires_on": (today_in(unit) + timedelta(days=400)).isoformat()})
    assert api.get(f"/plans/{plan.id}", as_=world.coordinator_a).get_json()[
        "equipment_alerts"] == []


def test_the_plan_list_reads_the_equipment_of_a_page_in_one_query(api, world):
    unit = world.unit_a
    items = [_item(unit, f"钢叉 {n}", 0, 1) for n in range(6)]

    def statements(plans: int) -> int:
        for n in range(plans):
            make_plan(unit, scenario=("theft_robbery", "sabotage", "accident", "terror_attack",
                                      "extreme_individual")[n % 5],
                      level=("comprehensive", "special", "onsite")[n // 5],
                      title=f"预案 {n}", equipment_ids=[i.id for i in items[:n + 1]])
        api.get(f"/units/{unit.id}/plans", as_=world.coordinator_a)  # warm caches
        with count_queries() as n:
            rows = api.get(f"/units/{unit.id}/plans", as_=world.coordinator_a).get_json()
        assert all(len(r["equipment_alerts"]) == len(r["equipment_ids"]) for r in rows)
        return n()

    few = statements(2)
    db.session.query(Plan).delete()
    db.session.commit()
    assert statements(6) == few


def test_the_plan_page_warns_and_lists_the_equipment(pages, world):
    unit = world.unit_a
    forks = _item(unit, "钢叉", 1, 4)
    shields = _item(unit, "防暴盾牌", 3, 3)
    plan = make_plan(unit, equipment_ids=[forks.id, shields.id])
    pages.login(world.coordinator_a, language="zh_CN")
    html = pages.html(f"/plans/{plan.id}")
    assert 'data-testid="equipment-warning"' in html
    warning = html.split('data-testid="equipment-warning"')[1].split("</div>\n</div>")[0]
    assert "钢叉" in warning and "防暴盾牌" not in warning
    assert html.count('data-testid="relied-on"') == 2

    fine = make_plan(unit, scenario="sabotage", equipment_ids=[shields.id])
    assert 'data-testid="equipment-warning"' not in pages.html(f"/plans/{fine.id}")


def test_the_editor_names_the_equipment_by_checkboxes(pages, world):
    unit = world.unit_a
    forks = _item(unit, "钢叉", 4, 4)
    shields = _item(unit, "防暴盾牌", 3, 3)
    plan = make_plan(unit, equipment_ids=[forks.id])
    pages.login(world.coordinator_a)
    html = pages.html(f"/plans/{plan.id}/edit")
    assert html.count('data-testid="equipment-choice"') == 2
    assert f'value="{forks.id}" id="f-equipment-{forks.id}" checked' in html

    form = editor_form(html)
    response = pages.post(f"/plans/{plan.id}/edit", {
        **form, "equipment-shown": "1", "equipment_ids": [str(forks.id), str(shields.id)]})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).equipment_ids == [forks.id, shields.id]

    # none ticked: the plan names none
    form = editor_form(pages.html(f"/plans/{plan.id}/edit"))
    assert pages.post(f"/plans/{plan.id}/edit", {**form, "equipment-shown": "1"}
                      ).status_code == 302
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).equipment_ids == []


def test_the_editor_refuses_another_units_equipment(pages, world):
    theirs = _item(world.unit_b, "钢叉", 1, 1)
    plan = make_plan(world.unit_a)
    pages.login(world.coordinator_a)
    form = editor_form(pages.html(f"/plans/{plan.id}/edit"))
    response = pages.post(f"/plans/{plan.id}/edit", {
        **form, "equipment-shown": "1", "equipment_ids": [str(theirs.id)]})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).equipment_ids == []
