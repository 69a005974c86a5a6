"""The scheduler as processes (DESIGN.md §5 "How it runs"): `anbao scheduler tick --now` runs
every job once and says what it did; two ticks at once in two processes queue and send each
message once; a tick killed while the SMTP server holds its message loses nothing (the claim
runs out and the message goes again with the same Message-ID); only one `anbao scheduler run`
leads at a time and another takes over when it dies.

Every process works on this test's database (the per-worker one of the `app` fixture) and is
killed in a `finally`."""
import re
import signal
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from anbao.extensions import db
from anbao.outbox import mail
from scheduler.leader import Leader
from tests.scheduler.helpers import (ANBAO, DAY, START, activity, cli_env, notes, stop, tick,
                                     wait_for)

NOW = START - 2 * DAY
OUTPUT = re.compile(r"reminders=(\d+) obligations=(\d+) hazards=(\d+) equipment=(\d+) "
                    r"sent=(\d+)")


def counts(output: str) -> dict[str, int]:
    match = OUTPUT.search(output)
    assert match, output
    return dict(zip(("reminders", "obligations", "hazards", "equipment", "sent"),
                    map(int, match.groups())))


def start_tick(app, smtp_url: str, now: datetime, log=subprocess.PIPE) -> subprocess.Popen:
    db.session.commit()
    return subprocess.Popen([ANBAO, "scheduler", "tick", "--now", now.isoformat()],
                            env=cli_env(app, smtp_url), stdout=subprocess.PIPE, stderr=log,
                            text=True)


@pytest.fixture
def crowd(make, world):
    """A drill of unit_a on 8 March 2027 with li and six people known only by address; its
    coordinator has an address too: eight reminders, all by email, for each window."""
    world.coordinator_a.email = "coord@example.cn"
    db.session.commit()
    people = [world.person_a] + [make.person(world.unit_a, name=f"队员{n}",
                                             email=f"member{n}@example.cn") for n in range(6)]
    return activity(world.unit_a, people=people)


# anbao scheduler tick

def test_tick_runs_every_job_once_and_says_what_it_did(app, crowd, mailbox):
    process = start_tick(app, mailbox.url, NOW)
    try:
        out, err = process.communicate(timeout=60)
    finally:
        stop(process)
    assert process.returncode == 0, err
    done = counts(out)
    assert done["reminders"] == 8   # seven participants with an address, the coordinator
    assert done["reminders"] == len(notes("reminder_7d"))
    # obligations and the police's digests
    assert done["obligations"] == len(notes("obligation_due_soon", "obligation_overdue",
                                            "compliance_digest")) > 0
    assert done["sent"] == len(mailbox.received) == len(notes(email_status="sent")) == 8
    # the instant is the one given: the rows were written as of it
    assert {n.created_at for n in notes()} == {NOW}


def test_tick_wants_an_instant_with_an_offset(runner):
    result = runner.invoke(args=["scheduler", "tick", "--now", "2027-03-06T09:00:00"])
    assert result.exit_code == 2 and "offset" in result.output
    result = runner.invoke(args=["scheduler", "tick", "--now", "next monday"])
    assert result.exit_code == 2 and "ISO 8601" in result.output
    assert notes() == []


def test_tick_in_process_takes_an_instant_in_any_offset(runner, crowd):
    result = runner.invoke(args=["scheduler", "tick", "--now", "2027-03-06T01:00:00Z"])
    assert result.exit_code == 0, result.output
    assert counts(result.output)["reminders"] == 8
    assert {n.created_at for n in notes()} == {NOW}


# Two at once

def test_two_ticks_in_two_processes_send_each_message_once(app, crowd, mailbox):
    mailbox.stall = 0.05   # slow enough for both senders to work through the batch together
    processes = [start_tick(app, mailbox.url, NOW) for _ in range(2)]
    try:
        outputs = [p.communicate(timeout=90) for p in processes]
    finally:
        for process in processes:
            stop(process)
    assert [p.returncode for p in processes] == [0, 0], [err for _out, err in outputs]
    done = [counts(out) for out, _err in outputs]
    rows = notes()
    emailed = [n for n in rows if n.email]
    # each message decided once (by one or the other) and sent once
    assert sum(d["reminders"] for d in done) == len(notes("reminder_7d")) == 8
    assert sum(d["obligations"] for d in done) == len(
        notes("obligation_due_soon", "obligation_overdue", "compliance_digest")) > 0
    assert sum(d["sent"] for d in done) == len(emailed) == len(mailbox.received)
    ids = mailbox.by_message_id()
    assert set(ids.values()) == {1}, ids
    assert set(ids) == {mail.message_id(n.key, "anbao.test") for n in emailed}
    assert {(n.email_status, n.attempts) for n in emailed} == {("sent", 1)}


# Killed

