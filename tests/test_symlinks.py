"""Files that are not the ledger stay unread (issue 11): a data file that links outside the
ledger's directory (or the git work tree that holds it) is refused without being read, and no
byte of what it points to, nor where it points, reaches any output. Reads are capped whatever
size a file reports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from reformctl import yamldoc
from reformctl.fileio import read_bytes

SECRET = "https://x-access-token:ghp_S3cr3tT0k3nNeverPrinted0123456789@github.com"
USER = {"REFORMCTL_USER": "测试"}
REFORMCTL = shutil.which("reformctl") or str(Path(sys.executable).with_name("reformctl"))

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("check",),
    ("check", "--format", "json"),
    ("check", "--format", "github"),
    ("check", "--strict"),
    ("list",),
    ("list", "--format", "json"),
    ("show", "1"),
    ("voices",),
    ("log",),
    ("report",),
    ("report", "--format", "json"),
    ("update", "1", "--status", "done"),
    ("update", "1", "--note", "x", "--dry-run"),
    ("add", "-l", "G", "新任务。"),
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git work tree (a .git directory is enough: git is never run) holding data/, with a
    secret file outside it (beside it, in the same temporary directory)."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "base", root / "data")
    (root / ".git").mkdir()
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "token.txt").write_text(SECRET + "\n")
    (secrets / "tasks.yaml").write_text(f"plan: {{title: '{SECRET}'}}\ntasks: []\n")
    monkeypatch.chdir(tmp_path)  # the secret is below the working directory: a short path
    monkeypatch.delenv("REFORMCTL_DATA", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("REFORMCTL_ALLOW_OUTSIDE", raising=False)
    return root


def assert_nothing_leaks(output: str) -> None:
    assert "S3cr3t" not in output and "x-access-token" not in output
    assert "token.txt" not in output and "secrets" not in output


@pytest.mark.parametrize("name", ["tasks.yaml", "voices.yaml"])
@pytest.mark.parametrize("target", ["secrets/token.txt", "secrets/tasks.yaml"])
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_link_to_a_secret_is_refused_by_every_command(repo, name, target, command):
    link = repo / "data" / name
    link.unlink()
    link.symlink_to(repo.parent / target)  # absolute
    before = (repo.parent / target).read_bytes()
    env = {**USER, "GITHUB_ACTIONS": "true"} if "github" in command else USER
    result = run_cli(*command, "--data", "repo/data", env=env)
    assert result.code == 1, (result.stdout, result.stderr)
    output = result.stdout + result.stderr
    assert_nothing_leaks(output)
    assert f"repo/data/{name}" in output
    assert "link-outside" in output or "symbolic link" in output
    assert "Traceback" not in output
    assert link.is_symlink() and (repo.parent / target).read_bytes() == before


def test_the_message_names_the_link_and_what_to_do(repo):
    link = repo / "data" / "tasks.yaml"
    link.unlink()
    link.symlink_to("../../secrets/token.txt")  # relative
    result = run_cli("check", "--data", "repo/data")
    assert result.stdout == (
        "repo/data/tasks.yaml: error[link-outside]: this is a symbolic link (or is reached through "
        "one) to a file outside the ledger's directory and the git work tree that holds it, so it "
        "was not read; put the file itself here, or, if you trust where the link points, set "
        "REFORMCTL_ALLOW_OUTSIDE=1\n")


def test_github_annotations_in_ci_leak_nothing(repo):
    """What the issue saw: `GITHUB_ACTIONS=true reformctl check` in a pull request's CI."""
    if not Path(REFORMCTL).exists():
        pytest.skip("the reformctl command is not installed")
    link = repo / "data" / "tasks.yaml"
    link.unlink()
    link.symlink_to(repo.parent / "secrets" / "token.txt")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFORMCTL_")}
    env.update(GITHUB_ACTIONS="true", NO_COLOR="1")
    proc = subprocess.run([REFORMCTL, "check"], cwd=repo, env=env, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 1
    assert proc.stdout.startswith("::error file=data/tasks.yaml,title=reformctl link-outside::")
    assert_nothing_leaks(proc.stdout + proc.stderr)


def test_a_data_directory_linked_outside_the_work_tree_is_refused(repo):
    outside_ledger = repo.parent / "secrets" / "ledger"
    shutil.copytree(repo / "data", outside_ledger)
    shutil.rmtree(repo / "data")
    (repo / "data").symlink_to(outside_ledger)
    result = run_cli("check", "--data", "repo/data")
    assert result.code == 1
    assert "repo/data/tasks.yaml: error[link-outside]" in result.stdout
    assert "repo/data/voices.yaml: error[link-outside]" in result.stdout
    assert_nothing_leaks(result.stdout + result.stderr)


def test_a_link_inside_the_work_tree_is_read_and_written_through(repo):
    (repo / "ledgers").mkdir()
    (repo / "data" / "tasks.yaml").rename(repo / "ledgers" / "tasks.yaml")
    (repo / "data" / "tasks.yaml").symlink_to("../ledgers/tasks.yaml")
    assert run_cli("check", "--strict", "--data", "repo/data").code == 0
    assert run_cli("update", "1", "--note", "经链接写入", "--data", "repo/data", env=USER).code == 0
    assert (repo / "data" / "tasks.yaml").is_symlink()
    assert "经链接写入" in (repo / "ledgers" / "tasks.yaml").read_text("utf-8")


def test_without_a_work_tree_a_link_may_not_leave_the_ledger_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REFORMCTL_ALLOW_OUTSIDE", raising=False)
    shutil.copytree(FIXTURES / "base", tmp_path / "data")
    (tmp_path / "data" / "real").mkdir()
    (tmp_path / "data" / "voices.yaml").rename(tmp_path / "data" / "real" / "voices.yaml")
    (tmp_path / "data" / "voices.yaml").symlink_to("real/voices.yaml")  # inside: fine
    assert run_cli("check", "--strict", "--data", "data").code == 0
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "data" / "real" / "voices.yaml").rename(tmp_path / "elsewhere" / "voices.yaml")
    (tmp_path / "data" / "real" / "voices.yaml").symlink_to("../../elsewhere/voices.yaml")
    result = run_cli("check", "--data", "data")
    assert result.code == 1 and "data/voices.yaml: error[link-outside]" in result.stdout
    assert "elsewhere" not in result.stdout + result.stderr


