"""No write may lose or corrupt a ledger: atomic, locked, validated, byte-exact."""

from __future__ import annotations

import errno
import os
import random
import select
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from reformctl import ledgers, loader, transaction


def tasks_of(data: Path) -> dict[int, dict]:
    return {t["id"]: t for t in yaml.safe_load((data / "tasks.yaml").read_text("utf-8"))["tasks"]}


def test_crlf_and_bom_are_kept(ledger):
    path = ledger / "tasks.yaml"
    original = b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(original)
    assert run_cli("update", "5", "--status", "blocked", "--note", "等待批复").code == 0
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in after.replace(b"\r\n", b"")  # every line still ends in CRLF
    before_lines = original.split(b"\r\n")
    after_lines = after.split(b"\r\n")
    start = before_lines.index(b"  - id: 5")
    end = before_lines.index(b"  - id: 6")
    assert after_lines[:start] == before_lines[:start]
    assert after_lines[-(len(before_lines) - end):] == before_lines[end:]
    assert run_cli("check").code == 0


def test_file_mode_is_kept(ledger):
    path = ledger / "tasks.yaml"
    path.chmod(0o640)
    assert run_cli("update", "3", "--note", "x").code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_symlinked_file_stays_a_symlink(ledger, tmp_path):
    (tmp_path / ".git").mkdir()  # a link may lead anywhere inside the ledger's git work tree
    real = tmp_path / "elsewhere" / "tasks.yaml"
    real.parent.mkdir()
    (ledger / "tasks.yaml").rename(real)
    (ledger / "tasks.yaml").symlink_to(real)
    assert run_cli("update", "3", "--note", "x").code == 0
    assert (ledger / "tasks.yaml").is_symlink()
    assert "note: x" in real.read_text("utf-8")


def test_only_the_hidden_lock_file_stays_in_the_data_directory(ledger):
    names = sorted(p.name for p in ledger.iterdir())
    assert run_cli("update", "3", "--status", "in-progress").code == 0
    lock = ledger / ".tasks.yaml.reformctl-lock"
    assert sorted(p.name for p in ledger.iterdir()) == sorted([*names, lock.name])
    assert lock.is_file() and not lock.is_symlink() and lock.stat().st_size < 200
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600  # tasks.yaml is 0644: only its owner writes
    assert run_cli("check").code == 0  # never read as data
    assert run_cli("update", "3", "--note", "again").code == 0  # and reused, not a new one
    assert sorted(p.name for p in ledger.iterdir()) == sorted([*names, lock.name])


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_only_our_own_dead_writers_temporaries_are_removed(ledger):
    from reformctl import fileio

    tag = fileio._host_tag()
    ours_dead = ledger / f".tasks.yaml.{tag}-{_dead_pid()}.abc123.reformctl-tmp"
    live = ledger / f".tasks.yaml.{tag}-{os.getppid()}.def456.reformctl-tmp"  # a live process
    other_host = ledger / f".tasks.yaml.0badc0de-{_dead_pid()}.ghi789.reformctl-tmp"
    no_creator = ledger / ".tasks.yaml.abc123.reformctl-tmp"  # says nothing of its writer
    for stale in (ours_dead, live, other_host, no_creator):
        stale.write_text("half a file", "utf-8")
    assert run_cli("check").code == 0  # never read as data
    assert run_cli("update", "3", "--note", "x").code == 0
    assert not ours_dead.exists()
    assert live.exists() and other_host.exists() and no_creator.exists()


@pytest.mark.parametrize("code, words", [
    (errno.ENOSPC, "the disk is full"),
    (errno.EACCES, "permission denied"),
    (errno.EROFS, "the file system is read-only"),
])
def test_write_failures_change_nothing(ledger, monkeypatch, code, words):
    """A full disk or read-only directory (simulated: tests may run as root)."""
    path = ledger / "tasks.yaml"
    before = path.read_bytes()
    real_fsync = os.fsync

    def failing_fsync(fd):
        if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).endswith(".reformctl-tmp"):
            raise OSError(code, os.strerror(code))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    result = run_cli("update", "3", "--status", "done")
    assert result.code == 1
    assert f"cannot write data/tasks.yaml: {words}; nothing was changed" in result.stderr
    assert path.read_bytes() == before
    assert [p.name for p in ledger.iterdir() if p.name.startswith(".")] == [
        ".tasks.yaml.reformctl-lock"]


