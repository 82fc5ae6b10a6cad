"""The writers' lock of one data file: ``.tasks.yaml.reformctl-lock`` beside it, ``flock()``ed.

Every writer of a file locks the same lock file, found next to the file it replaces (the real
file, symlinks resolved), so writers serialize whoever and wherever they are: other users, other
``$TMPDIR``\\ s, paths through symlinks or bind mounts all reach the same directory entry and the
same inode. As git's ``index.lock`` sits beside the index, this sits beside the data: only those
who may write the data directory can create it, and a data directory that cannot take a lock file
cannot take the replaced file either.

The lock file is empty and never deleted (deleting a lock file someone holds is how two writers
end up holding "the" lock), so it stays, hidden, beside the data. It is opened without following a
symlink and must be a regular file; its mode gives read and write only to the classes (owner,
group, others) that may write the data file, so nobody who may only read the ledger can hold it.
After taking it, and again just before the rename, the writer checks that the name still leads to
the inode it locked; if someone deleted or replaced it by hand, a later writer may hold the new
one, so the writer takes that one too (waiting for it) before it goes on.

``flock()`` is advisory: only writers that take it are serialized (every reformctl write does;
an editor does not, see :mod:`reformctl.transaction` for how a hand edit is kept). On NFS, Linux
emulates it with byte-range locks (the server must support locking); on other network file
systems it may be local to one machine.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import WriteError
from .fileio import display, strerror, write_error
from .i18n import _

SUFFIX = ".reformctl-lock"
TELL_AFTER = 1.0  # seconds of waiting before saying who holds the lock


def path_for(target: Path) -> Path:
    return target.with_name(f".{target.name}{SUFFIX}")


def shown(path: Path) -> str:
    """The lock file as the user should see it (its own name, never what a link points to)."""
    return str(Path(display(path.parent)) / path.name)


class Lock:
    """A held lock: open descriptors with ``flock(LOCK_EX)`` on the lock file."""

    def __init__(self, path: Path, target: Path, timeout: float,
                 on_wait: Callable[[str], None] | None):
        self.path, self.target, self.timeout, self.on_wait = path, target, timeout, on_wait
        self.fds: list[int] = []

    def still_ours(self) -> bool:
        """Does the lock file's name still lead to the file we locked last?"""
        try:
            now, held = self.path.lstat(), os.fstat(self.fds[-1])
        except (OSError, IndexError):
            return False
        return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)

    def ensure(self) -> None:
        """Make sure we hold the lock the name leads to now: if someone deleted or replaced the
        lock file by hand, a writer that came later may hold the new one; take it too (waiting
        for that writer) before going on. The old one is kept until the end, too."""
        if not self.still_ours():
            self._acquire()

    def _acquire(self) -> None:
        import fcntl

        data = display(self.target)
        started = time.monotonic()
        told = False
        pause = 0.005
        fd = _open(self.path, self.target)
        self.fds.append(fd)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                waited = time.monotonic() - started
                if waited >= self.timeout:
                    raise WriteError(
                        _("{holder} has been writing {path} for more than {seconds} s; nothing "
                          "was changed").format(holder=_holder(fd), path=data,
                                                seconds=f"{self.timeout:.0f}"),
                        hint=_("try again when it has finished; if that process hangs, end it"),
                    ) from None
                if not told and waited >= TELL_AFTER and self.on_wait is not None:
                    self.on_wait(_("waiting for {holder}, which is writing {path} (waiting up to "
                                   "{seconds} s)").format(holder=_holder(fd), path=data,
                                                          seconds=f"{self.timeout:.0f}"))
                    told = True
                time.sleep(pause)
                pause = min(pause * 1.5, 0.1)
                continue
            except OSError as exc:
                import errno

                if exc.errno == errno.EBADF:  # NFS locks need a file opened for writing
                    raise _unusable(self.path, self.target,
                                    PermissionError(errno.EACCES, "")) from None
                raise WriteError(
                    _("cannot lock {path}: {reason}; nothing was changed").format(
                        path=shown(self.path), reason=strerror(exc)),
                    hint=_("the file system does not support locks (a network file system "
                           "without lock support?); keep the ledger on a local disk or one with "
                           "locking"),
                ) from None
            if self.still_ours():
                return
            # Deleted or replaced by hand while we waited: lock what the name leads to now.
            os.close(self.fds.pop())
            fd = _open(self.path, self.target)
            self.fds.append(fd)

    def release(self) -> None:
        while self.fds:
            os.close(self.fds.pop())  # closing releases the lock


