"""The command line as a user meets it: entry points, finding the ledger, init, errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import DATA, run_cli
from reformctl import __version__


def test_version():
    result = run_cli("--version")
    assert (result.code, result.stdout) == (0, f"reformctl {__version__}\n")


def test_installed_console_script_runs(outside):
    exe = Path(sys.executable).with_name("reformctl")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "reformctl"]
    env = {k: v for k, v in os.environ.items() if k != "REFORMCTL_DATA"}
    proc = subprocess.run([*command, "list", "--format", "json"], capture_output=True,
                          text=True, cwd=outside, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) == 29


def test_python_dash_m(outside):
    proc = subprocess.run([sys.executable, "-m", "reformctl", "--help"], capture_output=True,
                          text=True, cwd=outside, check=False)
    assert proc.returncode == 0 and "reformctl" in proc.stdout


def test_outside_any_checkout_the_packaged_sample_is_used(outside):
    result = run_cli("list", "--format", "json")
    tasks = json.loads(result.stdout)
    assert result.code == 0
    assert [t["id"] for t in tasks] == list(range(1, 30))
    assert tasks[21]["ref"] == "G3"


def test_nearest_data_directory_upwards(ledger, monkeypatch):
    sub = ledger.parent / "a" / "b"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    _mark(ledger, "HERE")
    assert json.loads(run_cli("list", "--format", "json").stdout)[0]["text"] == "HERE"


def test_data_option_beats_environment_beats_discovery(ledger, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(DATA, other)
    _mark(other, "OTHER")
    by_env = run_cli("list", "--format", "json", env={"REFORMCTL_DATA": str(other)})
    assert json.loads(by_env.stdout)[0]["text"] == "OTHER"
    by_option = run_cli("list", "--format", "json", "--data", str(ledger),
                        env={"REFORMCTL_DATA": str(other)})
    assert json.loads(by_option.stdout)[0]["text"] == "建立区级职工事务经费保障联席会议制度。"


def _mark(data: Path, text: str) -> None:
    path = data / "tasks.yaml"
    path.write_text(path.read_text("utf-8").replace("建立区级职工事务经费保障联席会议制度。", text),
                    "utf-8")


def test_init_writes_sample_and_refuses_to_overwrite(outside):
    first = run_cli("init", "proj")
    assert first.code == 0, first.stderr
    assert (outside / "proj" / "data" / "tasks.yaml").read_bytes() == (
        DATA / "tasks.yaml").read_bytes()
    again = run_cli("init", "proj")
    assert again.code == 1
    assert "already exists; init never overwrites" in again.stderr
    assert (outside / "proj" / "schema" / "tasks.schema.json").is_file()


def test_broken_ledger_stops_other_commands_with_exit_1(ledger):
    (ledger / "tasks.yaml").write_text("plan: [\n", "utf-8")
    result = run_cli("list")
    assert result.code == 1
    assert "data/tasks.yaml:" in result.stderr and "reformctl check" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_option_is_usage_error(ledger):
    result = run_cli("list", "--colour")
    assert result.code == 2


def test_writing_commands_refuse_the_sample(outside):
    from reformctl.errors import WriteError
    from reformctl.ledgers import find_ledger

    where = find_ledger()
    assert where.read_only
    try:
        where.require_writable()
    except WriteError as exc:
        assert "reformctl init" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("the packaged sample must be read-only")


def test_a_failing_stdout_is_a_clean_error(outside):
    exe = Path(sys.executable).with_name("reformctl")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "reformctl"]
    with open("/dev/full", "w") as full:
        proc = subprocess.run([*command, "list"], stdout=full, stderr=subprocess.PIPE,
                              text=True, cwd=outside, check=False)
    assert proc.returncode == 1
    assert "cannot write the output: No space left on device" in proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
