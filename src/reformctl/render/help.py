"""The ``--help`` page: usage, text and lists of options, wrapped by terminal cells.

A Chinese character takes two cells, so wrapping by characters (as click's formatter does)
would run every Chinese line past the edge. This draws the page from plain text that the caller
has already put into the user's language, no wider than the width it is given:

* an option's description wraps beside the option; on a narrow terminal (or beside a long
  option) it goes below the option instead, so it never has a sliver of a column;
* an option's default (``[default: id]``) is never split: it ends the description's last line
  when it fits there, else it takes a line of its own;
* an option's example (``Example: --sort due``) takes a line of its own, so the command line
  it shows is not broken in the middle when it fits on one line;
* examples kept as written (a paragraph starting with ``\\b``) that are wider than the terminal
  are continued on the next line with a shell line continuation (`` \\``), so they still paste
  as one command; a trailing ``# comment`` goes on the line before the command.

Only a single word longer than the whole width (a long path, say) can overrun the edge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import line_breaks

INDENT = 2
MAX_TERM = 30  # a longer option stands alone on its line, its description below
MIN_DESCRIPTION = 24  # narrower than this beside the options: every description goes below
BELOW = 6  # the indentation of a description below its option
GAP = 2  # between an option and its description
CONTINUED = 4  # extra indentation of a continued example command line
MIN_EXAMPLE = 20  # an option's example goes on under its first word if this much room is left


@dataclass
class Row:
    """One entry of a list: an option (or argument, or command) and what it does."""

    term: str  # "-l, --level LEVEL"
    text: str = ""  # what it does, one paragraph
    default: str = ""  # "[default: id]", kept whole, after the text
    example: str = ""  # "Example: --level 基层", on a line of its own


@dataclass
class HelpPage:
    usage_prefix: str  # "Usage:" or "用法："
    usage: str  # "reformctl list [OPTIONS]"
    text: str = ""  # paragraphs; one starting with "\b" keeps its line breaks
    sections: list[tuple[str, Sequence[Row]]] = field(default_factory=list)
    epilog: str = ""
    example: str = "Example:"  # how a paragraph that is one example starts ("例如：")


def cells(text: str) -> int:
    from rich.cells import cell_len

    return int(cell_len(text))


def _wide(char: str) -> bool:
    return cells(char) > 1


def _joined(text: str) -> str:
    """One paragraph on one line: line breaks and runs of spaces become one space, except a line
    break between two wide (CJK) characters, which simply goes (Chinese has no spaces)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    out = ""
    for line in lines:
        if out and not (_wide(out[-1]) and _wide(line[0])):
            out += " "
        out += " ".join(line.split())
    return out


def _breaks(words: str, room: int) -> list[int]:
    """Where the lines of ``words`` start when wrapped to ``room`` cells, as
    :func:`reformctl.render.line_breaks` has it, and: a line may start with a file name that
    starts with a dot (``.yamllint``: not punctuation that must not start a line), and a word too
    long for a line that lists choices (``todo|in-progress|done``) may break after a ``|``."""
    # the breaking is decided on a stand-in of the same length and widths
    stand_in = re.sub(r"(?<= )\.(?=\w)", "x", words)
    too_long = [run for run in re.findall(r"[!-~]+", words) if len(run) > room - 1 and "|" in run]
    if not too_long:
        return line_breaks(stand_in, room)
    # a space in place of each "|" lets the line break after it; one cell is kept free, since a
    # space may end a line at the very edge and the "|" it stands for stays
    stand_in = re.sub(r"[!-~]+", lambda run: run[0].replace("|", " ") if len(run[0]) > room - 1
                      else run[0], stand_in)
    return line_breaks(stand_in, room - 1)


def wrap(text: str, width: int, indent: str = "", first: str | None = None) -> list[str]:
    """``text`` (one paragraph) wrapped to ``width`` cells; lines after the first start with
    ``indent``, the first with ``first`` (default ``indent``)."""
    lead = indent if first is None else first
    words = _joined(text)
    if not words:
        return [lead.rstrip()] if lead.strip() else []
    room = max(width - max(cells(indent), cells(lead)), 10)
    offsets = [0, *_breaks(words, room), len(words)]
    pieces = [words[a:b].strip() for a, b in zip(offsets, offsets[1:], strict=False)]
    return [(lead if i == 0 else indent) + piece for i, piece in enumerate(pieces) if piece]


def _shell_words(line: str) -> list[str]:
    """``line`` split at the spaces a shell splits at (not inside quotes), an option kept with
    its value (``--note 已印发``); each piece keeps the spaces that follow it."""
    words: list[str] = []
    start, quote = 0, ""
    for i, ch in enumerate(line):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == " " and i + 1 < len(line) and line[i + 1] != " ":
            words.append(line[start:i + 1])
            start = i + 1
    words.append(line[start:])
    pieces: list[str] = []
    for word in words:
        if pieces and pieces[-1].startswith(("-", ">")) and not pieces[-1].strip().count(" ") \
                and not word.startswith("-"):
            pieces[-1] += word
        else:
            pieces.append(word)
    return pieces


