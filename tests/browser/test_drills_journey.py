"""Journeys through the drill pages in a real browser (zh-CN locale): a coordinator schedules
a monthly drill series with the recurrence picker, finds it in the month calendar, moves one
occurrence, records an outcome whose finding becomes a hazard; a staff member subscribes to
their calendar."""
import re
from datetime import date, timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from anbao.extensions import db
from drills.models import Activity, Outcome
from hazards.models import Hazard
from tests.equipment.test_views import make_item
from tests.plans.test_views import make_plan
from units.service import today_in


def _first_monday(day: date) -> date:
    first = day.replace(day=1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def _month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _save(visit, label: str, testid: str = "save"):
    with visit.page.expect_navigation():
        visit.page.get_by_test_id(testid).click()
    visit.shot(label)


def _switch(visit, user):
    with visit.page.expect_navigation():
        visit.page.locator('form[action="/logout"] button').click()
    visit.login(user)


def test_coordinator_schedules_moves_and_records_a_monthly_drill(world, visit):
    unit = world.unit_a
    person_id, key_part_id = world.person_a.id, world.key_part_a.id
    item = make_item(unit, name="防爆毯", category="restraint", quantity=2, required_quantity=1)
    plan = make_plan(unit, approve=True, equipment_ids=[item.id])
    item_id, plan_id, unit_id = item.id, plan.id, unit.id
    today = today_in(unit)
    first = _first_monday(today)
    second = _first_monday(_month(first, 1))
    page = visit.page

    visit.login(world.coordinator_a)
    with page.expect_navigation():
        page.locator(f'#nav a[href="/units/{unit_id}/activities"]').click()
    visit.shot("calendar-empty")
    expect(page.get_by_test_id("month-calendar")).to_be_visible()
    expect(page.get_by_test_id("today-marker")).to_have_count(1)
    expect(page.get_by_test_id("empty-state")).to_be_visible()

    with page.expect_navigation():
        page.get_by_test_id("new-drill").click()
    visit.shot("new-drill")
    expect(page.get_by_test_id("training-fields")).to_be_hidden()
    expect(page.get_by_test_id("repeat-weekly")).to_be_hidden()
    page.fill("#f-title", "防暴恐应急处置演练")
    page.select_option("#f-scenario", "terror_attack")
    page.select_option("#f-format", "full_scale")
    page.select_option("#f-plan_id", str(plan_id))
    page.fill("#f-date", first.isoformat())
    page.fill("#f-start_time", "09:00")
    page.fill("#f-end_time", "10:30")
    page.check("#f-repeat-monthly_weekday")
    expect(page.get_by_test_id("repeat-monthly-weekday")).to_be_visible()
    expect(page.get_by_test_id("repeat-end")).to_be_visible()
    page.select_option("#f-month_week", "1")
    page.select_option("#f-month_weekday", "MO")
    page.check("#f-repeat_end-count")
    page.fill("#f-location", "东校区操场")
    page.select_option("#f-key_part_id", str(key_part_id))
    page.check(f"#f-participant-{person_id}")
    _save(visit, "count-missing")  # the number of times is missing
    expect(page.get_by_test_id("error-repeat_count")).to_be_visible()
    expect(page.locator("#f-title")).to_have_value("防暴恐应急处置演练")
    expect(page.locator("#f-repeat-monthly_weekday")).to_be_checked()
    page.fill("#f-repeat_count", "6")
    _save(visit, "scheduled")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("activity-title")).to_have_text("防暴恐应急处置演练")
    expect(page.get_by_test_id("series-badge")).to_be_visible()
    expect(page.get_by_test_id("occurrence-row")).to_have_count(6)
    db.session.expire_all()
    activity = db.session.scalars(sa.select(Activity)).one()
    assert activity.rrule == "FREQ=MONTHLY;BYDAY=1MO;COUNT=6"
    assert activity.participant_ids == [person_id]

    with page.expect_navigation():
        page.locator(f'#nav a[href="/units/{unit_id}/activities"]').click()
    visit.shot("calendar-with-series")
    day = page.locator(f'[data-testid=calendar-day][data-date="{first.isoformat()}"]')
    expect(day.get_by_test_id("calendar-entry")).to_have_count(1)
    expect(day.get_by_test_id("calendar-entry")).to_have_attribute("data-kind", "drill")
    expect(day.get_by_test_id("calendar-entry")).to_contain_text("防暴恐应急处置演练")
    expect(page.get_by_test_id("activity-row")).to_have_count(1)

    # move the second occurrence to the Tuesday after it
    with page.expect_navigation():
        day.get_by_test_id("calendar-entry").click()
    row = page.get_by_test_id("occurrence-row").nth(1)
    row.locator("summary").first.click()
    moved_to = second + timedelta(days=1)
    row.get_by_test_id("move-date").fill(moved_to.isoformat())
    row.get_by_test_id("move-start_time").fill("14:00")
    row.get_by_test_id("move-end_time").fill("15:30")
    visit.shot("move-form")
    with page.expect_navigation():
        row.get_by_test_id("move-submit").click()
    visit.shot("moved")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    row = page.get_by_test_id("occurrence-row").nth(1)
    expect(row).to_have_attribute("data-moved", "true")
    # shown in the reader's language (zh-CN: 2027年3月2日 14:00), the ISO value kept
    when = row.get_by_test_id("occurrence-when").locator("time").first
    expect(when).to_have_attribute("datetime", f"{moved_to.isoformat()}T14:00+08:00")
    expect(when).to_contain_text(f"{moved_to.year}年{moved_to.month}月{moved_to.day}日 14:00")

    with page.expect_navigation():
        page.locator(f'#nav a[href="/units/{unit_id}/activities"]').click()
    with page.expect_navigation():
        page.get_by_test_id("next-month").click()
    visit.shot("next-month")
    moved_day = page.locator(f'[data-testid=calendar-day][data-date="{moved_to.isoformat()}"]')
    expect(moved_day.get_by_test_id("calendar-entry")).to_have_attribute("data-moved", "true")
    expect(page.locator(f'[data-testid=calendar-day][data-date="{second.isoformat()}"]')
           .get_by_test_id("calendar-entry")).to_have_count(0)

    # record the outcome of the first occurrence, with a finding that becomes a hazard
    visit.goto(f"/activities/{activity.id}", "activity")
    with page.expect_navigation():
        page.get_by_test_id("occurrence-row").first.get_by_test_id("record-outcome").click()
    visit.shot("outcome-form")
    expect(page.locator(f"#f-attendee-{person_id}")).to_be_checked()
    expect(page.locator("#f-held_from")).to_have_value(f"{first.isoformat()}T09:00")
    page.fill("#f-objectives-0-text", "3分钟内完成校门封控")
    page.select_option("#f-objectives-0-result", "partially_met")
    page.fill("#f-times-0-seconds", "95")
    page.fill("#f-times-1-seconds", "240")
    # the radio is a hidden btn-check: people click its label, and so does the test
    page.locator(f'label[for="f-eq-{item_id}-yes"]').click()
    expect(page.locator(f"#f-eq-{item_id}-yes")).to_be_checked()
    page.fill("#f-findings-0-description", "东门电动门关闭迟缓，封控超时")
    page.select_option("#f-findings-0-severity", "high")
    page.fill("#f-findings-0-owner", "王五")
    page.fill("#f-findings-0-due_date", (today + timedelta(days=14)).isoformat())
    page.check("#f-findings-0-plan_review")
    page.fill("#f-summary", "整体处置有序，东门封控需加强。")
    page.fill("#f-evaluator", "李卫国")
    # an outcome cannot be undone: the page asks first; dismissing keeps the form
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("outcome-form")).to_be_visible()
    expect(page.locator("#f-evaluator")).to_have_value("李卫国")
    page.once("dialog", lambda dialog: dialog.accept())
    _save(visit, "outcome-recorded")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("occurrence-row").first).to_have_attribute("data-status",
                                                                         "completed")
    expect(page.get_by_test_id("outcome-item")).to_have_count(1)
    db.session.expire_all()
    hazard = db.session.scalars(sa.select(Hazard)).one()
    assert hazard.source == "drill" and hazard.owner == "王五"
    outcome = db.session.scalars(sa.select(Outcome)).one()
    assert outcome.response_times == {"alarm_to_police": 95, "lockdown": 240}

    with page.expect_navigation():
        page.get_by_test_id("print-outcome").click()
    visit.shot("after-action-report")
    expect(page.get_by_test_id("report-title")).to_be_visible()
    expect(page.get_by_test_id("report-finding")).to_contain_text("东门电动门关闭迟缓")
    expect(page.get_by_test_id("signatures")).to_be_visible()
    expect(page.locator("#nav")).to_have_count(0)
    page.go_back()

    with page.expect_navigation():
        page.get_by_test_id("outcome-hazard-link").click()
    visit.shot("hazard-from-drill")
    expect(page.get_by_test_id("hazard-title")).to_have_text("东门电动门关闭迟缓，封控超时")
    with page.expect_navigation():
        page.locator(f'#nav a[href="/units/{unit_id}/hazards"]').click()
    visit.shot("hazard-ledger")
    row = page.locator(f'[data-testid=hazard-row][data-hazard-id="{hazard.id}"]')
    expect(row).to_contain_text("东门电动门关闭迟缓")
    expect(row).to_have_attribute("data-status", "open")


