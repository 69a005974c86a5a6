"""Whose notifications a user reads (API.md "Notifications and audit"): only their own,
whatever their role; an admin and the police read nobody else's either. Another user's
notification, in the same unit or district or elsewhere, does not exist for them (404)."""
import itertools

import pytest
import sqlalchemy as sa

from anbao.extensions import db, utcnow
from anbao.outbox import service as outbox
from anbao.outbox.models import Notification
from tests.scope_matrix import ROLES, TARGETS, Targets, check_answer, listed, parse, routes

# Targets, per role: own = a notification of the caller; same = one of a user of the same
# unit or district (the coordinator of unit A, or for that coordinator its staff member);
# other = one of the coordinator of district B's museum.
MATRIX = """
endpoint                          | admin       | police      | supervisor  | coordinator | staff
GET   /notifications              | 200         | 200         | 200         | 200         | 200
GET   /notifications?unread=true  | 200         | 200         | 200         | 200         | 200
POST  /notifications/read         | 200         | 200         | 200         | 200         | 200
POST  /notifications/{note}/read  | 200 404 404 | 200 404 404 | 200 404 404 | 200 404 404 | 200 404 404
"""

CASES = parse(MATRIX)


def _note(user, tag: str) -> Notification:
    outbox.notify(outbox.of_user(user), "hazard_due_soon", f"scope:{tag}", "p", now=utcnow(),
                  hazard=_Hazard(), unit=_Unit())
    return db.session.scalar(sa.select(Notification).where(
        Notification.key.like(f"%|scope:{tag}|%")))


class _Hazard:
    order = False
    description = "东门围栏破损"
    due_date = utcnow().date()


class _Unit:
    name = "测试单位"


class Scene(Targets):
    def __init__(self, world):
        self.users = {"admin": world.admin, "police": world.police_a,
                      "supervisor": world.supervisor_a, "coordinator": world.coordinator_a,
                      "staff": world.staff_a}
        notes = {}
        for role, user in self.users.items():
            neighbour = world.staff_a if role == "coordinator" else world.coordinator_a
            notes[role] = {"own": _note(user, f"own-{role}"),
                              "same": _note(neighbour, f"same-{role}"),
                              "other": _note(world.coordinator_b, f"other-{role}")}
        db.session.commit()
        self.notes = notes
        self.role = None

    @property
    def targets(self):
        return {"note": self.notes[self.role]}

    def request(self, api, method, template, role, target, path=None):
        self.role = role
        path = path or (template if target is None else self.path(template, target))
        user = self.users[role]
        if method == "GET":
            return api.get(path, as_=user)
        return api.post(path, as_=user)


@pytest.fixture
def scene(world):
    return Scene(world)


def _read_state():
    db.session.rollback()
    return db.session.execute(sa.select(Notification.id, Notification.read_at)
                              .order_by(Notification.id)).all()


ROWS: dict[tuple[str, str], list] = {}
for _case in CASES:
    _method, _template, _role, _target, _expected = _case.values
    ROWS.setdefault((_method, _template), []).append((_role, _target, _expected))


@pytest.mark.parametrize(("method", "template"),
                         [pytest.param(*row, id=" ".join(row)) for row in ROWS])
def test_scope_matrix(scene, api, subtests, method, template):
    for role, target, expected in ROWS[(method, template)]:
        with subtests.test(msg=f"{role} {target or ''}".strip()):
            before = _read_state()
            response = scene.request(api, method, template, role, target)
            missing = None
            if expected == 404:
                missing = scene.request(api, method, template, role, target,
                                        path=template.replace("{note}", "987654"))
            check_answer(response, expected, missing)
            if expected >= 400:
                assert _read_state() == before, "a refused write changed something"
            own = {scene.notes[role]["own"].id}
            if method == "GET":
                listed_ids = {n["id"] for n in response.get_json()}
                assert listed_ids and listed_ids <= {
                    n.id for n in db.session.scalars(sa.select(Notification).where(
                        Notification.user_id == scene.users[role].id))}
                assert own <= listed_ids or "unread" in template
            if method == "POST" and template == "/notifications/read":
                # the caller's own are read; nobody else's changed
                mine = {n.id for n in db.session.scalars(sa.select(Notification).where(
                    Notification.user_id == scene.users[role].id))}
                after = dict(_read_state())
                assert all(after[i] is not None for i in mine)
                assert {i: at for i, at in before if i not in mine} == \
                    {i: at for i, at in after.items() if i not in mine}


def test_matrix_covers_every_notifications_endpoint(app):
    assert routes(app, ("notifications",), {"<int:notification_id>": "{note}"}) == \
        listed(CASES)
    assert {(c.values[2], c.values[3]) for c in CASES if c.values[3]} == set(
        itertools.product(ROLES, TARGETS))
