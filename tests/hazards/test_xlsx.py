"""The hazard ledger as XLSX (hazards.xlsx, GET /units/<id>/hazards.xlsx)."""
import io
from datetime import date, datetime
from urllib.parse import unquote

import sqlalchemy as sa
from openpyxl import load_workbook

from anbao import xlsx as sheets
from anbao.audit.models import AuditEvent
from anbao.extensions import db
from hazards import service, xlsx
from tests.anbao.test_views import pages  # noqa: F401  (fixture)
from tests.hazards.test_views import days, make_hazard, make_order
from tests.plans.test_views import coordinator_of

ZH_HEADERS = ["序号", "编号", "隐患描述", "等级", "来源", "责任人", "位置", "整改期限", "状态",
              "是否整改指令", "是否逾期", "依据", "整改措施", "整改人", "整改时间", "验收人",
              "验收时间", "验收意见", "上报对象", "上报原因", "上报时间", "确认人", "确认时间",
              "确认意见", "登记人", "登记时间"]


def sheet_rows(sheet) -> list[dict]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]


def export(pages, unit, query="", status=200):
    response = pages.get(f"/units/{unit.id}/hazards.xlsx{query}")
    assert response.status_code == status
    return response


def test_the_export_has_chinese_headers_and_a_row_per_hazard(world, pages):
    unit = world.unit_a
    fence = make_hazard(unit, description="东门围栏破损，需更换", location="东侧围栏",
                        key_part_id=world.key_part_a.id, due_date=days(unit, -2))
    make_hazard(unit, description="消防通道堵塞", severity="low", owner="李四")
    order = make_order(unit, world.police_a, legal_basis="《企业事业单位内部治安保卫条例》第十九条")
    actor = coordinator_of(unit)
    service.rectify(actor, order, "加装摄像头两台", [])
    service.escalate(actor, fence, "supervisor", "围栏属于市政")
    db.session.commit()
    pages.login(world.coordinator_a, language="zh_CN")
    response = export(pages, unit)
    assert response.mimetype == sheets.MIMETYPE
    disposition = unquote(response.headers["Content-Disposition"])
    assert f"隐患台账-天河实验学校-{days(unit, 0).isoformat()}.xlsx" in disposition
    book = load_workbook(io.BytesIO(response.data))
    ledger, history = book.worksheets
    assert ledger.title == "隐患台账" and history.title == "处理记录"
    assert [c.value for c in ledger[1]] == ZH_HEADERS
    assert ledger.freeze_panes == "A2" and ledger["A1"].font.bold
    assert ledger.column_dimensions["C"].width >= 30
    rows = sheet_rows(ledger)
    assert [r["序号"] for r in rows] == [1, 2, 3]
    assert [r["编号"] for r in rows] == [fence.id, fence.id + 1, order.id]
    assert [r["隐患描述"] for r in rows] == ["东门围栏破损，需更换", "消防通道堵塞", "监控未覆盖东门"]
    first, second, third = rows
    assert first["位置"] == "东门 · 东侧围栏" and first["责任人"] == "王五"
    assert first["整改期限"].date() == days(unit, -2)
    assert first["是否逾期"] == "是" and first["是否整改指令"] == "否"
    assert first["上报原因"] == "围栏属于市政" and first["上报对象"]
    assert isinstance(first["上报时间"], datetime) and first["确认人"] is None
    assert second["责任人"] == "李四" and second["是否逾期"] == "否"
    assert third["是否整改指令"] == "是" and third["整改措施"] == "加装摄像头两台"
    assert third["依据"] == "《企业事业单位内部治安保卫条例》第十九条"
    assert third["整改人"] == "system" and isinstance(third["整改时间"], datetime)
    assert third["登记人"] == "police_a" and isinstance(third["登记时间"], datetime)
    steps = sheet_rows(history)
    assert [c.value for c in history[1]] == ["时间", "编号", "隐患描述", "操作", "操作后状态",
                                             "经办人", "角色", "说明"]
    assert len(steps) == 5  # three recorded, one rectified, one escalated
    assert [s["说明"] for s in steps if s["编号"] == order.id][-1] == "加装摄像头两台"
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "export", AuditEvent.entity == "hazard")).one()
    assert event.unit_id == unit.id and event.username == "coordinator_a"


