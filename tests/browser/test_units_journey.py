"""Journeys through the unit pages in a real browser (zh-CN locale)."""
import re

import sqlalchemy as sa
from playwright.sync_api import expect

from anbao.extensions import db
from units import creditcode
from units.models import Person, Unit


def test_coordinator_sees_the_staffing_of_its_unit(world, visit):
    page = visit.page
    visit.login(world.coordinator_a)
    # a coordinator lands on the compliance dashboard; "My unit" leads to the profile
    expect(page).to_have_url(re.compile(rf"/units/{world.unit_a.id}/compliance$"))
    page.locator(f'#nav a[href="/units/{world.unit_a.id}"]').click()
    expect(page).to_have_url(re.compile(rf"/units/{world.unit_a.id}$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_test_id("unit-name")).to_have_text("天河实验学校")

    panel = page.get_by_test_id("staffing-panel")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("data-compliant", "false")
    requirements = panel.get_by_test_id("requirement")
    expect(requirements).to_have_count(3)
    expect(panel.get_by_test_id("requirement-rule")).to_have_text(
        ["GZ-6.1", "GZ-6.2", "GZ-6.3.1"])
    for i in range(3):
        expect(requirements.nth(i)).to_have_attribute("data-status", "short")
        expect(requirements.nth(i).get_by_test_id("requirement-status")).to_be_visible()
    first = panel.locator('[data-rule="GZ-6.1"]')
    expect(first.get_by_test_id("requirement-required")).to_have_text("3")
    expect(first.get_by_test_id("requirement-actual")).to_have_text("1")
    expect(first.get_by_test_id("requirement-explanation")).to_contain_text("GZ-(六)1")
    expect(panel.locator('[data-rule="GZ-6.3.1"]').get_by_test_id("requirement-campus")) \
        .to_have_text("东校区")
    visit.shot("staffing-short")

    # Two more security staff make GZ-6.1 met.
    for name in ("陈安", "吴保"):
        visit.goto(f"/units/{world.unit_a.id}/people/new", "person-form")
        page.fill("#f-name", name)
        page.select_option("#f-role", "security_part_time")
        with page.expect_navigation():
            page.get_by_test_id("save").click()
        visit.shot("people-after-add")
        expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("person-row")).to_have_count(3)

    visit.goto(f"/units/{world.unit_a.id}", "staffing-after")
    first = page.locator('[data-rule="GZ-6.1"]')
    expect(first).to_have_attribute("data-status", "met")
    expect(first.get_by_test_id("requirement-actual")).to_have_text("3")
    expect(page.locator('[data-rule="GZ-6.2"]')).to_have_attribute("data-status", "short")


def test_police_filters_the_units_and_opens_one(world, visit):
    page = visit.page
    visit.login(world.police_a)
    with page.expect_navigation():
        page.locator('#nav a[href="/units"]').click()
    expect(page).to_have_url(re.compile(r"/units$"))
    rows = page.get_by_test_id("unit-row")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("units-table")).not_to_contain_text("越秀博物馆")

    page.select_option("#filter-category", "hospital")
    with page.expect_navigation():
        page.get_by_test_id("apply-filters").click()
    visit.shot("filtered-hospital")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("天河医院")

    page.select_option("#filter-category", "")
    page.select_option("#filter-key_security_unit", "true")
    with page.expect_navigation():
        page.get_by_test_id("apply-filters").click()
    visit.shot("filtered-key-unit")
    expect(rows).to_have_count(1)
    with page.expect_navigation():
        rows.first.get_by_test_id("unit-link").click()
    visit.shot("unit")
    expect(page).to_have_url(re.compile(rf"/units/{world.unit_a.id}$"))
    expect(page.get_by_test_id("unit-name")).to_have_text("天河实验学校")
    expect(page.get_by_test_id("staffing-panel")).to_be_visible()
    expect(page.get_by_test_id("edit-unit")).to_be_visible()
    expect(page.get_by_test_id("add-key-part")).to_have_count(0)

    with page.expect_navigation():
        page.get_by_test_id("people-link").click()
    visit.shot("people")
    expect(page.get_by_test_id("person-row")).to_have_count(1)
    expect(page.get_by_test_id("person-phone")).to_have_text("13800000000")


