"""Who sees and does what with reports, inspections and spot checks (DESIGN.md §1, API.md
"Reports" and "Inspections").

Reports are read by admin, police, supervisors (their sectors) and the unit's coordinator;
staff of the unit may not (403), elsewhere they do not exist (404). Police and supervisors never
see a draft (404, in lists absent). Only the unit's coordinator creates, edits, refreshes and
submits; only the police in scope review. `/reports` is for admin, police and supervisors.
Inspections are recorded by the police in scope and read like reports; spot checks are the
police's alone (others 403).
"""
import itertools
from datetime import date

import pytest
import sqlalchemy as sa

from anbao.audit.models import AuditEvent
from anbao.extensions import db
from hazards.models import Hazard
from reports import exports, inspections, service
from reports.models import Inspection, Report, ReportRead, ReportRevision, SpotCheck
from tests.reports.helpers import ALL_YES, create, key_since, submitted
from tests.scope_matrix import (ROLES, TARGETS, Targets, answer, by_endpoint, listed, parse,
                                routes)

# Targets: own = unit A (school, key security unit, station A1 under district A); same = the
# hospital of district A, made a key security unit here (outside supervisor A's sector
# `school`); other = the museum of district B (a key target). In each unit: a submitted
# {report}, a fully answered {draft} and an {inspection}.
MATRIX = """
endpoint                              | admin       | police      | supervisor  | coordinator | staff
GET   /units/{unit}/reports           | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 403 404 404
POST  /units/{unit}/reports           | 403 403 403 | 403 403 404 | 403 404 404 | 201 404 404 | 403 404 404
GET   /reports                        | 200         | 200         | 200         | 403         | 403
GET   /reports/{report}               | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 403 404 404
GET   /reports/{draft}                | 200 200 200 | 404 404 404 | 404 404 404 | 200 404 404 | 403 404 404
PATCH /reports/{draft}                | 403 403 403 | 404 404 404 | 404 404 404 | 200 404 404 | 403 404 404
PATCH /reports/{report}               | 403 403 403 | 403 403 404 | 403 404 404 | 409 404 404 | 403 404 404
POST  /reports/{draft}/refresh        | 403 403 403 | 404 404 404 | 404 404 404 | 200 404 404 | 403 404 404
POST  /reports/{draft}/submit         | 403 403 403 | 404 404 404 | 404 404 404 | 200 404 404 | 403 404 404
POST  /reports/{report}/submit        | 403 403 403 | 403 403 404 | 403 404 404 | 409 404 404 | 403 404 404
POST  /reports/{report}/review        | 403 403 403 | 200 200 404 | 403 404 404 | 403 404 404 | 403 404 404
POST  /reports/{draft}/review         | 403 403 403 | 404 404 404 | 404 404 404 | 403 404 404 | 403 404 404
GET   /reports/{report}/revisions     | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 403 404 404
GET   /reports/{draft}/revisions      | 200 200 200 | 404 404 404 | 404 404 404 | 200 404 404 | 403 404 404
GET   /reports/{report}.pdf           | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 403 404 404
GET   /reports/{draft}.pdf            | 200 200 200 | 404 404 404 | 404 404 404 | 200 404 404 | 403 404 404
GET   /reports/{report}.xlsx          | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 403 404 404
GET   /units/{unit}/inspections       | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 403 404 404
POST  /units/{unit}/inspections       | 403 403 403 | 201 201 404 | 403 404 404 | 403 404 404 | 403 404 404
GET   /inspections/{inspection}       | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 403 404 404
GET   /spot-checks                    | 403         | 200         | 403         | 403         | 403
POST  /spot-checks                    | 403         | 201         | 403         | 403         | 403
"""

CASES = parse(MATRIX)
TOKENS = {"<int:unit_id>": "{unit}", "<int:report_id>": "{report}",
          "<int:inspection_id>": "{inspection}"}
