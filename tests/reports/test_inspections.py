"""Police inspections and random spot checks (API.md "Inspections", DESIGN.md §2 Inspection):
findings become hazards with source `police_inspection` (orders when `order`); a spot check
draws units with a recorded seed, so the same seed over the same units draws the same units.
"""
import random

import pytest
import sqlalchemy as sa

from anbao.audit.models import AuditEvent
from anbao.extensions import db
from hazards.models import Hazard
from reports import inspections
from reports.inspections import MAX_SEED, draw
from reports.models import Inspection, SpotCheck

FINDINGS = [
    {"description": "消防通道堵塞", "severity": "high", "due_date": "2026-12-31", "order": True},
    {"description": "值班记录不全", "severity": "low", "due_date": "2026-12-15"},
]


def _inspect(api, user, unit, **over):
    body = {"kind": "regular", "inspected_on": "2026-11-20", "summary": "例行检查：总体良好",
            "findings": FINDINGS, **over}
    return api.post(f"/units/{unit.id}/inspections", as_=user, json=body)


def _count(model):
    return db.session.scalar(sa.select(sa.func.count(model.id)))


# Inspections

def test_findings_become_hazards_and_orders(api, world):
    response = _inspect(api, world.police_a, world.unit_a)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["unit_id"], body["kind"], body["inspected_on"], body["summary"],
            body["inspector"]) == (world.unit_a.id, "regular", "2026-11-20", "例行检查：总体良好",
                                   "police_a")
    assert body["created_at"].endswith("+08:00")
    assert "findings" not in body
    order_id, hazard_id = body["hazard_ids"]
    order = api.get(f"/hazards/{order_id}", as_=world.coordinator_a).get_json()
    found = api.get(f"/hazards/{hazard_id}", as_=world.coordinator_a).get_json()
    assert (order["order"], order["source"], order["status"], order["description"],
            order["severity"], order["due_date"]) == (True, "police_inspection", "open",
                                                      "消防通道堵塞", "high", "2026-12-31")
    assert (found["order"], found["source"], found["description"], found["due_date"]) == \
        (False, "police_inspection", "值班记录不全", "2026-12-15")
    assert {h.unit_id for h in db.session.scalars(sa.select(Hazard))} == {world.unit_a.id}
    # read back, by anyone who reads the unit's reports
    for user in (world.police_a, world.supervisor_a, world.coordinator_a, world.admin):
        assert api.get(f"/inspections/{body['id']}", as_=user).get_json()["hazard_ids"] == \
            [order_id, hazard_id]
        listed = api.get(f"/units/{world.unit_a.id}/inspections", as_=user).get_json()
        assert [i["id"] for i in listed] == [body["id"]]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity == "inspection"))
    assert (event.action, event.username, event.unit_id) == ("create", "police_a",
                                                             world.unit_a.id)


def test_an_inspection_without_findings_makes_no_hazard(api, world):
    response = _inspect(api, world.police_a, world.unit_a, kind="special", findings=[])
    assert response.status_code == 201
    assert response.get_json()["hazard_ids"] == []
    response = api.post(f"/units/{world.unit_a.id}/inspections", as_=world.police_a,
                        json={"kind": "ad_hoc", "inspected_on": "2026-11-21", "summary": "抽查"})
    assert response.status_code == 201
    assert _count(Hazard) == 0


def test_only_the_police_in_scope_inspect(api, world):
    for user, status in ((world.coordinator_a, 403), (world.supervisor_a, 403),
                         (world.admin, 403), (world.staff_a, 403), (world.police_b, 404)):
        assert _inspect(api, user, world.unit_a).status_code == status, user.username
    assert (_count(Inspection), _count(Hazard)) == (0, 0)
    inspection = _inspect(api, world.police_a, world.unit_a).get_json()
    assert api.get(f"/inspections/{inspection['id']}", as_=world.police_b).status_code == 404
    assert api.get(f"/units/{world.unit_a.id}/inspections", as_=world.police_b) \
        .status_code == 404
    assert api.get(f"/inspections/{inspection['id']}", as_=world.coordinator_b) \
        .status_code == 404


BAD_INSPECTIONS = [
    ({"kind": "routine"}, "kind"),
    ({"summary": ""}, "summary"),
    ({"inspected_on": "2026-11-20T10:00:00+08:00"}, "inspected_on"),
    ({"findings": [{"description": "无期限", "severity": "high"}]}, "findings"),
    ({"findings": [{"description": "严重度", "severity": "fatal", "due_date": "2026-12-01"}]},
     "findings"),
    ({"findings": [{"severity": "low", "due_date": "2026-12-01"}]}, "findings"),
    ({"spot_check_id": 987654}, "spot_check_id"),
]


