"""A content-keyed cache of the task index, kept outside the data directory. Only ever a hint.

For a ledger whose two files were clean together, the index holds each task's id, level, seq and
the character offset where it starts; ``update`` and ``add`` use it to find and parse only the
tasks they change instead of reading and validating the whole file. An entry is found only under
the SHA-256 of the exact bytes of both files it was made from, so it is never stale.

An entry stands for "a full check of these bytes found no error", which nobody can verify
without doing that check; so an entry is trusted only when it is *authentic*: it carries an
HMAC-SHA256 made with this user's secret, a random key in the cache directory whose use is bound
to that very key file (its device, inode and change time), so a key file and entries planted by
someone else (a checkout that holds a cache directory, a copied directory) authenticate nothing.
Anything that fails -- a wrong MAC, a foreign, stale-format, oversized or malformed entry -- is a
miss, and the entry is removed. And where an authentic entry is used, what it says is checked
again: the task read from the lines it points to must be the task asked for, the lines written
must read back as exactly the intended tasks, and any failure on the way drops the entry and
decides from the file (:mod:`reformctl.transaction`).

The directory is used only when it is private: a directory (not a symlink) owned by the current
user with no permission for group or others (0700); it is opened once and every file in it is
reached through that open directory. Only the cache's own files (``reformctl-...``) are ever
read, pruned or removed. ``$REFORMCTL_CACHE_DIR`` moves it; ``REFORMCTL_NO_CACHE=1`` turns it
off. Failing to read or write the cache never fails a command.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path
from typing import Any

from . import __version__

DIR_ENV = "REFORMCTL_CACHE_DIR"
OFF_ENV = "REFORMCTL_NO_CACHE"
FORMAT = 2
MAX_ENTRIES = 64  # the oldest entries beyond this are removed when one is written
MAX_ENTRY_BYTES = 64 * 2**20  # far above the index of the largest accepted ledger
KEY_FILE = "reformctl-secret.key"
KEY_BYTES = 32
_ENTRY = re.compile(r"reformctl-(index)-([0-9a-f]{64})\.json")
_TEMP = re.compile(r"reformctl-(index)-([0-9a-f]{64})\.json\.([0-9]+)\.tmp")


def file_hash(data: bytes) -> str:
    """SHA-256 of one file's bytes."""
    return hashlib.sha256(data).hexdigest()


def ledger_key(tasks_hash: str, voices_hash: str) -> str:
    """The key of a ledger: both files' hashes, so a change to either misses the cache."""
    return hashlib.sha256(f"{tasks_hash}:{voices_hash}".encode()).hexdigest()


def key_of(tasks: bytes, voices: bytes) -> str:
    return ledger_key(file_hash(tasks), file_hash(voices))


def _location() -> Path | None:
    if os.environ.get(OFF_ENV, "") not in ("", "0"):
        return None
    base = os.environ.get(DIR_ENV)
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    try:
        return (Path(xdg) if xdg else Path.home() / ".cache") / "reformctl"
    except RuntimeError:  # no home directory
        return None


def _open_dir() -> int | None:
    """The cache directory, created private and opened; None when off or not private."""
    folder = _location()
    if folder is None:
        return None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except (OSError, RuntimeError):
        return None
    try:
        info = os.fstat(fd)
    except OSError:
        os.close(fd)
        return None
    if info.st_uid != os.geteuid() or stat.S_IMODE(info.st_mode) & 0o077:
        os.close(fd)
        return None  # someone else could read or plant entries here
    return fd


def directory() -> Path | None:
    """Where the cache is, or None when caching is off or the place is not private."""
    fd = _open_dir()
    if fd is None:
        return None
    os.close(fd)
    return _location()


def _name(kind: str, key: str) -> str | None:
    name = f"reformctl-{kind}-{key}.json"
    return name if _ENTRY.fullmatch(name) else None


def _secret(dfd: int, create: bool) -> bytes | None:
    """This user's MAC key, bound to the key file itself (device, inode, change time)."""
    flags = os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(KEY_FILE, os.O_RDONLY | flags, dir_fd=dfd)
    except FileNotFoundError:
        if not create:
            return None
        return _new_secret(dfd, flags)
    except OSError:
        if create:
            _discard_in(dfd, KEY_FILE)  # a symlink or worse: ours to replace, never to follow
            return _new_secret(dfd, flags)
        return None
    try:
        info = os.fstat(fd)
        if (not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_nlink != 1
                or stat.S_IMODE(info.st_mode) & 0o077 or info.st_size != KEY_BYTES):
            key = b""
        else:
            key = os.read(fd, KEY_BYTES + 1)
    except OSError:
        key = b""
    finally:
        os.close(fd)
    if len(key) != KEY_BYTES:
        if create:
            _discard_in(dfd, KEY_FILE)  # damaged: a new key (every entry becomes a miss)
            return _new_secret(dfd, flags)
        return None
    import hmac

    binding = f"{info.st_dev}:{info.st_ino}:{info.st_ctime_ns}".encode()
    return hmac.new(key, binding, hashlib.sha256).digest()


