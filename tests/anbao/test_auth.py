"""Tokens, throttling, accounts and browser sessions (API.md "Authentication and accounts")."""
import hashlib
import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from anbao.auth.models import ApiToken, LoginFailure, User
from anbao.extensions import db, utcnow
from tests.conftest import PASSWORD

BAD_CREDENTIALS = "Invalid username or password."  # in English, when asked for


def token_for(api, username, password=PASSWORD, language="en"):
    return api.post("/auth/token", json={"username": username, "password": password},
                    headers={"Accept-Language": language})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def fail(api, username, times):
    for _ in range(times):
        assert token_for(api, username, "wrong-password!").status_code == 401


def add_failures(username, count, ago):
    """Failures recorded `ago` before now, as the service records them."""
    at = utcnow() - ago
    db.session.add_all(LoginFailure(username=username, at=at) for _ in range(count))
    db.session.commit()


class TestTokens:
    def test_issue(self, world, api):
        before = datetime.now(timezone.utc)
        response = token_for(api, "coordinator_a")
        assert response.status_code == 201
        assert set(response.json) == {"token", "expires_at"}
        expires = datetime.fromisoformat(response.json["expires_at"])
        assert expires.utcoffset() == timedelta(hours=8)  # ANBAO_TIMEZONE, with its offset
        assert re.search(r"[+-]\d\d:\d\d$", response.json["expires_at"])
        ttl = api.client.application.config["TOKEN_TTL"]
        assert before + ttl - timedelta(seconds=5) <= expires <= before + ttl + timedelta(
            seconds=5)
        me = api.client.get("/api/v1/me", headers=bearer(response.json["token"]))
        assert me.status_code == 200
        assert me.json["username"] == "coordinator_a"

    def test_each_issue_is_a_new_token(self, world, api):
        first = token_for(api, "coordinator_a").json["token"]
        second = token_for(api, "coordinator_a").json["token"]
        assert first != second
        assert len(first) >= 32

    @pytest.mark.parametrize(("username", "password"), [
        ("coordinator_a", "wrong-password!"),
        ("nobody", PASSWORD),
        ("nobody", "wrong-password!"),
        ("COORDINATOR_A", PASSWORD),
    ])
    def test_bad_credentials_answer_the_same(self, world, api, username, password):
        response = token_for(api, username, password)
        assert response.status_code == 401
        assert response.json == {"code": 401, "status": "Unauthorized",
                                 "message": BAD_CREDENTIALS}

    def test_bad_credentials_answer_the_same_in_chinese(self, world, api):
        answers = {token_for(api, username, password, language="zh-CN").json["message"]
                   for username, password in (("coordinator_a", "wrong-password!"),
                                              ("nobody", PASSWORD))}
        assert len(answers) == 1
        assert answers != {BAD_CREDENTIALS}  # the requester's language (zh_CN by default)

    @pytest.mark.parametrize("body", [{}, {"username": "admin"}, {"password": PASSWORD},
                                      {"username": "", "password": PASSWORD},
                                      {"username": 5, "password": PASSWORD},
                                      {"username": "admin", "password": None}])
    def test_incomplete_request_is_422(self, world, api, body):
        response = api.post("/auth/token", json=body)
        assert response.status_code == 422
        assert response.json["errors"]["json"]

    def test_expired_token_is_refused(self, world, api, app, monkeypatch):
        monkeypatch.setitem(app.config, "TOKEN_TTL", timedelta(0))
        token = token_for(api, "coordinator_a").json["token"]
        response = api.client.get("/api/v1/me", headers=bearer(token))
        assert response.status_code == 401
        assert response.json["code"] == 401

    def test_token_stops_working_when_it_expires(self, world, api):
        token = token_for(api, "coordinator_a").json["token"]
        assert api.client.get("/api/v1/me", headers=bearer(token)).status_code == 200
        row = db.session.scalar(sa.select(ApiToken).where(
            ApiToken.token_hash == hashlib.sha256(token.encode()).hexdigest()))
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert api.client.get("/api/v1/me", headers=bearer(token)).status_code == 401

    def test_revoke(self, world, api):
        token = token_for(api, "coordinator_a").json["token"]
        other = token_for(api, "coordinator_a").json["token"]
        response = api.client.delete("/api/v1/auth/token", headers=bearer(token))
        assert response.status_code == 204
        assert response.data == b""
        again = api.client.get("/api/v1/me", headers=bearer(token))
        assert again.status_code == 401
        assert again.json["code"] == 401
        assert api.client.delete("/api/v1/auth/token", headers=bearer(token)).status_code == 401
        # the holder's other tokens still work
        assert api.client.get("/api/v1/me", headers=bearer(other)).status_code == 200

    def test_revoke_needs_a_token(self, world, api):
        assert api.delete("/auth/token").status_code == 401

    @pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer nonsense", "Basic YTpi",
                                        "Bearer " + "x" * 5000, "bearer abc"])
    def test_unusable_authorization_is_401(self, world, api, header):
        response = api.client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.json["code"] == 401

    def test_tokens_are_stored_hashed(self, world, api):
        token = token_for(api, "coordinator_a").json["token"]
        stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
        assert token not in stored
        assert hashlib.sha256(token.encode()).hexdigest() in stored

    def test_inactive_user_cannot_log_in_and_its_tokens_stop(self, world, api):
        token = token_for(api, "coordinator_a").json["token"]
        world.coordinator_a.active = False
        db.session.commit()
        response = token_for(api, "coordinator_a")
        assert response.status_code == 401
        assert response.json["message"] == BAD_CREDENTIALS
        assert api.client.get("/api/v1/me", headers=bearer(token)).status_code == 401


