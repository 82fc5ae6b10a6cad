"""File I/O for the ledger: reading a data file within limits, and replacing a file atomically.

Nothing here knows what a ledger is: these are the bytes-level operations every reader and writer
shares (:mod:`reformctl.loader` reads with :func:`read_bytes`; :mod:`reformctl.transaction` and
``report --output`` write with :func:`atomic_write` and :func:`write_file`).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from . import yamldoc
from .errors import Diagnostic, WriteError, error
from .i18n import N_, _

TMP_SUFFIX = ".reformctl-tmp"


ALLOW_OUTSIDE_ENV = "REFORMCTL_ALLOW_OUTSIDE"  # "1": read data files that link outside
_CHUNK = 1 << 20


def display(path: Path) -> str:
    """A path as the user should see it: relative to the working directory when below it.

    No symbolic link is resolved: a data file that is a link (or is reached through a linked
    directory) is shown by the name the user gave, never by where it points.
    """
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except (ValueError, OSError):  # not below the working directory, or it is gone
        return str(path)


def work_tree(directory: Path) -> Path | None:
    """The git work tree holding ``directory``: the nearest directory at or above it, as the path
    is written (before symbolic links are resolved), that holds a ``.git`` entry. git is not run.
    """
    here = Path(os.path.abspath(directory))
    for folder in (here, *here.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return None


def link_root(directory: Path) -> Path:
    """Where the data files of the ledger in ``directory`` must really be (after every symbolic
    link is followed): inside the git work tree that holds the ledger, or, outside any work tree,
    inside the ledger's directory itself."""
    return (work_tree(directory) or Path(os.path.abspath(directory))).resolve()


def outside_allowed() -> bool:
    return os.environ.get(ALLOW_OUTSIDE_ENV, "").strip() not in ("", "0")