@pytest.mark.parametrize("value", ["1", "yes"])
def test_the_user_may_allow_a_link_outside(repo, monkeypatch, value):
    shared = repo.parent / "shared-voices.yaml"
    (repo / "data" / "voices.yaml").rename(shared)
    (repo / "data" / "voices.yaml").symlink_to(shared)
    assert run_cli("check", "--data", "repo/data").code == 1
    monkeypatch.setenv("REFORMCTL_ALLOW_OUTSIDE", value)
    assert run_cli("check", "--strict", "--data", "repo/data").code == 0
    monkeypatch.setenv("REFORMCTL_ALLOW_OUTSIDE", "0")
    assert run_cli("check", "--data", "repo/data").code == 1


def test_a_dangling_link_is_a_missing_file(repo):
    (repo / "data" / "tasks.yaml").unlink()
    (repo / "data" / "tasks.yaml").symlink_to("gone.yaml")
    result = run_cli("check", "--data", "repo/data")
    assert result.code == 1
    assert "repo/data/tasks.yaml: error[missing-file]: the file does not exist (a symbolic link " \
        "to nothing?)" in result.stdout


# ---------------------------------------------------------------------------------------------
# A cap on every read, whatever size the file reports


@pytest.mark.parametrize("name", ["/proc/self/pagemap", "/proc/self/environ", "/proc/self/maps"])
def test_files_that_report_size_zero_are_read_with_a_cap(name):
    path = Path(name)
    if not path.exists() or path.stat().st_size != 0:
        pytest.skip(f"{name} is not a size-0 file here")
    data, problems = read_bytes(path, limit=64)
    assert data is None
    assert [(d.code, d.message.split(";")[0]) for d in problems] == [
        ("file-too-large", "the file holds more than 64 bytes")]


def test_a_size_zero_file_through_the_cli(tmp_path, monkeypatch):
    """A ledger whose tasks.yaml is /proc/self/maps (allowed outside, on purpose) is refused by
    size, not read whole."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(FIXTURES / "base", tmp_path / "data")
    (tmp_path / "data" / "tasks.yaml").unlink()
    (tmp_path / "data" / "tasks.yaml").symlink_to("/proc/self/maps")
    monkeypatch.setenv("REFORMCTL_ALLOW_OUTSIDE", "1")
    monkeypatch.setattr(yamldoc, "MAX_BYTES", 1024)
    result = run_cli("check", "--data", "data")
    assert result.code == 1
    assert result.stdout.startswith(
        "data/tasks.yaml: error[file-too-large]: the file holds more than 1024 bytes; reformctl "
        "reads data files of at most 1024 bytes")


def test_a_file_exactly_at_the_limit_is_read(tmp_path):
    path = tmp_path / "tasks.yaml"
    path.write_bytes(b"x" * 100)
    assert read_bytes(path, limit=100) == (b"x" * 100, [])
    assert read_bytes(path, limit=99)[1][0].code == "file-too-large"


def test_a_large_file_is_read_whole_in_chunks(tmp_path):
    path = tmp_path / "tasks.yaml"
    content = os.urandom(3 * 2**20 + 17)
    path.write_bytes(content)
    assert read_bytes(path) == (content, [])


def test_a_missing_optional_file_is_no_problem(tmp_path):
    assert read_bytes(tmp_path / "voices.yaml", optional=True) == (None, [])
    assert read_bytes(tmp_path / "voices.yaml")[1][0].code == "missing-file"
