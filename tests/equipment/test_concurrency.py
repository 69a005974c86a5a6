"""Movements are atomic: 20 concurrent withdrawals of 1 from a stock of 10, each through the
HTTP API in a thread of its own, leave exactly 10 succeeded (201), 10 refused (409), a stock
of 0 and a ledger of the opening movement and 10 withdrawals (API.md "Equipment")."""
import threading

from anbao.auth import service as accounts
from anbao.extensions import db
from equipment import service
from equipment.models import Equipment, Movement

THREADS = 20
STOCK = 10


def test_concurrent_withdrawals_never_go_below_zero(app, world):
    item = service.create_equipment(world.coordinator_a, world.unit_a, {
        "category": "restraint", "name": "钢叉", "quantity": STOCK, "required_quantity": 4})
    token, _ = accounts.issue_token(world.coordinator_a)
    db.session.commit()
    item_id = item.id
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def withdraw(n: int) -> None:
        try:
            client = app.test_client()
            barrier.wait(timeout=30)
            response = client.post(f"/api/v1/equipment/{item_id}/movements",
                                   headers={"Authorization": f"Bearer {token}"},
                                   json={"delta": -1, "reason": f"领用 {n}"})
            with lock:
                statuses.append(response.status_code)
        except BaseException as err:  # noqa: BLE001 - reported below
            with lock:
                errors.append(err)

    threads = [threading.Thread(target=withdraw, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(statuses) == [201] * STOCK + [409] * (THREADS - STOCK), statuses

    db.session.expire_all()
    assert db.session.get(Equipment, item_id).quantity == 0
    ledger = db.session.scalars(db.select(Movement).where(Movement.equipment_id == item_id)
                                .order_by(Movement.id)).all()
    assert len(ledger) == 1 + STOCK
    assert (ledger[0].delta, ledger[0].quantity_after) == (STOCK, STOCK)
    assert [m.delta for m in ledger[1:]] == [-1] * STOCK
    assert sorted(m.quantity_after for m in ledger[1:]) == list(range(STOCK))
