"""A report as PDF (Chinese rendered with an embedded Noto Sans CJK font) and as XLSX with
the same content (API.md "Reports", DESIGN.md §4); every export is an audit event."""
import io
import shutil
import subprocess
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from anbao.audit.models import AuditEvent
from anbao.extensions import db
from reports import exports
from tests.conftest import IN_CI
from tests.reports.helpers import (ALL_YES, answer, at, create, hazard, held, review,
                                   submit, submitted)

NARRATIVE = "本期落实门卫值守和巡逻制度，东门围栏隐患已整改完毕。"


def _has_noto_cjk() -> bool:
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(["fc-list"], capture_output=True, text=True, check=False).stdout
    return "Noto Sans CJK" in listed


@pytest.fixture
def noto():
    """The PDF needs Noto Sans CJK (fonts-noto-cjk); without it: a skip here, a failure in
    CI, where the font is part of the image."""
    if not _has_noto_cjk():
        message = "fc-list finds no \"Noto Sans CJK\": install fonts-noto-cjk to test the PDF"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def _fonts(reader):
    """Every font of every page, as (BaseFont, FontDescriptor) of the font itself or, for a
    Type0 font, of each descendant font."""
    found = []
    for page in reader.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources else None
        if not fonts:
            continue
        for ref in fonts.get_object().values():
            font = ref.get_object()
            if font.get("/Subtype") == "/Type0":
                for descendant in font["/DescendantFonts"].get_object():
                    descendant = descendant.get_object()
                    found.append((str(descendant["/BaseFont"]),
                                  descendant.get("/FontDescriptor")))
            else:
                found.append((str(font.get("/BaseFont")), font.get("/FontDescriptor")))
    return found


def _report(api, world):
    held(world.unit_a, at(date(2026, 3, 3)), title="防暴恐疏散演练")
    hazard(world.unit_a, at(date(2026, 2, 1)), date(2026, 3, 1), description="东门围栏破损")
    report = create(api, world.coordinator_a, world.unit_a)
    answer(api, world.coordinator_a, report["id"], NARRATIVE,
           {**ALL_YES, "C09": {"answer": "no", "note": "录像仅保存60天"},
            "C13": {"answer": "na", "note": "不适用"}})
    return submit(api, world.coordinator_a, report["id"])


def test_the_pdf_shows_the_chinese_text_in_an_embedded_cjk_font(api, world, noto):
    from pypdf import PdfReader
    report = _report(api, world)
    response = api.get(f"/reports/{report['id']}.pdf", as_=world.police_a)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = "".join(page.extract_text() for page in reader.pages)
    flat = "".join(text.split())
    assert "天河实验学校" in flat
    assert "".join(NARRATIVE.split()) in flat
    assert "东门围栏破损" in flat
    fonts = _fonts(reader)
    assert fonts
    for name, descriptor in fonts:
        assert descriptor is not None, name
        descriptor = descriptor.get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor or \
            "/FontFile" in descriptor, f"{name} is not embedded"
    # WeasyPrint writes the family's name with hyphens: /ABCDEF+Noto-Sans-CJK-SC
    assert any("NotoSansCJK" in name.replace(" ", "").replace("-", "") for name, _d in fonts), \
        [name for name, _d in fonts]


def test_exports_are_audit_events(api, world, monkeypatch):
    monkeypatch.setattr(exports, "pdf", lambda report, data: b"%PDF-1.7 stand-in")
    report = submitted(api, world.coordinator_a, world.unit_a)
    assert api.get(f"/reports/{report['id']}.pdf", as_=world.police_a).status_code == 200
    assert api.get(f"/reports/{report['id']}.xlsx", as_=world.coordinator_a).status_code == 200
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "export").order_by(AuditEvent.id)).all()
    assert [(e.username, e.entity, e.entity_id, e.unit_id, e.changes.get("format"))
            for e in events] == [("police_a", "report", report["id"], world.unit_a.id, "pdf"),
                                 ("coordinator_a", "report", report["id"], world.unit_a.id,
                                  "xlsx")]
    # the police read the revision they exported
    revisions = api.get(f"/reports/{report['id']}/revisions", as_=world.admin).get_json()
    assert [r["username"] for r in revisions[0]["reads"]] == ["police_a"]
    # a refused export is none
    assert api.get(f"/reports/{report['id']}.pdf", as_=world.staff_a).status_code == 403
    assert api.get(f"/reports/{report['id']}.xlsx", as_=world.police_b).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "export")) == 2


def _rows(sheet):
    return [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]


def test_the_xlsx_holds_the_same_content(api, world):
    report = _report(api, world)
    response = api.get(f"/reports/{report['id']}.xlsx", as_=world.police_a)
    assert response.status_code == 200
    assert response.mimetype == exports.XLSX
    book = load_workbook(io.BytesIO(response.data))
    assert len(book.sheetnames) == 8
    summary, staffing, plans, activities, equipment, hazards, compliance, checklist = \
        (book[name] for name in book.sheetnames)
    values = [cell for row in _rows(summary) for cell in row]
    assert "天河实验学校" in values and NARRATIVE in values and report["sha256"] in values
    assert world.unit_a.credit_code in values
    # the checklist: every item, its answer and note
    rows = _rows(checklist)[1:]
    assert [row[0] for row in rows] == [c["id"] for c in report["checklist"]]
    by_id = {row[0]: row for row in rows}
    assert by_id["C09"][4] == "录像仅保存60天" and by_id["C13"][4] == "不适用"
    answers = {by_id[item][3] for item in ("C01", "C09", "C13")}
    assert len(answers) == 3 and "" not in answers and None not in answers
    assert [row[2] for row in rows] == [c["text"] for c in report["checklist"]]
    # hazards and activities, as in the content
    hazard_rows = _rows(hazards)[1:]
    assert [row[0] for row in hazard_rows] == \
        [h["id"] for h in report["content"]["hazards"]["items"]]
    assert "东门围栏破损" in [row[1] for row in hazard_rows]
    assert [row[1] for row in _rows(activities)[1:]] == ["防暴恐疏散演练"]
    assert len(_rows(plans)[1:]) == 5  # five scenarios, none with an approved plan
    assert [row[0] for row in _rows(compliance)[1:]] == \
        [i["rule"] for i in report["content"]["compliance"]["items"]]
    assert [row[0] for row in _rows(staffing)[1:]] == \
        [r["rule"] for r in report["content"]["staffing"]["requirements"]]
    assert _rows(equipment)[1:] == []


def test_the_export_of_a_returned_report_is_the_working_copy(api, world, monkeypatch):
    """What GET gives is what the export shows: after a return, the revision being worked
    on."""
    report = submitted(api, world.coordinator_a, world.unit_a, narrative="第一版")
    review(api, world.police_a, report["id"], "return", "请修改")
    answer(api, world.coordinator_a, report["id"], "第二版草稿")
    response = api.get(f"/reports/{report['id']}.xlsx", as_=world.coordinator_a)
    book = load_workbook(io.BytesIO(response.data))
    values = [cell for row in _rows(book[book.sheetnames[0]]) for cell in row]
    assert "第二版草稿" in values and 2 in values
