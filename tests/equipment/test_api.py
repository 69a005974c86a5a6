"""Equipment through the API, exactly as API.md "Equipment" says."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from anbao.audit.models import AuditEvent
from anbao.extensions import db
from equipment import service
from equipment.models import Equipment, Movement
from tests.conftest import count_queries
from units.service import today_in

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def _create(api, world, unit=None, **fields):
    unit = unit or world.unit_a
    body = {"category": "restraint", "name": "钢叉", "quantity": 4, **fields}
    coordinator = world.coordinator_a if unit.id == world.unit_a.id else world.coordinator_b
    return api.post(f"/units/{unit.id}/equipment", as_=coordinator, json=body)


class TestItemLife:
    def test_walk_through(self, api, world):
        coordinator = world.coordinator_a
        created = _create(api, world, required_quantity=4, location="门卫室",
                          key_part_id=world.key_part_a.id)
        assert created.status_code == 201, created.get_json()
        item = created.get_json()
        assert created.headers["ETag"]
        assert item["unit_id"] == world.unit_a.id
        assert (item["quantity"], item["required_quantity"]) == (4, 4)
        assert item["key_part_id"] == world.key_part_a.id
        assert item["alerts"] == []

        read = api.get(f"/equipment/{item['id']}", as_=coordinator)
        assert read.status_code == 200
        assert read.headers["ETag"] == created.headers["ETag"]

        # an edit with the current ETag; then the old one is stale (412)
        edited = api.patch(f"/equipment/{item['id']}", as_=coordinator,
                           json={"location": "东门岗亭"},
                           headers={"If-Match": read.headers["ETag"]})
        assert edited.status_code == 200, edited.get_json()
        assert edited.get_json()["location"] == "东门岗亭"
        assert edited.headers["ETag"] != read.headers["ETag"]
        stale = api.patch(f"/equipment/{item['id']}", as_=coordinator,
                          json={"location": "西门"}, headers={"If-Match": read.headers["ETag"]})
        assert stale.status_code == 412
        assert api.get(f"/equipment/{item['id']}", as_=coordinator).get_json()[
            "location"] == "东门岗亭"

        # never the quantity directly
        direct = api.patch(f"/equipment/{item['id']}", as_=coordinator, json={"quantity": 9})
        assert direct.status_code == 422
        assert "quantity" in direct.get_json()["errors"]["json"]
        assert db.session.get(Equipment, item["id"]).quantity == 4

        # a key part of another unit is an invalid value
        foreign = api.patch(f"/equipment/{item['id']}", as_=coordinator,
                            json={"key_part_id": world.key_part_b.id})
        assert foreign.status_code == 422
        assert "key_part_id" in foreign.get_json()["errors"]["json"]

        # listed, with pagination
        listed = api.get(f"/units/{world.unit_a.id}/equipment", as_=coordinator)
        assert [e["id"] for e in listed.get_json()] == [item["id"]]
        assert "X-Pagination" in listed.headers

        events = db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.entity == "equipment").order_by(AuditEvent.id)).all()
        assert events == ["create", "update"]


class TestMovements:
    def test_ledger_oldest_first_with_quantity_after(self, api, world):
        item = _create(api, world, quantity=5).get_json()
        path = f"/equipment/{item['id']}/movements"
        for delta, reason in ((-2, "演练领用"), (3, "采购入库"), (-1, "损坏报废")):
            moved = api.post(path, as_=world.coordinator_a,
                             json={"delta": delta, "reason": reason})
            assert moved.status_code == 201, moved.get_json()
            assert moved.get_json()["delta"] == delta
        ledger = api.get(path, as_=world.staff_a)
        assert ledger.status_code == 200
        rows = ledger.get_json()
        assert [(r["delta"], r["quantity_after"]) for r in rows] == [
            (5, 5), (-2, 3), (3, 6), (-1, 5)]
        assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
        assert rows[1]["reason"] == "演练领用"
        assert rows[1]["by"] == "coordinator_a"
        assert rows[1]["at"]
        assert api.get(f"/equipment/{item['id']}", as_=world.staff_a).get_json()[
            "quantity"] == 5

    def test_below_zero_is_409_and_nothing_changes(self, api, world):
        item = _create(api, world, quantity=2).get_json()
        path = f"/equipment/{item['id']}/movements"
        before_audit = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
        refused = api.post(path, as_=world.coordinator_a, json={"delta": -3, "reason": "领用"})
        assert refused.status_code == 409
        assert refused.get_json()["code"] == 409
        assert db.session.get(Equipment, item["id"]).quantity == 2
        assert len(api.get(path, as_=world.coordinator_a).get_json()) == 1
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == before_audit
        # exactly to 0 is fine
        assert api.post(path, as_=world.coordinator_a,
                        json={"delta": -2, "reason": "领用"}).status_code == 201
        assert db.session.get(Equipment, item["id"]).quantity == 0

    @pytest.mark.parametrize("body", [{"delta": 0, "reason": "无"}, {"delta": "1", "reason": "x"},
                                      {"delta": 1}, {"delta": 1.5, "reason": "x"},
                                      {"delta": 10**7, "reason": "x"}])
    def test_invalid_movements(self, api, world, body):
        item = _create(api, world).get_json()
        answer = api.post(f"/equipment/{item['id']}/movements", as_=world.coordinator_a,
                          json=body)
        assert answer.status_code == 422
        assert db.session.get(Equipment, item["id"]).quantity == 4


class TestInspections:
    def test_inspection_sets_the_next_date(self, api, world):
        today = today_in(world.unit_a)
        item = _create(api, world, next_inspection_on=str(today - timedelta(days=1))).get_json()
        assert "inspection_overdue" in item["alerts"]
        next_on = today + timedelta(days=90)
        done = api.post(f"/equipment/{item['id']}/inspections", as_=world.coordinator_a,
                        json={"inspected_on": str(today), "result": "ok", "note": "完好",
                              "next_inspection_on": str(next_on)})
        assert done.status_code == 201, done.get_json()
        assert done.get_json()["result"] == "ok"
        after = api.get(f"/equipment/{item['id']}", as_=world.coordinator_a).get_json()
        assert after["next_inspection_on"] == str(next_on)
        assert after["alerts"] == []
        listed = api.get(f"/equipment/{item['id']}/inspections", as_=world.staff_a).get_json()
        assert [(i["result"], i["next_inspection_on"]) for i in listed] == [("ok", str(next_on))]
        bad = api.post(f"/equipment/{item['id']}/inspections", as_=world.coordinator_a,
                       json={"inspected_on": str(today), "result": "fine"})
        assert bad.status_code == 422


class TestAlerts:
    """Boundaries, as of the unit's today (DESIGN.md §3 EQUIPMENT)."""

    @pytest.mark.parametrize(("days", "expected"), [
        (-1, ["expired"]), (0, ["expiring_soon"]), (30, ["expiring_soon"]), (31, [])])
    def test_expiry(self, api, world, days, expected):
        day = today_in(world.unit_a) + timedelta(days=days)
        item = _create(api, world, expires_on=str(day)).get_json()
        assert item["alerts"] == expected
        expired = api.get(f"/units/{world.unit_a.id}/equipment?alert=expired",
                          as_=world.coordinator_a).get_json()
        assert [e["id"] for e in expired] == ([item["id"]] if days < 0 else [])

    @pytest.mark.parametrize(("days", "expected"), [
        (-1, ["inspection_overdue"]), (0, ["inspection_due_soon"]),
        (30, ["inspection_due_soon"]), (31, [])])
    def test_inspection(self, api, world, days, expected):
        day = today_in(world.unit_a) + timedelta(days=days)
        item = _create(api, world, next_inspection_on=str(day)).get_json()
        assert item["alerts"] == expected
        overdue = api.get(f"/units/{world.unit_a.id}/equipment?alert=inspection_overdue",
                          as_=world.coordinator_a).get_json()
        assert [e["id"] for e in overdue] == ([item["id"]] if days < 0 else [])

    @pytest.mark.parametrize(("required", "expected"), [
        (4, []), (5, ["below_required"]), (None, [])])
    def test_required_quantity(self, api, world, required, expected):
        item = _create(api, world, quantity=4, required_quantity=required).get_json()
        assert item["alerts"] == expected
        below = api.get(f"/units/{world.unit_a.id}/equipment?alert=below_required",
                        as_=world.coordinator_a).get_json()
        assert [e["id"] for e in below] == ([item["id"]] if expected else [])

    def test_alert_filter_picks_each_kind(self, api, world):
        today = today_in(world.unit_a)
        ok = _create(api, world, name="盾牌", required_quantity=4,
                     expires_on=str(today + timedelta(days=31)),
                     next_inspection_on=str(today)).get_json()
        short = _create(api, world, name="头盔", quantity=3, required_quantity=4).get_json()
        expired = _create(api, world, name="灭火器", expires_on=str(today - timedelta(days=1)),
                          ).get_json()
        overdue = _create(api, world, name="报警器",
                          next_inspection_on=str(today - timedelta(days=1))).get_json()
        url = f"/units/{world.unit_a.id}/equipment"

        def ids(alert):
            return [e["id"] for e in api.get(f"{url}?alert={alert}",
                                             as_=world.coordinator_a).get_json()]
        assert ids("below_required") == [short["id"]]
        assert ids("expired") == [expired["id"]]
        assert ids("inspection_overdue") == [overdue["id"]]
        assert len(api.get(url, as_=world.coordinator_a).get_json()) == 4
        assert ok["alerts"] == ["inspection_due_soon"]
        bad = api.get(f"{url}?alert=soon", as_=world.coordinator_a)
        assert bad.status_code == 422
        assert "alert" in bad.get_json()["errors"]["query"]


