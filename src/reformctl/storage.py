"""Where the ledger is, and reading it: files -> text -> data -> validated :class:`Ledger`.

:func:`load` is the one loader every command uses. It never raises for bad data: it returns all
problems of both files as located diagnostics (``check`` prints them; other commands call
:func:`open_ledger`, which refuses a ledger that has errors).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import cache, edit, yamldoc
from .checks import AT_KEY, RuleContext, item_validator, run_rules, task_ids_in, validate
from .errors import Diagnostic, LedgerError, Location, ReadError, WriteError, error
from .models import Ledger, Meeting, Plan, Task

TASKS_FILE = "tasks.yaml"
VOICES_FILE = "voices.yaml"
ENV_DATA = "REFORMCTL_DATA"


@dataclass(frozen=True)
class LedgerDir:
    """A directory holding ``tasks.yaml`` and ``voices.yaml``, and how it was found."""

    path: Path
    origin: str  # "--data", "REFORMCTL_DATA", "found" (nearest data/), or "sample"

    @property
    def read_only(self) -> bool:
        return self.origin == "sample"

    @property
    def tasks_path(self) -> Path:
        return self.path / TASKS_FILE

    @property
    def voices_path(self) -> Path:
        return self.path / VOICES_FILE

    def describe(self) -> str:
        if self.origin == "sample":
            return "the sample ledger packaged with reformctl (read-only)"
        how = {"found": "nearest data/ directory"}.get(self.origin, self.origin)
        return f"{display(self.path)} (from {how})"

    def require_writable(self) -> None:
        if self.read_only:
            raise WriteError(
                "no ledger here to change: this command would write, but the only ledger found "
                "is the read-only sample packaged with reformctl",
                hint="run `reformctl init` to write your own copy into ./data, or point to one "
                f"with --data DIR or {ENV_DATA}",
            )


def sample_dir() -> Path:
    return Path(__file__).parent / "sample"


def find_ledger(data: str | None = None, *, env: dict[str, str] | None = None,
                cwd: Path | None = None) -> LedgerDir:
    """``--data DIR`` > ``$REFORMCTL_DATA`` > nearest ``data/tasks.yaml`` upwards > the sample."""
    env = os.environ if env is None else env
    for value, origin in ((data, "--data"), (env.get(ENV_DATA) or None, ENV_DATA)):
        if value is not None:
            path = Path(value).expanduser()
            if _holds_only_a_data_dir(path):
                raise ReadError(
                    f"{origin} points to {value}, which holds a data/ directory but no "
                    f"{TASKS_FILE}",
                    hint=f"give the data directory itself: {origin} {path / 'data'}",
                )
            if not path.is_dir():
                raise ReadError(
                    f"{origin} points to {value}, which is not a directory",
                    hint="give the directory that holds tasks.yaml and voices.yaml "
                    "(create one with `reformctl init`)",
                )
            return LedgerDir(path, origin)
    try:
        cwd = Path.cwd() if cwd is None else cwd
    except OSError:
        raise ReadError(
            "the working directory no longer exists, so no data/ directory can be found from it",
            hint="cd to an existing directory, or give the ledger with --data DIR",
        ) from None
    for folder in (cwd, *cwd.parents):
        try:
            found = (folder / "data" / TASKS_FILE).is_file()
        except OSError as exc:  # e.g. a data/ directory we may not look into
            raise ReadError(
                f"cannot look into {display(folder / 'data')}: {exc.strerror or exc}",
                hint="fix its permissions, or give the ledger with --data DIR",
            ) from None
        if found:
            return LedgerDir(folder / "data", "found")
    return LedgerDir(sample_dir(), "sample")


def _holds_only_a_data_dir(path: Path) -> bool:
    """``--data DIR`` given the directory ``init`` was given, not its ``data/``."""
    try:
        return (path.is_dir() and not (path / TASKS_FILE).exists()
                and (path / "data" / TASKS_FILE).is_file())
    except OSError:  # it cannot be looked into: the reader says so
        return False


def display(path: Path) -> str:
    """A path as the user should see it: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return str(path)


