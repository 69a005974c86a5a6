from marshmallow import ValidationError, fields, validate, validates, validates_schema

from anbao.i18n import gettext as _
from anbao.schemas import Day, Id, Instant, Schema, count, enum, required_text, text, top_level
from drills.models import FORMATS, KINDS, RESULTS, STATUSES, TOPICS
from hazards.models import SEVERITIES
from plans.models import SCENARIOS

MAX_TEXT = 4000


class StoredDate(Day):
    """A date kept as ISO text inside a JSON column, shown as the date."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) else super()._serialize(value, attr, obj,
                                                                       **kwargs)


class ActivitySchema(Schema):
    id = fields.Integer(dump_only=True)
    unit_id = fields.Integer(dump_only=True)
    kind = enum(KINDS, required=True)
    title = required_text(200)
    scenario = enum(SCENARIOS, allow_none=True)
    plan_id = Id(allow_none=True)
    format = enum(FORMATS, allow_none=True)
    topic = enum(TOPICS, allow_none=True)
    starts_at = Instant(zone_from="unit.timezone", required=True)
    ends_at = Instant(zone_from="unit.timezone", required=True)
    location = text(200)
    key_part_id = Id(allow_none=True)
    description = text(MAX_TEXT)
    rrule = text(500, allow_none=True, metadata={
        "description": "RFC 5545 RRULE value, e.g. FREQ=MONTHLY;BYDAY=1MO;COUNT=6, expanded "
                       "in the unit's wall-clock time from starts_at"})
    participant_ids = fields.List(Id(), validate=validate.Length(max=2000))
    unannounced = fields.Boolean()
    status = fields.String(dump_only=True)
    cancel_reason = fields.String(dump_only=True)
    sequence = fields.Integer(dump_only=True)
    exceptions = fields.Method("_exceptions", dump_only=True, metadata={
        "description": "Moved, cancelled and completed occurrences of a series"})
    created_at = Instant(zone_from="unit.timezone", dump_only=True)
    updated_at = Instant(zone_from="unit.timezone", dump_only=True)

    def _exceptions(self, activity) -> list[dict]:
        zone = Instant(zone_from="unit.timezone")
        return [{"occurrence": zone._serialize(e.original_start, None, activity),
                 "starts_at": zone._serialize(e.starts_at, None, activity),
                 "ends_at": zone._serialize(e.ends_at, None, activity),
                 "status": e.status, "reason": e.cancel_reason}
                for e in activity.exceptions]

    @validates("participant_ids")
    def distinct(self, value, **kwargs):
        if len(set(value)) != len(value):
            raise ValidationError(_("Each person once."))

    @validates("rrule")
    def one_line(self, value, **kwargs):
        if value is not None and ("\n" in value or "\r" in value):
            raise ValidationError(_("One RRULE value on one line."))


class ActivityUpdateSchema(ActivitySchema):
    def __init__(self, **kwargs):
        super().__init__(partial=top_level(ActivitySchema), **kwargs)


class ActivityQueryArgsSchema(Schema):
    kind = enum(KINDS)
    status = enum(STATUSES)
    from_ = Day(data_key="from")
    to = Day()

    @validates_schema
    def ordered(self, data, **kwargs):
        if "from_" in data and "to" in data and data["to"] < data["from_"]:
            raise ValidationError(_("`to` must not come before `from`."), "to")


class ScheduleQueryArgsSchema(Schema):
    from_ = Day(data_key="from", required=True)
    to = Day(required=True)

    @validates_schema
    def bounded(self, data, **kwargs):
        if "from_" in data and "to" in data:
            if data["to"] < data["from_"]:
                raise ValidationError(_("`to` must not come before `from`."), "to")
            if (data["to"] - data["from_"]).days > 400:
                raise ValidationError(_("At most 400 days from `from` to `to`."), "to")


class ScheduleRowSchema(Schema):
    activity_id = fields.Integer()
    occurrence = Instant(zone_from="activity.unit.timezone")
    starts_at = Instant(zone_from="activity.unit.timezone")
    ends_at = Instant(zone_from="activity.unit.timezone")
    title = fields.String()
    kind = fields.String()
    status = fields.String()


class CancelSchema(Schema):
    reason = required_text(MAX_TEXT)
    occurrence = Instant(metadata={"description": "The original start of the occurrence to "
                                                  "cancel; without it the whole activity"})


class MoveSchema(Schema):
    occurrence = Instant(required=True)
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)


class ObjectiveSchema(Schema):
    text = required_text(500)
    result = enum(RESULTS, required=True)


class EquipmentCheckSchema(Schema):
    equipment_id = Id(required=True)
    worked = fields.Boolean(required=True)
    note = text(500)
    hazard_id = fields.Integer(dump_only=True, metadata={"description": "The hazard the "
                                                                        "failure became"})


class FindingSchema(Schema):
    description = required_text(MAX_TEXT)
    severity = enum(SEVERITIES, required=True)
    owner = text(100, allow_none=True)
    due_date = StoredDate(allow_none=True)
    plan_review = fields.Boolean()
    hazard_id = fields.Integer(dump_only=True, metadata={"description": "The hazard the "
                                                                        "finding became"})


class OutcomeSchema(Schema):
    id = fields.Integer(dump_only=True)
    activity_id = fields.Integer(dump_only=True)
    occurrence = Instant(zone_from="unit.timezone", allow_none=True)
    held_from = Instant(zone_from="unit.timezone", required=True)
    held_to = Instant(zone_from="unit.timezone", required=True)
    attendee_ids = fields.List(Id(), validate=validate.Length(max=5000))
    participants_count = count()
    objectives = fields.List(fields.Nested(ObjectiveSchema), validate=validate.Length(max=100))
    response_times = fields.Dict(keys=text(100, validate=validate.Length(min=1)),
                                 values=count(), validate=validate.Length(max=100))
    equipment_checks = fields.List(fields.Nested(EquipmentCheckSchema),
                                   validate=validate.Length(max=500))
    findings = fields.List(fields.Nested(FindingSchema), validate=validate.Length(max=200))
    noteworthy = text(MAX_TEXT)
    summary = text(MAX_TEXT)
    evaluator = text(100)
    hazard_ids = fields.List(fields.Integer(), dump_only=True)
    created_by = fields.String(dump_only=True)
    created_at = Instant(zone_from="unit.timezone", dump_only=True)

    @validates("attendee_ids")
    def distinct(self, value, **kwargs):
        if len(set(value)) != len(value):
            raise ValidationError(_("Each person once."))

    @validates("equipment_checks")
    def each_item_once(self, value, **kwargs):
        # items that failed their own validation arrive without their fields
        ids = [check["equipment_id"] for check in value if "equipment_id" in check]
        if len(set(ids)) != len(ids):
            raise ValidationError(_("Each item of equipment once."))

    @validates_schema
    def count_covers_attendees(self, data, **kwargs):
        if "participants_count" in data and \
                data["participants_count"] < len(data.get("attendee_ids") or []):
            raise ValidationError(_("At least as many as the attendees listed."),
                                  "participants_count")


class CalendarLinkSchema(Schema):
    url = fields.String()
    webcal_url = fields.String()
