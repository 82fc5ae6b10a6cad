"""Unit ledgers: a unit's own ledger derived from the district's plan, kept in step with it.

A unit ledger holds the plan's tasks that units carry out (the grassroots level by default),
with the plan's ids, and records in ``plan.derived_from`` which plan it came from (its title, its
unit, the sha256 of its ``tasks.yaml``, and which tasks were taken). :func:`sync_plan` brings it
up to date with the plan: it adds the tasks the plan has gained and copies the plan's own fields
(text, title, level, number, deadline, tags) of every task, never the unit's status, progress,
owner, partners or history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ReadError, ReformctlError
from .fileio import display, strerror
from .ledgers import LedgerDir
from .models import Ledger, Task


def read_merge_input(*paths: Path) -> list[bytes]:
    """The three files git hands the merge driver."""
    out = []
    for path in paths:
        try:
            out.append(path.read_bytes())
        except OSError as exc:
            from .i18n import _

            raise ReadError(_("cannot read {path}: {reason}").format(
                path=display(path), reason=strerror(exc))) from None
    return out


# ---------------------------------------------------------------------------------------------
# Finding many ledgers

_SKIPPED = frozenset({"node_modules", "__pycache__", "schema"})


def find_ledgers(paths: list[Path]) -> list[LedgerDir]:
    """The ledgers named by ``paths``, each once, in the order given (a parent's in path order).

    A path may be a ledger's data directory (holding ``tasks.yaml``), the directory ``init`` was
    given (holding ``data/tasks.yaml``), a data file itself (as pre-commit passes file names), or
    a parent directory searched for ``data/tasks.yaml`` below it (hidden directories, such as
    ``.git``, and symbolic links to directories are not entered). A path that names no ledger is
    a usage error.
    """
    import os

    from .errors import UsageError
    from .i18n import _
    from .ledgers import TASKS_FILE, VOICES_FILE

    found: dict[Path, None] = {}
    for given in paths:
        path = given.expanduser()
        if path.name in (TASKS_FILE, VOICES_FILE) and path.is_file():
            found[path.parent] = None
            continue
        if not path.is_dir():
            raise UsageError(_("{path} is not a directory").format(path=display(path)),
                             hint=_("give ledger directories, or a directory that holds them"))
        if (path / TASKS_FILE).is_file():
            found[path] = None
            continue
        below = []
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED)
            here = Path(folder)
            if here.name == "data" and TASKS_FILE in files:
                below.append(here)
                dirs[:] = []
        found.update(dict.fromkeys(below))
        if not below:
            raise UsageError(
                _("no ledger in {path}: no data/tasks.yaml in it or in any directory below "
                  "it").format(path=display(path)),
                hint=_("give ledger directories (reformctl init DIR writes DIR/data), or the "
                       "directory that holds them"))
    return [LedgerDir(path, "--data") for path in found]


# ---------------------------------------------------------------------------------------------
# The plan a unit ledger comes from

# The fields the plan decides (copied into the unit's ledger, and again by sync-plan); the unit
# decides the others: status, progress, owner, partners and history.
PLAN_FIELDS = ("level", "seq", "text", "title", "due", "tags", "related")


@dataclass
class PlanSource:
    """A district's plan as a unit ledger takes it: the ledger and the hash of its bytes."""

    where: LedgerDir
    ledger: Ledger
    sha256: str


def plan_dir(path: Path) -> LedgerDir:
    """The plan's ledger from ``--plan DIR`` (its data directory, or the directory init was
    given)."""
    from .errors import UsageError
    from .i18n import _
    from .ledgers import TASKS_FILE

    path = path.expanduser()
    for folder in (path, path / "data"):
        if (folder / TASKS_FILE).is_file():
            return LedgerDir(folder, "--plan")
    raise UsageError(
        _("--plan {path} holds no plan: no tasks.yaml in it or in its data/ directory").format(
            path=display(path)),
        hint=_("give the district's ledger: its data directory, or the directory init was given"))


def read_plan(path: Path) -> PlanSource:
    """The plan at ``path``, refused if it has errors; its hash is taken of the bytes read."""
    import hashlib

    from .errors import LedgerError
    from .fileio import read_bytes
    from .loader import load_bytes

    where = plan_dir(path)
    raw, problems = read_bytes(where.tasks_path)
    if raw is None:
        raise LedgerError(problems)
    loaded = load_bytes(where, {"tasks": raw})
    if loaded.errors or loaded.ledger is None:
        raise LedgerError(loaded.diagnostics)
    return PlanSource(where, loaded.ledger, hashlib.sha256(raw).hexdigest())


def selected(plan: Ledger, levels: list[str], ids: list[int]) -> list[Task]:
    """The plan's tasks a unit takes: those of ``levels`` and those named, in the plan's order."""
    return [t for t in plan.tasks if t.level in levels or t.id in ids]


def resolve_selection(plan: Ledger, levels: list[str], refs: list[str]) -> tuple[list[str],
                                                                                 list[int]]:
    """``--level`` words and ``--task`` refs as levels and ids (grassroots when neither)."""
    from .errors import NotFoundError, UsageError
    from .i18n import _
    from .models import level_of

    chosen = []
    for word in levels:
        level = level_of(word)
        if level is None:
            raise UsageError(_("unknown level {word}: use district, federation or "
                               "grassroots").format(word=word))
        chosen.append(level)
    ids = []
    for ref in refs:
        task = plan.task(ref)
        if task is None:
            raise NotFoundError(_("the plan has no task {ref}").format(ref=ref))
        ids.append(task.id)
    if not chosen and not ids:
        chosen = ["grassroots"]
    return list(dict.fromkeys(chosen)), list(dict.fromkeys(ids))


def unit_task(task: Task, ids: set[int]) -> Task:
    """A plan's task as a unit's ledger first holds it: the plan's fields, a fresh state."""
    data = {k: getattr(task, k) for k in PLAN_FIELDS}
    data["related"] = [i for i in task.related if i in ids]
    return Task.model_validate({"id": task.id, **data, "status": "todo", "history": []})


def unit_ledger(plan: PlanSource, unit: str, levels: list[str], ids: list[int]) -> dict[str,
                                                                                         bytes]:
    """``tasks.yaml`` and ``voices.yaml`` of a unit's new ledger derived from ``plan``."""
    from . import edit, yamldoc
    from .errors import UsageError
    from .i18n import _
    from .ledgers import TASKS_FILE, VOICES_FILE, NewPlan, empty_ledger

    tasks = selected(plan.ledger, levels, ids)
    if not tasks:
        raise UsageError(_("the plan has no task at the levels chosen; nothing to derive"),
                         hint=_("choose levels with --level, or tasks with --task"))
    head = plan.ledger.plan
    taken = {t.id for t in tasks}
    lines = [
        "# yaml-language-server: $schema=../schema/tasks.schema.json",
        "# A unit's ledger derived from the district's plan (reformctl). The plan decides each",
        "# task's text, level, number, deadline and tags; this unit records its own status,",
        "# progress and history. Bring it up to date after the plan changes with",
        "#   reformctl sync-plan --plan DISTRICT_DIR",
        "plan:",
        f"  title: {yamldoc.scalar(head.title)}",
    ]
    for key in ("year", "approved"):
        if getattr(head, key) is not None:
            lines.append(f"  {key}: {yamldoc.scalar(getattr(head, key))}")
    lines.append(f"  unit: {yamldoc.scalar(unit)}")
    if head.source is not None:
        lines.append(f"  source: {yamldoc.scalar(head.source)}")
    lines += ["  derived_from:", f"    title: {yamldoc.scalar(head.title)}"]
    if head.unit is not None:
        lines.append(f"    unit: {yamldoc.scalar(head.unit)}")
    lines.append(f"    sha256: {yamldoc.scalar(plan.sha256)}")
    if levels:
        lines.append(f"    levels: {edit.flow_list(levels)}")
    if ids:
        lines.append(f"    tasks: {edit.flow_list(ids)}")
    lines.append("")
    lines.append("tasks:")
    for n, task in enumerate(tasks):
        if n:
            lines.append("")
        lines += edit.task_lines(unit_task(task, taken), 2)
    voices = empty_ledger(NewPlan(head.title))[VOICES_FILE]
    return {TASKS_FILE: ("\n".join(lines) + "\n").encode("utf-8"), VOICES_FILE: voices}


# ---------------------------------------------------------------------------------------------
# Bringing a unit ledger up to date


@dataclass
class Synced:
    """What :func:`sync_plan` did (or, dry, would do) to one unit's ledger."""

    path: str
    unit: str | None
    changed: list[tuple[Task, dict[str, list[Any]]]] = field(default_factory=list)
    added: list[Task] = field(default_factory=list)
    not_in_plan: list[Task] = field(default_factory=list)
    sha256: tuple[str, str] = ("", "")
    written: bool = False

    @property
    def up_to_date(self) -> bool:
        return not self.changed and not self.added and self.sha256[0] == self.sha256[1]

    def summary(self) -> dict[str, Any]:
        """Plain data for ``--format json``."""
        return {
            "path": self.path, "unit": self.unit, "written": self.written,
            "plan_sha256": {"before": self.sha256[0], "after": self.sha256[1]},
            "changed": [{"id": t.id, "ref": t.ref, "fields": {
                k: [_plain(v[0]), _plain(v[1])] for k, v in fields.items()}}
                for t, fields in self.changed],
            "added": [{"id": t.id, "ref": t.ref} for t in self.added],
            "not_in_plan": [{"id": t.id, "ref": t.ref} for t in self.not_in_plan],
        }


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def not_derived(where: LedgerDir) -> ReformctlError:
    from .errors import UsageError
    from .i18n import _

    return UsageError(
        _("{path} is not a unit's ledger: its plan has no derived_from (it was not made with "
          "`reformctl init DIR --unit NAME --plan DISTRICT_DIR`)").format(
              path=display(where.tasks_path)),
        hint=_("give a unit's ledger with --data DIR, or DIR..."))


def plan_changes(plan: PlanSource, ledger: Ledger) -> tuple[list[tuple[Task, Task]], list[Task],
                                                            list[Task]]:
    """(old, new) of every unit task whose plan fields differ from the plan's, the plan's tasks
    the unit does not have yet, and the unit's tasks the plan no longer gives it."""
    source = ledger.plan.derived_from
    assert source is not None
    wanted = selected(plan.ledger, list(source.levels), list(source.tasks))
    ids = {t.id for t in wanted} | {t.id for t in ledger.tasks}
    updated, added = [], []
    for task in wanted:
        mine = ledger.task(task.id)
        fresh = unit_task(task, ids)
        if mine is None:
            added.append(fresh)
            continue
        fields = {k: getattr(fresh, k) for k in PLAN_FIELDS if getattr(mine, k) != getattr(fresh, k)}
        if fields:
            updated.append((mine, mine.model_copy(update=fields)))
    in_plan = {t.id for t in wanted}
    gone = [t for t in ledger.tasks if t.id not in in_plan]
    return updated, added, gone


def sync_plan(where: LedgerDir, plan: PlanSource, *, dry_run: bool = False) -> Synced:
    """Bring the unit ledger at ``where`` up to date with ``plan``: locked, validated, atomic,
    byte-exact outside the changed tasks and the ``derived_from`` hash. Never touches a task's
    status, progress, owner, partners or history."""
    from . import edit, fileio, lockfile
    from .errors import LedgerError
    from .loader import load_bytes, task_index
    from .transaction import ATTEMPTS, LOCK_TIMEOUT, _kept_changing, _real, _unchanged

    where.require_writable()
    target = _real(where.tasks_path)
    for _attempt in range(ATTEMPTS):
        raw, problems = fileio.read_bytes(where.tasks_path)
        if raw is None:
            raise LedgerError(problems)
        loaded = load_bytes(where, {"tasks": raw})
        if loaded.errors or loaded.ledger is None:
            raise LedgerError(loaded.diagnostics)
        ledger = loaded.ledger
        source = ledger.plan.derived_from
        if source is None:
            raise not_derived(where)
        updated, added, gone = plan_changes(plan, ledger)
        result = Synced(display(where.tasks_path), ledger.plan.unit,
                        [(new, {k: [getattr(old, k), getattr(new, k)] for k in PLAN_FIELDS
                                if getattr(old, k) != getattr(new, k)}) for old, new in updated],
                        added, gone, (source.sha256, plan.sha256))
        if result.up_to_date or dry_run:
            return result
        text, _index = edit.apply_change(task_index(loaded), updated, added)
        text = _set_source(text, loaded.texts["tasks"].newline, plan)
        src = loaded.texts["tasks"]
        data = (b"\xef\xbb\xbf" if src.bom else b"") + text.encode("utf-8")
        check = load_bytes(where, {"tasks": data})
        if check.errors:
            raise LedgerError(check.diagnostics, _unsafe_sync(check.errors))
        fileio.check_writable(target)
        with lockfile.held(target, LOCK_TIMEOUT) as lock:
            def unchanged(expected: bytes = raw) -> bool:
                lock.ensure()
                return _unchanged(target, expected)

            if fileio.atomic_write(target, data, unchanged):
                result.written = True
                return result
    raise _kept_changing(where)


def _unsafe_sync(errors: list[Any]) -> str:
    from .i18n import _

    return _("the unit's ledger would not be valid after the plan's changes, so nothing was "
             "changed:\n{errors}").format(errors="\n".join(str(d) for d in errors[:20]))


def _set_source(text: str, newline: str, plan: PlanSource) -> str:
    """``plan.derived_from``'s sha256 (and title, if the plan's changed) set in ``text``."""
    from . import yamldoc

    parsed = yamldoc.parse(yamldoc.Text("<tasks>", text, False, newline), locate=True)
    nodes = parsed.nodes or {}
    edits = []
    for key, value in (("sha256", plan.sha256), ("title", plan.ledger.plan.title)):
        node = nodes.get(("plan", "derived_from", key))
        if node is not None and node.kind == "scalar":
            edits.append((node.start, node.end, yamldoc.scalar(value)))
    for start, end, value in sorted(edits, reverse=True):
        text = text[:start] + value + text[end:]
    return text


# ---------------------------------------------------------------------------------------------
# The roll-up's input


def rollup_inputs(paths: list[Path], plan_path: Path | None) -> tuple[Any, list[Any]]:
    """The plan (``--plan DIR``; else the one ledger among ``paths`` that is not derived from a
    plan, when the unit ledgers name its title; else none) and every unit ledger found."""
    import hashlib

    from .fileio import read_bytes
    from .loader import load_bytes
    from .rollup import PlanInput, UnitInput

    plan = None
    if plan_path is not None:
        source = read_plan(plan_path)
        plan = PlanInput(display(source.where.path), source.ledger, source.sha256)
    units: list[UnitInput] = []
    roots: list[PlanInput] = []
    for where in find_ledgers(paths):
        if plan is not None and where.path.resolve() == plan_dir(plan_path or Path()).path.resolve():
            continue
        raw, _problems = read_bytes(where.tasks_path)
        loaded = load_bytes(where, {"tasks": raw} if raw is not None else {})
        shown = display(where.path)
        if loaded.errors or loaded.ledger is None:
            units.append(UnitInput(shown, None, len(loaded.errors)))
            continue
        if plan is None and loaded.ledger.plan.derived_from is None and raw is not None:
            roots.append(PlanInput(shown, loaded.ledger, hashlib.sha256(raw).hexdigest()))
            units.append(UnitInput(shown, loaded.ledger))
            continue
        units.append(UnitInput(shown, loaded.ledger))
    if plan is None and len(roots) == 1:
        titles = {u.ledger.plan.derived_from.title for u in units
                  if u.ledger is not None and u.ledger.plan.derived_from is not None}
        if titles == {roots[0].ledger.plan.title}:
            plan = roots[0]
            units = [u for u in units if u.path != plan.path]
    return plan, units
