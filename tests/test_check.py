"""`reformctl check`: every rule gives the exact path:line:col and message (golden files)."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, assert_golden, broken_ledger, run_cli

CASES = sorted(p.name for p in (FIXTURES / "broken").iterdir())


@pytest.mark.parametrize("case", CASES)
def test_broken_ledger_reports_exact_location(case, outside):
    broken_ledger(case, outside)
    result = run_cli("check", "--data", "data")
    assert result.code == (0 if case in WARNING_ONLY else 1), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert_golden(FIXTURES / "broken" / case / "expected.txt", result.stdout)


WARNING_ONLY = {"status-unrecorded", "status-unrecorded-empty-history", "status-progress",
                "missing-evidence"}


@pytest.mark.parametrize("case", sorted(WARNING_ONLY))
def test_warnings_fail_only_with_strict(case, outside):
    broken_ledger(case, outside)
    assert run_cli("check", "--data", "data").code == 0
    assert run_cli("check", "--data", "data", "--strict").code == 1


def test_base_fixture_is_clean(outside):
    import shutil

    shutil.copytree(FIXTURES / "base", outside / "data")
    result = run_cli("check")
    assert (result.code, result.stdout) == (0, "")
    assert "no problems (3 tasks, 1 statement)" in result.stderr


def test_all_problems_of_all_files_in_one_run(outside):
    data = broken_ledger("unknown-key", outside)
    (data / "voices.yaml").write_text(
        (FIXTURES / "broken" / "voice-unknown-task" / "voices.yaml").read_text("utf-8"), "utf-8")
    result = run_cli("check", "--format", "json")
    found = [(d["file"], d["code"]) for d in json.loads(result.stdout)]
    assert ("data/tasks.yaml", "unknown-key") in found
    assert ("data/voices.yaml", "unknown-task") in found
    assert result.code == 1


def test_json_format_shape(outside):
    broken_ledger("invalid-status", outside)
    result = run_cli("check", "--format", "json")
    assert json.loads(result.stdout) == [{
        "file": "data/tasks.yaml", "line": 13, "column": 13, "severity": "error",
        "code": "invalid-value",
        "message": "status '已完成' in task 1 is not one of: todo, in-progress, done, "
                   "blocked, dropped; did you mean 'done'? (the file takes the English value)",
    }]


def test_github_format_escapes_and_locates(outside):
    broken_ledger("unknown-key", outside)
    result = run_cli("check", "--format", "github")
    assert result.stdout == (
        "::error file=data/tasks.yaml,line=23,col=5,title=reformctl unknown-key::unknown key "
        "'stauts' in task 2; did you mean 'status'? valid keys: id, level, seq, text, title, "
        "owner, partners, due, status, progress, tags, related, history\n"
    )


def test_github_format_is_default_on_github_actions(outside):
    broken_ledger("unknown-key", outside)
    result = run_cli("check", env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith("::error file=data/tasks.yaml,line=23,col=5,")


def test_check_that_cannot_run_exits_2(outside):
    result = run_cli("check", "--data", "no/such/dir")
    assert result.code == 2
    assert "not a directory" in result.stderr


def test_check_never_passes_on_the_packaged_sample(outside):
    """Outside any ledger, check cannot run (a CI job or hook must not go green on the sample)."""
    result = run_cli("check")
    assert result.code == 2
    assert "no ledger to check" in result.stderr and "--data" in result.stderr
    assert run_cli("check", "--format", "github", env={"GITHUB_ACTIONS": "true"}).code == 2


def test_on_a_terminal_the_line_and_a_caret_under_the_column(outside):
    """Wide characters count two cells: the caret still sits under the problem."""
    broken_ledger("invalid-status", outside)
    # a terminal, no colour (TTY_COMPATIBLE: rich >= 14; FORCE_COLOR: rich 13)
    result = run_cli("check", env={"NO_COLOR": "1", "TTY_COMPATIBLE": "1", "FORCE_COLOR": "1"})
    lines = [line for line in result.stdout.split("\n") if line]
    assert lines[0].startswith("data/tasks.yaml:13:13: error[invalid-value]")
    assert lines[1] == "    13 |     status: 已完成"
    assert lines[2] == "       |             ^"


def test_many_problems_are_printed_plainly_when_piped(outside):
    data = broken_ledger("invalid-status", outside)
    text = (data / "tasks.yaml").read_text("utf-8").replace("status: in-progress", "status: x")
    (data / "tasks.yaml").write_text(text.replace("status: todo", "status: y"), "utf-8")
    result = run_cli("check")
    assert result.stdout.count("error[invalid-value]") == 3
    assert "|" not in result.stdout and "\x1b" not in result.stdout


def test_a_duplicate_key_does_not_hide_the_other_problems(outside):
    data = broken_ledger("duplicate-key", outside)
    text = (data / "tasks.yaml").read_text("utf-8").replace("    progress: 40", "    progress: 120")
    (data / "tasks.yaml").write_text(text, "utf-8")
    result = run_cli("check", "--format", "json")
    codes = sorted(d["code"] for d in json.loads(result.stdout))
    assert codes == ["duplicate-key", "invalid-value"]
