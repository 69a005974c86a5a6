import marshmallow as ma
from flask_smorest.fields import Upload

from anbao.schemas import Instant, Schema


class AttachmentSchema(Schema):
    id = ma.fields.Integer()
    filename = ma.fields.String()
    size = ma.fields.Integer()
    sha256 = ma.fields.String()
    content_type = ma.fields.String()
    created_at = Instant()


class UploadSchema(ma.Schema):
    file = Upload(required=True)
