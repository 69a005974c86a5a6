"""Who sees and does what with drills and trainings (DESIGN.md §1, API.md "Activities" and
"Calendar feeds").

Activities, the schedule and outcomes are read by everyone whose scope holds the unit, staff
too (unannounced drills masked); only the unit's coordinator schedules, changes, cancels,
moves and records outcomes (admins included: 403). A unit's feed URL is the coordinator's;
one's own feed belongs to people of a unit (coordinator, staff). Out of scope answers 404.
"""
import itertools
from datetime import datetime

import pytest
import sqlalchemy as sa

from anbao.audit.models import AuditEvent
from anbao.extensions import db
from drills import service
from drills.models import Activity, CalendarFeed, CalendarWatermark, Occurrence, Outcome
from hazards.models import Hazard
from tests.drills.test_api import drill
from tests.scope_matrix import (ROLES, TARGETS, Targets, answer, by_endpoint, listed, parse,
                                routes)

# Targets: own = unit A (school, station A1 under district A); same = the hospital of
# district A (outside supervisor A's sector `school`); other = the museum of district B.
# In each unit: a single drill {activity} and a weekly {series} of four, both scheduled.
MATRIX = """
endpoint                                     | admin       | police      | supervisor  | coordinator | staff
POST  /units/{unit}/activities               | 403 403 403 | 403 403 404 | 403 404 404 | 201 404 404 | 403 404 404
GET   /units/{unit}/activities               | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
GET   /units/{unit}/schedule?from=2027-03-01&to=2027-03-31 | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
GET   /units/{unit}/calendar                 | 403 403 403 | 403 403 404 | 403 404 404 | 200 404 404 | 403 404 404
GET   /activities/{activity}                 | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
PATCH /activities/{activity}                 | 403 403 403 | 403 403 404 | 403 404 404 | 200 404 404 | 403 404 404
POST  /activities/{activity}/cancel          | 403 403 403 | 403 403 404 | 403 404 404 | 200 404 404 | 403 404 404
POST  /activities/{series}/occurrences       | 403 403 403 | 403 403 404 | 403 404 404 | 200 404 404 | 403 404 404
GET   /activities/{activity}/outcomes        | 200 200 200 | 200 200 404 | 200 404 404 | 200 404 404 | 200 404 404
POST  /activities/{activity}/outcomes        | 403 403 403 | 403 403 404 | 403 404 404 | 201 404 404 | 403 404 404
GET   /me/calendar                           | 403         | 403         | 403         | 200         | 200
POST  /me/calendar/rotate                    | 403         | 403         | 403         | 200         | 200
"""

CASES = parse(MATRIX)
RECORDS = ("activity", "series")


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
        units = {"own": world.unit_a, "same": world.other_unit_a, "other": world.unit_b}
        self.targets = {"unit": {}, "activity": {}, "series": {}}
        for target, unit in units.items():
            self.targets["unit"][target] = unit
            self.targets["activity"][target] = service.create_activity(
                coordinators[target], unit, self._body())
            self.targets["series"][target] = service.create_activity(
                coordinators[target], unit, self._body(rrule="FREQ=WEEKLY;COUNT=4"))
        db.session.commit()
        self._serial = itertools.count(1)

    @staticmethod
    def _body(**over):
        body = drill(**over)
        for field in ("starts_at", "ends_at"):
            body[field] = datetime.fromisoformat(body[field])
        return body

    def request(self, api, method, template, role, target, path=None):
        if target is None:
            path = path or template
        path = path or self.path(template, target)
        user = self.users[role]
        n = next(self._serial)
        if method == "GET":
            return api.get(path, as_=user)
        if template == "/units/{unit}/activities":
            return api.post(path, as_=user, json=drill(title=f"演练 {n}"))
        if method == "PATCH":
            return api.patch(path, as_=user, json={"location": f"礼堂 {n}"})
        if path.endswith("/cancel"):
            return api.post(path, as_=user, json={"reason": f"取消 {n}"})
        if path.endswith("/occurrences"):
            return api.post(path, as_=user, json={
                "occurrence": "2027-03-08T09:00:00+08:00",
                "starts_at": "2027-03-09T09:00:00+08:00",
                "ends_at": "2027-03-09T10:00:00+08:00"})
        if path.endswith("/outcomes"):
            return api.post(path, as_=user, json={
                "held_from": "2027-03-01T09:00:00+08:00",
                "held_to": "2027-03-01T10:00:00+08:00",
                "findings": [{"description": "东门关闭迟缓", "severity": "medium",
                              "owner": "王五", "due_date": "2027-03-31"}]})
        if path.endswith("/rotate"):
            return api.post(path, as_=user)
        raise AssertionError(template)


@pytest.fixture
def scene(world, make):
    return Scene(world, make)


def _state():
    """Everything a drills write may change, as committed."""
    db.session.rollback()
    return (
        db.session.execute(sa.select(Activity.id, Activity.status, Activity.sequence,
                                     Activity.lock_version, Activity.location,
                                     Activity.title).order_by(Activity.id)).all(),
        db.session.execute(sa.select(Occurrence.id, Occurrence.status, Occurrence.starts_at)
                           .order_by(Occurrence.id)).all(),
        db.session.scalar(sa.select(sa.func.count(Outcome.id))),
        db.session.scalar(sa.select(sa.func.count(Hazard.id))),
        db.session.execute(sa.select(CalendarFeed.kind, CalendarFeed.owner_id,
                                     CalendarFeed.token).order_by(CalendarFeed.id)).all(),
        db.session.execute(sa.select(CalendarWatermark.unit_id, CalendarWatermark.version)
                           .order_by(CalendarWatermark.unit_id)).all(),
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
    )


