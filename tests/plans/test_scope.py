"""Who sees and does what with plans and their attachments (DESIGN.md §1, API.md "Plans").

Plans are written by the unit's coordinator only; police, supervisors (and admins) read every
version in scope; staff read approved versions only: a draft or superseded version does not
exist for them (404), an approved one they may not change (403). Out of scope answers 404.
"""
import io
import itertools

import pytest
from werkzeug.datastructures import FileStorage

from anbao.attachments import service as attachments
from anbao.extensions import db
from plans import service
from tests.scope_matrix import Targets, check_answer, listed, parse, routes


# Targets: own = unit A (school, station A1 under district A); same = the hospital of
# district A (outside supervisor A's sector `school`); other = the museum of district B.
# In each unit: {superseded} version 1 and {approved} version 2 of the terror-attack plan,
# a {draft} accident plan, each with one attachment ({att_draft}, {att_approved},
# {att_superseded}).
MATRIX = """
endpoint                                | admin       | police      | supervisor  | coordinator | staff
POST  /units/{unit}/plans               | 403 403 403 | 403 403 404 | 403 404 404 | 201 404 404 | 403 404 404
GET   /units/{unit}/plans               | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
GET   /plans/{draft}                    | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 404 404 404
GET   /plans/{approved}                 | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
GET   /plans/{superseded}               | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 404 404 404
PATCH /plans/{draft}                    | 403 403 403 | 403 403 404 | 403 404 404 | 200 404 404 | 404 404 404
PATCH /plans/{approved}                 | 403 403 403 | 403 403 404 | 403 404 404 | 201 404 404 | 403 404 404
PATCH /plans/{superseded}               | 403 403 403 | 403 403 404 | 403 404 404 | 409 404 404 | 404 404 404
POST  /plans/{draft}/approve            | 403 403 403 | 403 403 404 | 403 404 404 | 200 404 404 | 404 404 404
POST  /plans/{approved}/approve         | 403 403 403 | 403 403 404 | 403 404 404 | 409 404 404 | 403 404 404
POST  /plans/{superseded}/approve       | 403 403 403 | 403 403 404 | 403 404 404 | 409 404 404 | 404 404 404
GET   /plans/{draft}/versions           | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 404 404 404
GET   /plans/{approved}/versions        | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
GET   /plans/{superseded}/versions      | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 404 404 404
POST  /plans/{draft}/attachments        | 403 403 403 | 403 403 404 | 403 404 404 | 201 404 404 | 404 404 404
POST  /plans/{approved}/attachments     | 403 403 403 | 403 403 404 | 403 404 404 | 201 404 404 | 403 404 404
POST  /plans/{superseded}/attachments   | 403 403 403 | 403 403 404 | 403 404 404 | 409 404 404 | 404 404 404
GET   /attachments/{att_draft}          | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 404 404 404
GET   /attachments/{att_approved}       | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
GET   /attachments/{att_superseded}     | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 404 404 404
"""

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


CASES = parse(MATRIX)


