"""Pages of units, people, key parts and jurisdictions (units.views)."""
import re

import pytest
import sqlalchemy as sa

from anbao.extensions import db
from tests.anbao.test_views import error_of, pages  # noqa: F401  (fixture)
from units import creditcode
from units.models import Jurisdiction, KeyPart, Person, Unit

VALID_CODE = creditcode.make("91440106MA5D00001")


def rows(html: str, testid: str = "unit-row") -> int:
    return html.count(f'data-testid="{testid}"')


def unit_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-testid="unit-row" data-unit-id="(\d+)"', html)}


# Units list

@pytest.mark.parametrize("role, expected", [
    ("admin", {"unit_a", "other_unit_a", "unit_b"}),
    ("police_a", {"unit_a", "other_unit_a"}),
    ("police_b", {"unit_b"}),
    ("supervisor_a", {"unit_a"}),
])
def test_units_list_shows_the_units_in_scope(world, pages, role, expected):
    pages.login(getattr(world, role))
    html = pages.html("/units")
    assert unit_ids(html) == {getattr(world, name).id for name in expected}
    assert 'data-testid="category-badge"' in html


@pytest.mark.parametrize("role", ["coordinator_a", "staff_a"])
def test_unit_roles_are_sent_to_their_own_unit(world, pages, role):
    pages.login(getattr(world, role))
    response = pages.get("/units?category=museum")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/units/{world.unit_a.id}"


def test_units_list_shows_flags_as_badges_and_links_to_the_unit(world, pages):
    pages.login(world.admin)
    html = pages.html("/units")
    assert 'data-testid="badge-key-target"' in html
    assert 'data-testid="badge-key-security-unit"' in html
    assert f'href="/units/{world.unit_b.id}"' in html
    assert "Museum" in html and "School" in html


@pytest.mark.parametrize("query, expected", [
    ("category=hospital", {"other_unit_a"}),
    ("key_target=true", {"unit_b"}),
    ("key_security_unit=true", {"unit_a"}),
    ("key_target=false&key_security_unit=false", {"other_unit_a"}),
    ("q=博物", {"unit_b"}),
    ("q=%25", set()),
    ("jurisdiction_id={station_a}", {"unit_a"}),
    ("jurisdiction_id={district_a}", {"unit_a", "other_unit_a"}),
    ("category=nonsense&q=天河", {"unit_a", "other_unit_a"}),  # invalid filters are dropped
    ("jurisdiction_id=abc", {"unit_a", "other_unit_a", "unit_b"}),
])
def test_units_list_filters(world, pages, query, expected):
    pages.login(world.admin)
    html = pages.html("/units?" + query.format(station_a=world.station_a.id,
                                               district_a=world.district_a.id))
    assert unit_ids(html) == {getattr(world, name).id for name in expected}


def test_filters_never_reach_beyond_scope(world, pages):
    pages.login(world.police_a)
    html = pages.html(f"/units?jurisdiction_id={world.district_b.id}")
    assert unit_ids(html) == set()
    assert 'data-testid="empty-state"' in html


def test_filter_form_keeps_its_values(world, pages):
    pages.login(world.police_a)
    html = pages.html(f"/units?category=school&key_target=false&q=实验&jurisdiction_id={world.station_a.id}")
    assert '<option value="school" selected>' in html
    assert '<option value="false" selected>' in html
    assert 'value="实验"' in html
    assert f'<option value="{world.station_a.id}" selected>' in html
    assert f'value="{world.district_b.id}"' not in html  # out of scope: not offered


def test_units_list_is_paginated_by_50(world, make, pages):
    for i in range(51):
        make.unit(world.district_b, name=f"单位{i:02d}")
    pages.login(world.police_b)
    first = pages.html("/units")
    assert rows(first) == 50
    assert 'data-testid="pagination"' in first
    assert 'href="/units?page=2"' in first
    assert rows(pages.html("/units?page=2")) == 2
    filtered = pages.html("/units?q=单位")
    assert 'href="/units?q=%E5%8D%95%E4%BD%8D&amp;page=2"' in filtered  # links keep the filter
    assert rows(pages.html("/units?q=单位&page=2")) == 1
    past_end = pages.html("/units?page=9")
    assert rows(past_end) == 0
    assert 'href="/units?page=1"' in past_end