def read_bytes(path: Path, *, optional: bool = False,
               limit: int | None = None) -> tuple[bytes | None, list[Diagnostic]]:
    """Read one data file whole; every problem becomes a diagnostic.

    A file whose real path (every symbolic link followed) is outside :func:`link_root` is not
    opened at all, unless ``$REFORMCTL_ALLOW_OUTSIDE`` is ``1``: a committed symlink must not make
    ``check`` in CI print a secret. At most ``limit`` bytes are read (default
    :data:`yamldoc.MAX_BYTES`), whatever size the file reports (files under /proc report 0).
    ``optional``: a file that does not exist is no problem (``(None, [])``).
    """
    import stat

    limit = yamldoc.MAX_BYTES if limit is None else limit
    shown = display(path)
    try:
        os.lstat(path)
    except FileNotFoundError:
        if optional:
            return None, []
        return None, [error(
            shown, None, None, "missing-file",
            _("the file does not exist; every ledger has tasks.yaml (`reformctl init` writes "
              "one)"),
        )]
    except OSError as exc:
        return None, [_unreadable(shown, exc)]
    try:
        real = path.resolve(strict=True)
        if not outside_allowed() and not real.is_relative_to(link_root(path.parent)):
            return None, [error(
                shown, None, None, "link-outside",
                _("this is a symbolic link (or is reached through one) to a file outside the "
                  "ledger's directory and the git work tree that holds it, so it was not read; "
                  "put the file itself here, or, if you trust where the link points, set "
                  "{variable}=1").format(variable=ALLOW_OUTSIDE_ENV),
            )]
        # Look before opening: opening a named pipe would wait for a writer for ever, and a
        # device such as /dev/zero never ends.
        mode = real.stat().st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError
        if not stat.S_ISREG(mode):
            return None, [error(
                shown, None, None, "unreadable",
                _("this is not a regular file (a pipe, socket or device); a data file is a "
                  "plain file"),
            )]
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):  # swapped for something else since we looked
                return None, [error(shown, None, None, "unreadable",
                                    _("this is not a regular file; a data file is a plain "
                                      "file"))]
            # The reported size is only a hint (files under /proc report 0): read in chunks,
            # never more than the limit and one byte.
            if info.st_size > limit:
                return None, [_too_large(shown, info.st_size, limit)]
            chunks, total = [], 0
            while total <= limit:
                chunk = handle.read(min(_CHUNK, limit + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            if total > limit:
                return None, [_too_large(shown, None, limit)]
            return chunks[0] if len(chunks) == 1 else b"".join(chunks), []
    except FileNotFoundError:  # a dangling symbolic link, or removed since we looked
        return None, [error(
            shown, None, None, "missing-file",
            _("the file does not exist (a symbolic link to nothing?); every ledger has "
              "tasks.yaml (`reformctl init` writes one)"),
        )]
    except IsADirectoryError:
        return None, [error(shown, None, None, "unreadable",
                            _("this is a directory, not a file"))]
    except RuntimeError:  # a symlink loop (Python < 3.13)
        return None, [error(shown, None, None, "unreadable",
                            _("cannot read the file: {reason}").format(
                                reason=_(_STRERROR[errno.ELOOP])))]
    except OSError as exc:
        return None, [_unreadable(shown, exc)]


def _unreadable(shown: str, exc: OSError) -> Diagnostic:
    return error(shown, None, None, "unreadable",
                 _("cannot read the file: {reason}; check its permissions").format(
                     reason=strerror(exc)))


# The system's words for the errors a user meets (as the C library says them), translated.
_STRERROR = {
    errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"),
    errno.ENOENT: N_("No such file or directory"),
    errno.ENOTDIR: N_("Not a directory"),
    errno.EISDIR: N_("Is a directory"),
    errno.ELOOP: N_("Too many levels of symbolic links"),
    errno.EROFS: N_("Read-only file system"),
    errno.ENOSPC: N_("No space left on device"),
    errno.EDQUOT: N_("Disk quota exceeded"),
    errno.EIO: N_("Input/output error"),
    errno.ENOLCK: N_("No locks available"),
}


def strerror(exc: BaseException) -> str:
    """Why a system call failed, in the language of this run (the system's own words for an
    error not in :data:`_STRERROR`)."""
    number = getattr(exc, "errno", None)
    if number in _STRERROR:
        return _(_STRERROR[number])
    return getattr(exc, "strerror", None) or str(exc)


def _too_large(shown: str, size: int | None, limit: int) -> Diagnostic:
    mib = limit >= 2**20
    if size is not None:
        message = (_("the file is {size:.1f} MiB; reformctl reads data files of at most {most} "
                     "MiB, within which every command stays under 2 GiB of memory (10,000 tasks "
                     "with their history are about 5 to 9 MiB)") if mib else
                   _("the file is {size:.1f} MiB; reformctl reads data files of at most {most} "
                     "bytes, within which every command stays under 2 GiB of memory (10,000 "
                     "tasks with their history are about 5 to 9 MiB)"))
    else:
        message = (_("the file holds more than {most} MiB; reformctl reads data files of at "
                     "most {most} MiB, within which every command stays under 2 GiB of memory "
                     "(10,000 tasks with their history are about 5 to 9 MiB)") if mib else
                   _("the file holds more than {most} bytes; reformctl reads data files of at "
                     "most {most} bytes, within which every command stays under 2 GiB of memory "
                     "(10,000 tasks with their history are about 5 to 9 MiB)"))
    return error(shown, None, None, "file-too-large", message.format(
        size=(size or 0) / 2**20, most=limit // 2**20 if mib else limit))


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
        raise WriteError(_("cannot write {path}: {reason}").format(
            path=display(target), reason=strerror(exc))) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise WriteError(_("{path} is a directory; give a file name for the output").format(
            path=display(target)))
    if mode is not None and not stat.S_ISREG(mode):
        try:
            with open(target, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise write_error(target, exc) from None
        return target
    try:
        real = target.resolve()
    except (OSError, RuntimeError):
        real = target
    if not real.parent.is_dir():
        raise WriteError(
            _("cannot write {path}: the directory {directory} does not exist").format(
                path=display(target), directory=display(real.parent)),
            hint=_("create it first, or choose another --output"),
        )
    atomic_write(real, data)
    return real


def check_writable(target: Path) -> None:
    """Refuse, as ``vim`` and ``git`` do, to replace a file the user may not write.

    A file with no write permission for this user (mode 0444; another user's 0644 file) is not
    replaced even though the directory would allow it; root is refused a file nobody may write
    (no write bit at all), as vim refuses it. A missing file passes (the caller says why it is
    needed).
    """
    try:
        info = target.stat()
    except OSError:
        return
    _refuse_unwritable(target, info)


def _refuse_unwritable(target: Path, info: os.stat_result) -> None:
    import stat

    mode = stat.S_IMODE(info.st_mode)
    if os.geteuid() == 0:
        allowed = bool(mode & 0o222)
    else:
        allowed = os.access(target, os.W_OK,
                            effective_ids=os.access in os.supports_effective_ids)
    if allowed:
        return
    shown = display(target)
    if info.st_uid == os.geteuid() or not mode & 0o222:
        raise WriteError(
            _("{path} is read-only (mode {mode}); nothing was changed").format(
                path=shown, mode=f"{mode:04o}"),
            hint=_("if it is meant to change, make it writable first: chmod u+w {path}").format(
                path=shown),
        )
    owner, me = _user_name(info.st_uid), _user_name(os.geteuid())
    raise WriteError(
        _("{path} belongs to {owner} and {user} may not write it (mode {mode}); nothing was "
          "changed").format(path=shown, owner=owner, user=me, mode=f"{mode:04o}"),
        hint=_("ask {owner} to make it writable by a group you share (chgrp GROUP {path}; "
               "chmod g+w {path}), or work on a copy of your own").format(owner=owner,
                                                                          path=shown),
    )


def _user_name(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except (KeyError, OverflowError):
        return _("user {uid}").format(uid=uid)


def atomic_write(target: Path, data: bytes,
                 unchanged: Callable[[], bool] | None = None) -> bool:
    """Replace ``target`` with ``data``: readers see the old file or the new one, never a mix.

    The new content goes to a temporary file in the same directory and gets the old file's mode
    and group (and owner, where permitted: otherwise the writer becomes the owner, as with git);
    it is synced, then ``unchanged()`` is asked, last of all before the rename, whether the old
    file is still what the caller read. If not, the temporary file is removed and False returned
    (nothing was written). The directory is synced so the rename survives a crash.
    """
    with _unwinding_on_termination():
        return _replace(target, data, unchanged)


def _replace(target: Path, data: bytes, unchanged: Callable[[], bool] | None) -> bool:
    import stat
    import tempfile

    try:
        try:
            info: os.stat_result | None = target.stat()
        except FileNotFoundError:  # a new file (a report): the mode the umask gives
            info = None
        if info is not None:
            _refuse_unwritable(target, info)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=_temp_prefix(target),
                                   suffix=TMP_SUFFIX)
    except OSError as exc:
        raise write_error(target, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if info is None:
                umask = os.umask(0)
                os.umask(umask)
                os.fchmod(handle.fileno(), 0o666 & ~umask)
            else:
                _keep_owner_and_group(handle.fileno(), info)  # before the mode: chown clears s-bits
                os.fchmod(handle.fileno(), stat.S_IMODE(info.st_mode))
            os.fsync(handle.fileno())
        if unchanged is not None and not unchanged():
            os.unlink(tmp)
            return False
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        raise write_error(target, exc) from None
    except BaseException:
        _remove(tmp)
        raise
    try:
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass
    return True


def _keep_owner_and_group(fd: int, info: os.stat_result) -> None:
    """The old file's owner and group where permitted; else at least its group (a member of
    the group may give a file to it), else what the directory gives (setgid: its group)."""
    if (info.st_uid, info.st_gid) == (os.geteuid(), os.getegid()):
        return
    try:
        os.fchown(fd, info.st_uid, info.st_gid)
        return
    except OSError:
        pass
    try:
        os.fchown(fd, -1, info.st_gid)
    except OSError:
        pass


def _remove(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# Temporary files carry their writer: ``.tasks.yaml.HOST-PID.RANDOM.reformctl-tmp``, where HOST
# is a short hash of this machine's name. A writer removes a leftover only when it can tell it is
# its own kind's and its creator is gone: same machine, same user, and that process no longer runs.


def _host_tag() -> str:
    import hashlib
    import socket

    return hashlib.sha256(socket.gethostname().encode("utf-8", "surrogateescape")).hexdigest()[:8]


def _temp_prefix(target: Path) -> str:
    return f".{target.name}.{_host_tag()}-{os.getpid()}."


def remove_stale_temporaries(target: Path) -> None:
    """Remove temporary files of ``target`` left by a writer of this user on this machine that
    was killed. Anything else (another user's, another machine's, a live process's, a name that
    says nothing of its creator) is left alone: it is not ours to judge."""
    import re
    import stat

    pattern = re.compile(rf"\.{re.escape(target.name)}\.([0-9a-f]{{8}})-([0-9]+)\."
                         rf"[A-Za-z0-9_]+{re.escape(TMP_SUFFIX)}")
    host, me = _host_tag(), os.geteuid()
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        found = pattern.fullmatch(name)
        if found is None or found[1] != host:
            continue
        path = target.parent / name
        try:
            info = path.lstat()
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_uid != me or _alive(int(found[2])):
            continue
        _remove(path)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # it exists (another user's), or we cannot tell: keep its file
    return True


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


def write_error(target: Path, exc: OSError) -> WriteError:

    reason = {
        errno.ENOSPC: N_("the disk is full"),
        errno.EDQUOT: N_("the disk quota is exceeded"),
        errno.EACCES: N_("permission denied"),
        errno.EPERM: N_("permission denied"),
        errno.EROFS: N_("the file system is read-only"),
    }.get(exc.errno or 0)
    return WriteError(
        _("cannot write {path}: {reason}; nothing was changed").format(
            path=display(target), reason=_(reason) if reason else strerror(exc)),
        hint=_("free some space or fix the permissions of the directory, then try again"),
    )


_write_error = write_error  # the name it had before (other branches may still call it)
