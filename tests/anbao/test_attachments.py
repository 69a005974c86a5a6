"""Attached files: accepted by content (PDF, DOCX, XLSX, PNG, JPEG), at most 20 MiB, stored
once by content, handed out byte for byte, every download audited (API.md "Plans")."""
import hashlib
import io
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from anbao.attachments.models import Attachment
from anbao.attachments.service import MAX_SIZE
from anbao.attachments.storage import storage
from anbao.audit.models import AuditEvent
from anbao.extensions import db

MIB = 1024 * 1024
PDF = b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
       b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
       b"\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="{part}" ContentType="{type}"/></Types>')
DOCX = _zip({
    "[Content_Types].xml": CONTENT_TYPES.format(
        part="/word/document.xml",
        type="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "word/document.xml": '<?xml version="1.0" encoding="UTF-8"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:body><w:p><w:r><w:t>防暴恐应急预案</w:t></w:r></w:p></w:body></w:document>'})
XLSX = _zip({
    "[Content_Types].xml": CONTENT_TYPES.format(
        part="/xl/workbook.xml",
        type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheets><sheet name="通讯录" sheetId="1"/></sheets></workbook>'})


@pytest.fixture
def plan(api, world):
    response = api.post(f"/units/{world.unit_a.id}/plans", as_=world.coordinator_a,
                        json={"scenario": "terror_attack", "level": "comprehensive",
                              "title": "防暴恐应急预案"})
    assert response.status_code == 201
    return response.get_json()


def _upload(api, user, plan_id, data: bytes, name: str):
    # the body is encoded in memory: the test client would spool a large one to a temporary
    # file of its own that nobody closes when the app refuses the body unread
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name)})
    return api.post(f"/plans/{plan_id}/attachments", as_=user, data=body,
                    content_type=f"multipart/form-data; boundary={boundary}")


def _download(api, user, attachment_id):
    # buffered: the whole answer is read and the file behind it closed, as a WSGI server does
    return api.get(f"/attachments/{attachment_id}", as_=user, buffered=True)


def _approve(api, world, plan_id):
    response = api.post(f"/plans/{plan_id}/approve", as_=world.coordinator_a,
                        json={"approved_by": "王校长"})
    assert response.status_code == 200


@pytest.mark.parametrize(("data", "name", "content_type"), [
    (PDF, "应急预案（2024 版）.pdf", "application/pdf"),
    (PNG, "疏散路线图.png", "image/png"),
    (JPEG, "现场照片.jpg", "image/jpeg"),
    (DOCX, "预案正文.docx", DOCX_TYPE),
    (XLSX, "应急通讯录.xlsx", XLSX_TYPE),
])
def test_accepted_types_round_trip(api, world, plan, data, name, content_type):
    response = _upload(api, world.coordinator_a, plan["id"], data, name)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert {"id", "filename", "size", "sha256", "content_type"} <= set(body)
    assert body["filename"] == name
    assert body["size"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["content_type"] == content_type

    download = _download(api, world.coordinator_a, body["id"])
    assert download.status_code == 200
    assert download.data == data
    assert download.mimetype == content_type
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=UTF-8''{quote(name)}" in disposition
    assert download.headers["Content-Length"] == str(len(data))


def test_type_comes_from_content_not_name(api, world, plan):
    png_named_pdf = _upload(api, world.coordinator_a, plan["id"], PNG, "scan.pdf")
    assert png_named_pdf.status_code == 201
    assert png_named_pdf.get_json()["content_type"] == "image/png"
    download = _download(api, world.coordinator_a, png_named_pdf.get_json()["id"])
    assert download.mimetype == "image/png"


@pytest.mark.parametrize(("data", "name"), [
    (b"This is plain text, not a PDF.\n", "预案.pdf"),
    (b"<html><body>no</body></html>", "预案.pdf"),
    (b"MZ\x90\x00\x03\x00\x00\x00", "预案.docx"),
    (b"GIF89a\x01\x00\x01\x00", "图.png"),
    (_zip({"readme.txt": "not office"}), "预案.docx"),
    (_zip({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"}), "预案.xlsx"),
    (b"PK\x03\x04 truncated zip", "预案.xlsx"),
    # macro-enabled Word and Excel files are not DOCX and XLSX
    (_zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>",
           "word/vbaProject.bin": "VBA"}), "预案.docx"),
    (_zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>",
           "xl/vbaProject.bin": "VBA"}), "通讯录.xlsx"),
    (b"", "空.pdf"),
])
def test_other_content_is_415(api, world, plan, data, name):
    response = _upload(api, world.coordinator_a, plan["id"], data, name)
    assert response.status_code == 415, response.get_json()
    body = response.get_json()
    assert body["code"] == 415 and body["message"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0


def test_exactly_20_mib_is_accepted(api, world, plan):
    data = PDF + b"0" * (MAX_SIZE - len(PDF))
    assert len(data) == 20 * MIB
    response = _upload(api, world.coordinator_a, plan["id"], data, "大文件.pdf")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["size"] == 20 * MIB
    assert response.get_json()["sha256"] == hashlib.sha256(data).hexdigest()
    assert _download(api, world.coordinator_a, response.get_json()["id"]).data == data


@pytest.mark.parametrize("size", [20 * MIB + 1, 26 * MIB])
def test_larger_is_413_in_the_json_error_shape(api, world, plan, size):
    data = PDF + b"0" * (size - len(PDF))
    response = _upload(api, world.coordinator_a, plan["id"], data, "太大.pdf")
    assert response.status_code == 413
    body = response.get_json()
    assert body["code"] == 413
    assert body["status"] and body["message"]
    assert set(body) <= {"code", "status", "message", "errors"}
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0


def test_missing_file_is_422(api, world, plan):
    response = api.post(f"/plans/{plan['id']}/attachments", as_=world.coordinator_a,
                        data={"other": "x"}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "file" in str(response.get_json()["errors"])


def test_the_filename_keeps_no_path(api, world, plan):
    response = _upload(api, world.coordinator_a, plan["id"], PDF, "..\\..\\etc/预案.pdf")
    assert response.status_code == 201
    assert response.get_json()["filename"] == "预案.pdf"


def test_every_download_is_audited(api, world, plan):
    attachment = _upload(api, world.coordinator_a, plan["id"], PDF, "预案.pdf").get_json()
    for user in (world.coordinator_a, world.police_a, world.coordinator_a):
        assert _download(api, user, attachment["id"]).status_code == 200
    events = db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.action == "download").order_by(AuditEvent.id)).all()
    assert [e.user_id for e in events] == [world.coordinator_a.id, world.police_a.id,
                                          world.coordinator_a.id]
    assert {(e.entity, e.entity_id, e.unit_id) for e in events} == {
        ("attachment", attachment["id"], world.unit_a.id)}
    assert events[0].changes["filename"] == "预案.pdf"
    # police read them in the audit trail
    trail = api.get(f"/audit?unit_id={world.unit_a.id}", as_=world.police_a).get_json()
    assert [e["action"] for e in trail].count("download") == 3
    # a refused download is no download
    assert _download(api, world.coordinator_b, attachment["id"]).status_code == 404
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "download")) == 3


def test_a_file_uploaded_twice_is_stored_once(app, api, world, plan):
    data = PDF + b"% stored once\n"
    digest = hashlib.sha256(data).hexdigest()
    first = _upload(api, world.coordinator_a, plan["id"], data, "一.pdf").get_json()
    root = Path(app.instance_path) / "files"
    assert storage().root == root
    path = root / digest[:2] / digest[2:]
    assert path.read_bytes() == data
    stat = path.stat()
    second = _upload(api, world.coordinator_a, plan["id"], data, "二.pdf").get_json()
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"] == digest
    again = path.stat()
    assert (again.st_ino, again.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(digest[2:10])] == [
        digest[2:]]
    assert not [p for p in path.parent.iterdir() if not p.name.isalnum()]  # no half files
    # each keeps its own name
    assert "filename*=UTF-8''%E4%BA%8C.pdf" in _download(
        api, world.coordinator_a, second["id"]).headers["Content-Disposition"]


def test_superseded_versions_take_no_files(api, world, plan):
    _approve(api, world, plan["id"])
    v2 = api.patch(f"/plans/{plan['id']}", as_=world.coordinator_a, json={"title": "二"})
    assert v2.status_code == 201
    _approve(api, world, v2.get_json()["id"])
    response = _upload(api, world.coordinator_a, plan["id"], PDF, "预案.pdf")
    assert response.status_code == 409
    assert response.get_json()["code"] == 409
    # the new version does
    assert _upload(api, world.coordinator_a, v2.get_json()["id"], PDF,
                   "预案.pdf").status_code == 201


def test_staff_download_only_from_approved_versions(api, world, plan):
    attachment = _upload(api, world.coordinator_a, plan["id"], PDF, "预案.pdf").get_json()
    assert _download(api, world.staff_a, attachment["id"]).status_code == 404
    _approve(api, world, plan["id"])
    download = _download(api, world.staff_a, attachment["id"])
    assert download.status_code == 200 and download.data == PDF
    # staff may not attach
    assert _upload(api, world.staff_a, plan["id"], PDF, "x.pdf").status_code == 403


def test_other_unit_gets_404(api, world, plan):
    attachment = _upload(api, world.coordinator_a, plan["id"], PDF, "预案.pdf").get_json()
    for user in (world.coordinator_b, world.police_b):
        response = _download(api, user, attachment["id"])
        assert response.status_code == 404
        assert response.get_json()["message"] == _download(api, user, 987654).get_json()[
            "message"]
        assert _upload(api, user, plan["id"], PDF, "x.pdf").status_code == 404


def test_not_logged_in_is_401(api, world, plan):
    attachment = _upload(api, world.coordinator_a, plan["id"], PDF, "预案.pdf").get_json()
    assert api.get(f"/attachments/{attachment['id']}").status_code == 401
