"""A hazard's life and who may take each step; orders; corrections; overdue and the penalty
at the date boundaries, in each unit's own zone (API.md "Hazards and orders", DESIGN.md §2)."""
import io
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from anbao.attachments.models import Attachment
from anbao.audit.models import AuditEvent
from anbao.extensions import db
from hazards import service
from hazards.models import Hazard
from tests.hazards.test_api import (EN, PDF, PNG, ZH, day, evidence, field_error, found, ids,
                                    order, rectify, steps_of, upload, verify)
from units.service import today_in

PENALTY = {"unit_min": 10000, "unit_max": 100000, "person_min": 500, "person_max": 5000}


def hazard_events(hazard_id) -> list[str]:
    return db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.entity == "hazard", AuditEvent.entity_id == hazard_id)
        .order_by(AuditEvent.id)).all()


def committed(hazard_id) -> Hazard:
    """The hazard as the database holds it: the requests share the test's session, so
    whatever a request left uncommitted is dropped first."""
    db.session.rollback()
    return db.session.get(Hazard, hazard_id)


def snapshot(hazard_id):
    """What a refused step must leave as it was."""
    hazard = committed(hazard_id)
    return (hazard.status, hazard.lock_version, hazard.measures, hazard.escalated_to,
            hazard.acknowledged_at, steps_of(hazard_id), len(hazard_events(hazard_id)),
            db.session.scalar(sa.select(sa.func.count(Attachment.id))))


def history(response) -> list[tuple]:
    return [(s["action"], s["status"], s["by"], s["by_role"], s["comment"])
            for s in response.get_json()["history"]]


def offset_of(value: str) -> str:
    return value[-6:]