def read_bytes(path: Path) -> tuple[bytes | None, list[Diagnostic]]:
    """Read one data file whole; every problem becomes a diagnostic."""
    import stat

    shown = display(path)
    try:
        # Look before opening: opening a named pipe would wait for a writer for ever, and a
        # device such as /dev/zero never ends.
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError
        if not stat.S_ISREG(mode):
            return None, [error(
                shown, None, None, "unreadable",
                "this is not a regular file (a pipe, socket or device); a data file is a plain "
                "file",
            )]
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > yamldoc.MAX_BYTES:
                return None, [error(
                    shown, None, None, "file-too-large",
                    f"the file is {size / 2**20:.0f} MiB; reformctl reads data files of at most "
                    f"{yamldoc.MAX_BYTES // 2**20} MiB (a ledger of 100,000 tasks is about 50 MiB)",
                )]
            return handle.read(yamldoc.MAX_BYTES + 1), []
    except FileNotFoundError:
        return None, [error(
            shown, None, None, "missing-file",
            "the file does not exist; every ledger has tasks.yaml and voices.yaml "
            "(`reformctl init` writes both)",
        )]
    except IsADirectoryError:
        return None, [error(shown, None, None, "unreadable", "this is a directory, not a file")]
    except OSError as exc:
        return None, [error(
            shown, None, None, "unreadable",
            f"cannot read the file: {exc.strerror or exc}; check its permissions",
        )]


@dataclass
class Loaded:
    """Everything :func:`load` found: the ledger (None if a file is unusable) and all problems."""

    where: LedgerDir
    ledger: Ledger | None
    diagnostics: list[Diagnostic]
    texts: dict[str, yamldoc.Text] = field(default_factory=dict)
    task_starts: list[int] = field(default_factory=list)  # where each task's item starts

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


def load(where: LedgerDir) -> Loaded:
    """Read, parse, validate and check both files. Never raises for bad data."""
    return _load(where, {})


def _load(where: LedgerDir, raw: dict[str, bytes]) -> Loaded:
    """:func:`load`, from the bytes in ``raw`` where given (as read under a lock)."""
    # What is built here holds no reference cycles: Python's cycle collector, run again and
    # again over the growing data, would only cost time (a fifth of a large check).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_all(where, raw)
    finally:
        if gc.get_freeze_count() == 0:
            # Move everything to the oldest generation (freeze + unfreeze: no traversal), or the
            # first collections after this would walk the whole ledger as "young" objects twice.
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


def _read_all(where: LedgerDir, raw: dict[str, bytes]) -> Loaded:
    diags: list[Diagnostic] = []
    texts: dict[str, yamldoc.Text] = {}
    heads: dict[str, object] = {}
    items: dict[str, list] = {}
    parsed: dict[str, yamldoc.Parsed] = {}
    hashes: dict[str, str] = {}  # of each file's bytes, for the cache key
    paths = {"tasks": where.tasks_path, "voices": where.voices_path}
    for kind, path in paths.items():
        heads[kind], items[kind] = None, []
        data = raw.get(kind)
        if data is None:
            data, problems = read_bytes(path)
            diags += problems
            if data is None:
                continue
        hashes[kind] = cache.file_hash(data)
        text, problems = yamldoc.decode(data, display(path))
        del data  # the bytes are not kept: on a large ledger they are a file's size of memory
        diags += problems
        if text is None:
            continue
        texts[kind] = text
        # Items are validated while they are read (less memory); any problem: read again.
        result = parsed[kind] = yamldoc.parse(text, items=item_validator(kind))
        diags += result.diagnostics
        if result.data is None and result.diagnostics:
            continue  # the data cannot be read (duplicate keys alone still can: see yamldoc)
        validated = validate(kind, result.data, text.path)
        if validated.diagnostics and result.items_replaced:
            # describe the problems from the raw data, exactly as without the early validation
            result = parsed[kind] = yamldoc.parse(text)
            validated = validate(kind, result.data, text.path)
        heads[kind], items[kind] = validated.head, validated.items
        diags += validated.diagnostics

    shown = {kind: display(path) for kind, path in paths.items()}
    raw_tasks = parsed["tasks"].data if "tasks" in parsed else None
    diags += run_rules(RuleContext(shown["tasks"], shown["voices"], items["tasks"],
                                   items["voices"], task_ids_in(raw_tasks)))
    diags = _locate(diags, texts, parsed)

    ledger = None
    if isinstance(heads["tasks"], Plan):
        meeting = heads["voices"] if isinstance(heads["voices"], Meeting) else None
        ledger = Ledger(
            heads["tasks"],
            [task for _, task in items["tasks"]],
            meeting,
            [voice for _, voice in items["voices"]],
        )
    starts = parsed["tasks"].item_starts.get("tasks", []) if "tasks" in parsed else []
    loaded = Loaded(where, ledger, diags, texts, starts)
    if ledger is not None and not loaded.errors and "voices" in hashes:
        key = cache.ledger_key(hashes["tasks"], hashes["voices"])
        if cache.get("index", key) is None:
            cache.put("index", key, _index(loaded).entry())
    return loaded


