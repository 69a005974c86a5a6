"""A coordinator's day in a real browser (zh-CN, the default language), through the pages
only: they land on the unit's dashboard, write the terrorist-attack plan and approve it,
schedule a monthly drill under it, find it in the month calendar, record its outcome with a
finding, find that finding in the hazard ledger, then prepare and submit the self-inspection
report the unit owes; back on the dashboard the plan counts. A screenshot at every step."""
import re
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from anbao.extensions import db
from drills.models import Activity
from hazards.models import Hazard
from plans.models import Plan
from reports import periods
from reports.checklist import IDS
from reports.models import Report
from tests.browser.journeys import accept_dialogs, click, menu
from units.service import today_in


def test_a_coordinators_day(world, visit):
    unit = world.unit_a  # a key security unit: it owes a report every half year
    today = today_in(unit)
    this_half, _end = periods.containing(today, 6)
    last_half, last_end = periods.containing(this_half - timedelta(days=1), 6)
    unit.key_since = last_half  # the last half year is owed, and overdue
    db.session.commit()
    unit_id, person_id, key_part_id = unit.id, world.person_a.id, world.key_part_a.id
    page = visit.page
    accept_dialogs(page)

    # the coordinator lands on the unit's dashboard: the plans are missing
    visit.login(world.coordinator_a)
    expect(page).to_have_url(re.compile(rf"/units/{unit_id}/compliance$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    terror_item = page.locator('[data-testid=compliance-item][data-rule="PLAN-SET"]'
                               '[data-subject="terror_attack"]')
    expect(terror_item).to_have_attribute("data-status", "missing")

    # writes the terrorist-attack plan from its template and approves it
    menu(visit, f"/units/{unit_id}/plans", "plans")
    expect(page.get_by_test_id("no-approved-plan")).to_have_count(5)
    tile = page.locator('[data-testid=scenario-tile][data-scenario="terror_attack"]')
    click(visit, tile.get_by_test_id("start-plan"), "new-plan")
    expect(page.locator("#f-title")).not_to_have_value("")
    page.fill("#f-sections-scope", "本校东校区全体师生员工及来访人员。")
    page.fill("#f-contacts-0-role", "总指挥")
    page.fill("#f-contacts-0-name", "陈校长")
    page.fill("#f-contacts-0-phone", "020-87650001")
    click(visit, page.get_by_test_id("save"), "plan-draft")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("plan-status")).to_have_attribute("data-status", "draft")
    page.fill("#f-approved_by", "陈校长")
    click(visit, page.get_by_test_id("approve"), "plan-approved")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("plan-status")).to_have_attribute("data-status", "approved")
    db.session.expire_all()
    plan_id = db.session.scalars(sa.select(Plan.id)).one()

    # schedules a drill of that plan on the 1st of every month, six times
    menu(visit, f"/units/{unit_id}/activities", "calendar-empty")
    expect(page.get_by_test_id("month-calendar")).to_be_visible()
    click(visit, page.get_by_test_id("new-drill"), "new-drill")
    first = today.replace(day=1)
    page.fill("#f-title", "防暴恐应急处置演练")
    page.select_option("#f-scenario", "terror_attack")
    page.select_option("#f-format", "full_scale")
    page.select_option("#f-plan_id", str(plan_id))
    page.fill("#f-date", first.isoformat())
    page.fill("#f-start_time", "09:00")
    page.fill("#f-end_time", "10:30")
    page.check("#f-repeat-monthly_date")
    expect(page.get_by_test_id("repeat-monthly-date")).to_be_visible()
    page.fill("#f-month_day", "1")
    page.check("#f-repeat_end-count")
    page.fill("#f-repeat_count", "6")
    page.fill("#f-location", "东校区操场")
    page.select_option("#f-key_part_id", str(key_part_id))
    page.check(f"#f-participant-{person_id}")
    visit.shot("drill-form")
    click(visit, page.get_by_test_id("save"), "drill-scheduled")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("series-badge")).to_be_visible()
    expect(page.get_by_test_id("occurrence-row")).to_have_count(6)
    activity_url = page.url
    db.session.expire_all()
    activity = db.session.scalars(sa.select(Activity)).one()
    assert activity.rrule == "FREQ=MONTHLY;BYMONTHDAY=1;COUNT=6"
    assert activity.plan_id == plan_id

    # sees it on the 1st in this month's calendar
    menu(visit, f"/units/{unit_id}/activities", "calendar")
    day = page.locator(f'[data-testid=calendar-day][data-date="{first.isoformat()}"]')
    entry = day.get_by_test_id("calendar-entry")
    expect(entry).to_have_count(1)
    expect(entry).to_have_attribute("data-kind", "drill")
    expect(entry).to_contain_text("防暴恐应急处置演练")
    click(visit, entry, "drill-from-calendar")
    expect(page).to_have_url(re.compile(re.escape(activity_url) + r"(#.*)?$"))

    # records the outcome of this month's drill, with a finding
    click(visit, page.get_by_test_id("occurrence-row").first.get_by_test_id("record-outcome"),
          "outcome-form")
    expect(page.locator(f"#f-attendee-{person_id}")).to_be_checked()
    page.fill("#f-objectives-0-text", "3分钟内完成校门封控")
    page.select_option("#f-objectives-0-result", "partially_met")
    page.fill("#f-findings-0-description", "东门电动门关闭迟缓，封控超时")
    page.select_option("#f-findings-0-severity", "high")
    page.fill("#f-findings-0-owner", "王五")
    page.fill("#f-findings-0-due_date", (today + timedelta(days=14)).isoformat())
    page.fill("#f-summary", "整体处置有序，东门封控需加强。")
    page.fill("#f-evaluator", "李卫国")
    click(visit, page.get_by_test_id("save"), "outcome-recorded")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("occurrence-row").first) \
        .to_have_attribute("data-status", "completed")

    # the finding is a new open hazard in the ledger
    menu(visit, f"/units/{unit_id}/hazards", "hazard-ledger")
    db.session.expire_all()
    hazard = db.session.scalars(sa.select(Hazard)).one()
    assert hazard.source == "drill"
    row = page.locator(f'[data-testid=hazard-row][data-hazard-id="{hazard.id}"]')
    expect(row).to_contain_text("东门电动门关闭迟缓")
    expect(row).to_have_attribute("data-status", "open")
    click(visit, row.get_by_test_id("hazard-link"), "hazard")
    expect(page.get_by_test_id("hazard-title")).to_have_text("东门电动门关闭迟缓，封控超时")

    # prepares the owed half-year report (overdue after its 15 days) and submits it
    menu(visit, f"/units/{unit_id}/reports", "reports")
    owed = page.locator(f'[data-testid=owed-period][data-period-start="{last_half}"]')
    expect(owed).to_be_visible()
    if today > periods.due(last_end) + timedelta(days=1):
        expect(owed).to_have_attribute("data-overdue", "true")
    click(visit, owed.get_by_test_id("start-report"), "report-started")
    expect(page).to_have_url(re.compile(r"/reports/\d+$"))
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "draft")
    expect(page.get_by_test_id("report-document")).to_contain_text("天河实验学校")
    for item_id in IDS:
        # the radio is a hidden btn-check: people click its label
        page.locator(f'label[for="f-checklist-{item_id}-yes"]').click()
    page.fill("#f-narrative", "本半年度安全防范工作总体落实到位，演练发现的东门问题正在整改。")
    visit.shot("report-answered")
    click(visit, page.get_by_test_id("save-answers"), "report-saved")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("all-answered")).to_be_visible()
    click(visit, page.get_by_test_id("submit-report"), "report-submitted")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "submitted")
    expect(page.get_by_test_id("awaiting-review")).to_be_visible()

    # back home, the terrorist-attack plan counts
    click(visit, page.locator("a.navbar-brand"), "dashboard-after")
    expect(page).to_have_url(re.compile(rf"/units/{unit_id}/compliance$"))
    expect(terror_item).to_have_attribute("data-status", "ok")

    db.session.expire_all()
    report = db.session.scalars(sa.select(Report)).one()
    assert (report.status, report.period_start, report.period_end) == \
        ("submitted", last_half, last_end)
    assert all(report.answers[item_id]["answer"] == "yes" for item_id in IDS)
