"""The equipment ledger (装备台账) as an XLSX workbook: a pure function of the rows; the view
only sends the bytes."""
from datetime import date

from openpyxl import Workbook

from anbao import xlsx

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


def headings(locale: str) -> dict:
    return HEADINGS.get(locale, HEADINGS["zh_CN"])


def filename(locale: str, unit_name: str, today: date) -> str:
    """Like 装备台账-<unit name>-2026-11-28.xlsx."""
    return xlsx.filename(headings(locale)["filename"], unit_name, today)


def ledger_xlsx(locale: str, items: list[tuple], movements: list[tuple]) -> bytes:
    """The workbook: one row per item (already in the user's words), then the movements."""
    words = headings(locale)
    book = Workbook()
    first = book.active
    first.title = words["items"]
    xlsx.write_sheet(first, words["item_columns"], ITEM_WIDTHS, items,
                     formats={6: xlsx.DATE, 7: xlsx.DATE})
    second = book.create_sheet(words["movements"])
    xlsx.write_sheet(second, words["movement_columns"], MOVEMENT_WIDTHS, movements,
                     formats={1: xlsx.DATE_TIME})
    return xlsx.to_bytes(book)
