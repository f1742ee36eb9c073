"""Tables to CSV (UTF-8 with BOM, so Excel and WPS read Chinese headers) and
to .xlsx (openpyxl). Generic: any app hands over sheets (a title, headers,
rows, rows to shade, notes); numbers stay numbers in Excel. Shared by the
SLA dashboard and the sales funnel."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from collab.parsing import clean_text

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# OWASP's CSV-injection rule: a text cell starting with one of these is read
# as a formula by Excel, LibreOffice and WPS ("=cmd|' /C calc'!A0",
# "=HYPERLINK(...)"), so it is written with a leading apostrophe.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)*")


def safe_text(value: Any) -> str:
    """Text as it may go into a spreadsheet cell: control characters
    removed (they make an .xlsx invalid) and a leading formula character
    neutralised. Text that is just a signed number ("-5") is left alone."""
    text = clean_text(str(value))
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _cell(value: Any) -> Any:
    """Every cell of every export passes here: numbers and dates keep their
    type (Excel sums them), everything else becomes ``safe_text``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.replace(tzinfo=None)
    if isinstance(value, (int, float, Decimal, dt.date)):
        return value
    return safe_text(value)


@dataclass
class Sheet:
    """One table of an export: a sheet in .xlsx, a section in CSV.

    ``highlight`` holds indexes into ``rows`` to shade (a bottleneck, a
    breach); ``notes`` are lines of text after the table."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    highlight: Collection[int] = ()
    notes: Sequence[str] = ()


def _csv_value(value: Any) -> Any:
    value = _cell(value)
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value


def sheets_csv(sheets: Sequence[Sheet]) -> bytes:
    """The sheets one after another, a blank line between them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, sheet in enumerate(sheets):
        if index:
            writer.writerow([])
        writer.writerow([_cell(h) for h in sheet.headers])
        writer.writerows([_csv_value(v) for v in row] for row in sheet.rows)
        for note in sheet.notes:
            writer.writerow([_cell(note)])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def sheets_xlsx(sheets: Sequence[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    workbook.remove(workbook.active)
    shade = PatternFill("solid", fgColor="FDE8E6")
    for sheet in sheets:
        ws = workbook.create_sheet(_sheet_title(sheet.title))
        ws.append([_cell(h) for h in sheet.headers])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for index, row in enumerate(sheet.rows):
            ws.append([_cell(v) for v in row])
            if index in sheet.highlight:
                for cell in ws[ws.max_row]:
                    cell.fill = shade
        if sheet.notes:
            ws.append([])
            for note in sheet.notes:
                ws.append([_cell(note)])
        for column, header in enumerate(sheet.headers, start=1):
            width = max(10, min(48, len(str(header)) * 2 + 2))
            ws.column_dimensions[ws.cell(row=1, column=column).column_letter].width = width
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    # Sheet names: at most 31 characters, none of []:*?/\
    return "".join(c for c in clean_text(str(title)) if c not in "[]:*?/\\")[:31] or "Sheet1"


def sheets_response(fmt: str, filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    """``fmt`` is "csv" or "xlsx" (callers validate it); ``filename`` without extension."""
    if fmt == "xlsx":
        response = HttpResponse(sheets_xlsx(sheets), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(sheets_csv(sheets), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
