"""Reminders of coming occurrences (DESIGN.md §2 "Reminders"): a tick within
[start − 7 days, start − 1 day) queues the 7-day one, a tick within [start − 1 day, start) the
1-day one, each once per occurrence and start time; to each participant with an email (their
account when they have one) and to the unit's coordinators; a moved occurrence is reminded
again at its new time; cancelled or held ones never; unannounced drills to the coordinators
only. Run as the scheduler runs them (`scheduler.jobs`), each tick in a session of its own."""
from collections import Counter

import pytest
import sqlalchemy as sa

from anbao.extensions import db
from anbao.outbox import service as outbox
from drills import service as drills
from tests.scheduler.helpers import (zh_day, DAY, HOUR, REMINDERS, SECOND, START, UTC, activity,
                                     coordinator_of, frequent, hold, notes, tick)


@pytest.fixture
def people(world, make):
    """Who a drill of unit_a can name: li (person_a, with the staff_a account and an email),
    zhao (an email, no account), wu (neither), and a second coordinator of unit_a."""
    zhao = make.person(world.unit_a, name="赵敏", role="guard", email="zhao@example.cn")
    wu = make.person(world.unit_a, name="吴刚", role="staff")
    second = make.user("coordinator", "coordinator_a2", unit_id=world.unit_a.id,
                       email="chen@example.cn")
    return {"li": world.person_a, "zhao": zhao, "wu": wu, "second": second}


def who(rows) -> Counter:
    """Recipients as (user id or None, email) → how many rows."""
    return Counter((n.user_id, n.email) for n in rows)


def everyone(world, people) -> set:
    return {(world.coordinator_a.id, None), (people["second"].id, "chen@example.cn"),
            (world.staff_a.id, "li@example.cn"), (None, "zhao@example.cn")}


def period(original, starts=None) -> str:
    original = original.astimezone(UTC)
    return f"{original.isoformat()}@{(starts or original).astimezone(UTC).isoformat()}"


# The windows, at their boundaries

WINDOWS = [
    (-7 * DAY - SECOND, None, "a second before the 7-day window"),
    (-7 * DAY, "reminder_7d", "the 7-day window opens"),
    (-3 * DAY, "reminder_7d", "inside the 7-day window"),
    (-DAY - SECOND, "reminder_7d", "the last second of the 7-day window"),
    (-DAY, "reminder_1d", "the 1-day window opens"),
    (-SECOND, "reminder_1d", "the last second before the start"),
    (0 * DAY, None, "at the start"),
    (HOUR, None, "after the start"),
]


@pytest.mark.parametrize("offset, kind", [w[:2] for w in WINDOWS], ids=[w[2] for w in WINDOWS])
def test_a_tick_queues_the_reminder_of_its_window(app, world, people, offset, kind):
    drill = activity(world.unit_a, people=[people["li"], people["zhao"], people["wu"]])
    done = frequent(app, START + offset)
    rows = notes()
    assert done["reminders"] == len(rows)
    if kind is None:
        assert rows == []
        return
    assert {n.kind for n in rows} == {kind}
    # each participant with an email (wu has none) and both coordinators, once each
    assert who(rows) == Counter(everyone(world, people))
    assert all(n.unit_id == world.unit_a.id for n in rows)
    assert {n.key.split("|", 1)[1] for n in rows} == {
        f"{kind}|activity:{drill.id}|{period(START)}"}
    assert all(n.created_at == START + offset for n in rows)
    assert {n.link for n in rows} == {f"/activities/{drill.id}"}


def test_each_reminder_is_queued_once_per_occurrence_however_often_the_scheduler_ticks(
        app, world, people):
    activity(world.unit_a, people=[people["li"], people["zhao"]])
    queued = []
    # every 6 hours from 8 days before the start to a day after it, and each instant twice
    now = START - 8 * DAY
    while now <= START + DAY:
        queued.append(frequent(app, now)["reminders"])
        queued.append(frequent(app, now)["reminders"])
        now += 6 * HOUR
    rows = notes()
    assert sum(queued) == len(rows) == 2 * 4
    assert Counter(n.kind for n in rows) == {"reminder_7d": 4, "reminder_1d": 4}
    for kind in REMINDERS:
        assert set(who(notes(kind))) == everyone(world, people)
    # queued by the first tick inside each window, not later
    assert {n.created_at for n in notes("reminder_7d")} == {START - 7 * DAY}
    assert {n.created_at for n in notes("reminder_1d")} == {START - DAY}


