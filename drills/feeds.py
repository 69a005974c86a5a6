"""Calendar feeds (RFC 5545) at secret URLs: a user's own, and a unit's whole.

Calendar apps poll every feed often, so a feed is built once per change of its unit's data
(the watermark) and served from memory until then; its ETag is the hash of its bytes, which
depend only on the data (DTSTAMP and LAST-MODIFIED come from the records, never the clock)."""
import hashlib
import secrets
import time as clock
from collections import OrderedDict
from datetime import datetime, time, timedelta, timezone
from threading import Lock
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import force_locale
from flask_smorest import abort
from icalendar import Calendar, Event
from sqlalchemy.orm import Session, selectinload

from anbao.auth.models import User
from anbao.extensions import db
from anbao.i18n import gettext as _
from drills import recurrence
from drills.labels import drill_label
from drills.models import Activity, CalendarFeed, CalendarWatermark, Occurrence, participants
from drills.service import original_starts, zone_of
from plans.labels import plan_label
from units.models import Person, Unit
from units.service import today_in

WINDOW_DAYS = 90
CACHE_SIZE = 512
PRODID = "-//Anbao//Anbao drills and trainings//ZH"
UTC = ZoneInfo("UTC")
# datetime.timezone.utc: email.utils.format_datetime(usegmt=True) takes no other UTC
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


# The secret URLs

def _feed(kind: str, owner_id: int, language: str) -> CalendarFeed:
    """The feed, made on first request in the language of whoever asked for it."""
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.kind == kind,
                                                           CalendarFeed.owner_id == owner_id))
    if feed is None:
        feed = CalendarFeed(kind=kind, owner_id=owner_id, token=secrets.token_urlsafe(32),
                            language=language)
        db.session.add(feed)
        db.session.flush()
    return feed


def rotate(feed: CalendarFeed) -> CalendarFeed:
    """A new secret for the feed; the old URL answers 404 from now on."""
    feed.token = secrets.token_urlsafe(32)
    db.session.flush()
    return feed


def links(feed: CalendarFeed) -> dict:
    path = url_for("feeds.feed", token=feed.token)
    url = current_app.config["BASE_URL"] + path
    scheme, _sep, rest = url.partition("://")
    return {"url": url, "webcal_url": ("webcals" if scheme == "https" else "webcal")
            + "://" + rest}


def user_feed(user, language: str) -> CalendarFeed:
    if not user.unit_id or user.role not in ("coordinator", "staff"):
        abort(403, message=_("Only people of a unit have a calendar of its drills and "
                             "trainings."))
    return _feed("user", user.id, language)


def unit_feed(unit: Unit, language: str) -> CalendarFeed:
    return _feed("unit", unit.id, language)


# What a feed shows

class View:
    """Whose feed it is: the unit, the language, whether unannounced drills are masked, and
    whose activities (a person's, or all)."""

    def __init__(self, feed: CalendarFeed):
        self.feed = feed
        if feed.kind == "unit":
            self.unit = db.session.get(Unit, feed.owner_id)
            self.user = None
        else:
            self.user = db.session.get(User, feed.owner_id)
            if self.user is None or not self.user.is_active or not self.user.unit_id:
                abort(404)
            self.unit = db.session.get(Unit, self.user.unit_id)
        if self.unit is None:
            abort(404)
        self.staff = self.user is not None and self.user.role == "staff"
        self.person_id = self.user.person_id if self.staff else None
        language = (self.user.language if self.user else None) or feed.language
        self.language = language if language in ("zh_CN", "en") else "zh_CN"


