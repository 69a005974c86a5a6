"""The shell's pages: log in, language, navigation, users (anbao.web, anbao.auth.views)."""
import itertools
import html
import re

import pytest
import sqlalchemy as sa

from anbao.auth.models import User
from anbao.extensions import db
from tests.conftest import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_addresses = itertools.count(1)


class Pages:
    """A browser session through the test client: logs in with the form, sends CSRF tokens.

    Each log-in comes from an address of its own so the log-in rate limit (per address)
    never trips across the suite.
    """

    def __init__(self, client):
        self.client = client
        self.token = None

    def _fetch_token(self, url="/login"):
        match = CSRF.search(self.client.get(url).get_data(as_text=True))
        assert match, "no CSRF token on " + url
        self.token = match.group(1)

    def login(self, user, language="en"):
        n = next(_addresses)
        self.client.environ_base["REMOTE_ADDR"] = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
        self._fetch_token()
        response = self.client.post("/login", data={
            "username": user.username, "password": PASSWORD, "csrf_token": self.token})
        assert response.status_code == 302, response.get_data(as_text=True)
        if language:
            self.post(f"/language/{language}")
        return self

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def html(self, url, status=200):
        response = self.client.get(url)
        assert response.status_code == status, (url, response.status_code)
        return response.get_data(as_text=True)

    def post(self, url, data=None, **kwargs):
        form = {"csrf_token": self.token}
        for key, value in (data or {}).items():
            form[key] = value
        return self.client.post(url, data=form, **kwargs)


@pytest.fixture
def pages(client):
    return Pages(client)


