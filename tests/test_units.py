"""Unit ledgers derived from the plan (init --unit --plan), and sync-plan."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import run_cli


@pytest.fixture
def district(outside: Path) -> Path:
    assert run_cli("init", "district").code == 0
    return outside / "district"


def derive(name: str, unit: str, *args: str) -> Path:
    result = run_cli("init", name, "--unit", unit, "--plan", "district", *args)
    assert result.code == 0, result.stderr
    return Path(name) / "data"


def test_a_unit_ledger_holds_the_plans_grassroots_tasks_with_their_ids(district: Path) -> None:
    data = derive("u1", "德胜街道总工会")
    result = run_cli("list", "--format", "json", "--data", str(data))
    tasks = json.loads(result.stdout)
    assert [t["id"] for t in tasks] == list(range(20, 30))
    assert {t["status"] for t in tasks} == {"todo"}
    text = (data / "tasks.yaml").read_text()
    sha = hashlib.sha256((district / "data/tasks.yaml").read_bytes()).hexdigest()
    assert f"    sha256: {sha}\n" in text or f'    sha256: "{sha}"\n' in text
    assert "  unit: 德胜街道总工会\n" in text and "    unit: 西城区总工会\n" in text
    assert run_cli("check", "--strict", "--data", str(data)).code == 0


def test_levels_and_tasks_can_be_chosen(district: Path) -> None:
    data = derive("u2", "区教育工会", "--level", "F", "--task", "D3")
    tasks = json.loads(run_cli("list", "--format", "json", "--data", str(data)).stdout)
    assert [t["id"] for t in tasks] == [3, *range(8, 20)]
    assert "    levels: [federation]\n    tasks: [3]\n" in (data / "tasks.yaml").read_text()


@pytest.mark.parametrize(("args", "message", "code"), [
    (["--plan", "district"], "--plan needs --unit NAME", 2),
    (["--unit", "X", "--plan", "nowhere"], "--plan nowhere holds no plan", 2),
    (["--unit", "X", "--plan", "district", "--task", "G99"], "the plan has no task G99", 1),
    (["--unit", "X", "--plan", "district", "--empty"], "--empty, --title and --year do not", 2),
    (["--unit", "X", "--level", "G"], "--level and --task choose the plan's tasks", 2),
])
def test_bad_unit_options(district: Path, args: list[str], message: str, code: int) -> None:
    result = run_cli("init", "u", *args)
    assert result.code == code and message in result.stderr
    assert not Path("u").exists()


def test_sync_plan_takes_the_plans_changes_and_keeps_the_units_own(district: Path) -> None:
    data = derive("u1", "德胜街道总工会")
    assert run_cli("update", "G3", "--status", "in-progress", "--progress", "40", "--by", "u",
                   "--note", "started", "--at", "2018-05-02T10:00:00+08:00",
                   "--data", str(data)).code == 0
    plan = district / "data/tasks.yaml"
    text = plan.read_text()
    plan.write_text(text.replace("建立项目经费申报审批制度，", "建立项目经费申报与审批制度，"))
    assert run_cli("update", "G3", "--due", "2018-10-31", "--by", "d",
                   "--data", str(district / "data")).code == 0
    assert run_cli("add", "--level", "grassroots", "新增的基层任务。", "--by", "d",
                   "--data", str(district / "data")).code == 0
    before = (data / "tasks.yaml").read_text()

    dry = run_cli("sync-plan", "--plan", "district", "--data", str(data), "--dry-run")
    assert dry.code == 0 and (data / "tasks.yaml").read_text() == before
    result = run_cli("sync-plan", "--plan", "district", "--data", str(data))
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "u1/data/tasks.yaml: task 22 (G3): text taken from the plan: "
        "建立项目经费申报审批制度，推行项目带资金模式，形成“人往基层走、钱往基层投、政策向基层倾斜”的基层保障机制。"
        " -> 建立项目经费申报与审批制度，推行项目带资金模式，形成“人往基层走、钱往基层投、政策向基层倾斜”的基层保障机制。",
        "u1/data/tasks.yaml: task 22 (G3): due taken from the plan: 2018-12-31 -> 2018-10-31",
        "u1/data/tasks.yaml: task 30 (G11) added from the plan: 新增的基层任务。",
        "u1/data/tasks.yaml: brought up to date with the plan: 1 task changed, 1 task added",
    ]
    task = json.loads(run_cli("show", "G3", "--format", "json", "--data", str(data)).stdout)
    task = task.get("task", task)
    assert task["status"] == "in-progress" and task["progress"] == 40
    assert task["due"] == "2018-10-31" and "与审批" in task["text"]
    assert [h["note"] for h in task["history"]] == ["started"]
    after = (data / "tasks.yaml").read_text()
    sha = hashlib.sha256(plan.read_bytes()).hexdigest()
    assert f"sha256: {sha}" in after or f'sha256: "{sha}"' in after
    # lines outside task 22, the new task and the hash are as they were
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert len(changed) <= 14
    assert run_cli("check", "--data", str(data)).code == 0
    again = run_cli("sync-plan", "--plan", "district", "--data", str(data))
    assert again.stdout == "u1/data/tasks.yaml: up to date with the plan\n"


def test_sync_plan_keeps_a_task_the_plan_no_longer_gives(district: Path) -> None:
    derive("u1", "德胜街道总工会")
    derive("u2", "金融街街道总工会")
    plan = district / "data/tasks.yaml"
    plan.write_text(plan.read_text().replace("    level: grassroots\n    seq: 10\n",
                                             "    level: federation\n    seq: 13\n"))
    result = run_cli("sync-plan", "u1", "u2", "--plan", "district", "--format", "json")
    assert result.code == 0, result.stderr
    units = json.loads(result.stdout)["units"]
    assert [u["not_in_plan"] for u in units] == [[{"id": 29, "ref": "G10"}]] * 2
    assert all(u["written"] for u in units)  # the new hash is recorded
    assert run_cli("check", "u1", "u2").code == 0


def test_sync_plan_refuses_a_ledger_not_derived(district: Path) -> None:
    result = run_cli("sync-plan", "--plan", "district", "--data", "district/data")
    assert result.code == 2
    assert "is not a unit's ledger: its plan has no derived_from" in result.stderr