class TestRecommended:
    def test_loads_the_school_set_and_is_idempotent(self, api, world):
        path = f"/units/{world.unit_a.id}/equipment/recommended"
        expected = service.recommended("school", "zh_CN")
        assert {"钢叉", "防暴盾牌", "防刺背心", "防暴头盔", "防割手套"} <= {e["name"] for e in expected}
        # an item the unit already has keeps its quantity and takes the required one
        mine = _create(api, world, name="钢叉", quantity=2, required_quantity=1).get_json()
        loaded = api.post(path, as_=world.coordinator_a, headers=ZH)
        assert loaded.status_code == 200, loaded.get_json()
        rows = loaded.get_json()
        assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
        assert len(rows) == len(expected)
        by_name = {r["name"]: r for r in rows}
        for entry in expected:
            assert by_name[entry["name"]]["required_quantity"] == entry["required_quantity"]
            assert by_name[entry["name"]]["category"] == entry["category"]
        fork = by_name["钢叉"]
        assert fork["id"] == mine["id"] and fork["quantity"] == 2
        new = by_name["防暴盾牌"]
        assert new["quantity"] == 0 and "below_required" in new["alerts"]
        # the new item's ledger opens with a movement of 0
        ledger = api.get(f"/equipment/{new['id']}/movements", as_=world.staff_a).get_json()
        assert [(m["delta"], m["quantity_after"]) for m in ledger] == [(0, 0)]

        events = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
        movements = db.session.scalar(sa.select(sa.func.count(Movement.id)))
        again = api.post(path, as_=world.coordinator_a, headers=ZH)
        assert again.status_code == 200
        assert again.get_json() == rows
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == events
        assert db.session.scalar(sa.select(sa.func.count(Movement.id))) == movements

        # edited afterwards, a reload restores the recommended number
        edited = api.patch(f"/equipment/{new['id']}", as_=world.coordinator_a,
                           json={"required_quantity": 10})
        assert edited.get_json()["required_quantity"] == 10
        api.post(path, as_=world.coordinator_a, headers=ZH)
        assert db.session.get(Equipment, new["id"]).required_quantity == 4

    def test_names_follow_the_language(self, api, world):
        path = f"/units/{world.unit_b.id}/equipment/recommended"
        rows = api.post(path, as_=world.coordinator_b, headers=EN).get_json()
        names = {r["name"] for r in rows}
        assert names == {e["name"] for e in service.recommended("museum", "en")}
        assert "Riot shields" in names

    def test_every_category_has_a_valid_set(self):
        from equipment.models import CATEGORIES
        from units.models import CATEGORIES as UNIT_CATEGORIES
        for unit_category in UNIT_CATEGORIES:
            for language in ("zh_CN", "en"):
                items = service.recommended(unit_category, language)
                assert items, unit_category
                names = [i["name"] for i in items]
                assert len(names) == len(set(names)), (unit_category, language)
                for item in items:
                    assert item["category"] in CATEGORIES
                    assert 0 < len(item["name"]) <= 100
                    assert isinstance(item["required_quantity"], int)
                    assert item["required_quantity"] > 0 and item["basis"]