def test_the_whole_tick_twice_at_one_instant_queues_nothing_new(app, world, people):
    activity(world.unit_a, people=[people["li"], people["zhao"]])
    first = tick(app, START - 2 * DAY)
    before = [(n.id, n.key) for n in notes()]
    second = tick(app, START - 2 * DAY)
    assert first["reminders"] == 4
    assert second == {**{name: 0 for name in first}}
    assert [(n.id, n.key) for n in notes()] == before


def test_the_text_names_the_activity_its_unit_place_and_local_time(app, world, people):
    activity(world.unit_a, people=[people["zhao"]], title="防暴恐综合演练", location="东门广场")
    frequent(app, START - 2 * DAY)
    (note,) = notes(email="zhao@example.cn")
    assert "防暴恐综合演练" in note.subject
    for text, when in ((note.body, "2027年3月8日 09:00"), (note.other_body, "Mar 8, 2027 09:00")):
        assert "防暴恐综合演练" in text and "天河实验学校" in text and "东门广场" in text
        # in the unit's zone, not UTC (01:00), as each language writes a date
        assert when in text and "10:30" in text
    assert note.language == "zh_CN"
    assert "演练" in note.body.replace("防暴恐综合演练", "")   # the kind, in Chinese first
    assert "Drill" in note.other_body


# Who is told

def test_a_participant_with_only_an_email_gets_an_email_only_message(app, world, people):
    activity(world.unit_a, people=[people["li"], people["zhao"], people["wu"]])
    frequent(app, START - 2 * DAY)
    (bare,) = notes(email="zhao@example.cn")
    assert bare.user_id is None and bare.channels == ["email"]
    assert bare.email_status == "pending" and bare.next_attempt_at == START - 2 * DAY
    (li,) = notes(user_id=world.staff_a.id)
    # the account of the participant, with the participant's address (the account has none)
    assert li.email == "li@example.cn" and li.channels == ["in_app", "email"]
    (coordinator,) = notes(user_id=world.coordinator_a.id)
    assert coordinator.email is None and coordinator.channels == ["in_app"]
    assert coordinator.email_status == "none" and coordinator.next_attempt_at is None
    # wu has neither an account nor an address: nobody to tell
    assert len(notes()) == 4


def test_an_account_address_wins_over_the_persons(app, world, people):
    world.staff_a.email = "li.weiguo@unit.example.cn"
    db.session.commit()
    activity(world.unit_a, people=[people["li"]])
    frequent(app, START - 2 * DAY)
    (li,) = notes(user_id=world.staff_a.id)
    assert li.email == "li.weiguo@unit.example.cn"


def test_an_unannounced_drill_reminds_the_coordinators_only(app, world, people):
    activity(world.unit_a, people=[people["li"], people["zhao"]], unannounced=True)
    frequent(app, START - 5 * DAY)
    frequent(app, START - 5 * HOUR)
    rows = notes()
    assert Counter(n.kind for n in rows) == {"reminder_7d": 2, "reminder_1d": 2}
    assert set(who(rows)) == {(world.coordinator_a.id, None),
                              (people["second"].id, "chen@example.cn")}
    assert not notes(user_id=world.staff_a.id)
    assert not [n for n in rows if n.email in ("li@example.cn", "zhao@example.cn")]


def test_other_units_coordinators_and_people_who_left_are_not_told(app, world, people):
    people["zhao"].left_on = (START - 3 * DAY).date()
    db.session.commit()
    activity(world.unit_a, people=[people["li"], people["zhao"]])
    frequent(app, START - 2 * DAY)
    rows = notes()
    assert (None, "zhao@example.cn") not in who(rows)
    assert world.coordinator_b.id not in {n.user_id for n in rows}
    assert len(rows) == 3


def test_an_inactive_coordinator_is_not_told(app, world, people):
    people["second"].active = False
    db.session.commit()
    activity(world.unit_a)
    frequent(app, START - 2 * DAY)
    assert {n.user_id for n in notes()} == {world.coordinator_a.id}


# Moves, cancellations, outcomes

def test_a_rescheduled_activity_is_reminded_again_at_its_new_time(app, world, people):
    drill = activity(world.unit_a, people=[people["zhao"]])
    frequent(app, START - 6 * DAY)
    assert len(notes("reminder_7d", email="zhao@example.cn")) == 1
    later = START + 2 * DAY
    drills.update_activity(coordinator_of(world.unit_a), drill,
                           {"starts_at": later, "ends_at": later + HOUR})
    db.session.commit()
    frequent(app, later - 6 * DAY)
    first, again = notes("reminder_7d", email="zhao@example.cn")
    assert first.key.endswith(period(START)) and again.key.endswith(period(later))
    assert "2027年3月10日 09:00" in again.body
    # and the 1-day reminder comes a day before the new start, not the old one
    assert frequent(app, START - HOUR)["reminders"] == 0
    frequent(app, later - DAY)
    (tomorrow,) = notes("reminder_1d", email="zhao@example.cn")
    assert tomorrow.key.endswith(period(later))


