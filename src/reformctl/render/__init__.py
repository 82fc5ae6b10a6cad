"""The only place that knows output formats. Pure: returns strings or rich renderables.

Text from the data is always shown literally, whatever the format:

* control characters, DEL, C1 codes and bidirectional overrides become visible escapes
  (``\\x1b``, ``\\u202e``) in terminal, markdown and CSV output, and ``\\u`` escapes in JSON/YAML,
  so no data can act on a terminal;
* terminal cells are :class:`rich.text.Text` objects, never markup strings, so ``[bold]`` stays
  ``[bold]``;
* markdown cells escape every character markdown or HTML would act on, and ``|`` and newlines, so
  every table stays one valid table;
* CSV cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first)
  get a leading apostrophe.

Terminal output lines up by display width (CJK characters take two cells), wraps Chinese text
without putting closing punctuation at the start of a line, switches listings to a stacked layout
when the terminal is too narrow for a table, and never ends a line with padding.

Languages. What a person reads (the table, markdown and text views) is in the run's language
(:func:`reformctl.i18n.current`): headers, field labels, status and level names, the history's
words. The machine formats keep one spelling whatever the language, so that scripts and
spreadsheets read them the same: JSON and YAML carry the records with their English keys and the
files' values; a listing's CSV has English headers and the files' values (``in-progress``,
``grassroots``), so it round-trips into the ledger's terms.

Sorting. Listings come in the plan's own order (id) or the order of the chosen key (``--sort``);
statuses and levels sort in the plan's order of those values, never by the code points of their
Chinese names; names of units and people are never a sort key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..i18n import N_, _
from .formats import LISTING_FORMATS, RECORD_FORMATS

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = ["LISTING_FORMATS", "RECORD_FORMATS"]

STATUS_STYLE = {
    "todo": "",
    "in-progress": "yellow",
    "done": "green",
    "blocked": "bold red",
    "dropped": "dim",
}

_TABLES: dict[str, dict[int, str]] = {}


def _escapes(kind: str) -> dict[int, str]:
    """Translation tables for the characters yamldoc.UNSAFE names (built on first use: yamldoc
    is not imported at start-up)."""
    if not _TABLES:
        from ..yamldoc import UNSAFE

        _TABLES["visible"] = {
            code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") for code in UNSAFE}
        _TABLES["json"] = {code: f"\\u{code:04x}" for code in UNSAFE}
        # a diagnostic or a one-line field: line breaks and tabs escaped too
        _TABLES["inert"] = {**_TABLES["visible"], 0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
    return _TABLES[kind]


def visible(text: str) -> str:
    """``text`` with every character that could act on a terminal shown as an escape."""
    return text.translate(_escapes("visible"))


def inert(text: str) -> str:
    """``text`` on one line, every character that could act on a terminal or a log escaped."""
    return text.translate(_escapes("inert"))


# ---------------------------------------------------------------------------------------------
# Words: labels in the run's language


def tr(message: str) -> str:
    """``message`` (marked with ``N_``) in the run's language. A message may name its context
    before a ``|`` (``"sheet|Tasks"``: one English word, two Chinese ones), as GLib's ``Q_()``
    does; the context is never shown."""
    translated = _(message)
    if translated == message and "|" in message:
        return message.split("|", 1)[1]
    return translated


# The short names of levels and statuses in listings and `show`. In English they are the files'
# values (which are also what the options take); in Chinese the glossary's names. Every one is
# accepted as input (models.LEVEL_WORDS, models.STATUS_WORDS).
LEVEL_LABELS = {
    "district": N_("level|district"),
    "federation": N_("level|federation"),
    "grassroots": N_("level|grassroots"),
}
STATUS_LABELS = {
    "todo": N_("status|todo"),
    "in-progress": N_("status|in-progress"),
    "done": N_("status|done"),
    "blocked": N_("status|blocked"),
    "dropped": N_("status|dropped"),
}
# Field names as the history shows them (``status: todo → done``).
FIELD_LABELS = {
    "level": N_("field|level"),
    "seq": N_("field|seq"),
    "text": N_("field|text"),
    "title": N_("field|title"),
    "owner": N_("field|owner"),
    "partners": N_("field|partners"),
    "due": N_("field|due"),
    "status": N_("field|status"),
    "progress": N_("field|progress"),
    "tags": N_("field|tags"),
    "related": N_("field|related"),
}


def level_label(level: str) -> str:
    """A level's short name in the run's language (``grassroots`` / ``基层``)."""
    return tr(LEVEL_LABELS[level]) if level in LEVEL_LABELS else level


def status_label(status: str) -> str:
    """A status's name in the run's language (``in-progress`` / ``进行中``)."""
    return tr(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def field_label(name: str) -> str:
    """A task field's name in the run's language (``due`` / ``截止日期``)."""
    return tr(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def day_text(value: Any) -> str:
    """A date in a heading or a sentence: ``2018-06-30`` in English, ``2018年6月30日`` in Chinese
    (table cells and input keep ``YYYY-MM-DD``). Anything that is not a date stays as it is."""
    from datetime import date

    from ..i18n import current

    day = value if isinstance(value, date) else None
    if day is None and isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
    if day is None:
        return cell_text(value)
    if current() == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def cell_text(value: Any, sep: str = ", ") -> str:
    """One value as the text of a cell: lists joined, None empty, controls made visible."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return sep.join(cell_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return visible(str(value))


