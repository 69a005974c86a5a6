"""What the XLSX exports (台账) share: a sheet with a styled, frozen, filterable header row,
date formats, a safe file name and the workbook's bytes."""
import io
from datetime import date

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
DATE = "yyyy-mm-dd"
DATE_TIME = "yyyy-mm-dd hh:mm"
# characters a file name may not hold on common systems
UNSAFE = set('\\/:*?"<>|')


def cell_value(value):
    """Text as text: control characters a workbook cannot hold replaced, and never a formula
    (a cell starting with = + - @ would run in the reader's spreadsheet)."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") and len(value) > 1 else value


def write_sheet(sheet, columns, widths, rows, formats: dict[int, str] | None = None,
                wrap: tuple[int, ...] = ()) -> None:
    """The header row (bold, shaded, frozen, with an auto filter), then `rows`.

    `formats`: number formats by column (from 1), e.g. {6: DATE}; `wrap`: columns whose long
    text wraps in its cell."""
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    for row in rows:
        sheet.append([cell_value(value) for value in row])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for column, number_format in (formats or {}).items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = number_format
    for column in wrap:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions


def filename(title: str, unit_name: str, today: date) -> str:
    """Like 装备台账-<unit name>-2026-11-28.xlsx, without characters a file name may not hold."""
    safe = "".join(c for c in unit_name if c not in UNSAFE).strip() or "unit"
    return f"{title}-{safe}-{today.isoformat()}.xlsx"


def to_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
