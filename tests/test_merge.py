"""The git merge driver: real repositories, two branches, `git merge`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from reformctl.merge import merge_files

pytestmark = pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True,
                                               check=False).returncode != 0,
                                reason="git is not installed")

DRIVER = f"{sys.executable} -m reformctl merge-driver %O %A %B %P"


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent), "LANG": "C"}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True,
                          check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {done.stdout}{done.stderr}")
    return done


@pytest.fixture
def repo(outside: Path) -> Path:
    """A repository holding the sample ledger (as init writes it), the driver enabled."""
    root = outside / "units"
    assert run_cli("init", str(root)).code == 0
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "merge.reformctl.driver", DRIVER)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "ledger")
    return root


def update(root: Path, *args: str) -> None:
    result = run_cli("update", *args, "--by", "t", "--data", str(root / "data"))
    assert result.code == 0, result.stderr


def branches(root: Path, ours: list[tuple[str, ...]], theirs: list[tuple[str, ...]]) -> None:
    git(root, "checkout", "-q", "-b", "theirs")
    for args in theirs:
        update(root, *args)
    git(root, "commit", "-q", "-am", "theirs")
    git(root, "checkout", "-q", "main")
    for args in ours:
        update(root, *args)
    git(root, "commit", "-q", "-am", "ours")


def test_init_writes_the_merge_attribute(repo: Path) -> None:
    assert "data/*.yaml merge=reformctl\n" in (repo / ".gitattributes").read_text()
    attr = git(repo, "check-attr", "merge", "data/tasks.yaml").stdout
    assert attr.strip() == "data/tasks.yaml: merge: reformctl"


def test_both_history_entries_are_kept_in_time_order(repo: Path) -> None:
    branches(repo,
             ours=[("20", "--note", "ours", "--at", "2018-05-03T10:00:00+08:00")],
             theirs=[("20", "--status", "in-progress", "--at", "2018-05-02T09:00:00+08:00")])
    done = git(repo, "merge", "-q", "--no-edit", "theirs", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    show = run_cli("show", "20", "--format", "json", "--data", str(repo / "data"))
    import json

    task = json.loads(show.stdout)
    history = task["history"] if "history" in task else task["task"]["history"]
    assert [h["at"] for h in history] == ["2018-05-02T09:00:00+08:00",
                                          "2018-05-03T10:00:00+08:00"]
    assert task.get("status", task.get("task", {}).get("status")) == "in-progress"
    assert run_cli("check", "--data", str(repo / "data")).code == 0
    # only task 20's lines differ from ours
    diff = git(repo, "diff", "HEAD~1", "HEAD", "--", "data/tasks.yaml").stdout
    assert diff.count("@@ ") == 2  # one hunk: the status line and the new entry are in one task


def test_different_fields_of_one_task_merge(repo: Path) -> None:
    branches(repo,
             ours=[("21", "--progress", "30", "--at", "2018-05-02T10:00:00+08:00")],
             theirs=[("21", "--owner", "区教育工会", "--at", "2018-05-03T10:00:00+08:00")])
    assert git(repo, "merge", "-q", "--no-edit", "theirs", check=False).returncode == 0
    text = (repo / "data/tasks.yaml").read_text()
    assert "owner: 区教育工会" in text and "progress: 30" in text
    assert run_cli("check", "--data", str(repo / "data")).code == 0


def test_a_real_conflict_stays_a_conflict(repo: Path) -> None:
    branches(repo,
             ours=[("22", "--status", "done", "--evidence", "a.pdf",
                    "--at", "2018-05-02T10:00:00+08:00")],
             theirs=[("22", "--status", "blocked", "--at", "2018-05-03T10:00:00+08:00")])
    done = git(repo, "merge", "--no-edit", "theirs", check=False)
    assert done.returncode != 0
    assert "conflict in task 22 (G3): status" in done.stderr
    text = (repo / "data/tasks.yaml").read_text()
    assert text.count("<<<<<<< ours (task 22 (G3): status)") == 1
    assert "    status: done\n=======\n    status: blocked\n" in text
    status = git(repo, "status", "--porcelain").stdout
    assert "UU data/tasks.yaml" in status
    # both histories are there, outside the markers
    assert text.count("at: 2018-05-02T10:00:00+08:00") == 1
    assert text.count("at: 2018-05-03T10:00:00+08:00") == 1


def test_unrelated_tasks_merge_byte_for_byte(repo: Path) -> None:
    branches(repo, ours=[("1", "--note", "a", "--at", "2018-05-02T10:00:00+08:00")],
             theirs=[("29", "--note", "b", "--at", "2018-05-02T11:00:00+08:00")])
    assert git(repo, "merge", "-q", "--no-edit", "theirs", check=False).returncode == 0
    ours = git(repo, "show", "HEAD~1:data/tasks.yaml").stdout
    merged = (repo / "data/tasks.yaml").read_text()
    assert "note: a" in merged and "note: b" in merged
    assert len(merged.splitlines()) == len(ours.splitlines()) + 4


# ---------------------------------------------------------------------------------------------
# The library on its own


BASE = """plan:
  title: P