def test_staff_subscribes_to_their_calendar(world, visit):
    from tests.drills.test_views import make_activity
    make_activity(world.unit_a, title="全员消防安全培训", kind="training", topic="awareness",
                  scenario=None, format=None, participant_ids=[world.person_a.id])
    page = visit.page
    visit.login(world.staff_a)
    with page.expect_navigation():
        page.locator('#nav a[href="/me/calendar"]').click()
    visit.shot("my-calendar")
    webcal = page.get_by_test_id("webcal-link")
    expect(webcal).to_be_visible()
    expect(webcal).to_have_attribute("href", re.compile(r"^webcal://.+/calendar/.+\.ics$"))
    url = page.get_by_test_id("feed-url").input_value()
    assert url.startswith("http://") and url.endswith(".ics")
    expect(page.get_by_test_id("feed-qr").locator("svg")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    _save(visit, "rotated", "rotate")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    assert page.get_by_test_id("feed-url").input_value() != url
    old_path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    new_path = "/" + page.get_by_test_id("feed-url").input_value().split("://", 1)[1] \
        .split("/", 1)[1]
    assert page.request.get(visit.base_url + old_path).status == 404
    feed = page.request.get(visit.base_url + new_path)
    assert feed.status == 200 and "全员消防安全培训" in feed.text()
