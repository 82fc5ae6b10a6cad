"""The git merge driver's logic: three versions of a data file in, one merged text out.

git calls ``reformctl merge-driver %O %A %B %P`` with the common ancestor (O), ours (A) and
theirs (B) of a file that both sides changed. For ``tasks.yaml`` the merge is made task by task:

* history is append-only: the entries each side added since the base are all kept, in time
  order (an entry both sides added, as a cherry-pick does, is kept once);
* a field only one side changed takes that side's value; both sides setting it to the same value
  is no conflict;
* the same field set to two different values since the base is a real conflict: it is never
  resolved by guessing; the file is written with conflict markers around the two versions of
  the field's lines, and the merge fails;
* a task only one side added is added.

The result is spliced into ours with :func:`reformctl.edit.apply_change`, so every line outside
the merged tasks stays byte for byte; the merged file is then read and checked whole. What the
task-wise merge cannot take (a file that does not parse, a task removed, history rewritten, the
plan's header changed on both sides) goes to git's own line merge (``git merge-file``), whose
result must pass the check too, or the merge fails with git's conflict left in the file.

Pure except for :func:`git_merge_file` (which runs git): text in, :class:`Merged` out.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from . import edit, yamldoc
from .errors import Diagnostic, ReformctlError
from .models import HistoryEntry, Task

# the fields a merge takes field by field (history is merged entry by entry)
FIELDS = tuple(k for k in edit.KEY_ORDER if k not in ("id", "history"))
MARKER = 7


@dataclass
class Merged:
    """The merged text, whether it is clean, and what the user should be told."""

    text: str
    clean: bool
    conflicts: list[str] = field(default_factory=list)  # "task 3 (G1): status"
    problems: list[Diagnostic] = field(default_factory=list)  # the merged file's check errors
    how: str = "tasks"  # "tasks" (task by task) or "lines" (git's line merge)


class _Fallback(Exception):
    """The task-wise merge does not apply; git's line merge decides."""


@dataclass
class _Version:
    text: yamldoc.Text
    index: edit.TaskIndex
    tasks: dict[int, Task]
    head: str  # the text before the first task (the plan, the `tasks:` key)


def _read(raw: bytes, name: str) -> _Version:
    from .checks import validate

    text, problems = yamldoc.decode(raw, name)
    if text is None or problems:
        raise _Fallback
    parsed = yamldoc.parse(text)
    if parsed.diagnostics:
        raise _Fallback
    validated = validate("tasks", parsed.data, name)
    if validated.diagnostics:
        raise _Fallback
    tasks = [task for _i, task in validated.items]
    starts = parsed.item_starts.get("tasks", [])
    if not tasks or len(starts) != len(tasks):
        raise _Fallback
    index = edit.TaskIndex.of(text.text, text.newline, tasks, starts)
    head = text.text[:index.block(0).start]
    return _Version(text, index, {t.id: t for t in tasks}, head)


def _entry_key(entry: HistoryEntry) -> str:
    return entry.model_dump_json()


def _added_entries(base: list[HistoryEntry], side: list[HistoryEntry]) -> list[HistoryEntry]:
    """The entries ``side`` added to ``base``; history rewritten (an entry gone) falls back."""
    left = [_entry_key(e) for e in base]
    added = []
    for entry in side:
        key = _entry_key(entry)
        if key in left:
            left.remove(key)
        else:
            added.append(entry)
    if left:
        raise _Fallback
    return added


@dataclass
class _TaskMerge:
    task: Task  # ours with theirs' changes (conflicting fields keep ours)
    theirs: Task | None  # the same with theirs' value of every conflicting field
    conflicts: list[str]


