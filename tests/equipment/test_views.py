"""Pages of emergency equipment (equipment.views): ledger, item, forms, XLSX export."""
import io
import re
from datetime import datetime, timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from anbao.audit.models import AuditEvent
from anbao.extensions import db
from equipment import service as equipment
from equipment.models import Equipment, Inspection, Movement
from tests.accessibility import uncaptioned, unlabelled
from tests.anbao.test_views import error_of, pages  # noqa: F401  (fixture)
from tests.plans.test_views import coordinator_of
from units.service import today_in

ETAG = re.compile(r'name="etag" value="([^"]+)"')


def make_item(unit, **fields):
    data = {"category": "restraint", "name": "钢叉", "quantity": 4, "required_quantity": 6,
            **fields}
    item = equipment.create_equipment(coordinator_of(unit), unit, data)
    db.session.commit()
    return item


def item_form(**fields):
    return {"category": "protective", "name": "防刺背心", "quantity": "10",
            "required_quantity": "8", "location": "东门岗亭", "key_part_id": "",
            "expires_on": "", "next_inspection_on": "", **fields}


# The ledger

def test_the_ledger_shows_items_with_alert_badges_in_words(world, pages):
    today = today_in(world.unit_a)
    make_item(world.unit_a, expires_on=today - timedelta(days=1),
              key_part_id=world.key_part_a.id)
    make_item(world.unit_a, name="急救箱", category="medical", quantity=2, required_quantity=2,
              next_inspection_on=today + timedelta(days=5))
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/equipment")
    assert html.count('data-testid="equipment-row"') == 2
    assert "钢叉" in html and "急救箱" in html and "东门" in html
    assert 'data-alert="below_required"' in html and "Below required" in html
    assert 'data-alert="expired"' in html and "Expired" in html
    assert 'data-alert="inspection_due_soon"' in html and "Inspection due within 30 days" in html
    assert 'data-testid="shortfall"' in html and "2 short" in html
    assert 'data-testid="add-item"' in html and 'data-testid="row-edit"' in html


def test_the_ledger_filters_by_category_and_alert(world, pages):
    make_item(world.unit_a)
    make_item(world.unit_a, name="急救箱", category="medical", quantity=2, required_quantity=1)
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/equipment?category=medical")
    assert "急救箱" in html and "钢叉" not in html
    html = pages.html(f"/units/{world.unit_a.id}/equipment?alert=below_required")
    assert "钢叉" in html and "急救箱" not in html
    html = pages.html(f"/units/{world.unit_a.id}/equipment?alert=nonsense")
    assert html.count('data-testid="equipment-row"') == 2


def test_an_empty_ledger_says_what_to_do(world, pages):
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/equipment")
    assert 'data-testid="empty-state"' in html and "Add the first item" in html


def test_police_and_staff_read_without_forms_other_units_do_not_exist(world, pages):
    item = make_item(world.unit_a)
    for user in (world.police_a, world.staff_a):
        if pages.token:
            pages.post("/logout")
        pages.login(user)
        html = pages.html(f"/units/{world.unit_a.id}/equipment")
        assert "钢叉" in html and 'data-testid="add-item"' not in html
        assert 'data-testid="row-edit"' not in html
        html = pages.html(f"/equipment/{item.id}")
        assert "钢叉" in html and 'data-testid="move-form"' not in html
        assert 'data-testid="inspect-form"' not in html and 'data-testid="edit-item"' not in html
        assert pages.get(f"/units/{world.unit_a.id}/equipment/new").status_code == 403
    pages.post("/logout")
    pages.login(world.coordinator_b)
    pages.html(f"/units/{world.unit_a.id}/equipment", status=404)
    pages.html(f"/equipment/{item.id}", status=404)
    pages.html(f"/units/{world.unit_a.id}/equipment.xlsx", status=404)
    pages.post("/logout")
    pages.login(world.police_b)
    pages.html(f"/equipment/{item.id}", status=404)


def test_the_menu_has_the_ledger_for_unit_users(world, pages):
    pages.login(world.staff_a)
    html = pages.html(f"/units/{world.unit_a.id}/equipment")
    assert re.search(r'class="nav-link active"\s+aria-current="page" href="/units/%d/equipment"'
                     % world.unit_a.id, html)


