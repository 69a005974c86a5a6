from marshmallow import fields

from anbao.schemas import Instant, Schema


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    subject = fields.String()
    body = fields.String()
    link = fields.String(metadata={"description": "path of the page it is about"})
    unit_id = fields.Integer(allow_none=True)
    created_at = Instant(zone_from="unit.timezone")
    read_at = Instant(zone_from="unit.timezone", allow_none=True)
    channels = fields.List(fields.String(), metadata={"description": "in_app, email"})
    email_status = fields.String(metadata={"description": "none, pending, sent, failed, expired, withdrawn"})


class NotificationQueryArgsSchema(Schema):
    unread = fields.Boolean(metadata={"description": "only those not read yet"})


class MarkedSchema(Schema):
    marked = fields.Integer()
