"""Changing the ledger's text surgically: only the changed task's lines change.

A task is one item of the ``tasks:`` sequence. Its *block* is its lines, from its ``- `` line up
to the next item (or the end of the sequence). An edit parses that block on its own (with
positions), changes exactly the values it must (replacing a scalar's characters, inserting a key
line, appending a history entry) and parses the edited block again: the result must be exactly
the intended task, or nothing is written. Comments, blank lines, quoting, key order, line endings
and every byte outside the block are kept.

Pure: text in, text out. Reading, locking and writing are :mod:`reformctl.transaction`'s job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import yamldoc
from .errors import WriteError
from .i18n import _
from .models import LEVEL_LETTER, HistoryEntry, Task

KEY_ORDER = tuple(Task.model_fields)  # id, level, seq, text, ..., tags, related, history


class LayoutError(WriteError):
    """A task written in a way reformctl reads but does not edit in place."""

    def __init__(self, task: int | None = None, line: int | None = None) -> None:
        flow, sequence = "`- {id: 1, ...}`", "`tasks: [...]`"  # YAML, the same in every language
        if task is None or line is None:
            message = _("this task is written in a layout reformctl can read but not edit in "
                        "place (flow style such as {flow} or {sequence}); nothing was changed")
        else:
            message = _("task {id} (tasks.yaml line {line}) is written in a layout reformctl can "
                        "read but not edit in place (flow style such as {flow} or {sequence}); "
                        "nothing was changed")
        super().__init__(
            message.format(id=task, line=line, flow=flow, sequence=sequence),
            hint=_("write the task one key per line, as `reformctl add` does, then try again"),
        )


def _unsafe(detail: str) -> WriteError:
    return WriteError(
        _("the change could not be written safely ({detail}); nothing was changed").format(
            detail=detail),
        hint=_("run `reformctl check`; if it is clean, please report this with the file"),
    )


@dataclass
class Block:
    """One task's lines within the file text: ``text[start:end]``."""

    start: int
    end: int


def line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def next_line(text: str, index: int) -> int:
    """The offset of the line after the one holding ``index`` (len(text) at the end)."""
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


def task_blocks(text: str, item_starts: list[int]) -> list[Block]:
    """The block of every task, from the offsets where each item's content starts."""
    return [block_at(text, item_starts, i) for i in range(len(item_starts))]


def block_at(text: str, item_starts: list[int], i: int) -> Block:
    """The block of task ``i`` (in file order)."""
    start = _dash_line(text, item_starts[i])
    if i + 1 < len(item_starts):
        return Block(start, _dash_line(text, item_starts[i + 1]))
    return Block(start, _sequence_end(text, start, item_starts[i]))


def _dash_line(text: str, content: int) -> int:
    """The start of the line holding the ``-`` of the item whose content starts at ``content``
    (usually the same line; a ``-`` may also stand alone on a line before it)."""
    start = line_start(text, content)
    if text[start:content].strip():
        return start
    previous = start
    while previous > 0:
        previous = line_start(text, previous - 1)
        line = text[previous:text.find("\n", previous)].strip()
        if line.startswith("-"):
            return previous
        if line and not line.startswith("#"):
            break
    return start


def _sequence_end(text: str, start: int, content: int) -> int:
    """Where the last item ends: the first later line indented no deeper than its dash."""
    dash_col = len(text[start:content]) - len(text[start:content].lstrip(" "))
    pos = next_line(text, start)
    while pos < len(text):
        end = next_line(text, pos)
        line = text[pos:end].rstrip("\r\n")
        stripped = line.lstrip(" ")
        if stripped and not stripped.startswith("#") and len(line) - len(stripped) <= dash_col:
            return pos
        pos = end
    return len(text)


