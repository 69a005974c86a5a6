"""The equipment ledger (装备台账) as an XLSX workbook: a pure function of the rows; the view
only sends the bytes."""
import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

# The ledger's columns are a fixed document format that public security reads in Chinese;
# English is offered for English-speaking users.
HEADINGS = {
    "zh_CN": {"items": "装备台账", "movements": "出入库记录",
              "item_columns": ("类别", "名称", "数量", "应配数量", "存放位置", "有效期至",
                               "下次检查日期", "提醒"),
              "movement_columns": ("日期", "装备", "变动", "变动后数量", "事由", "经办人"),
              "filename": "装备台账"},
    "en": {"items": "Equipment ledger", "movements": "Movements",
           "item_columns": ("Category", "Name", "Quantity", "Required quantity", "Location",
                            "Expires on", "Next inspection", "Alerts"),
           "movement_columns": ("Date", "Equipment", "Change", "Quantity after", "Reason",
                                "By"),
           "filename": "Equipment ledger"},
}
ITEM_WIDTHS = (14, 28, 9, 11, 28, 13, 15, 40)
MOVEMENT_WIDTHS = (18, 28, 9, 13, 40, 16)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


def headings(locale: str) -> dict:
    return HEADINGS.get(locale, HEADINGS["zh_CN"])


def filename(locale: str, unit_name: str, today: date) -> str:
    """Like 装备台账-<unit name>-2026-11-28.xlsx."""
    safe = "".join(c for c in unit_name if c not in '\\/:*?"<>|').strip() or "unit"
    return f"{headings(locale)['filename']}-{safe}-{today.isoformat()}.xlsx"


def _sheet(sheet, columns, widths, rows) -> None:
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    for row in rows:
        sheet.append(list(row))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions


def ledger_xlsx(locale: str, items: list[tuple], movements: list[tuple]) -> bytes:
    """The workbook: one row per item (already in the user's words), then the movements."""
    words = headings(locale)
    book = Workbook()
    first = book.active
    first.title = words["items"]
    _sheet(first, words["item_columns"], ITEM_WIDTHS, items)
    for row in first.iter_rows(min_row=2, min_col=6, max_col=7):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    second = book.create_sheet(words["movements"])
    _sheet(second, words["movement_columns"], MOVEMENT_WIDTHS, movements)
    for row in second.iter_rows(min_row=2, max_col=1):
        for cell in row:
            cell.number_format = "yyyy-mm-dd hh:mm"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
