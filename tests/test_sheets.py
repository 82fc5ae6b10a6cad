"""export and import: the ledger as a fill-in workbook and back, as units really send it."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from conftest import run_cli

BIN = Path(sys.executable).parent / "reformctl"


def export(path: str = "t.xlsx", *args: str) -> Path:
    result = run_cli("export", "--output", path, *args)
    assert result.code == 0, result.stderr
    return Path(path).resolve()


def fill(source: Path, target: str, **cells: object) -> Path:
    """The workbook with ``cells`` (``F2="done"``) filled in, as a unit would in a spreadsheet."""
    wb = openpyxl.load_workbook(source)
    ws = wb.worksheets[0]
    for ref, value in cells.items():
        ws[ref] = value
    out = source.parent / target
    wb.save(out)
    return out


# ---------------------------------------------------------------------------------------------
# export


def test_the_workbook_is_a_fill_in_form(ledger):
    path = export("t.xlsx", "--lang", "zh")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == ["序号", "编号", "层面", "任务", "牵头单位", "状态",
                                        "进度（%）", "完成时限", "备注", "佐证材料"]
    assert ws.max_row == 30
    assert [c.value for c in ws[2]][:6] == [1, "D1", "区级", "建立区级职工事务经费保障联席会议制度。",
                                            None, "未开始"]
    assert ws["H2"].value == dt.datetime(2018, 12, 31) and ws["H2"].number_format == "yyyy-mm-dd"
    # locked identifying columns, open columns to fill in, the sheet protected
    assert ws.protection.sheet is True and not ws.protection.password
    assert all(ws.cell(row=2, column=c).protection.locked for c in range(1, 6))
    assert not any(ws.cell(row=2, column=c).protection.locked for c in range(6, 11))
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert rules["F2:F30"].type == "list"
    assert rules["F2:F30"].formula1 == '"未开始,进行中,已完成,受阻,已取消"'
    assert (rules["G2:G30"].type, rules["G2:G30"].formula1, rules["G2:G30"].formula2) == (
        "whole", "0", "100")
    assert rules["H2:H30"].type == "date"
    # prints well: landscape A4, one page wide, the header repeated, frozen
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows in ("1:1", "$1:$1") and ws.freeze_panes == "B2"
    # the hidden sheet ties it to the ledger
    meta = wb["reformctl"]
    assert meta.sheet_state == "hidden"
    values = {row[0]: row[1] for row in meta.iter_rows(max_row=5, values_only=True)}
    assert values["format"] == "reformctl.sheet/1"
    assert values["plan"] == "西城区总工会2018年重点改革任务分解表"
    assert values["sha256"] == __import__("hashlib").sha256(
        (ledger / "tasks.yaml").read_bytes()).hexdigest()
    assert dt.datetime.fromisoformat(values["exported"]).tzinfo is not None
    assert values["lang"] == "zh"
    rows = list(meta.iter_rows(min_row=7, values_only=True))
    assert rows[0] == ("id", "status", "progress", "due")
    assert rows[1] == ("1", "todo", None, "2018-12-31")  # an empty progress


def test_english_workbook_and_filters(ledger):
    result = run_cli("export", "-o", "g.xlsx", "--level", "grassroots")
    assert result.code == 0, result.stderr
    assert "wrote 10 tasks to g.xlsx" in result.stderr
    ws = openpyxl.load_workbook("g.xlsx").worksheets[0]
    assert ws["A1"].value == "ID" and ws["F1"].value == "Status"
    assert [ws.cell(row=r, column=2).value for r in range(2, 12)] == [f"G{i}" for i in range(1, 11)]
    assert ws["F2"].value == "todo"
    result = run_cli("export", "D1", "F3", "-o", "two.xlsx")
    assert result.code == 0
    ws = openpyxl.load_workbook("two.xlsx").worksheets[0]
    assert [ws.cell(row=r, column=2).value for r in (2, 3)] == ["D1", "F3"] and ws.max_row == 3


def test_export_needs_an_xlsx_output(ledger):
    result = run_cli("export")
    assert result.code == 2
    assert "export needs --output FILE.xlsx" in result.stderr
    result = run_cli("export", "-o", "t.csv")
    assert result.code == 2
    assert "--output t.csv: the workbook's name must end in .xlsx" in result.stderr


def test_a_missing_extra_says_what_to_install(ledger, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    for args in (("export", "-o", "t.xlsx"), ("import", "t.xlsx")):
        Path("t.xlsx").write_bytes(b"PK")
        result = run_cli(*args)
        assert result.code == 1, args
        assert "needs openpyxl, which is not installed" in result.stderr
        assert "pip install 'reformctl[xlsx]'" in result.stderr


# ---------------------------------------------------------------------------------------------
# import: the round trip through the installed command


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFORMCTL_")}
    env.update(NO_COLOR="1", LANG="C.UTF-8", REFORMCTL_CACHE_DIR=str(cwd / ".cache"))
    return subprocess.run([str(BIN), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def _blocks(text: str) -> dict[int, range]:
    """Line numbers (1-based) of each task's block in tasks.yaml."""
    lines = text.split("\n")
    starts = [(i + 1, int(line.split(":")[1])) for i, line in enumerate(lines)
              if line.startswith("  - id: ")]
    ends = [start for start, _ in starts[1:]] + [len(lines) + 1]
    return {task: range(start, end) for (start, task), end in zip(starts, ends, strict=True)}


