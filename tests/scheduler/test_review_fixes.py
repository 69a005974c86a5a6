"""What a review of the outbox found, kept fixed: a queued reminder of a drill cancelled,
moved or made unannounced since is withdrawn, not sent; a lease runs from the claim, not from
the job's start; a sender refused by the server holds the batch back instead of failing it;
an address no mail can carry fails alone; a participant who gets an account is not reminded
again; a shortage of equipment is told; a stock movement moves the coordinator's feed."""
from datetime import timedelta, timezone

import sqlalchemy as sa

from anbao.extensions import db, utcnow
from anbao.outbox import mail
from anbao.outbox.models import Notification
from drills import service as drills
from drills.models import CalendarWatermark
from equipment import service as equipment
from scheduler.leader import Leader
from tests.scheduler.helpers import (DAY, START, activity, coordinator_of, daily, frequent,
                                     notes, tick)

NOW = START - 2 * DAY


def _drill(make, world, **fields):
    world.coordinator_a.email = "coord@example.cn"
    db.session.commit()
    zhao = make.person(world.unit_a, name="赵敏", role="guard", email="zhao@example.cn")
    return activity(world.unit_a, people=[zhao], **fields), zhao


def _queued_without_smtp(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_URL", "")
    frequent(app, NOW)


def _by_address():
    return {n.email: n for n in notes() if n.email}


def test_a_reminder_of_a_drill_cancelled_since_is_withdrawn(app, make, world, mailbox,
                                                           monkeypatch):
    drill, _zhao = _drill(make, world)
    _queued_without_smtp(app, monkeypatch)
    assert {n.email_status for n in _by_address().values()} == {"pending"}
    drills.cancel(coordinator_of(world.unit_a), drill, "改期", None)
    db.session.commit()
    monkeypatch.setitem(app.config, "SMTP_URL", mailbox.url)
    assert tick(app, NOW + timedelta(minutes=1))["sent"] == 0
    assert {n.email_status for n in _by_address().values()} == {"withdrawn"}
    assert mailbox.messages == []


def test_a_reminder_of_a_moved_occurrence_goes_at_its_new_time_only(app, make, world, mailbox,
                                                                   monkeypatch):
    series, _zhao = _drill(make, world, rrule="FREQ=WEEKLY;COUNT=3")
    _queued_without_smtp(app, monkeypatch)
    drills.move(coordinator_of(world.unit_a), series, START, START + timedelta(hours=3),
                START + timedelta(hours=4))
    db.session.commit()
    monkeypatch.setitem(app.config, "SMTP_URL", mailbox.url)
    tick(app, NOW + timedelta(minutes=1))
    rows = notes("reminder_7d")
    def at(instant):   # as the key holds a start: in UTC
        return f"@{instant.astimezone(timezone.utc).isoformat()}"
    old = [n for n in rows if n.key.endswith(at(START)) and n.email]
    new = [n for n in rows if n.key.endswith(at(START + timedelta(hours=3))) and n.email]
    assert old and {n.email_status for n in old} == {"withdrawn"}
    assert new and {n.email_status for n in new} == {"sent"}
    assert len(mailbox.messages) == len(new)


def test_a_drill_made_unannounced_since_reaches_the_coordinators_only(app, make, world,
                                                                     mailbox, monkeypatch):
    drill, _zhao = _drill(make, world)
    _queued_without_smtp(app, monkeypatch)
    drills.update_activity(coordinator_of(world.unit_a), drill, {"unannounced": True})
    db.session.commit()
    monkeypatch.setitem(app.config, "SMTP_URL", mailbox.url)
    tick(app, NOW + timedelta(minutes=1))
    found = _by_address()
    assert found["zhao@example.cn"].email_status == "withdrawn"
    assert found["coord@example.cn"].email_status == "sent"
    assert [m["To"] for m in mailbox.messages] == ["coord@example.cn"]


def test_a_lease_runs_from_the_claim_not_from_the_jobs_start(app, make, world, mailbox,
                                                           monkeypatch):
    _drill(make, world)
    _queued_without_smtp(app, monkeypatch)
    note = notes()[0]
    stale = utcnow() - timedelta(minutes=30)   # a job that started half an hour ago
    assert mail._claim(note.id, stale)
    db.session.expire_all()
    held = db.session.get(Notification, note.id).claimed_until
    assert held > utcnow() + timedelta(minutes=4)
    # a job starting now finds it held
    assert not mail._claim(note.id, utcnow())


def test_a_refused_sender_holds_the_batch_back_and_fails_nothing(app, make, world, mailbox,
                                                                monkeypatch):
    _drill(make, world)
    _queued_without_smtp(app, monkeypatch)

    async def refuse(server, session, envelope, address, options):
        return "550 5.7.1 relaying denied"
    mailbox.handle_MAIL = refuse
    monkeypatch.setitem(app.config, "SMTP_URL", mailbox.url)
    assert tick(app, NOW + timedelta(minutes=1))["sent"] == 0
    rows = [n for n in notes() if n.email]
    assert {n.email_status for n in rows} == {"pending"}
    assert sum(n.attempts for n in rows) == 1   # the rest were not tried
    del mailbox.handle_MAIL
    assert tick(app, NOW + timedelta(hours=1))["sent"] == len(rows)


def test_an_address_no_mail_can_carry_fails_alone(app, make, world, mailbox, monkeypatch):
    _drill(make, world)
    make.person(world.unit_a, name="坏地址", role="guard", email="bad@example.cn")
    _queued_without_smtp(app, monkeypatch)
    bad = next(n for n in notes() if n.email == "zhao@example.cn")
    bad.email = "zhao\n@example.cn"   # a header injection no message may carry
    db.session.commit()
    monkeypatch.setitem(app.config, "SMTP_URL", mailbox.url)
    tick(app, NOW + timedelta(minutes=1))
    found = _by_address()
    assert found["zhao\n@example.cn"].email_status == "failed"
    assert found["coord@example.cn"].email_status == "sent"


def test_a_participant_who_gets_an_account_is_not_reminded_again(app, make, world,
                                                                 monkeypatch):
    _found, zhao = _drill(make, world)
    _queued_without_smtp(app, monkeypatch)
    before = len(notes("reminder_7d"))
    make.user("staff", "zhao_min", unit_id=world.unit_a.id, person_id=zhao.id)
    frequent(app, NOW + timedelta(hours=1))
    assert len(notes("reminder_7d")) == before


def test_a_shortage_of_equipment_is_told_once_per_quantity(app, world):
    item = equipment.create_equipment(coordinator_of(world.unit_a), world.unit_a, {
        "category": "fire", "name": "灭火器", "quantity": 3, "required_quantity": 10})
    db.session.commit()
    daily(app, NOW)
    daily(app, NOW + DAY)
    rows = notes("equipment_alert")
    assert len(rows) == 1 and rows[0].key.endswith("|3<10")
    assert "灭火器" in rows[0].body and "10" in rows[0].body
    equipment.move(coordinator_of(world.unit_a), item, 2, "补充")
    db.session.commit()
    daily(app, NOW + 2 * DAY)
    assert [n.key.rsplit("|", 1)[1] for n in notes("equipment_alert")] == ["3<10", "5<10"]


def test_a_stock_movement_moves_the_units_feed_watermark(world):
    item = equipment.create_equipment(coordinator_of(world.unit_a), world.unit_a, {
        "category": "fire", "name": "灭火器", "quantity": 3, "required_quantity": 10})
    db.session.commit()

    def version():
        db.session.expire_all()
        return db.session.scalar(sa.select(CalendarWatermark.version).where(
            CalendarWatermark.unit_id == world.unit_a.id))
    before = version()
    equipment.move(coordinator_of(world.unit_a), item, 7, "补充")
    db.session.commit()
    assert version() > before


def test_the_sqlite_leader_lock_lies_beside_the_database(app, tmp_path):
    if db.engine.dialect.name != "sqlite":
        return
    first = Leader(db.engine, str(tmp_path / "one"))
    second = Leader(db.engine, str(tmp_path / "two"))   # another instance folder
    assert first.path == second.path
    assert first.acquire() and not second.acquire()
    first.release()
    assert second.acquire()
    second.release()