tasks:
  # a comment kept
  - id: 1
    level: grassroots
    seq: 1
    text: 甲。
    status: todo
    history: []

  - id: 2
    level: grassroots
    seq: 2
    text: 乙。
    status: todo
    history: []
"""


def _merge(base: str, ours: str, theirs: str):
    return merge_files(base.encode(), ours.encode(), theirs.encode(), "data/tasks.yaml")


def test_a_task_added_on_their_side_is_added() -> None:
    theirs = BASE + """
  - id: 3
    level: grassroots
    seq: 3
    text: 丙。
    status: todo
    history: []
"""
    ours = BASE.replace("text: 甲。", "text: 甲甲。")
    merged = _merge(BASE, ours, theirs)
    assert merged.clean and merged.how == "tasks"
    assert "text: 甲甲。" in merged.text and "text: 丙。" in merged.text
    assert "  # a comment kept\n" in merged.text


def test_both_sides_adding_the_same_id_differently_is_a_conflict() -> None:
    ours = BASE + "\n  - id: 3\n    level: grassroots\n    seq: 3\n    text: 丙。\n    history: []\n"
    theirs = BASE + "\n  - id: 3\n    level: grassroots\n    seq: 3\n    text: 丁。\n    history: []\n"
    merged = _merge(BASE, ours, theirs)
    assert not merged.clean
    assert merged.conflicts == ["task 3 (G3): text"]
    assert "<<<<<<< ours" in merged.text


def test_a_result_that_fails_the_check_is_not_clean() -> None:
    # each side alone is valid; together two tasks claim G3
    ours = BASE + "\n  - id: 3\n    level: grassroots\n    seq: 3\n    text: 丙。\n    history: []\n"
    theirs = BASE + "\n  - id: 4\n    level: grassroots\n    seq: 3\n    text: 丁。\n    history: []\n"
    merged = _merge(BASE, ours, theirs)
    assert not merged.clean
    assert merged.problems and merged.problems[0].code == "duplicate-seq"


def test_unparsable_side_falls_back_to_the_line_merge() -> None:
    merged = _merge(BASE, BASE.replace("text: 甲。", "text: [甲"), BASE)
    assert merged.how == "lines" and not merged.clean


def test_a_plan_sync_and_a_units_update_merge(outside: Path) -> None:
    """One branch brings the unit's ledger up to date with a corrected plan; another records the
    unit's own progress on the same task: both are kept."""
    assert run_cli("init", "district").code == 0
    root = outside / "unit"
    assert run_cli("init", str(root), "--unit", "德胜街道总工会", "--plan", "district").code == 0
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "merge.reformctl.driver", DRIVER)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "unit ledger")
    plan = outside / "district/data/tasks.yaml"
    plan.write_text(plan.read_text().replace("建立项目经费申报审批制度，", "建立项目经费申报与审批制度，"))
    git(root, "checkout", "-q", "-b", "sync")
    result = run_cli("sync-plan", "--plan", "district", "--data", str(root / "data"))
    assert result.code == 0, result.stderr
    git(root, "commit", "-q", "-am", "sync with the plan")
    git(root, "checkout", "-q", "main")
    update(root, "G3", "--status", "in-progress", "--at", "2018-05-02T10:00:00+08:00")
    git(root, "commit", "-q", "-am", "progress")
    done = git(root, "merge", "-q", "--no-edit", "sync", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (root / "data/tasks.yaml").read_text()
    assert "建立项目经费申报与审批制度" in text and "status: in-progress" in text
    assert run_cli("sync-plan", "--plan", "district", "--data", str(root / "data")).stdout == (
        f"{root.name}/data/tasks.yaml: up to date with the plan\n")
    assert run_cli("check", "--strict", "--data", str(root / "data")).code == 0


def test_voices_are_merged_by_lines_and_checked() -> None:
    base = ("voices:\n  - id: 1\n    headline: 甲\n    speaker: 张\n    unit: 某单位\n"
            "    role: 主席\n    summary: 无\n")
    ours = base.replace("headline: 甲", "headline: 甲甲")
    theirs = base.replace("summary: 无", "summary: 有")
    merged = merge_files(base.encode(), ours.encode(), theirs.encode(), "data/voices.yaml")
    assert merged.clean and merged.how == "lines"
    assert "headline: 甲甲" in merged.text and "summary: 有" in merged.text
    broken = merge_files(base.encode(), base.replace("id: 1", "id: x").encode(), base.encode(),
                         "data/voices.yaml")
    assert not broken.clean and broken.problems[0].code == "invalid-type"