def when(at: str) -> str:
    """A history time as every view shows it: ``2018-05-02 10:00+08:00``, to the minute, in the
    offset it was recorded in (``Z`` is ``+00:00``). The day an entry counts for (``log
    --since``, ``report --as-of``) is its day in that offset, so the time shown is never on
    another day than where it is counted, and the output does not depend on the machine."""
    from datetime import datetime

    moment = datetime.fromisoformat(at)
    offset = moment.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    return f"{moment:%Y-%m-%d %H:%M}{offset}"


# ---------------------------------------------------------------------------------------------
# Structured formats


def to_json(data: Any) -> str:
    return "".join(json_chunks(data))


def json_chunks(data: Any, batch: int = 4096) -> Iterator[str]:
    """:func:`to_json` in pieces, to be written as they come: a large report or listing is never
    one string (nor the encoder's millions of small pieces) in memory at once."""
    import json

    encoder = json.JSONEncoder(ensure_ascii=False, indent=2, default=_json_default)
    pieces: list[str] = []
    for piece in encoder.iterencode(data):
        pieces.append(piece)
        if len(pieces) >= batch:
            yield "".join(pieces).translate(_escapes("json"))
            pieces.clear()
    yield "".join(pieces).translate(_escapes("json")) + "\n"


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_yaml(data: Any) -> str:
    import json

    from ..yamldoc import dump

    return dump(json.loads(to_json(data)))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = cell_text(value, "; ")
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def csv_bytes(text: str, *, bom: bool) -> bytes:
    """CSV text as UTF-8 bytes; with ``bom``, after a byte-order mark, without which Excel reads
    UTF-8 as the local code page (Chinese turns to mojibake)."""
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Markdown (GitHub-flavoured)

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&!$#{}()])")