def test_the_export_follows_the_filters(world, pages):
    unit = world.unit_a
    make_hazard(unit, due_date=days(unit, -2))
    make_hazard(unit, description="消防通道堵塞", severity="low")
    make_order(unit, world.police_a)
    pages.login(world.police_a, language="zh_CN")
    book = load_workbook(io.BytesIO(export(pages, unit, "?overdue=true").data))
    assert [r["隐患描述"] for r in sheet_rows(book.worksheets[0])] == ["东门围栏破损"]
    book = load_workbook(io.BytesIO(export(pages, unit, "?order=true").data))
    assert [r["隐患描述"] for r in sheet_rows(book.worksheets[0])] == ["监控未覆盖东门"]
    book = load_workbook(io.BytesIO(export(pages, unit, "?severity=low&status=open").data))
    assert [r["隐患描述"] for r in sheet_rows(book.worksheets[0])] == ["消防通道堵塞"]
    book = load_workbook(io.BytesIO(export(pages, unit, "?status=closed").data))
    assert sheet_rows(book.worksheets[0]) == []
    assert [c.value for c in book.worksheets[0][1]] == ZH_HEADERS
    html = pages.html(f"/units/{unit.id}/hazards?overdue=true&severity=high")
    assert f"/units/{unit.id}/hazards.xlsx?overdue=true&amp;severity=high" in html \
        or f"/units/{unit.id}/hazards.xlsx?severity=high&amp;overdue=true" in html


def test_english_headers_for_english_users(world, pages):
    make_hazard(world.unit_a)
    pages.login(world.supervisor_a, language="en")
    response = export(pages, world.unit_a)
    assert "Hazard%20ledger-" in response.headers["Content-Disposition"] \
        or "Hazard ledger-" in response.headers["Content-Disposition"]
    ledger = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert ledger.title == "Hazard ledger"
    header = [c.value for c in ledger[1]]
    assert header[:4] == ["No.", "ID", "Description", "Severity"]
    assert len(header) == len(ZH_HEADERS)
    row = sheet_rows(ledger)[0]
    assert row["Description"] == "东门围栏破损" and row["Severity"] == "High"
    assert row["Rectification order"] == "No" and row["Status"] == "Open"


def test_only_who_reads_hazards_exports_them(world, pages):
    make_hazard(world.unit_a)
    pages.login(world.staff_a)
    export(pages, world.unit_a, status=403)
    pages.post("/logout")
    pages.login(world.coordinator_b)
    export(pages, world.unit_a, status=404)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "export")) == 0


def test_the_workbook_is_a_pure_function_of_its_rows():
    body = xlsx.ledger_xlsx("zh_CN", [(7, "围栏", "高", "自查", "王五", "东门", date(2030, 1, 2),
                                       "整改中", "否", "否", "", "", "", None, "", None, "", "",
                                       "", None, "", None, "", "system",
                                       datetime(2030, 1, 1, 9, 30))], [])
    ledger = load_workbook(io.BytesIO(body)).worksheets[0]
    assert [c.value for c in ledger[2]][:3] == [1, 7, "围栏"]
    assert ledger["H2"].number_format == "yyyy-mm-dd"
    assert ledger["Z2"].number_format == "yyyy-mm-dd hh:mm"
    assert ledger.auto_filter.ref == "A1:Z2"
    assert xlsx.filename("zh_CN", '天河/实验:学校', date(2030, 1, 2)) == \
        "隐患台账-天河实验学校-2030-01-02.xlsx"
    assert xlsx.filename("en", "???", date(2030, 1, 2)) == "Hazard ledger-unit-2030-01-02.xlsx"