def _upload(name="预案.pdf", data=PDF):
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type="application/pdf")


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
        self.targets = {name: {} for name in ("unit", "draft", "approved", "superseded",
                                              "att_draft", "att_approved", "att_superseded")}
        for target, unit in units.items():
            actor = coordinators[target]
            first = service.create_plan(actor, unit, {
                "scenario": "terror_attack", "level": "comprehensive", "title": "防暴恐预案"},
                "zh_CN")
            service.approve_plan(actor, first, "负责人")
            second, _ = service.update_plan(actor, first, {"title": "防暴恐预案（修订）"})
            service.approve_plan(actor, second, "负责人")
            draft = service.create_plan(actor, unit, {
                "scenario": "accident", "level": "onsite", "title": "防事故现场处置方案"},
                "zh_CN")
            db.session.flush()
            self.targets["unit"][target] = unit
            self.targets["draft"][target] = draft
            self.targets["approved"][target] = second
            self.targets["superseded"][target] = first
            for kind, plan in (("draft", draft), ("approved", second)):
                self.targets[f"att_{kind}"][target] = service.attach(actor, plan, _upload())
            # a superseded version takes no new files: this one came while it was approved
            self.targets["att_superseded"][target] = attachments.attach(
                actor, unit.id, "plan", first.id, _upload("旧版.pdf"))
            db.session.commit()
        assert {p.status for p in self.targets["superseded"].values()} == {"superseded"}
        self._serial = itertools.count(1)

    def request(self, api, method, template, role, target, path=None):
        path = path or self.path(template, target)
        user = self.users[role]
        n = next(self._serial)
        if method == "GET":
            # buffered: the client reads the whole answer and closes the file behind it, as a
            # WSGI server does
            return api.get(path, as_=user, buffered=True)
        if template == "/units/{unit}/plans":
            return api.post(path, as_=user, json={"scenario": "sabotage", "level": "special",
                                                  "title": f"防破坏预案 {n}"})
        if method == "PATCH":
            return api.patch(path, as_=user, json={"title": f"修订 {n}"})
        if path.endswith("/approve"):
            return api.post(path, as_=user, json={"approved_by": "负责人"})
        if path.endswith("/attachments"):
            return api.post(path, as_=user, data={"file": (io.BytesIO(PDF), "附件.pdf")},
                            content_type="multipart/form-data")
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
    if expected == 200 and template.startswith("/attachments"):
        assert response.data == PDF


def test_matrix_covers_every_plans_and_attachments_endpoint(app):
    tokens = {"<int:unit_id>": "{unit}", "<int:plan_id>": "{plan}",
              "<int:attachment_id>": "{att}"}
    same_as = {"{draft}": "{plan}", "{approved}": "{plan}", "{superseded}": "{plan}",
               "{att_draft}": "{att}", "{att_approved}": "{att}", "{att_superseded}": "{att}"}
    assert routes(app, ("plans", "attachments"), tokens) == listed(CASES, same_as)


# What the lists hold, per role.

@pytest.mark.parametrize(("role", "statuses"), [
    ("admin", ["superseded", "approved", "draft"]),
    ("police", ["superseded", "approved", "draft"]),
    ("supervisor", ["superseded", "approved", "draft"]),
    ("coordinator", ["superseded", "approved", "draft"]),
    ("staff", ["approved"]),
])
def test_plan_list_per_role(scene, api, world, role, statuses):
    response = api.get(f"/units/{world.unit_a.id}/plans", as_=scene.users[role])
    assert response.status_code == 200
    assert [p["status"] for p in response.get_json()] == statuses
    # filtering by status never shows staff more
    drafts = api.get(f"/units/{world.unit_a.id}/plans?status=draft", as_=scene.users[role])
    assert len(drafts.get_json()) == (0 if role == "staff" else 1)


def test_staff_see_only_the_approved_version_in_the_history(scene, api, world):
    approved = scene.targets["approved"]["own"]
    rows = api.get(f"/plans/{approved.id}/versions", as_=world.staff_a).get_json()
    assert [(r["version"], r["status"]) for r in rows] == [(2, "approved")]
    assert [a["filename"] for a in rows[0]["attachments"]] == ["预案.pdf"]
    police = api.get(f"/plans/{approved.id}/versions", as_=world.police_a).get_json()
    assert [(r["version"], r["status"]) for r in police] == [(1, "superseded"),
                                                             (2, "approved")]
    assert [a["filename"] for a in police[0]["attachments"]] == ["旧版.pdf"]


def test_staff_lose_a_version_when_it_is_superseded(scene, api, world):
    approved = scene.targets["approved"]["own"]
    assert api.get(f"/plans/{approved.id}", as_=world.staff_a).status_code == 200
    draft = api.patch(f"/plans/{approved.id}", as_=world.coordinator_a, json={"title": "三"})
    assert draft.status_code == 201
    new_id = draft.get_json()["id"]
    assert api.get(f"/plans/{new_id}", as_=world.staff_a).status_code == 404
    assert api.get(f"/plans/{approved.id}", as_=world.staff_a).status_code == 200
    api.post(f"/plans/{new_id}/approve", as_=world.coordinator_a, json={"approved_by": "王"})
    assert api.get(f"/plans/{approved.id}", as_=world.staff_a).status_code == 404
    assert api.get(f"/plans/{new_id}", as_=world.staff_a).status_code == 200
