"""Issue 8 on the account pages: filters and paging, breadcrumbs, confirmation before
disabling an account, a flash after each action."""
import html as htmllib
import re

import pytest

from anbao.auth.models import User
from anbao.extensions import db
from tests.anbao.test_views import pages  # noqa: F401  (fixture)
from tests.conftest import count_queries


def usernames(html: str) -> set[str]:
    return set(re.findall(r'data-testid="user-row" data-username="([^"]+)"', html))


def test_users_page_has_breadcrumbs_and_filters(world, pages):
    pages.login(world.admin)
    html = pages.html("/users")
    assert 'data-testid="breadcrumbs"' in html and 'data-testid="user-filters"' in html
    for field in ("filter-q", "filter-role", "filter-unit", "filter-active"):
        assert f'<label class="form-label small" for="{field}">' in html
    assert 'data-testid="breadcrumbs"' in pages.html("/users/new")
    assert 'data-testid="breadcrumbs"' in pages.html(f"/users/{world.staff_a.id}/edit")


def test_users_filter_by_role_unit_active_and_text(world, make, pages):
    gone = make.user("staff", "gone_a", unit_id=world.unit_a.id, display_name="离职者")
    gone.active = False
    db.session.commit()
    pages.login(world.admin)
    assert usernames(pages.html("/users?role=police")) == {"police_a", "police_b"}
    assert usernames(pages.html(f"/users?unit_id={world.unit_a.id}")) == {
        "coordinator_a", "staff_a", "gone_a"}
    assert usernames(pages.html("/users?active=false")) == {"gone_a"}
    assert "gone_a" not in usernames(pages.html("/users?active=true"))
    assert usernames(pages.html("/users?q=离职")) == {"gone_a"}  # the display name
    assert usernames(pages.html("/users?q=POLICE_")) == {"police_a", "police_b"}
    assert usernames(pages.html(f"/users?role=staff&unit_id={world.unit_a.id}&active=true")) \
        == {"staff_a"}
    empty = pages.html("/users?q=nobody")
    assert 'data-testid="empty-state"' in empty and 'data-testid="clear-filters"' in empty


@pytest.mark.parametrize("query", ["?role=emperor", "?unit_id=abc", "?unit_id=-1",
                                   "?active=maybe", "?q=%25", "?page=zz", "?page=0"])
def test_users_bad_filters_are_ignored_never_500(world, pages, query):
    pages.login(world.admin)
    response = pages.get("/users" + query)
    assert response.status_code == 200
    if query != "?q=%25":
        assert "police_a" in usernames(response.get_data(as_text=True))


def test_users_filters_keep_the_scope(world, make, pages):
    pages.login(world.coordinator_a)
    # the coordinator sees its unit only: another unit's filter shows nobody of it
    html = pages.html(f"/users?unit_id={world.unit_b.id}")
    assert "coordinator_b" not in usernames(html)
    assert 'id="filter-unit"' not in html  # no unit choice for a unit's own list
    assert usernames(pages.html("/users?role=coordinator")) == {"coordinator_a"}
    assert usernames(pages.html("/users?q=coordinator")) == {"coordinator_a"}


def test_users_list_is_paginated_with_filters_and_bounded_queries(world, make, pages):
    for i in range(55):
        make.user("police", f"p{i:02d}", jurisdiction_id=world.city.id)
    pages.login(world.admin)
    with count_queries() as n:
        first = pages.html("/users?role=police")
    assert n() < 25
    assert len(usernames(first)) == 50
    link = htmllib.unescape(re.search(r'href="([^"]*page=2[^"]*)"', first).group(1))
    assert "role=police" in link
    assert len(usernames(pages.html(link))) == 57 - 50


def test_disabling_an_account_asks_first_and_flashes(world, pages):
    pages.login(world.coordinator_a)
    form = pages.html(f"/users/{world.staff_a.id}/edit")
    tag = re.search(r'<form[^>]*data-testid="disable-form"[^>]*>', form, re.S).group(0)
    assert f'action="/users/{world.staff_a.id}/disable"' in tag and "data-confirm=" in tag
    response = pages.post(f"/users/{world.staff_a.id}/disable")
    assert response.status_code == 302 and response.headers["Location"] == "/users"
    db.session.expire_all()
    assert db.session.get(User, world.staff_a.id).active is False
    listing = pages.html("/users")
    assert "staff_a” disabled" in listing
    form = pages.html(f"/users/{world.staff_a.id}/edit")
    assert 'data-testid="enable-form"' in form and 'data-testid="disable-form"' not in form
    # saving the other fields keeps it disabled
    assert 'name="active"' not in form
    response = pages.post(f"/users/{world.staff_a.id}/enable")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.staff_a.id).active is True
    assert "staff_a” enabled" in pages.html("/users")


def test_saving_an_active_account_keeps_it_active(world, pages):
    pages.login(world.admin)
    form = pages.html(f"/users/{world.staff_a.id}/edit")
    assert '<input type="hidden" name="active" value="on">' in form
    etag = htmllib.unescape(re.search(r'name="etag" value="([^"]+)"', form).group(1))
    response = pages.post(f"/users/{world.staff_a.id}/edit",
                          {"display_name": "新名字", "active": "on", "etag": etag})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.staff_a.id).active is True


def test_disable_is_scoped_and_refused_for_oneself(world, pages):
    pages.login(world.coordinator_a)
    assert pages.post(f"/users/{world.coordinator_b.id}/disable").status_code == 404
    assert pages.post(f"/users/{world.coordinator_a.id}/disable").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.coordinator_a.id).active is True
    pages.client.post("/logout", data={"csrf_token": pages.token})
    pages.login(world.police_a)
    assert pages.post(f"/users/{world.staff_a.id}/disable").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, world.coordinator_b.id).active is True
    assert db.session.get(User, world.staff_a.id).active is True


def test_own_account_page_has_no_access_card(world, pages):
    pages.login(world.staff_a)
    form = pages.html(f"/users/{world.staff_a.id}/edit")
    assert 'data-testid="account-access"' not in form
    assert 'data-testid="breadcrumbs"' in form
