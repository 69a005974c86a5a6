from zoneinfo import available_timezones

from flask import has_request_context
from flask_login import current_user
from marshmallow import (ValidationError, fields, post_dump, validate, validates,
                         validates_schema)

from anbao import scope

from anbao.schemas import Day, Id, QueryId, Schema, count, enum, required_text, text, top_level
from anbao.i18n import gettext as _
from anbao.i18n import lazy_gettext as _l
from units import creditcode
from units.models import CATEGORIES, PERSON_ROLES

TIMEZONES = frozenset(available_timezones())


class JurisdictionSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = required_text(100)
    code = required_text(32, validate=validate.Regexp(
        r"^[A-Za-z0-9_.-]{1,32}$", error=_l("Letters, digits and . _ - only.")))
    parent_id = Id(allow_none=True)


class JurisdictionQueryArgsSchema(Schema):
    parent_id = QueryId()


class CampusSchema(Schema):
    name = required_text(100)
    population = count(required=True)
    boarding_students = count(load_default=0)

    @validates_schema
    def boarders_within_population(self, data, **kwargs):
        if data.get("boarding_students", 0) > data.get("population", 0):
            raise ValidationError(_("Cannot exceed the campus population."), "boarding_students")


class HospitalSchema(Schema):
    medical_staff = count(required=True)
    beds = count(required=True)
    daily_outpatients = count(required=True)


class CreditCode(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        code = creditcode.normalize(super()._deserialize(value, attr, data, **kwargs))
        if reason := creditcode.error(code):
            raise ValidationError(_("Not a valid unified social credit code: %(reason)s.",
                                    reason=reason))
        return code


class UnitSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = required_text(200)
    credit_code = CreditCode(required=True)
    category = enum(CATEGORIES, required=True)
    jurisdiction_id = Id(required=True)
    address = text(300)
    headcount = count()
    key_security_unit = fields.Boolean()
    key_target = fields.Boolean()
    key_since = Day(allow_none=True)
    responsible_person = text(100)
    timezone = fields.String(validate=validate.OneOf(TIMEZONES, error=_l("Unknown time zone.")))
    campuses = fields.List(fields.Nested(CampusSchema))
    hospital = fields.Nested(HospitalSchema, allow_none=True)
    registered_on = Day(dump_only=True)

    @validates("campuses")
    def unique_campus_names(self, value, **kwargs):
        # items that failed their own validation arrive here without a name
        names = [c["name"] for c in value if isinstance(c, dict) and "name" in c]
        if len(names) != len(set(names)):
            raise ValidationError(_("Campus names must be unique within the unit."))

    @validates_schema
    def category_fields(self, data, partial, **kwargs):
        category = data.get("category")
        if category and category != "school" and data.get("campuses"):
            raise ValidationError(_("Only schools have campuses."), "campuses")
        if category and category != "hospital" and data.get("hospital"):
            raise ValidationError(_("Only hospitals have hospital figures."), "hospital")


class UnitQueryArgsSchema(Schema):
    jurisdiction_id = QueryId()
    category = enum(CATEGORIES)
    key_target = fields.Boolean()
    key_security_unit = fields.Boolean()
    q = text(200)


class PersonSchema(Schema):
    id = fields.Integer(dump_only=True)
    unit_id = fields.Integer(dump_only=True)
    name = required_text(100)
    role = enum(PERSON_ROLES, required=True)
    campus = text(100, allow_none=True)
    guard_certificate_no = text(64, allow_none=True)
    phone = text(32, allow_none=True, validate=validate.Regexp(
        r"^[0-9+\-() ]{0,32}$", error=_l("Digits, spaces and + - ( ) only.")))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    left_on = Day(allow_none=True)

    @post_dump
    def names_and_roles_for_staff(self, data, **kwargs):
        """Staff see only the names and roles of their colleagues (DESIGN.md §1)."""
        if has_request_context() and current_user.is_authenticated \
                and not scope.may(current_user, "people.read_details"):
            return {k: data[k] for k in ("id", "unit_id", "name", "role") if k in data}
        return data




class PeopleQueryArgsSchema(Schema):
    include_left = fields.Boolean(load_default=False)


class KeyPartSchema(Schema):
    id = fields.Integer(dump_only=True)
    unit_id = fields.Integer(dump_only=True)
    name = required_text(100)
    kind = text(100)
    video_linked = fields.Boolean()
    video_retention_days = count(allow_none=True)
    barriers = text(2000)
    patrol_per_day = count(allow_none=True)


class RequirementSchema(Schema):
    rule = fields.String()
    clause = fields.String()
    kind = fields.String()
    campus = fields.String(allow_none=True)
    required = fields.Integer()
    actual = fields.Integer()
    compliant = fields.Boolean()
    explanation = fields.String()
    arithmetic = fields.String()
    inputs = fields.Dict()


class StaffingSchema(Schema):
    compliant = fields.Boolean()
    requirements = fields.List(fields.Nested(RequirementSchema))


class UnitUpdateSchema(UnitSchema):
    def __init__(self, **kwargs):
        super().__init__(partial=top_level(UnitSchema), **kwargs)


class PersonUpdateSchema(PersonSchema):
    def __init__(self, **kwargs):
        super().__init__(partial=top_level(PersonSchema), **kwargs)


class KeyPartUpdateSchema(KeyPartSchema):
    def __init__(self, **kwargs):
        super().__init__(partial=top_level(KeyPartSchema), **kwargs)
