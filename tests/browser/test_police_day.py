"""A police officer's day in a real browser (zh-CN): they log in to their home page (their
district's units), read the unit on the compliance overview, open the review queue and return the
unit's submitted self-inspection report with a comment; the unit's coordinator, at another
computer, follows the notification, revises and submits again; the officer accepts the
revision. Pages only (the starting report is seeded); a screenshot at every step."""
import re

import sqlalchemy as sa
from playwright.sync_api import expect

from anbao.extensions import db
from reports.models import Report
from tests.browser.journeys import accept_dialogs, click, menu, new_visit
from tests.reports.test_views import make_report


def test_a_police_officers_day(world, visit, browser, live_server, request):
    unit = world.unit_a
    report = make_report(unit, world.coordinator_a, submitted=True,
                         narrative="本期安保工作正常。")
    unit_id, report_id = unit.id, report.id
    report_path = f"/reports/{report_id}"
    page = visit.page
    accept_dialogs(page)

    # the officer lands on their home page: the district's units (another district's are
    # not theirs), with a notification waiting
    visit.login(world.police_a)
    expect(page.locator("main")).to_contain_text("天河实验学校")
    expect(page.locator("main")).not_to_contain_text("越秀博物馆")
    expect(page.get_by_test_id("notification-bell")).not_to_have_attribute("data-unread", "0")

    # the compliance overview shows the unit and its state
    menu(visit, "/compliance", "compliance")
    row = page.locator(f'[data-testid=compliance-row][data-unit-id="{unit_id}"]')
    expect(row).to_contain_text("天河实验学校")
    expect(row).to_have_attribute("data-status", re.compile(r"^(compliant|attention|"
                                                          r"non_compliant)$"))
    expect(page.locator('[data-testid=compliance-row]', has_text="越秀博物馆")).to_have_count(0)
    click(visit, row.get_by_test_id("unit-link"), "unit-compliance")
    expect(page).to_have_url(re.compile(rf"/units/{unit_id}/compliance"))
    expect(page.get_by_test_id("unit-status")).to_be_visible()

    # the review queue: the report is waiting; the officer returns it with a comment
    menu(visit, "/reports", "queue")
    expect(page.locator('[data-testid=report-count][data-count-of="submitted"]')) \
        .to_have_attribute("data-count", "1")
    queued = page.get_by_test_id("queue-row")
    expect(queued).to_have_count(1)
    expect(queued).to_have_attribute("data-status", "submitted")
    click(visit, queued.get_by_test_id("report-link"), "report")
    expect(page).to_have_url(re.compile(rf"{report_path}$"))
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "submitted")
    expect(page.get_by_test_id("review-box")).to_be_visible()
    page.fill("#f-comment", "C07：请补充内部治安保卫台账的检查记录。")
    click(visit, page.get_by_test_id("return-report"), "returned")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "returned")
    expect(page.get_by_test_id("review-box")).to_have_count(0)

    # the coordinator, at another computer, follows the notification and revises
    context, unit_visit = new_visit(browser, live_server, request.node.name + "-coordinator")
    try:
        coordinator = unit_visit.page
        unit_visit.login(world.coordinator_a)
        bell = coordinator.get_by_test_id("notification-bell")
        expect(bell).not_to_have_attribute("data-unread", "0")
        click(unit_visit, bell, "notifications")
        note = coordinator.locator('[data-testid=notification][data-kind="report_reviewed"]')
        expect(note).to_have_count(1)
        click(unit_visit, note.get_by_test_id("open-notification"), "returned-report")
        expect(coordinator).to_have_url(re.compile(rf"{report_path}$"))
        expect(coordinator.get_by_test_id("report-status")) \
            .to_have_attribute("data-status", "returned")
        expect(coordinator.get_by_test_id("return-comment")).to_contain_text("请补充内部治安保卫台账")
        coordinator.fill("#f-checklist-C07-note", "已补充2026年度内部治安保卫台账检查记录。")
        coordinator.fill("#f-narrative", "本期安保工作正常。\n已按意见补充台账检查记录。")
        click(unit_visit, coordinator.get_by_test_id("save-answers"), "revised")
        expect(coordinator.get_by_test_id("flash-success")).to_be_visible()
        click(unit_visit, coordinator.get_by_test_id("submit-report"), "resubmitted")
        expect(coordinator.get_by_test_id("flash-success")).to_be_visible()
        expect(coordinator.get_by_test_id("report-status")) \
            .to_have_attribute("data-status", "submitted")
        expect(coordinator.get_by_test_id("revision")).to_have_count(2)
    finally:
        context.close()
    assert unit_visit.problems == [], unit_visit.problems

    # the officer finds the revision in the queue and accepts it
    menu(visit, "/reports", "queue-again")
    queued = page.get_by_test_id("queue-row")
    expect(queued).to_have_count(1)
    expect(queued).to_have_attribute("data-status", "submitted")
    click(visit, queued.get_by_test_id("report-link"), "revision-2")
    expect(page.get_by_test_id("report-revision")).to_contain_text("2")
    click(visit, page.get_by_test_id("accept-report"), "accepted")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "accepted")
    expect(page.get_by_test_id("review-box")).to_have_count(0)

    menu(visit, "/reports", "queue-empty")
    expect(page.locator('[data-testid=report-count][data-count-of="submitted"]')) \
        .to_have_attribute("data-count", "0")

    db.session.expire_all()
    report = db.session.get(Report, report_id)
    assert report.status == "accepted"
    assert [r.decision for r in report.revisions] == ["return", "accept"]
    assert report.answers["C07"]["note"].startswith("已补充")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 1
