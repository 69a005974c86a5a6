"""Reminders of coming occurrences (DESIGN.md §2 Reminders): 7 days and 1 day before each
start, to each participant and to the unit's coordinators; unannounced drills to the
coordinators only; never for a cancelled occurrence. A moved occurrence is reminded again at
its new time: its start is part of the message's key."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload, selectinload

from anbao.auth.models import User
from anbao.extensions import db
from anbao.outbox import service as outbox
from drills.labels import drill_label
from drills.models import Activity, Occurrence
from drills.service import slots, zone_of

EARLY, LATE = timedelta(days=7), timedelta(days=1)
TICK = timedelta(microseconds=1)


def _candidates(now: datetime, before: datetime) -> list[Activity]:
    """Activities that may start within (now, before]: one-offs, series still running, and
    series with an occurrence moved into the window."""
    moved = sa.select(Occurrence.activity_id).where(Occurrence.starts_at > now,
                                                    Occurrence.starts_at <= before)
    return db.session.scalars(
        sa.select(Activity).where(
            Activity.status == "scheduled",
            sa.or_(sa.and_(Activity.starts_at > now, Activity.starts_at <= before),
                   sa.and_(Activity.rrule.is_not(None), Activity.starts_at <= before,
                           sa.or_(Activity.last_start.is_(None), Activity.last_start > now)),
                   Activity.id.in_(moved)))
        .order_by(Activity.id)
        .options(joinedload(Activity.unit), selectinload(Activity.people))).all()


def _participants(activities: list[Activity], today_of) -> dict[int, outbox.Recipient]:
    """Each participant who has not left, as their account when they have one, else as their
    email address; people with neither are not told."""
    people = {p.id: p for a in activities if not a.unannounced for p in a.people
              if p.left_on is None or p.left_on > today_of(a)}
    accounts = {u.person_id: u for u in db.session.scalars(sa.select(User).where(
        User.person_id.in_(list(people)), User.active.is_(True)))}
    found = {}
    for person_id, person in people.items():
        if person_id in accounts:
            found[person_id] = outbox.of_user(accounts[person_id], person.email)
        elif person.email:
            found[person_id] = outbox.of_address(f"p{person_id}", person.email)
    return found


def remind(now: datetime) -> int:
    """Queue the reminders due at `now`; the number queued."""
    before = now + EARLY
    activities = _candidates(now, before)
    today = {}

    def today_of(activity):
        if activity.unit_id not in today:
            today[activity.unit_id] = now.astimezone(zone_of(activity.unit)).date()
        return today[activity.unit_id]

    participants = _participants(activities, today_of)
    coordinators = outbox.coordinators({a.unit_id for a in activities})
    queued = 0
    for activity in activities:
        for slot in slots(activity, now + TICK, before + TICK):
            if slot.status != "scheduled":
                continue
            kind = "reminder_7d" if now < slot.starts_at - LATE else "reminder_1d"
            told = list(coordinators.get(activity.unit_id, []))
            if not activity.unannounced:
                told += [participants[p.id] for p in activity.people if p.id in participants]
            seen = set()
            zone = zone_of(activity.unit)
            for recipient in told:
                if recipient.ref in seen:
                    continue
                seen.add(recipient.ref)
                queued += outbox.notify(
                    recipient, kind, f"activity:{activity.id}",
                    f"{slot.original.isoformat()}@{slot.starts_at.isoformat()}", now=now,
                    unit_id=activity.unit_id, expires_at=slot.starts_at,
                    link=url_for("drills_views.activity", activity_id=activity.id),
                    activity=activity, unit=activity.unit,
                    label=drill_label, starts=slot.starts_at.astimezone(zone),
                    ends=slot.ends_at.astimezone(zone))
    return queued
