"""Writers of one ledger, with real processes: serialized whoever and wherever they are, hand
edits kept, read-only files refused, nothing in a shared place trusted.

The tests with real users run only as root: they create a group and users (useradd), run writers
as those users (setpriv), and remove them again.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import DATA, ROOT, run_cli

LOCK = ".tasks.yaml.reformctl-lock"

# One writer process: N updates in a row through the real entry point, each adding a distinct
# note; prints the note of every update that exited 0.
WRITER = textwrap.dedent("""
    import os, sys
    os.umask(0o002)
    from reformctl import transaction
    from reformctl.cli import main
    transaction.LOCK_TIMEOUT = float(os.environ.get("TEST_LOCK_TIMEOUT", "120"))
    data, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for i in range(count):
        note = f"{tag}-{i}"
        try:
            main(["update", str(1 + i % 29), "--note", note, "--by", tag, "--data", data])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        if code == 0:
            print(note, flush=True)
""")

# The real entry point, with os.fsync made to stop after the new text of tasks.yaml is synced
# (it says so in DIR/synced and waits for DIR/go), and with the pause before reading again a file
# that looks half saved announced in DIR/settling (waiting for DIR/go2).
DELAYED = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    signals = Path(sys.argv[1])

    def wait_for(name):
        deadline = time.monotonic() + 60
        while not (signals / name).exists() and time.monotonic() < deadline:
            time.sleep(0.01)

    real_fsync = os.fsync
    stopped = []

    def fsync(fd):
        real_fsync(fd)
        if not stopped and os.readlink(f"/proc/self/fd/{fd}").endswith(".reformctl-tmp"):
            stopped.append(fd)
            (signals / "synced").touch()
            wait_for("go")

    os.fsync = fsync
    from reformctl import lockfile, transaction

    def pause(seconds):
        (signals / "settling").touch()
        wait_for("go2")

    transaction._pause = pause
    if os.environ.get("TEST_LOCK_TIMEOUT"):
        transaction.LOCK_TIMEOUT = float(os.environ["TEST_LOCK_TIMEOUT"])
        lockfile.TELL_AFTER = 0.0
    from reformctl.cli import main
    main(sys.argv[2:])
""")


def history_notes(data: Path) -> list[str]:
    tasks = yaml.safe_load((data / "tasks.yaml").read_text("utf-8"))["tasks"]
    return [e["note"] for t in tasks for e in t.get("history", []) if e.get("note")]


