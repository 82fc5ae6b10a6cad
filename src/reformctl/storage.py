"""Where the ledger is, and reading it: files -> text -> data -> validated :class:`Ledger`.

:func:`load` is the one loader every command uses. It never raises for bad data: it returns all
problems of both files as located diagnostics (``check`` prints them; other commands call
:func:`open_ledger`, which refuses a ledger that has errors).
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import yamldoc
from .checks import AT_KEY, RuleContext, item_validator, run_rules, task_ids_in, validate
from .errors import Diagnostic, LedgerError, Location, ReadError, WriteError, error
from .models import Ledger, Meeting, Plan

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
    cwd = Path.cwd() if cwd is None else cwd
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
    for folder in (cwd, *cwd.parents):
        if (folder / "data" / TASKS_FILE).is_file():
            return LedgerDir(folder / "data", "found")
    return LedgerDir(sample_dir(), "sample")


def display(path: Path) -> str:
    """A path as the user should see it: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def read_text(path: Path) -> tuple[yamldoc.Text | None, list[Diagnostic]]:
    """Read and decode one data file; every problem becomes a diagnostic."""
    shown = display(path)
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > yamldoc.MAX_BYTES:
                return None, [error(
                    shown, None, None, "file-too-large",
                    f"the file is {size / 2**20:.0f} MiB; reformctl reads data files of at most "
                    f"{yamldoc.MAX_BYTES // 2**20} MiB (a ledger of 100,000 tasks is about 50 MiB)",
                )]
            raw = handle.read(yamldoc.MAX_BYTES + 1)
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
    return yamldoc.decode(raw, shown)


@dataclass
class Loaded:
    """Everything :func:`load` found: the ledger (None if a file is unusable) and all problems."""

    where: LedgerDir
    ledger: Ledger | None
    diagnostics: list[Diagnostic]
    texts: dict[str, yamldoc.Text] = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


def load(where: LedgerDir) -> Loaded:
    """Read, parse, validate and check both files. Never raises for bad data."""
    # What is built here holds no reference cycles: Python's cycle collector, run again and
    # again over the growing data, would only cost time (a fifth of a large check).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(where)
    finally:
        if gc.get_freeze_count() == 0:
            # Move everything to the oldest generation (freeze + unfreeze: no traversal), or the
            # first collections after this would walk the whole ledger as "young" objects twice.
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


def _load(where: LedgerDir) -> Loaded:
    diags: list[Diagnostic] = []
    texts: dict[str, yamldoc.Text] = {}
    heads: dict[str, object] = {}
    items: dict[str, list] = {}
    parsed: dict[str, yamldoc.Parsed] = {}
    paths = {"tasks": where.tasks_path, "voices": where.voices_path}
    for kind, path in paths.items():
        text, problems = read_text(path)
        diags += problems
        heads[kind], items[kind] = None, []
        if text is None:
            continue
        texts[kind] = text
        # Items are validated while they are read (less memory); any problem: read again.
        result = yamldoc.parse(text, items=item_validator(kind))
        parsed[kind] = result
        diags += result.diagnostics
        if result.diagnostics:
            continue
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
    for kind, text in texts.items():  # positions only for what needs one, not for every value
        if kind in parsed and parsed[kind].nodes is None:
            wanted = [d.data_path for d in diags
                      if d.location.line is None and d.location.path == text.path]
            if wanted:
                parsed[kind] = yamldoc.locate(text, wanted)
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
    return Loaded(where, ledger, diags, texts)


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