class TaskIndex:
    """The tasks of a valid ``tasks.yaml`` text: found by id or ref, parsed only when asked for.

    Built from a loaded ledger, or from a cache entry made from the same bytes; either way it
    answers what a change needs (a task, the next id, the next number in a level) without holding
    every task.
    """

    def __init__(self, text: str, newline: str, ids: list[int], levels: list[str],
                 seqs: list[int], starts: list[int]):
        self.text, self.newline = text, newline
        self.ids, self.levels, self.seqs, self.starts = ids, levels, seqs, starts
        self._by_id = {task_id: i for i, task_id in enumerate(ids)}
        self._by_ref = {f"{LEVEL_LETTER[lv]}{sq}": i for i, (lv, sq) in enumerate(zip(levels, seqs, strict=True))}
        self._parsed: dict[int, Task] = {}

    @classmethod
    def of(cls, text: str, newline: str, tasks: list[Task], starts: list[int]) -> TaskIndex:
        index = cls(text, newline, [t.id for t in tasks], [t.level for t in tasks],
                    [t.seq for t in tasks], starts)
        index._parsed = dict(enumerate(tasks))
        return index

    def entry(self) -> dict[str, Any]:
        return {"ids": self.ids, "levels": self.levels, "seqs": self.seqs, "starts": self.starts}

    @classmethod
    def from_entry(cls, text: str, newline: str, entry: dict[str, Any]) -> TaskIndex | None:
        try:
            columns = [entry[k] for k in ("ids", "levels", "seqs", "starts")]
            if len({len(c) for c in columns}) != 1 or not all(
                    isinstance(v, int) for c in (columns[0], columns[2], columns[3]) for v in c):
                return None
            if any(lv not in LEVEL_LETTER for lv in columns[1]) or any(
                    s >= len(text) for s in columns[3]):
                return None
        except (KeyError, TypeError):
            return None
        return cls(text, newline, *columns)

    def position(self, key: int | str) -> int | None:
        if isinstance(key, int):
            return self._by_id.get(key)
        key = key.strip()
        return self._by_id.get(int(key)) if key.isdigit() else self._by_ref.get(key.upper())

    def task(self, key: int | str) -> Task | None:
        i = self.position(key)
        if i is None:
            return None
        if i not in self._parsed:
            block = self.block(i)
            try:
                data = _parse_block(self.text[block.start:block.end], self.newline).data
            except LayoutError:
                line = self.text.count("\n", 0, block.start) + 1
                raise LayoutError(self.ids[i], line) from None
            task = _read_task(data)
            if task.id != self.ids[i]:
                raise _unsafe(_("the index does not match the file"))
            self._parsed[i] = task
        return self._parsed[i]

    def block(self, i: int) -> Block:
        return block_at(self.text, self.starts, i)

    def next_id(self) -> int:
        return max(self.ids, default=0) + 1

    def next_seq(self, level: str) -> int:
        return max((s for lv, s in zip(self.levels, self.seqs, strict=True) if lv == level), default=0) + 1


# ---------------------------------------------------------------------------------------------
# Parsing one block


@dataclass
class _Parsed:
    data: dict[str, Any]
    nodes: dict[tuple[Any, ...], yamldoc.Node]


def _parse_block(block: str, newline: str) -> _Parsed:
    parsed = yamldoc.parse(yamldoc.Text("<task>", block, False, newline), locate=True)
    if (parsed.diagnostics or not isinstance(parsed.data, list) or len(parsed.data) != 1
            or not isinstance(parsed.data[0], dict)
            or parsed.nodes is None or parsed.nodes[(0,)].kind != "block"):
        raise LayoutError()
    assert parsed.nodes is not None
    # paths inside the block start with the item index 0; drop it
    nodes = {path[1:]: node for path, node in parsed.nodes.items() if path[:1] == (0,)}
    return _Parsed(parsed.data[0], nodes)


def _read_task(data: Any) -> Task:
    """A task read back from lines reformctl wrote or edits: anything invalid refuses the write."""
    from pydantic import ValidationError

    try:
        return Task.model_validate(data)
    except ValidationError:
        raise _unsafe(_("the lines do not read back as a valid task")) from None


def _new_task(data: dict[str, Any]) -> Task:
    """A task made from command-line values: an invalid one is the user's to correct (exit 2)."""
    from pydantic import ValidationError

    from .errors import UsageError

    try:
        return Task.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in err["loc"])
        raise UsageError(f"{where}: {err['msg'].lower()}") from None


def check_window(window: str, newline: str, tasks: list[Task]) -> list[int]:
    """Where each task starts in ``window`` (whole task blocks, as they will be written).

    Refuses (nothing is written) unless the window, read on its own, holds exactly ``tasks``.
    """
    from pydantic import ValidationError

    parsed = yamldoc.parse(yamldoc.Text("<task>", window, False, newline), locate=True)
    try:
        ok = (not parsed.diagnostics and isinstance(parsed.data, list)
              and [Task.model_validate(item) for item in parsed.data] == tasks)
    except ValidationError:
        ok = False
    if not ok:
        raise _unsafe(_("the new lines do not read back as the intended tasks"))
    assert parsed.nodes is not None
    return [parsed.nodes[(i,)].start for i in range(len(tasks))]


