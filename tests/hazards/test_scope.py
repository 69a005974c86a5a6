"""Who sees and does what with hazards and orders (DESIGN.md §1, API.md "Hazards and orders").

Hazards are read by admin, police, supervisors (their sectors) and the unit's coordinator;
staff of the unit may not read them (403), elsewhere they do not exist (404). The coordinator
records, corrects, rectifies, escalates and documents the unit's hazards; the police issue
orders and verify them, the coordinator verifies the unit's own hazards (each the other: 403);
an escalation is acknowledged by the role it went to (the other: 403; never escalated: 409).
Out of scope answers 404.
"""
import io
import itertools
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from anbao.attachments.models import Attachment
from anbao.audit.models import AuditEvent
from anbao.extensions import db
from hazards import service
from hazards.models import Hazard, HazardStep
from tests.scope_matrix import (ROLES, TARGETS, Targets, answer, by_endpoint, listed, parse,
                                routes)
from units.service import today_in

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
       b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
       b"\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

# Targets: own = unit A (school, station A1 under district A); same = the hospital of
# district A (outside supervisor A's sector `school`); other = the museum of district B.
# In each unit: an open {hazard} the unit found, with one piece of {evidence}; an open police
# {order}; a {rectified} hazard and a {rectified_order} awaiting verification; and two open
# hazards escalated {to_supervisor} and {to_police}, not yet acknowledged.
MATRIX = """
endpoint                                   | admin       | police      | supervisor  | coordinator | staff
POST  /units/{unit}/hazards                | 403 403 403 | 403 403 404 | 403 404 404 | 201 404 404 | 403 404 404
GET   /units/{unit}/hazards                | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 403 404 404
POST  /units/{unit}/orders                 | 403 403 403 | 201 201 404 | 403 404 404 | 403 404 404 | 403 404 404
GET   /hazards                             | 200         | 200         | 200         | 200         | 403
GET   /hazards/{hazard}                    | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 403 404 404
GET   /hazards/{order}                     | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 403 404 404
PATCH /hazards/{hazard}                    | 403 403 403 | 403 403 404 | 403 404 404 | 200 404 404 | 403 404 404
PATCH /hazards/{order}                     | 403 403 403 | 200 200 404 | 403 404 404 | 200 404 404 | 403 404 404
POST  /hazards/{hazard}/rectify            | 403 403 403 | 403 403 404 | 403 404 404 | 200 404 404 | 403 404 404
POST  /hazards/{order}/rectify             | 403 403 403 | 403 403 404 | 403 404 404 | 200 404 404 | 403 404 404
POST  /hazards/{rectified}/verify          | 403 403 403 | 403 403 404 | 403 404 404 | 200 404 404 | 403 404 404
POST  /hazards/{rectified_order}/verify    | 403 403 403 | 200 200 404 | 403 404 404 | 403 404 404 | 403 404 404
POST  /hazards/{hazard}/escalate           | 403 403 403 | 403 403 404 | 403 404 404 | 200 404 404 | 403 404 404
POST  /hazards/{to_supervisor}/acknowledge | 403 403 403 | 403 403 404 | 200 404 404 | 403 404 404 | 403 404 404
POST  /hazards/{to_police}/acknowledge     | 403 403 403 | 200 200 404 | 403 404 404 | 403 404 404 | 403 404 404
POST  /hazards/{hazard}/acknowledge        | 403 403 403 | 409 409 404 | 409 404 404 | 403 404 404 | 403 404 404
POST  /hazards/{hazard}/evidence           | 403 403 403 | 403 403 404 | 403 404 404 | 201 404 404 | 403 404 404
GET   /attachments/{evidence}              | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 404 404 404
"""

CASES = parse(MATRIX)
HAZARD_KINDS = ("hazard", "order", "rectified", "rectified_order", "to_supervisor",
                "to_police")


def _png(name="现场照片.png"):
    return FileStorage(stream=io.BytesIO(PNG), filename=name, content_type="image/png")


