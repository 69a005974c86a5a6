from marshmallow import fields

from anbao.schemas import Instant, QueryId, Schema


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = Instant(zone_from="unit.timezone")
    user = fields.String(attribute="username")
    action = fields.String()
    entity = fields.String()
    entity_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    changes = fields.Dict()


class AuditQueryArgsSchema(Schema):
    unit_id = QueryId()
    since = Instant()