def _index(loaded: Loaded) -> edit.TaskIndex:
    assert loaded.ledger is not None
    source = loaded.texts["tasks"]
    return edit.TaskIndex.of(source.text, source.newline, loaded.ledger.tasks, loaded.task_starts)


def _locate(diags: list[Diagnostic], texts: dict[str, yamldoc.Text],
            parsed: dict[str, yamldoc.Parsed]) -> list[Diagnostic]:
    """Fill in line:col of diagnostics made from data paths, reading as little as possible.

    A problem inside one task or statement is located by reading just that item's lines again
    (with positions); the rest of a file's problems by one walk over its events that keeps
    positions only for their paths.
    """
    by_path = {text.path: kind for kind, text in texts.items()}
    items: dict[tuple[str, int], _Item | None] = {}
    rest: dict[str, list[tuple[object, ...]]] = {}
    finders: list[tuple[Diagnostic, object]] = []
    for diag in diags:
        kind = by_path.get(diag.location.path)
        if diag.location.line is not None or kind is None:
            finders.append((diag, None))
            continue
        found = parsed[kind]
        starts = found.item_starts.get(diag.data_path[0]) if diag.data_path else None
        where: object = kind
        if found.nodes is None and starts and len(diag.data_path) > 1:
            i = diag.data_path[1]
            if isinstance(i, int) and i < len(starts):
                if (kind, i) not in items:
                    items[(kind, i)] = _Item.read(texts[kind], starts, diag.data_path[:2])
                where = items[(kind, i)] or kind
        if where == kind:
            rest.setdefault(kind, []).append(diag.data_path)
        finders.append((diag, where))
    wholes = {kind: parsed[kind] if parsed[kind].nodes is not None
              else yamldoc.locate(texts[kind], paths) for kind, paths in rest.items()}
    located = []
    for diag, where in finders:
        if where is None:
            located.append(diag)
            continue
        at_key = diag.code in AT_KEY
        if isinstance(where, _Item):
            line, col = where.find(diag.data_path, at_key)
        else:
            line, col = wholes[where].find(diag.data_path, at_key=at_key) or (None, None)
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
    def read(cls, source: yamldoc.Text, starts: list[int],
             prefix: tuple[object, ...]) -> _Item | None:
        block = edit.block_at(source.text, starts, prefix[1])  # type: ignore[arg-type]
        part = yamldoc.parse(yamldoc.Text(source.path, source.text[block.start:block.end],
                                          False, source.newline), locate=True)
        if part.diagnostics or not isinstance(part.data, list) or len(part.data) != 1:
            return None  # not a block on its own (flow style?): the whole-file walk finds it
        return cls(prefix, part, source.text.count("\n", 0, block.start))

    def find(self, data_path: tuple[object, ...], at_key: bool) -> tuple[int | None, int | None]:
        found = self.parsed.find((0, *data_path[len(self.prefix):]), at_key=at_key)
        return (None, None) if found is None else (found[0] + self.line_offset, found[1])


def _order(diag: Diagnostic) -> tuple[str, int, int]:
    return (diag.location.path, diag.location.line or 0, diag.location.col or 0)


def open_ledger(where: LedgerDir) -> Ledger:
    """The ledger, or :class:`LedgerError` listing its errors (warnings do not stop a command)."""
    loaded = load(where)
    if loaded.errors or loaded.ledger is None:
        raise LedgerError(loaded.diagnostics)
    return loaded.ledger


