"""Journeys through the hazard ledger in a real browser (zh-CN locale): a hazard found and
fixed by the unit, a police rectification order past its deadline, an escalation."""
import re
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import expect

from anbao.audit.models import AuditEvent
from anbao.extensions import db
from hazards.models import Hazard
from tests.browser.conftest import ARTIFACTS
from units.service import today_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _switch(visit, user):
    """Log out from the menu and log in as `user`."""
    with visit.page.expect_navigation():
        visit.page.locator('form[action="/logout"] button').click()
    visit.login(user)


def _submit(visit, testid: str, label: str, confirm: bool = False):
    page = visit.page
    if confirm:
        page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id(testid).click()
    visit.shot(label)


def _status(page):
    return page.get_by_test_id("hazard-status")


def _steps(page):
    return page.get_by_test_id("history-step")


def test_coordinator_records_fixes_verifies_and_exports_a_hazard(world, visit):
    page = visit.page
    unit = world.unit_a
    visit.login(world.coordinator_a)
    with page.expect_navigation():
        page.locator(f'#nav a[href="/units/{unit.id}/hazards"]').click()
    visit.shot("ledger-empty")
    expect(page.get_by_test_id("empty-state")).to_be_visible()

    with page.expect_navigation():
        page.get_by_test_id("add-hazard").click()
    visit.shot("new-hazard")
    page.fill("#f-owner", "王五")
    page.fill("#f-due_date", str(today_in(unit) + timedelta(days=7)))
    page.fill("#f-location", "东侧围栏")
    _submit(visit, "save", "new-hazard-error")
    expect(page.get_by_test_id("error-description")).to_be_visible()
    expect(page.locator("#f-location")).to_have_value("东侧围栏")
    page.fill("#f-description", "东门围栏破损，夜间可翻越")
    page.select_option("#f-severity", "high")
    page.select_option("#f-key_part_id", str(world.key_part_a.id))
    _submit(visit, "save", "hazard-recorded")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("hazard-title")).to_have_text("东门围栏破损，夜间可翻越")
    expect(_status(page)).to_have_attribute("data-status", "open")
    expect(page.get_by_test_id("no-evidence")).to_be_visible()

    page.set_input_files("#f-file", files=[{"name": "围栏修复照片.png", "mimeType": "image/png",
                                            "buffer": PNG}])
    _submit(visit, "upload", "evidence-uploaded")
    expect(page.get_by_test_id("evidence-item")).to_have_count(1)
    expect(page.get_by_test_id("evidence-item")).to_contain_text("围栏修复照片.png")

    page.fill("#f-measures", "更换东门围栏三米，加装防攀爬刺")
    page.get_by_test_id("evidence-choices").locator("input[type=checkbox]").check()
    _submit(visit, "rectify", "rectified")
    expect(_status(page)).to_have_attribute("data-status", "rectified")
    expect(page.get_by_test_id("measures")).to_have_text("更换东门围栏三米，加装防攀爬刺")
    expect(page.get_by_test_id("rectify-form")).to_have_count(0)

    page.fill("#f-accept-comment", "现场复查，围栏牢固")
    _submit(visit, "accept", "closed", confirm=True)
    expect(_status(page)).to_have_attribute("data-status", "closed")
    expect(page.get_by_test_id("verify-box")).to_have_count(0)
    expect(page.get_by_test_id("upload-form")).to_have_count(0)
    expect(_steps(page)).to_have_count(4)
    expect(_steps(page).last).to_have_attribute("data-action", "accept")
    expect(_steps(page).last).to_contain_text("现场复查，围栏牢固")

    with page.expect_navigation():
        page.locator(f'#nav a[href="/units/{unit.id}/hazards"]').click()
    visit.shot("ledger")
    row = page.get_by_test_id("hazard-row")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-status", "closed")
    expect(page.locator('[data-testid=summary-count][data-summary="open"]')) \
        .to_have_attribute("data-count", "0")

    with page.expect_download() as info:
        page.get_by_test_id("export-xlsx").click()
    download = info.value
    assert download.suggested_filename.startswith("隐患台账-")
    path = ARTIFACTS / f"{visit.name}-ledger.xlsx"
    download.save_as(path)
    ledger = load_workbook(path).worksheets[0]
    assert ledger.title == "隐患台账"
    assert ledger["A1"].value == "序号" and ledger["C1"].value == "隐患描述"
    assert ledger["C2"].value == "东门围栏破损，夜间可翻越"
    assert ledger["M2"].value == "更换东门围栏三米，加装防攀爬刺"
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "export", AuditEvent.entity == "hazard")) == 1
    expect(page).to_have_url(re.compile(rf"/units/{unit.id}/hazards$"))