def _activities(view: View) -> list[Activity]:
    first = today_in(view.unit) - timedelta(days=WINDOW_DAYS)
    after = datetime.combine(first, time(), zone_of(view.unit))
    stmt = (sa.select(Activity).where(
        Activity.unit_id == view.unit.id,
        sa.or_(Activity.ends_at >= after, Activity.last_start >= after,
               sa.and_(Activity.rrule.is_not(None), Activity.last_start.is_(None)),
               # an occurrence moved after the series' last start
               Activity.id.in_(sa.select(Occurrence.activity_id).where(
                   Occurrence.unit_id == view.unit.id, Occurrence.ends_at >= after))))
        .order_by(Activity.id).options(selectinload(Activity.key_part)))
    if view.staff:
        if view.person_id is None:
            return []
        stmt = stmt.where(Activity.id.in_(sa.select(participants.c.activity_id).where(
            participants.c.person_id == view.person_id)))
    return db.session.scalars(stmt).all()


class Words:
    """The server-made words of a feed, translated once per build, not once per event."""

    def __init__(self):
        self.busy = _("Busy")
        self.cancelled = _("[Cancelled]")
        self._kinds: dict[tuple, str] = {}

    def summary(self, activity: Activity, masked: bool, cancelled: bool) -> str:
        title = self.busy if masked else activity.title
        return f"{self.cancelled} {title}" if cancelled else title

    def describe(self, activity: Activity) -> str:
        key = (activity.kind, activity.scenario, activity.format, activity.topic)
        line = self._kinds.get(key)
        if line is None:
            parts = [drill_label("kind", activity.kind)]
            if activity.kind == "drill":
                parts += [plan_label("scenario", activity.scenario),
                          drill_label("format", activity.format)]
            else:
                parts.append(drill_label("topic", activity.topic))
            line = self._kinds[key] = " · ".join(str(p) for p in parts if p)
        return f"{line}\n{activity.description}" if activity.description else line


