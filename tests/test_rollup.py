"""`reformctl rollup`: golden files from a fixture district of several units.

tests/fixtures/district: plan/ is the shipped ledger; units/ holds five unit ledgers made with
`reformctl init --unit --plan` and updated with `reformctl update` (dashilan then derived from an
older version of the plan, one task text changed by hand and a task of its own added; broken has
an invalid status).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES, assert_golden, run_cli

GOLDEN = Path(__file__).resolve().parent / "golden"
ARGS = ("rollup", "units", "--plan", "plan", "--as-of", "2019-01-15", "--quiet-since",
        "2018-06-01")


@pytest.fixture
def district(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(FIXTURES / "district")
    return FIXTURES / "district"


@pytest.mark.parametrize(("fmt", "suffix"), [("table", "txt"), ("json", "json"),
                                             ("csv", "csv"), ("markdown", "md")])
def test_rollup_golden(district: Path, fmt: str, suffix: str) -> None:
    result = run_cli(*ARGS, "--format", fmt)
    assert result.code == 0, result.stderr
    assert_golden(GOLDEN / f"rollup.{suffix}", result.stdout)


def test_rollup_golden_in_chinese(district: Path) -> None:
    result = run_cli(*ARGS, "--lang", "zh")
    assert result.code == 0, result.stderr
    assert_golden(GOLDEN / "rollup.zh.txt", result.stdout)
    markdown = run_cli(*ARGS, "--lang", "zh", "--format", "markdown")
    assert_golden(GOLDEN / "rollup.zh.md", markdown.stdout)


def test_the_plan_is_found_among_the_ledgers(district: Path) -> None:
    given = run_cli(*ARGS, "--format", "json").stdout
    found = run_cli("rollup", "plan", "units", "--as-of", "2019-01-15", "--quiet-since",
                    "2018-06-01", "--format", "json").stdout
    assert json.loads(found) == json.loads(given)


def test_disagreements_are_listed_not_joined(district: Path) -> None:
    data = json.loads(run_cli(*ARGS, "--format", "json").stdout)
    kinds = {(d["unit"], d["kind"], d["ref"]) for d in data["disagreements"]}
    assert kinds == {
        ("units/broken/data", "invalid", None),
        ("大栅栏街道总工会", "plan-behind", None),
        ("大栅栏街道总工会", "changed-text", "G1"),
        ("大栅栏街道总工会", "unknown-task", "G11"),
    }
    assert [u["unit"] for u in data["units"]] == ["大栅栏街道总工会", "德胜街道总工会",
                                                  "区教育工会", "金融街街道总工会"]
    assert 30 not in {t["id"] for t in data["tasks"]}  # the unknown task is not joined
    assert data["format"] == "reformctl.rollup/1"


def test_as_of_undoes_later_history(district: Path) -> None:
    early = json.loads(run_cli("rollup", "units", "--plan", "plan", "--as-of", "2018-05-31",
                               "--format", "json").stdout)
    desheng = next(u for u in early["units"] if u["unit"] == "德胜街道总工会")
    assert desheng["cells"]["21"]["status"] == "todo"  # done on 2018-06-20
    assert desheng["cells"]["20"]["status"] == "in-progress"


def test_without_a_plan_units_are_joined_on_their_ids(district: Path) -> None:
    data = json.loads(run_cli("rollup", "units/desheng", "units/jinrongjie", "--as-of",
                              "2018-06-30", "--format", "json").stdout)
    assert data["plan"] is None and data["disagreements"] == []
    assert [t["ref"] for t in data["tasks"]][:2] == ["G1", "G2"]
    assert data["tasks"][1]["completion"] == 100.0
