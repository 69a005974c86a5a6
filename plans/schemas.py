from marshmallow import ValidationError, fields, validate, validates

from anbao.attachments.schemas import AttachmentSchema
from anbao.i18n import gettext as _
from anbao.i18n import lazy_gettext as _l
from anbao.schemas import Id, Instant, Schema, enum, required_text, text, top_level
from plans.models import LEVELS, SCENARIOS, SECTIONS, STATUSES

SECTION_LENGTH = 20_000


class ContactSchema(Schema):
    role = required_text(100)
    name = required_text(100)
    phone = text(32, validate=validate.Regexp(r"^[0-9+\-() ]{0,32}$",
                                              error=_l("Digits, spaces and + - ( ) only.")))


class Sections(fields.Dict):
    """The GB/T 29639-2020 sections by key; each a text."""

    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(validate=validate.OneOf(SECTIONS)),
                         values=text(SECTION_LENGTH), **kwargs)


class PlanSchema(Schema):
    id = fields.Integer(dump_only=True)
    unit_id = fields.Integer(dump_only=True)
    scenario = enum(SCENARIOS, required=True)
    level = enum(LEVELS, required=True)
    title = required_text(200)
    version = fields.Integer(dump_only=True)
    status = enum(STATUSES, dump_only=True)
    sections = Sections()
    contacts = fields.List(fields.Nested(ContactSchema), validate=validate.Length(max=100))
    equipment_ids = fields.List(Id(), validate=validate.Length(max=500))
    approved_by = fields.String(dump_only=True, allow_none=True)
    approved_at = Instant(zone_from="unit.timezone", dump_only=True, allow_none=True)
    review_due = fields.Date(dump_only=True, allow_none=True)
    review_requested = fields.Boolean(dump_only=True)
    created_at = Instant(zone_from="unit.timezone", dump_only=True)
    updated_at = Instant(zone_from="unit.timezone", dump_only=True)

    @validates("equipment_ids")
    def distinct_equipment(self, value, **kwargs):
        if len(value) != len(set(value)):
            raise ValidationError(_("Each item of equipment once."))


class PlanUpdateSchema(Schema):
    def __init__(self, **kwargs):
        super().__init__(partial=top_level(PlanUpdateSchema), **kwargs)

    title = required_text(200)
    sections = Sections()
    contacts = fields.List(fields.Nested(ContactSchema), validate=validate.Length(max=100))
    equipment_ids = fields.List(Id(), validate=validate.Length(max=500))


class PlanApproveSchema(Schema):
    approved_by = required_text(100)


class PlanQueryArgsSchema(Schema):
    scenario = enum(SCENARIOS)
    level = enum(LEVELS)
    status = enum(STATUSES)


class PlanVersionSchema(PlanSchema):
    """A version in the history: the plan with its attachments."""

    attachments = fields.List(fields.Nested(AttachmentSchema), attribute="attachment_list")