def _content_end(nodes: dict[tuple[Any, ...], yamldoc.Node], path: tuple[Any, ...]) -> int:
    """Offset just past the last character of the value at ``path`` (not its trailing lines)."""
    ends = [n.end for p, n in nodes.items() if p[: len(path)] == path and n.kind != "block"]
    if not ends:
        raise _unsafe(_("no text found for {path}").format(path=".".join(map(str, path))))
    return max(ends)


# ---------------------------------------------------------------------------------------------
# Formatting new text


def flow_list(values: list[Any]) -> str:
    return "[" + ", ".join(yamldoc.scalar(v, flow=True) for v in values) + "]"


def change_pair(values: list[Any]) -> str:
    """``[old, new]`` of a history change; ISO dates unquoted, as people write them; a list
    field's old and new lists as flow lists (``[[a], [a, b]]``)."""
    return "[" + ", ".join(
        flow_list(v) if isinstance(v, list)
        else v if isinstance(v, str) and yamldoc.is_iso_date(v) else yamldoc.scalar(v, flow=True)
        for v in values
    ) + "]"


def value_text(value: Any) -> str:
    return flow_list(value) if isinstance(value, list) else yamldoc.scalar(value)


def history_lines(entry: HistoryEntry, dash_col: int) -> list[str]:
    pad = " " * dash_col
    lines = [f"{pad}- at: {entry.at.isoformat()}", f"{pad}  by: {yamldoc.scalar(entry.by)}"]
    if entry.changes:
        lines.append(f"{pad}  changes:")
        lines += [f"{pad}    {yamldoc.scalar(k)}: {change_pair(v)}" for k, v in entry.changes.items()]
    else:
        lines.append(f"{pad}  changes: {{}}")
    if entry.note is not None:
        lines.append(f"{pad}  note: {yamldoc.scalar(entry.note)}")
    if entry.evidence:
        lines.append(f"{pad}  evidence:")
        lines += [f"{pad}    - {yamldoc.scalar(e)}" for e in entry.evidence]
    return lines


def task_lines(task: Task, dash_col: int) -> list[str]:
    """A new task's block, laid out like the shipped ledger."""
    pad = " " * (dash_col + 2)
    data = task.model_dump(mode="json")
    lines: list[str] = []
    for key in KEY_ORDER:
        value = data[key]
        if key == "history":
            continue
        if value is None or (key == "partners" and not value):
            continue
        lines.append(f"{pad}{key}: {value_text(getattr(task, key) if key == 'due' else value)}")
    if task.history:
        lines.append(f"{pad}history:")
        for entry in task.history:
            lines += history_lines(entry, dash_col + 4)
    else:
        lines.append(f"{pad}history: []")
    lines[0] = " " * dash_col + "- " + lines[0][dash_col + 2 :]
    return lines


# ---------------------------------------------------------------------------------------------
# Editing a block


def rewrite_block(block: str, newline: str, old: Task, new: Task) -> str:
    """The block of ``old`` changed into ``new``; only the changed values' text changes.

    Supported changes are the ones commands make: scalar fields set (present or not), list
    fields replaced, and history entries added (appended or inserted in time order).
    """
    parsed = _parse_block(block, newline)
    if _read_task(parsed.data) != old:
        raise _unsafe(_("the task's lines do not hold the task that was read"))
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) within the block
    key_col = parsed.nodes[("id",)].key_col - 1
    old_data, new_data = old.model_dump(mode="json"), new.model_dump(mode="json")
    for key in KEY_ORDER:
        if key == "history" or old_data[key] == new_data[key]:
            continue
        if new_data[key] is None:
            edits.append(_remove_key(block, parsed, key))
            continue
        if isinstance(new_data[key], list):
            list_edits = _edit_block_list(block, parsed, key, old_data[key], new_data[key],
                                          newline)
            if list_edits is not None:
                edits += list_edits
                continue
        value = getattr(new, key) if key == "due" else new_data[key]
        edits.append(_set_value(block, parsed, key, value_text(value), key_col, newline))
    if new.history != old.history:
        edits.append(_add_history(block, parsed, old, new, key_col, newline))
    # From the end backwards, so earlier offsets stay right. Two insertions at one offset (a list
    # item appended where a missing key's line goes) go in file order: the later one first.
    order = sorted(range(len(edits)), key=lambda n: (edits[n][0], edits[n][1], n), reverse=True)
    for n in order:
        start, end, replacement = edits[n]
        block = block[:start] + replacement + block[end:]
    check = _parse_block(block, newline)
    if _read_task(check.data) != new:
        raise _unsafe(_("the edited lines do not read back as the intended task"))
    return block


