"""Journeys through the compliance pages in a real browser (zh-CN locale): the coordinator
lands on its unit's dashboard and follows what to do next; the police officer reads the
jurisdiction's table and chart, filters it and exports it."""
import re

import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import expect

from anbao.audit.models import AuditEvent
from anbao.extensions import db
from tests.browser.conftest import ARTIFACTS
from tests.compliance.test_views import compliant_unit


def test_coordinator_lands_on_the_dashboard_and_starts_a_missing_plan(world, visit):
    page = visit.page
    unit = world.unit_a
    visit.login(world.coordinator_a)
    expect(page).to_have_url(re.compile(rf"/units/{unit.id}/compliance$"))
    expect(page.get_by_test_id("unit-status")).to_have_attribute("data-status", "non_compliant")
    expect(page.locator("#nav a.active")).to_have_attribute("href",
                                                             f"/units/{unit.id}/compliance")
    expect(page.locator('[data-testid=compliance-item][data-rule="PLAN-SET"]'
                        '[data-status="missing"]')).to_have_count(5)
    expect(page.locator('[data-testid=status-count][data-status="missing"]')) \
        .to_have_attribute("data-count", "5")
    ok_items = page.get_by_test_id("ok-items")
    expect(ok_items.get_by_test_id("compliance-item").first).to_be_hidden()
    ok_items.locator("summary").click()
    expect(ok_items.get_by_test_id("compliance-item").first).to_be_visible()
    visit.shot("dashboard")

    sabotage = page.locator('[data-testid=compliance-item][data-rule="PLAN-SET"]'
                            '[data-subject="sabotage"]')
    with page.expect_navigation():
        sabotage.get_by_test_id("next-step").click()
    visit.shot("new-sabotage-plan")
    expect(page).to_have_url(re.compile(rf"/units/{unit.id}/plans/new\?scenario=sabotage$"))
    expect(page.locator("#f-scenario")).to_have_value("sabotage")

    with page.expect_navigation():
        page.locator("a.navbar-brand").click()
    visit.shot("home-again")
    expect(page).to_have_url(re.compile(rf"/units/{unit.id}/compliance$"))


def test_police_filters_the_jurisdiction_table_sees_the_chart_and_exports(world, visit, make):
    page = visit.page
    ok = compliant_unit(make, world.station_a)
    visit.login(world.police_a)
    with page.expect_navigation():
        page.locator('#nav a[href="/compliance"]').click()
    visit.shot("overview")
    rows = page.get_by_test_id("compliance-row")
    expect(rows).to_have_count(3)
    chart = page.get_by_test_id("chart-svg")
    expect(chart).to_be_visible()
    expect(page.get_by_test_id("chart-bar")).to_have_count(1)
    expect(page.get_by_test_id("chart-bar")).to_have_attribute("data-district", "天河区分局")
    expect(chart).to_contain_text("天河区分局")

    with page.expect_navigation():
        page.select_option("#f-status", "non_compliant")  # the select sends its form
    visit.shot("non-compliant")
    expect(rows).to_have_count(2)
    for i in range(2):
        expect(rows.nth(i)).to_have_attribute("data-status", "non_compliant")
    expect(page.get_by_test_id("chart-bar")).to_have_count(1)  # the chart shows every status

    with page.expect_download() as info:
        page.get_by_test_id("export-xlsx").click()
    download = info.value
    assert download.suggested_filename.startswith("合规情况-")
    path = ARTIFACTS / f"{visit.name}-compliance.xlsx"
    download.save_as(path)
    sheet = load_workbook(path).worksheets[0]
    assert sheet["A1"].value == "单位" and sheet["D1"].value == "状态"
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == \
        ["天河实验学校", "天河医院"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "export", AuditEvent.entity == "compliance")) == 1

    with page.expect_navigation():
        rows.first.get_by_test_id("unit-link").click()
    visit.shot("unit-dashboard")
    expect(page).to_have_url(re.compile(rf"/units/{world.unit_a.id}/compliance$"))
    expect(page.get_by_test_id("next-step").first).to_be_visible()
    assert ok.id not in (world.unit_a.id, world.other_unit_a.id)
