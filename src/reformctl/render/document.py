"""A format-neutral document: what the report says, built once, drawn by every writer.

The model follows docutils and Pandoc: a :class:`Document` is a title, head fields and a list
of :class:`Section` s holding blocks (:class:`Para`, :class:`Fields`, :class:`Table`,
:class:`Chart`, :class:`LineChart`). A table has typed :class:`Column` s and rows of typed :class:`Cell` s. A writer
(``render/report_text.py``, ``report_markdown.py``, ``report_html.py``, ``report_xlsx.py``,
``report_docx.py``, ``report_csv.py``) walks the tree and knows how to draw a table, a
paragraph or a chart; it never knows what the report's sections are. Adding a section or a
column is one edit in the builder (:func:`reformctl.render.report.build_document`).

Everything here is plain data: no rich, no openpyxl, no docx; cheap to import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Union

CellKind = Literal["text", "date", "moment", "number", "percent", "ref", "status", "link",
                   "list"]


@dataclass(frozen=True)
class Cell:
    """One value of a table or a field, typed.

    ``text`` is what a reader sees, in the report's language (``—`` when there is nothing);
    ``value`` is the typed value machines get: a ``date`` for dates, ``int`` / ``float`` for
    numbers and percents (``None`` when there is none), the files' value for a status or level
    (``in-progress``), the address of a link, the items' texts of a list. ``items`` are the
    cells of a list (evidence: each item its own cell, a link when it is an address).
    ``tone`` marks a cell a writer may emphasise: ``overdue``, ``total``, ``muted``.
    """

    text: str
    kind: CellKind = "text"
    value: Any = None
    items: tuple[Cell, ...] = ()
    tone: str = ""


@dataclass(frozen=True)
class Column:
    """A table's column: its header (translated), the kind of its cells, and whether its text
    is long and wraps (``wrap``) or is short and kept on one line where there is room."""

    label: str
    kind: CellKind = "text"
    wrap: bool = False
    key: str = ""  # a stable name (``due``, ``text``): writers may size or drop columns by it

    @property
    def numeric(self) -> bool:
        return self.kind in ("number", "percent")


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    total: bool = False  # a sum row (drawn bold)


@dataclass(frozen=True)
class Table:
    """``name`` says which table it is to a writer that lays tables out by name (the xlsx
    workbook's sheets, the CSV). How wide a table is drawn is the writer's to decide from its
    columns (their kinds, which wrap) and cells."""

    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    name: str = ""


@dataclass(frozen=True)
class Para:
    """A paragraph of prose. ``tone``: ``""``, ``muted`` (an empty section's line, a rule of
    reckoning) or ``note`` (a warning for the reader)."""

    text: str
    tone: str = ""


@dataclass(frozen=True)
class Fields:
    """Label / value lines (the report's head, a speaker)."""

    rows: tuple[tuple[str, Cell], ...]


@dataclass(frozen=True)
class ChartBar:
    label: str
    counts: tuple[tuple[str, str, int], ...]  # (status, status's name, count)
    tasks: int
    done: int
    counted: int
    completion: Cell  # percent
    total: bool = False


@dataclass(frozen=True)
class Chart:
    """The completion chart's data: one bar per level, stacked by status."""

    title: str
    bars: tuple[ChartBar, ...]
    caption: str = ""  # the completion label


@dataclass(frozen=True)
class Series:
    """One line of a :class:`LineChart`: its name and a value (a percent, or None where there
    is none) at each of the chart's dates. ``total`` marks the line of all levels."""

    label: str
    values: tuple[float | None, ...]
    total: bool = False
    key: str = ""  # a stable name (``district``, ``overall``)


@dataclass(frozen=True)
class LineChart:
    """A line chart over time (the trend of completion): ``series`` of percents at ``dates``
    (``YYYY-MM-DD``). ``table`` names the table that holds the same figures (a writer that
    draws no chart draws that table; a spreadsheet charts over it)."""

    title: str
    dates: tuple[str, ...]
    series: tuple[Series, ...]
    table: str = ""
    caption: str = ""  # what the values are (``Completion``)


Block = Union[Para, Fields, Table, Chart, LineChart, "Section"]


@dataclass(frozen=True)
class Section:
    """A titled part; ``level`` 1 for the report's numbered sections, 2 for their parts."""

    title: str
    blocks: tuple[Block, ...]
    level: int = 1


@dataclass(frozen=True)
class Document:
    title: str
    lang: str  # "zh" | "en"
    as_of: str  # YYYY-MM-DD: stamps and properties of binary formats come from it, never a clock
    head: Fields
    notes: tuple[str, ...]
    sections: tuple[Section, ...]
    meta: dict[str, str] = field(default_factory=dict)  # schema, subject, keywords
    ledger: Table | None = None  # every task, every field: the CSV and the task sheet

    def table(self, name: str) -> Table | None:
        """The first table called ``name`` anywhere in the document."""
        for block in walk(self.sections):
            if isinstance(block, Table) and block.name == name:
                return block
        return None


def walk(blocks: tuple[Block, ...] | tuple[Section, ...]) -> Iterator[Block]:
    """Every block, depth first, sections included."""
    for block in blocks:
        yield block
        if isinstance(block, Section):
            yield from walk(block.blocks)


# ---------------------------------------------------------------------------------------------
# Addresses in text: drawn as links by the writers that can (markdown, HTML, docx)

_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"'\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+")
_TRAILING = ".,;:!?"


def spans(value: str) -> Iterator[tuple[str, bool]]:
    """``value`` cut into (text, is_address) pieces. An address ends at a space, a CJK or
    full-width character, or ``<>"'``; trailing sentence punctuation and an unbalanced ``)`` are
    left out of it (``(see https://x.org/a_(b)).`` keeps ``https://x.org/a_(b)``)."""
    at = 0
    for found in _URL.finditer(value):
        url = found.group(0)
        while url and (url[-1] in _TRAILING or (url[-1] == ")" and
                                                 url.count(")") > url.count("("))):
            url = url[:-1]
        if len(url) <= len(found.group(0).split("://", 1)[0]) + 3:
            continue
        start = found.start()
        if start > at:
            yield value[at:start], False
        yield url, True
        at = start + len(url)
    if at < len(value):
        yield value[at:], False


def is_address(value: str) -> bool:
    """The whole of ``value`` is one address."""
    pieces = list(spans(value))
    return len(pieces) == 1 and pieces[0][1]


def draw(document: Document, fmt: str, width: int = 100) -> str | bytes:
    """``document`` drawn by the writer of ``fmt``: text (``width`` columns wide), csv,
    markdown, html, xlsx or docx (bytes). Every document (the report, the roll-up) is drawn
    here, so a format is one writer and one line."""
    if fmt in ("text", "table"):
        from .report_text import text_to_string, text_view

        return text_to_string(text_view(document), width)
    if fmt == "csv":
        from .report_csv import write_csv

        return write_csv(document)
    if fmt == "markdown":
        from .report_markdown import write_markdown

        return write_markdown(document)
    if fmt == "html":
        from .report_html import write_html

        return write_html(document)
    if fmt == "xlsx":
        from .report_xlsx import write_xlsx

        return write_xlsx(document)
    if fmt == "docx":
        from .report_docx import write_docx

        return write_docx(document)
    raise ValueError(f"no writer for the format {fmt!r}")
