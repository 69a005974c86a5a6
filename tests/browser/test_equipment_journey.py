"""Journeys through the equipment pages in a real browser (zh-CN locale)."""
import re
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import expect

from anbao.audit.models import AuditEvent
from anbao.extensions import db
from equipment.models import Equipment
from tests.browser.conftest import ARTIFACTS
from units.service import today_in


def _badges(page):
    return page.get_by_test_id("item-alerts").get_by_test_id("alert-badge")


def test_coordinator_keeps_the_equipment_ledger(world, visit):
    page = visit.page
    today = today_in(world.unit_a)
    visit.login(world.coordinator_a)
    with page.expect_navigation():
        page.locator(f'#nav a[href="/units/{world.unit_a.id}/equipment"]').click()
    visit.shot("ledger-empty")
    expect(page.get_by_test_id("empty-state")).to_be_visible()

    with page.expect_navigation():
        page.get_by_test_id("add-item").click()
    visit.shot("new-item")
    page.select_option("#f-category", "restraint")
    page.fill("#f-name", "钢叉")
    page.fill("#f-quantity", "-1")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    visit.shot("new-item-error")
    expect(page.get_by_test_id("error-quantity")).to_be_visible()
    page.fill("#f-quantity", "6")
    page.fill("#f-required_quantity", "6")
    page.select_option("#f-key_part_id", str(world.key_part_a.id))
    page.fill("#f-location", "岗亭储物柜")
    page.fill("#f-next_inspection_on", str(today - timedelta(days=3)))
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    visit.shot("item-added")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("item-name")).to_have_text("钢叉")
    expect(page.get_by_test_id("quantity")).to_have_text("6")
    expect(_badges(page)).to_have_count(1)
    expect(_badges(page).first).to_have_attribute("data-alert", "inspection_overdue")
    expect(page.get_by_test_id("movement-row")).to_have_count(1)

    # a withdrawal larger than the stock is refused next to the field
    page.locator('label[for="f-direction-out"]').click()
    page.fill("#f-amount", "9")
    page.fill("#f-reason", "借出")
    # dismissing the question sends nothing
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("record-move").click()
    expect(page.get_by_test_id("error-amount")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("record-move").click()
    visit.shot("withdrawal-refused")
    expect(page.get_by_test_id("error-amount")).to_be_visible()
    expect(page.get_by_test_id("quantity")).to_have_text("6")

    page.locator('label[for="f-direction-out"]').click()
    page.fill("#f-amount", "2")
    page.fill("#f-reason", "夜班领用")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("record-move").click()
    visit.shot("withdrawn")
    expect(page.get_by_test_id("quantity")).to_have_text("4")
    expect(page.get_by_test_id("shortfall")).to_be_visible()
    expect(page.locator('[data-testid=movement-row][data-delta="-2"]')).to_contain_text("夜班领用")
    expect(_badges(page)).to_have_count(2)

    page.fill("#f-inspected_on", str(today))
    page.select_option("#f-result", "ok")
    page.fill("#f-note", "外观完好，手柄无松动")
    page.fill("#f-next_inspection_on", str(today + timedelta(days=90)))
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("record-inspection").click()
    visit.shot("inspected")
    expect(page.get_by_test_id("inspection-row")).to_have_count(1)
    nxt = today + timedelta(days=90)
    expect(page.get_by_test_id("next-inspection").locator("time")) \
        .to_have_attribute("datetime", str(nxt))
    expect(page.get_by_test_id("next-inspection")) \
        .to_have_text(f"{nxt.year}年{nxt.month}月{nxt.day}日")
    expect(_badges(page)).to_have_count(1)
    expect(_badges(page).first).to_have_attribute("data-alert", "below_required")

    with page.expect_navigation():
        page.locator(f'#nav a[href="/units/{world.unit_a.id}/equipment"]').click()
    visit.shot("ledger")
    row = page.get_by_test_id("equipment-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("alert-badge")).to_have_attribute("data-alert", "below_required")
    expect(page.locator('[data-testid=alert-count][data-alert="below_required"]')) \
        .to_have_attribute("data-count", "1")

    with page.expect_download() as info:
        page.get_by_test_id("export-xlsx").click()
    download = info.value
    assert download.suggested_filename.startswith("装备台账-")
    path = ARTIFACTS / f"{visit.name}-ledger.xlsx"
    download.save_as(path)
    book = load_workbook(path)
    ledger = book.worksheets[0]
    assert ledger["A1"].value == "类别" and ledger["B2"].value == "钢叉"
    assert ledger["C2"].value == 4 and ledger["D2"].value == 6
    assert [row[4].value for row in book.worksheets[1].iter_rows(min_row=2)][-1] == "夜班领用"

    db.session.expire_all()
    assert db.session.scalars(sa.select(Equipment)).one().quantity == 4
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "export")) == 1
    expect(page).to_have_url(re.compile(rf"/units/{world.unit_a.id}/equipment$"))


def test_coordinator_starts_from_the_recommended_set_and_filters(world, visit):
    page = visit.page
    visit.login(world.coordinator_a)
    visit.goto(f"/units/{world.unit_a.id}/equipment", "ledger-empty")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("load-recommended").first.click()
    visit.shot("recommended-loaded")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    rows = page.get_by_test_id("equipment-row")
    expect(rows.first).to_be_visible()
    db.session.expire_all()
    items = db.session.scalars(sa.select(Equipment)).all()
    assert items and all(i.quantity == 0 for i in items)
    category = items[0].category
    with page.expect_navigation():
        page.select_option("#f-category", category)
    visit.shot("filtered")
    expect(page).to_have_url(re.compile(rf"category={category}"))
    expect(rows).to_have_count(sum(i.category == category for i in items))


def test_staff_read_the_ledger_without_forms(world, visit):
    from tests.equipment.test_views import make_item
    item = make_item(world.unit_a)
    page = visit.page
    visit.login(world.staff_a)
    with page.expect_navigation():
        page.locator(f'#nav a[href="/units/{world.unit_a.id}/equipment"]').click()
    visit.shot("staff-ledger")
    expect(page.get_by_test_id("equipment-row")).to_have_count(1)
    expect(page.get_by_test_id("add-item")).to_have_count(0)
    with page.expect_navigation():
        page.get_by_test_id("item-link").click()
    visit.shot("staff-item")
    expect(page).to_have_url(re.compile(rf"/equipment/{item.id}$"))
    expect(page.get_by_test_id("move-form")).to_have_count(0)
    expect(page.get_by_test_id("inspect-form")).to_have_count(0)
