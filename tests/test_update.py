"""`update`, `add` and `log` through the CLI: what they change, and everything they keep."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, assert_golden, run_cli

GOLDEN = Path(__file__).parent / "golden" / "update"


def tasks_of(data: Path) -> dict[int, dict]:
    return {t["id"]: t for t in yaml.safe_load((data / "tasks.yaml").read_text("utf-8"))["tasks"]}


def changed_lines(before: str, after: str) -> list[str]:
    """The lines a line diff reports as removed or added."""
    import difflib

    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_done_with_note_and_evidence_changes_only_that_task(ledger):
    before = (ledger / "tasks.yaml").read_text("utf-8")
    result = run_cli("update", "3", "--status", "done", "--note", "已印发实施方案",
                     "--evidence", "区总工会〔2018〕12号.pdf", "--evidence", "https://example.org/a",
                     "--by", "王芳", "--at", "2018-05-02T10:00:00+08:00")
    assert result.code == 0, result.stderr
    assert "updated task 3 (D3): status todo → done, progress — → 100" in result.stderr
    after = (ledger / "tasks.yaml").read_text("utf-8")
    assert changed_lines(before, after) == [
        "-    status: todo",
        "+    status: done",
        "+    progress: 100",
        "-    history: []",
        "+    history:",
        "+      - at: 2018-05-02T10:00:00+08:00",
        "+        by: 王芳",
        "+        changes:",
        "+          status: [todo, done]",
        "+          progress: [null, 100]",
        "+        note: 已印发实施方案",
        "+        evidence:",
        "+          - 区总工会〔2018〕12号.pdf",
        "+          - https://example.org/a",
    ]
    # every line outside task 3's block is byte for byte the same
    start = before.index("  - id: 3\n")
    end = before.index("  - id: 4\n")
    assert after.startswith(before[:start])
    assert after.endswith(before[end:])
    check = run_cli("check", "--strict")
    assert check.code == 0, check.stdout + check.stderr


def test_note_alone_is_an_update(ledger):
    result = run_cli("update", "G3", "--note", "已召开协调会", "--by", "李", "--at", "2018-05-01")
    assert result.code == 0, result.stderr
    entry = tasks_of(ledger)[22]["history"][0]
    assert entry["changes"] == {} and entry["note"] == "已召开协调会"
    assert tasks_of(ledger)[22]["status"] == "todo"


def test_same_value_writes_nothing_and_says_so(ledger):
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("update", "3", "--status", "todo", "--due", "2018-12-31")
    assert result.code == 0
    assert "already has these values" in result.stderr
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_several_tasks_in_one_write_each_with_one_entry(ledger):
    result = run_cli("update", "G3", "g4", "22", "--status", "in-progress", "--progress", "30",
                     "--by", "王芳")
    assert result.code == 0, result.stderr
    tasks = tasks_of(ledger)
    for task_id in (22, 23):
        assert tasks[task_id]["status"] == "in-progress"
        assert len(tasks[task_id]["history"]) == 1
        assert tasks[task_id]["history"][0]["changes"] == {
            "status": ["todo", "in-progress"], "progress": [None, 30]}


def test_chinese_status_and_given_progress_win_over_done(ledger):
    assert run_cli("update", "5", "--status", "已完成", "--progress", "90", "--evidence", "x").code == 0
    task = tasks_of(ledger)[5]
    assert (task["status"], task["progress"]) == ("done", 90)


@pytest.mark.parametrize("args, code, message", [
    (["3", "--status", "finished"], 2, "unknown status 'finished'"),
    (["3", "--progress", "101"], 2, "--progress takes a whole number from 0 to 100, not 101"),
    (["3", "--due", "2018-13-45"], 2, "--due '2018-13-45' is not a real date"),
    (["3", "--at", "yesterday", "--note", "x"], 2, "--at 'yesterday' is not a time"),
    (["3"], 2, "nothing to update"),
    (["99", "--status", "done"], 1, "no task 99"),
    (["3", "X9", "--status", "done"], 2, "'X9' is not a task id or ref"),
])
def test_invalid_requests_change_nothing(ledger, args, code, message):
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("update", *args)
    assert result.code == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_dry_run_prints_a_diff_and_writes_nothing(ledger):
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("update", "F2", "--due", "2019-03-31", "--by", "王芳",
                     "--at", "2018-06-01T09:00:00+08:00", "--dry-run")
    assert result.code == 0
    assert (ledger / "tasks.yaml").read_bytes() == before
    assert_golden(GOLDEN / "dry-run.diff", result.stdout)
    assert "dry run: nothing was written" in result.stderr


def test_dry_run_diff_applies_with_patch(ledger, tmp_path):
    result = run_cli("update", "F2", "--due", "2019-03-31", "--dry-run", "--by", "x")
    patch = tmp_path / "change.diff"
    patch.write_text(result.stdout, "utf-8")
    applied = subprocess.run(["git", "apply", "--check", str(patch)], cwd=ledger.parent,
                             capture_output=True, text=True, check=False)
    assert applied.returncode == 0, applied.stderr


def test_back_dated_entry_goes_in_time_order(ledger):
    run_cli("update", "3", "--status", "in-progress", "--at", "2018-06-01T09:00:00+08:00")
    run_cli("update", "3", "--note", "earlier", "--at", "2018-05-01T09:00:00+08:00")
    history = tasks_of(ledger)[3]["history"]
    assert [e.get("note") for e in history] == ["earlier", None]
    assert run_cli("check", "--strict").code == 0


def test_back_dated_change_that_a_later_entry_contradicts_is_refused(ledger):
    run_cli("update", "3", "--status", "in-progress", "--at", "2018-06-01T09:00:00+08:00")
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("update", "3", "--status", "blocked", "--at", "2018-05-01T09:00:00+08:00")
    assert result.code == 1
    assert "a later history entry also changes status" in result.stderr
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_default_author_and_time(ledger, monkeypatch):
    result = run_cli("update", "3", "--note", "x", env={"REFORMCTL_USER": "赵六"})
    assert result.code == 0
    entry = tasks_of(ledger)[3]["history"][0]
    assert entry["by"] == "赵六"
    at = entry["at"] if isinstance(entry["at"], str) else entry["at"].isoformat()
    assert at[19:] and at[19] in "+-Z" or "+" in str(entry["at"])  # has a UTC offset


def test_update_refuses_a_broken_ledger(ledger):
    text = (ledger / "tasks.yaml").read_text("utf-8").replace("status: todo", "status: 完成", 1)
    (ledger / "tasks.yaml").write_text(text, "utf-8")
    result = run_cli("update", "5", "--note", "x")
    assert result.code == 1
    assert "the ledger has errors, so nothing was changed" in result.stderr
    assert "data/tasks.yaml:19:13: error[invalid-value]: status" in result.stderr


def test_update_refuses_the_packaged_sample(outside):
    result = run_cli("update", "3", "--status", "done")
    assert result.code == 1
    assert "reformctl init" in result.stderr


def test_hand_edits_between_commands_are_kept(ledger):
    path = ledger / "tasks.yaml"
    run_cli("update", "3", "--status", "in-progress")
    edited = path.read_text("utf-8").replace(
        "  - id: 4\n", "  # 手工备注：本任务由区总工会牵头\n  - id: 4\n")
    path.write_text(edited, "utf-8")
    assert run_cli("update", "4", "--owner", "区总工会").code == 0
    text = path.read_text("utf-8")
    assert "  # 手工备注：本任务由区总工会牵头\n  - id: 4\n" in text
    assert tasks_of(ledger)[4]["owner"] == "区总工会"


# ---------------------------------------------------------------------------------------------
# add


def test_add_takes_next_id_and_seq_and_goes_after_its_level(ledger):
    result = run_cli("add", "--level", "区总工会", "建立工会经费使用公示制度。", "--related", "G4",
                     "--due", "2018-12-31", "--tag", "audit", "--by", "王芳",
                     "--at", "2018-05-02T10:00:00+08:00")
    assert result.code == 0, result.stderr
    assert result.stdout == "30\n"
    assert "added task 30 (F13)" in result.stderr
    text = (ledger / "tasks.yaml").read_text("utf-8")
    assert text.index("  - id: 30\n") < text.index("  # 基层工会级层面")
    tasks = tasks_of(ledger)
    assert tasks[30]["seq"] == 13 and tasks[30]["level"] == "federation"
    assert tasks[30]["related"] == [23] and tasks[23]["related"] == [14, 30]
    assert tasks[30]["history"][0]["changes"] == {"status": [None, "todo"]}
    assert run_cli("check", "--strict").code == 0
    assert_golden(GOLDEN / "add.yaml", text[text.index("  - id: 30\n"):
                                           text.index("  # 基层工会级层面")])


def test_add_to_the_last_level_appends_at_the_end(ledger):
    assert run_cli("add", "-l", "G", "新任务", "--by", "x").code == 0
    text = (ledger / "tasks.yaml").read_text("utf-8")
    assert text.endswith("    history:\n      - at: " + text.split("      - at: ")[-1])
    assert "\n\n  - id: 30\n" in text
    assert run_cli("show", "G11", "--format", "json").code == 0


def test_add_with_unknown_related_changes_nothing(ledger):
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("add", "-l", "G", "x", "--related", "99")
    assert result.code == 1 and "no task 99" in result.stderr
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_add_needs_a_level(ledger):
    assert run_cli("add", "x").code == 2
    assert run_cli("add", "x", "--level", "county").code == 2


# ---------------------------------------------------------------------------------------------
# log


def _history(ledger):
    for args in (["3", "--status", "in-progress", "--at", "2018-05-02T10:00:00+08:00"],
                 ["22", "--note", "协调会", "--at", "2018-05-20T15:30:00+08:00"],
                 ["3", "--status", "done", "--evidence", "纪要.pdf",
                  "--at", "2018-06-10T09:00:00+08:00"]):
        assert run_cli("update", *args, "--by", "王芳").code == 0


def test_log_is_newest_first_across_tasks(ledger):
    _history(ledger)
    records = json.loads(run_cli("log", "--format", "json").stdout)
    assert [(r["ref"], r["at"]) for r in records] == [
        ("D3", "2018-06-10T09:00:00+08:00"),
        ("G3", "2018-05-20T15:30:00+08:00"),
        ("D3", "2018-05-02T10:00:00+08:00"),
    ]


def test_log_of_one_task_since_a_day(ledger):
    _history(ledger)
    records = json.loads(run_cli("log", "D3", "--since", "2018-06-01", "--format", "json").stdout)
    assert [r["at"] for r in records] == ["2018-06-10T09:00:00+08:00"]


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown", "yaml"])
def test_log_formats_golden(ledger, fmt):
    _history(ledger)
    result = run_cli("log", "--format", fmt)
    assert result.code == 0
    assert_golden(GOLDEN / f"log.{fmt}", result.stdout)


def test_log_on_the_hostile_fixture_is_literal():
    result = run_cli("log", "--data", str(FIXTURES / "hostile"), "--format", "table")
    assert "[/]" in result.stdout and "<i>x</i>" in result.stdout
    assert "\x1b" not in result.stdout


def test_the_hint_of_status_unrecorded_records_the_hand_edit(ledger):
    assert run_cli("update", "3", "--status", "in-progress", "--by", "a").code == 0
    path = ledger / "tasks.yaml"
    text = path.read_text("utf-8")
    start = text.index("  - id: 3\n")
    path.write_text(text[:start] + text[start:].replace("status: in-progress", "status: blocked",
                                                        1), "utf-8")
    warning = run_cli("check").stdout
    assert "warning[status-unrecorded]" in warning
    hint = "reformctl update 3 --status blocked"
    assert hint in warning
    assert run_cli(*hint.split()[1:], "--note", "受阻: 等待批复", "--by", "b").code == 0
    assert tasks_of(ledger)[3]["history"][-1]["changes"] == {"status": ["in-progress", "blocked"]}
    assert run_cli("check", "--strict").code == 0


def test_an_empty_log_is_a_message_like_an_empty_list(ledger):
    result = run_cli("log", "G6")
    assert (result.code, result.stdout) == (0, "")
    assert "no history entries match" in result.stderr
    assert run_cli("log", "G6", "--format", "json").stdout == "[]\n"