def _event(words: Words, activity: Activity, zone: ZoneInfo, masked: bool, *, start, end,
           status: str, sequence: int, stamp: datetime, original=None) -> Event:
    event = Event()
    event.add("uid", activity.uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("last-modified", stamp.astimezone(UTC))
    event.add("sequence", sequence)
    if original is not None:
        event.add("recurrence-id", original.astimezone(zone))
    event.add("dtstart", start.astimezone(zone))
    event.add("dtend", end.astimezone(zone))
    cancelled = status == "cancelled"
    event.add("summary", words.summary(activity, masked, cancelled))
    if masked:
        event.add("class", "PRIVATE")
    else:
        place = " · ".join(filter(None, (activity.key_part.name if activity.key_part else "",
                                         activity.location)))
        if place:
            event.add("location", place)
        event.add("description", words.describe(activity))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def build(view: View) -> bytes:
    """The feed's bytes, in the owner's language."""
    with force_locale(view.language):
        calendar = Calendar()
        calendar.add("version", "2.0")
        calendar.add("prodid", PRODID)
        calendar.add("method", "PUBLISH")
        name = (_("Drills and trainings · %(unit)s", unit=view.unit.name) if not view.user
                else _("My drills and trainings · %(unit)s", unit=view.unit.name))
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
        calendar.add("x-wr-timezone", view.unit.timezone)
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
        zone = zone_of(view.unit)
        words = Words()
        for activity in _activities(view):
            masked = view.staff and activity.unannounced and activity.status != "completed"
            whole = activity.status
            master = _event(words, activity, zone, masked, start=activity.starts_at,
                            end=activity.ends_at, status=whole, sequence=activity.sequence,
                            stamp=activity.updated_at)
            if activity.rrule:
                master.add("rrule", _rrule(activity, zone))
                # held occurrences that a later change of start or rule left outside the
                # series stay in it (as in /schedule): as RDATEs, which an override may name
                inside = set(original_starts(activity, [e.original_start
                                                         for e in activity.exceptions]))
                for exception in activity.exceptions:
                    if exception.original_start not in inside:
                        master.add("rdate", exception.original_start.astimezone(zone))
            calendar.add_component(master)
            for exception in activity.exceptions if activity.rrule else ():
                if exception.status == "completed" and exception.starts_at == \
                        exception.original_start and whole != "cancelled":
                    continue  # held as planned: the series shows it
                status = "cancelled" if exception.status == "cancelled" or (
                    whole == "cancelled" and exception.status != "completed") else \
                    "scheduled"
                calendar.add_component(_event(
                    words, activity, zone, masked, start=exception.starts_at,
                    end=exception.ends_at, status=status,
                    sequence=max(exception.sequence, activity.sequence),
                    stamp=max(exception.updated_at, activity.updated_at),
                    original=exception.original_start))
        if view.user is not None and view.user.role == "coordinator":
            from compliance import calendar as obligations
            for event in obligations.events(view.unit, obligations.subject_words(view.unit)):
                calendar.add_component(event)
        calendar.add_missing_timezones()
        return calendar.to_ical()


def _rrule(activity: Activity, zone: ZoneInfo):
    """The stored rule as icalendar's value, UNTIL in UTC as RFC 5545 wants with a TZID."""
    from icalendar import vRecur
    return vRecur.from_ical(recurrence.normalise_for_feed(activity.rrule, zone))


# Serving, from memory while nothing changed

_cache: OrderedDict = OrderedDict()
_lock = Lock()


def _state(token: str):
    """In one statement: the feed, its owner's state, the unit's zone and watermark; all a
    cached feed needs to know it is still current."""
    feed, user, person = CalendarFeed.__table__, User.__table__, Person.__table__
    unit, mark = Unit.__table__, CalendarWatermark.__table__
    unit_id = sa.case((feed.c.kind == "unit", feed.c.owner_id), else_=user.c.unit_id)
    return db.session.execute(
        sa.select(feed.c.id, feed.c.kind, feed.c.language, user.c.role, user.c.active,
                  user.c.person_id, user.c.language.label("user_language"), person.c.left_on,
                  unit.c.id.label("unit_id"), unit.c.name.label("unit_name"), unit.c.timezone,
                  mark.c.version, mark.c.changed_at)
        .select_from(feed)
        .outerjoin(user, sa.and_(feed.c.kind == "user", user.c.id == feed.c.owner_id))
        .outerjoin(person, person.c.id == user.c.person_id)
        .join(unit, unit.c.id == unit_id)
        .outerjoin(mark, mark.c.unit_id == unit.c.id)
        .where(feed.c.token == token)).first()


# Checking the state costs a database round trip, as much as sending a large feed from
# memory; a state read within the last FRESH_SECONDS is trusted instead. A commit in this
# process forgets them all, so a change made here shows at once; one made in another process
# or on another host shows within FRESH_SECONDS (calendar apps poll every hour or so).
FRESH_SECONDS = 5.0
_fresh: dict[str, tuple[object, float]] = {}


@sa.event.listens_for(Session, "after_commit")
def _forget_states(session) -> None:
    _fresh.clear()


def _current_state(token: str):
    now = clock.monotonic()
    known = _fresh.get(token)
    if known is not None and now - known[1] < FRESH_SECONDS:
        return known[0]
    row = _state(token)
    if row is not None:
        if len(_fresh) >= CACHE_SIZE:
            _fresh.clear()
        _fresh[token] = (row, now)
    return row


def render(token: str) -> tuple[bytes, str, datetime]:
    """(body, ETag, Last-Modified) of the feed behind the token; 404 for an unknown token."""
    row = _current_state(token)
    if row is None:
        abort(404)
    today = datetime.now(ZoneInfo(row.timezone)).date()
    staff = False
    if row.kind == "user":
        if not row.active or row.role not in ("coordinator", "staff") or (
                row.left_on is not None and row.left_on <= today):
            abort(404)
        staff = row.role == "staff"
    key = (row.id, token, row.unit_id, row.unit_name, row.version or 0, today, staff,
           row.person_id if staff else None, row.user_language or row.language)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    body = build(View(db.session.get(CalendarFeed, row.id)))
    entry = (body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
             row.changed_at or EPOCH)
    with _lock:
        _cache[key] = entry
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return entry