def test_empty_units_list_says_what_to_do(world, make, pages):
    lonely = make.jurisdiction("番禺区分局", "P")
    police = make.user("police", "police_p", jurisdiction_id=lonely.id)
    pages.login(police)
    html = pages.html("/units")
    assert 'data-testid="empty-state"' in html
    assert 'href="/units/new"' in html


@pytest.mark.parametrize("role, button", [
    ("admin", True), ("police_a", True), ("supervisor_a", False)])
def test_register_button_for_those_who_may(world, pages, role, button):
    pages.login(getattr(world, role))
    assert ('data-testid="register-unit"' in pages.html("/units")) is button


# Unit detail

@pytest.mark.parametrize("role", ["admin", "police_a", "supervisor_a", "coordinator_a", "staff_a"])
def test_unit_page_renders_for_every_role_in_scope(world, pages, role):
    pages.login(getattr(world, role))
    html = pages.html(f"/units/{world.unit_a.id}")
    assert "天河实验学校" in html
    assert 'data-testid="staffing-panel"' in html
    for rule in ("GZ-6.1", "GZ-6.2", "GZ-6.3.1"):
        assert f'data-rule="{rule}"' in html
    assert "东门" in html  # key part
    assert "东校区" in html  # campus


@pytest.mark.parametrize("role, unit", [
    ("police_b", "unit_a"), ("police_a", "unit_b"), ("supervisor_a", "other_unit_a"),
    ("coordinator_a", "unit_b"), ("staff_a", "unit_b"), ("coordinator_b", "unit_a")])
def test_out_of_scope_units_are_404_on_every_page(world, pages, role, unit):
    pages.login(getattr(world, role))
    unit_id = getattr(world, unit).id
    for url in (f"/units/{unit_id}", f"/units/{unit_id}/edit", f"/units/{unit_id}/people",
                f"/units/{unit_id}/people/new", f"/units/{unit_id}/key-parts/new"):
        assert pages.get(url).status_code == 404, url
    assert pages.get("/units/999999").status_code == 404


def test_other_units_people_and_key_parts_are_404(world, pages):
    pages.login(world.coordinator_a)
    assert pages.get(f"/people/{world.person_b.id}/edit").status_code == 404
    assert pages.post(f"/people/{world.person_b.id}/leave",
                      {"left_on": "2026-01-01"}).status_code == 404
    assert pages.get(f"/key-parts/{world.key_part_b.id}/edit").status_code == 404


def test_staffing_panel_shows_required_actual_status_and_explanation(world, pages):
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}")
    panel = html[html.index('data-testid="staffing-panel"'):html.index('id="key-parts"')]
    assert 'data-compliant="false"' in panel
    assert re.search(r'data-testid="staffing-overall" data-state="non_compliant"', panel)
    # GZ-6.1: 1200 people → max(2, ⌈2.4⌉) = 3; one full-time person on the roster
    first = panel[panel.index('data-rule="GZ-6.1"'):panel.index('data-rule="GZ-6.2"')]
    assert 'data-status="short"' in first
    assert re.search(r'requirement-required">3<', first)
    assert re.search(r'requirement-actual">1<', first)
    assert "Short by 2" in first
    assert "GZ-(六)1" in first
    assert "on the roster: 1" in first  # the explanation sentence


def test_staffing_panel_marks_met_requirements(world, make, pages):
    make.person(world.unit_b, name="甲", role="security_full_time")
    make.person(world.unit_b, name="乙", role="security_part_time")
    pages.login(world.coordinator_b)
    html = pages.html(f"/units/{world.unit_b.id}")
    assert 'data-compliant="true"' in html
    assert 'data-rule="GZ-6.1" data-status="met"' in html
    assert "Compliant" in html and "Met" in html