PERIODS = {"own": (date(2026, 1, 1), date(2026, 6, 30), date(2025, 7, 1), date(2025, 12, 31)),
           "same": (date(2026, 1, 1), date(2026, 6, 30), date(2025, 7, 1), date(2025, 12, 31)),
           "other": (date(2026, 1, 1), date(2026, 3, 31), date(2025, 10, 1), date(2025, 12, 31))}


class Scene(Targets):
    def __init__(self, world, make):
        self.world = world
        self.users = {"admin": world.admin, "police": world.police_a,
                      "supervisor": world.supervisor_a, "coordinator": world.coordinator_a,
                      "staff": world.staff_a}
        key_since(world.other_unit_a, date(2025, 1, 1), key_security_unit=True)
        coordinators = {"own": world.coordinator_a,
                        "same": make.user("coordinator", "coordinator_same",
                                          unit_id=world.other_unit_a.id),
                        "other": world.coordinator_b}
        police = {"own": world.police_a, "same": world.police_a, "other": world.police_b}
        units = {"own": world.unit_a, "same": world.other_unit_a, "other": world.unit_b}
        self.targets = {"unit": {}, "report": {}, "draft": {}, "inspection": {}}
        for target, unit in units.items():
            me = coordinators[target]
            start, end, draft_start, draft_end = PERIODS[target]
            report = service.create_report(me, unit, start, end)
            service.update_report(me, report, {"narrative": "本期自查情况", "checklist": ALL_YES})
            service.submit(me, report)
            draft = service.create_report(me, unit, draft_start, draft_end)
            service.update_report(me, draft, {"narrative": "草稿", "checklist": ALL_YES})
            self.targets["unit"][target] = unit
            self.targets["report"][target] = report
            self.targets["draft"][target] = draft
            self.targets["inspection"][target] = inspections.inspect(police[target], unit, {
                "kind": "regular", "inspected_on": date(2026, 5, 10), "summary": "例行检查"})
        db.session.commit()
        self._serial = itertools.count(1)

    def request(self, api, method, template, role, target, path=None):
        if target is None:
            path = path or template
        path = path or self.path(template, target)
        user = self.users[role]
        n = next(self._serial)
        if method == "GET":
            return api.get(path, as_=user, buffered=True)
        if template == "/units/{unit}/reports":
            return api.post(path, as_=user, json={"period_start": "2024-01-01",
                                                  "period_end": "2024-06-30"})
        if method == "PATCH":
            return api.patch(path, as_=user, json={"narrative": f"修改 {n}",
                                                   "checklist": {"C01": {"answer": "no"}}})
        if path.endswith("/review"):
            return api.post(path, as_=user, json={"decision": "accept", "comment": "同意"})
        if path.endswith(("/refresh", "/submit")):
            return api.post(path, as_=user)
        if template == "/units/{unit}/inspections":
            return api.post(path, as_=user, json={
                "kind": "ad_hoc", "inspected_on": "2026-06-01", "summary": f"检查 {n}",
                "findings": [{"description": "消防通道堵塞", "severity": "high",
                              "due_date": "2026-07-01"}]})
        if template == "/spot-checks":
            return api.post(path, as_=user, json={
                "jurisdiction_id": self.world.district_a.id, "count": 1, "seed": 7})
        raise AssertionError(template)


@pytest.fixture
def scene(world, make, monkeypatch):
    # the matrix is about who may; the PDF itself is tested in test_exports
    monkeypatch.setattr(exports, "pdf", lambda report, data: b"%PDF-1.7 stand-in")
    return Scene(world, make)


def _state():
    """Everything a write of this blueprint may change, as committed."""
    db.session.rollback()
    return (
        db.session.execute(sa.select(Report.id, Report.status, Report.revision,
                                     Report.narrative, Report.lock_version,
                                     Report.assembled_at).order_by(Report.id)).all(),
        db.session.execute(sa.select(ReportRevision.id, ReportRevision.decision)
                           .order_by(ReportRevision.id)).all(),
        db.session.scalar(sa.select(sa.func.count(Hazard.id))),
        db.session.scalar(sa.select(sa.func.count(Inspection.id))),
        db.session.scalar(sa.select(sa.func.count(SpotCheck.id))),
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
    )


