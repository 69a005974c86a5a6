"""Who sees and does what, endpoint by endpoint (DESIGN.md §1, API.md).

Out of scope answers 404 (never 403); in scope but not allowed answers 403; an id of an
out-of-scope record in a body is 422 on that field, except `unit_id` in POST /users (403).
"""
import itertools

import pytest

from tests.conftest import PASSWORD
from tests.scope_matrix import ROLES, TARGETS, check_answer, listed, parse, routes


# The caller of each role: admin; police and supervisor (sector `school`) of district A;
# coordinator and staff of unit A.
# Targets: own = unit A (school, station A1 under district A), its person, key part, station,
#                a staff account;
#          same = another unit of district A (hospital), its person, key part; district A itself,
#                 its coordinator's account;
#          other = a unit of district B (museum), its person, key part; district B, its
#                  coordinator's account.
# A cell is the status for own / same district / other district, or one status when the
# endpoint has no target.
MATRIX = """
endpoint                      | admin       | police      | supervisor  | coordinator | staff
GET   /jurisdictions          | 200         | 200         | 200         | 403         | 403
POST  /jurisdictions          | 201 201 201 | 403 403 403 | 403 403 403 | 403 403 403 | 403 403 403
GET   /jurisdictions/{jur}    | 200 200 200 | 200 200 404 | 200 200 404 | 403 403 403 | 403 403 403
POST  /units                  | 201 201 201 | 201 201 422 | 403 403 403 | 403 403 403 | 403 403 403
GET   /units                  | 200         | 200         | 200         | 200         | 200
GET   /units/{unit}           | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
PATCH /units/{unit}           | 200 200 200 | 200 200 404 | 403 404 404 | 200 404 404 | 403 404 404
POST  /units/{unit}/people    | 201 201 201 | 403 403 404 | 403 404 404 | 201 404 404 | 403 404 404
GET   /units/{unit}/people    | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
GET   /people/{person}        | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
PATCH /people/{person}        | 200 200 200 | 403 403 404 | 403 404 404 | 200 404 404 | 403 404 404
POST  /units/{unit}/key-parts | 201 201 201 | 403 403 404 | 403 404 404 | 201 404 404 | 403 404 404
GET   /units/{unit}/key-parts | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
GET   /key-parts/{part}       | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
PATCH /key-parts/{part}       | 200 200 200 | 403 403 404 | 403 404 404 | 200 404 404 | 403 404 404
GET   /units/{unit}/staffing  | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
GET   /audit?unit_id={unit}   | 200 200 200 | 200 200 422 | 403 403 403 | 403 403 403 | 403 403 403
GET   /audit                  | 200         | 200         | 403         | 403         | 403
POST  /users                  | 201 201 201 | 403 403 403 | 403 403 403 | 201 403 403 | 403 403 403
GET   /users                  | 200         | 403         | 403         | 200         | 403
GET   /users/{user}           | 200 200 200 | 403 403 403 | 403 403 403 | 200 404 404 | 403 403 403
PATCH /users/{user}           | 200 200 200 | 403 403 403 | 403 403 403 | 200 404 404 | 403 403 403
GET   /me                     | 200         | 200         | 200         | 200         | 200
"""

# the field a 422 of the matrix names, and where (body or query)
FIELD_OF_422 = {"POST /units": ("json", "jurisdiction_id"),
                "GET /audit?unit_id={unit}": ("query", "unit_id")}


CASES = parse(MATRIX)