def wait_for(path: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"{path.name} never came"
        time.sleep(0.01)


def env_for(ledger: Path, **extra: str) -> dict[str, str]:
    # The lock waits longer than the 2 minutes a person gets: 75 writers queue for it, and on a
    # loaded 2-core CI machine the last of them waited more than 120 s (a timeout, not a loss,
    # but these tests count losses).
    return {**os.environ, "NO_COLOR": "1", "REFORMCTL_USER": "t", "COLUMNS": "100",
            "PYTHONPATH": str(ROOT / "src"), "TEST_LOCK_TIMEOUT": "900", **extra}


# ---------------------------------------------------------------------------------------------
# Hand edits survive


def delayed(tmp_path: Path, ledger: Path, *args: str,
            **env: str) -> tuple[subprocess.Popen, Path]:
    signals = tmp_path / "signals"
    signals.mkdir()
    script = tmp_path / "delayed.py"
    script.write_text(DELAYED, "utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(signals), *args,
                             "--data", str(ledger)], env=env_for(ledger, **env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc, signals


@pytest.mark.parametrize("how", ["in-place", "rename"])
def test_an_editors_save_during_the_fsync_is_kept(ledger, tmp_path, how):
    path = ledger / "tasks.yaml"
    proc, signals = delayed(tmp_path, ledger, "update", "3", "--note", "written by reformctl")
    wait_for(signals / "synced", proc)  # the new text is written and synced: now the editor saves
    edited = path.read_text("utf-8").replace("    title: Joint-meeting",
                                             "    owner: 区总工会\n    title: Joint-meeting")
    if how == "in-place":
        with open(path, "r+", encoding="utf-8") as handle:
            handle.truncate()
            handle.write(edited)
    else:
        (ledger / "saved.tmp").write_text(edited, "utf-8")
        os.replace(ledger / "saved.tmp", path)
    (signals / "go").touch()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    tasks = {t["id"]: t for t in yaml.safe_load(path.read_text("utf-8"))["tasks"]}
    assert tasks[1]["owner"] == "区总工会"  # the editor's save
    assert tasks[3]["history"][-1]["note"] == "written by reformctl"  # and the update
    assert run_cli("check", "--data", str(ledger)).code == 0


def test_a_file_truncated_mid_save_is_read_again_not_refused(ledger, tmp_path):
    path = ledger / "tasks.yaml"
    proc, signals = delayed(tmp_path, ledger, "update", "3", "--note", "written by reformctl")
    wait_for(signals / "synced", proc)
    edited = path.read_text("utf-8").replace("    title: Joint-meeting",
                                             "    owner: 区总工会\n    title: Joint-meeting")
    with open(path, "r+", encoding="utf-8") as handle:
        handle.truncate()  # the editor has emptied the file and not yet written it
        (signals / "go").touch()
        wait_for(signals / "settling", proc)  # reformctl found it empty and waits a moment
        handle.write(edited)
    (signals / "go2").touch()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "empty" not in err
    tasks = {t["id"]: t for t in yaml.safe_load(path.read_text("utf-8"))["tasks"]}
    assert tasks[1]["owner"] == "区总工会"
    assert tasks[3]["history"][-1]["note"] == "written by reformctl"


# ---------------------------------------------------------------------------------------------
# Files the user may not write


def test_a_read_only_file_is_refused_not_replaced(ledger):
    path = ledger / "tasks.yaml"
    before = path.read_bytes()
    path.chmod(0o444)
    result = run_cli("update", "3", "--note", "x")
    assert result.code == 1
    assert result.stderr == (
        "reformctl: error: data/tasks.yaml is read-only (mode 0444); nothing was changed\n"
        "  hint: if it is meant to change, make it writable first: chmod u+w data/tasks.yaml\n")
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert run_cli("update", "3", "--note", "x", "--dry-run").code == 0  # writes nothing: fine
    path.chmod(0o644)
    assert run_cli("update", "3", "--note", "x").code == 0


# ---------------------------------------------------------------------------------------------
# The lock


def test_a_waiting_writer_says_who_holds_the_lock_and_how_long_it_waits(ledger, tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import fcntl, os, sys, time
        fd = os.open({str(ledger / LOCK)!r}, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        print("held", flush=True)
        time.sleep(120)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        before = (ledger / "tasks.yaml").read_bytes()
        proc, _ = delayed(tmp_path, ledger, "update", "3", "--note", "x",
                          TEST_LOCK_TIMEOUT="2")
        out, err = proc.communicate(timeout=120)
        user = __import__("pwd").getpwuid(os.geteuid()).pw_name
        assert proc.returncode == 1
        assert (f"waiting for process {holder.pid} ({user}), which is writing data/tasks.yaml "
                "(waiting up to 2 s)") in err.replace(str(ledger.parent) + "/", "")
        assert f"process {holder.pid} ({user}) has been writing" in err
        assert "more than 2 s; nothing was changed" in err
        assert (ledger / "tasks.yaml").read_bytes() == before
    finally:
        holder.kill()
        holder.communicate()
    assert run_cli("update", "3", "--note", "x").code == 0  # a dead holder holds nothing


@pytest.mark.parametrize("kind", ["symlink", "fifo", "directory"])
def test_a_lock_place_that_is_not_a_file_is_never_followed(ledger, tmp_path, kind):
    elsewhere = tmp_path / "elsewhere"
    lock = ledger / LOCK
    if kind == "symlink":
        lock.symlink_to(elsewhere)
    elif kind == "fifo":
        os.mkfifo(lock)
    else:
        lock.mkdir()
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("update", "3", "--note", "x")
    assert result.code == 1
    assert result.stderr.startswith(
        "reformctl: error: data/.tasks.yaml.reformctl-lock should be reformctl's lock file, but "
        "it is a symlink, directory or other non-file, which reformctl does not follow or use; "
        "nothing was changed\n")
    assert "hint: remove it" in result.stderr
    assert not elsewhere.exists()
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_the_old_shared_lock_directory_means_nothing(ledger, tmp_path, monkeypatch):
    """Another user's file, symlink or open directory where older versions kept their locks
    neither blocks nor redirects a write."""
    for n, make in enumerate(("file", "symlink", "open-dir")):
        tmp = tmp_path / f"tmp{n}"
        tmp.mkdir()
        old = tmp / f"reformctl-locks-{os.getuid()}"
        if make == "file":
            old.write_text("x")
        elif make == "symlink":
            old.symlink_to(tmp_path / "target")
        else:
            old.mkdir(mode=0o777)
        monkeypatch.setenv("TMPDIR", str(tmp))
        tempfile.tempdir = None
        try:
            assert run_cli("update", "3", "--note", f"n{n}").code == 0
        finally:
            tempfile.tempdir = None
    assert not (tmp_path / "target").exists()


def run_writers(specs: list[tuple[list[str], Path, str, dict[str, str]]], count: int,
                script: Path) -> tuple[list[str], list[str]]:
    """Start every writer at once; the notes of the updates that exited 0, and their stderr."""
    procs = [subprocess.Popen([*prefix, str(script), str(data), tag, str(count)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for prefix, data, tag, env in specs]
    done, errors = [], []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        done += out.split()
        errors.append(err)
    return done, errors


@pytest.mark.slow
def test_writers_through_two_tmpdirs_and_a_symlink_lose_nothing(ledger, tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER, "utf-8")
    link = tmp_path / "link"
    link.symlink_to(ledger, target_is_directory=True)
    specs = []
    for n, (data, tmp) in enumerate(((ledger, "a"), (ledger, "b"), (link, "c"))):
        (tmp_path / tmp).mkdir()
        specs.append(([sys.executable], data, f"w{n}",
                      env_for(ledger, TMPDIR=str(tmp_path / tmp))))
    done, errors = run_writers(specs, 25, script)
    assert len(done) == 75, errors
    notes = [n for n in history_notes(ledger) if n.startswith("w")]
    assert Counter(notes) == Counter(done) and len(set(done)) == 75  # each exactly once
    assert run_cli("check", "--strict", "--data", str(ledger)).code == 0


# ---------------------------------------------------------------------------------------------
# Real users (root only)


def _python_for(user: str) -> list[str] | None:
    """An interpreter the user may run, with reformctl and its dependencies importable."""
    for candidate in (sys.executable, f"/usr/bin/python{sys.version_info[0]}.{sys.version_info[1]}"):
        gid = __import__("pwd").getpwnam(user).pw_gid
        if subprocess.run(["setpriv", f"--reuid={user}", f"--regid={gid}", "--clear-groups",
                           candidate, "-c", "import reformctl, yaml, pydantic, typer"],
                          env=_user_env(), capture_output=True).returncode == 0:
            return [candidate]
    return None


def _user_env() -> dict[str, str]:
    import sysconfig

    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1",
            "PYTHONPATH": f"{ROOT / 'src'}:{sysconfig.get_paths()['purelib']}",
            "PYTHONDONTWRITEBYTECODE": "1", "REFORMCTL_NO_CACHE": "1"}


@pytest.fixture(scope="module")
def users():
    """A group with two members (alice, bob) and one outsider (eve); removed afterwards."""
    if os.geteuid() != 0:
        pytest.skip("creating users needs root")
    if not shutil.which("useradd") or not shutil.which("setpriv"):
        pytest.skip("needs useradd and setpriv")
    tag = uuid.uuid4().hex[:6]
    group = f"rfg{tag}"
    names = {who: f"rf{who[0]}{tag}" for who in ("alice", "bob", "eve")}
    base = Path(tempfile.mkdtemp(prefix="reformctl-users-", dir="/tmp"))
    base.chmod(0o755)
    made: list[str] = []
    try:
        subprocess.run(["groupadd", group], check=True, capture_output=True)
        for who, name in names.items():
            extra = [] if who == "eve" else ["-G", group]
            subprocess.run(["useradd", "-M", "-N", "-d", str(base), "-s", "/bin/sh", *extra,
                            name], check=True, capture_output=True)
            made.append(name)
        python = _python_for(names["alice"])
        if python is None:
            pytest.skip("no Python interpreter these users may run")
        yield {"group": group, "base": base, "python": python, **names}
    finally:
        for name in made:
            subprocess.run(["userdel", name], capture_output=True)
        subprocess.run(["groupdel", group], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def as_user(users: dict, who: str) -> list[str]:
    import pwd

    name = users[who]
    gid = pwd.getpwnam(name).pw_gid
    return ["setpriv", f"--reuid={name}", f"--regid={gid}", "--init-groups", *users["python"]]


@pytest.fixture
def shared(users):
    """A shared group directory (setgid, umask 002 files) holding a ledger and a writer."""
    import grp

    gid = grp.getgrnam(users["group"]).gr_gid
    top = users["base"] / uuid.uuid4().hex[:8]
    top.mkdir()
    top.chmod(0o755)
    data = top / "shared" / "data"
    shutil.copytree(DATA, data)
    for path in (data.parent, data):
        os.chown(path, -1, gid)
        path.chmod(0o2775)
    for name in ("tasks.yaml", "voices.yaml"):
        os.chown(data / name, -1, gid)
        (data / name).chmod(0o664)
    script = top / "writer.py"
    script.write_text(WRITER, "utf-8")
    script.chmod(0o644)
    yield data, script, gid
    shutil.rmtree(top, ignore_errors=True)


@pytest.mark.slow
def test_two_users_in_a_shared_group_directory_lose_nothing(users, shared):
    import pwd

    data, script, gid = shared
    top = data.parent.parent
    link = top / "link"
    link.symlink_to(data, target_is_directory=True)
    specs = []
    for n, (who, path) in enumerate((("alice", data), ("bob", data), ("bob", link))):
        tmp = top / f"tmp{n}"  # a TMPDIR of its own for each writer
        tmp.mkdir()
        tmp.chmod(0o1777)
        env = {**_user_env(), "TMPDIR": str(tmp), "REFORMCTL_USER": who}
        specs.append((as_user(users, who), path, f"{who}{n}", env))
    done, errors = run_writers(specs, 25, script)
    assert len(done) == 75, errors
    notes = [n for n in history_notes(data) if n.startswith(("alice", "bob"))]
    assert Counter(notes) == Counter(done) and len(set(done)) == 75
    info = (data / "tasks.yaml").stat()
    assert stat.S_IMODE(info.st_mode) == 0o664 and info.st_gid == gid  # mode and group kept
    assert pwd.getpwuid(info.st_uid).pw_name in (users["alice"], users["bob"])  # as with git
    lock = (data / LOCK).stat()
    assert stat.S_IMODE(lock.st_mode) == 0o660 and lock.st_gid == gid  # writers only
    assert run_cli("check", "--strict", "--data", str(data)).code == 0


def test_an_outsider_can_neither_hold_nor_redirect_the_lock(users, shared):
    data, script, gid = shared
    top = data.parent.parent
    assert run_cli("update", "3", "--note", "first", "--data", str(data)).code == 0
    # eve (not in the group) may read the ledger, but not open the lock file to hold it
    probe = subprocess.run([*as_user(users, "eve"), "-c", textwrap.dedent(f"""
        import fcntl, os, sys
        print(open({str(data / 'tasks.yaml')!r}, 'rb').read(4))
        try:
            fd = os.open({str(data / LOCK)!r}, os.O_RDONLY)
        except PermissionError:
            sys.exit(7)
        fcntl.flock(fd, fcntl.LOCK_EX)
    """)], env=_user_env(), capture_output=True, text=True)
    assert probe.returncode == 7, probe.stderr
    # and what she makes in the shared temporary directory means nothing to alice's writes
    tmp = top / "tmp"
    tmp.mkdir()
    tmp.chmod(0o1777)
    import pwd

    alice = pwd.getpwnam(users["alice"]).pw_uid
    subprocess.run([*as_user(users, "eve"), "-c", textwrap.dedent(f"""
        import os
        os.mkdir({str(tmp / f'reformctl-locks-{alice}')!r}, 0o777)
        os.symlink({str(top / 'planted')!r}, {str(tmp / 'reformctl-locks-x')!r})
    """)], env=_user_env(), check=True)
    result = subprocess.run([*as_user(users, "alice"), str(script), str(data), "alice", "3"],
                            env={**_user_env(), "TMPDIR": str(tmp)}, capture_output=True,
                            text=True, timeout=300)
    assert result.stdout.split() == ["alice-0", "alice-1", "alice-2"], result.stderr
    assert not (top / "planted").exists()


def test_another_users_file_is_refused_not_replaced(users, shared):
    import pwd

    data, script, gid = shared
    path = data / "tasks.yaml"
    os.chown(path, pwd.getpwnam(users["alice"]).pw_uid, gid)
    path.chmod(0o644)  # alice's, and not group-writable
    before = path.read_bytes()
    result = subprocess.run(
        [*as_user(users, "bob"), "-m", "reformctl", "update", "3", "--note", "x",
         "--data", str(data)], env=_user_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert (f"tasks.yaml belongs to {users['alice']} and {users['bob']} may not write it "
            "(mode 0644); nothing was changed") in result.stderr
    assert f"hint: ask {users['alice']} to make it writable by a group you share" in result.stderr
    assert path.read_bytes() == before
    assert pwd.getpwuid(path.stat().st_uid).pw_name == users["alice"]
    # group-writable again: bob may write it, and becomes its owner (as with git)
    path.chmod(0o664)
    result = subprocess.run(
        [*as_user(users, "bob"), "-m", "reformctl", "update", "3", "--note", "x",
         "--data", str(data)], env=_user_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    info = path.stat()
    assert pwd.getpwuid(info.st_uid).pw_name == users["bob"]
    assert (stat.S_IMODE(info.st_mode), info.st_gid) == (0o664, gid)


@pytest.mark.slow
def test_deleting_the_lock_file_during_writes_loses_nothing(ledger, tmp_path):
    """Someone deletes the lock file again and again while writers run: a writer whose lock file
    was deleted takes the new one too before it replaces the file; nothing is lost."""
    script = tmp_path / "writer.py"
    script.write_text(WRITER, "utf-8")
    deleter = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import os, time
        while True:
            try:
                os.unlink({str(ledger / LOCK)!r})
            except FileNotFoundError:
                pass
            time.sleep(0.002)
    """)])
    try:
        specs = [([sys.executable], ledger, f"d{n}", env_for(ledger)) for n in range(2)]
        done, errors = run_writers(specs, 25, script)
    finally:
        deleter.kill()
        deleter.wait()
    notes = [n for n in history_notes(ledger) if n.startswith("d")]
    assert Counter(notes) == Counter(done) and len(set(done)) == len(done)
    assert len(done) == 50, errors
    assert run_cli("check", "--strict", "--data", str(ledger)).code == 0