class TestPlansEquipment:
    def test_plan_accepts_the_units_equipment_only(self, api, world):
        mine = _create(api, world).get_json()
        theirs = _create(api, world, unit=world.unit_b).get_json()
        body = {"scenario": "terror_attack", "level": "comprehensive", "title": "防暴恐预案"}
        refused = api.post(f"/units/{world.unit_a.id}/plans", as_=world.coordinator_a,
                           json={**body, "equipment_ids": [mine["id"], theirs["id"]]})
        assert refused.status_code == 422
        assert "equipment_ids" in refused.get_json()["errors"]["json"]
        created = api.post(f"/units/{world.unit_a.id}/plans", as_=world.coordinator_a,
                           json={**body, "equipment_ids": [mine["id"]]})
        assert created.status_code == 201, created.get_json()
        assert created.get_json()["equipment_ids"] == [mine["id"]]
        plan_id = created.get_json()["id"]
        patched = api.patch(f"/plans/{plan_id}", as_=world.coordinator_a,
                            json={"equipment_ids": [theirs["id"]]})
        assert patched.status_code == 422
        assert api.patch(f"/plans/{plan_id}", as_=world.coordinator_a,
                         json={"equipment_ids": []}).status_code == 200


class TestQueries:
    def test_list_is_not_n_plus_one(self, api, world):
        url = f"/units/{world.unit_a.id}/equipment"
        headers = api.headers(world.coordinator_a)

        def statements():
            db.session.expire_all()
            with count_queries() as n:
                assert api.get(url, headers=headers).status_code == 200
            return n()
        for i in range(3):
            _create(api, world, name=f"物品{i}")
        few = statements()
        for i in range(3, 15):
            _create(api, world, name=f"物品{i}")
        assert len(api.get(url, headers=headers).get_json()) == 15
        assert statements() == few