def _new_secret(dfd: int, flags: int) -> bytes | None:
    try:
        fd = os.open(KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL | flags, 0o600, dir_fd=dfd)
    except OSError:
        return None  # another run made one just now: used from the next run on
    try:
        os.write(fd, os.urandom(KEY_BYTES))
    except OSError:
        return None
    finally:
        os.close(fd)
    return _secret(dfd, False)


def _mac(secret: bytes, kind: str, key: str, body: bytes) -> str:
    import hmac

    return hmac.new(secret, f"{kind}\0{key}\0".encode() + body, hashlib.sha256).hexdigest()


def get(kind: str, key: str) -> dict[str, Any] | None:
    """The authentic entry of this kind and key, or None (a bad entry is removed)."""
    import hmac
    import json

    name = _name(kind, key)
    dfd = _open_dir() if name else None
    if dfd is None or name is None:
        return None
    try:
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK,
                         dir_fd=dfd)
        except FileNotFoundError:
            return None
        except OSError:
            _discard_in(dfd, name)
            return None
        try:
            blob = _read_capped(fd, MAX_ENTRY_BYTES)
        finally:
            os.close(fd)
        secret = _secret(dfd, False)
        mac, _newline, body = blob.partition(b"\n")
        if (secret is None or not body
                or not hmac.compare_digest(mac, _mac(secret, kind, key, body).encode())):
            _discard_in(dfd, name)
            return None
        try:
            entry = json.loads(body)
        except ValueError:
            entry = None
        if (not isinstance(entry, dict) or entry.get("format") != FORMAT
                or entry.get("version") != __version__ or entry.get("key") != key):
            _discard_in(dfd, name)
            return None
        return entry
    finally:
        os.close(dfd)


def _read_capped(fd: int, cap: int) -> bytes:
    """A regular file's bytes, or b"" when it is not one or holds more than ``cap`` bytes."""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > cap:
            return b""  # (a file reporting size 0 is still read only up to the cap)
        chunks: list[bytes] = []
        size = 0
        while size <= cap:
            chunk = os.read(fd, min(cap + 1 - size, 2**20))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
    except OSError:
        pass
    return b""


def put(kind: str, key: str, entry: dict[str, Any]) -> None:
    import json

    name = _name(kind, key)
    dfd = _open_dir() if name else None
    if dfd is None or name is None:
        return
    try:
        secret = _secret(dfd, True)
        if secret is None:
            return
        body = json.dumps({"format": FORMAT, "version": __version__, "key": key, **entry},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        data = _mac(secret, kind, key, body).encode() + b"\n" + body
        if len(data) > MAX_ENTRY_BYTES:
            return
        tmp = f"{name}.{os.getpid()}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
                         | os.O_CLOEXEC, 0o600, dir_fd=dfd)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
            os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        except OSError:
            _discard_in(dfd, tmp)
            return
        _prune(dfd)
    finally:
        os.close(dfd)


def discard(kind: str, key: str) -> None:
    """Remove an entry that did not hold."""
    name = _name(kind, key)
    dfd = _open_dir() if name else None
    if dfd is None or name is None:
        return
    try:
        _discard_in(dfd, name)
    finally:
        os.close(dfd)


def _discard_in(dfd: int, name: str) -> None:
    try:
        os.unlink(name, dir_fd=dfd)
    except OSError:
        pass


def _prune(dfd: int) -> None:
    """Keep the newest :data:`MAX_ENTRIES` entries; remove temporary files of dead writers.
    Only names the cache itself makes are considered."""
    import time

    try:
        names = os.listdir(dfd)
    except OSError:
        return
    entries = []
    for name in names:
        temp = _TEMP.fullmatch(name)
        if not (_ENTRY.fullmatch(name) or temp):
            continue  # not ours: another program's file, or the key
        try:
            info = os.stat(name, dir_fd=dfd, follow_symlinks=False)
        except OSError:
            continue
        if temp:
            if time.time() - info.st_mtime > 3600:
                _discard_in(dfd, name)  # a writer killed between writing and renaming
        else:
            entries.append((info.st_mtime, name))
    entries.sort(reverse=True)
    for _key, old in entries[MAX_ENTRIES:]:
        _discard_in(dfd, old)
