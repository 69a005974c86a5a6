"""The daily sweep (DESIGN.md §2 "Reminders"): obligations turning `due_soon` or `overdue`
notify the unit's coordinators, an overdue one again every 7 days until resolved; hazards near
and past their due date and equipment expiring or due for inspection notify them too; each
police user gets one digest a day of the units of their jurisdiction (and below) that turned
non-compliant since their previous digest. Run as the scheduler runs it (`scheduler.jobs`)."""
from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from anbao.extensions import db
from anbao.outbox import service as outbox
from compliance import service as compliance
from compliance.models import UnitState
from equipment import service as equipment
from hazards import service as hazards
from tests.scheduler.helpers import (en_day, zh_day, DAY, SHANGHAI, activity, at, coordinator_of, daily, hold,
                                     notes)

TODAY = date(2027, 3, 1)


@pytest.fixture
def plant(make, world):
    """A non-key enterprise of district B registered on 20 March 2026 (so its national
    security training, never held, falls due a year later) with two coordinators and the
    two security staff GZ-6.1 asks of it."""
    unit = make.unit(world.district_b, name="珠江电力公司", category="enterprise", headcount=100)
    unit.registered_on = date(2026, 3, 20)
    db.session.commit()
    for name in ("周一", "周二"):
        make.person(unit, name=name, role="security_full_time")
    first = make.user("coordinator", "plant_1", unit_id=unit.id, email="one@plant.example.cn")
    second = make.user("coordinator", "plant_2", unit_id=unit.id)
    unit.coordinators = [first, second]
    return unit


def natsec_due(unit) -> date:
    (item,) = [i for i in compliance.evaluate([unit], TODAY)[0].items
               if i.rule == "TRAIN-NATSEC"]
    return item.due_date


def status(unit, day: date) -> str:
    return compliance.evaluate([unit], day)[0].status


# Obligations

def test_an_obligation_turning_due_soon_notifies_the_coordinators_once(app, plant):
    due = natsec_due(plant)
    assert due == date(2027, 3, 20)
    daily(app, at(due - timedelta(days=31)))
    assert notes(unit_id=plant.id) == []
    for days in (30, 29, 10, 1, 0):   # due_soon from 30 days before through the due date
        daily(app, at(due - timedelta(days=days)))
    rows = notes(unit_id=plant.id)
    assert [n.kind for n in rows] == ["obligation_due_soon"] * 2
    assert {n.user_id for n in rows} == {c.id for c in plant.coordinators}
    assert {n.created_at for n in rows} == {at(due - timedelta(days=30))}
    assert all(zh_day(due) in n.subject and en_day(due) in n.other_subject
               and "珠江电力公司" in n.body for n in rows)
    assert {n.link for n in rows} == {f"/units/{plant.id}/compliance"}
    (emailed,) = [n for n in rows if n.email]
    assert emailed.email == "one@plant.example.cn" and emailed.email_status == "pending"


def test_an_overdue_obligation_notifies_again_every_7_days_until_resolved(app, plant):
    due = natsec_due(plant)
    told = {}
    for days in (1, 2, 7, 8, 9, 14, 15, 16):
        daily(app, at(due + timedelta(days=days)))
        told[days] = len(notes("obligation_overdue", user_id=plant.coordinators[0].id))
    # due + 1: overdue; again at due + 8 and due + 15; nothing in between
    assert told == {1: 1, 2: 1, 7: 1, 8: 2, 9: 2, 14: 2, 15: 3, 16: 3}
    rows = notes("obligation_overdue", user_id=plant.coordinators[0].id)
    assert [n.created_at.astimezone(SHANGHAI).date() for n in rows] == [
        due + timedelta(days=d) for d in (1, 8, 15)]
    assert len({n.key for n in rows}) == 3
    assert all(zh_day(due) in n.subject for n in rows)
    # resolved: the training is held; nothing more, however long we wait
    hold(activity(plant, at(due + timedelta(days=17)), kind="training",
                  topic="national_security", title="国家安全教育"))
    for days in (17, 22, 23, 30):
        daily(app, at(due + timedelta(days=days), 11))
    assert len(notes("obligation_overdue", unit_id=plant.id)) == 3 * 2
    assert notes("obligation_due_soon", unit_id=plant.id) == []


