"""Where the ledger is (``--data``, ``$REFORMCTL_DATA``, the nearest ``data/``, the sample), and
``init``, which makes a new one."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import ReadError, WriteError
from .fileio import display, strerror
from .i18n import N_, _

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
            return _("the sample ledger packaged with reformctl (read-only)")
        if self.origin == "found":
            return _("{path} (from the nearest data/ directory)").format(path=display(self.path))
        return _("{path} (from {origin})").format(path=display(self.path), origin=self.origin)

    def require_writable(self) -> None:
        if self.read_only:
            raise WriteError(
                _("no ledger here to change: this command would write, but the only ledger "
                  "found is the read-only sample packaged with reformctl"),
                hint=_("run `reformctl init` to write your own copy into ./data, or point to one "
                       "with --data DIR or {variable}").format(variable=ENV_DATA),
            )


def sample_dir() -> Path:
    return Path(__file__).parent / "sample"


def find_ledger(data: str | None = None, *, env: dict[str, str] | None = None,
                cwd: Path | None = None) -> LedgerDir:
    """``--data DIR`` > ``$REFORMCTL_DATA`` > nearest ``data/tasks.yaml`` upwards > the sample."""
    environ: Mapping[str, str] = os.environ if env is None else env
    for value, origin in ((data, "--data"), (environ.get(ENV_DATA) or None, ENV_DATA)):
        if value is not None:
            path = Path(value).expanduser()
            if _holds_only_a_data_dir(path):
                raise ReadError(
                    _("{origin} points to {value}, which holds a data/ directory but no "
                      "{file}").format(origin=origin, value=value, file=TASKS_FILE),
                    hint=_("give the data directory itself: {origin} {path}").format(
                        origin=origin, path=path / "data"),
                )
            if not path.is_dir():
                raise ReadError(
                    _("{origin} points to {value}, which is not a directory").format(
                        origin=origin, value=value),
                    hint=_("give the directory that holds tasks.yaml and voices.yaml "
                           "(create one with `reformctl init`)"),
                )
            return LedgerDir(path, origin)
    try:
        cwd = Path.cwd() if cwd is None else cwd
    except OSError:
        raise ReadError(
            _("the working directory no longer exists, so no data/ directory can be found from "
              "it"),
            hint=_("cd to an existing directory, or give the ledger with --data DIR"),
        ) from None
    for folder in (cwd, *cwd.parents):
        try:
            found = (folder / "data" / TASKS_FILE).is_file()
        except OSError as exc:  # e.g. a data/ directory we may not look into
            raise ReadError(
                _("cannot look into {path}: {reason}").format(path=display(folder / "data"),
                                                              reason=strerror(exc)),
                hint=_("fix its permissions, or give the ledger with --data DIR"),
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



# ---------------------------------------------------------------------------------------------
# init: a new ledger, all its files or none

GITATTRIBUTES = """\
# Written by `reformctl init`. The ledger's files are UTF-8 text with LF line endings in every
# checkout, whatever core.autocrlf says: `git diff` then shows only what changed, and yamllint
# (new-lines: unix) passes on every system.
data/*.yaml text eol=lf
schema/*.json text eol=lf
# Histories merged entry by entry (both sides' entries kept) once the driver is enabled in a clone:
#   git config merge.reformctl.driver "reformctl merge-driver %O %A %B %P"
# Without it git merges these files line by line, as it does any text.
data/*.yaml merge=reformctl
"""

YAMLLINT = """\
---
# Written by `reformctl init`: yamllint's settings for the ledger.
# yamllint reads them when run in this directory or below it
# (e.g. `yamllint .`). A task's text is copied verbatim from the plan
# on one line, and a Chinese sentence has no space to break at, so
# line length is not checked in the data files; reformctl writes no
# `---` there.
extends: default
rules:
  line-length:
    ignore: |
      tasks.yaml
      voices.yaml
  document-start:
    ignore: |
      tasks.yaml
      voices.yaml
"""

DATA_GITIGNORE = """\
# Written by `reformctl init`: what reformctl may leave beside the data for a moment while it
# writes (the writers' lock file, kept empty; a temporary file); never data, never committed.
.*.reformctl-lock
.*.reformctl-tmp
"""


@dataclass(frozen=True)
class NewPlan:
    """What ``init --empty`` writes into the plan of a new ledger."""

    title: str
    year: int | None = None
    unit: str | None = None


@dataclass
class Initialized:
    """What :func:`init` did: the directory, the files it wrote (in the order of
    :func:`ledger_files`), and the files that were already there and left alone (with what they
    should hold)."""

    directory: Path
    written: list[Path]
    kept: dict[Path, str]

    @property
    def data(self) -> Path:
        return self.directory / "data"


def empty_ledger(plan: NewPlan) -> dict[str, bytes]:
    """``tasks.yaml`` and ``voices.yaml`` of a new plan with no task and no symposium yet."""
    from . import yamldoc

    lines = [
        "# yaml-language-server: $schema=../schema/tasks.schema.json",
        "# The plan's tasks (reformctl ledger). Add them with",
        "#   reformctl add --level district|federation|grassroots TEXT",
        "# and check the ledger with `reformctl check`.",
        "plan:",
        f"  title: {yamldoc.scalar(plan.title)}",
    ]
    if plan.year is not None:
        lines.append(f"  year: {plan.year}")
    if plan.unit is not None:
        lines.append(f"  unit: {yamldoc.scalar(plan.unit)}")
    lines.append("tasks: []")
    voices = [
        "# yaml-language-server: $schema=../schema/voices.schema.json",
        "# Statements (voices) made at a symposium on the plan, if one is held: add the meeting",
        "# (title, date, reporter) and each statement here; `reformctl schema voices` describes",
        "# them. A plan without a symposium keeps this file as it is, or has none.",
        "voices: []",
    ]
    return {TASKS_FILE: ("\n".join(lines) + "\n").encode("utf-8"),
            VOICES_FILE: ("\n".join(voices) + "\n").encode("utf-8")}


def ledger_files(directory: Path, plan: NewPlan | None = None,
                 data: dict[str, bytes] | None = None) -> tuple[dict[Path, bytes],
                                                                dict[Path, bytes]]:
    """The files ``init`` writes into ``directory``: the ledger's own (data and schemas), and the
    ones that make the directory ready for git and editors (left alone where they exist)."""
    from .models import json_schema
    from .render import to_json

    if data is not None:  # made by the caller (init --from): read back as every new ledger
        _validate_new(data)
    elif plan is None:
        data = {name: (sample_dir() / name).read_bytes() for name in (TASKS_FILE, VOICES_FILE)}
    else:
        data = empty_ledger(plan)
        _validate_new(data)
    target = directory / "data"
    # tasks.yaml last: until it is in place the directory holds no ledger, so a run that was
    # killed half-way can simply be run again
    own = {directory / "schema" / f"{kind}.schema.json": to_json(json_schema(kind)).encode()
           for kind in ("tasks", "voices")}
    own[target / VOICES_FILE] = data[VOICES_FILE]
    own[target / TASKS_FILE] = data[TASKS_FILE]
    extras = {directory / ".gitattributes": GITATTRIBUTES.encode(),
              directory / ".yamllint": YAMLLINT.encode(),
              target / ".gitignore": DATA_GITIGNORE.encode()}
    return own, extras


def _validate_new(data: dict[str, bytes]) -> None:
    """A new ledger is read back exactly as every ledger is before it is written."""
    from . import yamldoc
    from .checks import validate

    for kind, name in (("tasks", TASKS_FILE), ("voices", VOICES_FILE)):
        text, problems = yamldoc.decode(data[name], name)
        assert text is not None and not problems
        parsed = yamldoc.parse(text)
        problems = parsed.diagnostics + validate(kind, parsed.data, name).diagnostics
        if problems:
            from .errors import UsageError

            raise UsageError(_("the new plan would not be valid: {problem}").format(
                problem=problems[0].message))


def init(directory: Path, plan: NewPlan | None = None,
         data: dict[str, bytes] | None = None) -> Initialized:
    """Write a ledger into ``directory``: ``data/`` (the sample ledger, or an empty ``plan``),
    ``schema/`` (the data files point editors there), and ``.gitattributes``, ``.yamllint`` and
    ``data/.gitignore`` where they are not already.

    All or nothing: every file is written and synced to a temporary file beside its place, then
    linked into place without replacing anything (a hard link, which fails if the name exists);
    on any failure (a full disk, Ctrl-C, SIGTERM) every file and directory this run created is
    removed again, so nothing is left behind and running it again works. Never overwrites: a
    ledger already there is refused; a file ``init`` would write that is already there with the
    same bytes is left as it is.
    """
    from .fileio import _unwinding_on_termination

    own, extras = ledger_files(directory, plan, data)
    for path in own:
        if os.path.lexists(path) and (path.name == TASKS_FILE or not _holds(path, own[path])):
            raise WriteError(
                _("{path} already exists; init never overwrites").format(path=display(path)),
                hint=_("use that ledger, or choose another directory: `reformctl init DIR`"),
            )
    kept = {path: content.decode() for path, content in extras.items()
            if os.path.lexists(path) and not _holds(path, content)}
    wanted = {path: content for path, content in {**extras, **own}.items()
              if not os.path.lexists(path)}
    with _unwinding_on_termination():
        written = _write_all(directory, wanted)
    order = [*reversed(own), *extras]
    return Initialized(directory, sorted(written, key=order.index), kept)


def _holds(path: Path, content: bytes) -> bool:
    """Whether the regular file ``path`` holds exactly ``content`` (a file an earlier, killed run
    of init left)."""
    try:
        return (path.is_file() and not path.is_symlink()
                and path.stat().st_size == len(content) and path.read_bytes() == content)
    except OSError:
        return False


def _write_all(directory: Path, files: dict[Path, bytes]) -> list[Path]:
    import tempfile

    from .fileio import TMP_SUFFIX

    made_dirs: list[Path] = []
    temporaries: dict[Path, str] = {}
    placed: list[Path] = []
    current = directory
    try:
        for path in files:
            current = path
            _make_dirs(path.parent, made_dirs)
        umask = os.umask(0)
        os.umask(umask)
        for path, content in files.items():
            current = path
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                       suffix=TMP_SUFFIX)
            temporaries[path] = tmp
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
                os.fchmod(handle.fileno(), 0o666 & ~umask)
        for path, content in files.items():
            current = path
            _place(temporaries[path], path, content, placed)
            del temporaries[path]
        for folder in {path.parent for path in files} | {d.parent for d in made_dirs}:
            _sync_dir(folder)
    except BaseException as exc:
        for path in reversed(placed):
            _quietly(os.unlink, path)
        for tmp in temporaries.values():
            _quietly(os.unlink, tmp)
        for folder in reversed(made_dirs):
            _quietly(os.rmdir, folder)
        if isinstance(exc, FileExistsError):
            raise WriteError(
                _("{path} appeared while init was writing; init never overwrites, and nothing "
                  "was written").format(path=display(current)),
            ) from None
        if isinstance(exc, OSError):
            raise _init_error(current, exc) from None
        raise
    return placed


def _make_dirs(folder: Path, made: list[Path]) -> None:
    """``mkdir -p``, remembering what it created (to remove it again on failure)."""
    missing = []
    for parent in (folder, *folder.parents):
        if os.path.isdir(parent):
            break
        missing.append(parent)
    for parent in reversed(missing):
        if os.path.lexists(parent):  # a file (or a link to nothing) where a directory must be
            import errno

            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(parent))
        os.mkdir(parent)
        made.append(parent)


def _place(tmp: str, path: Path, content: bytes, placed: list[Path]) -> None:
    """Give the temporary file its name without replacing anything that has it."""
    import errno

    try:
        os.link(tmp, path)  # fails with EEXIST rather than replace
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK,
                             errno.ENOSYS, errno.EACCES):
            raise
    else:
        placed.append(path)
        os.unlink(tmp)
        return
    # a file system without hard links: rename, refusing to replace (Linux), else copy into a
    # file created exclusively
    if _rename_noreplace(tmp, path):
        placed.append(path)
        return
    with open(path, "xb") as handle:
        placed.append(path)
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.unlink(tmp)


def _rename_noreplace(source: str, target: Path) -> bool:
    """``renameat2(RENAME_NOREPLACE)`` where the C library and file system have it; False where
    they do not (FileExistsError when the name is taken)."""
    import ctypes
    import errno

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_noreplace = -100, 1
    if renameat2(at_fdcwd, os.fsencode(source), at_fdcwd, os.fsencode(target),
                 rename_noreplace) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(target))


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _quietly(action: Callable[[str | Path], None], path: str | Path) -> None:
    try:
        action(path)
    except OSError:
        pass


def _init_error(path: Path, exc: OSError) -> WriteError:
    import errno

    reason = {
        errno.ENOSPC: N_("the disk is full"),
        errno.EDQUOT: N_("the disk quota is exceeded"),
        errno.EFBIG: N_("the file is larger than this process may write (a file size limit)"),
        errno.EACCES: N_("permission denied"),
        errno.EPERM: N_("permission denied"),
        errno.EROFS: N_("the file system is read-only"),
        errno.ENOTDIR: N_("a part of the path is a file, not a directory"),
    }.get(exc.errno or 0)
    return WriteError(
        _("cannot write {path}: {reason}; nothing was written").format(
            path=display(path), reason=_(reason) if reason else strerror(exc)),
        hint=_("free some space or fix the permissions, then run `reformctl init` again"),
    )
