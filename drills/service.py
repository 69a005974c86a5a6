"""Drills and trainings: scheduling (once or as a series), moving and cancelling occurrences,
the schedule of a unit over a range, and what staff may see of unannounced drills."""
import uuid
from types import SimpleNamespace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_smorest import abort
from sqlalchemy.orm import selectinload

from anbao import scope
from anbao.audit import service as audit
from anbao.extensions import UTCDateTime, db, dialect_insert, utcnow
from anbao.i18n import gettext as _
from drills import recurrence
from drills.labels import drill_label
from drills.models import Activity, CalendarWatermark, Occurrence
from plans.models import Plan
from units.models import KeyPart, Person, Unit

FIELDS = ("kind", "title", "scenario", "plan_id", "format", "topic", "starts_at", "ends_at",
          "location", "key_part_id", "description", "rrule", "unannounced", "status",
          "participant_ids")
# what a calendar shows: a change to any of these raises `sequence`
SHOWN = ("kind", "title", "scenario", "format", "topic", "starts_at", "ends_at", "location",
         "key_part_id", "description", "rrule", "unannounced", "status", "participant_ids")
MAX_RANGE_DAYS = 400
MAX_DURATION = timedelta(days=7)
MAX_PAST = 2000  # occurrences a series may have had before today

scope.allow("activities.write", "coordinator")


def invalid(field: str, message: str):
    abort(422, errors={"json": {field: [message]}})


def zone_of(unit: Unit) -> ZoneInfo:
    return ZoneInfo(unit.timezone)


def touch(unit_id: int) -> None:
    """Something the unit's feeds show changed: move its watermark forward (never back),
    in one statement, so two first changes of a unit at once do not clash."""
    # typed: an untyped aware datetime would be stored converted to the database session's
    # zone (PostgreSQL), not as the naive UTC every UTCDateTime column holds
    now = sa.literal(utcnow(), UTCDateTime)
    table = CalendarWatermark.__table__
    statement = dialect_insert(table).values(unit_id=unit_id, changed_at=now, version=1)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[table.c.unit_id],
        set_={"version": table.c.version + 1,
              "changed_at": sa.case((table.c.changed_at < now, now),
                                    else_=table.c.changed_at)}))


def touch_all() -> None:
    """Every unit's feeds may show something new (a rule interval changed)."""
    now = sa.literal(utcnow(), UTCDateTime)
    table = CalendarWatermark.__table__
    statement = dialect_insert(table).from_select(
        ["unit_id", "changed_at", "version"],
        # WHERE: SQLite reads ON CONFLICT after a bare SELECT as a join's ON
        sa.select(Unit.id, now, sa.literal(1)).where(sa.true()))
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[table.c.unit_id],
        set_={"version": table.c.version + 1,
              "changed_at": sa.case((table.c.changed_at < now, now),
                                    else_=table.c.changed_at)}))


# Reading, and what staff see

def masked_for(actor, activity: Activity) -> bool:
    """Staff see an unannounced drill only as a busy block until its outcome is recorded."""
    return (actor.role == "staff" and activity.unannounced
            and activity.status != "completed")


def activities_query(actor, unit: Unit, filters: dict) -> sa.Select:
    # participants in one statement for the whole page, not one per activity
    stmt = (sa.select(Activity).where(Activity.unit_id == unit.id).order_by(Activity.id)
            .options(selectinload(Activity.people)))
    for field in ("kind", "status"):
        if field in filters:
            stmt = stmt.where(getattr(Activity, field) == filters[field])
    zone = zone_of(unit)
    span = []
    # an occurrence moved before the series' start or after its last start still counts
    moved = sa.select(Occurrence.activity_id).where(Occurrence.unit_id == unit.id)
    if "from" in filters:
        after = datetime.combine(filters["from"], time(), zone)
        # a series may still run: its last start (unknown when unbounded) counts
        span.append(sa.or_(Activity.ends_at >= after, Activity.last_start >= after,
                           sa.and_(Activity.rrule.is_not(None),
                                   Activity.last_start.is_(None))))
        moved = moved.where(Occurrence.starts_at >= after)
    if "to" in filters:
        before = datetime.combine(filters["to"] + timedelta(days=1), time(), zone)
        span.append(Activity.starts_at < before)
        moved = moved.where(Occurrence.starts_at < before)
    if span:
        stmt = stmt.where(sa.or_(sa.and_(*span), Activity.id.in_(moved)))
    return scope.scoped(stmt, Activity, actor)