def _set_value(block: str, parsed: _Parsed, key: str, text: str, key_col: int,
               newline: str) -> tuple[int, int, str]:
    node = parsed.nodes.get((key,))
    if node is not None and node.kind != "block":
        if node.start == node.end:  # an empty value (`owner:`): the mark sits after the colon
            return node.start, node.end, text if block[node.start - 1] == " " else " " + text
        return node.start, node.end, text
    if node is not None:  # a block list replaced by a flow list: from after "key:" to its end
        return _colon(block, node) + 1, _content_end(parsed.nodes, (key,)), " " + text
    at = _insert_point(block, parsed, key)
    return at, at, _new_lines(block, at, [" " * key_col + f"{key}: {text}"], newline)


def _remove_key(block: str, parsed: _Parsed, key: str) -> tuple[int, int, str]:
    """A cleared field: its line (and a multi-line value's lines) removed."""
    node = parsed.nodes[(key,)]
    start = line_start(block, node.key_start)
    if block[start:node.key_start].strip() or node.kind == "block":
        # the key shares its line with the item's dash (or holds a block collection): keep the
        # key and write an explicit null instead
        return _colon(block, node) + 1, _content_end(parsed.nodes, (key,)), " null"
    return start, _after_line(block, _content_end(parsed.nodes, (key,))), ""


def _edit_block_list(block: str, parsed: _Parsed, key: str, old: list[Any], new: list[Any],
                     newline: str) -> list[tuple[int, int, str]] | None:
    """A block list (``- item`` lines) edited item by item: removed items' lines go, added
    items' lines come after the last item; every other line stays. None when the list is not a
    block list of one-line-started items (the caller then rewrites the value whole)."""
    node = parsed.nodes.get((key,))
    if node is None or node.kind != "block" or not old or not new:
        return None
    starts = []  # where each item's line starts
    for i in range(len(old)):
        item = parsed.nodes.get((key, i))
        if item is None:
            return None
        starts.append(line_start(block, item.start))
        prefix = block[starts[-1]:item.start]  # "    - "
        if prefix.strip() != "-" or not prefix.lstrip(" ").startswith("-"):
            return None
    edits: list[tuple[int, int, str]] = []
    j = 0  # how much of ``new`` the kept items account for
    for i, start in enumerate(starts):
        if j < len(new) and old[i] == new[j]:
            j += 1
            continue
        edits.append((start, _after_line(block, _content_end(parsed.nodes, (key, i))), ""))
    if new[j:]:
        at = _after_line(block, _content_end(parsed.nodes, (key,)))
        lines = [prefix + yamldoc.scalar(v) for v in new[j:]]
        edits.append((at, at, _new_lines(block, at, lines, newline)))
    return edits


def _colon(block: str, node: yamldoc.Node) -> int:
    """The ``:`` after a key (key names hold none; a comment after the colon may)."""
    return block.index(":", node.key_start)


def _insert_point(block: str, parsed: _Parsed, key: str) -> int:
    """Where a missing key's line goes: after the value of the key that precedes it in order."""
    index = KEY_ORDER.index(key)
    before = [k for k in KEY_ORDER[:index] if (k,) in parsed.nodes]
    if not before:
        raise _unsafe(_("no place for {key}").format(key=key))
    end = _content_end(parsed.nodes, (before[-1],))
    return _after_line(block, end)


def _after_line(block: str, index: int) -> int:
    found = block.find("\n", index)
    return len(block) if found < 0 else found + 1