# The item form

def test_adding_an_item_shows_field_errors_then_succeeds(world, pages):
    pages.login(world.coordinator_a)
    url = f"/units/{world.unit_a.id}/equipment/new"
    assert 'data-testid="item-form"' in pages.html(url)
    response = pages.post(url, data=item_form(quantity="-3", name="", category=""))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, "quantity") and error_of(html, "name") and error_of(html, "category")
    assert 'value="东门岗亭"' in html  # the input is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Equipment)) == 0
    response = pages.post(url, data=item_form(key_part_id=str(world.key_part_a.id),
                                              expires_on="2030-01-31"))
    assert response.status_code == 302
    item = db.session.scalars(sa.select(Equipment)).one()
    assert (item.name, item.quantity, item.required_quantity, item.key_part_id) == (
        "防刺背心", 10, 8, world.key_part_a.id)
    assert str(item.expires_on) == "2030-01-31"
    html = pages.html(response.headers["Location"])
    assert 'data-testid="movement-row"' in html and "+10" in html


def test_a_key_part_of_another_unit_is_refused_next_to_the_field(world, pages):
    pages.login(world.coordinator_a)
    response = pages.post(f"/units/{world.unit_a.id}/equipment/new",
                          data=item_form(key_part_id=str(world.key_part_b.id)))
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "key_part_id")


def test_editing_carries_the_etag_and_a_stale_form_keeps_the_input(world, pages):
    item = make_item(world.unit_a)
    pages.login(world.coordinator_a)
    html = pages.html(f"/equipment/{item.id}/edit")
    etag = ETAG.search(html).group(1).replace("&#34;", '"')
    assert 'name="quantity"' not in html
    equipment.update_equipment(coordinator_of(world.unit_a), item, {"location": "仓库"})
    db.session.commit()
    form = item_form(category="restraint", name="钢叉（长）", required_quantity="5", etag=etag)
    response = pages.post(f"/equipment/{item.id}/edit", data=form)
    assert response.status_code == 409
    assert 'value="钢叉（长）"' in response.get_data(as_text=True)
    fresh = ETAG.search(response.get_data(as_text=True)).group(1).replace("&#34;", '"')
    response = pages.post(f"/equipment/{item.id}/edit", data={**form, "etag": fresh})
    assert response.status_code == 302
    db.session.refresh(item)
    assert (item.name, item.required_quantity, item.quantity) == ("钢叉（长）", 5, 4)


# Movements and inspections

def test_a_withdrawal_below_zero_shows_the_error_and_changes_nothing(world, pages):
    item = make_item(world.unit_a)
    pages.login(world.coordinator_a)
    response = pages.post(f"/equipment/{item.id}/movements",
                          data={"direction": "out", "amount": "5", "reason": "借出"})
    assert response.status_code == 409
    assert "Not enough in stock" in error_of(response.get_data(as_text=True), "amount")
    db.session.refresh(item)
    assert item.quantity == 4
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Movement)) == 1
    response = pages.post(f"/equipment/{item.id}/movements",
                          data={"direction": "out", "amount": "0", "reason": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, "amount")
    response = pages.post(f"/equipment/{item.id}/movements",
                          data={"direction": "out", "amount": "3", "reason": ""})
    assert error_of(response.get_data(as_text=True), "reason")
    response = pages.post(f"/equipment/{item.id}/movements",
                          data={"direction": "out", "amount": "3", "reason": "夜班领用"})
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.quantity == 1
    html = pages.html(f"/equipment/{item.id}")
    assert "−3" in html and "夜班领用" in html


def test_an_inspection_updates_the_next_date(world, pages):
    item = make_item(world.unit_a, next_inspection_on=today_in(world.unit_a) - timedelta(days=1))
    pages.login(world.coordinator_a)
    assert 'data-alert="inspection_overdue"' in pages.html(f"/equipment/{item.id}")
    response = pages.post(f"/equipment/{item.id}/inspections", data={
        "inspected_on": "", "result": "ok", "note": "", "next_inspection_on": ""})
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "inspected_on")
    next_on = today_in(world.unit_a) + timedelta(days=90)
    response = pages.post(f"/equipment/{item.id}/inspections", data={
        "inspected_on": str(today_in(world.unit_a)), "result": "ok", "note": "完好",
        "next_inspection_on": str(next_on)})
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.next_inspection_on == next_on
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 1
    html = pages.html(f"/equipment/{item.id}")
    assert 'data-alert="inspection_overdue"' not in html and "完好" in html


