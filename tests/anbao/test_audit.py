"""Audit events: every write, who, when, what, before and after (DESIGN.md §2, API.md)."""
import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from anbao.audit.models import AuditEvent
from anbao.extensions import db, utcnow
from tests.conftest import PASSWORD


def events(api, user, query=""):
    response = api.get(f"/audit?page_size=500{query}", as_=user)
    assert response.status_code == 200, response.json
    return response.json


# Each write of the foundation: (name, who, method, path, body, entity, action, expected
# changes: before and after, as far as they are known up front).
WRITES = [
    ("jurisdiction created", "admin", "POST", "/jurisdictions",
     {"name": "猎德派出所", "code": "A2", "parent_id": "{district_a}"},
     "jurisdiction", "create", {}, {"name": "猎德派出所", "code": "A2",
                                    "parent_id": "{district_a}"}),
    ("unit created", "police_a", "POST", "/units",
     {"name": "新单位", "credit_code": "{code}", "category": "bank",
      "jurisdiction_id": "{station_a}", "headcount": 40},
     "unit", "create", {}, {"name": "新单位", "category": "bank", "headcount": 40,
                            "credit_code": "{code}", "jurisdiction_id": "{station_a}"}),
    ("unit changed", "coordinator_a", "PATCH", "/units/{unit_a}",
     {"address": "天河路385号", "headcount": 1250},
     "unit", "update", {"address": "", "headcount": 1200},
     {"address": "天河路385号", "headcount": 1250}),
    ("unit designated", "police_a", "PATCH", "/units/{other_unit_a}", {"key_target": True},
     "unit", "update", {"key_target": False, "key_since": None},
     {"key_target": True, "key_since": "{today}"}),
    ("person added", "coordinator_a", "POST", "/units/{unit_a}/people",
     {"name": "新保安", "role": "guard", "campus": "东校区"},
     "person", "create", {}, {"name": "新保安", "role": "guard", "campus": "东校区"}),
    ("person changed", "coordinator_a", "PATCH", "/people/{person_a}",
     {"phone": "13900000000", "left_on": "2030-01-31"},
     "person", "update", {"phone": "13800000000", "left_on": None},
     {"phone": "13900000000", "left_on": "2030-01-31"}),
    ("key part added", "admin", "POST", "/units/{unit_b}/key-parts",
     {"name": "库房", "video_linked": True},
     "key_part", "create", {}, {"name": "库房", "video_linked": True}),
    ("key part changed", "coordinator_a", "PATCH", "/key-parts/{key_part_a}",
     {"video_retention_days": 90},
     "key_part", "update", {"video_retention_days": None}, {"video_retention_days": 90}),
    ("user created", "coordinator_a", "POST", "/users",
     {"username": "new_staff", "password": PASSWORD, "role": "staff"},
     "user", "create", {}, {"username": "new_staff", "role": "staff",
                            "unit_id": "{unit_a}"}),
]


def _fill(value, names):
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return names[value[1:-1]]
    if isinstance(value, str):
        return value.format(**names)
    return value


@pytest.fixture
def names(world, make):
    from zoneinfo import ZoneInfo
    return {"district_a": world.district_a.id, "station_a": world.station_a.id,
            "unit_a": world.unit_a.id, "other_unit_a": world.other_unit_a.id,
            "unit_b": world.unit_b.id, "person_a": world.person_a.id,
            "key_part_a": world.key_part_a.id, "code": make.credit_code(),
            "today": str(datetime.now(ZoneInfo("Asia/Shanghai")).date())}


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "entity", "action", "before", "after"),
    [pytest.param(*case[1:], id=case[0]) for case in WRITES])
def test_every_write_is_audited(world, api, names, who, method, path, body, entity, action,
                                before, after):
    user = getattr(world, who)
    count = len(events(api, world.admin))
    started = datetime.now(timezone.utc)
    response = api.request(method, _fill(path, names), as_=user, json=_fill(body, names))
    assert response.status_code in (200, 201), response.json
    new = events(api, world.admin)[count:]
    assert len(new) == 1
    event = new[0]
    assert {"at", "user", "action", "entity", "entity_id", "changes"} <= set(event)
    assert event["user"] == user.username
    assert (event["action"], event["entity"]) == (action, entity)
    assert event["entity_id"] == response.json["id"]
    at = datetime.fromisoformat(event["at"])
    assert at.utcoffset() is not None
    assert started - timedelta(seconds=1) <= at <= datetime.now(timezone.utc) + timedelta(
        seconds=1)
    changes = event["changes"]
    assert set(changes) == {"before", "after"}
    for key, value in _fill(before, names).items():
        assert changes["before"][key] == value, key
    for key, value in _fill(after, names).items():
        assert changes["after"][key] == value, key
    if action == "update":
        # only what changed is recorded
        assert set(changes["before"]) == set(changes["after"]) == set(_fill(after, names))
    assert "password" not in json.dumps(changes) and PASSWORD not in json.dumps(changes)


@pytest.mark.parametrize(("who", "method", "path", "body"), [
    ("coordinator_a", "PATCH", "/units/{unit_a}", {"key_target": True}),          # 403
    ("coordinator_a", "PATCH", "/units/{unit_b}", {"address": "x"}),              # 404
    ("admin", "POST", "/units", {"name": "x"}),                                   # 422
    ("admin", "POST", "/jurisdictions", {"name": "x", "code": "A"}),              # 409
    ("admin", "PATCH", "/people/{person_a}", {"campus": "不存在"}),               # 422
])
def test_refused_writes_leave_no_event(world, api, names, who, method, path, body):
    count = len(events(api, world.admin))
    response = api.request(method, _fill(path, names), as_=getattr(world, who),
                           json=_fill(body, names))
    assert response.status_code >= 400
    assert len(events(api, world.admin)) == count


