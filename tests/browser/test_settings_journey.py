"""Journey through the rule settings in a real browser (zh-CN locale): an admin finds the
settings from the menu and from the overview, is stopped by an invalid interval, saves a new
one, and the coordinator's dashboard shows the due date it moves to."""
import re

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from playwright.sync_api import expect

from anbao.audit.models import AuditEvent
from anbao.extensions import db


def _switch(visit, user):
    """Log out from the menu and log in as `user`."""
    with visit.page.expect_navigation():
        visit.page.locator('form[action="/logout"] button').click()
    visit.login(user)


def _natsec(page):
    return page.locator('[data-testid=compliance-item][data-rule="TRAIN-NATSEC"]')


def test_admin_changes_an_interval_and_the_dashboard_follows(world, visit):
    page = visit.page
    unit = world.unit_a
    registered = unit.registered_on
    visit.login(world.coordinator_a)
    expect(_natsec(page).get_by_test_id("item-due").locator("time")).to_have_attribute(
        "datetime", (registered + relativedelta(months=12)).isoformat())
    visit.shot("dashboard-before")

    _switch(visit, world.admin)
    with page.expect_navigation():
        page.locator('#nav a[href="/compliance"]').click()
    with page.expect_navigation():
        page.get_by_test_id("settings-link").click()
    visit.shot("settings")
    expect(page).to_have_url(re.compile(r"/compliance/settings$"))
    expect(page.locator('#nav a[href="/compliance/settings"]')).to_have_class(
        re.compile(r"\bactive\b"))
    expect(page.get_by_test_id("setting-row")).to_have_count(6)
    expect(page.locator("#f-TRAIN-NATSEC")).to_have_value("12")

    page.fill("#f-TRAIN-NATSEC", "0")
    with page.expect_navigation():
        page.get_by_test_id("save-settings").click()
    visit.shot("settings-invalid")
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.get_by_test_id("error-TRAIN-NATSEC")).to_be_visible()
    expect(page.locator("#f-TRAIN-NATSEC")).to_have_value("0")
    expect(page.locator("#f-TRAIN-NATSEC")).to_have_attribute("aria-invalid", "true")

    page.fill("#f-TRAIN-NATSEC", "24")
    with page.expect_navigation():
        page.get_by_test_id("save-settings").click()
    visit.shot("settings-saved")
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.locator("#f-TRAIN-NATSEC")).to_have_value("24")
    expect(page.locator('[data-testid=setting-row][data-rule="TRAIN-NATSEC"]')) \
        .to_have_attribute("data-current", "24")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.entity == "rule_settings")) == 1

    _switch(visit, world.coordinator_a)
    visit.shot("dashboard-after")
    expect(_natsec(page).get_by_test_id("item-due").locator("time")).to_have_attribute(
        "datetime", (registered + relativedelta(months=24)).isoformat())
    expect(_natsec(page).get_by_test_id("item-detail")).to_contain_text("24")


def test_the_police_find_no_settings(world, visit):
    page = visit.page
    visit.login(world.police_a)
    expect(page.locator('#nav a[href="/compliance/settings"]')).to_have_count(0)
    with page.expect_navigation():
        page.locator('#nav a[href="/compliance"]').click()
    expect(page.get_by_test_id("settings-link")).to_have_count(0)
    response = visit.goto("/compliance/settings", "forbidden")
    assert response.status == 403
    expect(page.get_by_test_id("error-page")).to_have_attribute("data-status", "403")
