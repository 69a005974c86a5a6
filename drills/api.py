"""Drills and trainings, their schedule and outcomes (API.md "Activities")."""
from flask.views import MethodView
from flask_login import current_user, login_required

from anbao import api as rest
from anbao import scope
from anbao.web import current_locale
from drills import feeds, outcomes, service
from drills.schemas import (ActivityQueryArgsSchema, ActivitySchema, ActivityUpdateSchema,
                            CalendarLinkSchema, CancelSchema, MoveSchema, OutcomeSchema,
                            ScheduleQueryArgsSchema, ScheduleRowSchema)
from units.models import Unit

blp = rest.blueprint("activities", __name__,
                     "Drills and trainings: series, moved and cancelled occurrences, schedule, "
                     "outcomes")

# What staff see of an unannounced drill until its outcome is recorded: a busy block.
MASKED = {"scenario": None, "plan_id": None, "format": None, "location": "",
          "key_part_id": None, "description": "", "participant_ids": [], "cancel_reason": ""}


class VisibleActivitySchema(ActivitySchema):
    """An activity as the caller may see it (unannounced drills masked for staff)."""

    def dump(self, obj, *, many=None):
        data = super().dump(obj, many=many)
        rows, objs = (data, obj) if (many if many is not None else self.many) else ([data],
                                                                                     [obj])
        for row, activity in zip(rows, objs):
            if service.masked_for(current_user, activity):
                row.update(MASKED, title=service.masked_title(),
                           exceptions=[{**e, "reason": ""} for e in row["exceptions"]])
        return data


def _activity(activity, status: int = 200):
    return rest.with_etag(VisibleActivitySchema(), activity, status)


@blp.route("/units/<int:unit_id>/activities")
class UnitActivities(MethodView):
    decorators = [login_required]

    @blp.arguments(ActivityQueryArgsSchema, location="query")
    @blp.response(200, VisibleActivitySchema(many=True))
    @rest.paginate(blp)
    def get(self, args, unit_id):
        """The unit's activities; `from`/`to` (dates in the unit's zone) keep those that
        occur in that span, series included"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        if "from_" in args:
            args["from"] = args.pop("from_")
        return service.activities_query(current_user, unit, args)

    @blp.arguments(ActivitySchema)
    @blp.response(201, VisibleActivitySchema)
    @rest.write
    def post(self, data, unit_id):
        """Schedule a drill or a training, once or as a series (`rrule`)"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        return _activity(service.create_activity(current_user, unit, data), 201)


@blp.route("/units/<int:unit_id>/schedule")
class Schedule(MethodView):
    decorators = [login_required]

    @blp.arguments(ScheduleQueryArgsSchema, location="query")
    @blp.response(200, ScheduleRowSchema(many=True))
    def get(self, args, unit_id):
        """Every occurrence starting within `from`..`to` (dates in the unit's zone, both
        inclusive, at most 400 days), ordered by start; cancelled ones included"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        return service.schedule(current_user, unit, args["from_"], args["to"])


@blp.route("/activities/<int:activity_id>")
class ActivityItem(MethodView):
    decorators = [login_required]

    @blp.response(200, VisibleActivitySchema)
    def get(self, activity_id):
        """One activity"""
        return _activity(service.get_activity(current_user, activity_id))

    @blp.arguments(ActivityUpdateSchema)
    @blp.response(200, VisibleActivitySchema)
    @rest.write
    def patch(self, data, activity_id):
        """Change an activity; a change a calendar shows raises `sequence` by 1"""
        activity = service.get_activity(current_user, activity_id)
        rest.check_if_match(VisibleActivitySchema(), activity)
        return _activity(service.update_activity(current_user, activity, data))


@blp.route("/activities/<int:activity_id>/cancel")
class Cancel(MethodView):
    decorators = [login_required]

    @blp.arguments(CancelSchema)
    @blp.response(200, VisibleActivitySchema)
    @rest.write
    def post(self, data, activity_id):
        """Cancel the whole activity, or one occurrence of a series (its original start)"""
        activity = service.get_activity(current_user, activity_id)
        return _activity(service.cancel(current_user, activity, data["reason"],
                                        data.get("occurrence")))


@blp.route("/activities/<int:activity_id>/occurrences")
class Occurrences(MethodView):
    decorators = [login_required]

    @blp.arguments(MoveSchema)
    @blp.response(200, VisibleActivitySchema)
    @rest.write
    def post(self, data, activity_id):
        """Move one occurrence of a series (named by its original start)"""
        activity = service.get_activity(current_user, activity_id)
        return _activity(service.move(current_user, activity, data["occurrence"],
                                      data["starts_at"], data["ends_at"]))


@blp.route("/activities/<int:activity_id>/outcomes")
class Outcomes(MethodView):
    decorators = [login_required]

    @blp.response(200, OutcomeSchema(many=True))
    def get(self, activity_id):
        """The activity's outcomes, oldest first (none for staff while a drill is masked)"""
        activity = service.get_activity(current_user, activity_id)
        if service.masked_for(current_user, activity):
            return []
        return outcomes.outcomes(activity)

    @blp.arguments(OutcomeSchema)
    @blp.response(201, OutcomeSchema)
    @rest.write
    def post(self, data, activity_id):
        """Record what happened; findings with an owner and a due date, and equipment that
        failed, become hazards (`source` `drill`)"""
        activity = service.get_activity(current_user, activity_id)
        return outcomes.record(current_user, activity, data), 201


@blp.route("/me/calendar")
class MyCalendar(MethodView):
    decorators = [login_required]

    @blp.response(200, CalendarLinkSchema)
    @rest.write
    def get(self):
        """The secret URL of your own feed: the activities you take part in (coordinators:
        the whole unit)"""
        return feeds.links(feeds.user_feed(current_user, current_locale()))


@blp.route("/me/calendar/rotate")
class RotateMyCalendar(MethodView):
    decorators = [login_required]

    @blp.response(200, CalendarLinkSchema)
    @rest.write
    def post(self):
        """A new secret URL for your feed; the old one answers 404 from now on"""
        return feeds.links(feeds.rotate(feeds.user_feed(current_user, current_locale())))


@blp.route("/units/<int:unit_id>/calendar")
class UnitCalendar(MethodView):
    decorators = [login_required]

    @blp.response(200, CalendarLinkSchema)
    @rest.write
    def get(self, unit_id):
        """The secret URL of the unit's feed (every activity of the unit)"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        scope.authorize(current_user, "activities.write")
        return feeds.links(feeds.unit_feed(unit, current_locale()))
