"""init DIR --from FILE: a ledger started from a 任务分解表 as Word and Excel keep it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import DATA, run_cli

LEVEL_HEADINGS = {"district": "区级层面", "federation": "区总工会层面", "grassroots": "基层工会级层面"}
TITLE = "2018年度重点改革任务分解表"
HEADER = ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]


def _tasks() -> list[dict]:
    return yaml.safe_load((DATA / "tasks.yaml").read_text(encoding="utf-8"))["tasks"]


def _levels() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for task in _tasks():
        out.setdefault(task["level"], []).append(task)
    return out


def _written(directory: Path) -> list[tuple[str, int, str]]:
    tasks = yaml.safe_load((directory / "data" / "tasks.yaml").read_text(encoding="utf-8"))
    return [(t["level"], t["seq"], t["text"]) for t in tasks["tasks"]]


EXPECTED = [(t["level"], t["seq"], t["text"]) for t in _tasks()]


def word_table(path: Path) -> Path:
    """The source's layout: per level a heading paragraph, then a table under one header."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("西城区总工会2018年重点改革任务分解表", level=1)
    for level, tasks in _levels().items():
        document.add_paragraph(f"{LEVEL_HEADINGS[level]} {TITLE}")
        table = document.add_table(rows=1, cols=len(HEADER))
        for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
            cell.text = text
        for task in tasks:
            cells = table.add_row().cells
            cells[0].text = str(task["seq"])
            cells[1].text = task["text"]
            cells[2].text = "区总工会组织部" if task["id"] % 3 == 0 else ""
            cells[3].text = "各街道工会、各产业工会" if task["id"] % 4 == 0 else ""
            cells[4].text = "2018年12月底"
    document.save(path)
    return path


def excel_table(path: Path) -> Path:
    """One sheet: a title row, the header, and each level as a heading row merged across."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务分解表"
    ws.append([f"西城区总工会{TITLE}"])
    ws.merge_cells("A1:E1")
    ws.append(HEADER)
    for level, tasks in _levels().items():
        ws.append([LEVEL_HEADINGS[level]])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=5)
        for task in tasks:
            ws.append([task["seq"], task["text"], None, None, dt.datetime(2018, 12, 31)])
            ws.cell(row=ws.max_row, column=5).number_format = "yyyy-mm-dd"
    wb.save(path)
    return path


def test_init_from_a_word_table(outside):
    source = word_table(outside / "分解表.docx")
    result = run_cli("init", "plan", "--from", str(source), "--unit", "西城区总工会")
    assert result.code == 0, result.stderr
    assert ("columns of 分解表.docx: 序号 → seq, 重点任务 → text, 牵头单位 → owner, "
            "配合单位 → partners, 完成时限 → due; levels from heading rows") in result.stderr
    assert "wrote a ledger of 29 tasks (7 district, 12 federation, 10 grassroots)" in result.stderr
    assert _written(outside / "plan") == EXPECTED
    data = yaml.safe_load((outside / "plan" / "data" / "tasks.yaml").read_text(encoding="utf-8"))
    assert data["plan"] == {"title": "西城区总工会2018年重点改革任务分解表", "year": 2018,
                            "unit": "西城区总工会"}
    third = data["tasks"][2]
    assert (third["owner"], third["due"]) == ("区总工会组织部", dt.date(2018, 12, 31))
    assert data["tasks"][3]["partners"] == ["各街道工会", "各产业工会"]
    assert run_cli("check", "--data", str(outside / "plan" / "data")).code == 0


def test_init_from_an_excel_sheet(outside):
    source = excel_table(outside / "分解表.xlsx")
    result = run_cli("init", "plan", "--from", str(source))
    assert result.code == 0, result.stderr
    assert "levels from heading rows" in result.stderr
    assert _written(outside / "plan") == EXPECTED
    assert run_cli("check", "--data", str(outside / "plan" / "data")).code == 0


def test_levels_as_a_column_and_a_map(outside):
    lines = ["层级,工作内容,责任单位,时间节点"]
    for task in _tasks():
        level = {"district": "区级", "federation": "区总工会", "grassroots": "基层"}[task["level"]]
        lines.append(f'{level},"{task["text"]}",组织部,2018年底')
    (outside / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    result = run_cli("init", "plan", "--from", "t.csv", "--map", "工作内容=text")
    assert result.code == 0, result.stderr
    assert ("columns of t.csv: 层级 → level, 工作内容 → text, 责任单位 → owner, 时间节点 → due; "
            "levels from the column 层级") in result.stderr
    assert _written(outside / "plan") == EXPECTED


def test_problems_are_located_and_nothing_is_written(outside):
    (outside / "t.csv").write_text(
        "序号,任务,完成时限\n区级层面,,\n1,建立制度。,明年\n2,,\n一,开展活动。,2018-06-30\n",
        encoding="utf-8")
    result = run_cli("init", "plan", "--from", "t.csv")
    assert result.code == 1
    assert result.stderr.splitlines()[1:5] == [
        "reformctl: error: t.csv: 2 problems, so no ledger was written:",
        "t.csv:t!C3: '明年' is not a deadline reformctl can read (2018-12-31, 2018年12月底, "
        "2018年底)",
        "t.csv:t!A5: '一' is not a number",
        "  hint: correct the table, or tell the columns apart with --map COLUMN=FIELD",
    ]
    assert not (outside / "plan").exists()


def test_a_table_without_a_task_column(outside):
    (outside / "t.csv").write_text("甲,乙\n1,2\n", encoding="utf-8")
    result = run_cli("init", "plan", "--from", "t.csv")
    assert result.code == 1
    assert "t.csv: no header row naming a task column" in result.stderr
    result = run_cli("init", "plan", "--from", "t.csv", "--map", "乙=text", "--map", "甲=level")
    assert result.code == 1
    assert "t.csv:t!A2: '1' is not a level" in result.stderr
    result = run_cli("init", "plan", "--from", "t.csv", "--map", "乙=words")
    assert result.code == 2
    assert "--map 乙=words: write it as COLUMN=FIELD" in result.stderr


def test_from_and_empty_contradict(outside):
    result = run_cli("init", "plan", "--from", "t.csv", "--empty")
    assert result.code == 2
    assert "--from and --empty contradict each other" in result.stderr


def test_word_needs_the_office_extra(outside, monkeypatch):
    import sys

    (outside / "t.docx").write_bytes(b"PK")
    monkeypatch.setitem(sys.modules, "docx", None)
    result = run_cli("init", "plan", "--from", "t.docx")
    assert result.code == 1
    assert "reading Word documents needs python-docx, which is not installed" in result.stderr
    assert "pip install 'reformctl[office]'" in result.stderr
    assert not (outside / "plan").exists()