def added_entry(old: Task, new: Task) -> tuple[int, HistoryEntry]:
    """Where the one history entry that ``new`` has more than ``old`` is, and that entry.

    Found by position, not by value: an entry may equal one already there (the same note by the
    same person in the same second).
    """
    i = 0
    while i < len(old.history) and new.history[i] == old.history[i]:
        i += 1
    if len(new.history) != len(old.history) + 1 or new.history[:i] + new.history[i + 1:] != (
            old.history):
        raise _unsafe(_("exactly one history entry is added per change"))
    return i, new.history[i]


def _add_history(block: str, parsed: _Parsed, old: Task, new: Task, key_col: int,
                 newline: str) -> tuple[int, int, str]:
    position, entry = added_entry(old, new)
    node = parsed.nodes.get(("history",))
    first_item = parsed.nodes.get(("history", 0))
    if node is not None and node.kind == "block" and first_item is not None:
        dash_col = first_item.col - 3  # the item's content starts after "- "
        lines = history_lines(entry, dash_col)
        if position < len(old.history):  # back-dated: before the entry now after it
            at = line_start(block, parsed.nodes[("history", position)].start)
        else:
            at = _after_line(block, _content_end(parsed.nodes, ("history",)))
        return at, at, _new_lines(block, at, lines, newline)
    # no history yet, or a flow list: write the whole history as a block list
    dash_col = key_col + 2
    lines = [line for e in new.history for line in history_lines(e, dash_col)]
    if node is not None:
        return _colon(block, node) + 1, node.end, newline + newline.join(lines)
    at = _insert_point(block, parsed, "history")
    return at, at, _new_lines(block, at, [" " * key_col + "history:", *lines], newline)


def _new_lines(block: str, at: int, lines: list[str], newline: str) -> str:
    """Text that inserts whole ``lines`` at ``at`` (a line start, or the end of the block)."""
    text = newline.join(lines) + newline
    return newline + text if at == len(block) and block and not block.endswith("\n") else text


# ---------------------------------------------------------------------------------------------
# What a change means (pure): the task after an update, with its history entry


CLEARABLE = ("title", "owner", "due", "progress")  # optional single values a person may remove
LIST_FIELDS = ("partners", "tags", "related")  # lists a person adds items to and removes them from