ROWS = by_endpoint(CASES)


def _check_cell(scene, api, method, template, role, target, expected):
    response = answer(scene, api, method, template, role, target, expected, _state)
    if expected >= 400 and "{report}" in template:
        # a refused or hidden report is not recorded as read
        db.session.rollback()
        reads = db.session.scalar(sa.select(sa.func.count(ReportRead.id)).join(
            ReportRevision, ReportRevision.id == ReportRead.revision_id).where(
            ReportRead.user_id == scene.users[role].id,
            ReportRevision.report_id == scene.target_id(template, target)))
        assert reads == 0
    if expected in (200, 201) and template.startswith("/reports/{"):
        if template.endswith(".pdf"):
            assert response.mimetype == "application/pdf"
        elif template.endswith(".xlsx"):
            assert response.mimetype == exports.XLSX
        elif template.endswith("/revisions"):
            assert isinstance(response.get_json(), list)
        else:
            assert response.get_json()["id"] == scene.target_id(template, target)
            assert response.headers["ETag"]
    if expected == 200 and template == "/reports/{draft}":
        assert response.get_json()["status"] == "draft"


@pytest.mark.parametrize(("method", "template"),
                         [pytest.param(*row, id=" ".join(row)) for row in ROWS])
def test_scope_matrix(scene, api, subtests, method, template):
    for role, target, expected in ROWS[(method, template)]:
        with subtests.test(msg=f"{role} {target or ''}".strip()):
            _check_cell(scene, api, method, template, role, target, expected)


def test_matrix_covers_every_reports_endpoint(app):
    assert routes(app, ("reports",), TOKENS) == listed(CASES, {"{draft}": "{report}"})
    assert {(c.values[2], c.values[3]) for c in CASES if c.values[3]} == set(
        itertools.product(ROLES, TARGETS))


# What the lists hold, per role

def _ids(api, user, path):
    response = api.get(path + ("&" if "?" in path else "?") + "page_size=500", as_=user)
    assert response.status_code == 200, response.get_json()
    return [row["id"] for row in response.get_json()]


def test_lists_hold_no_draft_for_the_oversight(scene, api, world):
    reports = {t: scene.targets["report"][t].id for t in TARGETS}
    drafts = {t: scene.targets["draft"][t].id for t in TARGETS}
    unit_a = f"/units/{world.unit_a.id}/reports"
    assert _ids(api, world.coordinator_a, unit_a) == sorted([reports["own"], drafts["own"]])
    assert _ids(api, world.admin, unit_a) == sorted([reports["own"], drafts["own"]])
    for user in (world.police_a, world.supervisor_a):
        assert _ids(api, user, unit_a) == [reports["own"]]
    assert _ids(api, world.admin, "/reports") == sorted(reports.values())
    assert _ids(api, world.police_a, "/reports") == sorted([reports["own"], reports["same"]])
    assert _ids(api, world.supervisor_a, "/reports") == [reports["own"]]
    assert _ids(api, world.police_b, "/reports") == [reports["other"]]
    assert api.get(unit_a, as_=world.police_b).status_code == 404
    row = api.get("/reports", as_=world.police_a).get_json()[0]
    assert set(row) >= {"id", "unit_id", "unit_name", "period_start", "period_end",
                        "revision", "status"}
    assert "content" not in row


def test_a_report_outside_the_jurisdiction_does_not_exist(scene, api, world):
    for template in ("/reports/{}", "/reports/{}/revisions", "/reports/{}.pdf",
                     "/reports/{}.xlsx"):
        response = api.get(template.format(scene.targets["report"]["own"].id),
                           as_=world.police_b)
        assert response.status_code == 404
    response = api.post(f"/reports/{scene.targets['report']['own'].id}/review",
                        as_=world.police_b, json={"decision": "accept", "comment": ""})
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(ReportRead.id))) == 0