class TestLife:
    def test_open_rectified_closed(self, api, world):
        c = world.coordinator_a
        created = api.post(f"/units/{world.unit_a.id}/hazards", as_=c, json={
            "description": "东门围栏破损", "severity": "high", "source": "self_inspection",
            "owner": "王五", "due_date": day(world.unit_a, 7), "location": "东门",
            "key_part_id": world.key_part_a.id})
        assert created.status_code == 201, created.get_json()
        assert created.headers["ETag"]
        h = created.get_json()
        assert {k: h[k] for k in ("unit_id", "order", "status", "severity", "source", "owner",
                                  "location", "key_part_id", "overdue", "penalty",
                                  "escalated_to", "acknowledged_at", "measures",
                                  "created_by", "evidence")} == {
            "unit_id": world.unit_a.id, "order": False, "status": "open", "severity": "high",
            "source": "self_inspection", "owner": "王五", "location": "东门",
            "key_part_id": world.key_part_a.id, "overdue": False, "penalty": None,
            "escalated_to": None, "acknowledged_at": None, "measures": "",
            "created_by": "coordinator_a", "evidence": []}
        assert offset_of(h["created_at"]) == "+08:00"

        photo = evidence(api, world, h["id"], PNG, "整改后.png")
        rectified = rectify(api, world, h["id"], "已更换围栏", evidence_ids=[photo["id"]])
        assert rectified.status_code == 200, rectified.get_json()
        r = rectified.get_json()
        assert (r["status"], r["measures"], r["rectified_by"]) == (
            "rectified", "已更换围栏", "coordinator_a")
        assert offset_of(r["rectified_at"]) == "+08:00"
        assert rectified.headers["ETag"] != created.headers["ETag"]

        closed = verify(api, c, h["id"], comment="复查合格")
        assert closed.status_code == 200, closed.get_json()
        v = closed.get_json()
        assert (v["status"], v["verified_by"], v["verification_comment"]) == (
            "closed", "coordinator_a", "复查合格")
        assert datetime.fromisoformat(v["verified_at"]) >= datetime.fromisoformat(
            v["rectified_at"])

        stored = committed(h["id"])
        assert (stored.status, stored.measures, stored.verified_by) == (
            "closed", "已更换围栏", "coordinator_a")
        read = api.get(f"/hazards/{h['id']}", as_=world.police_a)
        assert read.status_code == 200
        assert read.headers["ETag"] == closed.headers["ETag"]
        assert history(read) == [
            ("create", "open", "coordinator_a", "coordinator", ""),
            ("evidence", "open", "coordinator_a", "coordinator", "整改后.png"),
            ("rectify", "rectified", "coordinator_a", "coordinator", "已更换围栏"),
            ("accept", "closed", "coordinator_a", "coordinator", "复查合格")]
        steps = read.get_json()["history"]
        assert [s["attachment_ids"] for s in steps] == [[], [photo["id"]], [photo["id"]], []]
        assert all(offset_of(s["at"]) == "+08:00" for s in steps)
        assert [s["at"] for s in steps] == sorted(s["at"] for s in steps)

        events = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.entity == "hazard", AuditEvent.entity_id == h["id"])
            .order_by(AuditEvent.id)).all()
        assert [e.action for e in events] == ["create", "rectify", "verify"]
        assert {(e.username, e.unit_id, e.jurisdiction_id) for e in events} == {
            ("coordinator_a", world.unit_a.id, world.station_a.id)}
        assert events[1].changes["before"]["status"] == "open"
        assert events[1].changes["after"]["status"] == "rectified"
        assert events[1].changes["evidence_ids"] == [photo["id"]]
        assert events[2].changes["after"]["status"] == "closed"
        assert events[2].changes["accepted"] is True
        attachment_events = db.session.scalars(sa.select(AuditEvent.entity_id).where(
            AuditEvent.entity == "attachment", AuditEvent.action == "create")).all()
        assert attachment_events == [photo["id"]]

    def test_closed_is_final(self, api, world):
        h = found(api, world)
        rectify(api, world, h["id"])
        assert verify(api, world.coordinator_a, h["id"]).status_code == 200
        before = snapshot(h["id"])
        for path, body in (("rectify", {"measures": "再修"}), ("verify", {"accepted": True}),
                           ("verify", {"accepted": False, "comment": "重开"}),
                           ("escalate", {"to": "police", "reason": "无力整改"})):
            refused = api.post(f"/hazards/{h['id']}/{path}", as_=world.coordinator_a,
                               json=body)
            assert refused.status_code == 409, (path, refused.get_json())
            assert refused.get_json()["code"] == 409 and refused.get_json()["message"]
        assert upload(api, world.coordinator_a, h["id"], PDF, "补充.pdf").status_code == 409
        assert api.patch(f"/hazards/{h['id']}", as_=world.coordinator_a,
                         json={"owner": "赵六"}).status_code == 409
        assert snapshot(h["id"]) == before

    def test_rejection_reopens_with_the_comment(self, api, world):
        c = world.coordinator_a
        h = found(api, world)
        rectify(api, world, h["id"], "临时加固")
        rejected = verify(api, c, h["id"], accepted=False, comment="仅临时加固，须更换")
        assert rejected.status_code == 200
        r = rejected.get_json()
        assert (r["status"], r["verification_comment"], r["verified_by"]) == (
            "open", "仅临时加固，须更换", "coordinator_a")
        # open again: verifying it now is a conflict, rectifying it is not
        assert verify(api, c, h["id"]).status_code == 409
        again = rectify(api, world, h["id"], "已更换为铁艺围栏")
        assert again.status_code == 200 and again.get_json()["status"] == "rectified"
        assert again.get_json()["measures"] == "已更换为铁艺围栏"
        closed = verify(api, c, h["id"], comment="合格")
        assert closed.get_json()["status"] == "closed"
        assert [(a, s, comment) for a, s, _, _, comment in history(closed)] == [
            ("create", "open", ""), ("rectify", "rectified", "临时加固"),
            ("reject", "open", "仅临时加固，须更换"), ("rectify", "rectified", "已更换为铁艺围栏"),
            ("accept", "closed", "合格")]
        assert hazard_events(h["id"]) == ["create", "rectify", "verify", "rectify", "verify"]

    def test_steps_out_of_order_are_409_and_change_nothing(self, api, world):
        h = found(api, world)
        before = snapshot(h["id"])
        assert verify(api, world.coordinator_a, h["id"]).status_code == 409   # open
        assert snapshot(h["id"]) == before
        rectify(api, world, h["id"])
        before = snapshot(h["id"])
        assert rectify(api, world, h["id"], "再报一次").status_code == 409    # rectified
        assert snapshot(h["id"]) == before
        # a rectified hazard may still be escalated and documented
        assert upload(api, world.coordinator_a, h["id"]).status_code == 201
        assert api.post(f"/hazards/{h['id']}/escalate", as_=world.coordinator_a,
                        json={"to": "supervisor", "reason": "需复核"}).status_code == 200

    def test_evidence_ids_must_be_this_hazards(self, api, world):
        h = found(api, world)
        mine = evidence(api, world, h["id"])
        sibling = found(api, world)
        theirs = evidence(api, world, sibling["id"])
        b = found(api, world, world.unit_b)
        foreign = upload(api, world.coordinator_b, b["id"]).get_json()
        plan = api.post(f"/units/{world.unit_a.id}/plans", as_=world.coordinator_a, json={
            "scenario": "accident", "level": "onsite", "title": "防事故现场处置方案"}).get_json()
        plan_file = api.post(f"/plans/{plan['id']}/attachments", as_=world.coordinator_a,
                             data={"file": (io.BytesIO(PDF), "预案.pdf")},
                             content_type="multipart/form-data").get_json()
        before = snapshot(h["id"])
        for wrong in ([theirs["id"]], [foreign["id"]], [987654], [plan_file["id"]],
                      [mine["id"], theirs["id"]], [mine["id"], mine["id"]]):
            refused = rectify(api, world, h["id"], "已修", evidence_ids=wrong)
            field_error(refused, "evidence_ids")
            assert snapshot(h["id"]) == before, wrong
        done = rectify(api, world, h["id"], "已修", evidence_ids=[mine["id"]])
        assert done.status_code == 200
        assert done.get_json()["history"][-1]["attachment_ids"] == [mine["id"]]
        # none at all is fine too
        assert rectify(api, world, sibling["id"], "已修").status_code == 200


