"""Where the ledger is (``--data``, ``$REFORMCTL_DATA``, the nearest ``data/``, the sample), and
``init``, which makes a new one."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ReadError, WriteError
from .fileio import display

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