def test_a_moved_occurrence_of_a_series_is_reminded_again_at_its_new_time(app, world, people):
    series = activity(world.unit_a, people=[people["zhao"]], rrule="FREQ=WEEKLY;COUNT=4")
    frequent(app, START - 7 * DAY)
    (first,) = notes(email="zhao@example.cn")
    assert first.kind == "reminder_7d" and first.key.endswith(period(START))
    moved_to = START + DAY + 5 * HOUR   # Tuesday 14:00
    drills.move(coordinator_of(world.unit_a), series, START.astimezone(UTC), moved_to,
                moved_to + HOUR)
    db.session.commit()
    frequent(app, moved_to - 7 * DAY)
    rows = notes(email="zhao@example.cn")
    assert [n.kind for n in rows] == ["reminder_7d", "reminder_7d"]
    assert rows[1].key.endswith(period(START, moved_to))
    assert "2027年3月9日 14:00" in rows[1].body
    # its 1-day reminder comes a day before the new time
    frequent(app, START - DAY)
    assert [n.kind for n in notes(email="zhao@example.cn")] == ["reminder_7d"] * 2
    frequent(app, moved_to - DAY)
    (tomorrow,) = notes("reminder_1d", email="zhao@example.cn")
    assert tomorrow.key.endswith(period(START, moved_to))


def test_an_occurrence_moved_into_the_window_from_far_away_is_reminded(app, world, people):
    series = activity(world.unit_a, people=[people["zhao"]], rrule="FREQ=MONTHLY;COUNT=3")
    third = START.replace(month=5)
    drills.move(coordinator_of(world.unit_a), series, third.astimezone(UTC),
                START + 3 * DAY, START + 3 * DAY + HOUR)
    db.session.commit()
    frequent(app, START - 2 * DAY)
    rows = notes(email="zhao@example.cn")
    assert sorted((n.kind, n.key.rsplit("|", 1)[1]) for n in rows) == [
        ("reminder_7d", period(START)), ("reminder_7d", period(third, START + 3 * DAY))]


def test_a_cancelled_occurrence_is_never_reminded(app, world, people):
    series = activity(world.unit_a, people=[people["zhao"]], rrule="FREQ=DAILY;COUNT=3")
    second = START + DAY
    drills.cancel(coordinator_of(world.unit_a), series, "停电", second.astimezone(UTC))
    db.session.commit()
    for now in (START - 7 * DAY, START - DAY, START - HOUR, START + DAY - HOUR,
                START + DAY + HOUR):
        frequent(app, now)
    rows = notes(email="zhao@example.cn")
    assert {n.key.rsplit("|", 1)[1] for n in rows} == {period(START), period(START + 2 * DAY)}
    assert Counter(n.kind for n in rows) == {"reminder_7d": 2, "reminder_1d": 2}


def test_a_cancelled_activity_is_never_reminded(app, world, people):
    drill = activity(world.unit_a, people=[people["li"], people["zhao"]])
    series = activity(world.unit_a, people=[people["zhao"]], rrule="FREQ=DAILY;COUNT=5",
                      title="每日巡查培训", kind="training", topic="skills")
    for cancelled in (drill, series):
        drills.cancel(coordinator_of(world.unit_a), cancelled, "上级通知取消", None)
    db.session.commit()
    for now in (START - 7 * DAY, START - 3 * DAY, START - DAY, START - HOUR, START + 2 * DAY):
        assert frequent(app, now)["reminders"] == 0
    assert notes() == []


def test_an_occurrence_already_held_is_not_reminded(app, world, people):
    series = activity(world.unit_a, people=[people["zhao"]], rrule="FREQ=DAILY;COUNT=3")
    hold(series, (START + DAY).astimezone(UTC), when=START - 3 * DAY)  # held early
    frequent(app, START - DAY)
    rows = notes(email="zhao@example.cn")
    assert {n.key.rsplit("|", 1)[1] for n in rows} == {period(START), period(START + 2 * DAY)}


