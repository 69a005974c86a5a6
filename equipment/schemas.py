from marshmallow import ValidationError, fields, validate, validates

from anbao.i18n import gettext as _
from anbao.schemas import Day, Id, Instant, Schema, count, enum, required_text, text, top_level
from equipment.models import ALERTS, CATEGORIES, INSPECTION_RESULTS
from equipment.service import alerts
from units.service import today_in

MAX_DELTA = 1_000_000


class EquipmentSchema(Schema):
    id = fields.Integer(dump_only=True)
    unit_id = fields.Integer(dump_only=True)
    category = enum(CATEGORIES, required=True)
    name = required_text(100)
    quantity = count(required=True)
    required_quantity = count(allow_none=True)
    location = text(200)
    key_part_id = Id(allow_none=True)
    expires_on = Day(allow_none=True)
    next_inspection_on = Day(allow_none=True)
    alerts = fields.Method("_alerts", dump_only=True)
    created_at = Instant(zone_from="unit.timezone", dump_only=True)

    def _alerts(self, item) -> list[str]:
        return alerts(item, today_in(item.unit))


class EquipmentUpdateSchema(EquipmentSchema):
    def __init__(self, **kwargs):
        super().__init__(partial=top_level(EquipmentSchema), **kwargs)

    @validates("quantity")
    def quantity_by_movements(self, value, **kwargs):
        raise ValidationError(_("Quantities change by movements: POST /equipment/{id}/movements."))


class EquipmentQueryArgsSchema(Schema):
    alert = enum(ALERTS)
    category = enum(CATEGORIES)


class MovementSchema(Schema):
    id = fields.Integer(dump_only=True)
    equipment_id = fields.Integer(dump_only=True)
    delta = fields.Integer(required=True, strict=True,
                           validate=validate.Range(min=-MAX_DELTA, max=MAX_DELTA))
    reason = required_text(200)
    quantity_after = fields.Integer(dump_only=True)
    by = fields.String(dump_only=True)
    at = Instant(zone_from="unit.timezone", dump_only=True)

    @validates("delta")
    def not_zero(self, value, **kwargs):
        if value == 0:
            raise ValidationError(_("A movement changes the quantity: not 0."))


class InspectionSchema(Schema):
    id = fields.Integer(dump_only=True)
    equipment_id = fields.Integer(dump_only=True)
    inspected_on = Day(required=True)
    result = enum(INSPECTION_RESULTS, required=True)
    note = text(2000)
    next_inspection_on = Day(allow_none=True)
    by = fields.String(dump_only=True)
