"""The report as an xlsx workbook (openpyxl, the ``xlsx`` extra): a writer of :mod:`.document`.

Three sheets: the summary (the head, then the totals), the tasks (the columns a meeting reads,
laid out to print legibly on A4 landscape, fitted to the page's width) and every field of every
task (the ledger table, as the CSV has it, for filtering). Cells are typed: dates are date cells,
numbers numbers, percents numbers with one decimal, every text a string (never a formula,
whatever it starts with). Widths follow the display width of the text (a CJK character is two
columns); wrapped rows get the height their lines need, because spreadsheet programs do not grow
rows of a file they did not write. Timestamps come from the as-of day.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any

from ..errors import ReformctlError
from ..i18n import N_
from . import cell_text, tr
from .document import Cell, Column, Document, LineChart, Row, Table, walk

XLSX_WRAP_CAP = {"text": 50, "title": 30, "evidence": 30, "owner": 20, "tags": 20, "moves": 40}
XLSX_CAP = 30  # any other column: at most this wide (its text is short)
XLSX_CENTRED = frozenset({"id", "seq", "progress", "overdue", "days_overdue"})
XLSX_LINE_HEIGHT = 16  # points per line of 11-point text, CJK included
# The task sheet: what a meeting reads, narrow enough for A4 landscape at a legible size.
PRINTED_TASK_KEYS = ("ref", "level", "status", "progress", "due", "days_overdue", "owner",
                     "text", "evidence")
SHEETS = {
    "summary": N_("sheet|Summary"),
    "tasks": N_("sheet|Tasks"),
    "ledger": N_("sheet|All fields"),
    "trend": N_("sheet|Trend"),
    "period": N_("sheet|Period"),
}


def write_xlsx(document: Document) -> bytes:
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter
    except ImportError:
        raise ReformctlError(
            "xlsx reports need openpyxl, which is not installed",
            hint="pip install 'reformctl[xlsx]'",
        ) from None

    bold = Font(name="Calibri", bold=True)  # without a name LibreOffice falls back to a serif
    head_fill = PatternFill("solid", fgColor="F2F4F7")
    top = Alignment(vertical="top")
    wrap = Alignment(vertical="top", wrap_text=True)
    centre = Alignment(vertical="top", horizontal="center")
    sep = "; "  # lists in a cell, as in the CSV

    def put(ws: Any, row: int, col: int, cell: Cell | str, *, shown: bool = True) -> Any:
        """A typed cell: a date, a number, or a string (the shown text, or the value when
        ``shown`` is false: the files' level and status words)."""
        target = ws.cell(row=row, column=col)
        if isinstance(cell, str):
            target.value = cell_text(cell)
            target.data_type = "s"
            return target
        if cell.kind in ("date",) and isinstance(cell.value, date):
            target.value = cell.value
            target.number_format = "yyyy-mm-dd"
        elif cell.kind in ("number", "percent"):
            if cell.value is not None:
                target.value = cell.value
                if cell.kind == "percent":
                    target.number_format = "0.0"
        elif cell.kind == "list":
            if cell.items:
                target.value = sep.join(i.text for i in cell.items)
                target.data_type = "s"
        elif cell.value is None and cell.text == "—":
            pass  # nothing: an empty cell
        else:
            target.value = cell.text if shown else cell_text(cell.value)
            target.data_type = "s"  # data, never a formula, whatever it starts with
        return target

    def lines(value: str, width: float) -> int:
        return wrapped_lines(value, max(1, int(width) - 1))

    def page_setup(ws: Any) -> None:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.oddFooter.center.text = "— &P —"

    def shown_text(cell: Cell) -> str:
        if cell.kind == "list":
            return sep.join(i.text for i in cell.items)
        return "" if cell.value is None and cell.text == "—" else cell.text

    wb = Workbook()

    # Summary: the head (label, value merged across the table's width), then the totals.
    summary = wb.active
    summary.title = tr(SHEETS["summary"])
    totals = document.table("totals")
    assert totals is not None
    headers = [c.label + (" (%)" if c.kind == "percent" else "") for c in totals.columns]
    head = list(document.head.rows)
    head += [(document.meta["notes_label"], Cell(n)) for n in document.notes]
    widths = [max(12, *(_width(r.cells[0].text) + 2 for r in totals.rows),
                  *(_width(label) + 2 for label, _ in head))]
    widths += [max(9, _width(h) + 3) for h in headers[1:]]
    for col, width in enumerate(widths, 1):
        summary.column_dimensions[get_column_letter(col)].width = width
    title = put(summary, 1, 1, document.title)
    title.font = Font(name="Calibri", bold=True, size=14)
    summary.row_dimensions[1].height = 22
    row = 2
    merged_width = sum(widths[1:])
    for label, said in head:
        put(summary, row, 1, label).font = bold
        summary.cell(row=row, column=1).alignment = top
        value = put(summary, row, 2, said)
        if said.kind == "date" and document.lang == "zh":  # as the head reads: 2018年6月30日
            value.number_format = 'yyyy"年"m"月"d"日"'
        value.alignment = Alignment(vertical="top", wrap_text=True, horizontal="left")
        summary.merge_cells(start_row=row, start_column=2, end_row=row,
                            end_column=len(totals.columns))
        summary.row_dimensions[row].height = XLSX_LINE_HEIGHT * lines(said.text, merged_width)
        row += 1
    row += 1
    for col, label in enumerate(headers, 1):
        cell = put(summary, row, col, label)
        cell.font, cell.fill = bold, head_fill
    for r in totals.rows:
        row += 1
        for col, value in enumerate(r.cells, 1):
            cell = put(summary, row, col, value)
            if r.total:
                cell.font = bold
    page_setup(summary)

    def sheet(title: str, table: Table, *, shown: bool) -> Any:
        ws = wb.create_sheet(title)
        natural = [_width(c.label) for c in table.columns]
        for values in table.rows:
            for i, (col, value) in enumerate(zip(table.columns, values.cells, strict=True)):
                text = "0000-00-00" if col.kind == "date" else shown_text(value)
                natural[i] = max(natural[i], *(_width(part) for part in text.split("\n")))
        widths_t = [min(XLSX_WRAP_CAP.get(col.key, XLSX_CAP), natural[i] + 2)
                    for i, col in enumerate(table.columns)]
        for col_n, width in enumerate(widths_t, 1):
            ws.column_dimensions[get_column_letter(col_n)].width = width
        for col_n, col in enumerate(table.columns, 1):
            cell = put(ws, 1, col_n, col.label)
            cell.font, cell.fill = bold, head_fill
            cell.alignment = centre if col.key in XLSX_CENTRED else top
        for r_i, values in enumerate(table.rows, 2):
            height = 1
            for col_n, (col, value) in enumerate(zip(table.columns, values.cells, strict=True),
                                                 1):
                keep = shown or col.kind not in ("status",) and col.key != "level"
                cell = put(ws, r_i, col_n, value, shown=keep)
                cell.alignment = (wrap if col.key in XLSX_WRAP_CAP else
                                  centre if col.key in XLSX_CENTRED else top)
                if value.tone == "overdue" and col.key in ("overdue", "due"):
                    cell.font = Font(name="Calibri", bold=True, color="B42318")
                if col.key in XLSX_WRAP_CAP and cell.value is not None:
                    height = max(height, lines(shown_text(value), widths_t[col_n - 1]))
            ws.row_dimensions[r_i].height = XLSX_LINE_HEIGHT * height
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
        ws.print_title_rows = "1:1"
        page_setup(ws)
        return ws

    ledger = document.ledger
    if ledger is None:  # a document of tables (the roll-up): each other table on its own sheet
        for block in walk(document.sections):
            if isinstance(block, Table) and block.name != "totals":
                sheet(document.meta.get(f"sheet.{block.name}", block.name)[:31], block,
                      shown=True)
        return fixed_zip(wb, stamp(document.as_of))
    sheet(tr(SHEETS["tasks"]), _columns(ledger, PRINTED_TASK_KEYS), shown=True)
    sheet(tr(SHEETS["ledger"]), ledger, shown=True)
    charts = [b for b in walk(document.sections) if isinstance(b, LineChart)]
    for chart in charts:
        figures = document.table(chart.table)
        if figures is None or not figures.rows:
            continue
        ws = sheet(tr(SHEETS["trend"]), figures, shown=True)
        _line_chart(ws, chart, len(figures.rows), len(figures.columns))
    period = document.table("period")
    if period is not None:
        sheet(tr(SHEETS["period"]), period, shown=True)
    return fixed_zip(wb, stamp(document.as_of))


def _line_chart(ws: Any, chart: LineChart, rows: int, columns: int) -> None:
    """A native line chart over the sheet's figures (dates in column A, a series per column
    after it, titled by the header row), placed to the right of them."""
    from openpyxl.chart import LineChart as XLineChart
    from openpyxl.chart import Reference
    from openpyxl.utils import get_column_letter

    drawn = XLineChart()
    drawn.title = chart.title
    drawn.y_axis.title = f"{chart.caption} (%)"
    drawn.y_axis.scaling.min = 0
    drawn.y_axis.scaling.max = 100
    drawn.y_axis.majorUnit = 25
    drawn.x_axis.number_format = "yyyy-mm-dd"
    drawn.x_axis.delete = False  # openpyxl 3.1 hides axes unless told
    drawn.y_axis.delete = False
    drawn.height, drawn.width = 9, 18
    drawn.add_data(Reference(ws, min_col=2, min_row=1, max_col=columns, max_row=rows + 1),
                   titles_from_data=True)
    drawn.set_categories(Reference(ws, min_col=1, min_row=2, max_row=rows + 1))
    for series, source in zip(drawn.series, chart.series, strict=False):
        series.smooth = False
        if source.total:
            series.graphicalProperties.line.width = 38100  # 3 pt: all levels
    ws.add_chart(drawn, f"{get_column_letter(columns + 2)}2")


def _columns(table: Table, keys: tuple[str, ...]) -> Table:
    """``table`` with only the columns named ``keys``, in that order."""
    index = {c.key: i for i, c in enumerate(table.columns)}
    chosen = [index[k] for k in keys]
    columns: tuple[Column, ...] = tuple(table.columns[i] for i in chosen)
    rows = tuple(Row(tuple(r.cells[i] for i in chosen), r.total) for r in table.rows)
    return Table(columns, rows, table.name)


def _width(value: str) -> int:
    from wcwidth import wcswidth

    width = wcswidth(value)
    return width if width >= 0 else len(value)


_TOKEN = re.compile(r"[^\x00-\u10ff]|[\x00-\u10ff]+?(?:\s+|$|(?=[^\x00-\u10ff]))")


def wrapped_lines(value: str, room: int) -> int:
    """Lines ``value`` takes when a spreadsheet wraps it ``room`` columns wide: words of
    alphabetic text move whole to the next line; CJK text breaks between any two characters."""
    total = 0
    for paragraph in value.split("\n"):
        lines, used = 1, 0
        for token in _TOKEN.findall(paragraph):
            width = _width(token.rstrip())
            if used and used + width > room:
                lines, used = lines + 1, 0
            if width > room:  # a word longer than the line breaks anywhere
                lines += (width - 1) // room
                used = width - (width - 1) // room * room
                used += _width(token) - width
            else:
                used += _width(token)
        total += lines
    return total


def stamp(as_of: str) -> datetime:
    """The workbook's created/modified time: midnight of the as-of day (never the clock)."""
    day = date.fromisoformat(as_of)
    if day.year > 2107:  # the last day a zip entry's time can hold
        return datetime(2107, 12, 31)
    return datetime(max(day.year, 1980), day.month, day.day)


def fixed_zip(wb: Any, stamp: datetime) -> bytes:
    """Save ``wb`` with fixed timestamps (document properties and zip entries), stable order."""
    import zipfile

    from openpyxl.packaging.core import DocumentProperties
    from openpyxl.xml.functions import tostring

    props: DocumentProperties = wb.properties
    props.creator = "reformctl"
    props.created = stamp
    raw = io.BytesIO()
    wb.save(raw)  # stamps `modified` with the clock: core.xml is rewritten below
    props.modified = stamp
    core = tostring(props.to_tree())
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = core if info.filename == "docProps/core.xml" else src.read(info.filename)
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            fixed.create_system = 0
            dst.writestr(fixed, data)
    return out.getvalue()
