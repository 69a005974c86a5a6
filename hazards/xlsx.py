"""The hazard ledger (隐患台账) as an XLSX workbook: a pure function of the rows; the view
only sends the bytes."""
from datetime import date

from openpyxl import Workbook

from anbao import xlsx

# The ledger's columns are a fixed document format that public security reads in Chinese;
# English is offered for English-speaking users.
HEADINGS = {
    "zh_CN": {"hazards": "隐患台账", "history": "处理记录",
              "hazard_columns": ("序号", "编号", "隐患描述", "等级", "来源", "责任人", "位置",
                                 "整改期限", "状态", "是否整改指令", "是否逾期", "依据",
                                 "整改措施", "整改人", "整改时间", "验收人", "验收时间",
                                 "验收意见", "上报对象", "上报原因", "上报时间", "确认人",
                                 "确认时间", "确认意见", "登记人", "登记时间"),
              "history_columns": ("时间", "编号", "隐患描述", "操作", "操作后状态", "经办人",
                                  "角色", "说明"),
              "filename": "隐患台账"},
    "en": {"hazards": "Hazard ledger", "history": "History",
           "hazard_columns": ("No.", "ID", "Description", "Severity", "Source", "Owner",
                              "Location", "Due date", "Status", "Rectification order",
                              "Overdue", "Legal basis", "Measures", "Rectified by",
                              "Rectified at", "Verified by", "Verified at",
                              "Verification comment", "Escalated to", "Escalation reason",
                              "Escalated at", "Acknowledged by", "Acknowledged at",
                              "Acknowledgement comment", "Recorded by", "Recorded at"),
           "history_columns": ("When", "ID", "Description", "Step", "Status after", "By",
                               "Role", "Comment"),
           "filename": "Hazard ledger"},
}
HAZARD_WIDTHS = (6, 7, 40, 8, 12, 12, 24, 12, 12, 10, 8, 30, 40, 14, 17, 14, 17, 30, 12, 30,
                 17, 14, 17, 30, 14, 17)
# columns (from 1) holding a date, a date and time, and long text
DATE_COLUMNS = (8,)
TIME_COLUMNS = (15, 17, 21, 23, 26)
TEXT_COLUMNS = (3, 12, 13, 18, 20, 24)
HISTORY_WIDTHS = (17, 7, 40, 18, 18, 14, 14, 40)


def headings(locale: str) -> dict:
    return HEADINGS.get(locale, HEADINGS["zh_CN"])


def filename(locale: str, unit_name: str, today: date) -> str:
    """Like 隐患台账-<unit name>-2026-11-28.xlsx."""
    return xlsx.filename(headings(locale)["filename"], unit_name, today)


def ledger_xlsx(locale: str, hazards: list[tuple], history: list[tuple]) -> bytes:
    """The workbook: one row per hazard (already in the user's words, without the running
    number, which is added here), then every step of their history."""
    words = headings(locale)
    book = Workbook()
    first = book.active
    first.title = words["hazards"]
    formats = {**{c: xlsx.DATE for c in DATE_COLUMNS}, **{c: xlsx.DATE_TIME for c in TIME_COLUMNS}}
    xlsx.write_sheet(first, words["hazard_columns"], HAZARD_WIDTHS,
                     [(number, *row) for number, row in enumerate(hazards, start=1)],
                     formats=formats, wrap=TEXT_COLUMNS)
    second = book.create_sheet(words["history"])
    xlsx.write_sheet(second, words["history_columns"], HISTORY_WIDTHS, history,
                     formats={1: xlsx.DATE_TIME}, wrap=(3, 8))
    return xlsx.to_bytes(book)