def test_a_tick_killed_while_sending_loses_nothing(app, world, make, mailbox):
    zhao = make.person(world.unit_a, name="赵敏", email="zhao@example.cn")
    activity(world.unit_a, people=[zhao])   # the one message by email
    mailbox.stall = 60   # the server keeps the message and does not answer
    process = start_tick(app, mailbox.url, NOW)
    try:
        assert mailbox.arrived.wait(60), "the message never reached the server"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        stop(process)
    (note,) = notes(email="zhao@example.cn")
    # claimed when it died: nobody else sends it while the claim lasts
    assert (note.email_status, note.attempts, note.sent_at) == ("pending", 1, None)
    assert note.claimed_until == NOW + mail.LEASE
    mailbox.stall = 0
    assert tick(app, NOW + timedelta(minutes=1))["sent"] == 0
    assert len(mailbox.received) == 1
    # the claim has run out: it goes again, as the same message
    assert tick(app, NOW + mail.LEASE + timedelta(minutes=1))["sent"] == 1
    (note,) = notes(email="zhao@example.cn")
    assert (note.email_status, note.attempts, note.claimed_until) == ("sent", 2, None)
    messages = mailbox.to("zhao@example.cn")
    assert len(messages) == 2
    assert {m["Message-ID"] for m in messages} == {mail.message_id(note.key, "anbao.test")}
    assert messages[0].get_content() == messages[1].get_content()
    assert tick(app, NOW + timedelta(hours=1))["sent"] == 0
    assert len(mailbox.received) == 2


# The leader

def test_one_leader_at_a_time(app):
    first = Leader(db.engine, app.instance_path)
    second = Leader(db.engine, app.instance_path)
    try:
        assert first.acquire()
        assert not second.acquire()
        assert first.holds() and not second.holds()
        assert not second.acquire()
        first.release()
        assert not first.holds()
        assert second.acquire()
        assert not first.acquire()
    finally:
        first.release()
        second.release()


def test_a_leader_whose_database_connection_breaks_no_longer_leads(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock lives in a PostgreSQL session; on SQLite the lock is "
                    "a file lock that only the holder's death releases")
    first = Leader(db.engine, app.instance_path)
    second = Leader(db.engine, app.instance_path)
    try:
        assert first.acquire()
        pid = first.connection.scalar(sa.text("SELECT pg_backend_pid()"))
        with db.engine.connect() as other:
            assert other.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert not first.holds()
        assert second.acquire()
    finally:
        first.release()
        second.release()


def _run(app, log_path, **settings) -> subprocess.Popen:
    env = cli_env(app, ANBAO_SCHEDULER_POLL="0.2", ANBAO_SCHEDULER_INTERVAL="3600",
                  ANBAO_SCHEDULER_DAILY_AT="03:17", **settings)
    with open(log_path, "wb") as log:
        return subprocess.Popen([ANBAO, "scheduler", "run"], env=env, stdout=log,
                                stderr=subprocess.STDOUT)


def test_a_waiting_scheduler_takes_over_when_the_leader_dies(app, world, tmp_path):
    """Two `anbao scheduler run`: one leads, the other waits; SIGKILL the leader and the
    other leads within seconds (the PostgreSQL server drops a dead session's advisory lock,
    the kernel a dead process's file lock) and runs the jobs at once."""
    now = datetime.now(timezone.utc)
    activity(world.unit_a, starts_at=now + 3 * DAY, people=[world.person_a])
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _run(app, first_log)
    second = None
    try:
        wait_for(first_log, "leader: running the jobs", 30)
        second = _run(app, second_log)
        wait_for(second_log, "waiting: another scheduler is the leader", 30)
        # the leader runs the reminders at once
        deadline = time.monotonic() + 20
        while not notes("reminder_7d") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(notes("reminder_7d")) == 2
        time.sleep(1)
        assert "leader: running" not in second_log.read_text()
        # the leader dies without a word; a new drill is planned meanwhile
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        activity(world.unit_a, starts_at=now + 2 * DAY, title="夜间防盗演练",
                 scenario="theft_robbery", people=[world.person_a])
        killed = time.monotonic()
        wait_for(second_log, "leader: running the jobs", 10)
        assert time.monotonic() - killed < 10
        deadline = time.monotonic() + 20
        while len(notes("reminder_7d")) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(notes("reminder_7d")) == 4
        # stopped politely, it lets go and says so
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
        assert "stopped" in second_log.read_text()
    finally:
        stop(first)
        if second is not None:
            stop(second)
    # the lock is free again
    leader = Leader(db.engine, app.instance_path)
    try:
        assert leader.acquire()
    finally:
        leader.release()


def test_a_leader_that_loses_its_lock_stops_the_jobs_and_leads_again(app, tmp_path):
    """The database drops the leader's lock (its session is terminated): the process notices
    within a poll, stops its jobs and competes for the lock again."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("only a PostgreSQL advisory lock can be taken from a live holder; a file "
                    "lock is held until the holder closes it or dies")
    log = tmp_path / "run.log"
    process = _run(app, log)
    try:
        seen = wait_for(log, "leader: running the jobs", 30)
        with db.engine.connect() as other:
            pid = other.scalar(sa.text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"))
            assert pid is not None
            other.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        seen = wait_for(log, "lost the leader lock", 10, after=seen)
        wait_for(log, "leader: running the jobs", 10, after=seen)
        assert process.poll() is None
    finally:
        stop(process)


def test_tick_fails_when_a_job_fails(app, runner, monkeypatch, crowd):
    monkeypatch.setitem(app.config, "SMTP_URL", "ftp://mail.example.cn")
    result = runner.invoke(args=["scheduler", "tick", "--now", NOW.isoformat()])
    assert result.exit_code == 1
    assert "reminders=8" in result.output and "sent=None" in result.output
    # what the other jobs did is kept
    assert len(notes("reminder_7d")) == 8
