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
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..yamldoc import UNSAFE, dump

if TYPE_CHECKING:
    from rich.console import RenderableType

LISTING_FORMATS = ("table", "json", "csv", "markdown", "yaml")
RECORD_FORMATS = ("text", "json", "yaml")

STATUS_STYLE = {
    "todo": "",
    "in-progress": "yellow",
    "done": "green",
    "blocked": "bold red",
    "dropped": "dim",
}

_VISIBLE = {
    code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") for code in UNSAFE
}
_JSON_ESCAPE = {code: f"\\u{code:04x}" for code in UNSAFE}


def visible(text: str) -> str:
    """``text`` with every character that could act on a terminal shown as an escape."""
    return text.translate(_VISIBLE)


def cell_text(value: Any, sep: str = ", ") -> str:
    """One value as the text of a cell: lists joined, None empty, controls made visible."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return sep.join(cell_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return visible(str(value))


# ---------------------------------------------------------------------------------------------
# Structured formats


def to_json(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)
    return text.translate(_JSON_ESCAPE) + "\n"


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_yaml(data: Any) -> str:
    return dump(json.loads(to_json(data)))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = cell_text(value, "; ")
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


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

    text = tabulate(
        [[md_cell(v) for v in row] for row in rows],
        headers=[md_cell(h) for h in headers],
        tablefmt="github",
        disable_numparse=True,
        colalign=align,
    )
    if not rows:  # tabulate prints no separator row without data; GFM needs one
        text = "| " + " | ".join(md_cell(h) for h in headers) + " |\n|" + "---|" * len(headers)
    return text + "\n"


# ---------------------------------------------------------------------------------------------
# Terminal tables


def text(value: Any, style: str = "") -> Any:
    """A rich Text that shows ``value`` literally (never parsed as markup)."""
    from rich.text import Text

    return Text(cell_text(value), style=style)


@dataclass(frozen=True)
class Column:
    """One column of a listing: its header, how to get the value, how to show it."""

    header: str
    get: Callable[[dict[str, Any]], Any]
    fold: bool = False  # long text: wraps within the column
    justify: str = "left"
    style: Callable[[dict[str, Any]], str] | None = None


def rich_table(columns: Sequence[Column], records: Sequence[dict[str, Any]],
               title: str | None = None) -> RenderableType:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", show_edge=False,
                  pad_edge=False, expand=False)
    for col in columns:
        table.add_column(
            text(col.header, "bold"),
            overflow="fold",
            no_wrap=not col.fold,
            justify=col.justify,  # type: ignore[arg-type]
            ratio=1 if col.fold else None,
            min_width=10 if col.fold else None,
        )
    for record in records:
        table.add_row(*(text(c.get(record), c.style(record) if c.style else "") for c in columns))
    return table


def listing(records: Sequence[dict[str, Any]], columns: Sequence[Column], fmt: str,
            title: str | None = None) -> str | RenderableType:
    """Any listing in any of :data:`LISTING_FORMATS`: the one output path of list-like commands."""
    if fmt == "json":
        return to_json(list(records))
    if fmt == "yaml":
        return to_yaml(list(records))
    headers = [c.header for c in columns]
    rows = [[c.get(r) for c in columns] for r in records]
    if fmt == "csv":
        return to_csv(headers, rows)
    if fmt == "markdown":
        return md_table(headers, rows)
    return rich_table(columns, records, title)


# ---------------------------------------------------------------------------------------------
# Listings and whole-record views of tasks and statements

def _pct(value: Any) -> str:
    return "" if value is None else f"{value}%"


def _status_style(record: dict[str, Any]) -> str:
    return STATUS_STYLE.get(record.get("status", ""), "")


TASK_COLUMNS = (
    Column("ID", lambda r: r["id"], justify="right"),
    Column("Ref", lambda r: r["ref"]),
    Column("Level", lambda r: r["level"]),
    Column("Status", lambda r: r["status"], style=_status_style),
    Column("Progress", lambda r: _pct(r["progress"]), justify="right"),
    Column("Due", lambda r: r["due"]),
    Column("Task", lambda r: r["text"], fold=True),
)

VOICE_COLUMNS = (
    Column("ID", lambda r: r["id"], justify="right"),
    Column("Speaker", lambda r: r["speaker"]),
    Column("Unit", lambda r: r["unit"]),
    Column("Headline", lambda r: r["headline"], fold=True),
    Column("Tasks", lambda r: ", ".join(t["ref"] for t in r["linked_tasks"])),
)


def _fields(rows: Sequence[tuple[str, Any]]) -> Any:
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in rows:
        if value not in (None, "", []):
            grid.add_row(text(label), value if hasattr(value, "__rich__") or
                         type(value).__name__ == "Text" else text(value))
    return grid


def _heading(title: str) -> Any:
    return text(title, "bold underline")


def task_view(detail: dict[str, Any]) -> Any:
    """``reformctl show``: every field, related tasks, statements, and the history as a timeline."""
    from rich.console import Group

    parts: list[Any] = [
        text(f"Task {detail['id']} · {detail['ref']} · {detail['level']}", "bold"),
        _fields([
            ("Text", detail["text"]),
            ("Title", detail["title"]),
            ("Status", text(detail["status"], _status_style(detail))),
            ("Progress", _pct(detail["progress"])),
            ("Due", detail["due"]),
            ("Owner", detail["owner"]),
            ("Partners", detail["partners"]),
            ("Tags", detail["tags"]),
        ]),
    ]
    if detail["related_tasks"]:
        parts += ["", _heading("Related tasks at other levels"),
                  rich_table(TASK_COLUMNS, detail["related_tasks"])]
    if detail["voices"]:
        parts += ["", _heading("Statements that bear on it")]
        parts += [text(f"  #{v['id']} {v['headline']} — {v['speaker']}, {v['unit']}")
                  for v in detail["voices"]]
    parts += ["", _heading("History")]
    if not detail["history"]:
        parts.append(text("  (no recorded changes)", "dim"))
    for entry in detail["history"]:
        parts.append(text(f"  {entry['at']}  {entry['by']}", "bold"))
        for field_name, (old, new) in entry["changes"].items():
            parts.append(text(f"      {field_name}: {cell_text(old) or '—'} → {cell_text(new) or '—'}"))
        if entry.get("note"):
            parts.append(text(f"      note: {entry['note']}"))
        for item in entry.get("evidence") or []:
            parts.append(text(f"      evidence: {item}"))
    return Group(*parts)


def voice_view(detail: dict[str, Any]) -> Any:
    """``reformctl voices N``: one statement whole."""
    from rich.console import Group

    parts: list[Any] = [
        text(f"Statement {detail['id']}: {detail['headline']}", "bold"),
        _fields([
            ("Speaker", detail["speaker"]),
            ("Unit", detail["unit"]),
            ("Role", detail["role"]),
            ("Summary", detail["summary"]),
        ]),
    ]
    for title, items in (("Commitments", detail["commitments"]),
                         ("Proposals", detail["proposals"])):
        parts += ["", _heading(title)]
        if not items:
            parts.append(text("  (none)", "dim"))
        parts += [text(f"  {n}. {item}") for n, item in enumerate(items, 1)]
    parts += ["", _heading("Linked tasks")]
    if detail["linked_tasks"]:
        parts.append(rich_table(TASK_COLUMNS, detail["linked_tasks"]))
    else:
        parts.append(text("  (none)", "dim"))
    return Group(*parts)


def record(detail: dict[str, Any], fmt: str, view: Callable[[dict[str, Any]], Any]) -> Any:
    """One record in any of :data:`RECORD_FORMATS`."""
    if fmt == "json":
        return to_json(detail)
    if fmt == "yaml":
        return to_yaml(detail)
    return view(detail)


def _changes_text(record: dict[str, Any]) -> str:
    return "; ".join(
        f"{k}: {cell_text(old) or '—'} → {cell_text(new) or '—'}"
        for k, (old, new) in record["changes"].items()
    )


HISTORY_COLUMNS = (
    Column("When", lambda r: r["at"]),
    Column("Task", lambda r: r["ref"]),
    Column("By", lambda r: r["by"]),
    Column("Changes", _changes_text, fold=True),
    Column("Note", lambda r: r["note"], fold=True),
    Column("Evidence", lambda r: r["evidence"], fold=True),
)