class TestWhoVerifies:
    def test_an_order_is_verified_by_the_police(self, api, world, make):
        o = order(api, world, legal_basis="《企业事业单位内部治安保卫条例》第十三条")
        assert (o["order"], o["source"], o["created_by"]) == (True, "police_inspection",
                                                              "police_a")
        photo = evidence(api, world, o["id"])
        assert rectify(api, world, o["id"], "加装摄像头",
                       evidence_ids=[photo["id"]]).status_code == 200
        before = snapshot(o["id"])
        for user in (world.coordinator_a, world.supervisor_a, world.admin, world.staff_a):
            assert verify(api, user, o["id"]).status_code == 403, user.username
        assert verify(api, world.police_b, o["id"]).status_code == 404
        assert snapshot(o["id"]) == before
        # any police officer whose scope holds the unit, not only the one who issued it
        station = make.user("police", "police_station", jurisdiction_id=world.station_a.id)
        rejected = verify(api, station, o["id"], accepted=False, comment="盲区仍在")
        assert rejected.status_code == 200 and rejected.get_json()["status"] == "open"
        rectify(api, world, o["id"], "调整摄像头角度")
        closed = verify(api, world.police_a, o["id"], comment="复查合格")
        assert closed.get_json()["status"] == "closed"
        assert [(a, by, role) for a, _, by, role, _ in history(closed)] == [
            ("create", "police_a", "police"), ("evidence", "coordinator_a", "coordinator"),
            ("rectify", "coordinator_a", "coordinator"),
            ("reject", "police_station", "police"),
            ("rectify", "coordinator_a", "coordinator"), ("accept", "police_a", "police")]

    def test_the_units_own_hazard_is_verified_by_its_coordinator(self, api, world):
        h = found(api, world)
        rectify(api, world, h["id"])
        before = snapshot(h["id"])
        for user in (world.police_a, world.supervisor_a, world.admin, world.staff_a):
            assert verify(api, user, h["id"]).status_code == 403, user.username
        assert verify(api, world.coordinator_b, h["id"]).status_code == 404
        assert snapshot(h["id"]) == before
        assert verify(api, world.coordinator_a, h["id"]).status_code == 200

    def test_only_the_coordinator_rectifies_and_documents(self, api, world):
        o = order(api, world)
        before = snapshot(o["id"])
        for user in (world.police_a, world.supervisor_a, world.admin, world.staff_a):
            assert rectify(api, world, o["id"], as_=user).status_code == 403
            assert upload(api, user, o["id"]).status_code == 403
            assert api.post(f"/hazards/{o['id']}/escalate", as_=user, json={
                "to": "police", "reason": "x"}).status_code == 403
        assert snapshot(o["id"]) == before