# The XLSX export

def test_the_xlsx_has_chinese_headers_rows_movements_and_an_audit_event(world, pages):
    item = make_item(world.unit_a, location="东门岗亭储物柜")
    make_item(world.unit_a, name="急救箱", category="medical", quantity=2, required_quantity=1)
    equipment.move(coordinator_of(world.unit_a), item, -1, "夜班领用")
    db.session.commit()
    pages.login(world.coordinator_a, language="zh_CN")
    response = pages.get(f"/units/{world.unit_a.id}/equipment.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''%E8%A3%85%E5%A4%87%E5%8F%B0%E8%B4%A6-" in disposition  # 装备台账-
    book = load_workbook(io.BytesIO(response.data))
    ledger, moves = book.worksheets
    assert [c.value for c in ledger[1]] == ["类别", "名称", "数量", "应配数量", "存放位置",
                                            "有效期至", "下次检查日期", "提醒"]
    assert ledger.freeze_panes == "A2" and ledger["A1"].font.bold
    assert ledger.column_dimensions["B"].width >= 20
    rows = [[c.value for c in row] for row in ledger.iter_rows(min_row=2)]
    assert [(r[1], r[2], r[3]) for r in rows] == [("钢叉", 3, 6), ("急救箱", 2, 1)]
    assert rows[0][4] == "东门岗亭储物柜" and rows[0][7]
    assert [c.value for c in moves[1]] == ["日期", "装备", "变动", "变动后数量", "事由", "经办人"]
    movement_rows = [[c.value for c in row] for row in moves.iter_rows(min_row=2)]
    assert [(r[1], r[2], r[3]) for r in movement_rows] == [
        ("钢叉", 4, 4), ("急救箱", 2, 2), ("钢叉", -1, 3)]
    assert movement_rows[2][4] == "夜班领用" and movement_rows[2][5] == "system"
    assert all(isinstance(r[0], datetime) for r in movement_rows)
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "export", AuditEvent.entity == "equipment")).one()
    assert event.unit_id == world.unit_a.id and event.username == "coordinator_a"


def test_the_xlsx_follows_the_filters(world, pages):
    make_item(world.unit_a)
    make_item(world.unit_a, name="急救箱", category="medical", quantity=2, required_quantity=1)
    pages.login(world.police_a, language="zh_CN")
    response = pages.get(f"/units/{world.unit_a.id}/equipment.xlsx?category=medical")
    ledger = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [row[1].value for row in ledger.iter_rows(min_row=2)] == ["急救箱"]


def test_the_recommended_set_loads_from_the_ledger(world, pages):
    pages.login(world.coordinator_a, language="zh_CN")
    html = pages.html(f"/units/{world.unit_a.id}/equipment")
    assert 'data-testid="load-recommended"' in html
    response = pages.post(f"/units/{world.unit_a.id}/equipment/recommended")
    assert response.status_code == 302
    items = db.session.scalars(sa.select(Equipment)).all()
    assert items and all(i.quantity == 0 and i.required_quantity for i in items)
    html = pages.html(f"/units/{world.unit_a.id}/equipment")
    assert html.count('data-alert="below_required"') >= len(items)
    pages.post("/logout")
    pages.login(world.staff_a)
    assert 'data-testid="load-recommended"' not in pages.html(
        f"/units/{world.unit_a.id}/equipment")
    assert pages.post(f"/units/{world.unit_a.id}/equipment/recommended").status_code == 403


# One state badge, confirmations, dates and numbers in the reader's language (issue 8)

