"""Attach files to records and hand them out again, within scope."""
from collections.abc import Callable
from pathlib import PurePath

from flask import send_file
from flask_smorest import abort

from anbao import scope
from anbao.attachments import sniff
from anbao.attachments.models import Attachment
from anbao.attachments.storage import storage
from anbao.audit import service as audit
from anbao.extensions import db
from anbao.i18n import gettext as _

MAX_SIZE = 20 * 1024 * 1024
FIELDS = ("entity", "entity_id", "filename", "size", "sha256", "content_type")

# entity name → whether the actor may see that record (its attachments follow it)
VISIBLE: dict[str, Callable[[object, int], bool]] = {}


def register_owner(entity: str, visible: Callable[[object, int], bool]) -> None:
    VISIBLE[entity] = visible


def _filename(name: str | None, extension: str) -> str:
    base = PurePath((name or "").replace("\\", "/")).name.strip().replace("\x00", "")
    return (base or f"attachment{extension}")[:255]


def attach(actor, unit_id: int, entity: str, entity_id: int, upload) -> Attachment:
    """Store an uploaded file (PDF, DOCX, XLSX, PNG, JPEG by content; ≤ 20 MiB)."""
    data = upload.stream.read(MAX_SIZE + 1)
    if len(data) > MAX_SIZE:
        abort(413, message=_("The file is larger than 20 MiB."))
    kind = sniff.detect(data)
    if kind is None:
        abort(415, message=_("Only PDF, DOCX, XLSX, PNG and JPEG files are accepted."))
    content_type, extension = kind
    row = Attachment(unit_id=unit_id, entity=entity, entity_id=entity_id,
                     filename=_filename(upload.filename, extension), size=len(data),
                     sha256=storage().put(data), content_type=content_type,
                     created_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "create", "attachment", row.id, unit_id=unit_id,
                 after=audit.snapshot(row, FIELDS))
    return row


def attachments_of(entity: str, entity_id: int) -> list[Attachment]:
    return db.session.scalars(db.select(Attachment).where(
        Attachment.entity == entity, Attachment.entity_id == entity_id)
        .order_by(Attachment.id)).all()


def get(actor, attachment_id: int) -> Attachment:
    row = scope.get_or_404(Attachment, attachment_id, actor)
    if not VISIBLE.get(row.entity, lambda *_: False)(actor, row.entity_id):
        abort(404)
    return row


def download(actor, row: Attachment):
    """The file as uploaded; every download is an audit event."""
    audit.record(actor, "download", "attachment", row.id, unit_id=row.unit_id,
                 detail={"entity": row.entity, "entity_id": row.entity_id,
                         "filename": row.filename})
    response = send_file(storage().open(row.sha256), mimetype=row.content_type,
                         as_attachment=True, download_name=row.filename, etag=row.sha256,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    # a stream has no length send_file could see; clients show progress and check it
    if response.status_code == 200:
        response.content_length = row.size
    return response


def attachments_of_many(entity: str, entity_ids: list[int]) -> dict[int, list[Attachment]]:
    """Attachments of several records in one query, by record id."""
    found: dict[int, list[Attachment]] = {}
    if entity_ids:
        for row in db.session.scalars(db.select(Attachment).where(
                Attachment.entity == entity, Attachment.entity_id.in_(entity_ids))
                .order_by(Attachment.id)):
            found.setdefault(row.entity_id, []).append(row)
    return found