def error_of(html: str, field: str) -> str:
    """The text of the error shown next to a field ('' when none)."""
    match = re.search(r'data-testid="error-%s">(.*?)</div>\s*</div>' % re.escape(field), html,
                      re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip() if match else ""


# Log in, CSRF, language

def test_login_page_renders_in_chinese_by_default(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in response.get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused(world, client):
    response = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/units").status_code == 302  # still not logged in


def test_a_form_post_without_csrf_token_is_refused_when_logged_in(world, pages):
    pages.login(world.admin)
    response = pages.client.post("/jurisdictions", data={"name": "新区", "code": "NEW"})
    assert response.status_code == 400
    assert db.session.scalar(sa.text("select count(*) from jurisdictions where code = 'NEW'")) == 0


def test_wrong_password_shows_the_form_again(world, pages):
    pages._fetch_token()
    response = pages.client.post("/login", data={
        "username": "admin", "password": "wrong-password", "csrf_token": pages.token})
    assert response.status_code == 401
    assert 'id="password"' in response.get_data(as_text=True)


def test_pages_need_a_login(client):
    response = client.get("/units")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_language_switch_changes_html_lang(world, pages):
    pages.login(world.police_a, language=None)
    assert '<html lang="zh-CN">' in pages.html("/units")
    response = pages.post("/language/en", headers={"Referer": "http://localhost/units?page=1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/units?page=1"
    html = pages.html("/units")
    assert '<html lang="en">' in html
    assert re.search(r'data-testid="flash-success">.*?The pages now show in English\.', html,
                     re.S)
    assert db.session.get(User, world.police_a.id).language == "en"
    pages.post("/language/zh_CN")
    html = pages.html("/units")
    assert '<html lang="zh-CN">' in html and "The pages now show" not in html
    assert re.search(r'data-testid="flash-success">.*?中文', html, re.S)


def test_language_switch_ignores_foreign_referrers(world, pages):
    pages.login(world.police_a)
    for referrer in ("https://evil.example/x", "http://localhost//evil.example/x",
                     "http://localhost/\\evil.example/x"):
        response = pages.post("/language/en", headers={"Referer": referrer})
        assert response.headers["Location"] == "/", referrer


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/",
                                    "/\\evil.example/", "javascript:alert(1)"])
def test_login_goes_on_to_pages_of_this_site_only(world, client, target):
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", query_string={"next": target}, data={
        "username": "police_a", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_pages_carry_no_inline_script_or_style(world, pages):
    pages.login(world.coordinator_a)
    for url in (f"/units/{world.unit_a.id}", f"/units/{world.unit_a.id}/edit",
                f"/units/{world.unit_a.id}/people", "/users", "/users/new"):
        html = pages.html(url)
        assert "style=" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html, url


# Home and navigation

@pytest.mark.parametrize("role, target", [
    ("admin", "/dashboard"), ("police_a", "/dashboard"), ("supervisor_a", "/dashboard"),
    ("coordinator_a", "/units/{unit}/compliance"), ("staff_a", "/me")])
def test_home_sends_each_role_to_its_start_page(world, pages, role, target):
    pages.login(getattr(world, role))
    response = pages.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == target.format(unit=world.unit_a.id)


@pytest.mark.parametrize("role, links, absent", [
    ("admin", ["/dashboard", "/units", "/jurisdictions", "/users"], []),
    ("police_a", ["/dashboard", "/units", "/jurisdictions"], ["/users"]),
    ("supervisor_a", ["/units", "/jurisdictions"], ["/users"]),
    ("coordinator_a", ["/units/{unit}", "/units/{unit}/people", "/users"], ["/jurisdictions"]),
    ("staff_a", ["/me", "/units/{unit}", "/units/{unit}/people"], ["/users", "/jurisdictions"])])
def test_navigation_fits_the_role(world, pages, role, links, absent):
    pages.login(getattr(world, role))
    html = pages.html("/units/%d" % world.unit_a.id)
    nav = html[html.index('<ul class="navbar-nav'):html.index("</ul>", html.index('<ul class="navbar-nav'))]
    for link in links:
        assert 'href="%s"' % link.format(unit=world.unit_a.id) in nav
    for link in absent:
        assert 'href="%s"' % link not in nav


def test_active_menu_entry_is_marked(world, pages):
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/people")
    assert re.search(r'nav-link active"\s+aria-current="page" href="/units/%d/people"'
                     % world.unit_a.id, html)


# Users

def test_admin_sees_every_account(world, pages):
    pages.login(world.admin)
    html = pages.html("/users")
    for name in ("admin", "police_a", "police_b", "supervisor_a", "coordinator_a", "staff_a",
                 "coordinator_b"):
        assert f'data-username="{name}"' in html
    assert 'data-testid="create-user"' in html


def test_coordinator_sees_the_accounts_of_its_unit(world, pages):
    pages.login(world.coordinator_a)
    html = pages.html("/users")
    assert 'data-username="coordinator_a"' in html
    assert 'data-username="staff_a"' in html
    assert 'data-username="coordinator_b"' not in html
    assert 'data-username="police_a"' not in html
    assert "李卫国" in html  # staff_a is linked to this person


@pytest.mark.parametrize("role", ["police_a", "supervisor_a", "staff_a"])
def test_other_roles_may_not_see_users(world, pages, role):
    pages.login(getattr(world, role))
    assert pages.get("/users").status_code == 403
    assert pages.get("/users/new").status_code == 403


def test_coordinator_creates_a_staff_account_linked_to_a_person(world, make, pages):
    teacher = make.person(world.unit_a, name="林老师", role="staff")
    pages.login(world.coordinator_a)
    form = pages.html("/users/new")
    assert 'name="role"' not in form  # the role is fixed to staff
    assert 'name="unit_id"' not in form
    assert f'<option value="{teacher.id}">林老师</option>' in form
    assert f'value="{world.person_a.id}"' not in form  # already has an account
    response = pages.post("/users/new", {"username": "lin", "password": "long-enough-pw",
                                         "display_name": "林老师", "person_id": str(teacher.id)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/users"
    user = db.session.scalar(sa.select(User).where(User.username == "lin"))
    assert (user.role, user.unit_id, user.person_id) == ("staff", world.unit_a.id, teacher.id)
    assert 'data-username="lin"' in pages.html("/users")


def test_coordinator_cannot_slip_in_another_role(world, pages):
    pages.login(world.coordinator_a)
    response = pages.post("/users/new", {"username": "sneaky", "password": "long-enough-pw",
                                         "role": "admin", "unit_id": str(world.unit_b.id)})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "sneaky"))
    assert (user.role, user.unit_id) == ("staff", world.unit_a.id)


def test_user_form_shows_errors_next_to_fields(world, pages):
    pages.login(world.admin)
    response = pages.post("/users/new", {"username": "bad name!", "password": "short",
                                         "role": "supervisor"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Letters, digits" in error_of(html, "username")
    assert "At least 10 characters" in error_of(html, "password")
    assert 'value="short"' not in html  # a password is never sent back


def test_user_form_shows_service_errors_next_to_fields(world, pages):
    pages.login(world.admin)
    response = pages.post("/users/new", {"username": "sup2", "password": "long-enough-pw",
                                         "role": "supervisor"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Required for this role" in error_of(html, "jurisdiction_id")
    assert "at least one sector" in error_of(html, "sectors")


def test_admin_creates_a_supervisor(world, pages):
    pages.login(world.admin)
    response = pages.post("/users/new", {
        "username": "sup3", "password": "long-enough-pw", "role": "supervisor",
        "jurisdiction_id": str(world.district_b.id), "sectors": ["school", "museum"]})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "sup3"))
    assert user.jurisdiction_id == world.district_b.id
    assert sorted(user.sectors) == ["museum", "school"]


def test_taken_username_is_flashed(world, pages):
    pages.login(world.admin)
    response = pages.post("/users/new", {"username": "police_a", "password": "long-enough-pw",
                                         "role": "police",
                                         "jurisdiction_id": str(world.district_a.id)})
    assert response.status_code == 409
    assert "That username is taken." in response.get_data(as_text=True)


def test_user_pages_are_paginated(world, make, pages):
    for i in range(50):
        make.user("police", f"p{i:02d}", jurisdiction_id=world.city.id)
    pages.login(world.admin)
    first = pages.html("/users")
    assert first.count('data-testid="user-row"') == 50
    assert 'data-testid="pagination"' in first
    second = pages.html("/users?page=2")
    assert second.count('data-testid="user-row"') == 7


# Editing accounts
def test_coordinator_disables_a_staff_account_from_the_page(world, pages):
    pages.login(world.coordinator_a)
    listing = pages.html("/users")
    assert f"/users/{world.staff_a.id}/edit" in listing
    assert 'data-testid="edit-user"' in listing
    rows = re.findall(r'<tr data-testid="user-row" data-username="([^"]+)">(.*?)</tr>', listing, re.S)
    editable = {name for name, row in rows if 'data-testid="edit-user"' in row}
    assert editable == {"staff_a"}  # staff accounts only, not the coordinator's
    form = pages.html(f"/users/{world.staff_a.id}/edit")
    etag = html.unescape(re.search(r'name="etag" value="([^"]+)"', form).group(1))
    response = pages.post(f"/users/{world.staff_a.id}/edit",
                          {"display_name": "林老师", "email": "", "etag": etag})
    assert response.status_code == 302
    db.session.expire_all()
    staff = db.session.get(User, world.staff_a.id)
    assert (staff.display_name, staff.active) == ("林老师", False)


def test_account_edit_shows_errors_next_to_fields_and_refuses_stale_forms(world, pages):
    pages.login(world.admin)
    form = pages.html(f"/users/{world.staff_a.id}/edit")
    etag = html.unescape(re.search(r'name="etag" value="([^"]+)"', form).group(1))
    short = pages.post(f"/users/{world.staff_a.id}/edit",
                       {"password": "short", "active": "on", "etag": etag})
    assert short.status_code == 422
    assert error_of(short.get_data(as_text=True), "password")
    stale = pages.post(f"/users/{world.staff_a.id}/edit",
                       {"display_name": "x", "active": "on", "etag": '"old"'})
    assert stale.status_code == 409
    assert db.session.get(User, world.staff_a.id).display_name != "x"


def test_account_edit_is_scoped(world, pages):
    pages.login(world.coordinator_a)
    assert pages.get(f"/users/{world.coordinator_b.id}/edit").status_code == 404
    pages.post("/logout")
    pages.login(world.police_a)
    assert pages.get(f"/users/{world.staff_a.id}/edit").status_code == 403


def test_staff_changes_its_own_password_from_the_page(world, pages):
    pages.login(world.staff_a)
    home = pages.html(pages.get("/").headers["Location"])
    assert f"/users/{world.staff_a.id}/edit" in home  # the name in the menu bar
    form = pages.html(f"/users/{world.staff_a.id}/edit")
    assert 'name="active"' not in form
    etag = html.unescape(re.search(r'name="etag" value="([^"]+)"', form).group(1))
    response = pages.post(f"/users/{world.staff_a.id}/edit",
                          {"display_name": "林晓红", "password": "my-own-new-secret",
                           "etag": etag})
    assert response.status_code == 302
    db.session.expire_all()
    staff = db.session.get(User, world.staff_a.id)
    assert staff.display_name == "林晓红" and staff.active
