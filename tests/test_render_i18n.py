"""`list`, `show`, `voices`, `log` and `report` in Chinese (issue 12): golden files beside the
English ones, no English word in what a Chinese reader reads (apart from data, codes, option and
command names, paths), every label any output prints accepted as input, wide headers lined up."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from wcwidth import wcswidth

from conftest import DATA, FIXTURES, assert_golden, run_cli
from reformctl import i18n
from reformctl.query import parse_level, parse_status
from test_browse import _cut
from test_render import md_rows
from test_update import _history

BROWSE = Path(__file__).resolve().parent / "golden" / "browse"
UPDATE = Path(__file__).resolve().parent / "golden" / "update"
REPORT = FIXTURES / "report"  # a small ledger with history, a symposium and related tasks
ZH = {"LANG": "zh_CN.UTF-8"}


def ok(*args: str, env: dict[str, str] | None = None) -> str:
    result = run_cli(*args, env=env)
    assert result.code == 0, result.stderr
    return result.stdout


# ---------------------------------------------------------------------------------------------
# Golden files in Chinese, beside the English ones (shipped ledger, COLUMNS=100, no colour)

SCREENS = {
    "list-zh.txt": ("list",),
    "list-zh.md": ("list", "--format", "markdown"),
    "show-G3-zh.txt": ("show", "G3"),
    "show-G5-zh.txt": ("show", "G5"),
    "voices-zh.txt": ("voices",),
    "voices-zh.md": ("voices", "--format", "markdown"),
    "voices-3-zh.txt": ("voices", "3"),
}


@pytest.mark.parametrize("name", sorted(SCREENS))
def test_chinese_golden(ledger, name):
    assert_golden(BROWSE / name, ok("--lang", "zh", *SCREENS[name]))


@pytest.mark.parametrize(("name", "args"), [
    ("log-zh.table", ("log",)),
    ("log-zh.markdown", ("log", "--format", "markdown")),
    ("show-D3-history-zh.txt", ("show", "D3")),
])
def test_chinese_golden_with_history(ledger, name, args):
    _history(ledger)
    assert_golden(UPDATE / name, ok(*args, "--lang", "zh"))


@pytest.mark.parametrize("fmt", ["csv", "json", "yaml"])
def test_machine_formats_are_the_same_in_both_languages(ledger, fmt):
    """CSV, JSON and YAML keep English keys and the files' values, whatever the language."""
    _history(ledger)
    for args in (("list",), ("log",), ("voices",)):
        assert ok(*args, "--format", fmt, "--lang", "zh") == ok(*args, "--format", fmt)
    if fmt != "csv":
        for args in (("show", "D3"), ("voices", "3")):
            assert ok(*args, "--format", fmt, "--lang", "zh") == ok(*args, "--format", fmt)


# ---------------------------------------------------------------------------------------------
# No English word in Chinese output, apart from data, codes, option and command names and paths

WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
# What may stand in Chinese output: the program's and the commands' names, option names, the
# words of paths it names (data/, the --data directory), the markup of markdown (<br>).
ALLOWED = {"reformctl", "data", "br"}
# Codes: the files' values, which the CSV of a listing or a report carries in every language.
CODES = {"todo", "in", "progress", "done", "blocked", "dropped", "district", "federation",
         "grassroots", "yes", "no"}
_STRIP = re.compile(
    r"\b\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?"  # ISO times (CSV)
    r"|\b[DFG]\d+\b"  # task refs
    r"|--[a-z][a-z-]*"  # option names
    r"|\$[A-Z_]+"  # environment variables
)


def data_words(ledger: Path) -> set[str]:
    """Every Latin word written in the ledger's text values (not its keys, not the level and
    status values: those a Chinese view must translate)."""
    found: set[str] = set()

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("level", "status") and not isinstance(v, dict):
                    continue
                walk(v, str(k))
        elif isinstance(node, list):
            if key in ("level", "status") and len(node) == 2:  # a change [old, new]
                return
            for item in node:
                walk(item, key)
        elif isinstance(node, str):
            found.update(WORD.findall(node))

    for name in ("tasks.yaml", "voices.yaml"):
        path = ledger / name
        if path.exists():
            walk(yaml.safe_load(path.read_text("utf-8")))
    return found


