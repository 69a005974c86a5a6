from marshmallow import ValidationError, fields, validate, validates_schema

from anbao.i18n import gettext as _
from anbao.schemas import Day, QueryId, Schema, enum
from compliance import rules


class ComplianceQueryArgsSchema(Schema):
    as_of = Day(metadata={"description": "default: today in the unit's zone"})


class OverviewQueryArgsSchema(ComplianceQueryArgsSchema):
    jurisdiction_id = QueryId()
    status = enum(rules.UNIT_STATUSES)


class ItemSchema(Schema):
    rule = fields.String()
    title = fields.String()
    clause = fields.String()
    status = enum(rules.STATUSES)
    due_date = fields.Date(allow_none=True)
    subject = fields.String(allow_none=True)
    detail = fields.String()


class UnitComplianceSchema(Schema):
    unit_id = fields.Integer(attribute="unit.id")
    as_of = Day()
    status = enum(rules.UNIT_STATUSES)
    items = fields.List(fields.Nested(ItemSchema))


class OverviewRowSchema(Schema):
    unit_id = fields.Integer(attribute="unit.id")
    unit_name = fields.String(attribute="unit.name")
    jurisdiction_id = fields.Integer(attribute="unit.jurisdiction_id")
    category = fields.String(attribute="unit.category")
    status = enum(rules.UNIT_STATUSES)
    overdue = fields.Method("_overdue")
    due_soon = fields.Method("_due_soon")
    missing = fields.Method("_missing")
    non_compliant = fields.Method("_non_compliant")

    def _overdue(self, result) -> int:
        return result.count("overdue")

    def _due_soon(self, result) -> int:
        return result.count("due_soon")

    def _missing(self, result) -> int:
        return result.count("missing")

    def _non_compliant(self, result) -> int:
        return result.count("non_compliant")


PERIODIC = tuple(code for code, rule in rules.RULES.items() if rule.months is not None)


class SettingsSchema(Schema.from_dict(
        {code: fields.Integer(strict=True, validate=validate.Range(min=1, max=120))
         for code in PERIODIC}, name="RuleIntervals")):
    """Each periodic rule's interval in months (1 to 120)."""

    @validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError(_("Give at least one rule's interval."), "_schema")