class TestEscalation:
    def test_escalate_acknowledge_and_escalate_again(self, api, world):
        c = world.coordinator_a
        h = found(api, world)
        url = f"/hazards/{h['id']}"
        never = snapshot(h["id"])
        for user in (world.supervisor_a, world.police_a):
            assert api.post(f"{url}/acknowledge", as_=user, json={}).status_code == 409
        assert snapshot(h["id"]) == never

        up = api.post(f"{url}/escalate", as_=c, json={"to": "supervisor",
                                                      "reason": "围墙改造需主管部门拨款"})
        assert up.status_code == 200
        e = up.get_json()
        assert (e["escalated_to"], e["escalation_reason"], e["status"]) == (
            "supervisor", "围墙改造需主管部门拨款", "open")
        assert offset_of(e["escalated_at"]) == "+08:00"
        assert (e["acknowledged_at"], e["acknowledged_by"]) == (None, None)
        # the police may not acknowledge what went to the supervisor; admins and the unit
        # never acknowledge
        for user in (world.police_a, world.admin, c, world.staff_a):
            assert api.post(f"{url}/acknowledge", as_=user, json={}).status_code == 403
        ack = api.post(f"{url}/acknowledge", as_=world.supervisor_a,
                       json={"comment": "已列入年度预算"})
        assert ack.status_code == 200
        a = ack.get_json()
        assert (a["acknowledged_by"], a["acknowledgement_comment"]) == (
            "supervisor_a", "已列入年度预算")
        assert offset_of(a["acknowledged_at"]) == "+08:00"
        acknowledged = snapshot(h["id"])
        twice = api.post(f"{url}/acknowledge", as_=world.supervisor_a, json={})
        assert twice.status_code == 409
        assert snapshot(h["id"]) == acknowledged

        # escalated again (to the police): the acknowledgement starts over
        again = api.post(f"{url}/escalate", as_=c, json={"to": "police",
                                                         "reason": "资金未到位，周边治安复杂"})
        assert again.status_code == 200
        g = again.get_json()
        assert (g["escalated_to"], g["escalation_reason"], g["acknowledged_at"],
                g["acknowledged_by"], g["acknowledgement_comment"]) == (
            "police", "资金未到位，周边治安复杂", None, None, "")
        assert api.post(f"{url}/acknowledge", as_=world.supervisor_a,
                        json={}).status_code == 403
        assert api.post(f"{url}/acknowledge", as_=world.police_b, json={}).status_code == 404
        by_police = api.post(f"{url}/acknowledge", as_=world.police_a, json={})
        assert by_police.status_code == 200
        assert by_police.get_json()["acknowledged_by"] == "police_a"
        assert by_police.get_json()["acknowledgement_comment"] == ""
        stored = committed(h["id"])
        assert (stored.escalated_to, stored.acknowledged_by) == ("police", "police_a")
        assert [(a, by, role, comment) for a, _, by, role, comment in history(by_police)] == [
            ("create", "coordinator_a", "coordinator", ""),
            ("escalate", "coordinator_a", "coordinator", "围墙改造需主管部门拨款"),
            ("acknowledge", "supervisor_a", "supervisor", "已列入年度预算"),
            ("escalate", "coordinator_a", "coordinator", "资金未到位，周边治安复杂"),
            ("acknowledge", "police_a", "police", "")]
        assert hazard_events(h["id"]) == ["create", "escalate", "acknowledge", "escalate",
                                          "acknowledge"]
        # re-escalating to the same side also asks for a new acknowledgement
        same = api.post(f"{url}/escalate", as_=c, json={"to": "police", "reason": "再次请求"})
        assert same.get_json()["acknowledged_at"] is None
        assert api.post(f"{url}/acknowledge", as_=world.police_a, json={}).status_code == 200

    def test_escalating_a_closed_hazard_is_409(self, api, world):
        h = found(api, world)
        rectify(api, world, h["id"])
        verify(api, world.coordinator_a, h["id"])
        before = snapshot(h["id"])
        refused = api.post(f"/hazards/{h['id']}/escalate", as_=world.coordinator_a,
                           json={"to": "supervisor", "reason": "x"})
        assert refused.status_code == 409
        assert snapshot(h["id"]) == before


