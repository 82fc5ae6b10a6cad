"""The report for the terminal and as plain text: a writer of :mod:`.document` drawn with rich.

It fits the width it is given, from 40 columns up: a table is drawn as a table when its short
columns and a readable width for its long ones fit, else each row as a line of its short cells
with the long ones under it, else each row as label / value lines; text wraps within its cell,
never cut. The completion bars shrink to the width.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from . import STATUS_STYLE, _fields, _Listing, text
from . import Column as ListColumn
from .document import Chart, Document, Fields, LineChart, Para, Section, Table

_GAP = 2


def text_to_string(renderable: Any, width: int) -> str:
    """A rich renderable as plain text (no colour, no control codes) ``width`` columns wide."""
    from rich.console import Console, Group

    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, force_terminal=False,
                      no_color=True, highlight=False, emoji=False, markup=False, soft_wrap=False,
                      legacy_windows=False)
    # A group part by part: rich holds the drawn lines of what it prints at once, and a large
    # report's task tables drawn together are many times the ledger's size.
    lines: list[str] = []
    for part in renderable.renderables if isinstance(renderable, Group) else [renderable]:
        console.print(part)
        lines.extend(line.rstrip() for line in out.getvalue().split("\n")[:-1])
        out.seek(0)
        out.truncate()
    lines.append("")
    return "\n".join(lines)


def text_view(document: Document) -> Any:
    """The document as a rich renderable (colour on a terminal; :func:`text_to_string` for
    files)."""
    from rich.console import Group

    head = _fields([(label + document.meta["separator"].strip(), text(cell.text))
                    for label, cell in document.head.rows])
    parts: list[Any] = [text(document.title, "bold"), head]
    for note in document.notes:
        parts.append(text(f"{document.meta['notes_label']}{document.meta['separator']}{note}",
                          "yellow"))
    for section in document.sections:
        _section(section, parts)
    return Group(*parts)


def _section(section: Section, parts: list[Any]) -> None:
    parts.append("")
    parts.append(text(section.title, "bold underline" if section.level == 1 else "bold"))
    for block in section.blocks:
        if isinstance(block, Section):
            _section(block, parts)
        elif isinstance(block, Para):
            parts.append(text(block.text, {"muted": "dim", "note": "yellow"}.get(block.tone, "")))
        elif isinstance(block, Fields):
            parts.append(_fields([(label, text(cell.text)) for label, cell in block.rows]))
        elif isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, Chart):
            parts.extend(["", text(block.caption, "bold"), _Bars(block)])
        elif isinstance(block, LineChart):
            parts.append(_Curve(block))  # its table follows it: the figures under the curve


def _style(cell: Any) -> str:
    if cell.kind == "status":
        return STATUS_STYLE.get(cell.value, "")
    if cell.tone == "overdue":
        return "red"
    if cell.tone == "total":
        return "bold"
    return ""


class _Fit(_Listing):
    """A listing that, with no wrapping column and a row wider than the terminal, is drawn
    turned (a row per column, a column per row: a table of figures) when that fits, else as
    label / value lines (instead of rich cutting its cells)."""

    def __init__(self, table: Table, columns: list[ListColumn], records: list[Any]) -> None:
        super().__init__(columns, records, None)
        self.source = table

    def __rich_console__(self, console: Any, options: Any) -> Any:
        widths = [self._natural(c) for c in self.columns]
        if (not any(c.fold for c in self.columns)
                and sum(widths) + _GAP * (len(widths) - 1) > options.max_width):
            turned = _turned(self.source)
            natural = [turned._natural(c) for c in turned.columns]
            if sum(natural) + _GAP * (len(natural) - 1) <= options.max_width:
                yield turned.table()
            else:
                yield self.fields()
            return
        yield from super().__rich_console__(console, options)


def _turned(table: Table) -> _Listing:
    """The table with rows and columns swapped: its first column's cells are the headers."""
    from .document import Cell, Row

    heads = [ListColumn("", _text_of(0))] + [
        ListColumn(row.cells[0].text, _text_of(n + 1), justify="right")
        for n, row in enumerate(table.rows)]
    rows = [Row((Cell(col.label), *(row.cells[i] for row in table.rows)))
            for i, col in enumerate(table.columns) if i]
    return _Listing(heads, [_Record(r) for r in rows], None)


def _table(table: Table) -> Any:
    columns = [
        ListColumn(col.label, _text_of(i), fold=col.wrap,
                   justify="right" if col.numeric else "left", style=_style_of(i))
        for i, col in enumerate(table.columns)
    ]
    return _Fit(table, columns, [_Record(row) for row in table.rows])


def _text_of(index: int) -> Callable[[Any], str]:
    def get(record: Any) -> str:
        return str(record.cells[index].text)

    return get


def _style_of(index: int) -> Callable[[Any], str]:
    def get(record: Any) -> str:
        return _style(record.cells[index])

    return get