class Scene(Targets):
    def __init__(self, world, make):
        self.world = world
        self.users = {"admin": world.admin, "police": world.police_a,
                      "supervisor": world.supervisor_a, "coordinator": world.coordinator_a,
                      "staff": world.staff_a}
        coordinators = {"own": world.coordinator_a,
                        "same": make.user("coordinator", "coordinator_same",
                                          unit_id=world.other_unit_a.id),
                        "other": world.coordinator_b}
        police = {"own": world.police_a, "same": world.police_a, "other": world.police_b}
        units = {"own": world.unit_a, "same": world.other_unit_a, "other": world.unit_b}
        self.targets = {name: {} for name in ("unit", "evidence", *HAZARD_KINDS)}
        for target, unit in units.items():
            coordinator, officer = coordinators[target], police[target]
            due = today_in(unit) + timedelta(days=10)

            def found(description, unit=unit, coordinator=coordinator, due=due):
                return service.create_hazard(coordinator, unit, {
                    "description": description, "severity": "medium",
                    "source": "self_inspection", "owner": "王五", "due_date": due})

            def order(description, unit=unit, officer=officer, due=due):
                return service.issue_order(officer, unit, {"description": description,
                                                           "due_date": due})
            hazard = found("东门围栏破损")
            evidence = service.add_evidence(coordinator, hazard, _png())
            rectified = service.rectify(coordinator, found("消防通道堵塞"), "已清理", [])
            rectified_order = service.rectify(coordinator, order("监控存在盲区"),
                                              "加装摄像头", [])
            to_supervisor = service.escalate(coordinator, found("围墙需整体加高"),
                                             "supervisor", "需要主管部门拨款")
            to_police = service.escalate(coordinator, found("周边治安复杂"), "police",
                                         "需要警力支援")
            self.targets["unit"][target] = unit
            self.targets["hazard"][target] = hazard
            self.targets["evidence"][target] = evidence
            self.targets["order"][target] = order("未配备防暴器械")
            self.targets["rectified"][target] = rectified
            self.targets["rectified_order"][target] = rectified_order
            self.targets["to_supervisor"][target] = to_supervisor
            self.targets["to_police"][target] = to_police
        db.session.commit()
        self._serial = itertools.count(1)

    def request(self, api, method, template, role, target, path=None):
        if target is None:
            path = path or template
        path = path or self.path(template, target)
        user = self.users[role]
        n = next(self._serial)
        due = str(today_in(self.world.unit_a) + timedelta(days=30))
        if method == "GET":
            # buffered: the whole answer is read and the file behind it closed
            return api.get(path, as_=user, buffered=True)
        if template == "/units/{unit}/hazards":
            return api.post(path, as_=user, json={
                "description": f"隐患 {n}", "severity": "low", "source": "self_inspection",
                "owner": "赵六", "due_date": due})
        if template == "/units/{unit}/orders":
            return api.post(path, as_=user, json={"description": f"责令整改 {n}",
                                                  "due_date": due})
        if method == "PATCH":
            if role == "police":
                return api.patch(path, as_=user, json={"legal_basis": f"依据 {n}"})
            return api.patch(path, as_=user, json={"location": f"东门岗亭 {n}"})
        if path.endswith("/rectify"):
            return api.post(path, as_=user, json={"measures": f"已整改 {n}"})
        if path.endswith("/verify"):
            return api.post(path, as_=user, json={"accepted": True, "comment": "复查合格"})
        if path.endswith("/escalate"):
            return api.post(path, as_=user, json={"to": "supervisor", "reason": "无力整改"})
        if path.endswith("/acknowledge"):
            return api.post(path, as_=user, json={"comment": "已收悉"})
        if path.endswith("/evidence"):
            return api.post(path, as_=user, data={"file": (io.BytesIO(PNG), "照片.png")},
                            content_type="multipart/form-data")
        raise AssertionError(template)


@pytest.fixture
def scene(world, make):
    return Scene(world, make)


def _state():
    """Everything a hazard write may change, as committed (the requests share the test's
    session: whatever one left uncommitted is dropped)."""
    db.session.rollback()
    return (
        db.session.execute(sa.select(Hazard.id, Hazard.status, Hazard.lock_version,
                                     Hazard.location, Hazard.legal_basis,
                                     Hazard.escalated_to, Hazard.acknowledged_at)
                           .order_by(Hazard.id)).all(),
        db.session.scalar(sa.select(sa.func.count(HazardStep.id))),
        db.session.scalar(sa.select(sa.func.count(Attachment.id))),
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action != "download")),
    )


# One test per endpoint, each cell of its row a subtest (a world per cell would take
# minutes). The refusals run first, on the scene as it was made; then the successes: each
# changes only its own target, and none answers differently for what another changed.
ROWS = by_endpoint(CASES)


def _check_cell(scene, api, method, template, role, target, expected):
    response = answer(scene, api, method, template, role, target, expected, _state)
    if expected == 200 and template.startswith("/attachments"):
        assert response.data == PNG
    if expected == 200 and template.startswith("/hazards/{"):
        assert response.get_json()["id"] == scene.target_id(template, target)
        assert response.headers["ETag"]


@pytest.mark.parametrize(("method", "template"),
                         [pytest.param(*row, id=" ".join(row)) for row in ROWS])
def test_scope_matrix(scene, api, subtests, method, template):
    for role, target, expected in ROWS[(method, template)]:
        with subtests.test(msg=f"{role} {target or ''}".strip()):
            _check_cell(scene, api, method, template, role, target, expected)


def test_matrix_covers_every_hazards_endpoint(app):
    tokens = {"<int:unit_id>": "{unit}", "<int:hazard_id>": "{hazard}",
              "<int:attachment_id>": "{evidence}"}
    same_as = {"{" + kind + "}": "{hazard}" for kind in HAZARD_KINDS}
    # the attachment route is guarded by tests/plans/test_scope.py; here its hazard rows
    assert routes(app, ("hazards",), tokens) | {("GET", "/attachments/{evidence}")} \
        == listed(CASES, same_as)
    assert {(c.values[2], c.values[3]) for c in CASES if c.values[3]} == set(
        itertools.product(ROLES, TARGETS))


