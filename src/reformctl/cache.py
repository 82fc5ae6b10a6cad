"""A content-keyed cache of the task index, kept outside the data directory.

For a ledger whose two files were clean together, the index holds each task's id, level, seq and
the character offset where it starts; ``update`` and ``add`` use it to find and parse only the
tasks they change instead of reading and validating the whole file. An entry is found only under
the SHA-256 of the exact bytes of both files it was made from, so it can never be stale: a hand
edit changes the bytes and misses the cache. What an index says is checked again where it is
used: the task read from the lines it points to must be the task asked for, and the lines written
must read back as exactly the intended tasks.

Entries are JSON (never pickle), written atomically, and any entry that does not decode to the
expected shape is a miss and is removed. The directory is private (0700) and is used only when
the current user owns it. ``$REFORMCTL_CACHE_DIR`` moves it; ``REFORMCTL_NO_CACHE=1`` turns it
off. Failing to read or write the cache never fails a command.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from . import __version__

DIR_ENV = "REFORMCTL_CACHE_DIR"
OFF_ENV = "REFORMCTL_NO_CACHE"
FORMAT = 1
MAX_ENTRIES = 64  # the oldest entries beyond this are removed when one is written


def file_hash(data: bytes) -> str:
    """SHA-256 of one file's bytes."""
    return hashlib.sha256(data).hexdigest()


def ledger_key(tasks_hash: str, voices_hash: str) -> str:
    """The key of a ledger: both files' hashes, so a change to either misses the cache."""
    return hashlib.sha256(f"{tasks_hash}:{voices_hash}".encode()).hexdigest()


def key_of(tasks: bytes, voices: bytes) -> str:
    return ledger_key(file_hash(tasks), file_hash(voices))


def directory() -> Path | None:
    """The cache directory, created private; None when caching is off or the place is unsafe."""
    if os.environ.get(OFF_ENV, "") not in ("", "0"):
        return None
    base = os.environ.get(DIR_ENV)
    if base:
        folder = Path(base)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        folder = (Path(xdg) if xdg else Path.home() / ".cache") / "reformctl"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except (OSError, RuntimeError):
        return None
    if info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o022:
        return None  # someone else could plant entries here
    return folder


def _path(kind: str, key: str) -> Path | None:
    folder = directory()
    return None if folder is None else folder / f"{key}.{kind}.json"


def get(kind: str, key: str) -> dict[str, Any] | None:
    path = _path(kind, key)
    if path is None:
        return None
    try:
        with path.open("rb") as handle:
            entry = json.loads(handle.read())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        _discard(path)
        return None
    if (not isinstance(entry, dict) or entry.get("format") != FORMAT
            or entry.get("version") != __version__ or entry.get("key") != key):
        _discard(path)
        return None
    return entry


def put(kind: str, key: str, entry: dict[str, Any]) -> None:
    path = _path(kind, key)
    if path is None:
        return
    data = json.dumps({"format": FORMAT, "version": __version__, "key": key, **entry},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        _discard(tmp)
        return
    _prune(path.parent)


def _discard(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _prune(folder: Path) -> None:
    try:
        entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in entries[MAX_ENTRIES:]:
        _discard(old)
