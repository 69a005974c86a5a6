"""The compliance overview as XLSX (compliance.xlsx and the /compliance.xlsx page)."""
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from anbao.audit.models import AuditEvent
from anbao.extensions import db
from compliance import xlsx
from tests.anbao.test_views import pages  # noqa: F401  (fixture)
from tests.compliance.test_views import compliant_unit

ZH = ["单位", "辖区", "类别", "状态", "逾期", "即将到期", "缺失", "不符合"]
EN = ["Unit", "Jurisdiction", "Category", "Status", "Overdue", "Due soon", "Missing",
      "Not met"]


def sheet_of(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.data)).worksheets[0]


def values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_workbook_is_a_pure_function_of_the_rows():
    rows = [("天河实验学校", "天河区分局 · 石牌派出所", "学校", "不合规", 0, 1, 5, 1)]
    book = load_workbook(io.BytesIO(xlsx.overview_xlsx("zh_CN", rows)))
    sheet = book.worksheets[0]
    assert sheet.title == "合规情况"
    assert values(sheet) == [ZH, list(rows[0])]
    assert sheet.freeze_panes == "A2"
    assert values(load_workbook(io.BytesIO(xlsx.overview_xlsx("en", []))).worksheets[0]) == [EN]


def test_the_export_has_chinese_headers_and_one_row_per_unit(world, pages):
    pages.login(world.admin, language="zh_CN")
    response = pages.get("/compliance.xlsx")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''%E5%90%88%E8%A7%84%E6%83%85%E5%86%B5-" in \
        response.headers["Content-Disposition"]  # 合规情况-
    sheet = sheet_of(response)
    assert sheet.title == "合规情况"
    table = values(sheet)
    assert table[0] == ZH
    assert [row[0] for row in table[1:]] == ["天河实验学校", "天河医院", "越秀博物馆"]
    school = table[1]
    assert school[1] == "天河区分局 · 石牌派出所"
    assert school[4:] == [0, 0, 5, 1]
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "export", AuditEvent.entity == "compliance")).all()
    assert len(events) == 1 and events[0].username == "admin"
    assert events[0].changes["units"] == 3


def test_the_export_applies_the_filters_and_the_scope(world, pages, make):
    ok = compliant_unit(make, world.station_a)
    pages.login(world.police_a, language="zh_CN")
    table = values(sheet_of(pages.get("/compliance.xlsx")))
    assert [row[0] for row in table[1:]] == ["天河实验学校", "天河医院", ok.name]
    table = values(sheet_of(pages.get("/compliance.xlsx?status=compliant")))
    assert [row[0] for row in table[1:]] == [ok.name]
    table = values(sheet_of(pages.get(f"/compliance.xlsx?jurisdiction_id={world.station_a.id}"
                                      "&status=non_compliant")))
    assert [row[0] for row in table[1:]] == ["天河实验学校"]
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "compliance")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.changes["filters"] == {"jurisdiction_id": world.station_a.id,
                                        "status": "non_compliant"}


def test_the_export_is_in_english_for_english_users(world, pages):
    pages.login(world.admin, language="en")
    response = pages.get("/compliance.xlsx")
    assert "filename=Compliance-" in response.headers["Content-Disposition"]
    sheet = sheet_of(response)
    assert sheet.title == "Compliance"
    table = values(sheet)
    assert table[0] == EN
    assert table[1][2] == "School" and table[1][3] == "Non-compliant"
    assert len(table) == 4
