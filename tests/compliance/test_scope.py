"""Who reads compliance and who sets the rule intervals (DESIGN.md §1, API.md "Compliance").

A unit's compliance is read by admin, police, supervisors (their sectors) and the unit's
coordinator; staff of the unit may not (403), elsewhere it does not exist (404). The overview
is for admin, police and supervisors (coordinators and staff: 403), and holds exactly the units
in scope. Every reader may read the intervals (staff: 403); only an admin changes them.
"""
import itertools

import pytest
import sqlalchemy as sa

from anbao.audit.models import AuditEvent
from anbao.extensions import db
from compliance.models import RuleSetting
from tests.scope_matrix import (ROLES, TARGETS, Targets, answer, by_endpoint, listed, parse,
                                routes)

# Targets: own = unit A (school, key security unit, station A1 under district A); same = the
# hospital of district A (outside supervisor A's sector `school`); other = the museum of
# district B (a key target).
MATRIX = """
endpoint                                         | admin       | police      | supervisor  | coordinator | staff
GET   /units/{unit}/compliance?as_of=2027-01-15  | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 403 404 404
GET   /units/{unit}/compliance                   | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 403 404 404
GET   /compliance?as_of=2027-01-15               | 200         | 200         | 200         | 403         | 403
GET   /compliance/settings                       | 200         | 200         | 200         | 200         | 403
PATCH /compliance/settings                       | 200         | 403         | 403         | 403         | 403
"""

CASES = parse(MATRIX)


class Scene(Targets):
    def __init__(self, world):
        self.world = world
        self.users = {"admin": world.admin, "police": world.police_a,
                      "supervisor": world.supervisor_a, "coordinator": world.coordinator_a,
                      "staff": world.staff_a}
        self.targets = {"unit": {"own": world.unit_a, "same": world.other_unit_a,
                                 "other": world.unit_b}}

    def request(self, api, method, template, role, target, path=None):
        path = path or (template if target is None else self.path(template, target))
        user = self.users[role]
        if method == "GET":
            return api.get(path, as_=user)
        if method == "PATCH":
            return api.patch(path, as_=user, json={"DRILL-PLAN": 9})
        raise AssertionError(template)


@pytest.fixture
def scene(world):
    return Scene(world)


def _state():
    db.session.rollback()
    return (db.session.execute(sa.select(RuleSetting.rule, RuleSetting.months)
                               .order_by(RuleSetting.rule)).all(),
            db.session.scalar(sa.select(sa.func.count(AuditEvent.id))))


ROWS = by_endpoint(CASES)


def _check_cell(scene, api, method, template, role, target, expected):
    response = answer(scene, api, method, template, role, target, expected, _state)
    if expected == 200 and template.startswith("/units/"):
        body = response.get_json()
        assert body["status"] in ("compliant", "attention", "non_compliant")
        assert body["items"]
        if "as_of" in template:
            assert body["as_of"] == "2027-01-15"
    if expected == 200 and method == "PATCH":
        assert response.get_json()["DRILL-PLAN"] == 9
        assert _state()[0] == [("DRILL-PLAN", 9)]


@pytest.mark.parametrize(("method", "template"),
                         [pytest.param(*row, id=" ".join(row)) for row in ROWS])
def test_scope_matrix(scene, api, subtests, method, template):
    for role, target, expected in ROWS[(method, template)]:
        with subtests.test(msg=f"{role} {target or ''}".strip()):
            _check_cell(scene, api, method, template, role, target, expected)


def test_matrix_covers_every_compliance_endpoint(app):
    assert routes(app, ("compliance",), {"<int:unit_id>": "{unit}"}) == listed(CASES)
    assert {(c.values[2], c.values[3]) for c in CASES if c.values[3]} == set(
        itertools.product(ROLES, TARGETS))


# What the overview holds, per role: exactly the units in scope.

def _ids(api, user, query=""):
    response = api.get(f"/compliance?page_size=500{query}", as_=user)
    assert response.status_code == 200, response.get_json()
    return [row["unit_id"] for row in response.get_json()]


@pytest.mark.parametrize(("role", "targets"), [
    ("admin", ("own", "same", "other")),
    ("police", ("own", "same")),       # district A and station A1 below it
    ("supervisor", ("own",)),          # schools only: not the hospital of district A
])
def test_the_overview_holds_exactly_the_units_in_scope(scene, api, role, targets):
    expected = [scene.targets["unit"][t].id for t in targets]
    assert _ids(api, scene.users[role]) == expected
    assert _ids(api, scene.users[role], "&as_of=2030-01-01") == expected
    for status in ("compliant", "attention", "non_compliant"):
        assert set(_ids(api, scene.users[role], f"&status={status}")) <= set(expected)


def test_police_of_another_district_see_none_of_ours(scene, api, world):
    ours = {world.unit_a.id, world.other_unit_a.id}
    assert _ids(api, world.police_b) == [world.unit_b.id]
    for unit_id in ours:
        assert api.get(f"/units/{unit_id}/compliance", as_=world.police_b).status_code == 404
    response = api.get(f"/compliance?jurisdiction_id={world.district_a.id}", as_=world.police_b)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["query"]) == ["jurisdiction_id"]


def test_the_city_and_the_sectors(scene, api, world, make):
    city = make.user("police", "police_city", jurisdiction_id=world.city.id)
    assert _ids(api, city) == [world.unit_a.id, world.other_unit_a.id, world.unit_b.id]
    both = make.user("supervisor", "supervisor_ab", jurisdiction_id=world.district_a.id,
                     sectors=["school", "hospital"])
    assert _ids(api, both) == [world.unit_a.id, world.other_unit_a.id]
    museums = make.user("supervisor", "supervisor_museums", jurisdiction_id=world.city.id,
                        sectors=["museum"])
    assert _ids(api, museums) == [world.unit_b.id]
    assert api.get(f"/units/{world.unit_a.id}/compliance", as_=museums).status_code == 404
    # supervisor A's sector, outside its subtree
    schools_b = make.user("supervisor", "supervisor_b", jurisdiction_id=world.district_b.id,
                          sectors=["school"])
    assert _ids(api, schools_b) == []
    assert api.get(f"/units/{world.unit_a.id}/compliance", as_=schools_b).status_code == 404