def init(directory: Path) -> Path:
    """Write the sample ledger into ``directory/data`` and its JSON Schemas into
    ``directory/schema`` (the data files point editors there); never overwrite anything."""
    from .models import json_schema
    from .render import to_json

    target = directory / "data"
    files = {target / TASKS_FILE: (sample_dir() / TASKS_FILE).read_bytes(),
             target / VOICES_FILE: (sample_dir() / VOICES_FILE).read_bytes()}
    for kind in ("tasks", "voices"):
        files[directory / "schema" / f"{kind}.schema.json"] = to_json(json_schema(kind)).encode()
    existing = [p for p in files if p.exists()]
    if existing:
        raise WriteError(
            f"{display(existing[0])} already exists; init never overwrites",
            hint="use that ledger, or choose another directory: `reformctl init DIR`",
        )
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "xb") as handle:  # "x": fail rather than overwrite
                handle.write(data)
    except FileExistsError as exc:
        raise WriteError(f"{exc.filename} appeared while writing; init never overwrites") from None
    except OSError as exc:
        raise WriteError(
            f"cannot write the ledger into {display(directory)}: {exc.strerror or exc}",
            hint="check that the directory is writable and the disk is not full",
        ) from None
    return target


# ---------------------------------------------------------------------------------------------
# Writing: one transaction for every command that changes the ledger

LOCK_TIMEOUT = 120.0  # seconds to wait for another writer before giving up
_TMP_SUFFIX = ".reformctl-tmp"


@dataclass
class Change:
    """What a command wants done, computed from the ledger as read under the lock."""

    updated: list[tuple[Task, Task]] = field(default_factory=list)  # (old, new)
    added: list[Task] = field(default_factory=list)


@dataclass
class Outcome:
    change: Change
    path: str
    before: str  # the file's text before
    after: str  # and after (equal to before when nothing changed)
    written: bool


Planner = Callable[[edit.TaskIndex, datetime], Change]


def lock_path(where: LedgerDir) -> Path:
    """The lock file: outside the data directory, so it is never mistaken for data or committed.

    It is keyed on the ledger directory's real path, so every writer of one ledger on this
    machine (whatever path or symlink it was reached by) takes the same lock.
    """
    import hashlib
    import tempfile

    real = str(where.path.resolve())
    digest = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    folder = Path(tempfile.gettempdir()) / f"reformctl-locks-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / f"{digest}.lock"


def change_ledger(where: LedgerDir, plan: Planner, *, dry_run: bool = False) -> Outcome:
    """Apply ``plan`` to the ledger: locked, validated, atomic, and byte-exact outside the change.

    ``plan`` gets the tasks as they are on disk under the lock (a :class:`edit.TaskIndex`), and
    the time of the write.
    """
    from filelock import FileLock, Timeout

    where.require_writable()
    try:
        target = where.tasks_path.resolve()  # a symlinked file is written where it really is
    except (OSError, RuntimeError):  # a symlink loop: the loader says why it cannot be read
        target = where.tasks_path
    try:
        with FileLock(lock_path(where), timeout=LOCK_TIMEOUT):
            _remove_stale_temporaries(target)
            for _ in range(10):
                outcome = _attempt(where, target, plan, dry_run)
                if outcome is not None:
                    return outcome
    except Timeout:
        raise WriteError(
            f"another reformctl has been writing {display(where.path)} for "
            f"{LOCK_TIMEOUT:.0f} s; nothing was changed",
            hint="try again when it has finished",
        ) from None
    raise WriteError(
        f"{display(where.tasks_path)} kept changing while this change was being written; "
        "nothing was changed",
        hint="is an editor or a script saving it in a loop? try again",
    )


def _attempt(where: LedgerDir, target: Path, plan: Planner, dry_run: bool) -> Outcome | None:
    """One read-plan-validate-write round; None when the file changed under us (go again)."""
    raw = {kind: data for kind, path in (("tasks", target), ("voices", where.voices_path))
           if (data := read_bytes(path)[0]) is not None}  # same limits as every read
    index = _cached_index(where, raw)
    if index is None:
        loaded = _load(where, raw)
        if loaded.errors or loaded.ledger is None:
            raise LedgerError(
                loaded.diagnostics,
                "the ledger has errors, so nothing was changed:\n"
                + "\n".join(str(d) for d in loaded.errors[:20]),
            )
        if set(raw) != {"tasks", "voices"}:
            return None  # a file appeared while we read: read again
        index = _index(loaded)
    now = datetime.now().astimezone().replace(microsecond=0)
    change = plan(index, now)
    _validate_result(where, index, change)
    source = yamldoc.decode(raw["tasks"], display(where.tasks_path))[0]
    assert source is not None
    after, new_index = _apply(index, change)
    outcome = Outcome(change, source.path, source.text, after, False)
    if dry_run or after == source.text:
        return outcome
    data = (b"\xef\xbb\xbf" if source.bom else b"") + after.encode("utf-8")
    if _read_quietly(target) != raw["tasks"]:
        return None  # changed on disk since it was read (an editor?): read it again
    atomic_write(target, data)
    outcome.written = True
    cache.put("index", cache.key_of(data, raw["voices"]), new_index.entry())
    return outcome