def test_an_overdue_obligation_first_seen_late_is_told_at_once(app, plant):
    """A sweep that did not run for weeks (a restart) tells it the first time it runs."""
    due = natsec_due(plant)
    daily(app, at(due + timedelta(days=40)))
    assert len(notes("obligation_overdue", unit_id=plant.id)) == 2
    daily(app, at(due + timedelta(days=41)))
    assert len(notes("obligation_overdue", unit_id=plant.id)) == 2


def test_obligations_of_other_units_go_to_their_own_coordinators(app, plant, world):
    daily(app, at(natsec_due(plant)))
    coordinators = {c.id for c in plant.coordinators}
    for n in notes("obligation_due_soon", "obligation_overdue"):
        if n.user_id in coordinators:
            assert n.unit_id == plant.id
    assert all(n.unit_id != plant.id for n in notes(user_id=world.coordinator_b.id))


# Hazards

def _hazard(unit, due: date):
    found = hazards.create_hazard(coordinator_of(unit), unit, {
        "description": "配电房门锁损坏", "severity": "high", "owner": "王五", "due_date": due,
        "source": "self_inspection"})
    db.session.commit()
    return found


def test_a_hazard_near_its_due_date_and_past_it_notifies_the_coordinators(app, plant):
    due = date(2027, 4, 20)
    hazard = _hazard(plant, due)
    told = {}
    # due soon from 30 days before, as the HAZARD rule counts it
    for days in (-31, -30, -1, 0, 1, 2, 7, 8, 14, 15):
        daily(app, at(due + timedelta(days=days)))
        told[days] = Counter(n.kind for n in notes(
            "hazard_due_soon", "hazard_overdue", user_id=plant.coordinators[0].id))
    assert told[-31] == {}
    assert told[-30] == told[0] == {"hazard_due_soon": 1}
    assert told[1] == told[7] == {"hazard_due_soon": 1, "hazard_overdue": 1}
    assert told[8] == told[14] == {"hazard_due_soon": 1, "hazard_overdue": 2}
    assert told[15] == {"hazard_due_soon": 1, "hazard_overdue": 3}
    rows = notes("hazard_due_soon", "hazard_overdue")
    assert {n.user_id for n in rows} == {c.id for c in plant.coordinators}
    assert all("配电房门锁损坏" in n.body and zh_day(due) in n.subject for n in rows)
    assert all(n.key.split("|")[2] == f"hazard:{hazard.id}" for n in rows)
    assert {n.link for n in rows} == {f"/hazards/{hazard.id}"}
    # rectified: no more
    hazards.rectify(coordinator_of(plant), hazard, "已更换门锁", [])
    db.session.commit()
    daily(app, at(due + timedelta(days=22)))
    assert len(notes("hazard_overdue")) == 3 * 2


def test_a_closed_or_far_hazard_notifies_nobody(app, plant):
    due = date(2027, 4, 20)
    far = _hazard(plant, due + timedelta(days=36))
    done = _hazard(plant, due)
    hazards.rectify(coordinator_of(plant), done, "已修复", [])
    db.session.commit()
    daily(app, at(due + timedelta(days=5)))
    assert notes("hazard_due_soon", "hazard_overdue") == []
    assert far.id != done.id


# Equipment

