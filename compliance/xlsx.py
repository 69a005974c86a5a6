"""The jurisdiction's compliance overview (合规情况) as an XLSX workbook: a pure function of the
rows; the view only sends the bytes."""
from datetime import date

from openpyxl import Workbook

from anbao import xlsx

# The columns are a document that public security reads in Chinese; English is offered for
# English-speaking users.
HEADINGS = {
    "zh_CN": {"sheet": "合规情况",
              "columns": ("单位", "辖区", "类别", "状态", "逾期", "即将到期", "缺失", "不符合"),
              "filename": "合规情况", "as_of": "截至"},
    "en": {"sheet": "Compliance",
           "columns": ("Unit", "Jurisdiction", "Category", "Status", "Overdue", "Due soon",
                       "Missing", "Not met"),
           "filename": "Compliance", "as_of": "as of"},
}
WIDTHS = (32, 28, 14, 14, 8, 10, 8, 8)


def headings(locale: str) -> dict:
    return HEADINGS.get(locale, HEADINGS["zh_CN"])


def filename(locale: str, scope_name: str, as_of: date) -> str:
    """Like 合规情况-<jurisdiction>-2026-11-28.xlsx."""
    return xlsx.filename(headings(locale)["filename"], scope_name, as_of)


def overview_xlsx(locale: str, rows: list[tuple]) -> bytes:
    """The workbook: one row per unit, already in the user's words: unit, jurisdiction,
    category, status, then the counts of overdue, due soon, missing and not met items."""
    words = headings(locale)
    book = Workbook()
    sheet = book.active
    sheet.title = words["sheet"]
    xlsx.write_sheet(sheet, words["columns"], WIDTHS, rows)
    return xlsx.to_bytes(book)