def _cached_index(where: LedgerDir, raw: dict[str, bytes]) -> edit.TaskIndex | None:
    """The index of these exact bytes, if an earlier run found them clean."""
    if "tasks" not in raw or "voices" not in raw:
        return None
    entry = cache.get("index", cache.key_of(raw["tasks"], raw["voices"]))
    if entry is None:
        return None
    source, _ = yamldoc.decode(raw["tasks"], display(where.tasks_path))
    return None if source is None else edit.TaskIndex.from_entry(source.text, source.newline,
                                                                 entry)


def _apply(index: edit.TaskIndex, change: Change) -> tuple[str, edit.TaskIndex]:
    """The text after ``change``, and the index of that text.

    Only the blocks of the tasks the change touches are rewritten. A new task goes into the block
    of the task it follows, which an update may rewrite too (``add --related``): both edits are
    made on that block's new text. Then every rewritten block is read again *together with the
    untouched blocks on either side of it*: that window must hold exactly the intended tasks, or
    nothing is written. Reading the neighbours catches an edit that damaged a boundary (a value
    that swallowed the line break before the next task, a new task that landed inside a quoted
    value). The window's positions give the new index; nothing else of the file moves.
    """
    text, newline = index.text, index.newline
    bodies: dict[int, str] = {}  # block -> its new text
    holds: dict[int, list[Task]] = {}  # block -> the tasks its new text must hold
    for old, new in change.updated:
        i = index.position(old.id)
        assert i is not None
        block = index.block(i)
        bodies[i] = edit.rewrite_block(text[block.start:block.end], newline, old, new)
        holds[i] = [new]
    for task in change.added:
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

    pieces, ids, levels, seqs, starts = [], [], [], [], []
    position, delta = 0, 0  # next old task to copy; how far text has moved so far
    for window in windows:
        first, last = index.block(window[0]), index.block(window[-1])
        for j in range(position, window[0]):  # untouched tasks before the window
            ids.append(index.ids[j]), levels.append(index.levels[j]), seqs.append(index.seqs[j])
            starts.append(index.starts[j] + delta)
        body = "".join(bodies.get(j) or text[index.block(j).start:index.block(j).end]
                       for j in window)
        tasks = [t for j in window for t in (holds.get(j) or [index.task(index.ids[j])])]
        offsets = edit.check_window(body, newline, tasks)  # type: ignore[arg-type]
        new_start = first.start + delta
        for task, offset in zip(tasks, offsets, strict=True):
            ids.append(task.id), levels.append(task.level), seqs.append(task.seq)
            starts.append(new_start + offset)
        pieces.append((first.start, last.end, body))
        delta += len(body) - (last.end - first.start)
        position = window[-1] + 1
    for j in range(position, len(index.ids)):
        ids.append(index.ids[j]), levels.append(index.levels[j]), seqs.append(index.seqs[j])
        starts.append(index.starts[j] + delta)
    for start, end, body in reversed(pieces):
        text = text[:start] + body + text[end:]
    return text, edit.TaskIndex(text, newline, ids, levels, seqs, starts)


def _insertion_point(index: edit.TaskIndex, task: Task) -> tuple[int, bool]:
    """The block a new task follows (the last of its level), and whether tasks are separated by
    blank lines (then the new task gets one before it too)."""
    if not index.ids:
        raise WriteError(
            "the ledger has no task yet, and `add` writes next to existing tasks",
            hint="write the first task into tasks.yaml by hand (see `reformctl schema tasks`)",
        )
    same = [i for i, level in enumerate(index.levels) if level == task.level]
    chosen = same[-1] if same else len(index.ids) - 1
    probe = index.block(chosen if chosen < len(index.ids) - 1 else max(chosen - 1, 0))
    probe_body = index.text[probe.start:probe.end]
    separated = any(not line.strip() for line in
                    _lines(probe_body[_content_length(probe_body):]))
    return chosen, separated


def _insert(body: str, newline: str, separated: bool, task: Task) -> str:
    """``body`` (a task's block) with the new task's lines after its content."""
    at = _content_length(body)
    lines = edit.task_lines(task, len(body) - len(body.lstrip(" ")))
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