def _touched(diff: str) -> set[int]:
    """Old-file line numbers a ``git diff -U0`` touches."""
    lines = set()
    for line in diff.splitlines():
        if line.startswith("@@"):
            old = line.split()[1][1:]
            start, _, count = old.partition(",")
            n = int(count) if count else 1
            lines.update(range(int(start), int(start) + max(n, 1)))
    return lines


@pytest.mark.skipif(not BIN.exists(), reason="the installed command is needed")
def test_round_trip_through_the_installed_command(ledger):
    root = ledger.parent
    _git(root, "init", "-q")
    _git(root, "add", "data")
    _git(root, "commit", "-qm", "ledger")
    before = (ledger / "tasks.yaml").read_text(encoding="utf-8")
    done = _cli(root, "--lang", "zh", "export", "--level", "基层", "-o", "基层.xlsx")
    assert done.returncode == 0, done.stderr
    # a unit fills it in: a status from the drop-down, progress typed as text, a date cell,
    # a note and two pieces of evidence; the other rows stay as they are
    wb = openpyxl.load_workbook(root / "基层.xlsx")
    ws = wb.worksheets[0]
    assert ws["B2"].value == "G1" and ws["B4"].value == "G3"
    ws["F2"], ws["G2"] = "进行中", "６０"
    ws["I2"] = "已完成经费预算制度初稿"
    ws["F4"] = "已完成"
    ws["J4"] = "区总工会〔2018〕12号.pdf\nhttps://example.invalid/g3"
    ws["H5"] = dt.datetime(2019, 3, 31)
    wb.save(root / "基层-返回.xlsx")

    done = _cli(root, "import", "基层-返回.xlsx", "--by", "王芳", "--at", "2018-06-30T10:00+08:00")
    assert done.returncode == 0, done.stderr
    assert "updated task 20 (G1): status todo → in-progress, progress — → 60" in done.stderr
    assert "updated task 22 (G3): status todo → done, progress — → 100" in done.stderr
    assert "updated task 23 (G4): due 2018-12-31 → 2019-03-31" in done.stderr

    log = json.loads(_cli(root, "log", "--format", "json").stdout)
    assert [(e["ref"], e["by"], e["at"]) for e in log] == [
        ("G4", "王芳", "2018-06-30T10:00:00+08:00"), ("G3", "王芳", "2018-06-30T10:00:00+08:00"),
        ("G1", "王芳", "2018-06-30T10:00:00+08:00")]
    g1 = next(e for e in log if e["ref"] == "G1")
    assert g1["changes"] == {"status": ["todo", "in-progress"], "progress": [None, 60]}
    assert g1["note"] == "已完成经费预算制度初稿"
    g3 = next(e for e in log if e["ref"] == "G3")
    assert g3["evidence"] == ["区总工会〔2018〕12号.pdf", "https://example.invalid/g3"]

    check = _cli(root, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    diff = _git(root, "diff", "-U0", "--", "data/tasks.yaml")
    blocks = _blocks(before)
    touched = {task for line in _touched(diff) for task, span in blocks.items() if line in span}
    assert touched == {20, 22, 23}
    status = _git(root, "status", "--porcelain", "--", "data").splitlines()
    assert [line for line in status if not line.endswith(".reformctl-lock")] == [
        " M data/tasks.yaml"]  # (init's data/.gitignore keeps the empty lock file out of git)

    # the same sheet again: nothing to do, nothing written
    after = (ledger / "tasks.yaml").read_bytes()
    again = _cli(root, "import", "基层-返回.xlsx", "--by", "王芳")
    assert again.returncode == 0, again.stderr
    assert "nothing was written" in again.stderr
    assert (ledger / "tasks.yaml").read_bytes() == after


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_sheet_saved_again_by_libreoffice(ledger, tmp_path):
    path = export("t.xlsx", "--lang", "zh")
    filled = fill(path, "filled.xlsx", F3="已完成", G4=45, H5="2019/3/31", I3="完成")
    out = tmp_path / "lo"
    subprocess.run([SOFFICE, "--headless", "--convert-to", "xlsx", "--outdir", str(out),
                    str(filled)], check=True, capture_output=True, timeout=300,
                   env={**os.environ, "HOME": str(tmp_path)})
    result = run_cli("import", str(out / "filled.xlsx"), "--by", "王芳")
    assert result.code == 0, result.stderr
    assert "updated task 2 (D2): status todo → done, progress — → 100" in result.stderr
    assert "updated task 3 (D3): progress — → 45" in result.stderr
    assert "updated task 4 (D4): due 2018-12-31 → 2019-03-31" in result.stderr
    assert run_cli("check").code == 0


# ---------------------------------------------------------------------------------------------
# import: every bad cell, located, and the ledger unchanged


BAD_CELLS = [
    ({"A5": 999}, "t.xlsx:Tasks!A5: no task 999 in this ledger"),
    ({"F2": "完成了"}, "t.xlsx:Tasks!F2: '完成了' is not a status; choose one of todo, "
     "in-progress, done, blocked, dropped"),
    ({"F2": None}, "t.xlsx:Tasks!F2: the status is empty; choose one of todo, in-progress, "
     "done, blocked, dropped"),
    ({"G7": 150}, "t.xlsx:Tasks!G7: progress 150 is not between 0 and 100"),
    ({"G7": "42.5"}, "t.xlsx:Tasks!G7: progress 42.5 is not a whole number"),
    ({"G7": "多半"}, "t.xlsx:Tasks!G7: '多半' is not a progress (a whole number from 0 to 100)"),
    ({"H3": "下个月"}, "t.xlsx:Tasks!H3: '下个月' is not a date; write it as 2018-12-31"),
    ({"H3": "2019-02-30"}, "t.xlsx:Tasks!H3: '2019-02-30' is not a real date"),
    ({"D4": "改写的任务。"}, "t.xlsx:Tasks!D4: the task text of task 3 was edited; it is locked: "
     "only status, progress, due, note and evidence are imported (the ledger has "
     "'广泛开展争当金牌工人、技术能手等活动，打造“大都工匠”品牌。')"),
    ({"B4": "D9"}, "t.xlsx:Tasks!B4: the ref of task 3 was edited; it is locked: only status, "
     "progress, due, note and evidence are imported (the ledger has 'D3')"),
    ({"A6": 2}, "t.xlsx:Tasks!A6: task 2 is in row 3 too; give each task one row"),
    ({"A6": "五"}, "t.xlsx:Tasks!A6: '五' is not a task id (a whole number)"),
    ({"A6": None}, "t.xlsx:Tasks!A6: a row without an id; a new task is added with "
     "`reformctl add`"),
]


@pytest.mark.parametrize(("cells", "message"), BAD_CELLS, ids=[m.split(": ")[1][:30]
                                                               for _, m in BAD_CELLS])
def test_a_bad_cell_is_located_and_nothing_changes(ledger, cells, message):
    path = export("t0.xlsx")
    sheet = fill(path, "t.xlsx", F9="done", **cells)  # and a good change, which is not made
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("import", sheet.name, "--by", "王芳")
    assert result.code == 1
    assert result.stderr.splitlines()[:2] == [
        "reformctl: error: t.xlsx: 1 problem, so nothing was changed:", message]
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_every_problem_in_one_run_in_sheet_order(ledger):
    path = export("t0.xlsx")
    sheet = fill(path, "t.xlsx", H9="明年", A5=999, F2="完成了", D4="改了", G3=150)
    result = run_cli("import", sheet.name)
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "reformctl: error: t.xlsx: 5 problems, so nothing was changed:"
    assert [line.split(": ")[0] for line in lines[1:6]] == [
        "t.xlsx:Tasks!F2", "t.xlsx:Tasks!G3", "t.xlsx:Tasks!D4", "t.xlsx:Tasks!A5",
        "t.xlsx:Tasks!H9"]


def test_a_conflict_is_listed_never_overwritten(ledger):
    path = export("t0.xlsx")
    assert run_cli("update", "5", "--due", "2019-01-31", "--by", "李明").code == 0
    before = (ledger / "tasks.yaml").read_bytes()
    sheet = fill(path, "t.xlsx", H6="2019-06-30", F2="in-progress")
    result = run_cli("import", sheet.name)
    assert result.code == 1
    assert result.stderr.splitlines()[1] == (
        "t.xlsx:Tasks!H6: conflict: task 5's due date was 2018-12-31 when the sheet was "
        "exported, has since been changed in the ledger to 2019-01-31, and the sheet says "
        "2019-06-30; settle it with `reformctl update` or correct the cell")
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_a_stale_sheet_never_undoes_a_later_change(ledger):
    path = export("t0.xlsx")
    assert run_cli("update", "5", "--due", "2019-01-31", "--status", "in-progress").code == 0
    sheet = fill(path, "t.xlsx", F2="已完成", J2="文件.pdf")  # row 6 (task 5) left as exported
    result = run_cli("import", sheet.name, "--by", "王芳")
    assert result.code == 0, result.stderr
    shown = json.loads(run_cli("show", "5", "--format", "json").stdout)
    assert (shown["due"], shown["status"]) == ("2019-01-31", "in-progress")
    # the same change made in both is no conflict
    sheet = fill(path, "t2.xlsx", H6="2019-01-31")
    assert run_cli("import", sheet.name).code == 0


def test_a_sheet_of_another_plan_is_refused(ledger):
    path = export("t0.xlsx")
    text = (ledger / "tasks.yaml").read_text(encoding="utf-8")
    (ledger / "tasks.yaml").write_text(text.replace("title: 西城区总工会2018年重点改革任务分解表",
                                                    "title: 另一个计划", 1), encoding="utf-8")
    result = run_cli("import", fill(path, "t.xlsx", F2="done").name)
    assert result.code == 1
    assert ("t.xlsx: this sheet was exported from the plan '西城区总工会2018年重点改革任务分解表', "
            "not from this ledger's '另一个计划'") in result.stderr


def test_dry_run_prints_the_diff_and_writes_nothing(ledger):
    sheet = fill(export("t0.xlsx"), "t.xlsx", F2="done", J2="a.pdf")
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("import", sheet.name, "--dry-run", "--by", "王芳")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("--- a/data/tasks.yaml\n+++ b/data/tasks.yaml\n")
    assert "-    status: todo\n+    status: done\n" in result.stdout
    assert "dry run: nothing was written" in result.stderr
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_json_result(ledger):
    sheet = fill(export("t0.xlsx", "D1", "D2"), "t.xlsx", G2=30)
    result = run_cli("import", sheet.name, "--format", "json", "--by", "王芳",
                     "--at", "2018-06-01")
    assert result.code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["written"] is True and out["dry_run"] is False
    assert [(u["id"], u["changes"]) for u in out["updated"]] == [(1, {"progress": [None, 30]})]
    assert out["unchanged"] == [{"id": 2, "ref": "D2"}]


# ---------------------------------------------------------------------------------------------
# Sheets as Excel, WPS and LibreOffice save them


def test_values_as_spreadsheets_write_them(ledger):
    path = export("t0.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws["A2"] = "１"  # full-width digits in the id
    ws["F2"] = "  进行中 "  # the other language, stray spaces
    ws["G2"] = 0.4
    ws["G2"].number_format = "0%"  # a percentage cell
    ws["F3"] = "In Progress"
    ws["G3"] = " ３５ "
    ws["H3"] = "2019年3月31日"
    ws["F4"], ws["G4"] = "to do", 0
    ws["H4"] = "２０１９/４/３０"
    ws["G5"], ws["H5"] = 20.0, "2019.5.31"
    wb.save("t.xlsx")
    result = run_cli("import", "t.xlsx", "--format", "json")
    assert result.code == 0, result.stderr
    changes = {u["id"]: u["changes"] for u in json.loads(result.stdout)["updated"]}
    assert changes == {
        1: {"status": ["todo", "in-progress"], "progress": [None, 40]},
        2: {"status": ["todo", "in-progress"], "progress": [None, 35], "due": ["2018-12-31",
                                                                              "2019-03-31"]},
        3: {"progress": [None, 0], "due": ["2018-12-31", "2019-04-30"]},
        4: {"progress": [None, 20], "due": ["2018-12-31", "2019-05-31"]},
    }


def test_csv_from_excel_in_gb18030_and_with_a_bom(ledger):
    text = ("序号,任务,状态,进度,完成时限,备注\n"
            "1,建立区级职工事务经费保障联席会议制度。,已完成,,2018/12/31,已印发\n"
            "2,,进行中,５０,,\n")  # an empty locked cell claims nothing
    for name, data in (("gbk.csv", text.encode("gb18030")),
                       ("bom.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))):
        Path(name).write_bytes(data)
        result = run_cli("import", name, "--dry-run", "--format", "json")
        assert result.code == 0, result.stderr
        changes = {u["id"]: u["changes"] for u in json.loads(result.stdout)["updated"]}
        assert changes == {1: {"status": ["todo", "done"], "progress": [None, 100]},
                           2: {"status": ["todo", "in-progress"], "progress": [None, 50],
                               "due": ["2018-12-31", None]}}
    Path("bad.csv").write_text("ID,Status\n1,finished\n", encoding="utf-8")
    result = run_cli("import", "bad.csv")
    assert result.code == 1
    assert "bad.csv:bad!B2: 'finished' is not a status" in result.stderr


def test_list_csv_round_trips(ledger):
    assert run_cli("list", "--level", "D", "-o", "d.csv").code == 0
    assert run_cli("import", "d.csv").stderr.endswith("nothing was written\n")


def test_files_that_are_not_sheets(ledger):
    Path("t.xlsx").write_bytes(b"not a zip")
    result = run_cli("import", "t.xlsx")
    assert result.code == 1
    assert "t.xlsx cannot be read as an xlsx workbook" in result.stderr
    Path("t.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    result = run_cli("import", "t.xls")
    assert result.code == 1
    assert "t.xls: reformctl imports .xlsx workbooks and .csv files" in result.stderr
    Path("n.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = run_cli("import", "n.csv")
    assert result.code == 1
    assert "n.csv: no header row with an ID (序号) column was found in sheet n" in result.stderr


def test_warnings_at_their_cells_and_a_stale_sheet_said(ledger):
    path = export("t0.xlsx")
    assert run_cli("update", "7", "--note", "推进中").code == 0
    result = run_cli("import", fill(path, "t.xlsx", F2="done", F3="in-progress", G3=100).name)
    assert result.code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("reformctl: the ledger has changed since t.xlsx was exported (")
    assert ("t.xlsx:Tasks!F2: warning: task 1 is done but no evidence (佐证材料) is recorded; add "
            "it with `reformctl update 1 --evidence DOCUMENT-OR-LINK`") in lines
    assert any(line.startswith("t.xlsx:Tasks!G3: warning: task 2 is 'in-progress' but its "
                               "progress is 100%") for line in lines)


def test_a_workbook_that_unpacks_to_too_much_is_not_read(ledger, monkeypatch):
    from reformctl import sheets

    path = export("t.xlsx")
    monkeypatch.setattr(sheets, "MAX_UNPACKED", 1000)
    result = run_cli("import", path.name)
    assert result.code == 1
    assert "t.xlsx unpacks to 0 MiB, far more than any sheet of tasks; it was not read" in (
        result.stderr)
