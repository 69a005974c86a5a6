"""Pages of drills and trainings, and the calendar feeds' public route.

The pages: a unit's month calendar with the list of its activities, the activity form with
its recurrence picker, one activity with its occurrences (move, cancel, record the outcome),
the outcome form (演练记录) and its print view, and the calendar subscription pages."""
from datetime import date, datetime, time, timedelta
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import segno
import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from anbao import api as rest
from anbao import scope
from anbao.extensions import db
from anbao.forms import (OMIT, Errors, FormState, Rows, compact, finding_rows, form_bool,
                         form_int, form_text, load_form, long_text, paginate, submit)
from anbao.i18n import in_zone, moment, moment_text
from anbao.schemas import FIRST_DAY, LAST_DAY
from anbao.web import current_locale
from drills import calendar_grid, labels, outcomes, picker, recurrence, service
from drills import feeds as feed_service
from drills.models import KINDS, STATUSES, TOPICS, Activity, Outcome
from drills.schemas import (ActivityQueryArgsSchema, ActivitySchema, ActivityUpdateSchema,
                            CancelSchema, MoveSchema, OutcomeSchema)
from equipment import service as equipment
from equipment.models import Equipment
from hazards.models import SEVERITIES
from plans import service as plans
from plans.models import SCENARIOS, Plan
from units import labels as unit_labels
from units.models import Person, Unit
from units.service import key_parts_query, people_query, today_in

feeds = Blueprint("feeds", __name__)


@feeds.route("/calendar/<token>.ics")
def feed(token: str):
    """The feed for anyone holding the URL; 304 when the client has the current bytes."""
    body, etag, changed_at = feed_service.render(token)
    headers = {"ETag": etag, "Last-Modified": format_datetime(changed_at, usegmt=True),
               "Cache-Control": "private, max-age=0, must-revalidate"}
    given = request.headers.get("If-None-Match", "")
    if etag in [t.strip().removeprefix("W/") for t in given.split(",")] or given.strip() == "*":
        return current_app.response_class(status=304, headers=headers)
    # content_type, not mimetype: Werkzeug adds a charset to a text/* mimetype of its own
    return current_app.response_class(
        body, content_type="text/calendar; charset=utf-8",
        headers={**headers, "Content-Disposition": 'inline; filename="anbao.ics"'})


bp = Blueprint("drills_views", __name__)
bp.app_context_processor(labels.template_labels)

# where the schema's and the service's field names are shown on the forms
FORM_FIELD = {"starts_at": "start_time", "ends_at": "end_time"}
PAST_DAYS = 90        # occurrences shown on an activity's page: this far back ...
AHEAD_DAYS = 366      # ... and this far ahead,
UPCOMING_SHOWN = 12   # at most this many of those to come
PAST_SHOWN = 10       # and of those gone by
OUTCOME_BACK_DAYS = 366  # occurrences an outcome can be recorded for: this far back ...
OUTCOME_AHEAD_DAYS = 62  # ... and this far ahead
OBJECTIVES = Rows("objectives", ("text", "result"), spare=3)
TIMES = Rows("times", ("name", "seconds"), spare=1)
FINDINGS = Rows("findings", ("description", "severity", "owner", "due_date", "plan_review"),
                spare=3)
# measured response times every drill is asked for (names as the API stores them)
SUGGESTED_TIMES = ("alarm_to_police", "lockdown", "evacuation")
TIME_LABELS = {"alarm_to_police": _l("From the alarm to the call to the police (110)"),
               "lockdown": _l("Lockdown: gates and doors closed"),
               "evacuation": _l("Evacuation complete")}
UPCOMING_DAYS = 30


# Shared helpers

def zone_of(unit: Unit) -> ZoneInfo:
    return ZoneInfo(unit.timezone)


def local(unit: Unit, instant: datetime) -> datetime:
    """An instant as wall-clock time in the unit's zone (naive)."""
    return instant.astimezone(zone_of(unit)).replace(tzinfo=None)


def local_iso(unit: Unit, instant: datetime) -> str:
    """An instant as ISO 8601 with the unit's offset: how occurrences are named in forms."""
    return instant.astimezone(zone_of(unit)).isoformat()


def span(unit: Unit, start: datetime, end: datetime) -> str:
    """'Mar 1, 2027 09:00–10:30' (2027年3月1日 09:00–10:30 in Chinese), or both dates when it
    ends on another day: plain text, for messages and options."""
    s, e = in_zone(start, unit), in_zone(end, unit)
    if s.date() == e.date():
        return f"{moment_text(s)}–{e:%H:%M}"
    return f"{moment_text(s)} – {moment_text(e)}"


def span_html(unit: Unit, start: datetime, end: datetime) -> Markup:
    """The span for a page: each end a <time> keeping its ISO value."""
    s, e = in_zone(start, unit), in_zone(end, unit)
    if s.date() == e.date():
        return moment(s) + Markup('–<time datetime="{}">{}</time>').format(
            e.isoformat(timespec="minutes"), f"{e:%H:%M}")
    return moment(s) + Markup(" – ") + moment(e)


