"""A staff member's day on a phone (390 × 844): they log in, land on their next drills and
trainings, open the one they take part in, copy their calendar link, and read the unit's
month as an agenda (the grid is too wide for a phone)."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from anbao.extensions import db
from anbao.system import stand_in
from drills import service as drills
from tests.conftest import PASSWORD
from units.service import today_in


@pytest.fixture
def phone(browser, live_server, request):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844},
                                  timezone_id="Asia/Shanghai", is_mobile=True, has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert problems == []


def test_a_staff_member_sees_the_next_drill_and_copies_the_calendar_link(world, phone,
                                                                         live_server):
    unit = world.unit_a
    unit_id = unit.id
    start = datetime.combine(today_in(unit) + timedelta(days=2), time(15),
                             ZoneInfo(unit.timezone))
    coordinator = stand_in("coordinator", unit=unit)
    drills.create_activity(coordinator, unit, {
        "kind": "drill", "title": "教学楼消防疏散演练", "scenario": "accident",
        "format": "full_scale", "starts_at": start, "ends_at": start + timedelta(hours=1),
        "location": "教学楼", "participant_ids": [world.person_a.id]})
    drills.create_activity(coordinator, unit, {
        "kind": "training", "title": "与我无关的培训", "topic": "skills",
        "starts_at": start, "ends_at": start + timedelta(hours=1)})
    db.session.commit()

    page = phone
    page.goto(live_server + "/login")
    page.fill("#username", world.staff_a.username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-submit]")
    assert page.url.endswith("/me")
    page.screenshot(path=_artifact("01-home"), full_page=True)
    mine = page.locator("[data-testid=my-next]")
    expect(mine).to_contain_text("教学楼消防疏散演练")
    expect(mine).not_to_contain_text("与我无关的培训")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.click("[data-testid=copy-url]")
    expect(page.locator("[data-testid=copy-url]")).to_contain_text("已复制")
    url = page.input_value("[data-testid=feed-url]")
    assert "/calendar/" in url and url.endswith(".ics")
    assert page.evaluate("navigator.clipboard.readText()") == url
    page.screenshot(path=_artifact("02-copied"), full_page=True)

    with page.expect_navigation():
        page.click("text=教学楼消防疏散演练")
    expect(page.locator("h1")).to_contain_text("教学楼消防疏散演练")
    page.screenshot(path=_artifact("03-drill"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # the unit's activities: on a phone the month is an agenda by day, not the wide grid
    page.goto(f"{live_server}/units/{unit_id}/activities?month={start:%Y-%m}")
    page.screenshot(path=_artifact("04-agenda"), full_page=True)
    expect(page.locator("[data-testid=calendar-grid]")).to_be_hidden()
    agenda = page.locator("[data-testid=calendar-agenda]")
    expect(agenda).to_be_visible()
    day = agenda.locator(f'[data-testid=agenda-day][data-date="{start.date().isoformat()}"]')
    expect(day).to_be_visible()
    expect(day.locator("time").first).to_have_attribute("datetime", start.date().isoformat())
    expect(day.locator("time").first).to_have_text(
        f"{start.year}年{start.month}月{start.day}日")
    expect(day.locator("[data-testid=agenda-entry]")).to_have_count(2)
    expect(day).to_contain_text("教学楼消防疏散演练")
    expect(day).to_contain_text("15:00–16:00")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_navigation():
        day.locator("[data-testid=agenda-entry]", has_text="教学楼消防疏散演练").click()
    expect(page.locator("h1")).to_contain_text("教学楼消防疏散演练")


def _artifact(label: str) -> str:
    from tests.browser.conftest import ARTIFACTS
    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / f"test_staff_phone_journey-{label}.png")
