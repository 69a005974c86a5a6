"""Fixtures: one app and database per worker, emptied after every test; factories; API client.

The suite runs on SQLite by default and on PostgreSQL when ANBAO_TEST_DATABASE_URL is set
(`.ci/run` sets it). Each xdist worker gets a database of its own.
"""
import os
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from anbao import create_app
from anbao.auth import service as accounts
from anbao.extensions import db
from anbao.system import system_actor
from units import creditcode
from units import service as units

PASSWORD = "correct-horse-battery"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _database_url(worker: str, tmp_path_factory) -> str:
    base = os.environ.get("ANBAO_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'anbao.db'}"
    url = sa.make_url(base)
    name = f"{url.database}_{worker}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as err:
        pytest.exit(f"PostgreSQL at {url.render_as_string()} is unreachable: {err}", returncode=3)
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app(tmp_path_factory, worker_id):
    url = _database_url(worker_id, tmp_path_factory)
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
        "SECRET_KEY": "test-secret",
        "BASE_URL": "http://anbao.test",
        "ARGON2": {"time_cost": 1, "memory_cost": 64, "parallelism": 1},
        "AUTH_TOKEN_RATE_LIMIT": "100000 per minute",
    })
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()
    if os.environ.get("ANBAO_TEST_DATABASE_URL"):
        admin = sa.create_engine(sa.make_url(os.environ["ANBAO_TEST_DATABASE_URL"])
                                 .set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(
                f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)'))
        admin.dispose()


def _empty_tables() -> None:
    tables = [t for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def _app_context(app):
    """Every test runs inside an app context and leaves the database empty."""
    with app.app_context():
        yield
        db.session.rollback()
        _empty_tables()
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Factory:
    """Builds records through the services, as the system actor, committed."""

    def __init__(self):
        self.actor = system_actor()
        self._codes = 0

    def credit_code(self) -> str:
        self._codes += 1
        return creditcode.make(f"9144010{self._codes:010d}")

    def jurisdiction(self, name="天河区分局", code=None, parent=None):
        self._codes += 1
        node = units.create_jurisdiction(self.actor, {
            "name": name, "code": code or f"J{self._codes}",
            "parent_id": parent.id if parent else None})
        db.session.commit()
        return node

    def unit(self, jurisdiction, **fields):
        data = {"name": "测试单位", "credit_code": self.credit_code(), "category": "enterprise",
                "jurisdiction_id": jurisdiction.id, "headcount": 100, **fields}
        unit = units.create_unit(self.actor, data)
        db.session.commit()
        return unit

    def person(self, unit, **fields):
        person = units.create_person(self.actor, unit, {"name": "张三", "role": "staff", **fields})
        db.session.commit()
        return person

    def key_part(self, unit, **fields):
        part = units.create_key_part(self.actor, unit, {"name": "正门", **fields})
        db.session.commit()
        return part

    def user(self, role, username=None, **fields):
        self._codes += 1
        user = accounts.create_user(self.actor, {
            "username": username or f"{role}{self._codes}", "password": PASSWORD,
            "role": role, **fields})
        db.session.commit()
        return user


@pytest.fixture
def make():
    return Factory()


class ApiClient:
    """Calls /api/v1 as a given user (a bearer token made once per user)."""

    def __init__(self, client):
        self.client = client
        self._tokens = {}

    def headers(self, user, extra=None):
        if user is None:
            return dict(extra or {})
        if user.id not in self._tokens:
            raw, _ = accounts.issue_token(user)
            db.session.commit()
            self._tokens[user.id] = raw
        return {"Authorization": f"Bearer {self._tokens[user.id]}", **(extra or {})}

    def request(self, method, path, as_=None, headers=None, **kwargs):
        response = self.client.open("/api/v1" + path, method=method,
                                    headers=self.headers(as_, headers), **kwargs)
        assert response.status_code < 500, response.get_data(as_text=True)
        return response

    def get(self, path, as_=None, **kwargs):
        return self.request("GET", path, as_, **kwargs)

    def post(self, path, as_=None, **kwargs):
        return self.request("POST", path, as_, **kwargs)

    def patch(self, path, as_=None, **kwargs):
        return self.request("PATCH", path, as_, **kwargs)

    def delete(self, path, as_=None, **kwargs):
        return self.request("DELETE", path, as_, **kwargs)


@pytest.fixture
def api(client):
    return ApiClient(client)


class World:
    """Two districts of one city; units and users on each side, for scope tests."""

    def __init__(self, make: Factory):
        self.city = make.jurisdiction("广州市公安局", "CITY")
        self.district_a = make.jurisdiction("天河区分局", "A", self.city)
        self.station_a = make.jurisdiction("石牌派出所", "A1", self.district_a)
        self.district_b = make.jurisdiction("越秀区分局", "B", self.city)
        self.unit_a = make.unit(self.station_a, name="天河实验学校", category="school",
                                headcount=1200, key_security_unit=True,
                                campuses=[{"name": "东校区", "population": 1200,
                                           "boarding_students": 0}])
        self.other_unit_a = make.unit(self.district_a, name="天河医院", category="hospital",
                                      headcount=800)
        self.unit_b = make.unit(self.district_b, name="越秀博物馆", category="museum",
                                headcount=300, key_target=True)
        self.person_a = make.person(self.unit_a, name="李卫国", role="security_full_time",
                                    phone="13800000000", email="li@example.cn")
        self.person_b = make.person(self.unit_b, name="王强", role="guard",
                                    guard_certificate_no="粤保0001")
        self.key_part_a = make.key_part(self.unit_a, name="东门")
        self.key_part_b = make.key_part(self.unit_b, name="展厅")
        self.admin = make.user("admin", "admin")
        self.police_a = make.user("police", "police_a", jurisdiction_id=self.district_a.id)
        self.police_b = make.user("police", "police_b", jurisdiction_id=self.district_b.id)
        self.supervisor_a = make.user("supervisor", "supervisor_a",
                                      jurisdiction_id=self.district_a.id, sectors=["school"])
        self.coordinator_a = make.user("coordinator", "coordinator_a", unit_id=self.unit_a.id)
        self.staff_a = make.user("staff", "staff_a", unit_id=self.unit_a.id,
                                 person_id=self.person_a.id)
        self.coordinator_b = make.user("coordinator", "coordinator_b", unit_id=self.unit_b.id)


@pytest.fixture
def world(make):
    return World(make)


@contextmanager
def count_queries():
    """Count SQL statements run inside the block: `with count_queries() as n: ...; n()`."""
    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield lambda: len(statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)


@pytest.fixture
def english():
    """Messages in English, as a client sending Accept-Language: en would get them."""
    from flask_babel import force_locale
    with force_locale("en"):
        yield
