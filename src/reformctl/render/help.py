"""The ``--help`` page: usage, text and lists of options, wrapped by terminal cells.

A Chinese character takes two cells, so wrapping by characters (as click's formatter does)
would run every Chinese line past the edge. This draws the page from plain text that the caller
has already put into the user's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from . import line_breaks

INDENT = 2
MAX_TERM = 30  # a longer option stands alone on its line, its description below


@dataclass
class HelpPage:
    usage_prefix: str  # "Usage:" or "用法："
    usage: str  # "reformctl list [OPTIONS]"
    text: str = ""  # paragraphs; one starting with "\b" keeps its line breaks
    sections: list[tuple[str, Sequence[tuple[str, str]]]] = field(default_factory=list)
    epilog: str = ""


def cells(text: str) -> int:
    from rich.cells import cell_len

    return int(cell_len(text))


def wrap(text: str, width: int, indent: str = "", first: str | None = None) -> list[str]:
    """``text`` (one paragraph) wrapped to ``width`` cells; lines after the first start with
    ``indent``, the first with ``first`` (default ``indent``)."""
    lead = indent if first is None else first
    words = " ".join(text.split())
    if not words:
        return [lead.rstrip()] if lead.strip() else []
    room = max(width - cells(indent), 10)
    offsets = [0, *line_breaks(words, room), len(words)]
    pieces = [words[a:b].strip() for a, b in zip(offsets, offsets[1:], strict=False)]
    return [(lead if i == 0 else indent) + piece for i, piece in enumerate(pieces) if piece]


def _paragraphs(text: str, width: int, indent: str) -> list[str]:
    out: list[str] = []
    for block in text.strip("\n").split("\n\n"):
        if out:
            out.append("")
        if block.startswith("\b"):  # kept as written (examples)
            out.extend(indent + line if line.strip() else "" for line in
                       block[1:].strip("\n").splitlines())
        else:
            out.extend(wrap(block, width, indent))
    return out


def _rows(rows: Sequence[tuple[str, str]], width: int) -> list[str]:
    term_width = min(max((cells(term) for term, _ in rows), default=0), MAX_TERM)
    gap = 2
    pad = " " * (INDENT + term_width + gap)
    out: list[str] = []
    for term, description in rows:
        head = " " * INDENT + term
        if cells(term) > term_width:
            out.append(head)
            out.extend(wrap(description, width, pad))
            continue
        first = head + " " * (term_width - cells(term) + gap)
        out.extend(wrap(description, width, pad, first) or [head])
    return out


def help_text(page: HelpPage, width: int) -> str:
    """The page as text no wider than ``width`` cells (a long word excepted)."""
    width = max(width, 40)
    prefix = f"{page.usage_prefix} "
    lines = wrap(page.usage, width, " " * cells(prefix), prefix)
    if page.text.strip():
        lines += ["", *_paragraphs(page.text, width, " " * INDENT)]
    for title, rows in page.sections:
        if rows:
            lines += ["", title, *_rows(rows, width)]
    if page.epilog.strip():
        lines += ["", *_paragraphs(page.epilog, width, " " * INDENT)]
    return "\n".join(lines) + "\n"