STATES = {"below_required": "missing", "expired": "overdue", "inspection_overdue": "overdue",
          "expiring_soon": "due_soon", "inspection_due_soon": "due_soon"}


def _alert_states(html: str) -> dict:
    """Each alert badge's alert and the state its badge shows."""
    return dict(re.findall(r'data-testid="alert-badge" data-alert="(\w+)">\s*<span class="badge'
                           r' compliance-badge state-badge [^"]*" data-testid="alert-state"'
                           r' data-state="(\w+)"', html))


def test_alerts_are_shown_in_the_state_of_their_urgency(world, pages):
    today = today_in(world.unit_a)
    make_item(world.unit_a, expires_on=today - timedelta(days=1),
              next_inspection_on=today + timedelta(days=3))
    make_item(world.unit_a, name="急救箱", quantity=2, required_quantity=2,
              expires_on=today + timedelta(days=10),
              next_inspection_on=today - timedelta(days=1))
    make_item(world.unit_a, name="手电", quantity=1, required_quantity=None)
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/equipment")
    assert _alert_states(html) == STATES
    assert "Expires within 30 days" in html and "Below required" in html  # the alert's words
    assert re.search(r'data-testid="alert-none" data-state="ok"', html)
    # each tile lists what it counts
    assert f'href="/units/{world.unit_a.id}/equipment?alert=expired" data-testid="alert-count"' \
        in html


def test_a_movement_and_an_inspection_ask_first(world, pages):
    item = make_item(world.unit_a)
    pages.login(world.coordinator_a)
    html = pages.html(f"/equipment/{item.id}")
    for testid in ("move-form", "inspect-form"):
        tag = re.search(r'<form\b[^>]*data-testid="%s"[^>]*>' % testid, html, re.S).group(0)
        assert re.search(r'data-confirm="[^"]+"', tag), testid


def test_dates_times_and_numbers_follow_the_language(world, pages):
    today = today_in(world.unit_a)
    expires = today + timedelta(days=200)
    item = make_item(world.unit_a, quantity=1234, required_quantity=2000, expires_on=expires)
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/equipment")
    assert f'<time datetime="{expires}">{expires:%b} {expires.day}, {expires.year}</time>' in html
    assert ">1,234</span>" in html and "/ 2,000" in html and "766 short" in html
    next_on = today + timedelta(days=90)
    response = pages.post(f"/equipment/{item.id}/inspections", data={
        "inspected_on": str(today), "result": "ok", "note": "",
        "next_inspection_on": str(next_on)})
    html = pages.html(response.headers["Location"])
    flash = html.split('data-testid="flash-success"')[1].split("</div>")[0]
    assert f"{next_on:%b} {next_on.day}, {next_on.year}" in flash
    row = html.split('data-testid="inspection-row"')[1].split("</tr>")[0]
    assert f'<time datetime="{today}">' in row and f'<time datetime="{next_on}">' in row
    movement = html.split('data-testid="movement-row"')[1].split("</tr>")[0]
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d\+08:00">', movement)
    assert "+1,234" in movement
    pages.post("/language/zh_CN")
    html = pages.html(f"/equipment/{item.id}")
    assert f"{expires.year}年{expires.month}月{expires.day}日" in html
    assert str(expires) not in re.sub(r'(datetime|data-date|value)="[^"]*"', "", html)


def test_item_tables_have_captions_and_empty_parts_say_what_to_do(world, pages):
    item = make_item(world.unit_a)
    pages.login(world.coordinator_a)
    html = pages.html(f"/equipment/{item.id}")
    assert 'data-testid="no-inspections"' in html and "Record an inspection" in html
    assert uncaptioned(html) == 0
    for url in (f"/equipment/{item.id}", f"/equipment/{item.id}/edit",
                f"/units/{world.unit_a.id}/equipment", f"/units/{world.unit_a.id}/equipment/new"):
        html = pages.html(url)
        assert unlabelled(html) == [], url


def test_english_equipment_form_carries_no_chinese_glosses(world, pages):
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/equipment/new")
    for gloss in ("重点部位", "钢叉", "防刺背心", "东门岗亭"):
        assert gloss not in html, gloss
