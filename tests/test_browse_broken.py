"""Browsing a broken ledger: list, show, voices and log show what could be read, then exit 1;
report and every write still refuse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES, broken_ledger, run_cli
from reformctl import yamldoc

NOTE = ("reformctl: error: the ledger has 1 error, so only what could be read is shown "
        "(2 tasks, 1 statement):\n"
        "data/tasks.yaml:10:8: error[yaml-syntax]: missing space after the colon in 'seq:1': YAML "
        "reads it as one word, not a key and its value; write `seq: 1`\n"
        "  hint: run `reformctl check` to see every problem, fix them, and try again\n")


@pytest.fixture
def broken(outside: Path) -> Path:
    """The base ledger with `seq:1` (no space) in task 1: a YAML syntax error."""
    return broken_ledger("yaml-missing-space", outside)


def test_list_shows_every_task_that_could_be_read(broken):
    result = run_cli("list", "--format", "json")
    assert result.code == 1
    assert [t["id"] for t in json.loads(result.stdout)] == [2, 3]
    assert result.stderr == NOTE


def test_show_a_readable_task_then_exit_1(broken):
    result = run_cli("show", "F1", "--format", "json")
    assert result.code == 1
    assert json.loads(result.stdout)["id"] == 2
    assert result.stderr == NOTE


def test_show_a_task_that_could_not_be_read(broken):
    result = run_cli("show", "1")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == NOTE + (
        "reformctl: error: no task 1 in this ledger (as far as it could be read)\n"
        "  hint: it may be where one of the errors above is\n")


def test_log_and_voices_show_what_could_be_read(broken):
    log = run_cli("log", "--format", "json")
    assert log.code == 1 and log.stderr == NOTE
    assert [e["ref"] for e in json.loads(log.stdout)] == ["F1"]
    voices = run_cli("voices", "--format", "json")
    assert voices.code == 1 and voices.stderr == NOTE
    assert [v["id"] for v in json.loads(voices.stdout)] == [1]


def test_report_and_writes_still_refuse(broken):
    before = (broken / "tasks.yaml").read_bytes()
    for args in (["report"], ["update", "2", "--note", "x", "--by", "王芳"],
                 ["add", "--level", "G", "新任务。", "--by", "王芳"]):
        result = run_cli(*args)
        assert result.code == 1, args
        assert "missing space after the colon in 'seq:1'" in result.stderr, args
    assert (broken / "tasks.yaml").read_bytes() == before


def test_one_bad_value_hides_only_its_task(ledger):
    path = ledger / "tasks.yaml"
    text = path.read_text("utf-8")
    start = text.index("  - id: 5\n")
    at = text.index("    status: todo", start)
    path.write_text(text[:at] + "    status: finished" + text[at + len("    status: todo"):],
                    "utf-8")
    result = run_cli("list", "--format", "json")
    assert result.code == 1
    ids = [t["id"] for t in json.loads(result.stdout)]
    assert ids == [i for i in range(1, 30) if i != 5]
    assert result.stderr.startswith(
        "reformctl: error: the ledger has 1 error, so only what could be read is shown "
        "(28 tasks, 6 statements):\ndata/tasks.yaml:")


def test_a_broken_plan_still_lets_the_tasks_be_read(outside):
    data = broken_ledger("yaml-missing-space", outside)
    text = (FIXTURES / "base" / "tasks.yaml").read_text("utf-8")
    (data / "tasks.yaml").write_text(text.replace("  year: 2018", "   year: 2018"), "utf-8")
    result = run_cli("list", "--format", "json")
    assert result.code == 1
    assert [t["id"] for t in json.loads(result.stdout)] == [1, 2, 3]


def test_a_broken_voices_file_still_lets_the_tasks_be_read(outside):
    data = broken_ledger("voice-unknown-task", outside)
    (data / "voices.yaml").write_text("meeting: [\n", "utf-8")
    result = run_cli("list", "--format", "json")
    assert result.code == 1
    assert [t["id"] for t in json.loads(result.stdout)] == [1, 2, 3]
    assert "(3 tasks, 0 statements)" in result.stderr


def test_nothing_readable_is_refused_as_before(outside):
    broken_ledger("gbk-encoding", outside)
    result = run_cli("list")
    assert (result.code, result.stdout) == (1, "")
    assert "error[encoding]" in result.stderr


def test_many_errors_name_the_first_five(ledger):
    path = ledger / "tasks.yaml"
    path.write_text(path.read_text("utf-8").replace("    status: todo", "    status: x"), "utf-8")
    result = run_cli("list", "--format", "json")
    assert (result.code, json.loads(result.stdout)) == (1, [])
    lines = result.stderr.splitlines()
    assert lines[0] == ("reformctl: error: the ledger has 29 errors, so only what could be read "
                        "is shown (0 tasks, 6 statements):")
    assert [line.split(": ")[1] for line in lines[1:6]] == ["error[invalid-value]"] * 5
    assert lines[6:] == ["... and 24 more", "  hint: run `reformctl check` to see every problem, "
                         "fix them, and try again"]


def test_a_clean_ledger_is_not_affected(ledger):
    result = run_cli("list", "--format", "json")
    assert (result.code, result.stderr) == (0, "")
    assert len(json.loads(result.stdout)) == 29


def test_salvage_reads_every_item_but_the_broken_one():
    items = "".join(f"  - id: {i}\n    text: 任务{i}\n" if i != 700 else f"  - id: {i}\n    text:x\n"
                    f"    seq:2\n" for i in range(1, 1001))
    source = yamldoc.Text("t.yaml", "plan:\n  title: 台账\ntasks:\n" + items + "other: 1\n")
    assert yamldoc.parse(source).data is None
    data = yamldoc.salvage(source)
    assert [t["id"] for t in data["tasks"]] == [i for i in range(1, 1001) if i != 700]
    assert data["plan"] == {"title": "台账"} and data["other"] == 1