def test_a_reminder_queued_before_a_cancellation_is_not_repeated(app, world, people):
    """What was queued stays queued (the outbox is a record), but nothing more comes."""
    drill = activity(world.unit_a, people=[people["zhao"]])
    frequent(app, START - 3 * DAY)
    drills.cancel(coordinator_of(world.unit_a), drill, "天气", None)
    db.session.commit()
    frequent(app, START - DAY)
    assert [n.kind for n in notes(email="zhao@example.cn")] == ["reminder_7d"]


# Series

def test_every_occurrence_of_a_series_is_reminded_7_days_and_1_day_before(app, world, people):
    series = activity(world.unit_a, people=[people["zhao"]], rrule="FREQ=WEEKLY;COUNT=3")
    starts = [START + n * 7 * DAY for n in range(3)]
    now = START - 8 * DAY
    while now <= starts[-1] + DAY:   # a tick at 09:00 each day
        frequent(app, now)
        now += DAY
    rows = notes(email="zhao@example.cn")
    assert sorted((n.key.rsplit("|", 1)[1], n.kind) for n in rows) == sorted(
        (period(s), kind) for s in starts for kind in REMINDERS)
    for n in rows:
        start = next(s for s in starts if n.key.endswith(period(s)))
        assert n.created_at == start - (7 * DAY if n.kind == "reminder_7d" else DAY)
        assert f"{zh_day(start)} 09:00" in n.body
    assert {n.key.split("|")[2] for n in rows} == {f"activity:{series.id}"}


def test_a_daily_series_reminds_each_occurrence_inside_one_window(app, world, people):
    activity(world.unit_a, people=[people["zhao"]], rrule="FREQ=DAILY;COUNT=10")
    assert frequent(app, START - DAY)["reminders"] == 7 * 3   # 7 occurrences, 3 recipients
    rows = notes(email="zhao@example.cn")
    assert Counter(n.kind for n in rows) == {"reminder_1d": 1, "reminder_7d": 6}
    assert len({n.key for n in rows}) == 7


def test_an_unbounded_series_keeps_being_reminded(app, world, people):
    activity(world.unit_a, people=[people["zhao"]], rrule="FREQ=MONTHLY")
    late = START.replace(year=2028)
    frequent(app, late - DAY)
    (row,) = notes(email="zhao@example.cn")
    assert row.kind == "reminder_1d" and row.key.endswith(period(late))


# Statements

def _units(make, world, count: int) -> None:
    """`count` units of district A, each with a coordinator, two participants (an account,
    an address), a one-off drill and a weekly series in the coming week."""
    for n in range(count):
        unit = make.unit(world.district_a, name=f"单位{n}")
        person = make.person(unit, name=f"甲{n}", email=f"a{n}@example.cn")
        bare = make.person(unit, name=f"乙{n}", email=f"b{n}@example.cn")
        make.user("coordinator", f"coord_{n}_{count}", unit_id=unit.id)
        make.user("staff", f"staff_{n}_{count}", unit_id=unit.id, person_id=person.id)
        activity(unit, START + n * HOUR, people=[person, bare])
        activity(unit, START + DAY, people=[person, bare], rrule="FREQ=WEEKLY;COUNT=8",
                 kind="training", topic="awareness", title="安全教育")


def _statements(app, monkeypatch, now) -> tuple[int, int, int]:
    """(reads, writes, notify calls) of one reminders run."""
    calls = []
    real = outbox.notify
    monkeypatch.setattr(outbox, "notify", lambda *a, **k: calls.append(1) or real(*a, **k))
    db.session.commit()
    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement.lstrip().split(None, 1)[0].upper())
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        frequent(app, now)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    monkeypatch.undo()
    writes = sum(1 for s in statements if s in ("INSERT", "UPDATE", "DELETE"))
    return len(statements) - writes, writes, len(calls)


def test_the_reminders_job_reads_the_same_for_2_and_10_units(app, world, make, monkeypatch):
    _units(make, world, 2)
    small = _statements(app, monkeypatch, START - 2 * DAY)
    _units(make, world, 8)
    large = _statements(app, monkeypatch, START - 2 * DAY + HOUR)
    # the first two units' reminders are queued already: only the eight new units' are
    # rendered and written
    assert small[2] == 2 * 2 * 3 and large[2] == 8 * 2 * 3
    assert small[1] == small[2] and large[1] == large[2]
    assert small[0] == large[0], (small, large)
    # a run that finds nothing new renders and writes nothing
    idle = _statements(app, monkeypatch, START - 2 * DAY + 2 * HOUR)
    assert idle[1:] == (0, 0) and idle[0] == large[0], idle
