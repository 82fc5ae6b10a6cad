"""`reformctl check DIR...`: many ledgers in one run, one summary."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli


def _units(root: Path, *names: str) -> None:
    for name in names:
        assert run_cli("init", str(root / name)).code == 0


def test_a_parent_directory_is_searched(outside: Path) -> None:
    _units(outside / "district", "u1", "u2", "nested/u3")
    (outside / "district/.git/data").mkdir(parents=True)  # hidden: never entered
    (outside / "district/.git/data/tasks.yaml").write_text("broken: [")
    result = run_cli("check", "district")
    assert result.code == 0, result.stderr
    assert result.stderr == "3 ledgers: no problems (87 tasks)\n"


def test_every_problem_with_its_path_and_one_summary(outside: Path) -> None:
    _units(outside / "d", "u1", "u2")
    path = outside / "d/u2/data/tasks.yaml"
    path.write_text(path.read_text().replace("status: todo", "status: tod", 1))
    result = run_cli("check", "d", "d/u1", "--format", "text")
    assert result.code == 1
    assert result.stdout.startswith("d/u2/data/tasks.yaml:19:13: error[invalid-value]: status 'tod'")
    assert result.stderr == "1 error, 0 warnings in 2 ledgers\n"
    listed = json.loads(run_cli("check", "d", "--format", "json").stdout)
    assert {d["file"] for d in listed} == {"d/u2/data/tasks.yaml"}


def test_paths_of_every_kind(outside: Path) -> None:
    _units(outside, "u1", "u2")
    result = run_cli("check", "u1", "u2/data", "u2/data/tasks.yaml", "--data", "u1/data")
    assert result.code == 0 and result.stderr == "2 ledgers: no problems (58 tasks)\n"


def test_nothing_to_check_is_a_usage_error(outside: Path) -> None:
    (outside / "empty").mkdir()
    result = run_cli("check", "empty")
    assert result.code == 2
    assert "no ledger in empty: no data/tasks.yaml in it or in any directory below it" in (
        result.stderr)
    assert run_cli("check", "missing").code == 2


def test_strict_fails_on_warnings(outside: Path) -> None:
    _units(outside, "u1")
    path = outside / "u1/data/tasks.yaml"
    path.write_text(path.read_text().replace("status: todo", "status: done", 1))
    assert run_cli("check", "u1").code == 0
    assert run_cli("check", "u1", "--strict").code == 1