def test_the_successful_steps_do_what_they_say(scene, api, world):
    """The matrix's 200s, each read back: the step really happened."""
    own = {kind: scene.targets[kind]["own"].id for kind in HAZARD_KINDS}
    verified = api.post(f"/hazards/{own['rectified_order']}/verify", as_=world.police_a,
                        json={"accepted": True}).get_json()
    assert (verified["status"], verified["verified_by"]) == ("closed", "police_a")
    acknowledged = api.post(f"/hazards/{own['to_supervisor']}/acknowledge",
                            as_=world.supervisor_a, json={}).get_json()
    assert acknowledged["acknowledged_by"] == "supervisor_a"
    acknowledged = api.post(f"/hazards/{own['to_police']}/acknowledge",
                            as_=world.police_a, json={}).get_json()
    assert acknowledged["acknowledged_by"] == "police_a"
    # acknowledged once: a second acknowledgement answers 409
    again = api.post(f"/hazards/{own['to_police']}/acknowledge", as_=world.police_a, json={})
    assert again.status_code == 409


# What the lists hold, per role: exactly the hazards of the units in scope.

def _ids(response):
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()]


def _hazards_of(scene, *targets):
    return sorted(scene.targets[kind][target].id
                  for kind in HAZARD_KINDS for target in targets)


@pytest.mark.parametrize(("role", "targets"), [
    ("admin", ("own", "same", "other")),
    ("police", ("own", "same")),       # district A and station A1 below it
    ("supervisor", ("own",)),          # schools only: not the hospital of district A
    ("coordinator", ("own",)),
])
def test_hazard_list_holds_exactly_the_units_in_scope(scene, api, role, targets):
    user = scene.users[role]
    assert _ids(api.get("/hazards?page_size=500", as_=user)) == _hazards_of(scene, *targets)
    for target, unit in scene.targets["unit"].items():
        response = api.get(f"/units/{unit.id}/hazards", as_=user)
        if target in targets:
            assert _ids(response) == _hazards_of(scene, target)
        else:
            assert response.status_code == 404
        # the unit_id filter never reaches past the scope
        filtered = api.get(f"/hazards?unit_id={unit.id}", as_=user)
        assert _ids(filtered) == (_hazards_of(scene, target) if target in targets else [])


def test_staff_list_nothing(scene, api, world):
    assert api.get("/hazards", as_=world.staff_a).status_code == 403
    assert api.get(f"/hazards?unit_id={world.unit_a.id}", as_=world.staff_a).status_code == 403
    assert api.get(f"/units/{world.unit_a.id}/hazards?overdue=true",
                   as_=world.staff_a).status_code == 403


def test_supervisors_see_their_sectors_in_their_subtree(scene, api, world, make):
    both = make.user("supervisor", "supervisor_ab", jurisdiction_id=world.district_a.id,
                     sectors=["school", "hospital"])
    assert _ids(api.get("/hazards?page_size=500", as_=both)) == _hazards_of(
        scene, "own", "same")
    museums = make.user("supervisor", "supervisor_museums", jurisdiction_id=world.city.id,
                        sectors=["museum"])
    assert _ids(api.get("/hazards?page_size=500", as_=museums)) == _hazards_of(scene, "other")
    # a school of district B: supervisor A's sector, outside its subtree
    schools_b = make.user("supervisor", "supervisor_b", jurisdiction_id=world.district_b.id,
                          sectors=["school"])
    assert _ids(api.get("/hazards", as_=schools_b)) == []
    # the museum's escalation to the supervisor is acknowledged by the museums' supervisor
    # only; supervisor A does not even see it
    to_supervisor = scene.targets["to_supervisor"]["other"].id
    assert api.post(f"/hazards/{to_supervisor}/acknowledge", as_=world.supervisor_a,
                    json={}).status_code == 404
    assert api.post(f"/hazards/{to_supervisor}/acknowledge", as_=schools_b,
                    json={}).status_code == 404
    done = api.post(f"/hazards/{to_supervisor}/acknowledge", as_=museums, json={})
    assert done.status_code == 200 and done.get_json()["acknowledged_by"] == "supervisor_museums"


def test_police_of_the_city_see_every_district(scene, api, world, make):
    city = make.user("police", "police_city", jurisdiction_id=world.city.id)
    assert _ids(api.get("/hazards?page_size=500", as_=city)) == _hazards_of(
        scene, "own", "same", "other")
    # and may order and verify in every district below it
    order = scene.targets["rectified_order"]["other"].id
    assert api.post(f"/hazards/{order}/verify", as_=city,
                    json={"accepted": True}).status_code == 200
    # police of district B see nothing of district A
    assert _ids(api.get("/hazards?page_size=500", as_=world.police_b)) == _hazards_of(
        scene, "other")
