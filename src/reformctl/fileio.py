"""File I/O for the ledger: reading a data file within limits, and replacing a file atomically.

Nothing here knows what a ledger is: these are the bytes-level operations every reader and writer
shares (:mod:`reformctl.loader` reads with :func:`read_bytes`; :mod:`reformctl.transaction` and
``report --output`` write with :func:`atomic_write` and :func:`write_file`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import yamldoc
from .errors import Diagnostic, WriteError, error

TMP_SUFFIX = ".reformctl-tmp"


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
                    f"the file is {size / 2**20:.1f} MiB; reformctl reads data files of at most "
                    f"{yamldoc.MAX_BYTES // 2**20} MiB, within which every command stays under "
                    "2 GiB of memory (10,000 tasks with their history are about 5 to 9 MiB)",
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



def read_quietly(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def remove_stale_temporaries(target: Path) -> None:
    """Temporary files left by a writer that was killed (we hold the lock: none is live)."""
    for stale in target.parent.glob(f".{target.name}.*{TMP_SUFFIX}"):
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
                                   suffix=TMP_SUFFIX)
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