class TestDemo:
    def test_demo_school_shows_each_alert_once(self, api):
        from anbao import demo
        from plans.models import Plan
        from units.models import Unit
        demo.load()
        school = db.session.scalar(sa.select(Unit).where(Unit.category == "school"))
        items = db.session.scalars(sa.select(Equipment).where(Equipment.unit_id == school.id)
                                   ).all()
        today = today_in(school)
        found = [a for item in items for a in service.alerts(item, today)
                 if a in ("below_required", "expired", "inspection_overdue")]
        assert sorted(found) == ["below_required", "expired", "inspection_overdue"]
        assert {i.name for i in items} >= {"钢叉", "防暴盾牌", "防刺背心", "防暴头盔", "防割手套"}
        linked = db.session.scalars(sa.select(Plan.equipment_ids).where(
            Plan.unit_id == school.id, Plan.status == "draft")).all()
        assert any(linked)
        for plan_ids in linked:
            assert service.unknown_ids(school.id, plan_ids) == []
        for unit_category in ("hospital", "bank"):
            unit = db.session.scalar(sa.select(Unit).where(Unit.category == unit_category))
            assert db.session.scalar(sa.select(sa.func.count(Equipment.id)).where(
                Equipment.unit_id == unit.id)) >= 3


def test_a_movement_beyond_the_largest_quantity_is_409(world, api):
    item = api.post(f"/units/{world.unit_a.id}/equipment", as_=world.coordinator_a,
                    json={"category": "fire", "name": "灭火器", "quantity": 10_000_000}).json
    response = api.post(f"/equipment/{item['id']}/movements", as_=world.coordinator_a,
                        json={"delta": 1, "reason": "入库"})
    assert response.status_code == 409
    assert api.get(f"/equipment/{item['id']}", as_=world.coordinator_a).json["quantity"] \
        == 10_000_000