class _Text(HTMLParser):
    """The text an HTML page shows (not its tags, attributes or style sheet)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self._skip += tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag == "style"

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def english_words(output: str, ledger: Path, *, html: bool = False,
                  codes: bool = False) -> list[str]:
    """The Latin words of ``output`` that are not data, codes, names or paths."""
    if html:
        parser = _Text()
        parser.feed(output)
        output = "\n".join(parser.parts)
    output = _STRIP.sub(" ", output)
    allowed = ALLOWED | data_words(ledger) | (CODES if codes else set())
    return sorted(set(WORD.findall(output)) - allowed)


# Every view a person reads. (The CSV, JSON and YAML of listings are machine formats: English
# keys and the files' values in every language, see test_machine_formats_are_the_same_...)
CHINESE_SCREENS = [
    ("list",), ("list", "--format", "markdown"), ("list", "--level", "基层工会层面"),
    ("show", "D3"), ("show", "F1"), ("show", "G2"), ("voices",), ("voices", "--format", "markdown"),
    ("voices", "1"), ("voices", "--task", "F1"), ("log",), ("log", "--format", "markdown"),
]


@pytest.mark.parametrize("args", CHINESE_SCREENS, ids=" ".join)
def test_no_english_word_in_chinese_views(args):
    out = ok(*args, "--data", str(REPORT), env=ZH)
    assert english_words(out, REPORT) == [], out


@pytest.mark.parametrize("data", ["report", "../../data"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "csv"])
def test_no_english_word_in_the_chinese_report(monkeypatch, fmt, data):
    monkeypatch.chdir(FIXTURES)
    out = ok("report", "--format", fmt, "--as-of", "2018-06-30", "--since", "2018-01-01",
             "--data", data, env=ZH)
    assert fmt == "csv" or "截至" in out
    words = english_words(out, FIXTURES / data, html=fmt == "html", codes=fmt == "csv")
    assert sorted(set(words) - set(WORD.findall(data))) == [], words  # the --data path


def test_the_helper_finds_english_words(tmp_path):
    assert english_words("状态 Status 基层 --level G3 reformctl", tmp_path) == ["Status"]
    assert english_words("in-progress", tmp_path) == ["in", "progress"]
    assert english_words("in-progress", tmp_path, codes=True) == []
    assert english_words("Project-based funding", DATA) == []  # a task's title in the data


def test_english_output_is_english(ledger):
    """With LANG=C everything is English: no Chinese word the program adds to the data."""
    out = ok("show", "G3", env={"LANG": "C"})
    assert "(基层)" not in out and "未开始" not in out
    assert "grassroots, number 3" in out and "Status    todo" in out


# ---------------------------------------------------------------------------------------------
# Every status and level label that any output prints is accepted as input


def _labels_from_label_functions() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(label, value) of every level and status name the views and the report draw, in both
    languages, from the functions that draw them."""
    from reformctl.models import LEVELS, STATUSES
    from reformctl.render import level_label, status_label
    from reformctl.render.report import _Words

    levels: set[tuple[str, str]] = set()
    statuses: set[tuple[str, str]] = set()
    for lang in i18n.LANGS:
        i18n.use(lang)
        words = _Words()
        for level in LEVELS:
            levels |= {(level_label(level), level), (words.level(level), level)}
        for status in STATUSES:
            statuses |= {(status_label(status), status), (words.status(status), status)}
    i18n.use("en")
    return levels, statuses


def _labels_from_outputs(ledger: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(label, value) of the level and status names the outputs print, in both languages: the
    listing's columns (read against the CSV's file values) and the report's tables."""
    import json

    from reformctl.models import STATUSES

    levels: set[tuple[str, str]] = set()
    statuses: set[tuple[str, str]] = set()
    values = {t["id"]: t for t in json.loads(ok("list", "--format", "json"))}
    for lang in i18n.LANGS:
        rows = md_rows(ok("list", "--format", "markdown", "--lang", lang))
        for row in rows[1:]:
            task = values[int(row[0])]
            levels.add((row[2], task["level"]))
            statuses.add((row[3], task["status"]))
        report = ok("report", "--format", "markdown", "--as-of", "2018-06-30", "--lang", lang)
        totals = md_rows(report)  # the first table: levels by status
        header = totals[0]
        statuses |= set(zip(header[2:2 + len(STATUSES)], STATUSES, strict=True))
        for row, level in zip(totals[1:4], ("district", "federation", "grassroots"),
                              strict=True):
            levels.add((row[0], level))
        sheet = csv.reader(io.StringIO(ok("report", "--format", "csv", "--as-of", "2018-06-30",
                                          "--lang", lang)))
        for row in list(sheet)[1:]:
            levels.add((row[2], values[int(row[0])]["level"]))
            statuses.add((row[4], values[int(row[0])]["status"]))
    return levels, statuses