def test_invalid_inspections_name_the_field(api, world):
    for body, field in BAD_INSPECTIONS:
        response = _inspect(api, world.police_a, world.unit_a, **body)
        assert response.status_code == 422, body
        assert field in response.get_json()["errors"]["json"]
    assert (_count(Inspection), _count(Hazard)) == (0, 0)


def test_an_inspection_names_the_spot_check_that_drew_the_unit(api, world):
    check = api.post("/spot-checks", as_=world.police_a, json={
        "jurisdiction_id": world.station_a.id, "count": 1, "seed": 3}).get_json()
    assert check["unit_ids"] == [world.unit_a.id]
    response = _inspect(api, world.police_a, world.unit_a, kind="random",
                        spot_check_id=check["id"])
    assert response.status_code == 201
    assert response.get_json()["spot_check_id"] == check["id"]
    # a spot check that did not draw the unit
    response = _inspect(api, world.police_a, world.other_unit_a, kind="random",
                        spot_check_id=check["id"])
    assert response.status_code == 422
    assert "spot_check_id" in response.get_json()["errors"]["json"]


def test_inspection_findings_show_in_the_report(api, world):
    from tests.reports.helpers import create
    hazard_ids = _inspect(api, world.police_a, world.unit_a).get_json()["hazard_ids"]
    report = create(api, world.coordinator_a, world.unit_a,
                    {"period_start": "2026-07-01", "period_end": "2026-12-31"})
    items = {h["id"]: h for h in report["content"]["hazards"]["items"]}
    assert set(items) == set(hazard_ids)
    assert {h["source"] for h in items.values()} == {"police_inspection"}
    assert items[hazard_ids[0]]["order"] is True


# Spot checks

@pytest.fixture
def district(world, make):
    """District A with ten units below it: the two of the world and eight more."""
    units = [world.unit_a, world.other_unit_a]
    for n in range(8):
        category = "school" if n % 2 else "bank"
        units.append(make.unit(world.station_a if n < 4 else world.district_a,
                               name=f"天河单位{n}", category=category))
    return sorted(u.id for u in units)


def _draw(api, user, **body):
    return api.post("/spot-checks", as_=user, json=body)


def test_the_same_seed_draws_the_same_units(api, world, district):
    body = {"jurisdiction_id": world.district_a.id, "count": 4, "seed": 20261128}
    first = _draw(api, world.police_a, **body)
    assert first.status_code == 201, first.get_json()
    second = _draw(api, world.police_a, **body).get_json()
    first = first.get_json()
    assert first["id"] != second["id"]
    assert first["unit_ids"] == second["unit_ids"]
    assert first["seed"] == second["seed"] == 20261128
    assert len(first["unit_ids"]) == 4
    assert first["unit_ids"] == sorted(first["unit_ids"])
    assert set(first["unit_ids"]) <= set(district)
    assert first["candidate_ids"] == district
    # the draw itself, repeated by anyone: candidates in any order
    assert draw(20261128, district, 4) == first["unit_ids"]
    shuffled = list(district)
    random.Random(1).shuffle(shuffled)
    assert draw(20261128, shuffled, 4) == first["unit_ids"]
    stored = db.session.get(SpotCheck, first["id"])
    assert draw(stored.seed, stored.candidate_ids, stored.count) == stored.unit_ids


def test_other_seeds_draw_other_units(api, world, district):
    draws = {tuple(_draw(api, world.police_a, jurisdiction_id=world.district_a.id, count=3,
                         seed=seed).get_json()["unit_ids"]) for seed in range(12)}
    assert len(draws) > 3  # C(10, 3) = 120 possible draws
    assert {tuple(draw(seed, district, 3)) for seed in range(12)} == draws


def test_a_count_above_the_units_draws_them_all(api, world, district):
    body = _draw(api, world.police_a, jurisdiction_id=world.district_a.id, count=500,
                 seed=1).get_json()
    assert body["unit_ids"] == district
    station = _draw(api, world.police_a, jurisdiction_id=world.station_a.id, count=50,
                    seed=1).get_json()
    station_ids = sorted([world.unit_a.id] + [u for u in district[2:6]])
    assert station["unit_ids"] == station_ids == station["candidate_ids"]