# One test per endpoint, every cell of its row checked and every wrong one reported: the
# refusals first, on the scene as it was made, then the successes.
ROWS = by_endpoint(CASES)


def _check_cell(scene, api, method, template, role, target, expected):
    response = answer(scene, api, method, template, role, target, expected, _state)
    if expected in (200, 201) and template.startswith("/activities/{"):
        body = response.get_json()
        if isinstance(body, dict):   # the activity, or an outcome of it
            assert body.get("activity_id", body.get("id")) == scene.target_id(template, target)
    if expected == 200 and "calendar" in template:
        assert response.get_json()["url"].startswith("http://anbao.test/calendar/")


@pytest.mark.parametrize(("method", "template"),
                         [pytest.param(*row, id=" ".join(row)) for row in ROWS])
def test_scope_matrix(scene, api, method, template):
    wrong = []
    for role, target, expected in ROWS[(method, template)]:
        try:
            _check_cell(scene, api, method, template, role, target, expected)
        except AssertionError as err:
            wrong.append(f"{role} {target or ''}: {str(err).splitlines()[0]}")
    assert not wrong, "\n".join(wrong)


def test_matrix_covers_every_drills_endpoint(app):
    tokens = {"<int:unit_id>": "{unit}", "<int:activity_id>": "{activity}"}
    assert routes(app, ("activities",), tokens) == listed(CASES, {"{series}": "{activity}"})
    assert {(c.values[2], c.values[3]) for c in CASES if c.values[3]} == set(
        itertools.product(ROLES, TARGETS))
    # the feed itself is the one route outside /api/v1, open to whoever holds its URL
    feed_routes = {rule.rule for rule in app.url_map.iter_rules()
                   if rule.endpoint.split(".")[0] == "feeds"}
    assert feed_routes == {"/calendar/<token>.ics"}


def test_the_successful_writes_do_what_they_say(scene, api, world):
    own = {name: scene.targets[name]["own"].id for name in RECORDS}
    c = world.coordinator_a
    assert scene.request(api, "PATCH", "/activities/{activity}", "coordinator",
                         "own").get_json()["sequence"] == 1
    moved = scene.request(api, "POST", "/activities/{series}/occurrences", "coordinator",
                          "own").get_json()
    assert [e["starts_at"] for e in moved["exceptions"]] == ["2027-03-09T09:00:00+08:00"]
    outcome = scene.request(api, "POST", "/activities/{activity}/outcomes", "coordinator",
                            "own").get_json()
    assert len(outcome["hazard_ids"]) == 1
    assert api.get(f"/activities/{own['activity']}", as_=c).get_json()["status"] == "completed"
    # a held activity cannot be cancelled any more
    assert scene.request(api, "POST", "/activities/{activity}/cancel", "coordinator",
                         "own").status_code == 409
    cancelled = api.post(f"/activities/{own['series']}/cancel", as_=c, json={"reason": "停"})
    assert cancelled.get_json()["status"] == "cancelled"


def _ids(response):
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()]


@pytest.mark.parametrize(("role", "targets"), [
    ("admin", ("own", "same", "other")),
    ("police", ("own", "same")),
    ("supervisor", ("own",)),
    ("coordinator", ("own",)),
    ("staff", ("own",)),
])
def test_lists_and_schedules_hold_only_what_is_in_scope(scene, api, role, targets):
    user = scene.users[role]
    for target, unit in scene.targets["unit"].items():
        listed_ = api.get(f"/units/{unit.id}/activities", as_=user)
        rows = api.get(f"/units/{unit.id}/schedule?from=2027-03-01&to=2027-03-31", as_=user)
        if target in targets:
            assert _ids(listed_) == [scene.targets[name][target].id for name in RECORDS]
            assert {r["activity_id"] for r in rows.get_json()} == {
                scene.targets[name][target].id for name in RECORDS}
        else:
            assert (listed_.status_code, rows.status_code) == (404, 404)


def test_staff_see_unannounced_drills_masked_everywhere_they_look(scene, api, world):
    secret = service.create_activity(world.coordinator_a, world.unit_a, Scene._body(
        title="夜间突击反恐演练", unannounced=True, location="东墙",
        description="模拟持刀人员翻越东墙", participant_ids=[world.person_a.id],
        key_part_id=world.key_part_a.id))
    db.session.commit()
    for path in (f"/activities/{secret.id}", f"/units/{world.unit_a.id}/activities",
                 f"/units/{world.unit_a.id}/schedule?from=2027-03-01&to=2027-03-31"):
        seen = api.get(path, as_=world.staff_a).get_data(as_text=True)
        assert "夜间突击反恐演练" not in seen and "东墙" not in seen, path
        for user in (world.coordinator_a, world.police_a, world.supervisor_a, world.admin):
            assert "夜间突击反恐演练" in api.get(path, as_=user).get_data(as_text=True), path
