"""A self-inspection report in a real browser (zh-CN locale), two people at once: the
coordinator prepares a half year's report, answers the checklist, writes the narrative and
submits it; the police officer finds it in the queue and returns it with a comment; the
coordinator revises and submits again; the police accept it; both revisions stay, with their
decisions and who read them."""
import re
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from anbao.extensions import db
from reports.checklist import IDS
from reports.models import Report
from tests.browser.conftest import Visit
from units.service import today_in


@pytest.fixture
def other_visit(browser, live_server, request):
    """A second browser context: another person at another computer."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900},
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    helper = Visit(context.new_page(), live_server, request.node.name + "-police")
    yield helper
    context.close()
    assert helper.problems == [], helper.problems


def _click(visit, locator, label: str, confirm: bool = False):
    page = visit.page
    if confirm:
        page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        locator.click()
    visit.shot(label)


def _answer(page, item_id: str, answer: str, note: str | None = None):
    # the radio is a hidden btn-check: people click its label, and so does the test
    page.locator(f'label[for="f-checklist-{item_id}-{answer}"]').click()
    expect(page.locator(f"#f-checklist-{item_id}-{answer}")).to_be_checked()
    if note is not None:
        page.fill(f"#f-checklist-{item_id}-note", note)


def test_a_report_is_submitted_returned_revised_and_accepted(world, visit, other_visit):
    unit = world.unit_a  # a key security unit: half years
    unit.key_since = date(today_in(unit).year - 1, 1, 1)
    db.session.commit()
    page, police = visit.page, other_visit.page

    # the coordinator finds the owed periods under "Reports" and starts an overdue one
    visit.login(world.coordinator_a)
    _click(visit, page.locator(f'#nav a[href="/units/{unit.id}/reports"]'), "reports")
    expect(page.locator("#nav a.active")).to_have_attribute("href", f"/units/{unit.id}/reports")
    overdue = page.locator('[data-testid=owed-period][data-overdue="true"]').first
    expect(overdue).to_be_visible()
    period_start = overdue.get_attribute("data-period-start")
    expect(overdue.get_by_test_id("period-status")).to_have_attribute("data-status", "")
    _click(visit, overdue.get_by_test_id("start-report"), "started")
    expect(page).to_have_url(re.compile(r"/reports/\d+$"))
    report_url = page.url
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "draft")
    expect(page.get_by_test_id("report-document")).to_contain_text("天河实验学校")

    # submitting before answering shows what is missing
    _click(visit, page.get_by_test_id("submit-report"), "submit-too-early", confirm=True)
    expect(page.get_by_test_id("flash-danger")).to_contain_text("C01")
    expect(page.locator(".checklist-item-invalid")).to_have_count(18)

    # the checklist, the narrative, save, submit
    for item_id in IDS:
        _answer(page, item_id, "yes")
    _answer(page, "C03", "no", "东门夜间巡查记录缺两次")
    _answer(page, "C13", "na", "本单位非反恐重点目标")
    page.fill("#f-narrative", "本半年度安全防范工作总体落实到位。")
    visit.shot("answered")
    _click(visit, page.get_by_test_id("save-answers"), "saved")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("all-answered")).to_be_visible()
    expect(page.locator("#f-checklist-C03-no")).to_be_checked()
    _click(visit, page.get_by_test_id("submit-report"), "submitted", confirm=True)
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "submitted")
    expect(page.get_by_test_id("awaiting-review")).to_be_visible()
    expect(page.get_by_test_id("answers-form")).to_have_count(0)
    expect(page.get_by_test_id("revision")).to_have_count(1)

    # the police officer, at another computer, finds it first in the queue and returns it
    other_visit.login(world.police_a)
    _click(other_visit, police.locator('#nav a[href="/reports"]'), "queue")
    expect(police.locator('[data-testid=report-count][data-count-of="submitted"]')) \
        .to_have_attribute("data-count", "1")
    row = police.get_by_test_id("queue-row").first
    expect(row).to_have_attribute("data-status", "submitted")
    _click(other_visit, row.get_by_test_id("report-link"), "report")
    expect(police).to_have_url(report_url)
    expect(police.get_by_test_id("report-document")).to_contain_text("东门夜间巡查记录缺两次")
    _click(other_visit, police.get_by_test_id("return-report"), "return-without-comment",
           confirm=True)
    expect(police.get_by_test_id("error-comment")).to_be_visible()
    police.fill("#f-comment", "C03：请说明漏巡原因及整改措施。")
    _click(other_visit, police.get_by_test_id("return-report"), "returned", confirm=True)
    expect(police.get_by_test_id("report-status")).to_have_attribute("data-status", "returned")
    expect(police.get_by_test_id("review-box")).to_have_count(0)

    # the coordinator sees the comment, revises and submits revision 2
    visit.goto(report_url.removeprefix(visit.base_url), "returned")
    expect(page.get_by_test_id("return-comment")).to_contain_text("请说明漏巡原因及整改措施")
    expect(page.get_by_test_id("report-revision")).to_contain_text("2")
    expect(page.locator("#f-checklist-C03-no")).to_be_checked()
    page.fill("#f-checklist-C03-note", "漏巡两次系交接班疏漏，已增设巡更点并每日核查。")
    page.fill("#f-narrative", "本半年度安全防范工作总体落实到位。\n东门巡查问题已整改。")
    _click(visit, page.get_by_test_id("save-answers"), "revised")
    _click(visit, page.get_by_test_id("submit-report"), "resubmitted", confirm=True)
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "submitted")
    expect(page.get_by_test_id("revision")).to_have_count(2)

    # the police see what changed and accept revision 2
    other_visit.goto(report_url.removeprefix(other_visit.base_url), "revision-2")
    expect(police.get_by_test_id("review-box")).to_contain_text("2")
    _click(other_visit, police.get_by_test_id("compare-latest"), "compare")
    expect(police.locator('[data-testid=checklist-change][data-item="C03"]')).to_be_visible()
    expect(police.get_by_test_id("checklist-change")).to_have_count(1)
    expect(police.locator('[data-testid=narrative-line][data-change="added"]')) \
        .to_contain_text("东门巡查问题已整改")
    other_visit.goto(report_url.removeprefix(other_visit.base_url), "back-to-report")
    _click(other_visit, police.get_by_test_id("accept-report"), "accepted", confirm=True)
    expect(police.get_by_test_id("report-status")).to_have_attribute("data-status", "accepted")
    expect(police.get_by_test_id("flash-success")).to_be_visible()

    # both revisions stay, with their decisions and who read them
    visit.goto(report_url.removeprefix(visit.base_url), "accepted-coordinator")
    expect(page.get_by_test_id("accepted-note")).to_be_visible()
    revisions = page.get_by_test_id("revision")
    expect(revisions).to_have_count(2)
    second, first = revisions.nth(0), revisions.nth(1)
    expect(second).to_have_attribute("data-revision", "2")
    expect(second.get_by_test_id("decision")).to_have_attribute("data-decision", "accept")
    expect(first.get_by_test_id("decision")).to_have_attribute("data-decision", "return")
    expect(first.get_by_test_id("revision-comment")).to_contain_text("请说明漏巡原因")
    for revision in (first, second):
        expect(revision.locator('[data-testid=revision-read][data-username="police_a"]')) \
            .to_have_count(1)
        expect(revision.get_by_test_id("revision-sha")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(page.get_by_test_id("history-step")).to_have_count(5)
    page.get_by_test_id("revisions").scroll_into_view_if_needed()
    visit.shot("revisions")

    db.session.expire_all()
    report = db.session.scalars(sa.select(Report)).one()
    assert report.status == "accepted" and report.period_start.isoformat() == period_start
    assert [r.decision for r in report.revisions] == ["return", "accept"]


def test_a_spot_check_is_drawn_and_an_inspection_recorded_after_confirming(world, make, visit):
    """The police draw units at random and record the inspection of one: both ask first, and
    a dismissed question changes nothing."""
    from reports.models import Inspection, SpotCheck
    for i in range(3):
        make.unit(world.station_a, name=f"抽查单位{i}")
    page = visit.page
    visit.login(world.police_a)
    _click(visit, page.locator('#nav a[href="/spot-checks"]'), "spot-checks")
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    page.fill("#f-count", "2")
    page.fill("#f-seed", "42")

    # dismissed: nothing is drawn
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("draw").click()
    expect(page.get_by_test_id("spot-check")).to_have_count(0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SpotCheck)) == 0

    _click(visit, page.get_by_test_id("draw"), "drawn", confirm=True)
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    check = page.get_by_test_id("spot-check")
    expect(check).to_have_count(1)
    expect(check).to_have_attribute("data-seed", "42")
    expect(check.get_by_test_id("drawn-at").locator("time")).to_have_count(1)
    expect(check.get_by_test_id("drawn-unit")).to_have_count(2)

    # the filters narrow the list, a year without draws shows what to do
    with page.expect_navigation():
        page.select_option("#q-drawn_by", "police_a")
    expect(page.get_by_test_id("spot-check")).to_have_count(1)
    visit.goto("/spot-checks?year=2001", "no-match")
    expect(page.get_by_test_id("no-match")).to_be_visible()
    _click(visit, page.get_by_test_id("clear-filters"), "cleared")
    expect(page.get_by_test_id("spot-check")).to_have_count(1)

    _click(visit, page.get_by_test_id("record-inspection").first, "inspection-form")
    expect(page.get_by_test_id("spot-check-note")).to_be_visible()
    page.fill("#f-summary", "随机抽查，未发现问题。")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("save-inspection").click()
    expect(page.get_by_test_id("inspection-form")).to_be_visible()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 0
    _click(visit, page.get_by_test_id("save-inspection"), "recorded", confirm=True)
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("inspection")).to_have_count(1)
    visit.goto("/spot-checks", "inspected")
    expect(page.get_by_test_id("inspected").locator("time")).to_have_count(1)