def test_the_list_filters(scene, api, world):
    own, same, other = (scene.targets["report"][t] for t in TARGETS)
    service.review(world.police_a, own, "return", "请修改")
    service.review(world.police_a, same, "accept", "")
    db.session.commit()
    assert _ids(api, world.admin, "/reports?status=returned") == [own.id]
    assert _ids(api, world.admin, "/reports?status=accepted") == [same.id]
    assert _ids(api, world.admin, "/reports?status=submitted") == [other.id]
    assert _ids(api, world.admin, "/reports?status=draft") == []
    assert _ids(api, world.police_a, "/reports?status=submitted") == []
    assert _ids(api, world.admin, f"/reports?jurisdiction_id={world.station_a.id}") == [own.id]
    assert _ids(api, world.admin, f"/reports?jurisdiction_id={world.district_a.id}") == \
        [own.id, same.id]
    assert _ids(api, world.police_a,
                f"/reports?jurisdiction_id={world.district_a.id}&status=accepted") == [same.id]
    assert _ids(api, world.admin, f"/reports?jurisdiction_id={world.city.id}") == \
        sorted([own.id, same.id, other.id])
    # a jurisdiction outside the caller's scope, or none at all, is an invalid value
    for user, jurisdiction in ((world.police_a, world.district_b.id),
                               (world.police_a, world.city.id),
                               (world.admin, 987654)):
        response = api.get(f"/reports?jurisdiction_id={jurisdiction}", as_=user)
        assert response.status_code == 422
        assert list(response.get_json()["errors"]["query"]) == ["jurisdiction_id"]
    for query in ("status=lost", "status=DRAFT", "jurisdiction_id=abc", "page_size=501"):
        response = api.get(f"/reports?{query}", as_=world.admin)
        assert response.status_code == 422, query


def test_the_lists_are_paginated(scene, api, world):
    response = api.get("/reports?page_size=2&page=2", as_=world.admin)
    assert response.status_code == 200
    import json
    assert json.loads(response.headers["X-Pagination"])["total"] == 3
    assert len(response.get_json()) == 1
    assert api.get("/reports?page=9", as_=world.admin).get_json() == []


def test_a_coordinator_elsewhere_cannot_write_our_reports(scene, api, world):
    draft = scene.targets["draft"]["own"]
    for method, path in (("PATCH", f"/reports/{draft.id}"),
                         ("POST", f"/reports/{draft.id}/refresh"),
                         ("POST", f"/reports/{draft.id}/submit")):
        response = api.request(method, path, as_=world.coordinator_b,
                               json={"narrative": "越权"} if method == "PATCH" else None)
        assert response.status_code == 404
    assert db.session.get(Report, draft.id).status == "draft"
    # and cannot start one for another unit
    assert create(api, world.coordinator_b, world.unit_a, status=404)


def test_supervisors_are_read_only_in_their_sector(scene, api, world, make):
    report = scene.targets["report"]["own"]
    assert api.get(f"/reports/{report.id}", as_=world.supervisor_a).status_code == 200
    assert api.get(f"/reports/{report.id}/revisions", as_=world.supervisor_a).status_code == 200
    response = api.post(f"/reports/{report.id}/review", as_=world.supervisor_a,
                        json={"decision": "accept", "comment": ""})
    assert response.status_code == 403
    hospitals = make.user("supervisor", "supervisor_hospitals",
                          jurisdiction_id=world.district_a.id, sectors=["hospital"])
    assert api.get(f"/reports/{report.id}", as_=hospitals).status_code == 404
    assert _ids(api, hospitals, "/reports") == [scene.targets["report"]["same"].id]


def test_submitted_reports_of_a_late_key_unit(api, world):
    """A report of a unit that was made a key unit and then stopped being one stays
    readable."""
    report = submitted(api, world.coordinator_a, world.unit_a)
    key_since(world.unit_a, None, key_security_unit=False)
    assert api.get(f"/reports/{report['id']}", as_=world.police_a).status_code == 200
