"""The fill-in workbook of ``reformctl export`` (openpyxl, the ``xlsx`` extra).

One sheet of tasks, one row each: the identifying columns (id, ref, level, task, lead unit) are
locked by sheet protection (no password: it keeps hands off by mistake, not by force; the import
compares them with the ledger anyway); status is a drop-down of the status names in the sheet's
language, progress takes whole numbers 0..100, due a date, note and evidence any text. A hidden,
protected sheet (:data:`reformctl.sheets.META_SHEET`) ties the workbook to its ledger. It prints
on landscape A4, one page wide, the header row repeated on every page.
"""

from __future__ import annotations

import io
from typing import Any

from ..i18n import N_, _
from ..sheets import (
    COLUMNS,
    EDITABLE,
    FORMAT,
    META_SHEET,
    TRACKED,
    Stamp,
    header_label,
    need_openpyxl,
    status_labels,
)
from . import tr

WIDTH = {"id": 6, "ref": 7, "level": 10, "text": 60, "owner": 16, "status": 10,
         "progress": 10, "due": 12, "note": 30, "evidence": 30}
WRAPPED = ("text", "owner", "note", "evidence")
LINE_HEIGHT = 16  # points per line of 11-point text, CJK included


def workbook(rows: list[dict[str, Any]], states: list[dict[str, str]], stamp: Stamp,
             title: str) -> bytes:
    """The workbook's bytes: ``rows`` as :func:`reformctl.sheets.export_rows` gives them,
    ``states`` (each task's tracked values, same order) for the hidden sheet."""
    need_openpyxl()
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from .report_xlsx import wrapped_lines

    lang = stamp.lang
    keys = [key for key, _en, _zh in COLUMNS]
    letter = {key: get_column_letter(i) for i, key in enumerate(keys, 1)}
    last = len(rows) + 1
    font = Font(name="Calibri")  # without a name LibreOffice falls back to a serif
    bold = Font(name="Calibri", bold=True)
    locked_fill = PatternFill("solid", fgColor="F2F4F7")
    open_fill = PatternFill("solid", fgColor="FFFBEA")
    top = Alignment(vertical="top")
    wrap = Alignment(vertical="top", wrap_text=True)

    wb = Workbook()
    ws = wb.active
    ws.title = tr(N_("sheet|Tasks"))
    for key in keys:
        ws.column_dimensions[letter[key]].width = WIDTH[key]
    for col, key in enumerate(keys, 1):
        cell = ws.cell(row=1, column=col, value=header_label(key, lang))
        cell.font, cell.fill, cell.alignment = bold, locked_fill, wrap
    for r, row in enumerate(rows, 2):
        lines = 1
        for col, key in enumerate(keys, 1):
            value = row[key]
            cell = ws.cell(row=r, column=col)
            if value is not None:
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # data, never a formula, whatever it starts with
            if key == "due":
                cell.number_format = "yyyy-mm-dd"
            cell.font = font
            cell.alignment = wrap if key in WRAPPED else top
            if key in EDITABLE:
                cell.protection = Protection(locked=False)
                cell.fill = open_fill
            if key in WRAPPED and isinstance(value, str):
                lines = max(lines, wrapped_lines(value, WIDTH[key] - 1))
        ws.row_dimensions[r].height = LINE_HEIGHT * lines

    def validation(key: str, **kwargs: Any) -> None:
        dv = DataValidation(allow_blank=True, showErrorMessage=True, showInputMessage=True,
                            **kwargs)
        dv.add(f"{letter[key]}2:{letter[key]}{max(last, 2)}")
        ws.add_data_validation(dv)

    validation("status", type="list", formula1='"' + ",".join(status_labels(lang)) + '"',
               errorTitle=_("Status"), error=_("Choose a status from the list."),
               promptTitle=_("Status"), prompt=_("Choose from the list."))
    validation("progress", type="whole", operator="between", formula1="0", formula2="100",
               errorTitle=_("Progress"), error=_("A whole number from 0 to 100."),
               promptTitle=_("Progress"), prompt=_("Percent done: a whole number from 0 to 100."))
    validation("due", type="date", operator="between", formula1="1", formula2="2958465",
               errorTitle=_("Due"), error=_("A date, e.g. 2018-12-31."),
               promptTitle=_("Due"), prompt=_("A date, e.g. 2018-12-31."))

    ws.freeze_panes = "B2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    ws.oddHeader.center.text = title.replace("&", "&&")
    ws.oddFooter.center.text = "&P / &N"
    # Locked cells stay as they are; columns and rows may be resized, rows filtered.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False

    meta = wb.create_sheet(META_SHEET)
    for r, (key, value) in enumerate((("format", FORMAT), ("plan", stamp.plan),
                                      ("exported", stamp.exported), ("sha256", stamp.sha256),
                                      ("lang", lang)), 1):
        meta.cell(row=r, column=1, value=key)
        meta.cell(row=r, column=2, value=value).data_type = "s"
    meta.append([])
    meta.append(["id", *TRACKED])
    for row, state in zip(rows, states, strict=True):
        meta.append([str(row["id"]), *(state[k] for k in TRACKED)])
        for cell in meta[meta.max_row]:
            cell.data_type = "s"  # text: no program turns "2018-12-31" or "40" into another value
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    wb.properties.title = title
    wb.properties.creator = "reformctl"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