class TestOrders:
    def test_defaults(self, api, world, make):
        unit = make.unit(world.station_a, name="石牌小学", category="school",
                         responsible_person="张校长")
        o = order(api, world, unit, description="校门口未设置防冲撞设施",
                  due_date=day(unit, 10))
        assert (o["order"], o["source"], o["severity"], o["owner"], o["status"],
                o["legal_basis"], o["unit_id"]) == (
            True, "police_inspection", "high", "张校长", "open", "", unit.id)
        assert o["history"][0]["by_role"] == "police"
        given = order(api, world, unit, severity="major", owner="李主任", location="南门",
                      legal_basis="GZ-(十七)")
        assert (given["severity"], given["owner"], given["location"],
                given["legal_basis"], given["source"]) == (
            "major", "李主任", "南门", "GZ-(十七)", "police_inspection")
        # a unit with no responsible person: no owner, until the coordinator names one
        bare = order(api, world)
        assert bare["owner"] == ""
        assert api.patch(f"/hazards/{bare['id']}", as_=world.coordinator_a,
                         json={"owner": "李卫国"}).get_json()["owner"] == "李卫国"
        assert hazard_events(o["id"]) == ["create"]
        event = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.entity == "hazard", AuditEvent.entity_id == o["id"]))
        assert event.username == "police_a"
        assert event.changes["after"]["order"] is True

    def test_the_source_is_not_the_clients(self, api, world):
        for source in ("police_inspection", "self_inspection"):
            refused = api.post(f"/units/{world.unit_a.id}/orders", as_=world.police_a, json={
                "description": "监控盲区", "due_date": day(world.unit_a, 5), "source": source})
            field_error(refused, "source")
        assert db.session.scalar(sa.select(sa.func.count(Hazard.id))) == 0

    def test_only_police_in_scope_issue_orders(self, api, world):
        body = {"description": "监控盲区", "due_date": day(world.unit_a, 5)}
        url = f"/units/{world.unit_a.id}/orders"
        for user in (world.admin, world.supervisor_a, world.coordinator_a, world.staff_a):
            assert api.post(url, as_=user, json=body).status_code == 403
        assert api.post(url, as_=world.police_b, json=body).status_code == 404
        assert db.session.scalar(sa.select(sa.func.count(Hazard.id))) == 0


