"""Where the ledger is, and reading it: files -> text -> data -> validated :class:`Ledger`.

:func:`load` is the one loader every command uses. It never raises for bad data: it returns all
problems of both files as located diagnostics (``check`` prints them; other commands call
:func:`open_ledger`, which refuses a ledger that has errors).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import yamldoc
from .checks import AT_KEY, RuleContext, run_rules, task_ids_in, validate
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
    raw: dict[str, bytes] = field(default_factory=dict)  # the bytes each file was read from
    task_starts: list[int] = field(default_factory=list)  # where each task's item starts

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


def load(where: LedgerDir) -> Loaded:
    """Read, parse, validate and check both files. Never raises for bad data."""
    return _load(where, {})


def _load(where: LedgerDir, raw: dict[str, bytes]) -> Loaded:
    """:func:`load`, from the bytes in ``raw`` where given (as read under a lock)."""
    diags: list[Diagnostic] = []
    texts: dict[str, yamldoc.Text] = {}
    heads: dict[str, object] = {}
    items: dict[str, list] = {}
    parsed: dict[str, yamldoc.Parsed] = {}
    paths = {"tasks": where.tasks_path, "voices": where.voices_path}
    for kind, path in paths.items():
        heads[kind], items[kind] = None, []
        if kind not in raw:
            data, problems = read_bytes(path)
            diags += problems
            if data is None:
                continue
            raw[kind] = data
        text, problems = yamldoc.decode(raw[kind], display(path))
        diags += problems
        if text is None:
            continue
        texts[kind] = text
        result = yamldoc.parse(text)
        parsed[kind] = result
        diags += result.diagnostics
        if result.diagnostics:
            continue
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
    return Loaded(where, ledger, diags, texts, raw, starts)


def _locate(diags: list[Diagnostic], texts: dict[str, yamldoc.Text],
            parsed: dict[str, yamldoc.Parsed]) -> list[Diagnostic]:
    """Fill in line:col of diagnostics made from data paths (one located re-read per file)."""
    by_path = {text.path: kind for kind, text in texts.items()}
    located: list[Diagnostic] = []
    for diag in diags:
        kind = by_path.get(diag.location.path)
        if diag.location.line is not None or kind is None:
            located.append(diag)
            continue
        result = parsed[kind]
        if result.nodes is None:
            result = parsed[kind] = yamldoc.parse(texts[kind], locate=True)
        line, col = result.find(diag.data_path, at_key=diag.code in AT_KEY) or (None, None)
        located.append(
            Diagnostic(Location(diag.location.path, line, col), diag.severity, diag.code,
                       diag.message, diag.data_path)
        )
    return sorted(located, key=_order)


def _order(diag: Diagnostic) -> tuple[str, int, int]:
    return (diag.location.path, diag.location.line or 0, diag.location.col or 0)


def open_ledger(where: LedgerDir) -> Ledger:
    """The ledger, or :class:`LedgerError` listing its errors (warnings do not stop a command)."""
    loaded = load(where)
    if loaded.errors or loaded.ledger is None:
        raise LedgerError(loaded.diagnostics)
    return loaded.ledger


def init(directory: Path) -> Path:
    """Write the sample ledger into ``directory/data``; never overwrite anything."""
    target = directory / "data"
    existing = [p for p in (target / TASKS_FILE, target / VOICES_FILE) if p.exists()]
    if existing:
        raise WriteError(
            f"a ledger already exists at {display(existing[0])}; init never overwrites",
            hint="use that ledger, or choose another directory: `reformctl init DIR`",
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name in (TASKS_FILE, VOICES_FILE):
            data = (sample_dir() / name).read_bytes()
            with open(target / name, "xb") as handle:  # "x": fail rather than overwrite
                handle.write(data)
    except FileExistsError as exc:
        raise WriteError(f"{exc.filename} appeared while writing; init never overwrites") from None
    except OSError as exc:
        raise WriteError(
            f"cannot write the ledger into {display(target)}: {exc.strerror or exc}",
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


def change_ledger(where: LedgerDir, plan: Callable[[Ledger, datetime], Change], *,
                  dry_run: bool = False) -> Outcome:
    """Apply ``plan`` to the ledger: locked, validated, atomic, and byte-exact outside the change.

    ``plan`` gets the ledger as it is on disk under the lock, and the time of the write.
    """
    from filelock import FileLock, Timeout

    where.require_writable()
    try:
        target = where.tasks_path.resolve()  # a symlinked file is written where it really is
    except (OSError, RuntimeError):  # a symlink loop: the loader says why it cannot be read
        target = where.tasks_path
    try:
        lock = FileLock(lock_path(where), timeout=LOCK_TIMEOUT)
        with lock:
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


def _attempt(where: LedgerDir, target: Path, plan: Callable[[Ledger, datetime], Change],
             dry_run: bool) -> Outcome | None:
    loaded = _load(where, {})
    if loaded.errors or loaded.ledger is None:
        raise LedgerError(
            loaded.diagnostics,
            "the ledger has errors, so nothing was changed:\n"
            + "\n".join(str(d) for d in loaded.errors[:20]),
        )
    now = datetime.now().astimezone().replace(microsecond=0)
    change = plan(loaded.ledger, now)
    source = loaded.texts["tasks"]
    after = _apply(source, loaded.task_starts, loaded.ledger, change) if (
        change.updated or change.added) else source.text
    _validate_result(where, loaded, change)
    outcome = Outcome(change, source.path, source.text, after, False)
    if dry_run or after == source.text:
        return outcome
    data = (b"\xef\xbb\xbf" if source.bom else b"") + after.encode("utf-8")
    if _read_quietly(target) != loaded.raw["tasks"]:
        return None  # changed on disk since it was read (an editor?): read it again
    atomic_write(target, data)
    outcome.written = True
    return outcome


def _apply(source: yamldoc.Text, starts: list[int], ledger: Ledger, change: Change) -> str:
    """The text after ``change``: only the blocks of the tasks it touches are rewritten.

    A new task goes into the block of the task it follows, which an update may rewrite too (add
    --related): both edits are made on that block's new text, and every rewritten block must read
    back on its own as exactly the tasks it should hold, or nothing is written.
    """
    from . import edit

    text, newline = source.text, source.newline
    blocks = edit.task_blocks(text, starts)
    index = {task.id: i for i, task in enumerate(ledger.tasks)}
    bodies: dict[int, str] = {}  # block index -> its new text
    holds: dict[int, list[Task]] = {}  # block index -> the tasks that text must hold
    for old, new in change.updated:
        i = index[old.id]
        bodies[i] = edit.rewrite_block(text[blocks[i].start:blocks[i].end], newline, old, new)
        holds[i] = [new]
    for task in change.added:
        i, separated = _insertion_point(text, blocks, ledger, task)
        body = bodies.get(i, text[blocks[i].start:blocks[i].end])
        bodies[i] = _insert(body, newline, separated, task)
        holds.setdefault(i, [ledger.tasks[i]]).append(task)
    for i in sorted(bodies, reverse=True):
        edit.check_block(bodies[i], newline, holds[i])
        text = text[:blocks[i].start] + bodies[i] + text[blocks[i].end:]
    return text


def _insertion_point(text: str, blocks: list, ledger: Ledger, task: Task) -> tuple[int, bool]:
    """The block a new task follows (the last of its level), and whether tasks are separated by
    blank lines (then the new task gets one before it too)."""
    if not blocks:
        raise WriteError(
            "the ledger has no task yet, and `add` writes next to existing tasks",
            hint="write the first task into tasks.yaml by hand (see `reformctl schema tasks`)",
        )
    same_level = [i for i, t in enumerate(ledger.tasks) if t.level == task.level]
    chosen = same_level[-1] if same_level else len(blocks) - 1
    probe = blocks[chosen] if chosen < len(blocks) - 1 else blocks[max(chosen - 1, 0)]
    probe_body = text[probe.start:probe.end]
    separated = any(not line.strip() for line in
                    probe_body[_content_length(probe_body):].splitlines())
    return chosen, separated


def _insert(body: str, newline: str, separated: bool, task: Task) -> str:
    """``body`` (a task's block) with the new task's lines after its content."""
    from . import edit

    at = _content_length(body)
    lines = edit.task_lines(task, len(body) - len(body.lstrip(" ")))
    new_text = (newline if separated else "") + newline.join(lines) + newline
    if at > 0 and body[at - 1] != "\n":  # the file ends without a newline
        new_text = newline + new_text
    return body[:at] + new_text + body[at:]


def _content_length(body: str) -> int:
    """Length of a block without its trailing blank and comment lines."""
    lines = body.splitlines(keepends=True)
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")):
        lines.pop()
    return sum(len(line) for line in lines)


def _validate_result(where: LedgerDir, loaded: Loaded, change: Change) -> None:
    """The ledger after the change must still pass every rule (errors refuse the change)."""
    assert loaded.ledger is not None
    replaced = {old.id: new for old, new in change.updated}
    tasks = [replaced.get(t.id, t) for t in loaded.ledger.tasks] + change.added
    voices = list(enumerate(loaded.ledger.voices))
    ctx = RuleContext(display(where.tasks_path), display(where.voices_path),
                      list(enumerate(tasks)), voices, {t.id for t in tasks})
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


def atomic_write(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data``: readers see the old file or the new one, never a mix.

    The new content goes to a temporary file in the same directory, is flushed and synced, gets
    the old file's mode (and owner, where permitted), and is renamed over the old file; the
    directory is synced so the rename survives a crash.
    """
    import stat
    import tempfile

    try:
        info = target.stat()
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                   suffix=_TMP_SUFFIX)
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
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
        hint="free some space or fix the permissions of the data directory, then try again",
    )
