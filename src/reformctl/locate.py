"""Finding the line and column of diagnostics that were made from data paths."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from . import edit, yamldoc
from .checks import AT_KEY
from .errors import Diagnostic, Location


def locate(diags: list[Diagnostic], texts: dict[str, yamldoc.Text],
            parsed: dict[str, yamldoc.Parsed]) -> list[Diagnostic]:
    """Fill in line:col of diagnostics made from data paths, reading as little as possible.

    A problem inside one task or statement is located by reading just that item's lines again
    (with positions); the rest of a file's problems by one walk over its events that keeps
    positions only for their paths.
    """
    by_path = {text.path: kind for kind, text in texts.items()}
    lines = {kind: _Lines(text.text) for kind, text in texts.items()}
    # which item (task, statement) each diagnostic points into, and the paths wanted in each
    wanted: dict[tuple[str, int], list[tuple[object, ...]]] = {}
    pending: list[tuple[Diagnostic, str | None, tuple[str, int] | None]] = []
    for diag in diags:
        kind = by_path.get(diag.location.path)
        if diag.location.line is not None or kind is None:
            pending.append((diag, None, None))
            continue
        found = parsed[kind]
        starts = found.item_starts.get(str(diag.data_path[0])) if diag.data_path else None
        item = None
        if found.nodes is None and starts and len(diag.data_path) > 1:
            i = diag.data_path[1]
            if isinstance(i, int) and i < len(starts):
                item = (kind, i)
                wanted.setdefault(item, []).append(diag.data_path)
        pending.append((diag, kind, item))
    # each item read once, for all the paths wanted in it
    items: dict[tuple[str, int], _Item | None] = {}
    for (kind, i), paths in wanted.items():
        starts = parsed[kind].item_starts[str(paths[0][0])]
        items[(kind, i)] = _Item.read(texts[kind], starts, paths[0][:2], paths, lines[kind])
    rest: dict[str, list[tuple[object, ...]]] = {}
    finders: list[tuple[Diagnostic, object]] = []
    for diag, kind, item in pending:
        where: object = None if kind is None else (items[item] if item else None) or kind
        if kind is not None and where == kind:
            rest.setdefault(kind, []).append(diag.data_path)
        finders.append((diag, where))
    wholes = {kind: parsed[kind] if parsed[kind].nodes is not None
              else _walk(texts[kind], paths) for kind, paths in rest.items()}
    located = []
    for diag, where in finders:
        if where is None:
            located.append(diag)
            continue
        at_key = diag.code in AT_KEY
        if isinstance(where, _Item):
            line, col = where.find(diag.data_path, at_key)
        else:
            line, col = wholes[str(where)].find(diag.data_path, at_key=at_key) or (None, None)
        located.append(Diagnostic(Location(diag.location.path, line, col), diag.severity,
                                  diag.code, diag.message, diag.data_path))
    return sorted(located, key=_order)


@dataclass
class _Item:
    """One task's (or statement's) lines read again with positions, offset to the file."""

    prefix: tuple[object, ...]
    parsed: yamldoc.Parsed
    line_offset: int

    @classmethod
    def read(cls, source: yamldoc.Text, starts: list[int], prefix: tuple[object, ...],
             paths: list[tuple[object, ...]], lines: _Lines) -> _Item | None:
        """The item's block read by the locate walk, keeping positions for ``paths`` only (and
        for a second item, which must not be there). None: not a block on its own."""
        block = edit.block_at(source.text, starts, prefix[1])  # type: ignore[arg-type]
        SCANNED["items"] += block.end - block.start
        inner = [(0, *path[len(prefix):]) for path in paths]
        part = yamldoc.locate(yamldoc.Text(source.path, source.text[block.start:block.end],
                                           False, source.newline), [*inner, (1,)])
        nodes = part.nodes or {}
        if part.diagnostics or (0,) not in nodes or (1,) in nodes:
            return None  # not a block on its own (flow style?): the whole-file walk finds it
        return cls(prefix, part, lines.before(block.start))

    def find(self, data_path: tuple[object, ...], at_key: bool) -> tuple[int | None, int | None]:
        found = self.parsed.find((0, *data_path[len(self.prefix):]), at_key=at_key)
        return (None, None) if found is None else (found[0] + self.line_offset, found[1])


class _Lines:
    """Line breaks before a position: one index of the line starts, built once (a single scan
    of the text, only when something in it needs locating), then a binary search per position.

    Counting from the start of the file, or from the nearest position counted before, for each
    of thousands of warnings made locating quadratic (90 s of a 100,000-task ``check``).
    """

    __slots__ = ("text", "_starts")

    def __init__(self, text: str):
        self.text = text
        self._starts: Sequence[int] | None = None

    def before(self, position: int) -> int:
        starts = self._starts
        if starts is None:
            starts = self._starts = _line_starts(self.text)
        return bisect_right(starts, position) - 1


def _line_starts(text: str) -> Sequence[int]:
    """Where each line starts (after each ``\n``): one scan of the text, in C, a piece at a time
    (splitting the whole text at once would hold every line at once: 21 MiB for 7 MiB of
    ledger); kept as machine integers (8 bytes a line, not 36)."""
    SCANNED["index"] += len(text)
    starts = array("q", [0])
    step = 1 << 20
    for low in range(0, len(text), step):
        parts = text[low : low + step].split("\n")
        ends = accumulate(map((1).__add__, map(len, parts[:-1])), initial=low)
        next(ends)  # ``low`` itself: not a line start unless a break ends the piece before
        starts.extend(ends)
    return starts


# Characters read to locate diagnostics, for the test that locating is linear (not timed):
# "index": scanned to index line starts; "items": of the items (tasks) read again with positions;
# "walk": of the texts walked for the rest. Each text is indexed at most once and each item read
# at most once, however many diagnostics point into it.
SCANNED = {"index": 0, "items": 0, "walk": 0}


def _walk(source: yamldoc.Text, paths: list[tuple[object, ...]]) -> yamldoc.Parsed:
    SCANNED["walk"] += len(source.text)
    return yamldoc.locate(source, paths)


def _order(diag: Diagnostic) -> tuple[str, int, int]:
    return (diag.location.path, diag.location.line or 0, diag.location.col or 0)