def test_stale_write_leaves_no_event(world, api):
    count = len(events(api, world.admin))
    response = api.patch(f"/units/{world.unit_a.id}", as_=world.admin, json={"address": "x"},
                         headers={"If-Match": '"stale"'})
    assert response.status_code == 412
    assert len(events(api, world.admin)) == count


def test_the_world_was_audited_as_the_system(world, api):
    got = events(api, world.admin)
    assert [e["id"] for e in got] == sorted(e["id"] for e in got)
    assert {e["user"] for e in got} == {"system"}
    created = {(e["entity"], e["entity_id"]) for e in got if e["action"] == "create"}
    assert ("unit", world.unit_a.id) in created
    assert ("user", world.staff_a.id) in created


def test_filter_by_unit(world, api):
    api.patch(f"/units/{world.unit_b.id}", as_=world.admin, json={"address": "越秀路"})
    got = events(api, world.admin, f"&unit_id={world.unit_b.id}")
    assert got and all(e["unit_id"] == world.unit_b.id for e in got)
    everything = events(api, world.admin)
    assert [e["id"] for e in got] == [e["id"] for e in everything
                                      if e["unit_id"] == world.unit_b.id]
    missing = api.get("/audit?unit_id=987654", as_=world.admin)
    assert missing.status_code == 422
    assert "unit_id" in missing.json["errors"]["query"]


def test_filter_since(world, api):
    db.session.execute(sa.update(AuditEvent).values(at=utcnow() - timedelta(days=2)))
    db.session.commit()
    api.patch(f"/units/{world.unit_a.id}", as_=world.admin, json={"address": "一"})
    api.patch(f"/units/{world.unit_b.id}", as_=world.admin, json={"address": "二"})
    day_ago = datetime.now(timezone.utc) - timedelta(days=1)
    for since in (day_ago.isoformat(), day_ago.astimezone(timezone(timedelta(hours=8)))
                  .isoformat(), day_ago.strftime("%Y-%m-%dT%H:%M:%SZ")):
        response = api.get("/audit", as_=world.admin, query_string={"since": since})
        assert [e["changes"]["after"]["address"] for e in response.json] == ["一", "二"]
    both = api.get("/audit", as_=world.admin, query_string={
        "since": day_ago.isoformat(), "unit_id": world.unit_b.id}).json
    assert [e["entity_id"] for e in both] == [world.unit_b.id]
    old = api.get("/audit", as_=world.admin, query_string={
        "since": (day_ago - timedelta(days=2)).isoformat()}).json
    assert len(old) == len(events(api, world.admin))


def test_since_needs_an_offset(world, api):
    response = api.get("/audit?since=2026-01-01T00:00:00", as_=world.admin)
    assert response.status_code == 422
    assert "since" in response.json["errors"]["query"]


def test_police_see_only_their_jurisdictions_units(world, api):
    api.patch(f"/units/{world.unit_b.id}", as_=world.coordinator_b, json={"address": "B"})
    api.patch(f"/units/{world.unit_a.id}", as_=world.coordinator_a, json={"address": "A"})
    mine = events(api, world.police_a)
    in_scope = {world.unit_a.id, world.other_unit_a.id}
    assert mine and {e["unit_id"] for e in mine} == in_scope
    assert "B" not in json.dumps([e["changes"] for e in mine])
    theirs = events(api, world.police_b)
    assert {e["unit_id"] for e in theirs} == {world.unit_b.id}
    # a unit of another district, named in the filter, is not there for them
    response = api.get(f"/audit?unit_id={world.unit_b.id}", as_=world.police_a)
    assert response.status_code == 422
    assert "unit_id" in response.json["errors"]["query"]


@pytest.mark.parametrize("role", ["coordinator_a", "staff_a", "supervisor_a"])
def test_other_roles_may_not_read_audit(world, api, role):
    response = api.get("/audit", as_=getattr(world, role))
    assert response.status_code == 403
    assert response.json["code"] == 403


def test_events_in_id_order_and_paginated(world, api):
    for n in range(5):
        api.patch(f"/units/{world.unit_a.id}", as_=world.admin, json={"headcount": 1000 + n})
    everything = events(api, world.admin)
    ids = [e["id"] for e in everything]
    assert ids == sorted(ids)
    page = api.get("/audit?page_size=3&page=2", as_=world.admin)
    assert [e["id"] for e in page.json] == ids[3:6]
    assert json.loads(page.headers["X-Pagination"])["total"] == len(ids)
    headcounts = [e["changes"]["after"]["headcount"] for e in everything
                  if e["action"] == "update"]
    assert headcounts == [1000, 1001, 1002, 1003, 1004]


def test_instants_are_shown_in_the_units_zone(world, api):
    api.patch(f"/units/{world.unit_b.id}", as_=world.admin, json={"timezone": "Asia/Urumqi"})
    api.patch(f"/units/{world.unit_b.id}", as_=world.admin, json={"address": "乌鲁木齐时间"})
    event = events(api, world.admin)[-1]
    assert datetime.fromisoformat(event["at"]).utcoffset() == timedelta(hours=6)
    other = events(api, world.admin, f"&unit_id={world.unit_a.id}")[-1]
    assert datetime.fromisoformat(other["at"]).utcoffset() == timedelta(hours=8)
