"""Steps on one hazard never both win: two requests that each found it in the state the step
needs race through the HTTP API in threads of their own; the version column makes the second
UPDATE match no row, so exactly one succeeds (200), the other answers 409 and the history holds
one step (API.md "Hazards and orders", "Conventions": 409 conflict with the current state).

To make the race happen every time rather than by luck, each request waits at a barrier once
it has checked the state and before it writes (the service's clock is read just there)."""
import json
import threading

import pytest
import sqlalchemy as sa

from anbao.audit.models import AuditEvent
from anbao.auth import service as accounts
from anbao.extensions import db, utcnow
from hazards import service
from hazards.models import Hazard, HazardStep
from units.service import today_in

THREADS = 2


def _hazard(world, status="open", escalated_to=None) -> int:
    hazard = service.create_hazard(world.coordinator_a, world.unit_a, {
        "description": "东门围栏破损", "severity": "high", "source": "self_inspection",
        "owner": "王五", "due_date": today_in(world.unit_a)})
    if status == "rectified":
        service.rectify(world.coordinator_a, hazard, "已更换围栏", [])
    if escalated_to:
        service.escalate(world.coordinator_a, hazard, escalated_to, "需要支援")
    db.session.commit()
    return hazard.id


def race(app, monkeypatch, requests: list[tuple], clock_of=service) -> list[int]:
    """Run (user, path, body) requests at once; each waits for the others just before it
    writes (when `clock_of`, the service module, reads its clock). The status codes, in the
    order given."""
    tokens = {}
    for user, _, _ in requests:
        if user.id not in tokens:
            tokens[user.id], _ = accounts.issue_token(user)
    # the threads take plain values: the test's session is not theirs
    requests = [(tokens[user.id], path, body) for user, path, body in requests]
    db.session.commit()
    barrier = threading.Barrier(len(requests))

    def clock():
        try:
            barrier.wait(timeout=5)
        except threading.BrokenBarrierError:
            pass  # the other request did not get this far: nothing to wait for
        return utcnow()
    monkeypatch.setattr(clock_of, "utcnow", clock)
    statuses: list[int | None] = [None] * len(requests)
    errors: list[BaseException] = []

    def send(n: int, token: str, path: str, body: dict) -> None:
        try:
            response = app.test_client().post(f"/api/v1{path}", json=body,
                                              headers={"Authorization": f"Bearer {token}"})
            statuses[n] = response.status_code
            if response.status_code >= 400:
                assert json.loads(response.data)["code"] == response.status_code
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=send, args=(n, *request))
               for n, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    db.session.expire_all()
    return statuses


def _steps(hazard_id) -> list[str]:
    return db.session.scalars(sa.select(HazardStep.action).where(
        HazardStep.hazard_id == hazard_id).order_by(HazardStep.id)).all()


def _events(hazard_id) -> list[str]:
    return db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.entity == "hazard", AuditEvent.entity_id == hazard_id)
        .order_by(AuditEvent.id)).all()


@pytest.mark.parametrize("accepted", [(True, True), (True, False)],
                         ids=["accept-accept", "accept-reject"])
def test_two_verifications_one_wins(app, world, monkeypatch, accepted):
    hazard_id = _hazard(world, "rectified")
    version = db.session.get(Hazard, hazard_id).lock_version
    path = f"/hazards/{hazard_id}/verify"
    statuses = race(app, monkeypatch, [
        (world.coordinator_a, path, {"accepted": accepted[0], "comment": "一"}),
        (world.coordinator_a, path, {"accepted": accepted[1], "comment": "二"})])
    assert sorted(statuses) == [200, 409], statuses
    winner = statuses.index(200)
    hazard = db.session.get(Hazard, hazard_id)
    assert hazard.status == ("closed" if accepted[winner] else "open")
    assert hazard.verification_comment == ("一", "二")[winner]
    assert hazard.lock_version == version + 1      # verified once
    assert _steps(hazard_id) == ["create", "rectify", "accept" if accepted[winner] else "reject"]
    assert _events(hazard_id) == ["create", "rectify", "verify"]


def test_two_rectifications_one_wins(app, world, monkeypatch):
    hazard_id = _hazard(world)
    path = f"/hazards/{hazard_id}/rectify"
    statuses = race(app, monkeypatch, [
        (world.coordinator_a, path, {"measures": "甲方案"}),
        (world.coordinator_a, path, {"measures": "乙方案"})])
    assert sorted(statuses) == [200, 409], statuses
    hazard = db.session.get(Hazard, hazard_id)
    assert hazard.status == "rectified"
    assert hazard.measures == ("甲方案", "乙方案")[statuses.index(200)]
    assert _steps(hazard_id) == ["create", "rectify"]
    assert _events(hazard_id) == ["create", "rectify"]


def test_verification_against_a_new_escalation(app, world, monkeypatch):
    """The police verify an order while the unit escalates it: both found it rectified; one
    step lands, the other is refused, and neither is half-applied."""
    order = service.issue_order(world.police_a, world.unit_a, {
        "description": "监控盲区", "due_date": today_in(world.unit_a)})
    service.rectify(world.coordinator_a, order, "加装摄像头", [])
    db.session.commit()
    statuses = race(app, monkeypatch, [
        (world.police_a, f"/hazards/{order.id}/verify", {"accepted": True}),
        (world.coordinator_a, f"/hazards/{order.id}/escalate",
         {"to": "police", "reason": "需要复核"})])
    assert sorted(statuses) == [200, 409], statuses
    hazard = db.session.get(Hazard, order.id)
    if statuses[0] == 200:
        assert (hazard.status, hazard.escalated_to) == ("closed", None)
        assert _steps(order.id) == ["create", "rectify", "accept"]
    else:
        assert (hazard.status, hazard.escalated_to) == ("rectified", "police")
        assert _steps(order.id) == ["create", "rectify", "escalate"]


def test_two_acknowledgements_one_wins(app, world, monkeypatch, make):
    hazard_id = _hazard(world, escalated_to="supervisor")
    colleague = make.user("supervisor", "supervisor_a2", jurisdiction_id=world.district_a.id,
                          sectors=["school"])
    path = f"/hazards/{hazard_id}/acknowledge"
    statuses = race(app, monkeypatch, [(world.supervisor_a, path, {"comment": "甲"}),
                                        (colleague, path, {"comment": "乙"})])
    assert sorted(statuses) == [200, 409], statuses
    hazard = db.session.get(Hazard, hazard_id)
    assert hazard.acknowledged_by == ("supervisor_a", "supervisor_a2")[statuses.index(200)]
    assert _steps(hazard_id) == ["create", "escalate", "acknowledge"]