class Scene:
    """The conftest world plus the records the matrix needs on the 'same district' side."""

    def __init__(self, world, make):
        self.world = world
        self.person_same = make.person(world.other_unit_a, name="赵医生", role="staff",
                                       phone="13900000000", email="zhao@example.cn")
        self.key_part_same = make.key_part(world.other_unit_a, name="药房")
        self.users = {"admin": world.admin, "police": world.police_a,
                      "supervisor": world.supervisor_a, "coordinator": world.coordinator_a,
                      "staff": world.staff_a}
        self.targets = {
            "unit": {"own": world.unit_a, "same": world.other_unit_a, "other": world.unit_b},
            "person": {"own": world.person_a, "same": self.person_same,
                       "other": world.person_b},
            "part": {"own": world.key_part_a, "same": self.key_part_same,
                     "other": world.key_part_b},
            "jur": {"own": world.station_a, "same": world.district_a,
                    "other": world.district_b},
            "user": {"own": make.user("staff", "staff_a2", unit_id=world.unit_a.id),
                     "same": make.user("coordinator", "coordinator_same",
                                       unit_id=world.other_unit_a.id),
                     "other": world.coordinator_b},
        }
        self.make = make
        self._serial = itertools.count(1)

    def path(self, template: str, target: str | None) -> str:
        values = {name: by_target[target].id if target else None
                  for name, by_target in self.targets.items()}
        return template.format(**values)

    def body(self, method: str, template: str, target: str | None):
        n = next(self._serial)
        unit = self.targets["unit"][target] if target else None
        jur = self.targets["jur"][target] if target else None
        if method == "GET":
            return None
        if template == "/jurisdictions":
            return {"name": "新派出所", "code": f"NEW{n}", "parent_id": jur.id}
        if template == "/units":
            return {"name": "新单位", "credit_code": self.make.credit_code(),
                    "category": "bank", "jurisdiction_id": jur.id}
        if template == "/units/{unit}":
            return {"address": f"天河路{n}号"}
        if template == "/units/{unit}/people":
            return {"name": "新人", "role": "staff"}
        if template == "/people/{person}":
            return {"phone": f"1380000{n:04d}"}
        if template == "/units/{unit}/key-parts":
            return {"name": "新部位"}
        if template == "/key-parts/{part}":
            return {"barriers": f"围栏 {n}"}
        if template == "/users/{user}":
            return {"display_name": f"改名 {n}"}
        if template == "/users":
            return {"username": f"new_staff_{n}", "password": PASSWORD, "role": "staff",
                    "unit_id": unit.id}
        raise AssertionError(template)


@pytest.fixture
def scene(world, make):
    return Scene(world, make)


@pytest.mark.parametrize(("method", "template", "role", "target", "expected"), CASES)
def test_scope_matrix(scene, api, method, template, role, target, expected):
    response = api.request(method, scene.path(template, target), as_=scene.users[role],
                           json=scene.body(method, template, target))
    missing = None
    if expected == 404:
        missing = api.request(method, scene.path(template, target).replace(
            f"/{_target_id(scene, template, target)}", "/987654"), as_=scene.users[role],
            json=scene.body(method, template, target))
    check_answer(response, expected, missing)
    if expected == 422:
        location, field = FIELD_OF_422[f"{method} {template}"]
        assert field in response.get_json()["errors"][location]


def _target_id(scene, template, target):
    for name, by_target in scene.targets.items():
        if "{" + name + "}" in template:
            return by_target[target].id
    raise AssertionError(template)


def test_matrix_covers_every_endpoint_of_the_foundation(app):
    """Every route of the units, accounts and audit blueprints has its rows in the matrix."""
    tokens = {"<int:unit_id>": "{unit}", "<int:person_id>": "{person}",
              "<int:key_part_id>": "{part}", "<int:jurisdiction_id>": "{jur}",
              "<int:user_id>": "{user}"}
    found = routes(app, ("units", "auth", "audit"), tokens) - {
        ("POST", "/auth/token"), ("DELETE", "/auth/token")}  # tests/anbao/test_auth.py
    assert found == listed(CASES)
    assert {(c.values[2], c.values[3]) for c in CASES if c.values[3]} == set(
        itertools.product(ROLES, TARGETS))


# What each list answers, per role: exactly the records in scope.

def _ids(response):
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.json]