def test_police_order_past_its_deadline_is_rectified_rejected_and_accepted(world, visit):
    page = visit.page
    unit = world.unit_a
    past = today_in(unit) - timedelta(days=5)
    visit.login(world.police_a)
    visit.goto(f"/units/{unit.id}/hazards", "police-ledger-empty")
    with page.expect_navigation():
        page.get_by_test_id("issue-order").click()
    visit.shot("new-order")
    expect(page.get_by_test_id("order-note")).to_be_visible()
    page.fill("#f-description", "东门监控存在盲区，未接入市视频平台")
    page.fill("#f-due_date", str(past))
    page.fill("#f-legal_basis", "《企业事业单位内部治安保卫条例》第十九条")
    _submit(visit, "save", "order-issued")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("order-marker")).to_be_visible()
    expect(page.get_by_test_id("overdue-banner")).to_be_visible()
    box = page.get_by_test_id("penalty-box")
    expect(box).to_be_visible()
    expect(page.get_by_test_id("penalty-unit")).to_contain_text("10,000")
    expect(page.get_by_test_id("penalty-unit")).to_contain_text("100,000")
    expect(page.get_by_test_id("penalty-person")).to_contain_text("500")
    expect(page.get_by_test_id("penalty-person")).to_contain_text("5,000")
    expect(page.get_by_test_id("penalty-basis")).not_to_be_empty()
    order_url = page.url
    db.session.expire_all()
    order = db.session.scalars(sa.select(Hazard)).one()
    assert order.order and order.due_date == past

    with page.expect_navigation():
        page.locator('#nav a[href="/hazards"]').click()
    visit.shot("police-needs-attention")
    expect(page.locator(f'[data-testid=hazard-row][data-hazard-id="{order.id}"]')
           .get_by_test_id("reason-overdue-order")).to_be_visible()

    _switch(visit, world.coordinator_a)
    visit.goto(f"/units/{unit.id}/hazards?order=true", "coordinator-orders")
    expect(page.get_by_test_id("hazard-row")).to_have_count(1)
    expect(page.get_by_test_id("overdue-marker")).to_be_visible()
    # the due date in Chinese, its ISO value kept for machines
    due = page.get_by_test_id("hazard-row").get_by_test_id("due-date")
    expect(due).to_have_attribute("data-date", str(past))
    expect(due.locator("time")).to_have_attribute("datetime", str(past))
    expect(due).to_have_text(f"{past.year}年{past.month}月{past.day}日")
    with page.expect_navigation():
        page.get_by_test_id("hazard-link").click()
    visit.shot("coordinator-sees-order")
    expect(page.get_by_test_id("penalty-box")).to_be_visible()
    expect(page.get_by_test_id("verify-box")).to_have_count(0)
    page.fill("#f-measures", "加装两台摄像机并接入平台")
    _submit(visit, "rectify", "order-rectified")
    expect(_status(page)).to_have_attribute("data-status", "rectified")
    expect(page.get_by_test_id("penalty-box")).to_have_count(0)
    expect(page.get_by_test_id("verify-box")).to_have_count(0)

    _switch(visit, world.police_a)
    page.goto(order_url)
    visit.shot("police-verifies")
    page.fill("#f-reject-comment", "北侧仍有盲区")
    _submit(visit, "reject", "order-rejected", confirm=True)
    expect(_status(page)).to_have_attribute("data-status", "open")
    expect(page.get_by_test_id("penalty-box")).to_be_visible()
    expect(page.get_by_test_id("verification")).to_be_visible()
    expect(_steps(page).last).to_have_attribute("data-action", "reject")

    _switch(visit, world.coordinator_a)
    page.goto(order_url)
    page.fill("#f-measures", "北侧补装一台摄像机")
    _submit(visit, "rectify", "order-rectified-again")
    expect(_status(page)).to_have_attribute("data-status", "rectified")

    _switch(visit, world.police_a)
    page.goto(order_url)
    page.fill("#f-accept-comment", "复查合格")
    _submit(visit, "accept", "order-closed", confirm=True)
    expect(_status(page)).to_have_attribute("data-status", "closed")
    expect(page.get_by_test_id("penalty-box")).to_have_count(0)
    actions = [_steps(page).nth(i).get_attribute("data-action")
               for i in range(_steps(page).count())]
    assert actions == ["create", "rectify", "reject", "rectify", "accept"]


def test_coordinator_escalates_and_the_supervisor_acknowledges_from_the_list(world, visit):
    from tests.hazards.test_views import make_hazard
    hazard = make_hazard(world.unit_a, description="校门外占道摊贩影响疏散")
    page = visit.page
    visit.login(world.coordinator_a)
    visit.goto(f"/hazards/{hazard.id}", "hazard")
    page.select_option("#f-to", "supervisor")
    page.fill("#f-reason", "占道属城管职责，学校无法自行处理")
    _submit(visit, "escalate", "escalated", confirm=True)
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    marker = page.get_by_test_id("escalation").get_by_test_id("escalation-marker")
    expect(marker).to_have_attribute("data-escalated-to", "supervisor")
    expect(marker).to_have_attribute("data-acknowledged", "false")

    _switch(visit, world.supervisor_a)
    with page.expect_navigation():
        page.locator('#nav a[href="/hazards"]').click()
    visit.shot("supervisor-needs-attention")
    row = page.locator(f'[data-testid=hazard-row][data-hazard-id="{hazard.id}"]')
    expect(row.get_by_test_id("reason-escalated")).to_be_visible()
    expect(row).to_contain_text("天河实验学校")
    expect(page.locator('[data-testid=summary-count][data-summary="escalated"]')) \
        .to_have_attribute("data-count", "1")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        row.get_by_test_id("row-acknowledge").click()
    assert questions and questions[0]
    visit.shot("acknowledged")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("empty-attention")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/hazards$"))

    with page.expect_navigation():
        page.get_by_test_id("view-all").click()
    with page.expect_navigation():
        page.get_by_test_id("hazard-link").click()
    visit.shot("supervisor-hazard")
    expect(page.get_by_test_id("acknowledgement")).to_contain_text("supervisor_a")
    expect(page.get_by_test_id("acknowledge-box")).to_have_count(0)
    db.session.expire_all()
    assert db.session.get(Hazard, hazard.id).acknowledged_by == "supervisor_a"