def test_equipment_expiring_and_due_for_inspection_notifies_once_per_alert_and_date(
        app, plant):
    item = equipment.create_equipment(coordinator_of(plant), plant, {
        "category": "fire", "name": "干粉灭火器", "quantity": 6,
        "expires_on": date(2027, 6, 30), "next_inspection_on": date(2027, 7, 15)})
    db.session.commit()
    for day in (date(2027, 5, 30), date(2027, 5, 31), date(2027, 6, 10), date(2027, 6, 15),
                date(2027, 6, 30), date(2027, 7, 1), date(2027, 7, 10), date(2027, 7, 16),
                date(2027, 7, 20)):
        daily(app, at(day))
    rows = notes("equipment_alert", user_id=plant.coordinators[0].id)
    alerts = [(n.key.split("|")[2], n.key.split("|")[3], n.created_at.astimezone(SHANGHAI).date())
              for n in rows]
    assert alerts == [
        (f"equipment:{item.id}:expiring_soon", "2027-06-30", date(2027, 5, 31)),
        (f"equipment:{item.id}:inspection_due_soon", "2027-07-15", date(2027, 6, 15)),
        (f"equipment:{item.id}:expired", "2027-06-30", date(2027, 7, 1)),
        (f"equipment:{item.id}:inspection_overdue", "2027-07-15", date(2027, 7, 16)),
    ]
    assert all("干粉灭火器" in n.subject and "珠江电力公司" in n.body for n in rows)
    assert {n.link for n in rows} == {f"/equipment/{item.id}"}
    # a new batch with a new expiry date is told about again when it nears
    item.expires_on = date(2028, 6, 30)
    item.next_inspection_on = date(2028, 7, 15)
    db.session.commit()
    daily(app, at(date(2027, 7, 21)))
    assert len(notes("equipment_alert", user_id=plant.coordinators[0].id)) == 4
    daily(app, at(date(2028, 6, 1)))
    latest = notes("equipment_alert", user_id=plant.coordinators[0].id)[-1]
    assert latest.key.endswith("expiring_soon|2028-06-30")


# Police digest

@pytest.fixture
def police(make, world):
    """Police of the city, district A, station A1 (unit_a only) and district B."""
    return {"city": make.user("police", "police_city", jurisdiction_id=world.city.id),
            "a": world.police_a, "a1": make.user("police", "police_a1",
                                                 jurisdiction_id=world.station_a.id),
            "b": world.police_b}


def digests(user) -> list:
    return notes("compliance_digest", user_id=user.id)


def names(note) -> set[str]:
    return {n for n in ("天河实验学校", "天河医院", "越秀博物馆", "珠江电力公司") if n in note.body}


def test_each_police_user_gets_one_digest_a_day_of_their_jurisdiction(app, world, police,
                                                                      plant):
    day = TODAY
    assert {status(u, day) for u in (world.unit_a, world.other_unit_a, world.unit_b)} == {
        "non_compliant"}
    assert status(plant, day) == "attention"   # its training falls due within 30 days
    daily(app, at(day, 6, 30))
    expected = {"city": {"天河实验学校", "天河医院", "越秀博物馆"},
                "a": {"天河实验学校", "天河医院"}, "a1": {"天河实验学校"}, "b": {"越秀博物馆"}}
    for name, user in police.items():
        (digest,) = digests(user)
        assert names(digest) == expected[name], name
        assert digest.unit_id is None and digest.user_id == user.id
        assert digest.key.endswith(f"|{day.isoformat()}")
        assert digest.link == "/compliance?status=non_compliant"
    # nothing for the other roles
    assert {n.user_id for n in notes("compliance_digest")} == {u.id for u in police.values()}
    # not again the same day, not the next day when nothing turned
    daily(app, at(day, 18))
    daily(app, at(day + DAY, 6, 30))
    assert [len(digests(u)) for u in police.values()] == [1, 1, 1, 1]


def test_a_unit_turning_non_compliant_again_appears_in_a_later_digest(app, world, police,
                                                                     plant):
    item = equipment.create_equipment(coordinator_of(plant), plant, {
        "category": "fire", "name": "灭火器", "quantity": 4, "expires_on": date(2028, 1, 1)})
    db.session.commit()
    daily(app, at(TODAY, 6, 30))   # the first digests: the world's three units
    # day 2: the plant's extinguishers expire
    item.expires_on = TODAY
    db.session.commit()
    assert status(plant, TODAY + DAY) == "non_compliant"
    daily(app, at(TODAY + DAY, 6, 30))
    assert names(digests(police["b"])[-1]) == {"珠江电力公司"}
    assert names(digests(police["city"])[-1]) == {"珠江电力公司"}
    assert len(digests(police["a"])) == 1   # not theirs
    # day 3: replaced; day 5: the new ones expire as well
    item.expires_on = date(2028, 1, 1)
    db.session.commit()
    daily(app, at(TODAY + 2 * DAY, 6, 30))
    assert db.session.get(UnitState, plant.id).status == "attention"   # no longer failing
    item.expires_on = TODAY + 3 * DAY
    db.session.commit()
    daily(app, at(TODAY + 3 * DAY, 6, 30))   # in date still
    daily(app, at(TODAY + 4 * DAY, 6, 30))   # expired
    daily(app, at(TODAY + 5 * DAY, 6, 30))
    rows = digests(police["b"])
    assert [n.created_at for n in rows] == [at(d, 6, 30) for d in (
        TODAY, TODAY + DAY, TODAY + 4 * DAY)]
    assert names(rows[-1]) == {"珠江电力公司"}
    assert len(digests(police["a"])) == 1


