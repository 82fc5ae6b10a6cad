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
                                             ("csv", "csv"), ("markdown", "md"),
                                             ("html", "html")])
def test_rollup_golden(district: Path, fmt: str, suffix: str) -> None:
    result = run_cli(*ARGS, "--format", fmt)
    assert result.code == 0, result.stderr
    assert_golden(GOLDEN / f"rollup.{suffix}", result.stdout)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_rollup_golden_office(district: Path, tmp_path: Path, fmt: str, lang: str) -> None:
    """The workbook checked with openpyxl, the Word document with python-docx, each as a text
    dump (the report's dumps); both byte-identical from run to run."""
    from test_report_cli import docx_dump, xlsx_dump

    target = tmp_path / f"rollup.{fmt}"
    result = run_cli(*ARGS, "--lang", lang, "--format", fmt, "--output", str(target))
    assert result.code == 0, result.stderr
    assert result.stderr == f"reformctl: wrote the {fmt} roll-up to {target}\n" or lang == "zh"
    first = target.read_bytes()
    dump = xlsx_dump(first) if fmt == "xlsx" else docx_dump(first)
    suffix = "" if lang == "en" else ".zh"
    assert_golden(GOLDEN / f"rollup{suffix}.{fmt}.txt", dump)
    run_cli(*ARGS, "--lang", lang, "--format", fmt, "--output", str(target))
    assert target.read_bytes() == first


def test_the_workbook_holds_the_jsons_figures(district: Path, tmp_path: Path) -> None:
    """Typed cells: completion and counts are numbers, dates are dates, statuses are words."""
    import io
    from datetime import datetime

    from openpyxl import load_workbook

    data = json.loads(run_cli(*ARGS, "--format", "json").stdout)
    target = tmp_path / "rollup.xlsx"
    run_cli(*ARGS, "--format", "xlsx", "--output", str(target))
    wb = load_workbook(io.BytesIO(target.read_bytes()))
    assert wb.sheetnames == ["Summary", "Status matrix", "Tasks", "Behind schedule", "Evidence",
                             "No update", "Commitments", "Disagreements"]
    summary = wb["Summary"]
    rows = [[c.value for c in row] for row in summary.iter_rows()]
    header = rows.index(["Unit", "Tasks", "Done", "Completion (%)", "Average progress (%)",
                         "Overdue", "Evidence", "Last update"])
    for unit, row in zip(data["units"], rows[header + 1:], strict=True):
        assert row[:4] == [unit["unit"], unit["tasks"], unit["done"], unit["completion"]]
        assert row[7] == datetime.fromisoformat(unit["last_update"][:10])
    matrix = [[c.value for c in row] for row in wb["Status matrix"].iter_rows()]
    assert matrix[0] == ["Unit", *(t["ref"] for t in data["tasks"])]
    desheng = next(r for r in matrix if r[0] == "德胜街道总工会")
    assert desheng[1:] == [t["statuses"]["德胜街道总工会"] for t in data["tasks"]]


def test_binary_formats_refuse_the_terminal(district: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from reformctl.cli import report as report_cli

    monkeypatch.setattr(report_cli, "stdout_is_terminal", lambda: True)
    for fmt in ("xlsx", "docx"):
        result = run_cli(*ARGS, "--format", fmt)
        assert result.code == 2
        assert f"--format {fmt} --output rollup.{fmt}" in result.stderr


def test_json_is_one_record_a_line(district: Path) -> None:
    """Compact, written by the C encoder, one unit / task / commitment / disagreement a line;
    the same value as the indented JSON of earlier versions."""
    from reformctl.render import to_json
    from reformctl.render.rollup import json_records

    out = run_cli(*ARGS, "--format", "json").stdout
    data = json.loads(out)
    lines = out.splitlines()
    assert len(lines) == (1 + 4 + 2 + len(data["units"]) + 2 + len(data["tasks"]) + 2
                          + len(data["commitments"]) + 2 + len(data["disagreements"]) + 1)
    for unit in data["units"]:
        assert json.dumps(unit, ensure_ascii=False, separators=(",", ":")) + "," in lines \
            or json.dumps(unit, ensure_ascii=False, separators=(",", ":")) in lines
    assert json.loads(to_json(data)) == json.loads(json_records(data))
    hostile = {"format": "x", "units": [{"unit": "a\u202eb\x1b[31m"}], "tasks": []}
    written = json_records(hostile)
    assert "\u202e" not in written and "\x1b" not in written
    assert json.loads(written) == hostile


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


def test_on_a_terminal_the_table_is_drawn_to_its_width(district: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The same document, drawn by rich at the terminal's width: nothing cut, no line wider."""
    from reformctl.cli import report as report_cli

    monkeypatch.setattr(report_cli, "stdout_is_terminal", lambda: True)
    result = run_cli(*ARGS, env={"COLUMNS": "60"})
    assert result.code == 0, result.stderr
    from rich.cells import cell_len

    assert max(cell_len(line) for line in result.stdout.splitlines()) <= 60
    assert "大栅栏自选任务：建立商户工会联络员制度。" in result.stdout.replace("\n", "")