def get_activity(actor, activity_id: int) -> Activity:
    return scope.get_or_404(Activity, activity_id, actor)


# Checks shared by create and update

def _check_refs(unit: Unit, data: dict) -> None:
    if data.get("key_part_id") is not None:
        part = db.session.get(KeyPart, data["key_part_id"])
        if part is None or part.unit_id != unit.id:
            invalid("key_part_id", _("Not a key part of this unit."))
    if data.get("plan_id") is not None:
        plan = db.session.get(Plan, data["plan_id"])
        if plan is None or plan.unit_id != unit.id:
            invalid("plan_id", _("Not a plan of this unit."))
    ids = data.get("participant_ids")
    if ids:
        known = set(db.session.scalars(sa.select(Person.id).where(
            Person.unit_id == unit.id, Person.id.in_(ids))))
        unknown = [i for i in ids if i not in known]
        if unknown:
            invalid("participant_ids", _("Not people of this unit: %(ids)s.",
                                         ids=", ".join(map(str, unknown))))


def _check_whole(unit: Unit, activity: Activity) -> None:
    """The activity as it would be saved: kind-specific fields, times and rule."""
    if activity.kind == "drill":
        if not activity.scenario:
            invalid("scenario", _("A drill names the scenario it rehearses."))
        if not activity.format:
            invalid("format", _("A drill has a format: tabletop, functional or full scale."))
        if activity.topic:
            invalid("topic", _("Only trainings have a topic."))
        if activity.plan_id is not None:
            plan = db.session.get(Plan, activity.plan_id)
            if plan is not None and plan.scenario != activity.scenario:
                invalid("plan_id", _("The plan is for another scenario."))
    else:
        if not activity.topic:
            invalid("topic", _("A training has a topic."))
        for field in ("scenario", "format", "plan_id"):
            if getattr(activity, field):
                invalid(field, _("Only drills have a scenario, a format and a plan."))
        if activity.unannounced:
            invalid("unannounced", _("Only drills can be unannounced."))
    if activity.ends_at <= activity.starts_at:
        invalid("ends_at", _("The end must come after the start."))
    if activity.ends_at - activity.starts_at > MAX_DURATION:
        invalid("ends_at", _("An activity lasts at most 7 days."))
    activity.last_start = None
    activity.rrule = (activity.rrule or "").strip() or None
    if activity.rrule:
        zone = zone_of(unit)
        try:
            rule = recurrence.parse(activity.rrule, activity.starts_at, zone)
        except recurrence.InvalidRule as err:
            invalid("rrule", str(err))
        # the start is the first occurrence: what a calendar shows for any other start is
        # undefined (RFC 5545 3.8.5.3), and feeds show it as one more occurrence
        start = recurrence.local(activity.starts_at, zone)
        first = rule.after(start, inc=True)
        if first != start:
            invalid("starts_at", _("The start is not one of the days the rule names: its first "
                                   "occurrence would be %(when)s. Choose a start date the rule "
                                   "includes.", when=f"{first:%Y-%m-%d %H:%M}"))
        # every expansion walks from the first start: keep that walk short
        if (utcnow() - activity.starts_at) / recurrence.period(activity.rrule) > MAX_PAST:
            invalid("starts_at", _("The series started too long ago for how often it repeats; "
                                   "start it later and record the earlier ones one by one."))
        last = recurrence.last_start(rule)
        activity.last_start = recurrence.instant(last, zone) if last else None