def md_cell(value: Any) -> str:
    """A value as inline markdown that renders as exactly its text, in one table cell."""
    text = _MD_SPECIAL.sub(r"\\\1", cell_text(value))
    return text.replace("\r\n", "\n").replace("\n", "<br>")


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
             align: Sequence[str] | None = None) -> str:
    """A GitHub table whose source lines up, wide (CJK) characters included."""
    from tabulate import tabulate
    from wcwidth import wcswidth

    cells = [md_cell(h) for h in headers]
    if not rows:  # tabulate prints no separator row without data; GFM needs one
        widths = [max(3, wcswidth(c)) for c in cells]
        lines = ["| " + " | ".join(c + " " * (w - wcswidth(c)) for c, w in zip(cells, widths,
                                                                             strict=True)) + " |",
                 "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    else:
        lines = tabulate(
            [[md_cell(v) for v in row] for row in rows],
            headers=cells,
            tablefmt="github",
            disable_numparse=True,
            colalign=align,
        ).split("\n")
    if align:  # tabulate aligns the source only; the separator row tells the renderer
        marks = lines[1].split("|")
        for i, how in enumerate(align, 1):
            if how == "right" and i < len(marks) - 1:
                marks[i] = marks[i][:-1] + ":"
            elif how == "center" and i < len(marks) - 1:
                marks[i] = ":" + marks[i][1:-1] + ":"
        lines[1] = "|".join(marks)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Line breaking for the terminal: CJK text breaks between any two characters, Latin text at
# spaces, and neither puts closing punctuation at the start of a line nor opening punctuation at
# the end of one (the usual Chinese rule, 避头尾).

_NO_LINE_START = frozenset(
    "!%),.:;?]}¢°·’”‰′″℃、。〉》」』】〕〗〙〛〞！＂％＇），．：；？］｝～…‥—–ー々〻ゝゞ"
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
)
_NO_LINE_END = frozenset("([{£¥‘“〈《「『【〔〖〘〚〝（［｛｢")


def _break_points(line: str, widths: Sequence[int]) -> list[bool]:
    """``can[i]``: a new line may start at character ``i`` of ``line`` (one line, no newline)."""
    can = [False] * len(line)
    for i in range(1, len(line)):
        before, here = line[i - 1], line[i]
        if here.isspace() or here in _NO_LINE_START or before in _NO_LINE_END:
            continue
        can[i] = before.isspace() or widths[i - 1] > 1 or widths[i] > 1
    return can


def _cell_widths(line: str) -> list[int]:
    from rich.cells import get_character_cell_size

    return [get_character_cell_size(ch) for ch in line]


def line_breaks(line: str, width: int) -> list[int]:
    """Where the lines after the first start when ``line`` is wrapped to ``width`` cells.

    Spaces at a break stay at the end of the line before it (the caller strips them). A run that
    cannot be broken and does not fit is folded where it reaches the edge.
    """
    widths = _cell_widths(line)
    can = _break_points(line, widths)
    offsets: list[int] = []
    start, used, last = 0, 0, 0  # line start, cells used on it, latest break point on it
    for i, ch in enumerate(line):
        if i > start and can[i]:
            last = i
        if ch.isspace():
            used += widths[i]
            continue
        if used + widths[i] > width and i > start:
            cut = last if last > start else i
            offsets.append(cut)
            start, last = cut, 0
            used = sum(widths[cut:i])
            for j in range(cut + 1, i + 1):
                if can[j]:
                    last = j
        used += widths[i]
    return offsets


def _unbreakable_width(line: str) -> int:
    """The widest piece of ``line`` that cannot be split without folding a word."""
    widths = _cell_widths(line)
    can = _break_points(line, widths)
    widest = piece = trailing = 0
    for i, ch in enumerate(line):
        if can[i]:
            piece = trailing = 0
        if ch.isspace():
            trailing += widths[i]
            continue
        piece += trailing + widths[i]
        trailing = 0
        widest = max(widest, piece)
    return widest


_TEXT_CLASS: list[type] = []


def _text_class() -> type:
    """rich's Text with the line breaking above (made on first use: rich is imported lazily)."""
    if _TEXT_CLASS:
        return _TEXT_CLASS[0]
    from rich.containers import Lines
    from rich.measure import Measurement
    from rich.text import Text

    class WrappingText(Text):
        """Text.wrap as in rich 13-15, with :func:`line_breaks` in place of rich's divide_line."""

        def wrap(self, console: Any, width: int, *, justify: Any = None, overflow: Any = None,
                 tab_size: int = 8, no_wrap: bool | None = None) -> Lines:
            wrap_justify = justify or self.justify or "default"
            wrap_overflow = overflow or self.overflow or "fold"
            no_wrap = next((b for b in (no_wrap, self.no_wrap) if b is not None), False) or (
                overflow == "ignore")
            lines = Lines()
            for line in self.split(allow_blank=True):
                if "\t" in line:
                    line.expand_tabs(tab_size)
                if no_wrap:
                    if overflow == "ignore":
                        lines.append(line)
                        continue
                    new_lines = Lines([line])
                else:
                    new_lines = line.divide(line_breaks(line.plain, width))
                    for piece in new_lines:
                        piece.rstrip_end(width)
                if wrap_justify:
                    new_lines.justify(console, width, justify=wrap_justify,
                                      overflow=wrap_overflow)
                for piece in new_lines:
                    piece.truncate(width, overflow=wrap_overflow)
                lines.extend(new_lines)
            return lines

        def __rich_measure__(self, console: Any, options: Any) -> Measurement:
            from rich.cells import cell_len

            lines = self.plain.expandtabs(self.tab_size or 8).split("\n")
            return Measurement(max(_unbreakable_width(line) for line in lines),
                               max(cell_len(line) for line in lines))

    _TEXT_CLASS.append(WrappingText)
    return WrappingText


# ---------------------------------------------------------------------------------------------
# Terminal tables


def text(value: Any, style: str = "") -> Any:
    """A rich Text that shows ``value`` literally (never parsed as markup), wrapping CJK well."""
    return _text_class()(cell_text(value), style=style)


@dataclass(frozen=True)
class Column:
    """One column of a listing: its header, how to get the value, how to show it.

    ``get`` gives the value shown in the table and markdown views; ``export`` the value written to
    CSV when that differs (a number rather than ``40%``, ``in-progress`` rather than ``进行中``).
    A column with ``table=False`` is written to CSV only: the export carries every field, the
    views what fits on a screen.

    ``header`` is the CSV header (English, the same in every language) and, translated, the
    header of the views; ``label`` the message shown instead when the views need another word.
    """

    header: str
    get: Callable[[dict[str, Any]], Any]
    fold: bool = False  # long text: wraps within the column
    justify: str = "left"
    style: Callable[[dict[str, Any]], str] | None = None
    export: Callable[[dict[str, Any]], Any] | None = None
    table: bool = True
    label: str | None = None

    def shown(self) -> str:
        """The header of the table and markdown views, in the run's language."""
        return tr(self.label or self.header)


_GAP = 2  # cells between columns
_MIN_FOLD = 20  # a wrapping column narrower than this is unreadable: stack the listing instead


class _Listing:
    """A terminal listing: a table when the width allows, else one block per record (the short
    fields on a line, the long ones under it), else, when not even the short fields fit on a
    line, each record as label / value lines."""

    def __init__(self, columns: Sequence[Column], records: Sequence[dict[str, Any]],
                 title: str | None) -> None:
        self.columns = [c for c in columns if c.table]
        self.records = list(records)
        self.title = title

    def _cells(self, col: Column, record: dict[str, Any]) -> Any:
        return text(col.get(record), col.style(record) if col.style else "")

    def table(self) -> Any:
        from rich import box
        from rich.table import Table

        table = Table(box=box.SIMPLE_HEAD, title=self.title, title_justify="left",
                      show_edge=False, pad_edge=False, padding=(0, _GAP - 1, 0, 0), expand=False,
                      title_style="bold")
        for col in self.columns:
            table.add_column(text(col.shown(), "bold"), overflow="fold", no_wrap=not col.fold,
                             justify=col.justify,  # type: ignore[arg-type]
                             min_width=_MIN_FOLD if col.fold else None)
        for record in self.records:
            table.add_row(*(self._cells(c, record) for c in self.columns))
        return table

    def _natural(self, col: Column) -> int:
        from rich.cells import cell_len

        cells = [col.shown(), *(cell_text(col.get(r)) for r in self.records)]
        return max(cell_len(line) for cell in cells for line in cell.split("\n"))

    def stacked(self, widths: dict[int, int]) -> Any:
        """One line of the short fields per record, each long field below it, indented."""
        from rich.console import Group
        from rich.padding import Padding

        short = [(i, c) for i, c in enumerate(self.columns) if not c.fold]
        long = [c for c in self.columns if c.fold]

        def line(cells: list[Any]) -> Any:
            out = text("")
            for n, ((i, col), cell) in enumerate(zip(short, cells, strict=True)):
                gap = widths[i] - cell.cell_len
                if col.justify == "right":
                    out.append(" " * gap)
                out.append(cell)
                if n < len(short) - 1:
                    out.append(" " * ((0 if col.justify == "right" else gap) + _GAP))
            return out

        head = line([text(c.shown(), "bold") for _, c in short])
        parts: list[Any] = []
        if self.title:
            parts.append(text(self.title, "bold"))
        parts.append(head)
        parts += [Padding(text(c.shown(), "bold"), (0, 0, 0, 4)) for c in long]
        parts.append(text("─" * (sum(widths.values()) + _GAP * (len(short) - 1))))
        for record in self.records:
            parts.append(line([self._cells(c, record) for _, c in short]))
            parts += [Padding(self._cells(c, record), (0, 0, 0, 4)) for c in long]
        return Group(*parts)

    def fields(self) -> Any:
        """Each record as label / value lines, records apart: for a terminal too narrow even for
        one line of the short fields (the wide headers of Chinese need more room)."""
        from rich.console import Group

        parts: list[Any] = []
        if self.title:
            parts.append(text(self.title, "bold"))
        for n, record in enumerate(self.records):
            if n:
                parts.append("")
            parts.append(_fields([(c.shown(), self._cells(c, record) if cell_text(c.get(record))
                                   else None) for c in self.columns]))
        return Group(*parts)

    def __rich_console__(self, console: Any, options: Any) -> Any:
        widths = {i: self._natural(c) for i, c in enumerate(self.columns) if not c.fold}
        folds = sum(1 for c in self.columns if c.fold)
        needed = sum(widths.values()) + _GAP * (len(self.columns) - 1) + _MIN_FOLD * folds
        short = sum(widths.values()) + _GAP * (len(widths) - 1)
        if folds and short > options.max_width:
            yield self.fields()
        elif folds and needed > options.max_width:
            yield self.stacked(widths)
        else:
            yield self.table()


class _Trimmed:
    """A renderable whose lines carry no trailing padding (tables pad every cell to its width)."""

    def __init__(self, renderable: Any) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.segment import Segment

        for line in console.render_lines(self.renderable, options, pad=False):
            while line and not line[-1].control and not line[-1].text.rstrip(" ") and not (
                    line[-1].style and line[-1].style.bgcolor):
                line.pop()
            if line and not line[-1].control and not (line[-1].style and line[-1].style.bgcolor):
                last = line.pop()
                line.append(Segment(last.text.rstrip(" "), last.style))
            yield from line
            yield Segment.line()


def rich_table(columns: Sequence[Column], records: Sequence[dict[str, Any]],
               title: str | None = None) -> RenderableType:
    """A terminal listing: a table, or one block per record when the terminal is too narrow."""
    return _Listing(columns, records, title)


def listing(records: Sequence[dict[str, Any]], columns: Sequence[Column], fmt: str,
            title: str | None = None) -> str | RenderableType:
    """Any listing in any of :data:`LISTING_FORMATS`: the one output path of list-like commands.

    JSON and YAML carry the records whole; CSV every column, with English headers and the files'
    values (the same in every language); the table and markdown views the columns with
    ``table=True``, in the run's language. ``text`` is the table too.
    """
    if fmt == "json":
        return to_json(list(records))
    if fmt == "yaml":
        return to_yaml(list(records))
    if fmt == "csv":
        return to_csv([c.header for c in columns],
                      [[(c.export or c.get)(r) for c in columns] for r in records])
    shown = [c for c in columns if c.table]
    if fmt == "markdown":
        return md_table([c.shown() for c in shown], [[c.get(r) for c in shown] for r in records],
                        [c.justify for c in shown])
    if fmt in ("table", "text"):
        return _Trimmed(rich_table(columns, records, title))
    raise ValueError(f"unknown listing format {fmt!r}")


# ---------------------------------------------------------------------------------------------
# Listings and whole-record views of tasks and statements

def _pct(value: Any) -> str:
    return "" if value is None else f"{value}%"


def _status_style(record: dict[str, Any]) -> str:
    return STATUS_STYLE.get(record.get("status", ""), "")


TASK_COLUMNS = (
    Column("ID", lambda r: r["id"], justify="right", label=N_("column|ID")),
    Column(N_("Ref"), lambda r: r["ref"]),
    Column(N_("Level"), lambda r: level_label(r["level"]), export=lambda r: r["level"]),
    Column(N_("Status"), lambda r: status_label(r["status"]), style=_status_style,
           export=lambda r: r["status"]),
    Column(N_("Progress"), lambda r: _pct(r["progress"]), justify="right",
           export=lambda r: r["progress"]),
    Column(N_("Due"), lambda r: r["due"]),
    Column(N_("Task"), lambda r: r["text"], fold=True),
    Column(N_("Title"), lambda r: r.get("title"), table=False),
    Column(N_("Owner"), lambda r: r.get("owner"), table=False),
    Column(N_("Partners"), lambda r: r.get("partners"), table=False),
    Column(N_("Tags"), lambda r: r.get("tags"), table=False),
    Column(N_("Related"), lambda r: r.get("related"), table=False),
)

VOICE_COLUMNS = (
    Column("ID", lambda r: r["id"], justify="right", label=N_("column|ID")),
    Column(N_("Speaker"), lambda r: r["speaker"]),
    Column(N_("Unit"), lambda r: r["unit"]),
    Column(N_("Role"), lambda r: r.get("role"), table=False),
    Column(N_("Headline"), lambda r: r["headline"], fold=True),
    Column("Tasks", lambda r: [t["ref"] for t in r["linked_tasks"]], label=N_("voice|Tasks")),
    Column(N_("Summary"), lambda r: r.get("summary"), table=False),
    Column(N_("Commitments"), lambda r: "\n".join(r.get("commitments") or ()), table=False),
    Column(N_("Proposals"), lambda r: "\n".join(r.get("proposals") or ()), table=False),
)

# The statements listed inside `show`: who said what (the task is the one shown).
_VOICE_BRIEF = (
    Column("ID", lambda r: r["id"], justify="right", label=N_("column|ID")),
    Column(N_("Speaker"), lambda r: r["speaker"]),
    Column(N_("Unit"), lambda r: r["unit"]),
    Column(N_("Headline"), lambda r: r["headline"], fold=True),
)

_NONE = "—"


def _fields(rows: Sequence[tuple[str, Any]]) -> Any:
    """Label / value pairs; a value wraps under itself. Empty values show as a dim dash."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in rows:
        if value is None or value == "" or value == []:
            value = text(_NONE, "dim")
        elif not hasattr(value, "__rich_console__"):
            value = text(value)
        grid.add_row(text(label), value)
    return grid


def _nothing() -> Any:
    from rich.padding import Padding

    return Padding(text(_("(none)"), "dim"), (0, 0, 0, 2))


def _numbered(items: Sequence[Any]) -> Any:
    """``1. item`` lines with the item wrapping under itself, or a dim "(none)"."""
    from rich.padding import Padding
    from rich.table import Table

    if not items:
        return _nothing()
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    for n, item in enumerate(items, 1):
        grid.add_row(text(f"{n}."), text(item))
    return Padding(grid, (0, 0, 0, 2))


def _section(title: str, body: Any) -> list[Any]:
    return ["", text(title, "bold underline"), body]


def _listing_or_none(columns: Sequence[Column], records: Sequence[dict[str, Any]]) -> Any:
    if records:
        return rich_table(columns, records)
    return _nothing()


def change_value(name: str, value: Any) -> str:
    """One side of a recorded change as the views show it: a status or level by its name in the
    run's language, a progress as ``40%``, nothing as a dash, anything else literally."""
    if value is None or value == "" or value == []:
        return _NONE
    if name == "status" and isinstance(value, str):
        return status_label(value)
    if name == "level" and isinstance(value, str):
        return level_label(value)
    if name == "progress" and isinstance(value, int) and not isinstance(value, bool):
        return f"{value}%"
    return cell_text(value)


def change_line(name: str, old: Any, new: Any) -> str:
    """``status: todo → done`` / ``状态：未开始 → 已完成``."""
    return _("{field}: {old} → {new}").format(
        field=field_label(name), old=change_value(name, old), new=change_value(name, new))


def _history(entries: Sequence[dict[str, Any]]) -> Any:
    """The history as a timeline: when and who, then what changed, the note and the evidence."""
    from rich.console import Group
    from rich.padding import Padding

    if not entries:
        return Padding(text(_("(no recorded changes)"), "dim"), (0, 0, 0, 2))
    parts: list[Any] = []
    for entry in entries:
        head = text(when(str(entry["at"])) if entry.get("at") else "", "bold")
        head.append(text(f"  {entry.get('by', '')}"))
        rows: list[tuple[str, Any]] = []
        for field_name, change in (entry.get("changes") or {}).items():
            old, new = (list(change) + [None, None])[:2]
            rows.append((field_label(field_name), _("{old} → {new}").format(
                old=change_value(field_name, old), new=change_value(field_name, new))))
        if entry.get("note"):
            rows.append((tr(N_("history|note")), entry["note"]))
        if entry.get("evidence"):
            rows.append((tr(N_("history|evidence")),
                         "\n".join(cell_text(item) for item in entry["evidence"])))
        parts.append(Padding(head, (0, 0, 0, 2)))
        if rows:
            parts.append(Padding(_fields(rows), (0, 0, 0, 6)))
    return Group(*parts)


def task_view(detail: dict[str, Any]) -> Any:
    """``reformctl show``: every field, related tasks, statements, and the history as a timeline."""
    from rich.console import Group

    status = text(status_label(detail["status"]), _status_style(detail))
    parts: list[Any] = [
        text(_("Task {id} · {ref}").format(id=detail["id"], ref=detail["ref"]), "bold"),
        _fields([
            (_("Text"), detail["text"]),
            (tr(N_("Title")), detail.get("title")),
            (tr(N_("Level")), _("{level}, number {seq}").format(
                level=level_label(detail["level"]), seq=detail["seq"])),
            (tr(N_("Status")), status),
            (tr(N_("Progress")), _pct(detail.get("progress"))),
            (tr(N_("Due")), detail.get("due")),
            (tr(N_("Owner")), detail.get("owner")),
            (tr(N_("Partners")), detail.get("partners")),
            (tr(N_("Tags")), detail.get("tags")),
        ]),
        *_section(_("Related tasks at other levels"),
                  _listing_or_none(TASK_COLUMNS, detail.get("related_tasks") or [])),
        *_section(_("Statements that bear on it"),
                  _listing_or_none(_VOICE_BRIEF, detail.get("voices") or [])),
        *_section(_("History"), _history(detail.get("history") or [])),
    ]
    return Group(*parts)


def voice_view(detail: dict[str, Any]) -> Any:
    """``reformctl voices N``: one statement whole."""
    from rich.console import Group

    parts: list[Any] = [
        text(_("Statement {id}").format(id=detail["id"]), "bold"),
        _fields([
            (tr(N_("Headline")), detail["headline"]),
            (tr(N_("Speaker")), detail["speaker"]),
            (tr(N_("Unit")), detail["unit"]),
            (tr(N_("Role")), detail.get("role")),
            (tr(N_("Summary")), detail.get("summary")),
        ]),
        *_section(_("Commitments (what the unit will do)"),
                  _numbered(detail.get("commitments") or [])),
        *_section(_("Proposals (what it asks for)"), _numbered(detail.get("proposals") or [])),
        *_section(_("Linked tasks"),
                  _listing_or_none(TASK_COLUMNS, detail.get("linked_tasks") or [])),
    ]
    return Group(*parts)


def record(detail: dict[str, Any], fmt: str, view: Callable[[dict[str, Any]], Any]) -> Any:
    """One record in any of :data:`RECORD_FORMATS` (``table`` is the text view too)."""
    if fmt == "json":
        return to_json(detail)
    if fmt == "yaml":
        return to_yaml(detail)
    if fmt in ("text", "table"):
        return _Trimmed(view(detail))
    raise ValueError(f"unknown record format {fmt!r}")


def _changes_text(record: dict[str, Any]) -> str:
    """One change a line, in the run's language (the table and markdown views)."""
    return "\n".join(change_line(k, old, new) for k, (old, new) in record["changes"].items())


def _changes_export(record: dict[str, Any]) -> str:
    """The changes in CSV: the fields' names and the files' values, the same in every language."""
    return "; ".join(
        f"{k}: {cell_text(old) or '—'} → {cell_text(new) or '—'}"
        for k, (old, new) in record["changes"].items()
    )


def _note_and_evidence(record: dict[str, Any]) -> str:
    lines = [record["note"]] if record.get("note") else []
    return "\n".join(lines + [_("evidence: {item}").format(item=item)
                              for item in record.get("evidence") or []])


HISTORY_COLUMNS = (
    # on screen to the minute, with its UTC offset (the full time is in JSON, CSV and YAML)
    Column(N_("When"), lambda r: when(r["at"]), export=lambda r: r["at"]),
    Column("Task", lambda r: r["ref"], label=N_("history|Task")),
    Column(N_("By"), lambda r: r["by"]),
    Column(N_("Changes"), _changes_text, fold=True, export=_changes_export),
    Column(N_("Note"), _note_and_evidence, fold=True, export=lambda r: r["note"]),
    Column(N_("Evidence"), lambda r: r["evidence"], table=False),
)


# ---------------------------------------------------------------------------------------------
# A listing in groups (``list --group-by``)


def group_title(by: str, key: str | None, count: int) -> str:
    """A group's heading in the run's language: ``区委组织部 · 3 tasks`` / ``区委组织部 · 3 项任务``
    (levels and statuses by their names, tasks with no lead unit under a word of their own)."""
    from ..i18n import ngettext

    if by == "level" and key is not None:
        name = level_label(key)
    elif by == "status" and key is not None:
        name = status_label(key)
    else:
        name = key if key is not None else _("(no lead unit)")
    return ngettext("{group} · {count} task", "{group} · {count} tasks", count).format(
        group=name, count=count)


def grouped_listing(groups: Sequence[tuple[str | None, Sequence[dict[str, Any]]]],
                    columns: Sequence[Column], fmt: str, by: str) -> str | RenderableType:
    """A listing in groups (``by``: what the groups' keys are). The table view has a heading
    (:func:`group_title`) over each group's table, markdown a ``##`` section per group; JSON,
    YAML and CSV carry the records as one list, the groups one after another (each record holds
    the field it is grouped by), so they read as the ungrouped listing does."""
    if fmt in ("json", "yaml", "csv"):
        return listing([r for _key, records in groups for r in records], columns, fmt)
    titles = [group_title(by, key, len(records)) for key, records in groups]
    if fmt == "markdown":
        return "\n".join(f"## {md_cell(title)}\n\n" + str(listing(records, columns, fmt))
                         for title, (_key, records) in zip(titles, groups, strict=True))
    if fmt in ("table", "text"):
        from rich.console import Group

        parts: list[Any] = []
        for title, (_key, records) in zip(titles, groups, strict=True):
            if parts:
                parts.append("")
            parts += [text(title, "bold"), rich_table(columns, records)]
        return _Trimmed(Group(*parts))
    raise ValueError(f"unknown listing format {fmt!r}")
