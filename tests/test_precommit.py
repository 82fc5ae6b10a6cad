"""The pre-commit hook other repositories use (tried by hand with `pre-commit try-repo`)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import FIXTURES, ROOT


def hook() -> dict:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert [h["id"] for h in hooks] == ["reformctl-check"]
    return hooks[0]


def test_hook_definition():
    h = hook()
    assert h["language"] == "python" and h["pass_filenames"] is False
    files = re.compile(h["files"])
    assert files.search("data/tasks.yaml") and files.search("plans/data/voices.yaml")
    assert not files.search("data/other.yaml") and not files.search("tasks.yaml.bak")


def test_hook_entry_fails_on_a_broken_ledger_and_passes_on_a_clean_one(tmp_path):
    exe = Path(sys.executable).with_name("reformctl")
    entry = shlex.split(hook()["entry"])
    assert entry[0] == "reformctl"
    command = [str(exe) if exe.exists() else "reformctl", *entry[1:]]
    shutil.copytree(FIXTURES / "base", tmp_path / "data")
    assert subprocess.run(command, cwd=tmp_path, capture_output=True, check=False).returncode == 0
    shutil.copy(FIXTURES / "broken" / "unknown-key" / "tasks.yaml", tmp_path / "data")
    failed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert failed.returncode == 1 and "error[unknown-key]" in failed.stdout