def test_police_registers_a_school_with_campus_rows(world, visit):
    page = visit.page
    visit.login(world.police_a)
    visit.goto("/units", "units")
    with page.expect_navigation():
        page.get_by_test_id("register-unit").click()
    campuses = page.get_by_test_id("campus-fields")
    hospital = page.get_by_test_id("hospital-fields")
    expect(campuses).to_be_hidden()  # the category is not a school yet
    expect(hospital).to_be_hidden()
    page.select_option("#f-category", "school")
    expect(campuses).to_be_visible()
    visit.shot("register-school")

    code = creditcode.make("12440106MB0000001")
    page.fill("#f-name", "石牌中学")
    page.fill("#f-credit_code", "123")
    page.select_option("#f-jurisdiction_id", str(world.station_a.id))
    page.fill("#f-headcount", "1500")
    page.check("#f-key_security_unit")
    page.fill("#f-campuses-0-name", "本部")
    page.fill("#f-campuses-0-population", "1000")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    visit.shot("register-invalid")
    expect(page.get_by_test_id("error-credit_code")).to_be_visible()
    expect(page.locator("#f-credit_code")).to_have_class(re.compile("is-invalid"))

    page.fill("#f-credit_code", code)
    rows = page.locator(".campus-row")
    count = rows.count()
    page.locator("[data-add-row]").click()
    expect(rows).to_have_count(count + 1)
    page.fill(f"#f-campuses-{count}-name", "分部")
    page.fill(f"#f-campuses-{count}-population", "500")
    page.fill(f"#f-campuses-{count}-boarding_students", "200")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    visit.shot("registered")
    expect(page.get_by_test_id("unit-name")).to_have_text("石牌中学")
    expect(page.locator('[data-rule="GZ-6.3.1"]')).to_have_count(2)

    db.session.expire_all()
    unit = db.session.scalar(sa.select(Unit).where(Unit.credit_code == code))
    assert [(c.name, c.population, c.boarding_students) for c in unit.campuses] == [
        ("本部", 1000, 0), ("分部", 500, 200)]
    assert db.session.scalar(sa.select(sa.func.count(Person.id))
                             .where(Person.unit_id == unit.id)) == 0


def test_coordinator_filters_the_roster_and_records_a_leaving_after_confirming(world, make,
                                                                             visit):
    make.person(world.unit_a, name="赵保安", role="guard")
    page = visit.page
    visit.login(world.coordinator_a)
    visit.goto(f"/units/{world.unit_a.id}/people", "people")
    rows = page.get_by_test_id("person-row")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("breadcrumbs")).to_be_visible()
    page.select_option("#filter-role", "guard")
    with page.expect_navigation():
        page.get_by_test_id("apply-filters").click()
    visit.shot("people-guards")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("赵保安")

    visit.goto(f"/people/{world.person_a.id}/edit", "person-edit")
    page.fill("#f-left_on", "2025-12-31")
    # dismissing the question sends nothing
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("record-leaving").click()
    expect(page).to_have_url(re.compile(rf"/people/{world.person_a.id}/edit$"))
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        page.get_by_test_id("record-leaving").click()
    visit.shot("left")
    assert questions and "李卫国" in questions[0]
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.get_by_test_id("person-status").first).to_have_attribute("data-status", "left")
    expect(page.locator('[data-testid="person-status"] time').first) \
        .to_have_attribute("datetime", "2025-12-31")


def test_coordinator_disables_a_staff_account_after_confirming(world, visit):
    page = visit.page
    visit.login(world.coordinator_a)
    visit.goto(f"/users/{world.staff_a.id}/edit", "account")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        page.get_by_test_id("disable-account").click()
    visit.shot("disabled")
    assert questions and "staff_a" in questions[0]
    expect(page.get_by_test_id("flash-success")).to_be_visible()
    expect(page.locator('[data-username="staff_a"] [data-testid="user-status"]')) \
        .to_have_attribute("data-active", "false")