def _validate_result(where: LedgerDir, index: edit.TaskIndex, change: Change) -> None:
    """The changed and added tasks must pass every rule (the rest were valid and are unchanged:
    an update never changes ids, numbers or links, and an added task takes fresh ones)."""
    tasks = [new for _, new in change.updated] + change.added
    ids = set(index.ids) | {t.id for t in change.added}
    ctx = RuleContext(display(where.tasks_path), display(where.voices_path),
                      list(enumerate(tasks)), [], ids)
    problems = [d for d in run_rules(ctx) if d.is_error]
    if problems:
        raise LedgerError(
            problems,
            "the change would make the ledger invalid, so nothing was changed:\n"
            + "\n".join(f"  {d.message}" for d in problems[:20]),
        )


def _read_quietly(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _remove_stale_temporaries(target: Path) -> None:
    """Temporary files left by a writer that was killed (we hold the lock: none is live)."""
    for stale in target.parent.glob(f".{target.name}.*{_TMP_SUFFIX}"):
        try:
            stale.unlink()
        except OSError:
            pass


def write_file(path: Path, data: bytes) -> Path:
    """Write an output file (``report --output``) and return where it went.

    A regular file is replaced atomically (a symlink is followed, so the link stays); a device or
    named pipe (``/dev/stdout``, a FIFO) is written into, never replaced; a directory is refused.
    """
    import stat

    target = path.expanduser()
    try:
        mode: int | None = target.stat().st_mode  # through a symlink
    except FileNotFoundError:
        mode = None
    except (OSError, RuntimeError) as exc:
        raise WriteError(f"cannot write {display(target)}: {exc}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise WriteError(f"{display(target)} is a directory; give a file name for the output")
    if mode is not None and not stat.S_ISREG(mode):
        try:
            with open(target, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise _write_error(target, exc) from None
        return target
    try:
        real = target.resolve()
    except (OSError, RuntimeError):
        real = target
    if not real.parent.is_dir():
        raise WriteError(
            f"cannot write {display(target)}: the directory {display(real.parent)} does not exist",
            hint="create it first, or choose another --output",
        )
    atomic_write(real, data)
    return real


def atomic_write(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data``: readers see the old file or the new one, never a mix.

    The new content goes to a temporary file in the same directory, is flushed and synced, gets
    the old file's mode (and owner, where permitted), and is renamed over the old file; the
    directory is synced so the rename survives a crash.
    """
    with _unwinding_on_termination():
        _replace(target, data)


def _replace(target: Path, data: bytes) -> None:
    import stat
    import tempfile

    try:
        try:
            info: os.stat_result | None = target.stat()
        except FileNotFoundError:  # a new file (a report): the mode the umask gives
            info = None
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                   suffix=_TMP_SUFFIX)
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            if info is None:
                umask = os.umask(0)
                os.umask(umask)
                os.fchmod(handle.fileno(), 0o666 & ~umask)
            else:
                os.fchmod(handle.fileno(), stat.S_IMODE(info.st_mode))
                try:
                    os.fchown(handle.fileno(), info.st_uid, info.st_gid)
                except OSError:
                    pass  # not ours to give away; the mode is kept all the same
        os.replace(tmp, target)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise _write_error(target, exc) from None
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


class _Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while a file was being replaced."""


@contextmanager
def _unwinding_on_termination() -> Iterator[None]:
    """While a file is replaced, SIGTERM/SIGHUP (``timeout``, a cancelled CI job, a closed
    terminal) unwind like an exception, so the temporary file is removed, and then end the
    process as the signal would have."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def stop(signum: int, frame: object) -> None:
        caught.append(signum)
        raise _Terminated

    wanted = [signal.SIGTERM, signal.SIGHUP]
    previous = {sig: signal.signal(sig, stop) for sig in wanted}
    try:
        yield
    except _Terminated:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if caught:
        signal.raise_signal(caught[0])  # the default action, now that nothing is left behind


def _write_error(target: Path, exc: OSError) -> WriteError:
    import errno

    reason = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exceeded",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the file system is read-only",
    }.get(exc.errno or 0, exc.strerror or str(exc))
    return WriteError(
        f"cannot write {display(target)}: {reason}; nothing was changed",
        hint="free some space or fix the permissions of the directory, then try again",
    )