@contextmanager
def held(target: Path, timeout: float,
         on_wait: Callable[[str], None] | None = None) -> Iterator[Lock]:
    """Hold the lock of ``target`` (the real data file) for the ``with`` block.

    Waits up to ``timeout`` seconds for another writer; after :data:`TELL_AFTER` seconds
    ``on_wait`` is told once who holds it and how long this writer will wait.
    """
    lock = Lock(path_for(target), target, timeout, on_wait)
    try:
        lock._acquire()
        yield lock
    finally:
        lock.release()


def _open(path: Path, target: Path) -> int:
    """Open (creating if need be) the lock file, never through a symlink, never a non-file."""
    flags = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # NONBLOCK: a FIFO must not hang us
    mode = _mode_for(target)
    for _attempt in range(10):
        try:
            fd = os.open(path, flags | os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        except OSError as exc:
            raise write_error(target, exc) from None  # a read-only directory: no write at all
        else:
            _give_mode(fd, target, mode)
            return fd
        try:
            try:
                fd = os.open(path, flags | os.O_RDWR)
            except PermissionError:
                fd = os.open(path, flags | os.O_RDONLY)  # flock() needs no write permission
        except FileNotFoundError:
            continue  # removed meanwhile: create it
        except OSError as exc:
            raise _unusable(path, target, exc) from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise _unusable(path, target, None)
        if info.st_uid == os.geteuid():
            _give_mode(fd, target, mode)  # follow the data file's mode as it changes
        return fd
    raise WriteError(_("cannot create the lock file {path}: it keeps disappearing; nothing "
                       "was changed").format(path=shown(path)))


def _mode_for(target: Path) -> int:
    """Read and write for every class (owner, group, others) that may write the data file."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return 0o600
    return 0o600 | (0o060 if mode & 0o020 else 0) | (0o006 if mode & 0o002 else 0)


def _give_mode(fd: int, target: Path, mode: int) -> None:
    try:
        want_gid = target.stat().st_gid
        if os.fstat(fd).st_gid != want_gid:
            os.fchown(fd, -1, want_gid)  # the data file's group, so its writers can open it
    except OSError:
        pass
    try:
        os.fchmod(fd, mode)
    except OSError:
        pass


def _unusable(path: Path, target: Path, exc: OSError | None) -> WriteError:
    import errno

    name = shown(path)
    if exc is not None and exc.errno in (errno.EACCES, errno.EPERM):
        try:
            info = path.lstat()
            message = _("cannot open the lock file {path}: it belongs to {owner} (mode {mode}); "
                        "nothing was changed").format(path=name, owner=_user_name(info.st_uid),
                                                      mode=f"{stat.S_IMODE(info.st_mode):04o}")
        except OSError:
            message = _("cannot open the lock file {path}: permission denied; nothing was "
                        "changed").format(path=name)
        return WriteError(
            message,
            hint=_("everyone who writes {data} must be able to read and write it: its owner can "
                   "run chmod g+rw {path} (or delete it when no reformctl is writing)").format(
                       data=display(target), path=name),
        )
    if exc is not None and exc.errno not in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
        return write_error(target, exc)
    return WriteError(
        _("{path} should be reformctl's lock file, but it is a symlink, directory or other "
          "non-file, which reformctl does not follow or use; nothing was changed").format(
              path=name),
        hint=_("remove it (reformctl creates its lock file there itself): rm {path}").format(
            path=name),
    )


def _holder(fd: int) -> str:
    """Who holds the lock, as well as can be told (from /proc/locks: a holder on this machine)."""
    try:
        info = os.fstat(fd)
        pid = _locking_pid(info)
    except OSError:
        pid = None
    if pid is not None:
        try:
            user = _user_name(os.stat(f"/proc/{pid}").st_uid)
        except OSError:
            user = _("unknown user")
        return _("process {pid} ({user})").format(pid=pid, user=user)
    return _("another writer (perhaps on another machine)")


def _locking_pid(info: os.stat_result) -> int | None:
    wanted = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as handle:
            for line in handle:
                fields = line.split()
                if "->" in fields:
                    continue  # a waiter, not the holder
                if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == wanted:
                    return int(fields[4]) if fields[4].isdigit() and fields[4] != "0" else None
    except (OSError, ValueError):
        return None
    return None


def _user_name(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except (KeyError, OverflowError):
        return _("user {uid}").format(uid=uid)
