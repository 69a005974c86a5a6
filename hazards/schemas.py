from marshmallow import ValidationError, fields, validate, validates

from anbao.attachments.schemas import AttachmentSchema
from anbao.i18n import gettext as _
from anbao.schemas import Day, Id, Instant, QueryId, Schema, enum, required_text, text, top_level
from hazards.models import ESCALATION_TARGETS, SEVERITIES, SOURCES, STATUSES, STEPS
from hazards.service import is_overdue, penalty
from units.service import today_in

MAX_TEXT = 4000


class HazardSchema(Schema):
    id = fields.Integer(dump_only=True)
    unit_id = fields.Integer(dump_only=True)
    order = fields.Boolean(dump_only=True)
    description = required_text(MAX_TEXT)
    severity = enum(SEVERITIES, required=True)
    source = enum(SOURCES, required=True)
    owner = required_text(100)
    due_date = Day(required=True)
    location = text(200)
    key_part_id = Id(allow_none=True)
    legal_basis = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    overdue = fields.Method("_overdue", dump_only=True)
    penalty = fields.Method("_penalty", dump_only=True)
    measures = fields.String(dump_only=True)
    rectified_at = Instant(zone_from="unit.timezone", dump_only=True, allow_none=True)
    rectified_by = fields.String(dump_only=True, allow_none=True)
    verified_at = Instant(zone_from="unit.timezone", dump_only=True, allow_none=True)
    verified_by = fields.String(dump_only=True, allow_none=True)
    verification_comment = fields.String(dump_only=True)
    escalated_to = fields.String(dump_only=True, allow_none=True)
    escalation_reason = fields.String(dump_only=True)
    escalated_at = Instant(zone_from="unit.timezone", dump_only=True, allow_none=True)
    acknowledged_at = Instant(zone_from="unit.timezone", dump_only=True, allow_none=True)
    acknowledged_by = fields.String(dump_only=True, allow_none=True)
    acknowledgement_comment = fields.String(dump_only=True)
    evidence = fields.List(fields.Nested(AttachmentSchema), dump_only=True)
    created_by = fields.String(dump_only=True)
    created_at = Instant(zone_from="unit.timezone", dump_only=True)

    def _overdue(self, hazard) -> bool:
        return is_overdue(hazard, today_in(hazard.unit))

    def _penalty(self, hazard) -> dict | None:
        return penalty(hazard, today_in(hazard.unit))


class StepSchema(Schema):
    action = enum(STEPS)
    status = fields.String()
    comment = fields.String()
    attachment_ids = fields.List(fields.Integer())
    by = fields.String()
    by_role = fields.String()
    at = Instant(zone_from="unit.timezone")


class HazardDetailSchema(HazardSchema):
    """One hazard with every step of its life, oldest first."""
    history = fields.List(fields.Nested(StepSchema), dump_only=True)


class OrderSchema(Schema):
    """A police rectification order; `source` is always `police_inspection`."""
    description = required_text(MAX_TEXT)
    due_date = Day(required=True)
    legal_basis = text(500)
    severity = enum(SEVERITIES)
    owner = text(100)
    location = text(200)


class HazardUpdateSchema(Schema):
    """What may change: the unit its own hazards and who handles an order; the police the
    wording, severity, due date and legal basis of their order."""
    description = required_text(MAX_TEXT)
    severity = enum(SEVERITIES)
    source = enum(SOURCES)
    owner = required_text(100)
    due_date = Day()
    location = text(200)
    key_part_id = Id(allow_none=True)
    legal_basis = text(500)

    def __init__(self, **kwargs):
        super().__init__(partial=top_level(HazardUpdateSchema), **kwargs)


class HazardQueryArgsSchema(Schema):
    status = enum(STATUSES)
    overdue = fields.Boolean()
    order = fields.Boolean()
    severity = enum(SEVERITIES)
    source = enum(SOURCES)
    escalated_to = enum(ESCALATION_TARGETS)
    acknowledged = fields.Boolean(metadata={"description": "escalated hazards only: whether "
                                                          "the escalation was acknowledged "
                                                          "(false: still awaited, the hazard "
                                                          "not closed)"})


class AllHazardsQueryArgsSchema(HazardQueryArgsSchema):
    unit_id = QueryId()


class RectifySchema(Schema):
    measures = required_text(MAX_TEXT)
    evidence_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=100))

    @validates("evidence_ids")
    def distinct(self, value, **kwargs):
        if len(set(value)) != len(value):
            raise ValidationError(_("Each piece of evidence once."))


class VerifySchema(Schema):
    accepted = fields.Boolean(required=True)
    comment = text(MAX_TEXT, load_default="")


class EscalateSchema(Schema):
    to = enum(ESCALATION_TARGETS, required=True)
    reason = required_text(MAX_TEXT)


class AcknowledgeSchema(Schema):
    comment = text(MAX_TEXT, load_default="")