def _merge_task(base: Task | None, ours: Task, theirs: Task) -> _TaskMerge:
    data = ours.model_dump()
    other = dict(data)
    conflicts = []
    for key in FIELDS:
        a, b = getattr(ours, key), getattr(theirs, key)
        o = getattr(base, key) if base is not None else None
        if a == b or (base is not None and b == o):
            continue
        if base is not None and a == o:
            data[key] = other[key] = theirs.model_dump()[key]
            continue
        conflicts.append(key)
        other[key] = theirs.model_dump()[key]
    base_history = base.history if base is not None else []
    ours_added = _added_entries(base_history, ours.history)
    theirs_added = _added_entries(base_history, theirs.history)
    known = {_entry_key(e) for e in ours_added}
    history = list(ours.history)
    for entry in theirs_added:
        if _entry_key(entry) in known:
            continue  # both sides added it (a cherry-pick)
        position = len(history)
        while position > 0 and history[position - 1].at > entry.at:
            position -= 1
        history.insert(position, entry)
    data["history"] = other["history"] = history
    merged = Task.model_validate(data)
    return _TaskMerge(merged, Task.model_validate(other) if conflicts else None, conflicts)


def merge_tasks(base_raw: bytes | None, ours_raw: bytes, theirs_raw: bytes,
                name: str = "tasks.yaml") -> Merged:
    """The task-wise merge of three versions of ``tasks.yaml`` (see the module's doc).

    Raises :class:`_Fallback` when it does not apply."""
    ours, theirs = _read(ours_raw, name), _read(theirs_raw, name)
    base = _read(base_raw, name) if base_raw else None
    base_tasks = base.tasks if base is not None else {}
    head = ours.head
    if base is None:
        if ours.head != theirs.head:
            raise _Fallback
    elif ours.head == base.head:
        head = theirs.head
    elif theirs.head not in (base.head, ours.head):
        raise _Fallback
    for task_id in base_tasks:  # a task removed on either side: git decides
        if task_id not in ours.tasks or task_id not in theirs.tasks:
            raise _Fallback

    plans: list[tuple[Task, _TaskMerge]] = []
    added: list[Task] = []
    for task_id, task in theirs.tasks.items():
        mine = ours.tasks.get(task_id)
        if mine is None:
            added.append(task)
            continue
        if mine == task:
            continue
        plans.append((mine, _merge_task(base_tasks.get(task_id), mine, task)))

    index = ours.index
    # fields first (history unchanged), then each added history entry on its own: a splice
    # adds one entry at a time, in its place in time order
    current = {old.id: old for old, _plan in plans}
    fields_step = []
    for old, plan in plans:
        fields_only = plan.task.model_copy(update={"history": old.history})
        if fields_only != old:
            fields_step.append((old, fields_only))
            current[old.id] = fields_only
    text, index = edit.apply_change(index, fields_step, added)
    for _old, plan in plans:
        task = current[plan.task.id]
        for position, entry in enumerate(plan.task.history):
            if position < len(task.history) and task.history[position] == entry:
                continue
            history = [*task.history[:position], entry, *task.history[position:]]
            new = task.model_copy(update={"history": history})
            text, index = edit.apply_change(index, [(task, new)], [])
            task = new
    if head != ours.head:
        text = head + text[len(ours.head):]
        index = edit.TaskIndex(text, index.newline, index.ids, index.levels, index.seqs,
                               [s + len(head) - len(ours.head) for s in index.starts])

    conflicts = [f"task {plan.task.id} ({plan.task.ref}): {key}"
                 for _old, plan in plans for key in plan.conflicts]
    if conflicts:
        text = _with_markers(text, index, [plan for _old, plan in plans if plan.conflicts])
    if ours.text.bom:
        text = "\ufeff" + text
    return Merged(text, not conflicts, conflicts)


def _with_markers(text: str, index: edit.TaskIndex, plans: list[_TaskMerge]) -> str:
    """``text`` with each conflicting task's differing lines between conflict markers: ours
    (the merged task with our values) above, theirs (with their values) below."""
    newline = index.newline
    pieces = []
    for plan in plans:
        assert plan.theirs is not None
        i = index.position(plan.task.id)
        assert i is not None
        block = index.block(i)
        ours_block = text[block.start:block.end]
        theirs_block = edit.rewrite_block(ours_block, newline, plan.task, plan.theirs)
        label = f"task {plan.task.id} ({plan.task.ref}): {', '.join(plan.conflicts)}"
        pieces.append((block.start, block.end, _marked(ours_block, theirs_block, label, newline)))
    for start, end, body in sorted(pieces, reverse=True):
        text = text[:start] + body + text[end:]
    return text