def test_a_category_narrows_the_candidates(api, world, district):
    body = _draw(api, world.police_a, jurisdiction_id=world.district_a.id, count=100,
                 category="school", seed=5).get_json()
    from units.models import Unit
    schools = sorted(db.session.scalars(sa.select(Unit.id).where(
        Unit.category == "school", Unit.id.in_(district))))
    assert len(schools) == 5
    assert body["unit_ids"] == body["candidate_ids"] == schools
    assert body["category"] == "school"
    none = _draw(api, world.police_a, jurisdiction_id=world.district_a.id, count=3,
                 category="museum", seed=5).get_json()
    assert none["unit_ids"] == [] and none["candidate_ids"] == []


def test_a_seed_is_chosen_and_returned_when_not_given(api, world, district):
    body = _draw(api, world.police_a, jurisdiction_id=world.district_a.id, count=3)
    assert body.status_code == 201
    body = body.get_json()
    assert isinstance(body["seed"], int) and 0 <= body["seed"] < MAX_SEED
    again = _draw(api, world.police_a, jurisdiction_id=world.district_a.id, count=3,
                  seed=body["seed"]).get_json()
    assert again["unit_ids"] == body["unit_ids"]
    seeds = {_draw(api, world.police_a, jurisdiction_id=world.district_a.id,
                   count=3).get_json()["seed"] for _ in range(3)}
    assert len(seeds | {body["seed"]}) == 4


def test_the_audit_event_keeps_the_seed_and_the_candidates(api, world, district):
    body = _draw(api, world.police_a, jurisdiction_id=world.district_a.id, count=2,
                 seed=42).get_json()
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity == "spot_check"))
    assert (event.action, event.username, event.entity_id, event.jurisdiction_id) == \
        ("draw", "police_a", body["id"], world.district_a.id)
    after = event.changes["after"]
    assert (after["seed"], after["count"], after["candidate_ids"], after["unit_ids"]) == \
        (42, 2, district, body["unit_ids"])
    # the draw can be repeated from the audit trail alone
    assert draw(after["seed"], after["candidate_ids"], after["count"]) == body["unit_ids"]


def test_only_the_police_draw_within_their_jurisdiction(api, world, district):
    body = {"jurisdiction_id": world.district_a.id, "count": 2, "seed": 1}
    for user in (world.admin, world.coordinator_a, world.supervisor_a, world.staff_a):
        assert _draw(api, user, **body).status_code == 403, user.username
        assert api.get("/spot-checks", as_=user).status_code == 403
    response = _draw(api, world.police_b, **body)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["json"]) == ["jurisdiction_id"]
    # police A oversees district A, not the city above it
    response = _draw(api, world.police_a, jurisdiction_id=world.city.id, count=2)
    assert response.status_code == 422
    assert _count(SpotCheck) == 0
    mine = _draw(api, world.police_a, **body).get_json()
    theirs = _draw(api, world.police_b, jurisdiction_id=world.district_b.id, count=1).get_json()
    assert [c["id"] for c in api.get("/spot-checks", as_=world.police_a).get_json()] == \
        [mine["id"]]
    assert [c["id"] for c in api.get("/spot-checks", as_=world.police_b).get_json()] == \
        [theirs["id"]]


BAD_DRAWS = [
    ({"count": 0}, "count"),
    ({"count": -1}, "count"),
    ({"count": "3"}, "count"),
    ({"count": None}, "count"),
    ({"seed": -1}, "seed"),
    ({"seed": MAX_SEED}, "seed"),
    ({"seed": "7"}, "seed"),
    ({"seed": 1.5}, "seed"),
    ({"category": "zoo"}, "category"),
    ({"jurisdiction_id": 987654}, "jurisdiction_id"),
    ({"jurisdiction_id": None}, "jurisdiction_id"),
]


def test_invalid_draws_name_the_field(api, world):
    for body, field in BAD_DRAWS:
        response = _draw(api, world.police_a, **{"jurisdiction_id": world.district_a.id,
                                                 "count": 2, **body})
        assert response.status_code == 422, body
        assert field in response.get_json()["errors"]["json"]
    assert _count(SpotCheck) == 0


def test_draw_is_a_pure_function():
    candidates = list(range(100, 140))
    assert draw(7, candidates, 5) == draw(7, list(reversed(candidates)), 5)
    assert draw(7, candidates, 5) == sorted(draw(7, candidates, 5))
    assert draw(7, candidates, 100) == candidates
    assert draw(7, [], 3) == []
    assert inspections.draw(0, candidates, 1) != [] and len(set(draw(7, candidates, 40))) == 40