def etag_of(activity: Activity) -> str:
    return rest.etag_of(ActivitySchema().dump(activity))


def _date(form, name: str, errors: dict, message: str | None) -> date | None:
    """A date field; `message` when it is empty (None: may be empty)."""
    raw = (form.get(name) or "").strip()
    if not raw:
        if message:
            errors[name] = [message]
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        errors[name] = [_("Enter a date (YYYY-MM-DD).")]
        return None
    return day


def _time(form, name: str, errors: dict, message: str) -> time | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        errors[name] = [message]
        return None
    try:
        return time.fromisoformat(raw).replace(second=0, microsecond=0, tzinfo=None)
    except ValueError:
        errors[name] = [_("Enter a time (HH:MM).")]
        return None


def _moment(form, name: str, zone: ZoneInfo, errors: dict) -> str | None:
    """A datetime-local field (2027-03-01T09:00) as ISO 8601 with the zone's offset."""
    raw = (form.get(name) or "").strip()
    if not raw:
        errors[name] = [_("Enter the date and time.")]
        return None
    try:
        wall = datetime.fromisoformat(raw)
    except ValueError:
        errors[name] = [_("Enter a date and time (YYYY-MM-DD HH:MM).")]
        return None
    return wall.replace(tzinfo=zone, second=0, microsecond=0).isoformat() \
        if wall.tzinfo is None else wall.isoformat()


def _when(form, zone: ZoneInfo, errors: dict) -> tuple[str | None, str | None]:
    """Date, start and end time (and an end date when it ends on a later day) as the two
    ISO instants the API takes."""
    day = _date(form, "date", errors, _("Enter the date."))
    start = _time(form, "start_time", errors, _("Enter the start time."))
    end = _time(form, "end_time", errors, _("Enter the end time."))
    end_day = _date(form, "end_date", errors, None) or day
    starts = datetime.combine(day, start, zone).isoformat() if day and start else None
    ends = datetime.combine(end_day, end, zone).isoformat() if end_day and end else None
    return starts, ends


def _renamed(errors: Errors, rename: dict | None = None) -> Errors:
    """The errors keyed by the form's field names (starts_at → start_time ...)."""
    rename = {**FORM_FIELD, **(rename or {})}
    result: dict[str, list[str]] = {}
    for key, messages in errors.items():
        result.setdefault(rename.get(key, key), []).extend(messages)
    return Errors(result, errors.status) if result else Errors()


def _load(schema, data: dict, own: dict, covers: dict | None = None):
    """Load `data` with the API's schema and add the form's own errors; a schema error on a
    field the form already flagged by its parts (`covers`: field → parts) is left out."""
    loaded, errors = load_form(schema, data)
    merged: dict[str, list[str]] = {}
    flagged = {field for field, parts in (covers or {}).items() if set(parts) & set(own)}
    for key, messages in errors.items():
        if key.split("-")[0] not in flagged:
            merged.setdefault(key, []).extend(messages)
    for key, messages in own.items():
        merged[key] = list(messages)
    if merged:
        return None, Errors(merged)
    return loaded, Errors()


WHEN_PARTS = {"starts_at": ("date", "start_time"), "ends_at": ("date", "end_time", "end_date")}


def _people(unit: Unit, extra_ids=()) -> list[tuple[str, object, list[Person]]]:
    """The unit's current people (and those named in `extra_ids`) grouped by role."""
    people = list(db.session.scalars(people_query(current_user, unit)))
    known = {p.id for p in people}
    missing = [i for i in extra_ids if i not in known]
    if missing:
        people += db.session.scalars(sa.select(Person).where(
            Person.unit_id == unit.id, Person.id.in_(missing)).order_by(Person.id)).all()
    groups = []
    for role, label in unit_labels.PERSON_ROLE_LABELS.items():
        members = [p for p in people if p.role == role]
        if members:
            groups.append((role, label, members))
    others = [p for p in people if p.role not in unit_labels.PERSON_ROLE_LABELS]
    if others:
        groups.append(("other", _("Others"), others))
    return groups


def _ids(form, name: str) -> list[int]:
    return [int(v) for v in form.getlist(name) if v.isdigit() and len(v) < 11]


def _may_write() -> bool:
    return scope.may(current_user, "activities.write")


def _has_feed() -> bool:
    return bool(current_user.unit_id) and current_user.role in ("coordinator", "staff")


@bp.app_context_processor
def drill_helpers() -> dict:
    def upcoming(unit: Unit) -> int:
        """Occurrences still to be held in the unit's next 30 days."""
        today = today_in(unit)
        return sum(1 for row in service.schedule(current_user, unit, today,
                                                 today + timedelta(days=UPCOMING_DAYS))
                   if row.status == "scheduled")
    return {"unit_upcoming_activities": upcoming, "drill_span": span_html,
            "drill_span_text": span, "weekday_labels": picker.WEEKDAY_LABELS}


