from marshmallow import fields, validate

from anbao.auth.models import ROLES
from anbao.schemas import Id, Instant, Schema, enum, required_text, text
from anbao.i18n import lazy_gettext as _l
from units.models import CATEGORIES


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(max=1024))


class TokenSchema(Schema):
    token = fields.String()
    expires_at = Instant()


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    role = fields.String()
    display_name = fields.String()
    email = fields.String(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    jurisdiction_id = fields.Integer(allow_none=True)
    sectors = fields.List(fields.String())
    person_id = fields.Integer(allow_none=True)
    language = fields.String(allow_none=True)
    active = fields.Boolean()


class MeSchema(UserSchema):
    """GET /me: exactly the fields API.md lists."""

    class Meta:
        exclude = ("person_id", "active")


class UserCreateSchema(Schema):
    username = required_text(64, validate=validate.Regexp(
        r"^[\w.@+-]{1,64}$", error=_l("Letters, digits and . @ + - _ only.")))
    password = fields.String(required=True, validate=validate.Length(
        min=10, max=1024, error=_l("At least 10 characters.")))
    role = enum(ROLES, required=True)
    display_name = text(100)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    unit_id = Id(allow_none=True)
    jurisdiction_id = Id(allow_none=True)
    sectors = fields.List(enum(CATEGORIES), allow_none=True)
    person_id = Id(allow_none=True)


class UserUpdateSchema(Schema):
    display_name = text(100)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    password = fields.String(validate=validate.Length(
        min=10, max=1024, error=_l("At least 10 characters.")))
    active = fields.Boolean()
    language = fields.String(allow_none=True, validate=validate.OneOf(("zh_CN", "en")))
    person_id = Id(allow_none=True)