@pytest.fixture
def second_school(world, make):
    """A school in district B: same sector as supervisor A, outside its subtree."""
    return make.unit(world.district_b, name="越秀中学", category="school", headcount=500)


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", ["unit_a", "other_unit_a", "unit_b", "school_b"]),
    ("police_a", ["unit_a", "other_unit_a"]),       # station A1 is below district A
    ("police_b", ["unit_b", "school_b"]),
    ("supervisor_a", ["unit_a"]),                   # schools only, district A subtree only
    ("coordinator_a", ["unit_a"]),
    ("staff_a", ["unit_a"]),
    ("coordinator_b", ["unit_b"]),
])
def test_unit_list_holds_exactly_the_units_in_scope(world, second_school, api, role, expected):
    units = {"unit_a": world.unit_a, "other_unit_a": world.other_unit_a,
             "unit_b": world.unit_b, "school_b": second_school}
    got = _ids(api.get("/units", as_=getattr(world, role)))
    assert got == sorted(units[name].id for name in expected)


def test_supervisor_sees_units_of_every_sector_it_has(world, make, api):
    both = make.user("supervisor", "supervisor_ab", jurisdiction_id=world.district_a.id,
                     sectors=["school", "hospital"])
    assert _ids(api.get("/units", as_=both)) == [world.unit_a.id, world.other_unit_a.id]
    city_banks = make.user("supervisor", "supervisor_bank", jurisdiction_id=world.city.id,
                           sectors=["bank"])
    assert _ids(api.get("/units", as_=city_banks)) == []
    bank = make.unit(world.station_a, name="工商银行石牌支行", category="bank")
    assert _ids(api.get("/units", as_=city_banks)) == [bank.id]


def test_police_of_district_reads_a_unit_of_its_child_station(world, api):
    assert world.unit_a.jurisdiction_id == world.station_a.id
    response = api.get(f"/units/{world.unit_a.id}", as_=world.police_a)
    assert response.status_code == 200
    assert response.json["name"] == "天河实验学校"


def test_police_of_a_station_does_not_see_its_parent_district(world, make, api):
    station = make.user("police", "police_a1", jurisdiction_id=world.station_a.id)
    assert _ids(api.get("/units", as_=station)) == [world.unit_a.id]
    assert api.get(f"/units/{world.other_unit_a.id}", as_=station).status_code == 404
    assert _ids(api.get("/jurisdictions", as_=station)) == [world.station_a.id]
    assert api.get(f"/jurisdictions/{world.district_a.id}", as_=station).status_code == 404


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", ["city", "district_a", "station_a", "district_b"]),
    ("police_a", ["district_a", "station_a"]),
    ("police_b", ["district_b"]),
    ("supervisor_a", ["district_a", "station_a"]),
])
def test_jurisdiction_list_holds_exactly_those_in_scope(world, api, role, expected):
    got = _ids(api.get("/jurisdictions", as_=getattr(world, role)))
    assert got == sorted(getattr(world, name).id for name in expected)


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", ["admin", "police_a", "police_b", "supervisor_a", "coordinator_a", "staff_a",
               "coordinator_b"]),
    ("coordinator_a", ["coordinator_a", "staff_a"]),
    ("coordinator_b", ["coordinator_b"]),
])
def test_user_list_holds_exactly_those_in_scope(world, api, role, expected):
    got = _ids(api.get("/users", as_=getattr(world, role)))
    assert got == sorted(getattr(world, name).id for name in expected)


def test_audit_list_holds_exactly_the_events_of_units_in_scope(world, api):
    everything = api.get("/audit?page_size=500", as_=world.admin).json
    police_a = api.get("/audit?page_size=500", as_=world.police_a).json
    in_a = {world.unit_a.id, world.other_unit_a.id}
    assert [e["id"] for e in police_a] == [e["id"] for e in everything
                                           if e["unit_id"] in in_a]
    assert police_a and all(e["unit_id"] in in_a for e in police_a)
    police_b = api.get("/audit?page_size=500", as_=world.police_b).json
    assert [e["id"] for e in police_b] == [e["id"] for e in everything
                                           if e["unit_id"] == world.unit_b.id]