class TestThrottling:
    """10 failures within 15 minutes lock the username; the window slides (API.md)."""

    def test_ten_failures_lock_even_the_right_password(self, world, api):
        fail(api, "coordinator_a", 10)
        response = token_for(api, "coordinator_a")
        assert response.status_code == 429
        assert response.json["code"] == 429
        assert set(response.json) == {"code", "status", "message"}
        retry_after = int(response.headers["Retry-After"])
        assert 15 * 60 - 5 <= retry_after <= 15 * 60
        # every further attempt, right or wrong
        assert token_for(api, "coordinator_a", "wrong-password!").status_code == 429
        assert token_for(api, "coordinator_a").status_code == 429
        # other usernames are not affected
        assert token_for(api, "coordinator_b").status_code == 201

    def test_nine_failures_do_not_lock(self, world, api):
        fail(api, "coordinator_a", 9)
        assert token_for(api, "coordinator_a").status_code == 201

    def test_a_success_before_the_limit_clears_the_failures(self, world, api):
        fail(api, "coordinator_a", 9)
        assert token_for(api, "coordinator_a").status_code == 201
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailure)) == 0
        fail(api, "coordinator_a", 9)  # counting starts again: 9 more are still allowed
        assert token_for(api, "coordinator_a").status_code == 201

    def test_failures_older_than_the_window_do_not_count(self, world, api):
        add_failures("coordinator_a", 20, ago=timedelta(minutes=16))
        fail(api, "coordinator_a", 9)
        assert token_for(api, "coordinator_a").status_code == 201

    def test_old_failures_plus_new_ones_reach_the_limit_only_inside_the_window(self, world,
                                                                                 api):
        add_failures("coordinator_a", 5, ago=timedelta(minutes=16))
        add_failures("coordinator_a", 5, ago=timedelta(minutes=10))
        fail(api, "coordinator_a", 4)
        assert token_for(api, "coordinator_a", "wrong-password!").status_code == 401  # 10th
        assert token_for(api, "coordinator_a").status_code == 429

    def test_retry_after_counts_down_to_the_oldest_failure_leaving_the_window(self, world,
                                                                              api):
        add_failures("coordinator_a", 1, ago=timedelta(minutes=14))
        add_failures("coordinator_a", 9, ago=timedelta(minutes=1))
        response = token_for(api, "coordinator_a")
        assert response.status_code == 429
        assert 58 <= int(response.headers["Retry-After"]) <= 61

    def test_retry_after_of_a_lock_about_to_lift(self, world, api):
        """Seconds, not the end of some other limit's window."""
        add_failures("coordinator_a", 10, ago=timedelta(minutes=14, seconds=55))
        response = token_for(api, "coordinator_a")
        assert response.status_code == 429
        assert 4 <= int(response.headers["Retry-After"]) <= 6

    def test_lock_lifts_when_fewer_than_ten_remain_in_the_window(self, world, api):
        fail(api, "coordinator_a", 10)
        assert token_for(api, "coordinator_a").status_code == 429
        # let 15 minutes and 1 second pass for the first failure only
        first = db.session.scalar(sa.select(LoginFailure).order_by(LoginFailure.id).limit(1))
        first.at = utcnow() - timedelta(minutes=15, seconds=1)
        db.session.commit()
        assert token_for(api, "coordinator_a").status_code == 201

    def test_locked_attempts_do_not_extend_the_lock(self, world, api):
        add_failures("coordinator_a", 10, ago=timedelta(minutes=14, seconds=50))
        for _ in range(5):
            assert token_for(api, "coordinator_a").status_code == 429
        for row in db.session.scalars(sa.select(LoginFailure)):
            row.at -= timedelta(seconds=11)
        db.session.commit()
        assert token_for(api, "coordinator_a").status_code == 201

    def test_unknown_usernames_are_throttled_alike(self, world, api):
        fail(api, "nobody", 10)
        response = token_for(api, "nobody")
        assert response.status_code == 429
        assert "Retry-After" in response.headers

    def test_username_case_does_not_dodge_the_lock(self, world, api):
        fail(api, "coordinator_a", 5)
        fail(api, "Coordinator_A", 5)
        assert token_for(api, "coordinator_a").status_code == 429