def test_hospital_figures_and_campuses_on_the_profile(world, make, pages):
    hospital = make.unit(world.district_a, name="第二医院", category="hospital", headcount=900,
                         hospital={"medical_staff": 300, "beds": 400, "daily_outpatients": 2000})
    pages.login(world.police_a)
    html = pages.html(f"/units/{hospital.id}")
    figures = html[html.index('data-testid="hospital-figures"'):]
    assert all(str(n) in figures for n in (300, 400, 2000))
    assert 'data-rule="GZ-6.3.2"' in html
    html = pages.html(f"/units/{world.other_unit_a.id}")
    assert 'data-testid="hospital-figures-missing"' in html


@pytest.mark.parametrize("role, may_edit, may_add_parts", [
    ("admin", True, True), ("police_a", True, False), ("coordinator_a", True, True),
    ("supervisor_a", False, False), ("staff_a", False, False)])
def test_unit_page_buttons_follow_permissions(world, pages, role, may_edit, may_add_parts):
    pages.login(getattr(world, role))
    html = pages.html(f"/units/{world.unit_a.id}")
    assert ('data-testid="edit-unit"' in html) is may_edit
    assert ('data-testid="add-key-part"' in html) is may_add_parts


@pytest.mark.parametrize("role", ["supervisor_a", "staff_a"])
def test_edit_form_is_403_for_readers(world, pages, role):
    pages.login(getattr(world, role))
    assert pages.get(f"/units/{world.unit_a.id}/edit").status_code == 403
    response = pages.post(f"/units/{world.unit_a.id}/edit", {"name": "x"})
    assert response.status_code == 403
    assert db.session.get(Unit, world.unit_a.id).name == "天河实验学校"


@pytest.mark.parametrize("role", ["supervisor_a", "coordinator_a", "staff_a"])
def test_register_form_is_403_for_others(world, pages, role):
    pages.login(getattr(world, role))
    assert pages.get("/units/new").status_code == 403


# Unit forms

def unit_form(world, **fields):
    data = {"name": "天河图书馆", "credit_code": VALID_CODE, "category": "other",
            "jurisdiction_id": str(world.station_a.id), "address": "天河路 1 号",
            "headcount": "250", "responsible_person": "周馆长", "timezone": "Asia/Shanghai",
            "key_since": ""}
    data.update(fields)
    return data


def test_register_form_lists_jurisdictions_in_scope(world, pages):
    pages.login(world.police_a)
    html = pages.html("/units/new")
    assert 'data-testid="unit-form"' in html
    assert f'value="{world.station_a.id}"' in html
    assert f'value="{world.district_b.id}"' not in html
    for field in ("name", "credit_code", "category", "jurisdiction_id", "address", "headcount",
                  "key_security_unit", "key_target", "key_since", "responsible_person",
                  "timezone", "campuses-0-name", "hospital-beds"):
        assert f'<label class="form-label" for="f-{field}"' in html \
            or f'for="f-{field}"' in html, field