@pytest.mark.parametrize("role", ["staff_a"])
def test_staff_see_people_as_names_and_roles_only(world, api, role):
    user = getattr(world, role)
    listed = api.get(f"/units/{world.unit_a.id}/people", as_=user).json
    assert listed == [{"id": world.person_a.id, "unit_id": world.unit_a.id,
                       "name": "李卫国", "role": "security_full_time"}]
    one = api.get(f"/people/{world.person_a.id}", as_=user).json
    assert set(one) == {"id", "unit_id", "name", "role"}
    assert "phone" not in one and "email" not in one


@pytest.mark.parametrize("role", ["admin", "police_a", "supervisor_a", "coordinator_a"])
def test_other_roles_see_contact_details(world, api, role):
    one = api.get(f"/people/{world.person_a.id}", as_=getattr(world, role)).json
    assert one["phone"] == "13800000000"
    assert one["email"] == "li@example.cn"


PROTECTED = [
    ("key_target", True),
    ("key_security_unit", False),
    ("key_since", "2020-01-01"),
    ("jurisdiction_id", "district_a"),
]


@pytest.mark.parametrize(("field", "value"), PROTECTED)
def test_coordinator_may_not_change_designation_or_jurisdiction(world, api, field, value):
    if value == "district_a":
        value = world.district_a.id
    before = api.get(f"/units/{world.unit_a.id}", as_=world.coordinator_a).json
    response = api.patch(f"/units/{world.unit_a.id}", as_=world.coordinator_a,
                         json={field: value})
    assert response.status_code == 403
    assert response.json["code"] == 403
    assert api.get(f"/units/{world.unit_a.id}", as_=world.coordinator_a).json == before


@pytest.mark.parametrize(("field", "value"), PROTECTED)
def test_police_may_change_designation_and_jurisdiction(world, api, field, value):
    if value == "district_a":
        value = world.district_a.id
    response = api.patch(f"/units/{world.unit_a.id}", as_=world.police_a, json={field: value})
    assert response.status_code == 200, response.json
    assert response.json[field] == value


def test_police_may_not_move_a_unit_out_of_its_jurisdiction(world, api):
    response = api.patch(f"/units/{world.unit_a.id}", as_=world.police_a,
                         json={"jurisdiction_id": world.district_b.id})
    assert response.status_code == 422
    assert "jurisdiction_id" in response.json["errors"]["json"]


def test_coordinator_may_change_its_profile(world, api):
    response = api.patch(f"/units/{world.unit_a.id}", as_=world.coordinator_a,
                         json={"responsible_person": "陈校长", "headcount": 1300})
    assert response.status_code == 200
    assert response.json["responsible_person"] == "陈校长"
    assert response.json["headcount"] == 1300


def test_coordinator_gives_out_of_scope_person_id_to_a_new_user(world, api):
    response = api.post("/users", as_=world.coordinator_a, json={
        "username": "new_staff", "password": PASSWORD, "role": "staff",
        "person_id": world.person_b.id})
    assert response.status_code == 422
    assert "person_id" in response.json["errors"]["json"]


def test_unit_filter_by_jurisdiction_stays_within_scope(world, api):
    got = _ids(api.get(f"/units?jurisdiction_id={world.district_b.id}", as_=world.police_a))
    assert got == []
    got = _ids(api.get(f"/units?jurisdiction_id={world.station_a.id}", as_=world.police_a))
    assert got == [world.unit_a.id]
    got = _ids(api.get(f"/units?jurisdiction_id={world.district_a.id}", as_=world.admin))
    assert got == [world.unit_a.id, world.other_unit_a.id]


def test_a_user_without_a_scope_sees_nothing(world, make, api):
    """A police account whose jurisdiction was never set (created by hand) sees no units."""
    from anbao.extensions import db
    lost = make.user("police", "police_lost", jurisdiction_id=world.district_a.id)
    lost.jurisdiction_id = None
    db.session.commit()
    assert _ids(api.get("/units", as_=lost)) == []
    assert api.get(f"/units/{world.unit_a.id}", as_=lost).status_code == 404