class TestPasswords:
    def test_stored_as_argon2id_hashes(self, world):
        for user in db.session.scalars(sa.select(User)):
            assert user.password_hash.startswith("$argon2id$")
            assert PASSWORD not in user.password_hash

    def test_created_through_the_api_hashed_too(self, world, api):
        response = api.post("/users", as_=world.admin, json={
            "username": "new_admin", "password": "一二三四五六七八九十", "role": "admin"})
        assert response.status_code == 201
        user = db.session.get(User, response.json["id"])
        assert user.password_hash.startswith("$argon2id$")
        assert "一二三四五六七八九十" not in user.password_hash
        assert token_for(api, "new_admin", "一二三四五六七八九十").status_code == 201


class TestMe:
    FIELDS = {"id", "username", "role", "display_name", "email", "unit_id",
              "jurisdiction_id", "sectors", "language"}

    def test_fields_exactly(self, world, api):
        response = api.get("/me", as_=world.supervisor_a)
        assert response.status_code == 200
        assert set(response.json) == self.FIELDS
        assert response.json == {
            "id": world.supervisor_a.id, "username": "supervisor_a", "role": "supervisor",
            "display_name": "", "email": None, "unit_id": None,
            "jurisdiction_id": world.district_a.id, "sectors": ["school"], "language": None}
        assert response.headers["ETag"]

    @pytest.mark.parametrize("role", ["admin", "police_a", "coordinator_a", "staff_a"])
    def test_every_role(self, world, api, role):
        user = getattr(world, role)
        body = api.get("/me", as_=user).json
        assert set(body) == self.FIELDS
        assert (body["id"], body["role"], body["unit_id"], body["jurisdiction_id"]) == (
            user.id, user.role, user.unit_id, user.jurisdiction_id)

    def test_needs_authentication(self, world, api):
        response = api.get("/me")
        assert response.status_code == 401
        assert response.json["code"] == 401