class TestPatch:
    def test_the_coordinator_corrects_the_units_own_hazard(self, api, world):
        h = found(api, world)
        changes = {"description": "东门及北门围栏破损", "severity": "major", "source": "drill",
                   "owner": "赵六", "due_date": day(world.unit_a, 3), "location": "北门",
                   "key_part_id": world.key_part_a.id}
        patched = api.patch(f"/hazards/{h['id']}", as_=world.coordinator_a, json=changes)
        assert patched.status_code == 200, patched.get_json()
        assert {k: patched.get_json()[k] for k in changes} == changes
        stored = committed(h["id"])
        assert (stored.description, stored.owner, stored.key_part_id) == (
            changes["description"], "赵六", world.key_part_a.id)
        step = patched.get_json()["history"][-1]
        assert (step["action"], step["by"], step["comment"]) == (
            "update", "coordinator_a", ", ".join(sorted(changes)))
        assert hazard_events(h["id"]) == ["create", "update"]
        # the same values again change nothing and record nothing
        same = api.patch(f"/hazards/{h['id']}", as_=world.coordinator_a, json=changes)
        assert same.status_code == 200 and same.headers["ETag"] == patched.headers["ETag"]
        assert steps_of(h["id"]) == 2 and hazard_events(h["id"]) == ["create", "update"]
        # a rectified hazard can still be corrected
        rectify(api, world, h["id"])
        assert api.patch(f"/hazards/{h['id']}", as_=world.coordinator_a,
                         json={"location": "北门岗亭"}).status_code == 200
        # but the unit does not word the police's legal basis
        field_error(api.patch(f"/hazards/{h['id']}", as_=world.coordinator_a,
                              json={"legal_basis": "x"}), "legal_basis")

    def test_who_changes_what_of_an_order(self, api, world):
        o = order(api, world, legal_basis="原依据")
        url = f"/hazards/{o['id']}"
        c, p = world.coordinator_a, world.police_a
        # the unit says who handles it and where
        handled = api.patch(url, as_=c, json={"owner": "李卫国", "location": "监控室",
                                              "key_part_id": world.key_part_a.id})
        assert handled.status_code == 200, handled.get_json()
        assert (handled.get_json()["owner"], handled.get_json()["location"]) == (
            "李卫国", "监控室")
        before = snapshot(o["id"])
        for field, value in (("due_date", day(world.unit_a, 60)), ("description", "改写"),
                             ("severity", "low"), ("legal_basis", "x"), ("source", "drill")):
            refused = api.patch(url, as_=c, json={field: value})
            field_error(refused, field)
            assert set(refused.get_json()["errors"]["json"]) == {field}
        mixed = api.patch(url, as_=c, json={"owner": "王五", "due_date": day(world.unit_a, 60)})
        field_error(mixed, "due_date")
        assert set(mixed.get_json()["errors"]["json"]) == {"due_date"}
        assert snapshot(o["id"]) == before
        # the police word it and set its deadline
        new_due = day(world.unit_a, 30)
        worded = api.patch(url, as_=p, json={"due_date": new_due, "legal_basis": "新依据",
                                             "description": "监控覆盖不全", "severity": "major"})
        assert worded.status_code == 200, worded.get_json()
        w = worded.get_json()
        assert (w["due_date"], w["legal_basis"], w["description"], w["severity"],
                w["owner"]) == (new_due, "新依据", "监控覆盖不全", "major", "李卫国")
        stored = committed(o["id"])
        assert (str(stored.due_date), stored.legal_basis, stored.owner) == (
            new_due, "新依据", "李卫国")
        for field, value in (("owner", "张三"), ("location", "大门"), ("source", "drill"),
                             ("key_part_id", None)):
            field_error(api.patch(url, as_=p, json={field: value}), field)
        assert [(s["by_role"], s["comment"]) for s in w["history"] if s["action"] == "update"] \
            == [("coordinator", "key_part_id, location, owner"),
                ("police", "description, due_date, legal_basis, severity")]
        # others: 403, out of scope: 404
        for user in (world.admin, world.supervisor_a, world.staff_a):
            assert api.patch(url, as_=user, json={"location": "x"}).status_code == 403
        assert api.patch(url, as_=world.police_b, json={"due_date": new_due}).status_code == 404
        assert api.patch(url, as_=world.coordinator_b, json={"owner": "x"}).status_code == 404

    def test_police_do_not_edit_the_units_own_hazards(self, api, world):
        h = found(api, world)
        before = snapshot(h["id"])
        for body in ({"due_date": day(world.unit_a, 30)}, {"description": "x"},
                     {"legal_basis": "x"}):
            assert api.patch(f"/hazards/{h['id']}", as_=world.police_a,
                             json=body).status_code == 403
        assert snapshot(h["id"]) == before

    def test_closed_is_409_for_either_side(self, api, world):
        o = order(api, world)
        rectify(api, world, o["id"])
        verify(api, world.police_a, o["id"])
        before = snapshot(o["id"])
        assert api.patch(f"/hazards/{o['id']}", as_=world.police_a,
                         json={"due_date": day(world.unit_a, 9)}).status_code == 409
        assert api.patch(f"/hazards/{o['id']}", as_=world.coordinator_a,
                         json={"owner": "赵六"}).status_code == 409
        assert snapshot(o["id"]) == before

    def test_if_match(self, api, world):
        h = found(api, world)
        url = f"/hazards/{h['id']}"
        read = api.get(url, as_=world.coordinator_a)
        etag = read.headers["ETag"]
        fresh = api.patch(url, as_=world.coordinator_a, json={"owner": "赵六"},
                          headers={"If-Match": etag})
        assert fresh.status_code == 200
        assert fresh.headers["ETag"] != etag
        stale = api.patch(url, as_=world.coordinator_a, json={"owner": "孙七"},
                          headers={"If-Match": etag})
        assert stale.status_code == 412
        assert stale.get_json()["code"] == 412
        assert api.get(url, as_=world.coordinator_a).get_json()["owner"] == "赵六"
        # any step makes an earlier ETag stale
        etag = fresh.headers["ETag"]
        rectify(api, world, h["id"])
        assert api.patch(url, as_=world.coordinator_a, json={"owner": "孙七"},
                         headers={"If-Match": etag}).status_code == 412
        current = api.get(url, as_=world.coordinator_a).headers["ETag"]
        assert api.patch(url, as_=world.coordinator_a, json={"owner": "孙七"},
                         headers={"If-Match": current}).status_code == 200
        assert api.patch(url, as_=world.coordinator_a, json={"owner": "周八"},
                         headers={"If-Match": "*"}).status_code == 200
        # the police's edit of an order too
        o = order(api, world)
        tag = api.get(f"/hazards/{o['id']}", as_=world.police_a).headers["ETag"]
        api.patch(f"/hazards/{o['id']}", as_=world.coordinator_a, json={"owner": "赵六"})
        assert api.patch(f"/hazards/{o['id']}", as_=world.police_a,
                         json={"due_date": day(world.unit_a, 3)},
                         headers={"If-Match": tag}).status_code == 412


