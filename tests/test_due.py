"""What falls due: `list --due-within`, `--due-after`, relative dates wherever a date is taken, and
`list --group-by` (a reminder per unit, 督办) in every listing format and both languages.

Every relative date is counted from a fixed day: `--as-of`, or "today" replaced for the test
(reformctl.query.today); nothing here depends on the real date.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from conftest import assert_golden, run_cli

GOLDEN = Path(__file__).resolve().parent / "golden" / "due"

# Six tasks, three units (one of them twice, one of them hostile text), one with no lead unit.
TASKS = """\
plan:
  title: 督办测试台账
  approved: 2018-01-10
tasks:
  - id: 1
    level: district
    seq: 1
    text: 建立区级职工事务经费保障联席会议制度。
    owner: 区委组织部
    due: 2018-06-30
    status: done
    progress: 100
    history:
      - at: 2018-06-20T10:00:00+08:00
        by: 王芳
        changes:
          status: [todo, done]
        evidence: [会议纪要.pdf]
  - id: 2
    level: district
    seq: 2
    text: 推进干部双向交流。
    owner: 区委组织部
    due: 2018-07-10
    status: in-progress
    progress: 40
  - id: 3
    level: federation
    seq: 1
    text: 调整机关部门设置。
    owner: 区总工会办公室
    due: 2018-06-08
    status: blocked
  - id: 4
    level: federation
    seq: 2
    text: 建立经费审查制度。
    due: 2018-06-25
    status: todo
  - id: 5
    level: grassroots
    seq: 1
    text: 推行职工书屋建设。
    owner: "[bold]工会|宣教部[/]"
    due: 2018-07-31
    status: todo
  - id: 6
    level: grassroots
    seq: 2
    text: 开展普惠服务。
    owner: 区委组织部
    due: 2018-06-28
    status: dropped
  - id: 7
    level: grassroots
    seq: 3
    text: 完善经费审计监督体系。
    owner: 区总工会办公室
    status: todo
