"""Hand-written layouts: writes either do exactly the change, or refuse it and change nothing.

Each case here was found by review with a reproduction against an earlier version.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import run_cli

USER = {"REFORMCTL_USER": "tester"}


def edit_file(data: Path, old: str, new: str) -> None:
    path = data / "tasks.yaml"
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def task(data: Path, task_id: int) -> dict:
    tasks = yaml.safe_load((data / "tasks.yaml").read_text("utf-8"))["tasks"]
    return next(t for t in tasks if t["id"] == task_id)


def assert_clean(data: Path) -> None:
    result = run_cli("check")
    assert result.code == 0, result.stdout + result.stderr


def test_an_empty_value_can_be_set(ledger):
    edit_file(ledger, "    title: Gold-medal", "    owner:\n    title: Gold-medal")
    assert run_cli("update", "3", "--owner", "区总工会", env=USER).code == 0
    assert "    owner: 区总工会\n" in (ledger / "tasks.yaml").read_text("utf-8")
    assert_clean(ledger)


def test_a_comment_with_colons_on_a_list_key_line(ledger):
    edit_file(ledger, "  - id: 9\n", "  - id: 9\n")
    text = (ledger / "tasks.yaml").read_text("utf-8")
    block_start = text.index("  - id: 9\n")
    related = text.index("    related: []\n", block_start)
    (ledger / "tasks.yaml").write_text(
        text[:related] + "    related:  # see: 区级层面, note: none yet\n      - 1\n"
        + text[related + len("    related: []\n"):], "utf-8")
    result = run_cli("add", "-l", "G", "新任务。", "--related", "9", env=USER)
    assert result.code == 0, result.stderr
    assert task(ledger, 9)["related"] == [1, 30]


def test_a_dash_alone_on_its_line(ledger):
    edit_file(ledger, "  - id: 5\n    level: district\n",
              "  -\n    id: 5\n    level: district\n")
    for task_id in (4, 5):
        result = run_cli("update", str(task_id), "--status", "in-progress", env=USER)
        assert result.code == 0, result.stderr
        assert task(ledger, task_id)["status"] == "in-progress"
    assert "  -\n    id: 5\n" in (ledger / "tasks.yaml").read_text("utf-8")
    assert_clean(ledger)


def test_a_flow_mapping_task_is_refused_with_a_clear_message(ledger):
    text = (ledger / "tasks.yaml").read_text("utf-8")
    start, end = text.index("  - id: 6\n"), text.index("  - id: 7\n")
    (ledger / "tasks.yaml").write_text(
        text[:start] + "  - {id: 6, level: district, seq: 6, text: 推动非公企业普遍建立职代会制度。}\n\n"
        + text[end:], "utf-8")
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("update", "6", "--status", "done", env=USER)
    assert result.code == 1
    assert "can read but not edit in place" in result.stderr
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_a_line_separator_inside_a_value_does_not_misplace_a_new_task(ledger):
    edit_file(ledger, "    title: Members signing up",
              '    title: "Members\u2028#7 signing up')
    edit_file(ledger, "directly with community doctor teams\n",
              'directly with community doctor teams"\n')
    assert run_cli("check").code == 0
    result = run_cli("add", "-l", "D", "区级新任务。", env=USER)
    assert result.code == 0, result.stderr
    assert task(ledger, 30)["level"] == "district"
    assert task(ledger, 7)["title"].startswith("Members\u2028#7 signing up")
    assert_clean(ledger)


@pytest.mark.parametrize("args, message", [
    (["update", "3", "--note", "\udcff"], "--note is not valid UTF-8 text"),
    (["add", "-l", "D", "\udced\udca0\udc80"], "the task text is not valid UTF-8 text"),
    (["add", "-l", "G", "x", "--tag", ""], "--tag needs a value"),
    (["add", "-l", "G", "x", "--partner", " "], "--partner needs a value"),
    (["update", "3", "--note", "x", "--at", "0001-01-01"], "--at '0001-01-01' is not a time"),
    (["update", "3", "--owner", ""], "--owner needs a value"),
])
def test_command_line_values_that_cannot_go_into_the_ledger(ledger, args, message):
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli(*args, env=USER)
    assert result.code == 2, result.stderr
    assert message in result.stderr and "internal error" not in result.stderr
    assert (ledger / "tasks.yaml").read_bytes() == before


@pytest.mark.parametrize("layout", ["line separator", "no final newline"])
def test_dry_run_diff_applies_as_a_patch(ledger, tmp_path, layout):
    path = ledger / "tasks.yaml"
    if layout == "line separator":
        edit_file(ledger, "    title: Members signing up", '    title: "Members\u2028signing up')
        edit_file(ledger, "directly with community doctor teams\n",
                  'directly with community doctor teams"\n')
        args = ["update", "7", "--status", "blocked"]
    else:
        path.write_text(path.read_text("utf-8").rstrip("\n"), "utf-8")
        args = ["update", "29", "--status", "blocked"]
    result = run_cli(*args, "--dry-run", env=USER)
    assert result.code == 0, result.stderr
    patch = tmp_path / "change.diff"
    patch.write_bytes(result.stdout.encode("utf-8"))
    applied = subprocess.run(["git", "apply", "--check", "-v", str(patch)], cwd=ledger.parent,
                             capture_output=True, text=True, check=False)
    assert applied.returncode == 0, applied.stderr


def test_a_block_scalar_as_the_last_value_of_a_task(ledger):
    edit_file(ledger, "    tags: [democratic-management]\n    related: []\n    history: []\n",
              "    tags: [democratic-management]\n    related: []\n    history: []\n"
              "    owner: >-\n      区总工会组织部、\n      宣教部\n")
    assert run_cli("update", "6", "--owner", "区总工会", env=USER).code == 0
    text = (ledger / "tasks.yaml").read_text("utf-8")
    assert "    owner: 区总工会\n\n  - id: 7\n" in text
    assert_clean(ledger)


def test_a_new_history_entry_after_a_block_scalar_note(ledger):
    edit_file(ledger, "    related: []\n    history: []\n\n  # 区总工会层面",
              "    related: []\n    history:\n      - at: 2018-04-01T09:00:00+08:00\n"
              "        by: 王芳\n        note: |\n          第一行\n          第二行\n\n"
              "  # 区总工会层面")
    assert run_cli("update", "7", "--note", "后续", "--at", "2018-05-01T09:00:00+08:00",
                   env=USER).code == 0
    text = (ledger / "tasks.yaml").read_text("utf-8")
    assert ("          第二行\n      - at: 2018-05-01T09:00:00+08:00\n        by: tester\n"
            "        changes: {}\n        note: 后续\n\n  # 区总工会层面") in text
    assert_clean(ledger)


def test_a_key_inserted_after_a_block_scalar_text(ledger):
    edit_file(ledger, "    text: 推动非公企业普遍建立职代会制度。\n",
              "    text: |\n      推动非公企业普遍建立职代会制度。\n")
    assert run_cli("update", "6", "--owner", "区总工会", "--status", "in-progress",
                   env=USER).code == 0
    data = task(ledger, 6)
    assert (data["owner"], data["status"], data["text"]) == (
        "区总工会", "in-progress", "推动非公企业普遍建立职代会制度。\n")
    assert_clean(ledger)


def test_line_numbers_count_only_real_line_breaks(ledger):
    edit_file(ledger, "    title: Members signing up",
              '    title: "Members\u2028signing\u0085up')
    edit_file(ledger, "directly with community doctor teams\n",
              'directly with community doctor teams"\n')
    edit_file(ledger, "  - id: 8\n    level: federation\n",
              "  - id: 8\n    level: federation\n    bogus: 1\n")
    line = (ledger / "tasks.yaml").read_text("utf-8").split("\n").index("    bogus: 1") + 1
    result = run_cli("check")
    assert f"data/tasks.yaml:{line}:5: error[unknown-key]" in result.stdout


def test_new_lines_follow_the_line_ending_most_lines_use(ledger):
    path = ledger / "tasks.yaml"
    raw = path.read_bytes()
    first, rest = raw.split(b"\n", 1)
    path.write_bytes(first + b"\n" + rest.replace(b"\n", b"\r\n"))  # CRLF but for line 1
    assert run_cli("update", "3", "--status", "done", "--evidence", "x", env=USER).code == 0
    after = path.read_bytes()
    assert after.count(b"\r\n") == after.count(b"\n") - 1


def test_a_writer_stopped_by_sigterm_leaves_no_temporary_file(ledger, tmp_path):
    import os
    import signal
    import sys
    import textwrap


    script = tmp_path / "slow_writer.py"
    script.write_text(textwrap.dedent(f"""
        import os, sys, time
        real_fsync = os.fsync
        def slow_fsync(fd):
            if os.readlink(f"/proc/self/fd/{{fd}}").endswith(".reformctl-tmp"):
                print("writing", flush=True)
                time.sleep(30)
            real_fsync(fd)
        os.fsync = slow_fsync
        from reformctl.cli import main
        sys.argv = ["reformctl", "update", "3", "--note", "x", "--data", {str(ledger)!r}]
        main()
    """), "utf-8")
    before = (ledger / "tasks.yaml").read_bytes()
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                            env={**os.environ, "REFORMCTL_USER": "t"})
    with proc, proc.stdout:
        assert proc.stdout.readline() == b"writing\n"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == -signal.SIGTERM
    assert sorted(p.name for p in ledger.iterdir()) == [
        ".tasks.yaml.reformctl-lock", "tasks.yaml", "voices.yaml"]  # the lock stays, empty
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_the_refusal_names_the_task_and_its_line(ledger):
    text = (ledger / "tasks.yaml").read_text("utf-8")
    start, end = text.index("  - id: 6\n"), text.index("  - id: 7\n")
    (ledger / "tasks.yaml").write_text(
        text[:start] + "  - {id: 6, level: district, seq: 6, text: 推动非公企业普遍建立职代会制度。}\n\n"
        + text[end:], "utf-8")
    line = text[:start].count("\n") + 1
    result = run_cli("update", "D6", "D7", "--status", "in-progress", env=USER)
    assert result.code == 1
    assert f"task 6 (tasks.yaml line {line}) is written in a layout" in result.stderr


def test_data_pointing_at_the_directory_init_was_given(outside):
    assert run_cli("init", "ledger").code == 0
    result = run_cli("list", "--data", "ledger")
    assert result.code == 2 and "give the data directory itself: --data ledger/data" in (
        result.stderr)
