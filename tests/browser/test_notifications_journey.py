"""Journey through the notifications in a real browser (zh-CN locale): the coordinator sees
the bell's unread count, opens the notifications page, opens a drill reminder (lands on the
activity, the count drops), filters the unread ones and marks them all read."""
import re
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app
from playwright.sync_api import expect

from anbao.extensions import db
from anbao.outbox import service as outbox
from anbao.outbox.models import Notification
from compliance import rules
from drills import reminders
from tests.drills.test_views import make_activity


def _queue(world):
    """A real 7-day reminder of a drill and two obligation notices for the coordinator."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    activity = make_activity(world.unit_a, start=now + timedelta(days=5),
                             title="消防疏散演练")
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        link = f"/units/{world.unit_a.id}/compliance"
        for n, code in enumerate(("TRAIN-NATSEC", "TRAIN-AWARENESS")):
            outbox.notify(outbox.of_user(world.coordinator_a), "obligation_due_soon",
                          f"{world.unit_a.id}:{code}:", "p", now=now - timedelta(hours=2 - n),
                          unit_id=world.unit_a.id, link=link, unit=world.unit_a,
                          rule=rules.RULES[code], due=date.today() + timedelta(days=20),
                          subject=None)
        assert reminders.remind(now) >= 1
    db.session.commit()
    reminder = db.session.scalars(sa.select(Notification).where(
        Notification.user_id == world.coordinator_a.id,
        Notification.kind == "reminder_7d")).one()
    return activity, reminder


def _bell(page):
    return page.get_by_test_id("notification-bell")


def test_coordinator_opens_a_reminder_and_marks_all_read(world, visit):
    page = visit.page
    activity, reminder = _queue(world)
    visit.login(world.coordinator_a)
    expect(_bell(page)).to_have_attribute("data-unread", "3")
    expect(page.get_by_test_id("unread-badge")).to_have_text("3")
    expect(_bell(page)).to_contain_text("3")  # the spoken count sits in the link too

    with page.expect_navigation():
        _bell(page).click()
    visit.shot("notifications")
    expect(page).to_have_url(re.compile(r"/notifications$"))
    notes = page.get_by_test_id("notification")
    expect(notes).to_have_count(3)
    expect(page.locator('[data-testid=notification][data-read="false"]')).to_have_count(3)
    first = notes.first  # the newest: the reminder
    expect(first).to_have_attribute("data-kind", "reminder_7d")
    expect(first.get_by_test_id("notification-subject")).to_contain_text("消防疏散演练")
    expect(first).to_have_class(re.compile(r"\bnotification-unread\b"))

    with page.expect_navigation():
        first.get_by_test_id("open-notification").click()
    visit.shot("activity")
    expect(page).to_have_url(re.compile(rf"/activities/{activity.id}$"))
    expect(_bell(page)).to_have_attribute("data-unread", "2")
    expect(page.get_by_test_id("unread-badge")).to_have_text("2")

    with page.expect_navigation():
        _bell(page).click()
    expect(page.locator(f'[data-notification-id="{reminder.id}"]')) \
        .to_have_attribute("data-read", "true")
    with page.expect_navigation():
        page.get_by_test_id("filter-unread").click()
    visit.shot("unread")
    expect(page).to_have_url(re.compile(r"/notifications\?unread=true$"))
    expect(notes).to_have_count(2)
    expect(page.get_by_test_id("filter-unread-count")).to_have_text("2")

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        page.get_by_test_id("mark-all-read").click()
    visit.shot("all-read")
    assert len(questions) == 1  # marking everything read is asked first
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(_bell(page)).to_have_attribute("data-unread", "0")
    expect(page.get_by_test_id("unread-badge")).to_have_count(0)
    expect(page.get_by_test_id("mark-all-read")).to_have_count(0)
    expect(page.locator('[data-testid=notification][data-read="false"]')).to_have_count(0)
    expect(notes).to_have_count(3)


def test_an_empty_bell_leads_to_a_page_that_says_what_comes_there(world, visit):
    page = visit.page
    visit.login(world.police_a)
    expect(_bell(page)).to_have_attribute("data-unread", "0")
    with page.expect_navigation():
        _bell(page).click()
    visit.shot("empty")
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    expect(_bell(page)).to_have_attribute("aria-current", "page")