"""
FORMATS = ["table", "json", "csv", "markdown", "yaml"]
EXT = {"table": "txt", "json": "json", "csv": "csv", "markdown": "md", "yaml": "yaml"}
MID_JUNE = date(2018, 6, 13)  # a Wednesday


@pytest.fixture
def due_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The ledger above as the current directory's ledger; "today" is 2018-06-13."""
    import reformctl.query

    data = tmp_path / "data"
    data.mkdir()
    (data / "tasks.yaml").write_text(TASKS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REFORMCTL_DATA", raising=False)
    monkeypatch.setattr(reformctl.query, "today", lambda: MID_JUNE)
    return data


def ok(*args: str) -> str:
    result = run_cli(*args)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def refs(*args: str) -> list[str]:
    return [t["ref"] for t in json.loads(ok("list", *args, "--format", "json"))]


def fails(*args: str) -> tuple[str, str]:
    result = run_cli(*args)
    assert result.code == 2, (result.stdout, result.stderr)
    assert result.stdout == "" and "Traceback" not in result.stderr
    first, hint = result.stderr.splitlines()
    return first.removeprefix("reformctl: error: "), hint.removeprefix("  hint: ")


# ---------------------------------------------------------------------------------------------
# --due-within, --due-after


@pytest.mark.parametrize("span", ["14d", "2w", "+14d", "14天", "2周"])
def test_due_within_is_open_tasks_due_by_then_overdue_ones_included(due_ledger, span):
    # by 2018-06-27: 3 (overdue, blocked), 4; not 1 (done), 6 (dropped), 7 (no due date)
    assert refs("--due-within", span) == ["F1", "F2"]


def test_due_within_counts_from_as_of(due_ledger):
    assert refs("--due-within", "1m", "--as-of", "2018-06-30") == ["D2", "F1", "F2"]  # by 07-30
    assert refs("--due-within", "0d", "--as-of", "2018-06-25") == ["F1", "F2"]  # due that day
    assert refs("--due-within", "1m", "--as-of", "eom-1") == ["F1", "F2"]  # 05-31 .. 06-30


def test_due_within_without_the_overdue_ones(due_ledger):
    assert refs("--due-within", "1m", "--due-after", "-1d") == ["D2", "F2"]  # from 06-13 on
    assert refs("--due-within", "1m", "--due-after", "-1d", "--as-of", "2018-06-26") == ["D2"]


def test_due_after_is_strict_and_takes_any_date(due_ledger):
    assert refs("--due-after", "2018-06-30") == ["D2", "G1"]
    assert refs("--due-after", "eom") == ["D2", "G1"]
    # after 2018-06-27 and before 2018-07-31, done and dropped tasks too
    assert refs("--due-after", "+2w", "--due-before", "eom+1") == ["D1", "D2", "G2"]


def test_relative_due_before_counts_from_today_or_from_as_of(due_ledger):
    assert refs("--due-before", "eom") == ["F1", "F2", "G2"]  # before 2018-06-30
    assert refs("--due-before", "月底") == ["F1", "F2", "G2"]
    assert refs("--due-before", "+1w") == ["F1"]  # before 2018-06-20
    assert refs("--due-before", "+1w", "--as-of", "2018-06-24") == ["D1", "F1", "F2", "G2"]
    assert refs("--due-before", "soq") == []  # before 2018-04-01


def test_overdue_as_of_a_relative_day(due_ledger):
    assert refs("--overdue", "--as-of", "today") == ["F1"]
    assert refs("--overdue", "--as-of", "eom+1") == ["D2", "F1", "F2"]  # as of 2018-07-31
    assert refs("--overdue") == ["F1"]


@pytest.mark.parametrize(("args", "message"), [
    (("--due-within", "14"), "--due-within '14' is not a span of time"),
    (("--due-within", "eom"), "--due-within 'eom' is not a span of time"),
    (("--due-within", "-2w"), "--due-within '-2w' is not a span of time"),
    (("--due-after", "soon"), "--due-after 'soon' is not a date"),
    (("--due-after", "2018-02-30"),
     "--due-after '2018-02-30' is not a real date (day is out of range for month)"),
    (("--due-before", "2w"), "--due-before '2w' is not a date"),
    (("--overdue", "--as-of", "+9999999d"), "--as-of '+9999999d' is not a date"),
    (("--due-before", "2018-07-01", "--as-of", "2018-06-01"),
     "--as-of only applies to --overdue, --due-within and relative dates (--due-before eom)"),
])
def test_bad_dates_and_spans_are_usage_errors(due_ledger, args, message):
    first, hint = fails("list", *args)
    assert first == message
    assert hint


def test_a_relative_date_in_chinese_in_the_message_language(due_ledger):
    result = run_cli("--lang", "zh", "list", "--due-within", "两周")
    assert result.code == 2
    assert "--due-within" in result.stderr and "两周" in result.stderr


# ---------------------------------------------------------------------------------------------
# Relative dates in the other commands' date options (counted from today)


def test_update_due_takes_a_relative_date(due_ledger):
    result = run_cli("update", "F2", "--due", "eom+1", "--by", "测试")
    assert result.code == 0, result.stderr
    assert "due: 2018-07-31" in (due_ledger / "tasks.yaml").read_text(encoding="utf-8")
    shown = json.loads(ok("show", "F2", "--format", "json"))
    assert shown["due"] == "2018-07-31"
    assert shown["history"][-1]["changes"]["due"] == ["2018-06-25", "2018-07-31"]


def test_log_since_takes_a_relative_date(due_ledger):
    def logged(since: str) -> list[str]:
        return [r["ref"] for r in json.loads(ok("log", "--since", since, "--format", "json"))]

    assert logged("+1w") == ["D1"]  # the entry of 2018-06-20
    assert logged("+2w") == []


def test_report_as_of_takes_a_relative_date(due_ledger):
    report = json.loads(ok("report", "--as-of", "eom-1", "--format", "json"))
    assert report["as_of"] == "2018-05-31"
    assert report["totals"]["overall"]["done"] == 0  # D1 was done on 2018-06-20


# ---------------------------------------------------------------------------------------------
# --group-by: a reminder per unit


@pytest.mark.parametrize("fmt", ["table", "markdown"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_group_by_owner_golden(due_ledger, fmt, lang):
    out = ok("--lang", lang, "list", "--due-within", "2m", "--group-by", "owner",
             "--sort", "due", "--format", fmt)
    assert_golden(GOLDEN / f"due-by-owner-{lang}.{EXT[fmt]}", out)


def test_group_by_owner_table_has_a_heading_per_unit_in_order_of_urgency(due_ledger):
    out = ok("list", "--group-by", "owner", "--sort", "due")
    headings = [line for line in out.splitlines() if " · " in line]
    assert headings == ["区总工会办公室 · 2 tasks", "区委组织部 · 3 tasks",
                        "[bold]工会|宣教部[/] · 1 task", "(no lead unit) · 1 task"]


def test_group_by_owner_markdown_is_a_section_per_unit(due_ledger):
    out = ok("list", "--group-by", "owner", "--format", "markdown")
    sections = [line for line in out.splitlines() if line.startswith("## ")]
    assert sections == ["## 区委组织部 · 3 tasks", "## 区总工会办公室 · 2 tasks",
                        "## \\[bold\\]工会\\|宣教部\\[/\\] · 1 task",
                        "## \\(no lead unit\\) · 1 task"]
    assert out.count("\n|---") == 4  # one table per section


def test_group_by_in_chinese(due_ledger):
    out = ok("--lang", "zh", "list", "--group-by", "owner", "--status", "todo")
    assert [line for line in out.splitlines() if " · " in line] == [
        "[bold]工会|宣教部[/] · 1 项任务", "区总工会办公室 · 1 项任务", "（无牵头单位） · 1 项任务"]
    out = ok("--lang", "zh", "list", "--group-by", "status", "--format", "markdown")
    assert [line for line in out.splitlines() if line.startswith("## ")] == [
        "## 未开始 · 3 项任务", "## 进行中 · 1 项任务", "## 已完成 · 1 项任务", "## 受阻 · 1 项任务",
        "## 已取消 · 1 项任务"]


@pytest.mark.parametrize("fmt", ["json", "yaml", "csv"])
def test_group_by_in_machine_formats_lists_the_groups_one_after_another(due_ledger, fmt):
    out = ok("list", "--group-by", "owner", "--format", fmt)
    if fmt == "json":
        records = json.loads(out)
    elif fmt == "yaml":
        records = yaml.safe_load(out)
    else:
        records = list(csv.DictReader(io.StringIO(out)))
        for record in records:
            record["owner"] = record.pop("Owner") or None
            record["id"] = int(record.pop("ID"))
    assert [(r["id"], r["owner"]) for r in records] == [
        (1, "区委组织部"), (2, "区委组织部"), (6, "区委组织部"),
        (3, "区总工会办公室"), (7, "区总工会办公室"), (5, "[bold]工会|宣教部[/]"), (4, None)]
    plain = ok("list", "--format", fmt)
    assert sorted(out.splitlines()) == sorted(plain.splitlines())  # the same records


def test_group_by_level(due_ledger):
    out = ok("list", "--group-by", "level", "--status", "todo", "--status", "blocked")
    assert [line for line in out.splitlines() if " · " in line] == [
        "federation · 2 tasks", "grassroots · 2 tasks"]


def test_group_by_with_nothing_to_list(due_ledger):
    result = run_cli("list", "--group-by", "owner", "--due-within", "1d", "--as-of", "2018-01-01")
    assert (result.code, result.stdout, result.stderr) == (0, "", "no tasks match\n")
    assert json.loads(ok("list", "--group-by", "owner", "--search", "无此任务",
                         "--format", "json")) == []


def test_group_by_takes_owner_level_or_status(due_ledger):
    first, _hint = fails("list", "--group-by", "tag")
    assert first == "--group-by 'tag' is not one of: owner, level, status"


def test_group_by_into_a_file(due_ledger, tmp_path):
    target = tmp_path / "督办.md"
    result = run_cli("list", "--due-within", "2m", "--group-by", "owner", "--sort", "due",
                     "--output", str(target))
    assert result.code == 0, result.stderr
    assert result.stderr.startswith("reformctl: wrote 4 tasks to ")
    printed = ok("list", "--due-within", "2m", "--group-by", "owner", "--sort", "due",
                 "--format", "markdown")
    assert target.read_text(encoding="utf-8") == printed  # the sections, as printed
    sheet = tmp_path / "督办.csv"
    assert run_cli("list", "--group-by", "owner", "--output", str(sheet)).code == 0
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    assert [row["ID"] for row in rows] == ["1", "2", "6", "3", "7", "5", "4"]
