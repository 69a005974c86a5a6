"""Journeys through the plans pages in a real browser (zh-CN locale)."""
import re

import sqlalchemy as sa
from playwright.sync_api import expect

from anbao.extensions import db
from plans import scenarios
from plans.models import Plan


def _approve(visit, name: str, label: str):
    page = visit.page
    page.fill("#f-approved_by", name)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("approve").click()
    visit.shot(label)
    expect(page.get_by_test_id("flash-success")).to_be_visible()


def test_coordinator_writes_approves_and_revises_the_terror_attack_plan(world, visit):
    page = visit.page
    visit.login(world.coordinator_a)
    with page.expect_navigation():
        page.locator(f'#nav a[href="/units/{world.unit_a.id}/plans"]').click()
    visit.shot("tiles-empty")
    expect(page).to_have_url(re.compile(rf"/units/{world.unit_a.id}/plans$"))
    tiles = page.get_by_test_id("scenario-tile")
    expect(tiles).to_have_count(5)
    expect(page.get_by_test_id("no-approved-plan")).to_have_count(5)

    terror = page.locator('[data-testid=scenario-tile][data-scenario="terror_attack"]')
    with page.expect_navigation():
        terror.get_by_test_id("start-plan").click()
    visit.shot("new-from-template")
    start = scenarios.template("terror_attack", "comprehensive", "zh_CN")
    expect(page.locator("#f-title")).to_have_value(start["title"])
    expect(page.locator("#f-sections-response")).to_have_value(start["sections"]["response"])
    page.fill("#f-sections-scope", "本校东校区全体师生员工及来访人员。")
    page.fill("#f-contacts-0-role", "总指挥")
    page.fill("#f-contacts-0-name", "陈校长")
    page.fill("#f-contacts-0-phone", "020-87650001")
    page.locator("[data-add-row=contact-row-template]").click()
    page.fill("#f-contacts-1-role", "属地派出所")
    page.fill("#f-contacts-1-name", "石牌派出所")
    page.fill("#f-contacts-1-phone", "110")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    visit.shot("draft-v1")
    expect(page.get_by_test_id("plan-status")).to_have_attribute("data-status", "draft")
    expect(page.locator('[data-section="scope"]')).to_contain_text("本校东校区全体师生员工")
    expect(page.get_by_test_id("contact-row")).to_have_count(2)

    # edit a section of the draft
    with page.expect_navigation():
        page.get_by_test_id("edit-plan").click()
    page.fill("#f-sections-measures", "东校区正门设防冲撞桩。\n上下学时段保安员在岗。")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    visit.shot("draft-edited")
    expect(page.locator('[data-section="measures"]')).to_contain_text("防冲撞桩")

    _approve(visit, "陈校长", "approved-v1")
    expect(page.get_by_test_id("plan-status")).to_have_attribute("data-status", "approved")
    expect(page.get_by_test_id("approved-by")).to_have_text("陈校长")
    expect(page.get_by_test_id("approve-form")).to_have_count(0)

    # a change to the approved plan is a new draft, version 2
    with page.expect_navigation():
        page.get_by_test_id("edit-plan").click()
    visit.shot("revise-approved")
    expect(page.get_by_test_id("new-version-note")).to_be_visible()
    page.fill("#f-sections-measures", "东校区正门设防冲撞桩。\n上下学时段保安员双岗值守。")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    visit.shot("draft-v2")
    expect(page.get_by_test_id("plan-version")).to_contain_text("2")
    expect(page.get_by_test_id("plan-status")).to_have_attribute("data-status", "draft")
    _approve(visit, "陈校长", "approved-v2")

    with page.expect_navigation():
        page.get_by_test_id("history-link").click()
    expect(page.get_by_test_id("version-row")).to_have_count(2)
    page.check('input[name=a][value="1"]')
    page.check('input[name=b][value="2"]')
    with page.expect_navigation():
        page.get_by_test_id("compare").click()
    visit.shot("history-diff")
    measures = page.locator('[data-testid=diff-part][data-part="measures"]')
    expect(measures).to_have_attribute("data-changed", "true")
    expect(measures.locator('[data-kind="changed"] mark').first).to_be_visible()
    expect(page.locator('[data-testid=diff-part][data-part="scope"]')) \
        .to_have_attribute("data-changed", "false")

    with page.expect_navigation():
        page.locator('[data-testid=version-row][data-version="2"] a').first.click()
    with page.expect_navigation():
        page.get_by_test_id("print-link").click()
    visit.shot("print")
    expect(page.locator("nav")).to_have_count(0)
    expect(page.get_by_test_id("print-unit")).to_have_text("天河实验学校")
    expect(page.get_by_test_id("approved-by")).to_have_text("陈校长")
    page.emulate_media(media="print")
    expect(page.get_by_test_id("print-toolbar")).to_be_hidden()
    visit.shot("print-media")
    page.emulate_media(media="screen")

    visit.goto(f"/units/{world.unit_a.id}/plans", "tiles-after")
    expect(terror).to_have_attribute("data-covered", "true")
    expect(terror.get_by_test_id("plan-version")).to_have_text("v2")
    expect(page.get_by_test_id("no-approved-plan")).to_have_count(4)

    db.session.expire_all()
    versions = db.session.scalars(sa.select(Plan).order_by(Plan.version)).all()
    assert [(p.version, p.status) for p in versions] == [(1, "superseded"), (2, "approved")]


def test_staff_see_only_approved_plans(world, visit):
    from tests.plans.test_views import make_plan
    approved = make_plan(world.unit_a, approve=True, title="防暴恐袭击应急预案")
    make_plan(world.unit_a, scenario="accident", title="防事故预案（草稿）")
    page = visit.page
    visit.login(world.staff_a)
    with page.expect_navigation():
        page.locator(f'#nav a[href="/units/{world.unit_a.id}/plans"]').click()
    visit.shot("staff-tiles")
    expect(page.get_by_test_id("plan-tiles")).to_contain_text("防暴恐袭击应急预案")
    expect(page.get_by_test_id("plan-tiles")).not_to_contain_text("防事故预案（草稿）")
    expect(page.get_by_test_id("start-plan")).to_have_count(0)
    with page.expect_navigation():
        page.get_by_test_id("plan-link").first.click()
    visit.shot("staff-plan")
    expect(page).to_have_url(re.compile(rf"/plans/{approved.id}$"))
    expect(page.get_by_test_id("edit-plan")).to_have_count(0)
    expect(page.get_by_test_id("upload-form")).to_have_count(0)