def test_unwritable_directory_is_a_clear_error(ledger, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = run_cli("update", "3", "--status", "done")
    assert result.code == 1
    assert "permission denied; nothing was changed" in result.stderr


def test_unreadable_data_directory_is_a_clear_error(ledger, monkeypatch):
    import os

    real_open = os.open

    def deny(path, *args, **kwargs):
        if os.path.basename(path) == "tasks.yaml":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    result = run_cli("check")
    assert result.code == 1
    assert "data/tasks.yaml: error[unreadable]: cannot read the file: Permission denied" in (
        result.stdout)


@pytest.mark.parametrize("warm", [False, True])
def test_a_file_changed_by_someone_else_is_read_again_not_overwritten(ledger, warm):
    """An editor saves between our read and our write: we read again, and keep both changes."""
    from reformctl import edit

    path = ledger / "tasks.yaml"
    where = ledgers.LedgerDir(ledger, "--data")
    if warm:
        loader.load(where)  # the index of these bytes is cached: the fast path reads it
    else:
        path.write_text(path.read_text("utf-8") + "# never seen before\n", "utf-8")
    rounds = []

    def plan(index, now):
        rounds.append(1)
        if len(rounds) == 1:
            path.write_text(path.read_text("utf-8").replace(
                "    title: Joint-meeting", "    owner: 区总工会\n    title: Joint-meeting"),
                "utf-8")
        task = index.task(3)
        new = edit.apply_update(task, edit.Update(status="done", evidence=("x",)), "t", now)
        return transaction.Change(updated=[(task, new)])

    assert transaction.change_ledger(where, plan).written
    assert len(rounds) == 2
    tasks = tasks_of(ledger)
    assert tasks[1]["owner"] == "区总工会"  # the other edit survived
    assert tasks[3]["status"] == "done"


def _reformctl() -> list[str]:
    exe = Path(sys.executable).with_name("reformctl")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "reformctl"]


def test_24_concurrent_writers_lose_nothing(ledger):
    env = {**os.environ, "REFORMCTL_DATA": str(ledger), "NO_COLOR": "1"}
    procs = [
        subprocess.Popen([*_reformctl(), "update", str(1 + n % 3), "--note", f"writer {n}",
                          "--by", f"w{n}"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
        for n in range(24)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    tasks = tasks_of(ledger)
    notes = sorted(e["note"] for t in (1, 2, 3) for e in tasks[t]["history"])
    assert notes == sorted(f"writer {n}" for n in range(24))
    assert run_cli("check", "--strict").code == 0


WRITER = textwrap.dedent("""
    import sys
    from reformctl import edit
    from reformctl.transaction import Change, change_ledger
    from reformctl.ledgers import LedgerDir

    where = LedgerDir(__import__("pathlib").Path(sys.argv[1]), "--data")
    n = 0
    while True:
        n += 1
        def plan(ledger, now, n=n):
            task = ledger.task(1 + n % 29)
            new = edit.apply_update(task, edit.Update(note=f"loop {n}"), "killer-test", now)
            return Change(updated=[(task, new)])
        change_ledger(where, plan)
        print("wrote", n, flush=True)
""")


def test_writers_killed_at_random_moments_leave_a_valid_ledger(ledger, tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER, "utf-8")
    rng = random.Random(20181231)
    for _ in range(12):
        procs = [subprocess.Popen([sys.executable, str(script), str(ledger)],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                 for _ in range(2)]
        # kill while they are writing: after the first write of this round (however slow the
        # machine is to start them), at a random moment of the writes that follow
        ready, _, _ = select.select([procs[0].stdout], [], [], 120)
        assert ready and procs[0].stdout.readline().startswith(b"wrote"), "no writer wrote"
        time.sleep(rng.uniform(0.0, 0.5))
        for proc in procs:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stdout.close()
        loaded = loader.load(ledgers.LedgerDir(ledger, "--data"))
        assert loaded.errors == [], [str(d) for d in loaded.errors]
    assert run_cli("update", "3", "--note", "after the crashes").code == 0
    assert sorted(p.name for p in ledger.iterdir()) == [
        ".tasks.yaml.reformctl-lock", "tasks.yaml", "voices.yaml"]
    assert sum(len(t["history"]) for t in tasks_of(ledger).values()) > 1