def test_a_unit_turning_late_in_the_evening_is_in_the_next_mornings_digest(app, world,
                                                                          police, plant):
    """The day of a digest is the configured zone's (Asia/Shanghai), not UTC's; what turned
    after a day's digest goes in the next one."""
    item = equipment.create_equipment(coordinator_of(plant), plant, {
        "category": "fire", "name": "灭火器", "quantity": 4, "expires_on": date(2028, 1, 1)})
    db.session.commit()
    daily(app, at(TODAY, 6, 30))
    item.expires_on = TODAY - DAY
    db.session.commit()
    daily(app, at(TODAY, 23, 30))     # 15:30 UTC: turned, but today's digest went out
    assert len(digests(police["b"])) == 1
    daily(app, at(TODAY + DAY, 0, 30))   # 16:30 UTC the same UTC day: another local day
    rows = digests(police["b"])
    assert len(rows) == 2 and names(rows[-1]) == {"珠江电力公司"}


# Statements

def _build(make, world, count: int, start: int = 0) -> None:
    """Units of district A, each with a coordinator, a hazard due soon and an item expiring
    soon; their national security training falls due soon; all non-compliant (staffing)."""
    for n in range(start, start + count):
        unit = make.unit(world.district_a, name=f"单位{n}")
        unit.registered_on = date(2026, 3, 10)
        db.session.commit()
        make.user("coordinator", f"coordinator_{n}", unit_id=unit.id, email=f"c{n}@x.cn")
        _hazard(unit, TODAY + timedelta(days=2))
        equipment.create_equipment(coordinator_of(unit), unit, {
            "category": "fire", "name": "灭火器", "quantity": 1,
            "expires_on": TODAY + timedelta(days=20)})
        db.session.commit()


def _statements(app, monkeypatch, now) -> tuple[int, int, int]:
    """(reads, writes, notify calls) of one daily sweep."""
    calls = []
    real = outbox.notify
    monkeypatch.setattr(outbox, "notify", lambda *a, **k: calls.append(1) or real(*a, **k))
    db.session.commit()
    states = dict(db.session.execute(sa.select(UnitState.unit_id, UnitState.status)).all())
    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement.lstrip().split(None, 1)[0].upper())
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        done = daily(app, now)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    monkeypatch.undo()
    assert None not in done.values(), done
    after = dict(db.session.execute(sa.select(UnitState.unit_id, UnitState.status)).all())
    changed = sum(1 for unit_id, value in after.items() if states.get(unit_id) != value)
    writes = sum(1 for s in statements if s in ("INSERT", "UPDATE", "DELETE"))
    return len(statements) - writes, writes - changed, len(calls)


def test_the_daily_sweep_reads_the_same_for_2_and_10_units(app, world, make, monkeypatch,
                                                         police):
    _build(make, world, 2)
    small = _statements(app, monkeypatch, at(TODAY, 6, 30))
    _build(make, world, 8, start=2)
    large = _statements(app, monkeypatch, at(TODAY + DAY, 6, 30))
    # the writes: one INSERT … ON CONFLICT DO NOTHING per message decided, one upsert per
    # unit whose status changed; the reads: as many for 10 units as for 2
    assert small[1] == small[2] and large[1] == large[2]
    assert large[2] > small[2]
    assert small[0] == large[0], (small, large)
    assert len(notes("hazard_due_soon")) == len(notes("equipment_alert")) == 10