# The unit's calendar and list

def _filters() -> dict:
    raw = compact({"kind": form_text(request.args, "kind", blank=OMIT),
                   "status": form_text(request.args, "status", blank=OMIT)})
    data, errors = load_form(ActivityQueryArgsSchema(), raw)
    if errors:
        data, _errors = load_form(ActivityQueryArgsSchema(),
                                  {k: v for k, v in raw.items() if k not in errors})
    return data or {}


def _next_start(activity: Activity, now: datetime) -> datetime | None:
    """The start of the activity's next occurrence still to be held, within a year."""
    if activity.status != "scheduled":
        return None
    for slot in service.slots(activity, now, now + timedelta(days=AHEAD_DAYS)):
        if slot.status == "scheduled":
            return slot.starts_at
    return None


@bp.route("/units/<int:unit_id>/activities")
@login_required
def activities(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    today = today_in(unit)
    month = calendar_grid.month_of(request.args.get("month"), today)
    filters = _filters()
    stmt = service.activities_query(current_user, unit, filters).order_by(None) \
        .order_by(Activity.starts_at.desc(), Activity.id.desc())
    page = paginate(stmt)
    now = datetime.now(recurrence.UTC)
    zone = zone_of(unit)
    return render_template(
        "drills/calendar.html", unit=unit, today=today, grid=calendar_grid.build(
            current_user, unit, month, today), page=page, filters=filters,
        filtered=bool(filters), args=dict(filters), kinds=KINDS, statuses=STATUSES,
        masked=lambda a: service.masked_for(current_user, a),
        masked_title=service.masked_title(),
        next_start=lambda a: _next_start(a, now),
        rule_text=lambda a: picker.describe(a.rrule, local(unit, a.starts_at).date(), zone),
        may_write=_may_write(), has_feed=_has_feed())


# The activity form

def _activity_data(form, unit: Unit, *, creating: bool) -> tuple[dict, dict]:
    """The form as the JSON body the API takes, and the form's own errors (dates, times,
    the recurrence picker). Fields of the other kind are cleared."""
    errors: dict[str, list[str]] = {}
    zone = zone_of(unit)
    kind = form_text(form, "kind", blank=OMIT)
    drill, training = kind == "drill", kind == "training"
    starts, ends = _when(form, zone, errors)
    rule, rule_errors = picker.to_rrule(form, zone)
    errors.update(rule_errors)
    data = {"kind": kind,
            "title": form_text(form, "title", blank=OMIT if creating else ""),
            "scenario": form_text(form, "scenario") if drill else None,
            "format": form_text(form, "format") if drill else None,
            "plan_id": form_int(form, "plan_id") if drill else None,
            "unannounced": form_bool(form, "unannounced") if drill else False,
            "topic": form_text(form, "topic") if training else None,
            "starts_at": starts or OMIT, "ends_at": ends or OMIT,
            "location": form_text(form, "location", blank=""),
            "key_part_id": form_int(form, "key_part_id"),
            "description": long_text(form, "description", blank=""),
            "participant_ids": _ids(form, "participant_ids"),
            "rrule": OMIT if rule_errors else rule}
    return compact(data), errors


def _rule_fits(unit: Unit, data: dict) -> Errors:
    """A series starts on one of its occurrences (RFC 5545 says what a calendar shows for any
    other start is undefined): else an error on the date naming the first occurrence."""
    if not data.get("rrule") or "starts_at" not in data:
        return Errors()
    zone = zone_of(unit)
    try:
        rule = recurrence.parse(data["rrule"], data["starts_at"], zone)
    except recurrence.InvalidRule:
        return Errors()  # the service names what is wrong with it
    start = recurrence.local(data["starts_at"], zone)
    first = rule.after(start, inc=True)
    if first is None or first == start:
        return Errors()
    return Errors({"date": [_("The start is not one of the days the rule names: its first "
                              "occurrence would be %(when)s. Choose a start date the rule "
                              "includes.", when=moment_text(first))]})


def _activity_values(activity: Activity) -> dict:
    unit = activity.unit
    s, e = local(unit, activity.starts_at), local(unit, activity.ends_at)
    values = {"kind": activity.kind, "title": activity.title,
              "scenario": activity.scenario or "", "format": activity.format or "",
              "plan_id": activity.plan_id or "", "topic": activity.topic or "",
              "unannounced": activity.unannounced, "location": activity.location,
              "key_part_id": activity.key_part_id or "", "description": activity.description,
              "participant_ids": [str(i) for i in activity.participant_ids],
              "date": s.date().isoformat(), "start_time": f"{s:%H:%M}",
              "end_time": f"{e:%H:%M}",
              "end_date": e.date().isoformat() if e.date() != s.date() else ""}
    values.update(picker.from_rrule(activity.rrule, s.date(), zone_of(unit)))
    return values


def _render_form(unit: Unit, activity: Activity | None, state: FormState,
                 etag: str | None = None):
    parts = db.session.scalars(key_parts_query(current_user, unit)).all()
    plan_rows = [p for p in db.session.scalars(plans.plans_query(current_user, unit, {}))
                 if p.status in ("approved", "draft") or (activity and p.id == activity.plan_id)]
    chosen = [int(i) for i in state.values_of("participant_ids") if str(i).isdigit()]
    return render_template(
        "drills/form.html", unit=unit, activity=activity, form=state, etag=etag,
        key_part_options=[(p.id, p.name) for p in parts], plans=plan_rows,
        people_groups=_people(unit, chosen), picker=picker,
        today=today_in(unit)), state.status


@bp.route("/units/<int:unit_id>/activities/new", methods=["GET", "POST"])
@login_required
def activity_new(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    scope.authorize(current_user, "activities.write")
    if request.method == "GET":
        kind = request.args.get("kind")
        try:
            day = date.fromisoformat(request.args.get("date") or "")
        except ValueError:
            day = today_in(unit) + timedelta(days=7)
        values = {**picker.defaults(day), "kind": kind if kind in KINDS else "drill",
                  "date": day.isoformat(), "start_time": "09:00", "end_time": "10:00",
                  "format": "functional" if kind != "training" else ""}
        # a next step of the compliance dashboard names the scenario or topic it wants
        if request.args.get("scenario") in SCENARIOS:
            values["scenario"] = request.args["scenario"]
        if request.args.get("topic") in TOPICS:
            values["topic"] = request.args["topic"]
        return _render_form(unit, None, FormState(values))
    data, own = _activity_data(request.form, unit, creating=True)
    loaded, errors = _load(ActivitySchema(), data, own, WHEN_PARTS)
    if not errors:
        errors = _rule_fits(unit, loaded)
    if not errors:
        activity, errors = submit(service.create_activity, current_user, unit, loaded)
        if not errors:
            flash(_("“%(title)s” scheduled.", title=activity.title), "success")
            return redirect(url_for("drills_views.activity", activity_id=activity.id))
    return _render_form(unit, None, FormState(request.form, _renamed(errors)))


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@login_required
def activity_edit(activity_id: int):
    activity = service.get_activity(current_user, activity_id)
    scope.authorize(current_user, "activities.write")
    if activity.status == "cancelled":
        flash(_("The activity is cancelled and can no longer be changed; schedule a new one "
                "instead."), "error")
        return redirect(url_for("drills_views.activity", activity_id=activity.id))
    unit = activity.unit
    current = etag_of(activity)
    state = FormState(_activity_values(activity))
    if request.method == "POST":
        data, own = _activity_data(request.form, unit, creating=False)
        if "rrule" in data and activity.rrule:
            # the picker's spelling of the stored rule is the stored rule: keep its text, so
            # an edit of the title leaves moved and cancelled occurrences alone
            start = local(unit, activity.starts_at).date()
            same, _errors = picker.to_rrule(
                picker.from_rrule(activity.rrule, start, zone_of(unit)), zone_of(unit))
            if data["rrule"] == same:
                data["rrule"] = activity.rrule
        loaded, errors = _load(ActivityUpdateSchema(), data, own, WHEN_PARTS)
        if not errors and (loaded.get("rrule") != activity.rrule
                           or loaded.get("starts_at") != activity.starts_at):
            errors = _rule_fits(unit, loaded)
        if not errors and request.form.get("etag") != current:
            errors = Errors({"_form": [_("Someone else changed this activity meanwhile. Your "
                                         "input is kept below: check the current values "
                                         "and save again.")]}, 409)
            flash(errors["_form"][0], "error")
        if not errors:
            saved, errors = submit(service.update_activity, current_user, activity, loaded)
            if not errors:
                flash(_("Changes to “%(title)s” saved.", title=saved.title), "success")
                return redirect(url_for("drills_views.activity", activity_id=saved.id))
            activity = db.session.get(Activity, activity_id)
            current = etag_of(activity)
        state = FormState(request.form, _renamed(errors))
    return _render_form(unit, activity, state, etag=current)


# One activity: details, occurrences and their actions, outcomes

def _slots(activity: Activity) -> list[recurrence.Slot]:
    """The occurrences shown: the last ones gone by and the next ones to come (all of a
    single activity's one)."""
    if not activity.rrule:
        return [recurrence.Slot(activity.starts_at, activity.starts_at, activity.ends_at,
                                activity.status)]
    unit = activity.unit
    today = today_in(unit)
    after, _end = service.day_range(unit, today - timedelta(days=PAST_DAYS), today)
    begins = max(today, local(unit, activity.starts_at).date())
    _start, before = service.day_range(unit, begins, begins + timedelta(days=AHEAD_DAYS))
    now = datetime.now(recurrence.UTC)
    found = service.slots(activity, after, before)
    past = [s for s in found if s.starts_at < now][-PAST_SHOWN:]
    coming = [s for s in found if s.starts_at >= now][:UPCOMING_SHOWN]
    return past + coming


def _outcome_of(activity: Activity, found: list[Outcome]):
    """Which outcome belongs to an occurrence (by its original start)."""
    if not activity.rrule:
        single = next(iter(found), None)
        return lambda slot: single
    by_start = {o.occurrence: o for o in found if o.occurrence is not None}
    return lambda slot: by_start.get(slot.original)


def _render_activity(activity: Activity, forms: dict | None = None):
    """The page, `forms` holding the state of a form sent with errors: key `move:<iso>`,
    `cancel:<iso>` or `cancel:` (the whole activity)."""
    unit = activity.unit
    forms = forms or {}
    masked = service.masked_for(current_user, activity)
    found = [] if masked else outcomes.outcomes(activity)
    outcome_of = _outcome_of(activity, found)
    now = datetime.now(recurrence.UTC)
    reasons = {e.original_start: e.cancel_reason for e in activity.exceptions
               if e.status == "cancelled"}
    rows = []
    for slot in _slots(activity):
        iso = local_iso(unit, slot.original)
        s, e = local(unit, slot.starts_at), local(unit, slot.ends_at)
        move = forms.get(f"move:{iso}") or FormState({
            "date": s.date().isoformat(), "start_time": f"{s:%H:%M}", "end_time": f"{e:%H:%M}",
            "end_date": e.date().isoformat() if e.date() != s.date() else ""})
        rows.append({"slot": slot, "iso": iso, "starts": s, "ends": e,
                     "past": slot.starts_at < now, "outcome": outcome_of(slot),
                     "recordable": slot.starts_at < now + timedelta(days=OUTCOME_AHEAD_DAYS),
                     "original": local(unit, slot.original), "move": move,
                     "reason": "" if masked else reasons.get(slot.original, ""),
                     "cancel": forms.get(f"cancel:{iso}") or FormState()})
    # a form sent for an occurrence not shown (any more): its messages go on top
    shown = {f"{kind}:{row['iso']}" for row in rows for kind in ("move", "cancel")} | {"cancel:"}
    orphans = [message for key, state in forms.items() if key not in shown
               and state.status == 422 for messages in state.errors.values()
               for message in messages]
    hazards_by_outcome = {o.id: o.hazard_ids for o in found}
    people = [] if masked else activity.people
    zone = zone_of(unit)
    status = max([f.status for f in forms.values()] or [200])
    return render_template(
        "drills/detail.html", activity=activity, unit=unit, masked=masked,
        title=service.masked_title() if masked else activity.title, rows=rows,
        outcomes=found, hazards_by_outcome=hazards_by_outcome, people=people, orphans=orphans,
        rule_text=picker.describe(activity.rrule, local(unit, activity.starts_at).date(),
                                  zone),
        cancel_whole=forms.get("cancel:") or FormState(), may_write=_may_write(),
        etag=etag_of(activity), today=today_in(unit),
        may_read_hazards=scope.may(current_user, "hazards.read")), status


@bp.route("/activities/<int:activity_id>")
@login_required
def activity(activity_id: int):
    return _render_activity(service.get_activity(current_user, activity_id))


def _back(activity_id: int, anchor: str | None = None):
    return redirect(url_for("drills_views.activity", activity_id=activity_id, _anchor=anchor))


@bp.route("/activities/<int:activity_id>/move", methods=["POST"])
@login_required
def occurrence_move(activity_id: int):
    """Move one occurrence of a series to another day or time."""
    activity = service.get_activity(current_user, activity_id)
    scope.authorize(current_user, "activities.write")
    unit = activity.unit
    own: dict[str, list[str]] = {}
    starts, ends = _when(request.form, zone_of(unit), own)
    occurrence = form_text(request.form, "occurrence", blank="")
    data = compact({"occurrence": occurrence or OMIT, "starts_at": starts or OMIT,
                    "ends_at": ends or OMIT})
    loaded, errors = _load(MoveSchema(), data, own, WHEN_PARTS)
    if not errors:
        _result, errors = submit(service.move, current_user, activity, loaded["occurrence"],
                                 loaded["starts_at"], loaded["ends_at"])
        if not errors:
            flash(_("The occurrence of %(original)s now takes place %(when)s.",
                    original=moment_text(local(unit, loaded["occurrence"])),
                    when=span(unit, loaded["starts_at"], loaded["ends_at"])), "success")
            return _back(activity_id, "occurrences")
        activity = db.session.get(Activity, activity_id)
    return _render_activity(activity, {f"move:{occurrence}": FormState(request.form,
                                                                        _renamed(errors))})


@bp.route("/activities/<int:activity_id>/cancel", methods=["POST"])
@login_required
def activity_cancel(activity_id: int):
    """Cancel one occurrence of a series (`occurrence` given) or the whole activity."""
    activity = service.get_activity(current_user, activity_id)
    scope.authorize(current_user, "activities.write")
    unit = activity.unit
    occurrence = form_text(request.form, "occurrence", blank="")
    data, errors = load_form(CancelSchema(), compact({
        "reason": long_text(request.form, "reason", blank=OMIT),
        "occurrence": occurrence or OMIT}))
    if not errors:
        _result, errors = submit(service.cancel, current_user, activity, data["reason"],
                                 data.get("occurrence"))
        if not errors:
            if data.get("occurrence") is not None:
                flash(_("The occurrence of %(when)s is cancelled.",
                        when=moment_text(local(unit, data["occurrence"]))), "success")
                return _back(activity_id, "occurrences")
            flash(_("“%(title)s” is cancelled.", title=activity.title), "success")
            return _back(activity_id)
        activity = db.session.get(Activity, activity_id)
    return _render_activity(activity, {f"cancel:{occurrence}": FormState(request.form,
                                                                          errors)})


# The outcome form (演练记录)

def _open_slots(activity: Activity) -> list[recurrence.Slot]:
    """Occurrences of a series an outcome can be recorded for: held or due within the
    window, neither cancelled nor recorded yet; newest first."""
    unit = activity.unit
    today = today_in(unit)
    after, _end = service.day_range(unit, today - timedelta(days=OUTCOME_BACK_DAYS), today)
    _start, before = service.day_range(unit, today, today + timedelta(days=OUTCOME_AHEAD_DAYS))
    return [s for s in reversed(service.slots(activity, after, before))
            if s.status == "scheduled"]


def _parse_instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        found = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        return None
    return found if found.tzinfo is not None else None


def _chosen_slot(activity: Activity, choices: list, value: str | None):
    """The slot named by `value` (an original start), else the last one held, else the next."""
    wanted = _parse_instant(value)
    for slot in choices:
        if wanted is not None and slot.original == wanted:
            return slot
    now = datetime.now(recurrence.UTC)
    held = [s for s in choices if s.starts_at <= now]
    return held[0] if held else (choices[-1] if choices else None)


def _plan_equipment(activity: Activity) -> list[Equipment]:
    if activity.plan is None:
        return []
    return equipment.linked([activity.plan])[activity.plan.id]


def _time_rows(form) -> list[tuple[int, dict]]:
    """The filled response time rows with their row numbers: those with seconds, and those
    naming a measurement of their own (a suggested name alone is an empty row)."""
    rows = []
    for i in TIMES.indices(form):
        row = {f: form_text(form, f"times-{i}-{f}", blank="") for f in TIMES.fields}
        if row["seconds"] or (row["name"] and row["name"] not in SUGGESTED_TIMES):
            rows.append((i, row))
    return rows


def _objective_rows(form) -> list[dict]:
    rows = []
    for i in OBJECTIVES.indices(form):
        row = {"text": long_text(form, f"objectives-{i}-text", blank=""),
               "result": form_text(form, f"objectives-{i}-result", blank="")}
        if row["text"] or row["result"]:
            rows.append(row)
    return rows


def _outcome_data(form, activity: Activity, items: list[Equipment]):
    """The form as the API's outcome body, the form's own errors, and how to name the
    schema's errors on the form (response time names → rows, checks → items)."""
    unit = activity.unit
    zone = zone_of(unit)
    own: dict[str, list[str]] = {}
    rename: dict[str, str] = {}
    held_from = _moment(form, "held_from", zone, own)
    held_to = _moment(form, "held_to", zone, own)

    objectives = [compact({"text": r["text"] or OMIT, "result": r["result"] or OMIT})
                  for r in _objective_rows(form)]

    times: dict[str, object] = {}
    for i, row in _time_rows(form):
        name, seconds = row["name"], row["seconds"]
        if not name:
            own[f"times-{i}-name"] = [_("Name what was measured.")]
        elif name in times:
            own[f"times-{i}-name"] = [_("Each name once.")]
        elif not seconds:
            own[f"times-{i}-seconds"] = [_("Enter the seconds.")]
        else:
            times[name] = form_int(row, "seconds")  # not a number: the schema says so
            rename[f"response_times-{name}-value"] = f"times-{i}-seconds"
            rename[f"response_times-{name}-key"] = f"times-{i}-name"

    checks = []
    for item in items:
        worked = form.get(f"eq-{item.id}-worked")
        if worked not in ("yes", "no"):
            continue
        n = len(checks)
        checks.append({"equipment_id": item.id, "worked": worked == "yes",
                       "note": form_text(form, f"eq-{item.id}-note", blank="")})
        for field in ("worked", "note", "equipment_id"):
            rename[f"equipment_checks-{n}-{field}"] = f"eq-{item.id}-{field}"

    findings = []
    for row in finding_rows(form, FINDINGS, "plan_review"):
        finding = compact({"description": row["description"] or OMIT,
                           "severity": row["severity"] or OMIT,
                           "owner": row["owner"] or None, "due_date": row["due_date"] or None})
        if row.get("plan_review"):
            finding["plan_review"] = True
        findings.append(finding)

    data = compact({
        "occurrence": form_text(form, "occurrence", blank=OMIT) if activity.rrule else OMIT,
        "held_from": held_from or OMIT, "held_to": held_to or OMIT,
        "attendee_ids": _ids(form, "attendee_ids"),
        "participants_count": form_int(form, "participants_count", blank=OMIT),
        "objectives": objectives, "response_times": times, "equipment_checks": checks,
        "findings": findings,
        "noteworthy": long_text(form, "noteworthy", blank=""),
        "summary": long_text(form, "summary", blank=""),
        "evaluator": form_text(form, "evaluator", blank="")})
    return data, own, rename


def _outcome_values(form) -> dict:
    """The form's values to show again: objective and finding rows renumbered as the schema
    numbers its errors; response time rows as they were (their errors follow their rows)."""
    values = OBJECTIVES.submitted(form, _objective_rows(form))
    return FINDINGS.submitted(values, finding_rows(form, FINDINGS, "plan_review"))


def _time_row_count(values) -> int:
    """The suggested rows, the rows used, and one empty row to add a measurement."""
    used = [i for i in TIMES.indices(values)
            if values.get(f"times-{i}-seconds") or values.get(f"times-{i}-name")
            not in (None, "", *SUGGESTED_TIMES)]
    return max([len(SUGGESTED_TIMES), *(i + 1 for i in used)]) + 1


def _render_outcome_form(activity: Activity, state: FormState, choices: list, items: list):
    unit = activity.unit
    chosen = [int(i) for i in state.values_of("attendee_ids") if str(i).isdigit()]
    return render_template(
        "drills/outcome_form.html", activity=activity, unit=unit, form=state,
        choices=[(local_iso(unit, s.original), s) for s in choices], items=items,
        people_groups=_people(unit, chosen + activity.participant_ids),
        objective_rows=range(OBJECTIVES.count(state.values)),
        time_rows=range(_time_row_count(state.values)),
        finding_rows=range(FINDINGS.count(state.values)), suggested=SUGGESTED_TIMES,
        time_labels=TIME_LABELS, severities=SEVERITIES), state.status


@bp.route("/activities/<int:activity_id>/outcomes/new", methods=["GET", "POST"])
@login_required
def outcome_new(activity_id: int):
    activity = service.get_activity(current_user, activity_id)
    scope.authorize(current_user, "activities.write")
    if activity.status == "cancelled":
        flash(_("The activity was cancelled; there is no outcome to record."), "error")
        return _back(activity_id)
    if not activity.rrule and activity.status == "completed":
        flash(_("An outcome is already recorded for this activity."), "error")
        return _back(activity_id, "outcomes")
    unit = activity.unit
    choices = _open_slots(activity) if activity.rrule else []
    items = _plan_equipment(activity)
    if request.method == "GET":
        slot = _chosen_slot(activity, choices, request.args.get("occurrence")) \
            if activity.rrule else recurrence.Slot(activity.starts_at, activity.starts_at,
                                                   activity.ends_at, activity.status)
        values = {"attendee_ids": [str(i) for i in activity.participant_ids],
                  "evaluator": current_user.display_name or ""}
        if slot is not None:
            values.update(occurrence=local_iso(unit, slot.original),
                          held_from=f"{local(unit, slot.starts_at):%Y-%m-%dT%H:%M}",
                          held_to=f"{local(unit, slot.ends_at):%Y-%m-%dT%H:%M}")
        for i, name in enumerate(SUGGESTED_TIMES):
            values[f"times-{i}-name"] = name
        return _render_outcome_form(activity, FormState(values), choices, items)
    data, own, rename = _outcome_data(request.form, activity, items)
    loaded, errors = _load(OutcomeSchema(), data, own)
    if not errors:
        outcome, errors = submit(outcomes.record, current_user, activity, loaded)
        if not errors:
            count = len(outcome.hazard_ids)
            flash(_("Outcome recorded.") + " " + (
                _("%(count)s hazards were added to the hazard ledger.", count=count) if count
                else _("No hazard was added to the hazard ledger.")), "success")
            return _back(activity_id, "outcomes")
        activity = db.session.get(Activity, activity_id)
        choices = _open_slots(activity) if activity.rrule else []
    errors = _renamed(errors, rename)
    return _render_outcome_form(activity, FormState(_outcome_values(request.form), errors),
                                choices, items)


def _finding_hazards(outcome: Outcome) -> tuple[list, list]:
    """The hazard each finding and each failed check became (None: none)."""
    return ([f.get("hazard_id") for f in outcome.findings],
            [c.get("hazard_id") for c in outcome.equipment_checks])


@bp.route("/activities/<int:activity_id>/outcomes/<int:outcome_id>/print")
@login_required
def outcome_print(activity_id: int, outcome_id: int):
    activity = service.get_activity(current_user, activity_id)
    outcome = db.session.get(Outcome, outcome_id)
    if outcome is None or outcome.activity_id != activity.id \
            or service.masked_for(current_user, activity):
        abort(404)
    unit = activity.unit
    people = {p.id: p for p in db.session.scalars(sa.select(Person).where(
        Person.id.in_(outcome.attendee_ids or [0])))}
    items = {i.id: i for i in db.session.scalars(sa.select(Equipment).where(
        Equipment.id.in_([c["equipment_id"] for c in outcome.equipment_checks] or [0])))}
    finding_hazards, check_hazards = _finding_hazards(outcome)
    return render_template(
        "drills/print.html", activity=activity, outcome=outcome, unit=unit,
        attendees=[people[i] for i in outcome.attendee_ids or [] if i in people],
        items=items, finding_hazards=finding_hazards, check_hazards=check_hazards,
        time_labels=TIME_LABELS, today=today_in(unit),
        rule_text=picker.describe(activity.rrule, local(unit, activity.starts_at).date(),
                                  zone_of(unit)))


# Calendar subscriptions

def _feed(make):
    """The feed, made on first view and kept (a concurrent first view made it too: reread)."""
    feed = make()
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        feed = make()
    return feed


def _qr(url: str) -> Markup:
    """The link as a QR code, an inline SVG made here (no request leaves the page)."""
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True, title=url,
                                                  svgclass="feed-qr-svg")
    return Markup(svg)


def _render_subscribe(feed, *, unit: Unit, kind: str):
    links = feed_service.links(feed)
    return render_template("drills/subscribe.html", unit=unit, kind=kind, links=links,
                           qr=_qr(links["url"]), may_write=_may_write())


@bp.route("/me/calendar")
@login_required
def my_calendar():
    feed = _feed(lambda: feed_service.user_feed(current_user, current_locale()))
    return _render_subscribe(feed, unit=db.session.get(Unit, current_user.unit_id), kind="user")


@bp.route("/me/calendar/rotate", methods=["POST"])
@login_required
def my_calendar_rotate():
    feed = feed_service.user_feed(current_user, current_locale())
    _result, errors = submit(feed_service.rotate, feed)
    if not errors:
        flash(_("A new link was made: the old one no longer works. Subscribe again with the "
                "new link on every device."), "success")
    return redirect(url_for("drills_views.my_calendar"))


@bp.route("/units/<int:unit_id>/calendar")
@login_required
def unit_calendar(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    scope.authorize(current_user, "activities.write")
    feed = _feed(lambda: feed_service.unit_feed(unit, current_locale()))
    return _render_subscribe(feed, unit=unit, kind="unit")


@bp.route("/units/<int:unit_id>/calendar/rotate", methods=["POST"])
@login_required
def unit_calendar_rotate(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    scope.authorize(current_user, "activities.write")
    feed = feed_service.unit_feed(unit, current_locale())
    _result, errors = submit(feed_service.rotate, feed)
    if not errors:
        flash(_("A new link was made: the old one no longer works. Subscribe again with the "
                "new link on every device."), "success")
    return redirect(url_for("drills_views.unit_calendar", unit_id=unit.id))


# The staff member's day: what they take part in next, their calendar, the plans to know

UPCOMING_DAYS = 30


@bp.route("/me")
@login_required
def my_day():
    if not current_user.unit_id or current_user.role not in ("coordinator", "staff"):
        return redirect(url_for("web.home"))
    unit = db.session.get(Unit, current_user.unit_id)
    today = today_in(unit)
    rows = service.schedule(current_user, unit, today, today + timedelta(days=UPCOMING_DAYS))
    mine = current_user.person_id
    if mine is not None:
        rows = [r for r in rows if mine in r.activity.participant_ids]
    now = datetime.now(ZoneInfo(unit.timezone))
    rows = [r for r in rows if r.ends_at > now and r.status != "cancelled"]
    feed = _feed(lambda: feed_service.user_feed(current_user, current_locale()))
    approved = db.session.scalars(plans.plans_query(current_user, unit, {"status": "approved"})
                                  .order_by(None).order_by(Plan.scenario, Plan.level)).all()
    return render_template("drills/my_day.html", unit=unit, rows=rows, days=UPCOMING_DAYS,
                           links=feed_service.links(feed), plans=approved,
                           zone=ZoneInfo(unit.timezone), mine=mine is not None,
                           masked=lambda activity: service.masked_for(current_user, activity))