def test_every_label_any_output_prints_is_accepted_as_input(ledger):
    levels, statuses = _labels_from_label_functions()
    shown_levels, shown_statuses = _labels_from_outputs(ledger)
    levels |= shown_levels
    statuses |= shown_statuses
    # the labels of both languages were found: 区级层面 and "District", 未开始 and "to do"
    assert {"区级", "区级层面", "district", "District"} <= {label for label, _ in levels}
    assert {"未开始", "todo", "to do", "进行中", "in progress"} <= {s for s, _ in statuses}
    for label, level in levels:
        assert parse_level(label) == level, label
    for label, status in statuses:
        assert parse_status(label) == status, label
    # and through every option that takes one
    for label, level in sorted(levels):
        assert ok("list", "--level", label, "--format", "json") == ok(
            "list", "--level", level, "--format", "json"), label
        assert ok("report", "--level", label, "--format", "json", "--as-of", "2018-06-30")
    for label, status in sorted(statuses):
        assert ok("list", "--status", label, "--format", "json") == ok(
            "list", "--status", status, "--format", "json"), label


@pytest.mark.parametrize(("word", "value"), [
    ("待办", "todo"), ("To Do", "todo"), ("to-do", "todo"), ("IN PROGRESS", "in-progress"),
    ("in_progress", "in-progress"), ("In-Progress", "in-progress"), ("ｉｎ ｐｒｏｇｒｅｓｓ", "in-progress"),
])
def test_status_spellings(word, value):
    assert parse_status(word) == value


@pytest.mark.parametrize(("word", "value"), [
    ("区级", "district"), ("区级层面", "district"), ("区总工会", "federation"),
    ("区总工会层面", "federation"), ("基层", "grassroots"), ("基层工会", "grassroots"),
    ("基层工会层面", "grassroots"), ("基层工会级层面", "grassroots"), ("District", "district"),
    ("FEDERATION", "federation"), ("Grassroots", "grassroots"), (" 基层工会层面 ", "grassroots"),
])
def test_level_spellings(word, value):
    assert parse_level(word) == value


def test_update_and_add_take_the_report_s_words(ledger):
    assert run_cli("update", "3", "--status", "in progress", "--by", "a").code == 0
    assert run_cli("add", "新任务。", "--level", "基层工会层面", "--status", "To do",
                   "--by", "a").code == 0
    tasks = {t["ref"]: t for t in __import__("json").loads(ok("list", "--format", "json"))}
    assert tasks["D3"]["status"] == "in-progress"
    assert tasks["G11"]["level"] == "grassroots" and tasks["G11"]["status"] == "todo"


# ---------------------------------------------------------------------------------------------
# Wide headers keep tables lined up at every width


@pytest.mark.parametrize("columns", ["40", "80", "120"])
@pytest.mark.parametrize("args", [("list",), ("voices",), ("log",)])
def test_chinese_tables_fit_and_line_up(ledger, columns, args):
    _history(ledger)
    out = ok(*args, "--lang", "zh", env={"COLUMNS": columns})
    lines = out.splitlines()
    for line in lines:
        assert wcswidth(line) <= int(columns), line
        assert line == line.rstrip(), line
    rules = [i for i, line in enumerate(lines) if line and not line.strip("─")]
    assert all(b - a > 1 for a, b in zip(rules, rules[1:], strict=False)), out  # not wrapped
    if not lines[1].startswith("─"):  # too narrow for a table: one block per record
        assert int(columns) < 80
        if args == ("list",):  # not even the short fields fit on a line: label / value
            assert lines[0].split() == ["序号", "1"] and "截止日期  2018-12-31" in lines
        return
    header = lines[0]
    for word in re.findall(r"\S+", header)[1:]:
        offset = wcswidth(header[:header.index(word)])
        for line in lines[2:]:
            if wcswidth(line) <= offset or not line[:1].strip():
                continue  # a wrapped line, or nothing in this column
            cut = _cut(line, offset)
            assert cut is not None and line[cut - 2:cut] in ("  ", ""), (word, line)


def test_a_report_drawn_in_another_language_leaves_the_run_s_language_alone():
    from datetime import date

    from reformctl.ledgers import find_ledger
    from reformctl.loader import open_ledger
    from reformctl.render.report import render_report
    from reformctl.reports import build_report

    data = build_report(open_ledger(find_ledger(str(REPORT))), date(2018, 6, 30))
    assert i18n.current() == "en"
    assert "截至：** 2018年6月30日" in str(render_report(data, "markdown", "zh"))
    assert i18n.current() == "en"
    assert "As of:** 2018-06-30" in str(render_report(data, "markdown"))


@pytest.mark.parametrize("args", [("list",), ("voices",), ("log",)])
def test_chinese_markdown_lines_all_have_one_display_width(ledger, args):
    _history(ledger)
    out = ok(*args, "--format", "markdown", "--lang", "zh")
    assert "状态" in out or "发言人" in out or "记录人" in out
    assert len({wcswidth(line) for line in out.splitlines()}) == 1