def test_invalid_credit_code_is_shown_next_to_its_field(world, pages):
    pages.login(world.police_a)
    response = pages.post("/units/new", unit_form(world, credit_code="123"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not a valid unified social credit code" in error_of(html, "credit_code")
    assert "must be 18 characters" in error_of(html, "credit_code")
    assert 'id="f-credit_code"' in html and "is-invalid" in html
    assert 'value="天河图书馆"' in html  # what was typed stays
    assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == 3


def test_register_form_shows_each_schema_message_at_its_field(world, pages):
    pages.login(world.admin)
    response = pages.post("/units/new", unit_form(
        world, name="", headcount="many", key_since="not-a-date", timezone="Mars/Base",
        category="school", **{"campuses-0-name": "北校区", "campuses-0-population": "100",
                              "campuses-0-boarding_students": "300"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "required" in error_of(html, "name")
    assert "whole number" in error_of(html, "headcount")
    assert "date" in error_of(html, "key_since")
    assert "time zone" in error_of(html, "timezone")
    assert "campus population" in error_of(html, "campuses-0-boarding_students")
    assert 'data-testid="form-errors"' in html


def test_service_errors_are_shown_next_to_fields(world, pages):
    pages.login(world.police_a)
    response = pages.post("/units/new", unit_form(world,
                                                  jurisdiction_id=str(world.district_b.id)))
    assert response.status_code == 422
    assert "No such jurisdiction in your scope" in error_of(response.get_data(as_text=True),
                                                            "jurisdiction_id")


def test_taken_credit_code_is_flashed(world, pages):
    pages.login(world.admin)
    response = pages.post("/units/new", unit_form(world, credit_code=world.unit_b.credit_code))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "A unit with this credit code is already registered." in html
    assert 'data-testid="flash-danger"' in html


def test_register_a_school_with_campuses(world, pages):
    pages.login(world.police_a)
    response = pages.post("/units/new", unit_form(
        world, name="石牌小学", category="school", headcount="900", key_security_unit="on",
        **{"campuses-0-name": "", "campuses-0-population": "",
           "campuses-1-name": "南校区", "campuses-1-population": "600",
           "campuses-1-boarding_students": "",
           "campuses-2-name": "北校区", "campuses-2-population": "300",
           "campuses-2-boarding_students": "120"}))
    assert response.status_code == 302
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "石牌小学"))
    assert response.headers["Location"] == f"/units/{unit.id}"
    assert [(c.name, c.population, c.boarding_students) for c in unit.campuses] == [
        ("南校区", 600, 0), ("北校区", 300, 120)]
    assert unit.key_security_unit and not unit.key_target
    assert unit.key_since == unit.registered_on
    assert unit.credit_code == VALID_CODE
    html = pages.html(response.headers["Location"])
    assert "Unit “石牌小学” registered." in html
    assert html.count('data-rule="GZ-6.3.1"') == 2


def test_register_a_hospital_with_its_figures(world, pages):
    pages.login(world.admin)
    response = pages.post("/units/new", unit_form(
        world, name="天河妇幼", category="hospital", key_target="on", key_since="2025-03-01",
        **{"hospital-medical_staff": "200", "hospital-beds": "100",
           "hospital-daily_outpatients": "3000"}))
    assert response.status_code == 302
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "天河妇幼"))
    assert (unit.medical_staff, unit.beds, unit.daily_outpatients) == (200, 100, 3000)
    assert unit.key_target and str(unit.key_since) == "2025-03-01"


def test_campus_rows_on_a_non_school_are_refused(world, pages):
    pages.login(world.admin)
    response = pages.post("/units/new", unit_form(
        world, category="bank", **{"campuses-0-name": "分行", "campuses-0-population": "10"}))
    assert response.status_code == 422
    assert "Only schools have campuses" in error_of(response.get_data(as_text=True), "campuses")


def test_coordinator_edit_form_hides_the_designation(world, pages):
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/edit")
    assert 'name="name"' in html and 'value="天河实验学校"' in html
    for field in ("key_target", "key_security_unit", "key_since", "jurisdiction_id"):
        assert f'name="{field}"' not in html, field
    assert 'data-testid="designation-readonly"' in html
    assert 'value="东校区"' in html


def test_coordinator_saves_the_profile_but_not_the_designation(world, pages):
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/edit")
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    response = pages.post(f"/units/{world.unit_a.id}/edit", {
        "version": version, "name": "天河实验学校", "credit_code": world.unit_a.credit_code,
        "category": "school", "address": "天河北路 9 号", "headcount": "1300",
        "responsible_person": "校长", "timezone": "Asia/Shanghai",
        "key_target": "on", "jurisdiction_id": str(world.district_b.id),
        "campuses-0-name": "东校区", "campuses-0-population": "1300",
        "campuses-0-boarding_students": "0"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/units/{world.unit_a.id}"
    unit = db.session.get(Unit, world.unit_a.id)
    db.session.refresh(unit)
    assert (unit.address, unit.headcount) == ("天河北路 9 号", 1300)
    assert not unit.key_target and unit.jurisdiction_id == world.station_a.id
    assert "Unit saved." in pages.html(f"/units/{world.unit_a.id}")


def test_police_designates_a_unit(world, pages):
    pages.login(world.police_a)
    html = pages.html(f"/units/{world.other_unit_a.id}/edit")
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    response = pages.post(f"/units/{world.other_unit_a.id}/edit", {
        "version": version, "name": "天河医院", "credit_code": world.other_unit_a.credit_code,
        "category": "hospital", "jurisdiction_id": str(world.station_a.id), "headcount": "800",
        "timezone": "Asia/Shanghai", "key_target": "on", "key_since": "",
        "hospital-medical_staff": "100", "hospital-beds": "60",
        "hospital-daily_outpatients": "900"})
    assert response.status_code == 302
    unit = db.session.get(Unit, world.other_unit_a.id)
    db.session.refresh(unit)
    assert unit.key_target and unit.key_since is not None
    assert unit.jurisdiction_id == world.station_a.id
    assert unit.beds == 60


def test_edit_with_a_stale_version_keeps_the_input_and_says_so(world, pages):
    pages.login(world.coordinator_a)
    response = pages.post(f"/units/{world.unit_a.id}/edit", {
        "version": "0", "name": "新名字", "credit_code": world.unit_a.credit_code,
        "category": "school"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'value="新名字"' in html
    assert 'data-testid="flash-danger"' in html
    assert db.session.get(Unit, world.unit_a.id).name == "天河实验学校"


def test_edit_errors_are_shown_next_to_fields(world, make, pages):
    make.person(world.unit_a, name="赵老师", role="staff", campus="东校区")
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/edit")
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    response = pages.post(f"/units/{world.unit_a.id}/edit", {
        "version": version, "name": "", "credit_code": world.unit_a.credit_code,
        "category": "school", "campuses-0-name": "西校区", "campuses-0-population": "10"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "characters" in error_of(html, "name")
    # the service refuses to drop a campus with people on it
    response = pages.post(f"/units/{world.unit_a.id}/edit", {
        "version": version, "name": "天河实验学校", "credit_code": world.unit_a.credit_code,
        "category": "school", "campuses-0-name": "西校区", "campuses-0-population": "10"})
    assert response.status_code == 422
    assert "still has people" in error_of(response.get_data(as_text=True), "campuses")
    assert [c.name for c in db.session.get(Unit, world.unit_a.id).campuses] == ["东校区"]


# People

def test_people_page_for_coordinator_shows_contact_details(world, pages):
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/people")
    assert "李卫国" in html and "13800000000" in html and "li@example.cn" in html
    assert 'data-testid="role-badge"' in html and "Full-time security staff" in html
    assert 'data-testid="add-person"' in html
    assert 'data-testid="edit-person"' in html
    assert "staff_a" in html  # the account linked to the person


@pytest.mark.parametrize("role", ["admin", "police_a", "supervisor_a"])
def test_people_page_for_oversight_roles(world, pages, role):
    pages.login(getattr(world, role))
    html = pages.html(f"/units/{world.unit_a.id}/people")
    assert "13800000000" in html
    assert ('data-testid="add-person"' in html) is (role == "admin")


def test_staff_see_names_and_roles_only(world, pages):
    pages.login(world.staff_a)
    html = pages.html(f"/units/{world.unit_a.id}/people")
    assert "李卫国" in html and "Full-time security staff" in html
    assert "13800000000" not in html
    assert "li@example.cn" not in html
    assert 'data-testid="names-only-note"' in html
    assert 'data-testid="add-person"' not in html and 'data-testid="edit-person"' not in html


@pytest.mark.parametrize("role", ["staff_a", "police_a", "supervisor_a"])
def test_people_forms_are_403_for_readers(world, pages, role):
    pages.login(getattr(world, role))
    assert pages.get(f"/units/{world.unit_a.id}/people/new").status_code == 403
    assert pages.get(f"/people/{world.person_a.id}/edit").status_code == 403
    assert pages.post(f"/people/{world.person_a.id}/leave",
                      {"left_on": "2026-01-01"}).status_code == 403
    assert db.session.get(Person, world.person_a.id).left_on is None


def test_add_a_person(world, pages):
    pages.login(world.coordinator_a)
    form = pages.html(f"/units/{world.unit_a.id}/people/new")
    assert '<option value="东校区">东校区</option>' in form
    response = pages.post(f"/units/{world.unit_a.id}/people/new", {
        "name": "周保安", "role": "guard", "campus": "东校区",
        "guard_certificate_no": "粤保0099", "phone": "", "email": ""})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/units/{world.unit_a.id}/people"
    person = db.session.scalar(sa.select(Person).where(Person.name == "周保安"))
    assert (person.role, person.campus, person.guard_certificate_no, person.phone) == (
        "guard", "东校区", "粤保0099", None)
    html = pages.html(f"/units/{world.unit_a.id}")
    campus = html[html.index('data-testid="requirement-campus">东校区'):]
    assert re.search(r'requirement-actual">1<', campus)


def test_person_form_errors(world, pages):
    pages.login(world.coordinator_a)
    response = pages.post(f"/units/{world.unit_a.id}/people/new", {
        "name": "", "role": "guard", "email": "not-an-email", "phone": "call me"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "required" in error_of(html, "name")
    assert "email" in error_of(html, "email")
    assert "Digits" in error_of(html, "phone")


def test_edit_a_person(world, pages):
    pages.login(world.coordinator_a)
    html = pages.html(f"/people/{world.person_a.id}/edit")
    assert 'value="13800000000"' in html
    response = pages.post(f"/people/{world.person_a.id}/edit", {
        "name": "李卫国", "role": "security_part_time", "campus": "", "phone": "",
        "email": "wei@example.cn", "guard_certificate_no": ""})
    assert response.status_code == 302
    person = db.session.get(Person, world.person_a.id)
    db.session.refresh(person)
    assert (person.role, person.phone, person.email) == ("security_part_time", None,
                                                         "wei@example.cn")


def test_record_leaving(world, pages):
    pages.login(world.coordinator_a)
    response = pages.post(f"/people/{world.person_a.id}/leave", {"left_on": "2025-12-31"})
    assert response.status_code == 302
    person = db.session.get(Person, world.person_a.id)
    db.session.refresh(person)
    assert str(person.left_on) == "2025-12-31"
    row = f'data-person-id="{world.person_a.id}"'
    current = pages.html(f"/units/{world.unit_a.id}/people")
    assert "Leaving of 李卫国 recorded." in current
    assert row not in current
    assert 'data-testid="empty-state"' in current
    everyone = pages.html(f"/units/{world.unit_a.id}/people?include_left=1")
    assert row in everyone
    assert 'Left on <time datetime="2025-12-31">Dec 31, 2025</time>' in everyone


def test_record_leaving_needs_a_date(world, pages):
    pages.login(world.coordinator_a)
    response = pages.post(f"/people/{world.person_a.id}/leave", {"left_on": ""})
    assert response.status_code == 422
    assert "date" in error_of(response.get_data(as_text=True), "left_on")
    assert db.session.get(Person, world.person_a.id).left_on is None


# Key parts

def test_add_and_edit_a_key_part(world, pages):
    pages.login(world.coordinator_a)
    assert 'data-testid="key-part-form"' in pages.html(f"/units/{world.unit_a.id}/key-parts/new")
    response = pages.post(f"/units/{world.unit_a.id}/key-parts/new", {
        "name": "化学实验室", "kind": "危化品", "video_linked": "on",
        "video_retention_days": "30", "barriers": "双人双锁", "patrol_per_day": ""})
    assert response.status_code == 302
    part = db.session.scalar(sa.select(KeyPart).where(KeyPart.name == "化学实验室"))
    assert (part.video_linked, part.video_retention_days, part.patrol_per_day) == (True, 30, None)
    assert "Under 90 days" in pages.html(f"/units/{world.unit_a.id}")
    response = pages.post(f"/key-parts/{part.id}/edit", {
        "name": "化学实验室", "kind": "危化品", "video_retention_days": "90",
        "barriers": "", "patrol_per_day": "4"})
    assert response.status_code == 302
    db.session.refresh(part)
    assert (part.video_linked, part.video_retention_days, part.patrol_per_day) == (False, 90, 4)


def test_key_part_form_errors(world, pages):
    pages.login(world.admin)
    response = pages.post(f"/units/{world.unit_a.id}/key-parts/new", {
        "name": "", "video_retention_days": "-5", "patrol_per_day": "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "required" in error_of(html, "name")
    assert "number from 0" in error_of(html, "video_retention_days")
    assert "whole number" in error_of(html, "patrol_per_day")


@pytest.mark.parametrize("role", ["staff_a", "police_a", "supervisor_a"])
def test_key_part_forms_are_403_for_readers(world, pages, role):
    pages.login(getattr(world, role))
    assert pages.get(f"/units/{world.unit_a.id}/key-parts/new").status_code == 403
    assert pages.get(f"/key-parts/{world.key_part_a.id}/edit").status_code == 403


# Jurisdictions

def test_admin_sees_the_whole_tree_and_the_create_form(world, pages):
    pages.login(world.admin)
    html = pages.html("/jurisdictions")
    assert html.count('data-testid="jurisdiction-row"') == 4
    assert re.search(r'data-depth="0">\s*<td class="depth-0">.*?广州市公安局', html, re.S)
    assert re.search(r'data-depth="2">\s*<td class="depth-2">.*?石牌派出所', html, re.S)
    assert 'data-testid="jurisdiction-form"' in html
    # the tree is depth first: the station comes right after its district
    assert html.index("天河区分局") < html.index("石牌派出所") < html.index("越秀区分局")


@pytest.mark.parametrize("role", ["police_a", "supervisor_a"])
def test_oversight_roles_see_their_subtree_only(world, pages, role):
    pages.login(getattr(world, role))
    html = pages.html("/jurisdictions")
    assert "天河区分局" in html and "石牌派出所" in html
    assert "越秀区分局" not in html and "广州市公安局" not in html
    assert 'data-testid="jurisdiction-form"' not in html
    assert pages.post("/jurisdictions", {"name": "x", "code": "X"}).status_code == 403


@pytest.mark.parametrize("role", ["coordinator_a", "staff_a"])
def test_unit_roles_may_not_see_jurisdictions(world, pages, role):
    pages.login(getattr(world, role))
    assert pages.get("/jurisdictions").status_code == 403


def test_admin_creates_a_jurisdiction(world, pages):
    pages.login(world.admin)
    response = pages.post("/jurisdictions", {"name": "猎德派出所", "code": "A2",
                                             "parent_id": str(world.district_a.id)})
    assert response.status_code == 302
    node = db.session.scalar(sa.select(Jurisdiction).where(Jurisdiction.code == "A2"))
    assert node.parent_id == world.district_a.id
    assert "猎德派出所" in pages.html("/jurisdictions")


def test_jurisdiction_form_errors(world, pages):
    pages.login(world.admin)
    response = pages.post("/jurisdictions", {"name": "", "code": "bad code!"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "required" in error_of(html, "name")
    assert "Letters, digits" in error_of(html, "code")
    response = pages.post("/jurisdictions", {"name": "重复", "code": "A1"})
    assert response.status_code == 409
    assert "That jurisdiction code is taken." in response.get_data(as_text=True)


def test_odd_query_arguments_do_not_break_page_links(world, make, pages):
    for i in range(50):
        make.person(world.unit_a, name=f"员工{i}")
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/people?unit_id=5&_external=1&_scheme=javascript")
    assert f'href="/units/{world.unit_a.id}/people?page=2"' in html
    assert "javascript:" not in html


def test_names_are_escaped(world, make, pages):
    make.unit(world.station_a, name="<script>alert(1)</script>")
    pages.login(world.police_a)
    html = pages.html("/units")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
