"""`update` edits every field a person edits, each edit recorded; `--format json` on writes."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from conftest import run_cli

USER = {"REFORMCTL_USER": "王芳"}
AT = "2018-05-02T10:00:00+08:00"


def tasks_of(data: Path) -> dict[int, dict]:
    return {t["id"]: t for t in yaml.safe_load((data / "tasks.yaml").read_text("utf-8"))["tasks"]}


def block_span(text: str, task_id: int) -> tuple[int, int]:
    """Where a task's lines are in the shipped layout: from its `- id:` line to the next task's
    (or to the end)."""
    start = text.index(f"  - id: {task_id}\n")
    found = re.search(r"^  (- id: |# )", text[start + 1:], re.MULTILINE)
    return start, start + 1 + found.start() if found else len(text)


def update(*args: str) -> str:
    result = run_cli("update", *args, "--at", AT, env=USER)
    assert result.code == 0, result.stderr
    return result.stderr


def assert_only_these_tasks_changed(before: str, after: str, *task_ids: int) -> None:
    """Every byte outside the named tasks' lines is as it was."""
    spans_before = sorted(block_span(before, i) for i in task_ids)
    spans_after = sorted(block_span(after, i) for i in task_ids)
    b_pos = a_pos = 0
    for (b_start, b_end), (a_start, a_end) in zip(spans_before, spans_after, strict=True):
        assert after[a_pos:a_start] == before[b_pos:b_start]
        b_pos, a_pos = b_end, a_end
    assert after[a_pos:] == before[b_pos:]


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines removed and the lines added, in order (no junk heuristics: a line that occurs
    in every task still counts as unchanged)."""
    from difflib import SequenceMatcher

    a, b = before.splitlines(), after.splitlines()
    removed, added = [], []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added


def assert_clean() -> None:
    result = run_cli("check", "--strict")
    assert result.code == 0, result.stdout + result.stderr


def last_entry(data: Path, task_id: int) -> dict:
    entry = tasks_of(data)[task_id]["history"][-1]
    return {**entry, "at": entry["at"].isoformat() if hasattr(entry["at"], "isoformat")
            else entry["at"]}


@pytest.mark.parametrize("args, field, old, new, lines", [
    (["--text", "广泛开展争当金牌工人活动：打造“大都工匠”品牌。"], "text",
     "广泛开展争当金牌工人、技术能手等活动，打造“大都工匠”品牌。",
     "广泛开展争当金牌工人活动：打造“大都工匠”品牌。",
     ["-    text: 广泛开展争当金牌工人、技术能手等活动，打造“大都工匠”品牌。",
      "+    text: 广泛开展争当金牌工人活动：打造“大都工匠”品牌。"]),
    (["--title", "Craftsmen: the Dadu brand"], "title",
     "Gold-medal worker and technical-expert campaigns and the Dadu Craftsmen brand",
     "Craftsmen: the Dadu brand",
     ["-    title: Gold-medal worker and technical-expert campaigns and the Dadu Craftsmen brand",
      '+    title: "Craftsmen: the Dadu brand"']),
    (["--clear-title"], "title",
     "Gold-medal worker and technical-expert campaigns and the Dadu Craftsmen brand", None,
     ["-    title: Gold-medal worker and technical-expert campaigns and the Dadu Craftsmen brand"]),
    (["--clear-due"], "due", date(2018, 12, 31), None, ["-    due: 2018-12-31"]),
    (["--add-tag", "brand", "--add-tag", "craftsmanship"], "tags", ["craftsmanship"],
     ["craftsmanship", "brand"], ["-    tags: [craftsmanship]", "+    tags: [craftsmanship, brand]"]),
    (["--remove-tag", "craftsmanship"], "tags", ["craftsmanship"], [],
     ["-    tags: [craftsmanship]", "+    tags: []"]),
    (["--add-partner", "区总工会宣教部", "--add-partner", "区人力社保局"], "partners", [],
     ["区总工会宣教部", "区人力社保局"], ["+    partners: [区总工会宣教部, 区人力社保局]"]),
])
def test_each_field_is_edited_on_its_own_line_with_history(ledger, args, field, old, new, lines):
    path = ledger / "tasks.yaml"
    before = path.read_text("utf-8")
    update("3", *args)
    after = path.read_text("utf-8")
    assert_only_these_tasks_changed(before, after, 3)
    removed, added = changed_lines(before, after)
    assert removed == [line[1:] for line in lines if line[0] == "-"] + ["    history: []"]
    assert added[:-4] == [line[1:] for line in lines if line[0] == "+"] + ["    history:"]
    task = tasks_of(ledger)[3]
    assert task.get(field) == new
    entry = last_entry(ledger, 3)
    assert entry == {"at": AT, "by": "王芳", "changes": {field: [old, new]}}
    assert_clean()


def test_clearing_owner_and_progress_removes_their_lines(ledger):
    update("5", "--owner", "区总工会", "--progress", "40")
    path = ledger / "tasks.yaml"
    before = path.read_text("utf-8")
    update("5", "--clear-owner", "--clear-progress", "--note", "重新分工")
    after = path.read_text("utf-8")
    assert_only_these_tasks_changed(before, after, 5)
    task = tasks_of(ledger)[5]
    assert "owner" not in task and "progress" not in task
    assert last_entry(ledger, 5)["changes"] == {"owner": ["区总工会", None],
                                                "progress": [40, None]}
    assert last_entry(ledger, 5)["note"] == "重新分工"
    block = after[slice(*block_span(after, 5))]
    assert "\n    owner:" not in block and "\n    progress:" not in block
    assert_clean()


def test_several_fields_at_once_make_one_entry(ledger):
    update("G3", "--text", "新的任务文本。", "--title", "New", "--add-tag", "x", "--remove-tag",
           "services", "--add-partner", "街道", "--status", "in-progress", "--progress", "10",
           "--note", "一次修改")
    history = tasks_of(ledger)[22]["history"]
    assert len(history) == 1
    assert list(history[0]["changes"]) == ["text", "title", "partners", "status", "progress",
                                           "tags"]


def test_removing_and_adding_partners(ledger):
    update("3", "--add-partner", "甲", "--add-partner", "乙", "--add-partner", "丙")
    update("3", "--remove-partner", "乙", "--add-partner", "丁")
    assert tasks_of(ledger)[3]["partners"] == ["甲", "丙", "丁"]
    assert last_entry(ledger, 3)["changes"] == {"partners": [["甲", "乙", "丙"], ["甲", "丙", "丁"]]}
    assert_clean()


# ---------------------------------------------------------------------------------------------
# related: both sides, each with its own entry


def test_add_related_links_both_sides_each_with_one_entry(ledger):
    path = ledger / "tasks.yaml"
    before = path.read_text("utf-8")
    stderr = update("D3", "--add-related", "G3", "--add-related", "F7", "--note", "同一项工作")
    after = path.read_text("utf-8")
    assert_only_these_tasks_changed(before, after, 3, 22, 14)
    tasks = tasks_of(ledger)
    assert tasks[3]["related"] == [22, 14]
    assert tasks[22]["related"] == [3]
    assert tasks[14]["related"] == [23, 3]
    assert last_entry(ledger, 3) == {"at": AT, "by": "王芳", "note": "同一项工作",
                                     "changes": {"related": [[], [22, 14]]}}
    assert last_entry(ledger, 22) == {"at": AT, "by": "王芳", "changes": {"related": [[], [3]]}}
    assert last_entry(ledger, 14) == {"at": AT, "by": "王芳",
                                      "changes": {"related": [[23], [23, 3]]}}
    assert "updated task 3 (D3): related [] → [22, 14]" in stderr
    assert "updated task 22 (G3): related [] → [3]" in stderr
    assert "updated task 14 (F7): related [23] → [23, 3]" in stderr
    log = json.loads(run_cli("log", "--format", "json").stdout)
    assert sorted(r["ref"] for r in log) == ["D3", "F7", "G3"]
    assert_clean()


def test_remove_related_unlinks_both_sides(ledger):
    path = ledger / "tasks.yaml"
    before = path.read_text("utf-8")
    update("F7", "--remove-related", "23")
    after = path.read_text("utf-8")
    assert_only_these_tasks_changed(before, after, 14, 23)
    tasks = tasks_of(ledger)
    assert tasks[14]["related"] == [] and tasks[23]["related"] == []
    assert last_entry(ledger, 14)["changes"] == {"related": [[23], []]}
    assert last_entry(ledger, 23)["changes"] == {"related": [[14], []]}
    assert_clean()


def test_linking_repairs_a_one_sided_link(ledger):
    path = ledger / "tasks.yaml"
    text = path.read_text("utf-8")
    start, end = block_span(text, 3)
    path.write_text(text[:start] + text[start:end].replace("related: []", "related: [22]")
                    + text[end:], "utf-8")
    result = run_cli("update", "3", "--add-related", "22", "--at", AT, env=USER)
    assert result.code == 0, result.stderr
    assert "task 3 (D3) already has these values" in result.stderr
    assert tasks_of(ledger)[22]["related"] == [3]
    assert tasks_of(ledger)[3]["history"] == []


def test_several_tasks_linked_to_one(ledger):
    update("G1", "G2", "--add-related", "D1")
    tasks = tasks_of(ledger)
    assert tasks[1]["related"] == [20, 21]
    assert len(tasks[1]["history"]) == 1
    assert tasks[20]["related"] == [1] and tasks[21]["related"] == [1]


def test_a_back_dated_link_that_the_other_side_contradicts_is_refused(ledger):
    update("G3", "--add-related", "D5")  # at AT
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("update", "D3", "--add-related", "G3", "--at", "2018-04-01", env=USER)
    assert result.code == 1
    assert "task 22: a later history entry also changes related" in result.stderr
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_add_related_records_the_link_in_the_other_tasks_history(ledger):
    path = ledger / "tasks.yaml"
    before = path.read_text("utf-8")
    result = run_cli("add", "-l", "F", "建立工会经费使用公示制度。", "--related", "G4",
                     "--related", "3", "--at", AT, env=USER)
    assert result.code == 0, result.stderr
    tasks = tasks_of(ledger)
    assert tasks[30]["related"] == [23, 3]
    assert tasks[23]["related"] == [14, 30] and tasks[3]["related"] == [30]
    assert last_entry(ledger, 23) == {"at": AT, "by": "王芳",
                                      "changes": {"related": [[14], [14, 30]]}}
    assert last_entry(ledger, 3) == {"at": AT, "by": "王芳", "changes": {"related": [[], [30]]}}
    after = path.read_text("utf-8")
    assert after[:block_span(after, 3)[0]] == before[:block_span(before, 3)[0]]
    assert_clean()


# ---------------------------------------------------------------------------------------------
# refusals


@pytest.mark.parametrize("args, message", [
    (["--add-tag", "x", "--remove-tag", "x"], "--add-tag and --remove-tag both name 'x'"),
    (["--add-partner", "甲", "--remove-partner", " 甲 "],
     "--add-partner and --remove-partner both name '甲'"),
    (["--owner", "区总工会", "--clear-owner"], "--owner and --clear-owner contradict each other"),
    (["--due", "2019-01-01", "--clear-due"], "--due and --clear-due contradict each other"),
    (["--title", "x", "--clear-title"], "--title and --clear-title contradict each other"),
    (["--progress", "0", "--clear-progress"],
     "--progress and --clear-progress contradict each other"),
    (["--add-related", "G3", "--remove-related", "22"],
     "--add-related and --remove-related both name '22'"),
    (["--text", "  "], "--text needs a value; an empty one was given"),
    (["--title", ""], ("--title needs a value; an empty one was given\n  hint: to remove the "
                       "value, use --clear-title")),
    (["--owner", ""], "hint: to remove the value, use --clear-owner"),
    (["--add-tag", ""], "--add-tag needs a value"),
    (["--add-related", "D3"], "task 3 (D3) cannot be related to itself"),
    (["--remove-related", "3"], "task 3 (D3) cannot be related to itself"),
    (["--add-related", "X1"], "'X1' is not a task id or ref"),
])
def test_contradictions_and_bad_values_are_usage_errors(ledger, args, message):
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("update", "3", *args, env=USER)
    assert result.code == 2, result.stderr
    assert message in result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_a_link_to_an_unknown_task_is_not_found(ledger):
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("update", "3", "--add-related", "99", env=USER)
    assert result.code == 1
    assert "no task 99 in this ledger" in result.stderr
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_removing_what_is_not_there_writes_nothing(ledger):
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("update", "3", "--remove-tag", "nope", "--clear-owner", env=USER)
    assert result.code == 0
    assert "already has these values" in result.stderr
    assert (ledger / "tasks.yaml").read_bytes() == before


# ---------------------------------------------------------------------------------------------
# hand-written layouts


def test_a_block_list_is_edited_item_by_item(ledger):
    path = ledger / "tasks.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace(
        "    tags: [model-workers, craftsmanship]\n",
        "    tags:\n      - model-workers  # 劳模\n      # 工匠类\n      - craftsmanship\n", 1),
        "utf-8")
    update("4", "--add-tag", "brand: 大都工匠", "--remove-tag", "model-workers")
    after = path.read_text("utf-8")
    assert "    tags:\n      # 工匠类\n      - craftsmanship\n      - \"brand: 大都工匠\"\n" in after
    assert tasks_of(ledger)[4]["tags"] == ["craftsmanship", "brand: 大都工匠"]
    update("4", "--remove-tag", "craftsmanship", "--remove-tag", "brand: 大都工匠")
    assert "    tags: []\n" in path.read_text("utf-8")
    assert_clean()


def test_clearing_a_key_that_shares_the_dash_line_writes_null(ledger):
    path = ledger / "tasks.yaml"
    text = path.read_text("utf-8")
    start, end = block_span(text, 5)
    block = text[start:end].replace("    due: 2018-12-31\n", "").replace(
        "  - id: 5\n", "  - due: 2018-12-31\n    id: 5\n")
    path.write_text(text[:start] + block + text[end:], "utf-8")
    assert run_cli("check").code == 0
    update("5", "--clear-due")
    assert "  - due: null\n    id: 5\n" in path.read_text("utf-8")
    assert tasks_of(ledger)[5]["due"] is None
    assert_clean()


def test_a_block_scalar_text_is_replaced(ledger):
    path = ledger / "tasks.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("    text: 推动非公企业普遍建立职代会制度。\n",
                                 "    text: |\n      推动非公企业普遍建立职代会制度。\n", 1), "utf-8")
    before = path.read_text("utf-8")
    update("6", "--text", "推动非公企业建立职代会制度。")
    after = path.read_text("utf-8")
    assert_only_these_tasks_changed(before, after, 6)
    assert tasks_of(ledger)[6]["text"] == "推动非公企业建立职代会制度。"
    assert last_entry(ledger, 6)["changes"]["text"] == ["推动非公企业普遍建立职代会制度。\n",
                                                        "推动非公企业建立职代会制度。"]
    assert_clean()


# ---------------------------------------------------------------------------------------------
# --format json


def test_update_json_says_what_changed_and_what_did_not(ledger):
    result = run_cli("update", "3", "5", "--add-related", "G3", "--status", "todo", "--format",
                     "json", "--at", AT, env=USER)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout) == {
        "dry_run": False, "written": True, "added": [],
        "updated": [
            {"id": 3, "ref": "D3", "at": AT, "by": "王芳", "changes": {"related": [[], [22]]},
             "note": None, "evidence": []},
            {"id": 5, "ref": "D5", "at": AT, "by": "王芳", "changes": {"related": [[], [22]]},
             "note": None, "evidence": []},
            {"id": 22, "ref": "G3", "at": AT, "by": "王芳", "changes": {"related": [[], [3, 5]]},
             "note": None, "evidence": []},
        ],
        "unchanged": [],
    }


def test_update_json_when_nothing_changes(ledger):
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("update", "3", "--status", "todo", "--format", "json", env=USER)
    assert result.code == 0
    assert json.loads(result.stdout) == {"dry_run": False, "written": False, "added": [],
                                         "updated": [], "unchanged": [{"id": 3, "ref": "D3"}]}
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_dry_run_json_is_what_would_change_and_writes_nothing(ledger):
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("update", "F2", "--due", "2019-03-31", "--dry-run", "--format", "json",
                     "--at", AT, env=USER)
    assert result.code == 0
    assert json.loads(result.stdout) == {
        "dry_run": True, "written": False, "added": [], "unchanged": [],
        "updated": [{"id": 9, "ref": "F2", "at": AT, "by": "王芳",
                     "changes": {"due": ["2018-12-31", "2019-03-31"]}, "note": None,
                     "evidence": []}]}
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_add_json_gives_the_new_id_and_ref(ledger):
    result = run_cli("add", "-l", "G", "新任务。", "--related", "D2", "--format", "json",
                     "--at", AT, env=USER)
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "dry_run": False, "written": True,
        "added": [{"id": 30, "ref": "G11", "level": "grassroots", "seq": 11}],
        "updated": [{"id": 2, "ref": "D2", "at": AT, "by": "王芳",
                     "changes": {"related": [[], [30]]}, "note": None, "evidence": []}],
        "unchanged": []}
    assert tasks_of(ledger)[30]["text"] == "新任务。"


def test_add_dry_run_json_writes_nothing(ledger):
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("add", "-l", "D", "新任务。", "--dry-run", "--format", "json", env=USER)
    assert result.code == 0
    out = json.loads(result.stdout)
    assert (out["dry_run"], out["written"], out["added"][0]["id"]) == (True, False, 30)
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_json_errors_stay_on_stderr(ledger):
    result = run_cli("update", "99", "--note", "x", "--format", "json", env=USER)
    assert (result.code, result.stdout) == (1, "")
    assert "no task 99" in result.stderr


# ---------------------------------------------------------------------------------------------
# end to end, through the installed command, in a git repository


def test_every_field_edited_in_git_changes_only_that_tasks_lines(tmp_path):
    import os
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("reformctl")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "reformctl"]
    env = {**os.environ, "REFORMCTL_USER": "王芳", "NO_COLOR": "1", "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    env.pop("REFORMCTL_DATA", None)

    def run(*args: str) -> str:
        proc = subprocess.run([*command, *args], cwd=tmp_path, env=env, capture_output=True,
                              text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=tmp_path, env=env, capture_output=True,
                              text=True, check=True).stdout

    def step(args: list[str], *task_ids: int) -> None:
        """Run a write, then: git's diff touches only the lines of these tasks; commit."""
        run(*args)
        text = (tmp_path / "data" / "tasks.yaml").read_text("utf-8")
        spans = []  # each task's lines: first line, and the first line after it
        for task_id in task_ids:
            start, end = block_span(text, task_id)
            # (a new task brings the blank line that separates it from the one before)
            spans.append((text[:start].count("\n"), text[:end].count("\n") + 1))
        for hunk in re.finditer(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", git(
                "diff", "-U0", "data/tasks.yaml"), re.MULTILINE):
            first, count = int(hunk.group(1)), int(hunk.group(2) or 1)
            if count == 0:  # lines only removed: they stood just after line `first`
                inside = [lo <= first < hi for lo, hi in spans]
            else:
                inside = [lo <= first and first + count <= hi for lo, hi in spans]
            assert any(inside), (args, hunk.group(0), spans)
        git("commit", "-qam", " ".join(args))

    run("init", ".")
    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "ledger")
    step(["add", "-l", "D", "区级新任务。", "--due", "2019-06-30"], 30)
    step(["add", "-l", "F", "区总工会新任务。", "--tag", "x"], 31)
    step(["add", "-l", "G", "基层新任务。", "--related", "F13"], 32, 31)
    step(["update", "D8", "--text", "区级新任务：修订。", "--title", "New: revised"], 30)
    step(["update", "D8", "--owner", "区总工会", "--add-partner", "组织部", "--add-tag", "y"], 30)
    step(["update", "D8", "--status", "in-progress", "--progress", "20"], 30)
    step(["update", "D8", "--add-related", "G11"], 30, 32)
    step(["update", "D8", "--clear-due", "--clear-progress", "--clear-title", "--clear-owner",
          "--remove-partner", "组织部", "--remove-tag", "y"], 30)
    step(["update", "G11", "--remove-related", "D8"], 32, 30)
    proc = subprocess.run([*command, "check", "--strict"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    log = json.loads(run("log", "--format", "json"))
    assert len([r for r in log if r["ref"] == "D8"]) == 7  # added + 6 updates (incl. unlink)
    assert {r["ref"] for r in log} == {"D8", "F13", "G11"}