def _marked(ours: str, theirs: str, label: str, newline: str) -> str:
    a, b = ours.splitlines(keepends=True), theirs.splitlines(keepends=True)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out += a[i1:i2]
            continue
        out.append(f"{'<' * MARKER} ours ({label}){newline}")
        out += _ended(a[i1:i2], newline)
        out.append(f"{'=' * MARKER}{newline}")
        out += _ended(b[j1:j2], newline)
        out.append(f"{'>' * MARKER} theirs ({label}){newline}")
    return "".join(out)


def _ended(lines: list[str], newline: str) -> list[str]:
    return [line if line.endswith("\n") else line + newline for line in lines]


# ---------------------------------------------------------------------------------------------
# The whole driver


def problems_of(raw: bytes, kind: str, name: str) -> list[Diagnostic]:
    """The errors of one data file read on its own (the rules that need both files are skipped
    for voices.yaml; a task's voices are not in tasks.yaml)."""
    from .checks import RuleContext, run_rules, task_ids_in, validate

    text, problems = yamldoc.decode(raw, name)
    if text is None or problems:
        return [d for d in problems if d.is_error]
    parsed = yamldoc.parse(text)
    diags = list(parsed.diagnostics)
    if parsed.data is None and diags:
        return [d for d in diags if d.is_error]
    validated = validate(kind, parsed.data, name)
    diags += validated.diagnostics
    if kind == "tasks":
        diags += run_rules(RuleContext(name, "voices.yaml", validated.items, [],
                                       task_ids_in(parsed.data)))
    return [d for d in diags if d.is_error]


def kind_of(path: str) -> str | None:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return {"tasks.yaml": "tasks", "voices.yaml": "voices"}.get(name)


def merge_files(base: bytes, ours: bytes, theirs: bytes, path: str,
                line_merge: Any = None) -> Merged:
    """Merge three versions of the data file ``path`` (as git names it).

    ``line_merge(base, ours, theirs)`` is git's line merge, returning (text, clean); by default
    :func:`git_merge_file`. The merged file must pass the check, or the merge is not clean.
    """
    line_merge = line_merge or git_merge_file
    kind = kind_of(path)
    merged: Merged | None = None
    if kind == "tasks":
        try:
            merged = merge_tasks(base, ours, theirs, path)
        except (_Fallback, ReformctlError):
            merged = None
    if merged is None:
        text, clean = line_merge(base, ours, theirs)
        merged = Merged(text, clean, how="lines")
    if merged.clean and kind is not None:
        merged.problems = problems_of(merged.text.encode("utf-8"), kind, path)
        if merged.problems and merged.how == "tasks":
            # the task-wise result does not pass: leave git's line merge (its conflict)
            text, _clean = line_merge(base, ours, theirs)
            merged.text = text
        merged.clean = not merged.problems
    return merged


def git_merge_file(base: bytes, ours: bytes, theirs: bytes) -> tuple[str, bool]:
    """git's own line merge of three texts (``git merge-file -p``): the result and whether it
    is free of conflicts."""
    import os
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="reformctl-merge-") as folder:
        names = []
        for label, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            name = os.path.join(folder, label)
            with open(name, "wb") as handle:
                handle.write(data)
            names.append(name)
        done = subprocess.run(
            ["git", "merge-file", "-p", "-L", "ours", "-L", "base", "-L", "theirs", *names],
            capture_output=True, check=False)
    if done.returncode < 0 or done.returncode > 127:
        from .errors import WriteError
        from .i18n import _

        raise WriteError(_("git merge-file failed: {reason}").format(
            reason=done.stderr.decode("utf-8", "replace").strip()))
    return done.stdout.decode("utf-8", "surrogateescape"), done.returncode == 0
