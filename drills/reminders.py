"""Reminders of coming occurrences (DESIGN.md §2 Reminders): 7 days and 1 day before each
start, to each participant and to the unit's coordinators; unannounced drills to the
coordinators only; never for a cancelled occurrence. A moved occurrence is reminded again at
its new time: its start is part of the message's key."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from anbao.auth.models import User
from anbao.extensions import db
from anbao.outbox import mail as outbox_mail
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


def _participants(activities: list[Activity]) -> dict[int, outbox.Recipient]:
    """Each participant as a recipient: their account when they have one (in-app, and its
    address or else the person's), else their address; people with neither are not told.
    A participant is always `p<person id>` in the key, account or not, so getting an
    account does not make a reminder new."""
    people = {p.id: p for a in activities if not a.unannounced for p in a.people}
    accounts = {u.person_id: u for u in db.session.scalars(sa.select(User).where(
        User.person_id.in_(list(people)), User.active.is_(True)))}
    found = {}
    for person_id, person in people.items():
        account = accounts.get(person_id)
        if account is not None:
            user = outbox.of_user(account, person.email)
            found[person_id] = outbox.Recipient(f"p{person_id}", user.user_id, user.email,
                                                user.language)
        elif person.email:
            found[person_id] = outbox.of_address(f"p{person_id}", person.email)
    return found


def _on_roster(person, day) -> bool:
    return person.left_on is None or person.left_on > day


def remind(now: datetime) -> int:
    """Queue the reminders due at `now`; the number queued."""
    before = now + EARLY
    activities = _candidates(now, before)
    participants = _participants(activities)
    coordinators = outbox.coordinators({a.unit_id for a in activities})
    queue = outbox.Queue(now)
    for activity in activities:
        zone = zone_of(activity.unit)
        told = coordinators.get(activity.unit_id, [])
        accounts = {r.user_id for r in told}
        for slot in slots(activity, now + TICK, before + TICK):
            if slot.status != "scheduled":
                continue
            early = now < slot.starts_at - LATE
            day = slot.starts_at.astimezone(zone).date()
            recipients = list(told)
            if not activity.unannounced:
                recipients += [participants[p.id] for p in activity.people
                               if p.id in participants and _on_roster(p, day)
                               and participants[p.id].user_id not in accounts - {None}]
            for recipient in recipients:
                queue.add(recipient, "reminder_7d" if early else "reminder_1d",
                          f"activity:{activity.id}",
                          f"{slot.original.isoformat()}@{slot.starts_at.isoformat()}",
                          unit_id=activity.unit_id,
                          # a 7-day reminder not sent before the 1-day one is due is moot
                          expires_at=slot.starts_at - LATE if early else slot.starts_at,
                          link=outbox.link("drills_views.activity", activity_id=activity.id),
                          activity=activity, unit=activity.unit, label=drill_label,
                          starts=slot.starts_at.astimezone(zone),
                          ends=slot.ends_at.astimezone(zone))
    return queue.send()


def still_due(note) -> bool:
    """Whether a queued reminder still holds when its email is about to leave: the activity
    not cancelled, the occurrence still at that time and scheduled, and a participant still
    one of an announced activity."""
    ref, _kind, about, period = note.key.split("|", 3)
    original, _sep, start = period.partition("@")
    activity = db.session.get(Activity, int(about.removeprefix("activity:")))
    if activity is None or activity.status != "scheduled":
        return False
    starts = datetime.fromisoformat(start)
    if not any(slot.original == datetime.fromisoformat(original) and slot.status == "scheduled"
               for slot in slots(activity, starts, starts + TICK)):
        return False
    if ref.startswith("p"):
        return not activity.unannounced and int(ref[1:]) in activity.participant_ids
    return True


for _kind in ("reminder_7d", "reminder_1d"):
    outbox_mail.CHECKS[_kind] = still_due