class TestUsers:
    def body(self, **fields):
        return {"username": "new_user", "password": PASSWORD, **fields}

    def test_admin_creates_each_role(self, world, api):
        cases = [
            {"role": "admin"},
            {"role": "police", "jurisdiction_id": world.district_b.id},
            {"role": "supervisor", "jurisdiction_id": world.city.id,
             "sectors": ["school", "bank"]},
            {"role": "coordinator", "unit_id": world.unit_b.id},
            {"role": "staff", "unit_id": world.unit_b.id, "person_id": world.person_b.id,
             "display_name": "王强", "email": "wang@example.cn"},
        ]
        for n, fields in enumerate(cases):
            response = api.post("/users", as_=world.admin,
                                json=self.body(username=f"new_{n}", **fields))
            assert response.status_code == 201, response.json
            assert "password" not in response.json and "password_hash" not in response.json
            for key, value in fields.items():
                assert response.json[key] == value
            assert response.headers["ETag"]
            assert token_for(api, f"new_{n}").status_code == 201

    def test_password_shorter_than_ten_is_422(self, world, api):
        response = api.post("/users", as_=world.admin,
                            json=self.body(role="admin", password="123456789"))
        assert response.status_code == 422
        assert list(response.json["errors"]["json"]) == ["password"]
        ten = api.post("/users", as_=world.admin,
                       json=self.body(role="admin", password="1234567890"))
        assert ten.status_code == 201

    def test_username_taken_is_409(self, world, api):
        response = api.post("/users", as_=world.admin,
                            json=self.body(username="coordinator_a", role="admin"))
        assert response.status_code == 409
        assert response.json["code"] == 409
        assert set(response.json) == {"code", "status", "message"}

    @pytest.mark.parametrize(("fields", "field"), [
        ({"role": "police"}, "jurisdiction_id"),
        ({"role": "supervisor"}, "jurisdiction_id"),
        ({"role": "supervisor", "jurisdiction_id": "district_a"}, "sectors"),
        ({"role": "supervisor", "jurisdiction_id": "district_a", "sectors": []}, "sectors"),
        ({"role": "supervisor", "jurisdiction_id": "district_a", "sectors": ["farm"]},
         "sectors"),
        ({"role": "coordinator"}, "unit_id"),
        ({"role": "staff"}, "unit_id"),
        ({"role": "police", "jurisdiction_id": 987654}, "jurisdiction_id"),
        ({"role": "staff", "unit_id": 987654}, "unit_id"),
        ({"role": "staff", "unit_id": "unit_a", "person_id": "person_b"}, "person_id"),
        ({"role": "chief"}, "role"),
    ])
    def test_admin_missing_or_invalid_fields_are_422(self, world, api, fields, field):
        names = {"district_a": world.district_a.id, "unit_a": world.unit_a.id,
                 "person_b": world.person_b.id}
        fields = {k: names.get(v, v) if isinstance(v, str) else v for k, v in fields.items()}
        response = api.post("/users", as_=world.admin, json=self.body(**fields))
        assert response.status_code == 422, response.json
        assert field in response.json["errors"]["json"]

    def test_coordinator_creates_staff_of_its_unit(self, world, api):
        response = api.post("/users", as_=world.coordinator_a,
                            json=self.body(role="staff", person_id=world.person_a.id))
        assert response.status_code == 201
        assert response.json["unit_id"] == world.unit_a.id
        assert response.json["role"] == "staff"
        explicit = api.post("/users", as_=world.coordinator_a, json=self.body(
            username="new_user2", role="staff", unit_id=world.unit_a.id))
        assert explicit.status_code == 201

    @pytest.mark.parametrize("role", ["coordinator", "admin", "police", "supervisor"])
    def test_coordinator_creates_another_role_is_403(self, world, api, role):
        response = api.post("/users", as_=world.coordinator_a, json=self.body(
            role=role, unit_id=world.unit_a.id, jurisdiction_id=world.district_a.id,
            sectors=["school"]))
        assert response.status_code == 403
        assert response.json["code"] == 403

    @pytest.mark.parametrize("unit", ["other_unit_a", "unit_b"])
    def test_coordinator_creates_staff_of_another_unit_is_403(self, world, api, unit):
        response = api.post("/users", as_=world.coordinator_a, json=self.body(
            role="staff", unit_id=getattr(world, unit).id))
        assert response.status_code == 403
        missing = api.post("/users", as_=world.coordinator_a, json=self.body(
            role="staff", unit_id=987654))
        assert missing.status_code == 403  # a unit that does not exist leaks nothing either

    @pytest.mark.parametrize("role", ["police_a", "supervisor_a", "staff_a"])
    def test_other_roles_may_not_create_users(self, world, api, role):
        response = api.post("/users", as_=getattr(world, role),
                            json=self.body(role="staff", unit_id=world.unit_a.id))
        assert response.status_code == 403

    def test_fields_of_other_roles_are_not_kept(self, world, api):
        response = api.post("/users", as_=world.admin, json=self.body(
            role="police", jurisdiction_id=world.district_a.id, unit_id=world.unit_a.id,
            sectors=["school"]))
        assert response.status_code == 201
        assert response.json["unit_id"] is None
        assert response.json["sectors"] == []

    def test_listing_is_paginated_in_id_order(self, world, api):
        response = api.get("/users?page_size=3", as_=world.admin)
        assert [u["username"] for u in response.json] == ["admin", "police_a", "police_b"]
        assert response.headers["X-Pagination"]