@dataclass(frozen=True)
class Update:
    """What ``reformctl update`` was asked to do (None or empty: leave the field alone).

    Lists change item by item: ``add_X`` items not yet there are appended, ``remove_X`` items are
    taken out wherever they stand; the other items keep their order. ``clear`` names the optional
    fields (:data:`CLEARABLE`) to remove.
    """

    status: str | None = None
    progress: int | None = None
    owner: str | None = None
    due: Any = None  # datetime.date
    text: str | None = None
    title: str | None = None
    clear: frozenset[str] = frozenset()
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    add_partners: tuple[str, ...] = ()
    remove_partners: tuple[str, ...] = ()
    add_related: tuple[int, ...] = ()
    remove_related: tuple[int, ...] = ()
    note: str | None = None
    evidence: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return all(v is None for v in (self.status, self.progress, self.owner, self.due,
                                       self.text, self.title, self.note)) and not (
            self.clear or self.evidence or any(self.list_edit(f) != ((), ()) for f in LIST_FIELDS))

    def list_edit(self, name: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """The items to add to and remove from the list field ``name``."""
        return getattr(self, f"add_{name}"), getattr(self, f"remove_{name}")

    def wanted(self, task: Task) -> dict[str, Any]:
        """The values ``task`` would have afterwards, for every field this update touches."""
        wanted: dict[str, Any] = {key: None for key in self.clear}
        for key in ("text", "title", "owner", "due", "status", "progress"):
            value = getattr(self, key)
            if value is not None:
                wanted[key] = value
        if self.status == "done" and self.progress is None and "progress" not in self.clear:
            wanted["progress"] = 100
        for key in LIST_FIELDS:
            add, remove = self.list_edit(key)
            if add or remove:
                wanted[key] = edited_list(getattr(task, key), add, remove)
        return wanted


def edited_list(items: list[Any], add: tuple[Any, ...], remove: tuple[Any, ...]) -> list[Any]:
    """``items`` without ``remove``, then each of ``add`` that is not there yet."""
    kept = [item for item in items if item not in remove]
    for item in add:
        if item not in kept:
            kept.append(item)
    return kept


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def apply_update(task: Task, update: Update, by: str, at: Any) -> Task | None:
    """The task after ``update``, with one history entry; None when nothing would change.

    The entry records every changed field as ``[old, new]`` (lists whole). Setting ``done`` sets
    progress 100 unless a progress is given (or cleared). A back-dated entry goes in its place in
    time order; it may not change a field that a later entry changes too (the later entry's "old"
    value would then be wrong).
    """
    wanted = update.wanted(task)
    changes = {k: [_plain(getattr(task, k)), _plain(wanted[k])] for k in KEY_ORDER
               if k in wanted and getattr(task, k) != wanted[k]}
    recorded = next((e.changes["status"][1] for e in reversed(task.history)
                     if "status" in e.changes), "todo")  # every task starts as todo
    if update.status is not None and "status" not in changes and recorded not in (
            None, task.status):
        # the status was set by hand: record that change, so the history agrees with the file
        changes["status"] = [recorded, task.status]
    if not changes and update.note is None and not update.evidence:
        return None
    position = len(task.history)
    while position > 0 and task.history[position - 1].at > at:
        position -= 1
    later = {key for entry in task.history[position:] for key in entry.changes}
    clash = sorted(later & set(changes))
    if clash:
        raise WriteError(
            _("task {id}: a later history entry also changes {fields}, so a change dated {at} "
              "would contradict it; nothing was changed").format(
                  id=task.id, fields=", ".join(clash), at=at.isoformat()),
            hint=_("give a later --at, or none (now)"),
        )
    entry = HistoryEntry(at=at, by=by, changes=changes, note=update.note,
                         evidence=list(update.evidence))
    history = [*task.history[:position], entry, *task.history[position:]]
    fields = {k: wanted[k] for k in changes}
    return _new_task({**task.model_dump(), **fields, "history": history})


def plan_update(tasks: list[Task], update: Update, by: str, at: Any,
                lookup: Callable[[int], Task | None]) -> tuple[list[tuple[Task, Task]], list[Task]]:
    """``update`` applied to ``tasks`` (named on the command line, each once), and to the other
    side of every relation it makes or removes: a link is both ways, and each side's history
    records its own ``related`` change (the other side's entry has no note or evidence).

    Returns the changed tasks as (old, new) and the named tasks that would not change.
    """
    from .errors import NotFoundError, UsageError

    named = {task.id for task in tasks}
    for task in tasks:
        if task.id in update.add_related or task.id in update.remove_related:
            raise UsageError(_("task {id} ({ref}) cannot be related to itself").format(
                id=task.id, ref=task.ref), hint=_("name the other task: --add-related ID"))
    changed: list[tuple[Task, Task]] = []
    unchanged: list[Task] = []
    for task in tasks:
        new = apply_update(task, update, by, at)
        if new is None:
            unchanged.append(task)
        else:
            changed.append((task, new))
    ids = [task.id for task in tasks]
    for other_id in dict.fromkeys([*update.add_related, *update.remove_related]):
        other = lookup(other_id)
        if other is None:
            raise NotFoundError(_("no task {id} in this ledger").format(id=other_id))
        assert other_id not in named
        side = Update(add_related=tuple(ids) if other_id in update.add_related else (),
                      remove_related=tuple(ids) if other_id in update.remove_related else ())
        new = apply_update(other, side, by, at)
        if new is not None:
            changed.append((other, new))
    return changed, unchanged


def change_summary(updated: list[tuple[Task, Task]], added: list[Task], unchanged: list[Task],
                   *, dry_run: bool, written: bool) -> dict[str, Any]:
    """What a write did (or, with ``dry_run``, would do), as plain data for ``--format json``.

    ``added``: each new task's id, ref, level and seq; ``updated``: each changed task's id, ref
    and its new history entry (at, by, changes {field: [old, new]}, note, evidence);
    ``unchanged``: the tasks named that already had the values asked for.
    """
    def entry(old: Task, new: Task) -> dict[str, Any]:
        _old, added_entry_ = added_entry(old, new)
        return {"id": new.id, "ref": new.ref, **added_entry_.model_dump(mode="json")}

    return {
        "dry_run": dry_run,
        "written": written,
        "added": [{"id": t.id, "ref": t.ref, "level": t.level, "seq": t.seq} for t in added],
        "updated": [entry(old, new) for old, new in updated if old.history != new.history],
        "unchanged": [{"id": t.id, "ref": t.ref} for t in unchanged],
    }


def new_task(index: TaskIndex, level: str, text: str, fields: dict[str, Any], by: str,
             at: Any, note: str | None) -> Task:
    """A task for ``reformctl add``: the next free id, the next number in its level.

    Its history starts with one entry that records its creation (and its first status), so the
    record of every task is complete from the start. The entry is data only
    (``changes: {status: [null, todo]}``: no status before it), in no language; a note is the
    user's own (``--note``). Ledgers written before kept the note ``added`` on that entry; it is
    read and shown as any note is.
    """
    next_id, seq = index.next_id(), index.next_seq(level)
    status = fields.get("status") or "todo"
    entry = HistoryEntry(at=at, by=by, changes={"status": [None, status]}, note=note)
    data = {"id": next_id, "level": level, "seq": seq, "text": text, **fields,
            "status": status, "history": [entry]}
    return _new_task(data)


# ---------------------------------------------------------------------------------------------
# Splicing changed and added tasks into the file's text

def apply_change(index: TaskIndex, updated: list[tuple[Task, Task]],
                 added: list[Task]) -> tuple[str, TaskIndex]:
    """The text after ``change``, and the index of that text.

    Only the blocks of the tasks the change touches are rewritten. A new task goes into the block
    of the task it follows, which an update may rewrite too (``add --related``): both edits are
    made on that block's new text. Then every rewritten block is read again *together with the
    untouched blocks on either side of it*: that window must hold exactly the intended tasks, or
    nothing is written. Reading the neighbours catches an edit that damaged a boundary (a value
    that swallowed the line break before the next task, a new task that landed inside a quoted
    value). The window's positions give the new index; nothing else of the file moves.
    """
    if not index.ids:
        if updated:
            raise _unsafe(_("there is no task to change"))
        return _first_tasks(index, added) if added else (index.text, index)
    text, newline = index.text, index.newline
    bodies: dict[int, str] = {}  # block -> its new text
    holds: dict[int, list[Task]] = {}  # block -> the tasks its new text must hold
    for old, new in updated:
        i = index.position(old.id)
        assert i is not None
        block = index.block(i)
        bodies[i] = rewrite_block(text[block.start:block.end], newline, old, new)
        holds[i] = [new]
    for task in added:
        i, separated = _insertion_point(index, task)
        block = index.block(i)
        bodies[i] = _insert(bodies.get(i, text[block.start:block.end]), newline, separated, task)
        holds.setdefault(i, [index.task(index.ids[i])]).append(task)  # type: ignore[list-item]

    windows: list[list[int]] = []  # runs of consecutive blocks: touched ones and neighbours
    for i in sorted(bodies):
        lo, hi = max(i - 1, 0), min(i + 1, len(index.ids) - 1)
        if windows and lo <= windows[-1][-1] + 1:
            windows[-1].extend(range(windows[-1][-1] + 1, hi + 1))
        else:
            windows.append(list(range(lo, hi + 1)))

    pieces: list[tuple[int, int, str]] = []
    ids: list[int] = []
    levels: list[str] = []
    seqs: list[int] = []
    starts: list[int] = []
    position, delta = 0, 0  # next old task to copy; how far text has moved so far
    for window in windows:
        first, last = index.block(window[0]), index.block(window[-1])
        for j in range(position, window[0]):  # untouched tasks before the window
            ids.append(index.ids[j])
            levels.append(index.levels[j])
            seqs.append(index.seqs[j])
            starts.append(index.starts[j] + delta)
        body = "".join(bodies.get(j) or text[index.block(j).start:index.block(j).end]
                       for j in window)
        tasks: list[Task] = []
        for j in window:  # (every id of the index has its task)
            tasks += holds.get(j) or [t for t in [index.task(index.ids[j])] if t is not None]
        offsets = check_window(body, newline, tasks)
        new_start = first.start + delta
        for task, offset in zip(tasks, offsets, strict=True):
            ids.append(task.id)
            levels.append(task.level)
            seqs.append(task.seq)
            starts.append(new_start + offset)
        pieces.append((first.start, last.end, body))
        delta += len(body) - (last.end - first.start)
        position = window[-1] + 1
    for j in range(position, len(index.ids)):
        ids.append(index.ids[j])
        levels.append(index.levels[j])
        seqs.append(index.seqs[j])
        starts.append(index.starts[j] + delta)
    for start, end, body in reversed(pieces):
        text = text[:start] + body + text[end:]
    return text, TaskIndex(text, newline, ids, levels, seqs, starts)


def _first_tasks(index: TaskIndex, added: list[Task]) -> tuple[str, TaskIndex]:
    """The text of a ledger with no task yet (``tasks: []``, or ``tasks:`` with no value) with
    ``added`` as a block sequence under ``tasks:``, and its index.

    Only the ``tasks:`` line changes (its ``[]`` goes; a comment after it stays) and the new
    tasks' lines follow it. The whole text is read again and must hold the same plan and exactly
    the new tasks, or nothing is written.
    """
    text, newline = index.text, index.newline
    parsed = yamldoc.parse(yamldoc.Text("<tasks>", text, False, newline), locate=True)
    data = parsed.data
    nodes = parsed.nodes or {}
    node = nodes.get(("tasks",))
    if (parsed.diagnostics or not isinstance(data, dict) or node is None
            or data.get("tasks") not in ([], None) or node.kind == "block"):
        raise _unsafe(_("the empty list of tasks was not found"))
    head = line_start(text, node.key_start)
    indent = node.key_col - 1  # of `tasks:` (0 at the top level)
    plan = nodes.get(("plan", "title"))
    step = plan.key_col - 1 if plan is not None and plan.key_col > 1 else 2
    line_end = text.find("\n", node.end)
    line_end = len(text) if line_end < 0 else line_end
    rest = text[node.end:line_end].rstrip("\r")  # after the `[]`: spaces, maybe a comment
    key_line = text[head:_colon(text, node) + 1] + (rest if rest.strip() else "")
    lines = [line for task in added for line in task_lines(task, indent + step)]
    new = text[:head] + newline.join([key_line, *lines]) + newline + text[line_end + 1:]
    check = yamldoc.parse(yamldoc.Text("<tasks>", new, False, newline), locate=True)
    from pydantic import ValidationError

    try:
        ok = (not check.diagnostics and isinstance(check.data, dict)
              and {k: v for k, v in check.data.items() if k != "tasks"}
              == {k: v for k, v in data.items() if k != "tasks"}
              and isinstance(check.data.get("tasks"), list)
              and [Task.model_validate(item) for item in check.data["tasks"]] == added)
    except ValidationError:
        ok = False
    if not ok or check.nodes is None:
        raise _unsafe(_("the new lines do not read back as the intended tasks"))
    starts = [check.nodes[("tasks", i)].start for i in range(len(added))]
    return new, TaskIndex(new, newline, [t.id for t in added], [t.level for t in added],
                          [t.seq for t in added], starts)


def _insertion_point(index: TaskIndex, task: Task) -> tuple[int, bool]:
    """The block a new task follows (the last of its level), and whether tasks are separated by
    blank lines (then the new task gets one before it too)."""
    assert index.ids, "the first task is written by _first_tasks"
    same = [i for i, level in enumerate(index.levels) if level == task.level]
    chosen = same[-1] if same else len(index.ids) - 1
    probe = index.block(chosen if chosen < len(index.ids) - 1 else max(chosen - 1, 0))
    probe_body = index.text[probe.start:probe.end]
    # whole lines only: the text after the last line break is not a blank line
    separated = any(not line.strip() for line in
                    _lines(probe_body[_content_length(probe_body):])[:-1])
    return chosen, separated


def _insert(body: str, newline: str, separated: bool, task: Task) -> str:
    """``body`` (a task's block) with the new task's lines after its content."""
    at = _content_length(body)
    lines = task_lines(task, len(body) - len(body.lstrip(" ")))
    new_text = (newline if separated else "") + newline.join(lines) + newline
    if at > 0 and body[at - 1] != "\n":  # the file ends without a newline
        new_text = newline + new_text
    return body[:at] + new_text + body[at:]


def _lines(text: str) -> list[str]:
    """Lines ending at ``\n`` only (str.splitlines also breaks at U+2028, NEL and lone CR,
    which may stand inside a value)."""
    return text.split("\n")


def _content_length(body: str) -> int:
    """Length of a block without its trailing blank and comment lines."""
    lines = [line + "\n" for line in body.split("\n")]
    lines[-1] = lines[-1][:-1]
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")):
        lines.pop()
    return sum(len(line) for line in lines)