class _Record(dict):  # type: ignore[type-arg]
    """A row where the listing expects a record (it only passes it to the columns' getters)."""

    def __init__(self, row: Any) -> None:
        super().__init__()
        self.cells = row.cells


class _Bars:
    """``District  ██████░░░░  50.0%  (1/2)``, the bar as wide as the line allows (at most 30);
    on a narrow terminal the name on its own line."""

    def __init__(self, chart: Chart) -> None:
        self.chart = chart

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.cells import cell_len

        width = options.max_width
        bars = self.chart.bars
        name_w = max(cell_len(b.label) for b in bars)
        tails = [f" {b.completion.text:>6}  ({b.done}/{b.counted})" for b in bars]
        tail_w = max(len(t) for t in tails)
        inline = width - name_w - 2 - tail_w
        for bar_, tail in zip(bars, tails, strict=True):
            if inline >= 10:
                line = text(bar_.label + " " * (name_w - cell_len(bar_.label)) + "  ",
                            "bold" if bar_.total else "")
                line.append(bar(bar_.completion.value, min(30, inline)), style="green")
            else:
                yield text(bar_.label, "bold" if bar_.total else "")
                line = text("")
                line.append(bar(bar_.completion.value, max(1, min(30, width - tail_w))),
                            style="green")
            line.append(tail)
            yield line


def bar(pct: float | None, width: int, *, empty: str = "░") -> str:
    """A bar of ``width`` cells filled to ``pct`` percent with block characters (to an eighth)."""
    eighths = round(max(0.0, min(pct or 0.0, 100.0)) / 100 * width * 8)
    full, part = divmod(eighths, 8)
    filled = "█" * full + ("▏▎▍▌▋▊▉"[part - 1] if part else "")
    return filled + empty * (width - len(filled))


CURVE_ROWS = 11  # 0%, 10%, ... 100%: a row per ten points
CURVE_MARKS = ("*", "+", "=", "~")  # the levels' marks, in the plan's order; all levels: "#"
CURVE_STYLES = ("cyan", "magenta", "yellow", "blue")


class _Curve:
    """A line chart drawn with text characters: percents from 0 (bottom) to 100 (top), a row per
    ten points, a column per point (spaced out when there is room, sampled evenly with the first
    and last kept when there are more points than columns); the line of all levels ``#`` is
    drawn last, over the others. A legend under it; fits a terminal from 40 columns up."""

    def __init__(self, chart: LineChart) -> None:
        self.chart = chart

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.cells import cell_len

        width = max(options.max_width, 20)
        chart = self.chart
        n = len(chart.dates)
        if not n or not chart.series:
            return
        room = width - 6  # "100% ┤"
        if n <= room:
            step = max(1, min(6, room // n))
            columns = [(i * step, i) for i in range(n)]
        else:
            columns = [(c, round(c * (n - 1) / (room - 1))) for c in range(room)]
        plot_w = columns[-1][0] + 1
        grid: list[list[tuple[str, str]]] = [[(" ", "")] * plot_w for _ in range(CURVE_ROWS)]
        ordered = [s for s in chart.series if not s.total] + [s for s in chart.series if s.total]
        marks: dict[str, tuple[str, str]] = {}
        for index, series in enumerate(s for s in chart.series if not s.total):
            marks[series.label] = (CURVE_MARKS[index % len(CURVE_MARKS)],
                                   CURVE_STYLES[index % len(CURVE_STYLES)])
        for series in chart.series:
            if series.total:
                marks[series.label] = ("#", "bold green")
        for series in ordered:
            drawn = marks[series.label]
            for col, point in columns:
                value = series.values[point]
                if value is None:
                    continue
                row = round(max(0.0, min(float(value), 100.0)) / 100 * (CURVE_ROWS - 1))
                grid[row][col] = drawn
        labels = {CURVE_ROWS - 1: "100%", (CURVE_ROWS - 1) // 2: " 50%", 0: "  0%"}
        for row in range(CURVE_ROWS - 1, -1, -1):
            line = text(labels.get(row, "    ") + (" ┤" if row in labels else " │"), "dim")
            for char, style in grid[row]:
                line.append(char, style=style)
            yield line
        yield text("     └" + "─" * plot_w, "dim")
        first, last = chart.dates[0], chart.dates[-1]
        if n > 1 and 6 + plot_w >= 6 + cell_len(first) + 1 + cell_len(last):
            yield text("      " + first + " " * (plot_w - len(first) - len(last)) + last)
        else:
            yield text("      " + (f"{first} – {last}" if n > 1 else last))
        line = text("      ")
        used = 6
        for series in chart.series:
            sign, style = marks[series.label]
            size = cell_len(series.label) + 4
            if used > 6 and used + size > width:
                yield line
                line, used = text("      "), 6
            line.append(sign, style=style)
            line.append(f" {series.label}  ")
            used += size
        yield line
