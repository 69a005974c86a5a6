"""Who sees and does what with equipment (DESIGN.md §1, API.md "Equipment").

Equipment is written by the unit's coordinator only (admins included: 403); everyone whose
scope holds the unit reads it, staff too. Out of scope answers 404.
"""
import itertools

import pytest

from anbao.extensions import db
from equipment import service
from tests.scope_matrix import ROLES, Targets, check_answer, listed, parse, routes


# Targets: own = unit A (school, station A1 under district A); same = the hospital of
# district A (outside supervisor A's sector `school`); other = the museum of district B.
# In each unit one {item} of equipment.
MATRIX = """
endpoint                                     | admin       | police      | supervisor  | coordinator | staff
POST  /units/{unit}/equipment                | 403 403 403 | 403 403 404 | 403 404 404 | 201 404 404 | 403 404 404
GET   /units/{unit}/equipment                | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
POST  /units/{unit}/equipment/recommended    | 403 403 403 | 403 403 404 | 403 404 404 | 200 404 404 | 403 404 404
GET   /equipment/{item}                      | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
PATCH /equipment/{item}                      | 403 403 403 | 403 403 404 | 403 404 404 | 200 404 404 | 403 404 404
GET   /equipment/{item}/movements            | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
POST  /equipment/{item}/movements            | 403 403 403 | 403 403 404 | 403 404 404 | 201 404 404 | 403 404 404
GET   /equipment/{item}/inspections          | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
POST  /equipment/{item}/inspections          | 403 403 403 | 403 403 404 | 403 404 404 | 201 404 404 | 403 404 404
"""


CASES = parse(MATRIX)


class Scene(Targets):
    def __init__(self, world, make):
        self.users = {"admin": world.admin, "police": world.police_a,
                      "supervisor": world.supervisor_a, "coordinator": world.coordinator_a,
                      "staff": world.staff_a}
        coordinators = {"own": world.coordinator_a,
                        "same": make.user("coordinator", "coordinator_same",
                                          unit_id=world.other_unit_a.id),
                        "other": world.coordinator_b}
        units = {"own": world.unit_a, "same": world.other_unit_a, "other": world.unit_b}
        self.targets = {"unit": {}, "item": {}}
        for target, unit in units.items():
            item = service.create_equipment(coordinators[target], unit, {
                "category": "protective", "name": "防暴盾牌", "quantity": 5,
                "required_quantity": 4})
            db.session.commit()
            self.targets["unit"][target] = unit
            self.targets["item"][target] = item
        self._serial = itertools.count(1)

    def request(self, api, method, template, role, target, path=None):
        path = path or self.path(template, target)
        user = self.users[role]
        n = next(self._serial)
        if method == "GET":
            return api.get(path, as_=user)
        if template == "/units/{unit}/equipment":
            return api.post(path, as_=user, json={"category": "restraint",
                                                  "name": f"钢叉 {n}", "quantity": 2})
        if template.endswith("/recommended"):
            return api.post(path, as_=user)
        if method == "PATCH":
            return api.patch(path, as_=user, json={"location": f"岗亭 {n}"})
        if path.endswith("/movements"):
            return api.post(path, as_=user, json={"delta": -1, "reason": "领用"})
        if path.endswith("/inspections"):
            return api.post(path, as_=user, json={"inspected_on": "2026-01-05", "result": "ok",
                                                  "next_inspection_on": "2027-01-05"})
        raise AssertionError(template)


@pytest.fixture
def scene(world, make):
    return Scene(world, make)


@pytest.mark.parametrize(("method", "template", "role", "target", "expected"), CASES)
def test_scope_matrix(scene, api, method, template, role, target, expected):
    response = scene.request(api, method, template, role, target)
    missing = None
    if expected == 404:
        missing = scene.request(api, method, template, role, target,
                                path=scene.path(template, target).replace(
                                    f"/{scene.target_id(template, target)}", "/987654"))
    check_answer(response, expected, missing)
    if expected == 403:
        # a refused write changes nothing
        item = scene.targets["item"][target]
        db.session.expire_all()
        assert item.quantity == 5 and item.location == ""


def test_matrix_covers_every_equipment_endpoint(app):
    tokens = {"<int:unit_id>": "{unit}", "<int:equipment_id>": "{item}"}
    assert routes(app, ("equipment",), tokens) == listed(CASES)


@pytest.mark.parametrize("role", ROLES)
def test_lists_hold_only_what_is_in_scope(scene, api, world, role):
    user = scene.users[role]
    for target, unit in scene.targets["unit"].items():
        response = api.get(f"/units/{unit.id}/equipment", as_=user)
        if response.status_code == 200:
            assert [e["unit_id"] for e in response.get_json()] == [unit.id]