def _people(ids: list[int]) -> list[Person]:
    if not ids:
        return []
    found = {p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def snapshot(activity: Activity) -> dict:
    return audit.snapshot(activity, FIELDS)


def create_activity(actor, unit: Unit, data: dict) -> Activity:
    scope.authorize(actor, "activities.write")
    data = dict(data)
    ids = data.pop("participant_ids", [])
    _check_refs(unit, {**data, "participant_ids": ids})
    activity = Activity(unit_id=unit.id, unit=unit, uid=f"{uuid.uuid4()}@anbao",
                        status="scheduled", sequence=0,
                        created_by=getattr(actor, "username", "") or "", **data)
    _check_whole(unit, activity)
    activity.people = _people(ids)
    db.session.add(activity)
    db.session.flush()
    touch(unit.id)
    audit.record(actor, "create", "activity", activity.id, unit_id=unit.id,
                 after=snapshot(activity))
    return activity


def bump(activity: Activity) -> None:
    """Raise the sequence in one UPDATE of its own: changes to different occurrences of a
    series at once (two outcomes, a move and a cancel) do not conflict; changes to the
    activity itself were flushed first, with their version check."""
    db.session.flush()
    db.session.execute(
        sa.update(Activity).where(Activity.id == activity.id)
        .values(sequence=Activity.sequence + 1, lock_version=Activity.lock_version + 1,
                updated_at=sa.literal(utcnow(), UTCDateTime))
        .execution_options(synchronize_session=False))
    db.session.expire(activity, ["sequence", "lock_version", "updated_at"])
    touch(activity.unit_id)


def update_activity(actor, activity: Activity, data: dict) -> Activity:
    scope.authorize(actor, "activities.write")
    if activity.status == "cancelled":
        abort(409, message=_("The activity is cancelled; schedule a new one instead."))
    unit = activity.unit
    data = dict(data)
    _check_refs(unit, data)
    # instants in UTC, as stored: the same time given in another offset is no change
    for field in ("starts_at", "ends_at"):
        if data.get(field) is not None:
            data[field] = data[field].astimezone(recurrence.UTC)
    before = snapshot(activity)
    ids = data.pop("participant_ids", None)
    for field, value in data.items():
        setattr(activity, field, value)
    if ids is not None and set(ids) != set(activity.participant_ids):
        activity.people = _people(ids)
    _check_whole(unit, activity)
    after = snapshot(activity)
    if before == after:
        return activity
    if any(before.get(f) != after.get(f) for f in ("starts_at", "rrule")):
        _drop_stale_exceptions(activity)
    if any(before.get(f) != after.get(f) for f in SHOWN):
        bump(activity)
    else:
        activity.updated_at = utcnow()
        touch(activity.unit_id)
    db.session.flush()
    audit.record(actor, "update", "activity", activity.id, unit_id=activity.unit_id,
                 before=before, after=after)
    return activity


def _drop_stale_exceptions(activity: Activity) -> None:
    """A new start or rule names other occurrences: moves and cancellations of the old ones
    go (a completed one keeps its outcome and stays)."""
    starts = None
    for exception in list(activity.exceptions):
        if exception.status == "completed":
            continue
        if starts is None:
            starts = set(original_starts(activity, [e.original_start
                                                     for e in activity.exceptions]))
        if not activity.rrule or exception.original_start not in starts:
            activity.exceptions.remove(exception)
            db.session.delete(exception)


def original_starts(activity: Activity, candidates: list[datetime]) -> list[datetime]:
    """Which of the candidate instants are occurrences of the activity's series."""
    if not activity.rrule or not candidates:
        return []
    zone = zone_of(activity.unit)
    rule = recurrence.parse(activity.rrule, activity.starts_at, zone)
    return [c for c in candidates
            if c in recurrence.starts(rule, zone, c - timedelta(seconds=1),
                                      c + timedelta(seconds=1))]


def occurrence_of(activity: Activity, original: datetime, field: str = "occurrence") -> datetime:
    """The named occurrence of a series (422 on `field` when it is none)."""
    if not activity.rrule:
        invalid(field, _("The activity is not a series; leave out the occurrence."))
    if not original_starts(activity, [original]):
        invalid(field, _("No occurrence of the series starts at %(when)s (give the original "
                         "start, with its offset).", when=original.isoformat()))
    return original


def exception_at(activity: Activity, original: datetime) -> Occurrence:
    """The exception row of an occurrence (made, unsaved, when it has none yet)."""
    for exception in activity.exceptions:
        if exception.original_start == original:
            return exception
    duration = activity.ends_at - activity.starts_at
    exception = Occurrence(activity_id=activity.id, unit_id=activity.unit_id,
                           original_start=original, starts_at=original,
                           ends_at=original + duration, status="scheduled")
    activity.exceptions.append(exception)
    return exception


def cancel(actor, activity: Activity, reason: str, occurrence: datetime | None) -> Activity:
    scope.authorize(actor, "activities.write")
    if activity.status == "cancelled":
        abort(409, message=_("The activity is already cancelled."))
    before = snapshot(activity)
    if occurrence is None:
        if activity.status == "completed":
            abort(409, message=_("The activity was held; it cannot be cancelled."))
        activity.status = "cancelled"
        activity.cancel_reason = reason
    else:
        exception = exception_at(activity, occurrence_of(activity, occurrence))
        if exception.status != "scheduled":
            abort(409, message=_("This occurrence is already %(status)s.",
                                 status=drill_label("status", exception.status)))
        exception.status = "cancelled"
        exception.cancel_reason = reason
    bump(activity)
    if occurrence is not None:
        exception.sequence = activity.sequence
        exception.updated_at = activity.updated_at
    db.session.flush()
    audit.record(actor, "cancel", "activity", activity.id, unit_id=activity.unit_id,
                 before=before, after=snapshot(activity),
                 detail={"reason": reason, "occurrence": occurrence})
    return activity


def move(actor, activity: Activity, original: datetime, starts_at: datetime,
         ends_at: datetime) -> Activity:
    """Move one occurrence of a series to another time."""
    scope.authorize(actor, "activities.write")
    if activity.status == "cancelled":
        abort(409, message=_("The activity is cancelled."))
    if ends_at <= starts_at:
        invalid("ends_at", _("The end must come after the start."))
    if ends_at - starts_at > MAX_DURATION:
        invalid("ends_at", _("An activity lasts at most 7 days."))
    exception = exception_at(activity, occurrence_of(activity, original))
    if exception.status != "scheduled":
        abort(409, message=_("This occurrence is already %(status)s.",
                             status=drill_label("status", exception.status)))
    before = {"starts_at": exception.starts_at, "ends_at": exception.ends_at}
    exception.starts_at, exception.ends_at = starts_at, ends_at
    bump(activity)
    exception.sequence = activity.sequence
    exception.updated_at = activity.updated_at
    db.session.flush()
    audit.record(actor, "move", "activity", activity.id, unit_id=activity.unit_id,
                 before=before, after={"starts_at": starts_at, "ends_at": ends_at},
                 detail={"occurrence": original})
    return activity


# Expansion

def slots(activity: Activity, after: datetime, before: datetime) -> list[recurrence.Slot]:
    """The activity's occurrences starting within [after, before), moves and cancellations
    applied; a wholly cancelled activity's occurrences are all `cancelled`."""
    exceptions = {e.original_start: e for e in activity.exceptions}
    whole = activity.status
    found = []
    if activity.rrule:
        zone = zone_of(activity.unit)
        rule = recurrence.parse(activity.rrule, activity.starts_at, zone)
        # RFC 5545 3.8.5.3: each occurrence lasts exactly as long as the first
        duration = activity.ends_at - activity.starts_at
        # an occurrence moved in from outside the range is found through its exception
        originals = set(recurrence.starts(rule, zone, after, before - timedelta(microseconds=1)))
        originals |= {o for o, e in exceptions.items() if after <= e.starts_at < before}
        for original in sorted(originals):
            exception = exceptions.get(original)
            if exception is not None:
                slot = recurrence.Slot(original, exception.starts_at, exception.ends_at,
                                       exception.status, moved=exception.starts_at != original)
            else:
                end = original + duration
                slot = recurrence.Slot(original, original, end, "scheduled")
            if whole == "cancelled" and slot.status != "completed":
                slot.status = "cancelled"
            if after <= slot.starts_at < before:
                found.append(slot)
    elif after <= activity.starts_at < before:
        found.append(recurrence.Slot(activity.starts_at, activity.starts_at, activity.ends_at,
                                     whole))
    return found


def day_range(unit: Unit, first: date, last: date) -> tuple[datetime, datetime]:
    """Whole days in the unit's zone, both inclusive, as [after, before) instants."""
    zone = zone_of(unit)
    return (datetime.combine(first, time(), zone).astimezone(recurrence.UTC),
            datetime.combine(last + timedelta(days=1), time(), zone).astimezone(recurrence.UTC))


def schedule(actor, unit: Unit, first: date, last: date) -> list[dict]:
    """Every occurrence starting within the days, ordered by start (API.md /schedule)."""
    after, before = day_range(unit, first, last)
    stmt = activities_query(actor, unit, {"from": first, "to": last})
    rows = []
    for activity in db.session.scalars(stmt):
        masked = masked_for(actor, activity)
        for slot in slots(activity, after, before):
            rows.append(SimpleNamespace(
                activity_id=activity.id, occurrence=slot.original, starts_at=slot.starts_at,
                ends_at=slot.ends_at, title=masked_title() if masked else activity.title,
                kind=activity.kind, status=slot.status, activity=activity, moved=slot.moved))
    rows.sort(key=lambda r: (r.starts_at, r.activity_id))
    return rows


def masked_title() -> str:
    return _("Busy (unannounced)")