# Overdue and the penalty, at the date boundaries

class TestOverdue:
    @pytest.mark.parametrize(("days", "overdue"), [(-1, True), (0, False), (1, False),
                                                   (-400, True)])
    def test_boundaries(self, api, world, days, overdue):
        unit = world.unit_a
        h = found(api, world, due_date=day(unit, days))
        o = order(api, world, due_date=day(unit, days))
        for item in (h, o):
            read = api.get(f"/hazards/{item['id']}", as_=world.police_a).get_json()
            assert read["overdue"] is overdue
            assert item["overdue"] is overdue
        assert api.get(f"/hazards/{h['id']}", as_=world.police_a).get_json()["penalty"] is None
        penalty = api.get(f"/hazards/{o['id']}", as_=world.police_a).get_json()["penalty"]
        assert (penalty is not None) is overdue
        url = f"/units/{unit.id}/hazards"
        both = sorted([h["id"], o["id"]])
        assert ids(api.get(f"{url}?overdue=true", as_=world.police_a)) == (
            both if overdue else [])
        assert ids(api.get(f"{url}?overdue=false", as_=world.police_a)) == (
            [] if overdue else both)
        assert ids(api.get("/hazards?overdue=true", as_=world.admin)) == (
            both if overdue else [])

    def test_rectified_or_closed_past_due_is_not_overdue(self, api, world):
        late = day(world.unit_a, -10)
        o = order(api, world, due_date=late)
        assert o["overdue"] is True and o["penalty"] is not None
        rectified = rectify(api, world, o["id"]).get_json()
        assert (rectified["overdue"], rectified["penalty"]) == (False, None)
        url = f"/units/{world.unit_a.id}/hazards"
        assert ids(api.get(f"{url}?overdue=true", as_=world.police_a)) == []
        # rejected: open and late again
        reopened = verify(api, world.police_a, o["id"], accepted=False).get_json()
        assert reopened["overdue"] is True and reopened["penalty"] == {
            **PENALTY, "basis": reopened["penalty"]["basis"]}
        assert ids(api.get(f"{url}?overdue=true", as_=world.police_a)) == [o["id"]]
        rectify(api, world, o["id"])
        closed = verify(api, world.police_a, o["id"]).get_json()
        assert (closed["status"], closed["overdue"], closed["penalty"]) == (
            "closed", False, None)
        assert ids(api.get(f"{url}?overdue=true", as_=world.police_a)) == []
        assert ids(api.get(f"{url}?overdue=false", as_=world.police_a)) == [o["id"]]
        # a later deadline set by the police ends the exposure
        o2 = order(api, world, due_date=late)
        moved = api.patch(f"/hazards/{o2['id']}", as_=world.police_a,
                          json={"due_date": day(world.unit_a)}).get_json()
        assert (moved["overdue"], moved["penalty"]) == (False, None)

    def test_penalty_exactly_in_each_language(self, api, world):
        o = order(api, world, due_date=day(world.unit_a, -1))
        h = found(api, world, due_date=day(world.unit_a, -1))
        zh = api.get(f"/hazards/{o['id']}", as_=world.police_a, headers=ZH).get_json()
        assert set(zh["penalty"]) == {"unit_min", "unit_max", "person_min", "person_max",
                                      "basis"}
        assert {k: v for k, v in zh["penalty"].items() if k != "basis"} == PENALTY
        assert all(type(zh["penalty"][k]) is int for k in PENALTY)
        assert "421号" in zh["penalty"]["basis"] and "第十九条" in zh["penalty"]["basis"]
        en = api.get(f"/hazards/{o['id']}", as_=world.police_a, headers=EN).get_json()
        assert {k: v for k, v in en["penalty"].items() if k != "basis"} == PENALTY
        assert "Decree No. 421" in en["penalty"]["basis"]
        assert "421号" not in en["penalty"]["basis"]
        # the lists show it too, in the asker's language
        listed = api.get(f"/units/{world.unit_a.id}/hazards?order=true", as_=world.police_a,
                         headers=EN).get_json()
        assert listed[0]["penalty"] == en["penalty"]
        across = api.get("/hazards?overdue=true&order=true", as_=world.admin,
                         headers=ZH).get_json()
        assert [x["id"] for x in across] == [o["id"]]
        assert across[0]["penalty"] == zh["penalty"]
        # an overdue hazard that is not an order exposes nobody to a fine
        plain = api.get(f"/hazards/{h['id']}", as_=world.police_a, headers=ZH).get_json()
        assert plain["overdue"] is True and plain["penalty"] is None

    def test_each_unit_has_its_own_today(self, api, world, make):
        """Kiritimati (UTC+14) is always a calendar day or two ahead of Pago Pago (UTC−11):
        no single "today" makes a hazard of the first due yesterday overdue and one of the
        second due today not overdue; only each unit's own does."""
        east = make.unit(world.station_a, name="东时区单位", timezone="Pacific/Kiritimati")
        west = make.unit(world.station_a, name="西时区单位", timezone="Pacific/Pago_Pago")
        assert today_in(east) > today_in(west)
        items = {}
        coordinators = {unit.id: make.user("coordinator", unit_id=unit.id)
                        for unit in (east, west)}
        for unit, days in ((east, -1), (east, 0), (west, -1), (west, 0)):
            coordinator = coordinators[unit.id]
            hazard = service.issue_order(world.police_a, unit, {
                "description": f"到期 {days}", "due_date": today_in(unit) + timedelta(days=days)})
            created = service.create_hazard(coordinator, unit, {
                "description": f"隐患 {days}", "severity": "low", "source": "other",
                "owner": "王五", "due_date": today_in(unit) + timedelta(days=days)})
            items[(unit.id, days)] = (hazard.id, created.id)
        db.session.commit()
        late = sorted(i for key in ((east.id, -1), (west.id, -1)) for i in items[key])
        on_time = sorted(i for key in ((east.id, 0), (west.id, 0)) for i in items[key])
        assert ids(api.get("/hazards?overdue=true&page_size=500", as_=world.police_a)) == late
        assert ids(api.get("/hazards?overdue=false&page_size=500",
                           as_=world.police_a)) == on_time
        for unit in (east, west):
            url = f"/units/{unit.id}/hazards"
            assert ids(api.get(f"{url}?overdue=true", as_=world.police_a)) == sorted(
                items[(unit.id, -1)])
            assert ids(api.get(f"{url}?overdue=false", as_=world.police_a)) == sorted(
                items[(unit.id, 0)])
            for days in (-1, 0):
                order_id, hazard_id = items[(unit.id, days)]
                read = api.get(f"/hazards/{order_id}", as_=world.police_a).get_json()
                assert read["overdue"] is (days == -1)
                assert (read["penalty"] is not None) is (days == -1)
                assert api.get(f"/hazards/{hazard_id}",
                               as_=world.police_a).get_json()["overdue"] is (days == -1)
        # date-times are shown in the unit's zone
        read = api.get(f"/hazards/{items[(east.id, 0)][0]}", as_=world.police_a).get_json()
        assert offset_of(read["created_at"]) == "+14:00"
        read = api.get(f"/hazards/{items[(west.id, 0)][0]}", as_=world.police_a).get_json()
        assert offset_of(read["created_at"]) == "-11:00"


def test_an_escalation_no_longer_awaits_acknowledgement_once_the_hazard_is_closed(api, world):
    waiting = found(api, world)
    closed = found(api, world)
    for hazard in (waiting, closed):
        assert api.post(f"/hazards/{hazard['id']}/escalate", as_=world.coordinator_a,
                        json={"to": "supervisor", "reason": "需要资金"}).status_code == 200
    assert rectify(api, world, closed["id"]).status_code == 200
    assert verify(api, world.coordinator_a, closed["id"]).status_code == 200
    awaited = api.get("/hazards", as_=world.supervisor_a, query_string={"acknowledged": "false"})
    assert ids(awaited) == [waiting["id"]]
    summary = service.summary(world.supervisor_a)
    assert summary["escalated"] == 1