# Browser sessions: cookies plus the CSRF token on every write.

def login(client, username="coordinator_a", password=PASSWORD):
    page = client.get("/login")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert token, "the login form carries a CSRF token"
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token.group(1)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return token.group(1)


class TestBrowserSession:
    def test_csrf_enabled(self, app):
        assert app.config.get("WTF_CSRF_ENABLED", True) is True

    def test_read_with_the_session_alone(self, world, client):
        login(client)
        response = client.get("/api/v1/me")
        assert response.status_code == 200
        assert response.json["username"] == "coordinator_a"

    def test_write_without_csrf_token_is_400(self, world, client):
        login(client)
        response = client.post(f"/api/v1/units/{world.unit_a.id}/people",
                               json={"name": "新人", "role": "staff"})
        assert response.status_code == 400
        assert response.json["code"] == 400
        assert response.content_type == "application/json; charset=utf-8"
        assert set(response.json) == {"code", "status", "message"}
        patch = client.patch(f"/api/v1/units/{world.unit_a.id}", json={"address": "x"},
                             headers={"X-CSRFToken": "forged"})
        assert patch.status_code == 400

    def test_write_with_csrf_token_passes(self, world, client):
        token = login(client)
        response = client.post(f"/api/v1/units/{world.unit_a.id}/people",
                               json={"name": "新人", "role": "staff"},
                               headers={"X-CSRFToken": token})
        assert response.status_code == 201, response.json
        patch = client.patch(f"/api/v1/units/{world.unit_a.id}", json={"address": "天河路1号"},
                             headers={"X-CSRFToken": token})
        assert patch.status_code == 200

    def test_a_bearer_header_decides_alone(self, world, client):
        """A request that brings a token is that token's user or nobody; a session it also
        carries neither authenticates it nor lets it skip the CSRF check."""
        login(client)
        response = client.get("/api/v1/me", headers=bearer("not-a-token"))
        assert response.status_code == 401
        response = client.post(f"/api/v1/units/{world.unit_a.id}/people",
                               json={"name": "新人", "role": "staff"},
                               headers=bearer("not-a-token"))
        assert response.status_code == 401

    def test_bearer_token_writes_need_no_csrf_token(self, world, api):
        response = api.post(f"/units/{world.unit_a.id}/people", as_=world.coordinator_a,
                            json={"name": "新人", "role": "staff"})
        assert response.status_code == 201

    def test_wrong_login_is_throttled_like_the_api(self, world, client, api):
        fail(api, "coordinator_a", 10)
        page = client.get("/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                          page.get_data(as_text=True)).group(1)
        response = client.post("/login", data={"username": "coordinator_a",
                                               "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 429


def test_login_page_lock_says_when_it_lifts(world, client):
    add_failures("coordinator_a", 10, timedelta(minutes=5))
    page = client.get("/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    response = client.post("/login", data={"username": "coordinator_a", "password": PASSWORD,
                                           "csrf_token": token.group(1)})
    assert response.status_code == 429
    assert 590 <= int(response.headers["Retry-After"]) <= 600
    assert "10" in response.get_data(as_text=True)  # "try again in 10 minutes"


class TestUserItem:
    """GET and PATCH /users/{id}: change, disable, reset a password (added to API.md)."""

    def test_read_and_update_with_if_match(self, world, api):
        path = f"/users/{world.staff_a.id}"
        read = api.get(path, as_=world.coordinator_a)
        assert read.status_code == 200 and read.json["active"] is True
        changed = api.patch(path, as_=world.coordinator_a, json={"display_name": "林老师"},
                            headers={"If-Match": read.headers["ETag"]})
        assert changed.status_code == 200 and changed.json["display_name"] == "林老师"
        stale = api.patch(path, as_=world.coordinator_a, json={"display_name": "又改"},
                          headers={"If-Match": read.headers["ETag"]})
        assert stale.status_code == 412
        assert api.get(path, as_=world.admin).json["display_name"] == "林老师"

    def test_disabling_ends_the_tokens_and_the_login(self, world, api):
        token = token_for(api, "staff_a").json["token"]
        assert api.get("/me", headers=bearer(token)).status_code == 200
        response = api.patch(f"/users/{world.staff_a.id}", as_=world.coordinator_a,
                             json={"active": False})
        assert response.status_code == 200 and response.json["active"] is False
        assert api.get("/me", headers=bearer(token)).status_code == 401
        assert token_for(api, "staff_a").status_code == 401
        api.patch(f"/users/{world.staff_a.id}", as_=world.coordinator_a, json={"active": True})
        assert token_for(api, "staff_a").status_code == 201

    def test_password_reset_replaces_the_password_and_the_tokens(self, world, api):
        token = token_for(api, "staff_a").json["token"]
        response = api.patch(f"/users/{world.staff_a.id}", as_=world.admin,
                             json={"password": "a-brand-new-secret"})
        assert response.status_code == 200 and "password" not in response.json
        assert api.get("/me", headers=bearer(token)).status_code == 401
        assert token_for(api, "staff_a").status_code == 401
        assert token_for(api, "staff_a", "a-brand-new-secret").status_code == 201
        event = api.get("/audit", as_=world.admin).json[-1]
        assert event["changes"]["password_changed"] is True
        assert "a-brand-new-secret" not in str(event)

    def test_coordinator_changes_staff_accounts_only(self, world, api, make):
        colleague = make.user("coordinator", "coordinator_a2", unit_id=world.unit_a.id)
        response = api.patch(f"/users/{colleague.id}", as_=world.coordinator_a,
                             json={"display_name": "x"})
        assert response.status_code == 403

    def test_nobody_disables_their_own_account(self, world, api):
        response = api.patch(f"/users/{world.admin.id}", as_=world.admin, json={"active": False})
        assert response.status_code == 422
        assert list(response.json["errors"]["json"]) == ["active"]

    @pytest.mark.parametrize("body, field", [
        ({"password": "short"}, "password"), ({"language": "fr"}, "language"),
        ({"person_id": 10**6}, "person_id"), ({"active": "maybe"}, "active"),
        ({"role": "admin"}, "role")])
    def test_invalid_values_name_the_field(self, world, api, body, field):
        response = api.patch(f"/users/{world.staff_a.id}", as_=world.admin, json=body)
        assert response.status_code == 422
        assert field in response.json["errors"]["json"]

    def test_person_of_another_unit_is_refused(self, world, api):
        response = api.patch(f"/users/{world.staff_a.id}", as_=world.admin,
                             json={"person_id": world.person_b.id})
        assert response.status_code == 422
        assert list(response.json["errors"]["json"]) == ["person_id"]


def test_an_account_stops_working_when_its_person_leaves(world, api):
    token = token_for(api, "staff_a").json["token"]
    tomorrow = api.patch(f"/people/{world.person_a.id}", as_=world.coordinator_a,
                         json={"left_on": (utcnow() + timedelta(days=2)).date().isoformat()})
    assert tomorrow.status_code == 200
    assert api.get("/me", headers=bearer(token)).status_code == 200  # not gone yet
    today = api.patch(f"/people/{world.person_a.id}", as_=world.coordinator_a,
                      json={"left_on": (utcnow() - timedelta(days=1)).date().isoformat()})
    assert today.status_code == 200
    assert api.get("/me", headers=bearer(token)).status_code == 401
    assert token_for(api, "staff_a").status_code == 401


def test_changing_ones_own_password_keeps_the_token_in_use(world, api):
    mine = token_for(api, "coordinator_a").json["token"]
    other = token_for(api, "coordinator_a").json["token"]
    response = api.patch(f"/users/{world.coordinator_a.id}", headers=bearer(mine),
                         json={"password": "a-brand-new-secret"})
    assert response.status_code == 200
    assert api.get("/me", headers=bearer(mine)).status_code == 200
    assert api.get("/me", headers=bearer(other)).status_code == 401


@pytest.mark.parametrize("role_user", ["staff_a", "police_a", "coordinator_a"])
def test_every_user_reads_and_changes_its_own_account(world, api, role_user):
    user = getattr(world, role_user)
    assert api.get(f"/users/{user.id}", as_=user).status_code == 200
    response = api.patch(f"/users/{user.id}", as_=user,
                         json={"display_name": "我自己", "language": "en"})
    assert response.status_code == 200
    assert response.json["display_name"] == "我自己"
    assert api.patch(f"/users/{user.id}", as_=user, json={"active": False}).status_code == 422
    assert api.patch(f"/users/{user.id}", as_=user,
                     json={"person_id": world.person_a.id}).status_code == 403