def _command_lines(line: str, width: int, indent: str) -> list[str]:
    """An example command line kept as written, continued with `` \\`` where it is too wide."""
    if cells(indent + line) <= width:
        return [indent + line]
    command, hash_, comment = line.partition("  #")
    lead = " " * (len(command) - len(command.lstrip()))
    out = [f"{indent}{lead}#{comment}".rstrip()] if hash_ else []
    more = indent + lead + " " * CONTINUED
    current = indent + lead
    words: list[str] = []
    for word in _shell_words(command.strip()):  # an option and its value, or apart if too wide
        alone = cells(more + word.rstrip() + " \\") > width and not word.startswith(("'", '"'))
        words.extend(word.split(" ", 1) if alone and " " in word.rstrip() else [word])
    words = [w if w.endswith(" ") or w is words[-1] else w + " " for w in words]
    for word in words:
        piece = word.rstrip()
        if current.strip() and cells(current.rstrip() + " " + piece + " \\") > width:
            out.append(current.rstrip() + " \\")
            current = more
        current += word if current.strip() else word.lstrip()
    out.append(current.rstrip())
    return out


def _paragraphs(text: str, width: int, indent: str, example: str = "") -> list[str]:
    out: list[str] = []
    for block in text.strip("\n").split("\n\n"):
        if out:
            out.append("")
        if block.startswith("\b"):  # kept as written (examples)
            for line in block[1:].strip("\n").splitlines():
                out.extend(_command_lines(line, width, indent) if line.strip() else [""])
        elif example and block.startswith(example) and "\n" not in block.strip():
            out.extend(_example(block.strip(), width, indent, indent))
        else:
            out.extend(wrap(block, width, indent))
    return out


def _description(row: Row, width: int, pad: str, first: str) -> list[str]:
    """The lines of ``row``'s description; the first starts with ``first``, the others ``pad``."""
    lines = wrap(row.text, width, pad, first)
    if row.default:
        if lines and cells(lines[-1]) + 1 + cells(row.default) <= width:
            lines[-1] += ("" if _wide(lines[-1][-1]) else " ") + row.default
        else:
            lines += wrap(row.default, width, pad, pad if lines else first)
    if row.example:
        lines += _example(row.example, width, pad, pad if lines else first)
    return lines


def _example(example: str, width: int, pad: str, first: str) -> list[str]:
    """``Example: --search 经费 --search 审计``, broken only between the words of the command
    line (an option kept with its value), never inside one."""
    head, colon, rest = example.partition(":" if ":" in example.split(" ")[0] else "：")
    if not colon or not rest.strip():
        return wrap(example, width, pad, first)
    words = [word.strip() for word in _shell_words(rest.strip())]
    whole = rest.strip().startswith("reformctl ")  # a whole command line: continued with " \\"
    more = " \\" if whole else ""
    lines = [first + head + colon + ("" if colon == "：" else " ")]
    if width - cells(pad + lines[0][len(first):]) >= MIN_EXAMPLE:  # go on under the command
        pad += " " * cells(lines[0][len(first):])
    for word in words:
        fresh = not lines[-1].strip() or lines[-1].endswith(colon + ("" if colon == "：" else " "))
        if not fresh and cells(lines[-1] + " " + word + more) > width:
            lines[-1] += more
            lines.append(pad)
            fresh = True
        lines[-1] += word if fresh else " " + word
    return [line.rstrip() for line in lines]


def _rows(rows: Sequence[Row], width: int) -> list[str]:
    term_width = min(max((cells(row.term) for row in rows), default=0), MAX_TERM)
    side_by_side = width - (INDENT + term_width + GAP) >= MIN_DESCRIPTION
    out: list[str] = []
    for row in rows:
        head = " " * INDENT + row.term
        pad = " " * (INDENT + term_width + GAP if side_by_side else BELOW)
        if not side_by_side or cells(row.term) > term_width:
            out.append(head)
            out.extend(_description(row, width, pad, pad))
            continue
        first = head + " " * (term_width - cells(row.term) + GAP)
        out.extend(_description(row, width, pad, first) or [head])
    return out


def help_text(page: HelpPage, width: int) -> str:
    """The page as text no wider than ``width`` cells (a single longer word excepted)."""
    width = max(width, 20)
    prefix = page.usage_prefix + ("" if _wide(page.usage_prefix[-1:] or "a") else " ")
    lines = wrap(page.usage, width, " " * cells(prefix), prefix)
    if page.text.strip():
        lines += ["", *_paragraphs(page.text, width, " " * INDENT, page.example)]
    for title, rows in page.sections:
        if rows:
            lines += ["", *wrap(title, width), *_rows(rows, width)]
    if page.epilog.strip():
        lines += ["", *_paragraphs(page.epilog, width, " " * INDENT, page.example)]
    return "\n".join(lines) + "\n"
