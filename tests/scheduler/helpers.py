"""Shared by the scheduler tests: instants in Shanghai, running the jobs as the scheduler
does (each in its own app context and session), reading the outbox, starting `anbao`."""
import os
import re
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from anbao.extensions import db
from anbao.outbox.models import Notification
from anbao.system import stand_in
from drills import outcomes as drill_outcomes
from drills import service as drills
from scheduler import jobs

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
ANBAO = str(Path(sys.executable).parent / "anbao")
# Monday 8 March 2027, 09:00 in Shanghai: the start most tests remind of
START = datetime(2027, 3, 8, 9, 0, tzinfo=SHANGHAI)
DAY, HOUR, SECOND = timedelta(days=1), timedelta(hours=1), timedelta(seconds=1)
REMINDERS = ("reminder_7d", "reminder_1d")


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An instant of that day in Shanghai."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def tick(app, now: datetime) -> dict:
    """`anbao scheduler tick` in this process: every job, then email."""
    db.session.commit()
    done = jobs.tick(app, now)
    db.session.expire_all()
    return done


def frequent(app, now: datetime) -> dict:
    """The reminders job (and email), as the scheduler runs it every minute."""
    db.session.commit()
    done = jobs.frequent(app, now)
    db.session.expire_all()
    return done


def daily(app, now: datetime) -> dict:
    """The daily sweep (obligations, hazards, equipment) and email."""
    db.session.commit()
    done = jobs.daily(app, now)
    db.session.expire_all()
    return done


def notes(*kinds: str, **where) -> list[Notification]:
    """The outbox, in id order: of these kinds (all when none), with these column values."""
    db.session.expire_all()
    stmt = sa.select(Notification).order_by(Notification.id)
    if kinds:
        stmt = stmt.where(Notification.kind.in_(kinds))
    for name, value in where.items():
        stmt = stmt.where(getattr(Notification, name) == value)
    return db.session.scalars(stmt).all()


def coordinator_of(unit):
    return stand_in("coordinator", unit=unit)


def activity(unit, starts_at: datetime = START, minutes: int = 90, people=(), **fields):
    """A drill of the unit, scheduled through the service, committed."""
    data = {"kind": "drill", "title": "防暴恐演练", "scenario": "terror_attack",
            "format": "functional", "starts_at": starts_at,
            "ends_at": starts_at + timedelta(minutes=minutes), "location": "操场",
            "participant_ids": [p.id for p in people], **fields}
    if data["kind"] == "training":
        for name in ("scenario", "format"):
            data.pop(name, None)
    found = drills.create_activity(coordinator_of(unit), unit, data)
    db.session.commit()
    return found


def hold(activity_, occurrence: datetime | None = None, when: datetime | None = None):
    """Record the outcome of the activity (or of one occurrence of a series)."""
    when = when or occurrence or activity_.starts_at
    data = {"held_from": when, "held_to": when + HOUR, "evaluator": "李卫国"}
    if occurrence is not None:
        data["occurrence"] = occurrence
    drill_outcomes.record(coordinator_of(activity_.unit), activity_, data)
    db.session.commit()


def cli_env(app, smtp_url: str = "", **extra) -> dict:
    """The environment of an `anbao` process working on this test's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANBAO_")}
    env.update({
        "ANBAO_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "ANBAO_INSTANCE_PATH": app.instance_path,
        "ANBAO_BASE_URL": app.config["BASE_URL"],
        "ANBAO_SECRET_KEY": app.config["SECRET_KEY"],
        "ANBAO_TIMEZONE": app.config["TIMEZONE"],
        "ANBAO_SMTP_URL": smtp_url,
        "PYTHONUNBUFFERED": "1",
        **{k: str(v) for k, v in extra.items()},
    })
    return env


def wait_for(path: Path, pattern: str, timeout: float, after: int = 0) -> int:
    """Wait until the file (a process's log) matches `pattern` past offset `after`; the
    offset just past the match. Fails with the log when it does not come in time."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace") if path.exists() else ""
        match = re.compile(pattern).search(text, after)
        if match:
            return match.end()
        time.sleep(0.05)
    raise AssertionError(f"no {pattern!r} in {path.name} within {timeout} s:\n{text}")


def stop(process) -> None:
    """Kill a process we started, if it still runs, reap it and close its pipes."""
    if process.poll() is None:
        process.kill()
    process.communicate(timeout=10)


def zh_day(d) -> str:
    """A date as a Chinese message writes it (|day_text in zh_CN): 2027年3月8日."""
    return f"{d.year}年{d.month}月{d.day}日"


def en_day(d) -> str:
    """A date as an English message writes it (|day_text in en): Mar 8, 2027."""
    return f"{d:%b} {d.day}, {d.year}"
