from marshmallow import ValidationError, fields, pre_dump, validate, validates

from anbao.attachments.schemas import AttachmentSchema
from anbao.i18n import gettext as _
from anbao.i18n import lazy_gettext as _l
from anbao.schemas import Id, Instant, Schema, enum, required_text, text, top_level
from equipment import service as equipment
from plans.models import LEVELS, SCENARIOS, SECTIONS, STATUSES
from units.service import today_in

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
    equipment_alerts = fields.List(
        fields.Dict(), dump_only=True, attribute="equipment_alert_list",
        metadata={"description": "The equipment the plan relies on that is short, expired or "
                                 "due: `{\"equipment_id\", \"name\", \"alerts\"}` as "
                                 "GET /equipment/{id} names them"})

    @pre_dump(pass_collection=True)
    def equipment_alerts_of(self, data, many, **kwargs):
        """Shortage and expiry of the plan's equipment, for a page of plans in one query."""
        plans = data if many else [data]
        items = equipment.linked(plans)
        for plan in plans:
            today = today_in(plan.unit)
            plan.equipment_alert_list = [
                {"equipment_id": item.id, "name": item.name, "alerts": found}
                for item in items[plan.id]
                if (found := equipment.alerts(item, today))]
        return data

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
