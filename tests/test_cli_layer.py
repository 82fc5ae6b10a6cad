"""The command-line layer: every command behaves alike (issue 10 items 3, 4, 8, 9; issue 11
item 6). Through the real entry point unless a module's own function is the point."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA, FIXTURES, broken_ledger, run_cli

ROOT = Path(__file__).resolve().parent.parent
USER = {"REFORMCTL_USER": "测试员"}

# Every command that reads a ledger, with arguments that make it succeed on the shipped ledger.
READING = [
    ("list",),
    ("show", "3"),
    ("voices",),
    ("voices", "2"),
    ("log",),
    ("report", "--as-of", "2018-06-30", "--format", "json"),
]
WRITING = [
    ("update", "3", "--note", "x"),
    ("add", "--level", "D", "新任务。"),
]
ALL = [*READING, ("check",), *WRITING]


# ---------------------------------------------------------------------------------------------
# Dependencies: public APIs only

THIRD_PARTY = ("typer", "click", "rich")


def private_uses(source: str) -> list[str]:
    """Imports of, and attribute access to, private names of typer, click or rich in code."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Attribute):
            parts, inner = [node.attr], node.value
            while isinstance(inner, ast.Attribute):
                parts.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name):
                names = [".".join([inner.id, *reversed(parts)])]
        for name in names:
            head, *rest = name.split(".")
            if head in THIRD_PARTY and any(p.startswith("_") and not p.startswith("__")
                                           for p in rest):
                found.append(name)
    return found


def test_no_private_imports_of_typer_click_or_rich_anywhere():
    offenders = {}
    for folder in ("src", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            uses = private_uses(path.read_text("utf-8"))
            if uses:
                offenders[str(path.relative_to(ROOT))] = uses
    assert offenders == {}


def test_the_private_use_finder_catches_what_it_must():
    for line in ("from typer._click.exceptions import UsageError", "import rich._loop",
                 "typer.testing._get_command(app)", "from click import _compat",
                 "x = typer.core._split_opt"):
        assert private_uses(line), line
    for line in ("import typer.main", "typer.main.get_command(app)", "from rich.text import Text",
                 "'typer._click in a string'", "from ._private import x"):
        assert not private_uses(line), line


def test_declared_floors_are_the_measured_ones():
    """Measured with `make test-lowest`: typer 0.18 cannot declare Literal options, pyyaml 6.0.3
    locates a too-deep nesting at another column, rich 14.2 draws a listing's rule one cell
    wider than its widest row."""
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    assert all(floor in text for floor in ('"typer>=0.19"', '"pyyaml>=6.0.4"', '"rich>=14.3"'))
    assert "--resolution lowest-direct" in (ROOT / "Makefile").read_text("utf-8")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "make test-lowest" in ci and "make lint" in ci


# ---------------------------------------------------------------------------------------------
# Global options before or after the command


@pytest.mark.parametrize("args", [*READING, ("check", "--format", "json")], ids=" ".join)
def test_data_before_the_command_is_data_after_it(ledger, tmp_path, args):
    other = tmp_path / "elsewhere"
    shutil.copytree(DATA, other)
    path = other / "tasks.yaml"
    path.write_text(path.read_text("utf-8").replace("建立区级职工事务经费保障联席会议制度。",
                                                    "ELSEWHERE"), "utf-8")
    before = run_cli("--data", str(other), *args)
    after = run_cli(*args, "--data", str(other))
    equals = run_cli(f"--data={other}", *args)
    assert before.code == after.code == equals.code
    assert before.stdout == after.stdout == equals.stdout
    assert before.stderr == after.stderr == equals.stderr
    here = run_cli(*args)
    if args[0] == "list":
        assert "ELSEWHERE" in before.stdout and "ELSEWHERE" not in here.stdout


def test_a_global_option_before_the_command_writes_there(ledger, tmp_path):
    other = tmp_path / "elsewhere"
    shutil.copytree(DATA, other)
    result = run_cli("--data", str(other), "update", "3", "--status", "done", env=USER)
    assert result.code == 0, result.stderr
    assert "status: done" in (other / "tasks.yaml").read_text("utf-8")
    assert (ledger / "tasks.yaml").read_bytes() == (DATA / "tasks.yaml").read_bytes()


def test_root_help_lists_the_global_options():
    out = run_cli("--help").stdout
    section = out.split("Global options (before or after the command):", 1)[1]
    assert section.lstrip().startswith("--data DIR")
    assert out.index("Global options") < out.index("Commands:")


def test_a_global_option_with_no_command(ledger):
    result = run_cli("--data", "data")
    assert result.code == 2
    assert result.stderr.startswith("reformctl: error: --data goes with a command")
    assert run_cli("--data", "data", "--help").code == 0


def test_a_global_option_given_before_and_after_is_given_twice(ledger):
    result = run_cli("--data", "data", "list", "--data", "data")
    assert result.code == 2
    assert "--data was given twice ('data', 'data'); it takes one value" in result.stderr


def test_global_options_are_declared_once():
    from reformctl.cli import GLOBAL_OPTIONS

    assert sorted(GLOBAL_OPTIONS) == ["--data", "--lang"]
    src = (ROOT / "src" / "reformctl" / "cli").glob("*.py")
    declared = sum(p.read_text("utf-8").count('"--data", metavar') for p in src)
    assert declared == 1


# ---------------------------------------------------------------------------------------------
# A single-valued option given twice


@pytest.mark.parametrize("args, names", [
    (("update", "3", "--status", "done", "--status", "todo"), "--status"),
    (("update", "3", "-s", "done", "--status", "todo"), "-s and --status"),
    (("update", "3", "--progress=10", "-p20"), "--progress and -p"),
    (("list", "--sort", "due", "--sort", "id"), "--sort"),
    (("list", "--format", "json", "-f", "csv"), "--format and -f"),
    (("report", "--as-of", "2018-06-30", "--as-of", "2018-07-01"), "--as-of"),
    (("add", "--level", "D", "--level", "F", "新任务。"), "--level"),
    (("check", "--format", "json", "--format", "text"), "--format"),
])
def test_a_single_valued_option_given_twice_is_a_usage_error(ledger, args, names):
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli(*args, env=USER)
    assert result.code == 2, result.stderr
    first, hint = result.stderr.rstrip("\n").split("\n")
    assert first.startswith(f"reformctl: error: {names} was given twice (")
    assert first.endswith("); it takes one value")
    assert hint == f"  hint: `reformctl {args[0]} --help` shows the usage and examples"
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_a_flag_given_twice_is_refused_and_repeatable_options_still_repeat(ledger):
    result = run_cli("list", "--overdue", "--no-overdue")
    assert (result.code, result.stderr.split("\n")[0]) == (
        2, "reformctl: error: --overdue and --no-overdue was given twice; give it once")
    listed = run_cli("list", "--status", "todo", "--status", "done", "--format", "json")
    assert listed.code == 0 and len(json.loads(listed.stdout)) == 29


def test_a_value_that_looks_like_an_option_is_still_a_value(ledger):
    result = run_cli("update", "3", "--note", "--status", "--dry-run", env=USER)
    assert result.code == 0, result.stderr
    assert '+        note: "--status"' in result.stdout


# ---------------------------------------------------------------------------------------------
# Full-width digits


def test_full_width_digits_in_every_numeric_option(ledger):
    listed = run_cli("list", "--limit", "２", "--format", "json")
    assert [t["id"] for t in json.loads(listed.stdout)] == [1, 2]
    inline = run_cli("list", "--limit=１２", "--format", "json")
    assert len(json.loads(inline.stdout)) == 12
    result = run_cli("update", "3", "-p５０", env=USER)
    assert result.code == 0, result.stderr
    assert "progress — → 50" in result.stderr
    log = run_cli("log", "--limit", "０", "--format", "json")
    assert (log.code, json.loads(log.stdout)) == (0, [])


def test_every_numeric_option_is_found_and_checked():
    """Each int option of every command is known to the command line (so full-width digits and
    the house-style range message apply to it, whoever declares it)."""
    import typer.main

    from reformctl.cli import app
    from reformctl.cli.args import _specs

    command = typer.main.get_command(app)
    numeric = {(name, spec.name) for name, cmd in command.commands.items()
               for spec in _specs(cmd).values() if spec.kind == "int"}
    assert {("list", "limit"), ("update", "progress"), ("add", "progress"),
            ("log", "limit")} <= numeric


# ---------------------------------------------------------------------------------------------
# The parser's raw messages never reach the user

RAW = ("Input should be", "Invalid value", "<=x<=", "is not in the range", "Value error",
       "is not one of 'table'", "Usage:", "Try '")


@pytest.mark.parametrize("args, message", [
    (("update", "3", "--progress", "150"), "--progress takes a whole number from 0 to 100, not 150"),
    (("update", "3", "--progress", "-1"), "--progress takes a whole number from 0 to 100, not -1"),
    (("update", "3", "-p", "half"), "-p takes a whole number from 0 to 100, not 'half'"),
    (("update", "3", "--progress", "4.5"), "--progress takes a whole number from 0 to 100, not '4.5'"),
    (("add", "--level", "D", "x", "--progress", "１０１"),
     "--progress takes a whole number from 0 to 100, not 101"),
    (("list", "--limit", "many"), "--limit takes a whole number, not 'many'"),
    (("log", "--limit", "-3"), "--limit takes a whole number of at least 0, not -3"),
    (("list", "--format", "html"), "--format 'html' is not one of: table, json, csv, markdown, yaml"),
    (("voices", "-f", "pdf"), "-f 'pdf' is not one of: table, text, json, csv, markdown, yaml"),
    (("show", "3", "--format", "table"), "--format 'table' is not one of: text, json, yaml"),
    (("report", "--format", "pdf"), "--format 'pdf' is not one of: text, markdown, html, json, csv, xlsx"),
    (("report", "--lang", "fr"), "--lang fr: unknown language; use zh (中文) or en (English)"),
    (("check", "--format", "xml"), "--format 'xml' is not one of: text, json, github"),
    (("schema", "task"), "KIND 'task' is not one of: tasks, voices"),
    (("list", "--colour"), "no such option: --colour"),
    (("update", "3", "--note"), "--note needs a value"),
    (("show",), "missing argument 'ID'"),
    (("show", "3", "4"), "unexpected extra argument(s): 4"),
    (("add", "新任务。"), "missing option '--level'"),
    (("lst",), "no such command 'lst'"),
])
def test_usage_errors_are_in_the_house_style(ledger, args, message):
    result = run_cli(*args, env=USER)
    assert result.code == 2, result.stderr
    first, hint = result.stderr.rstrip("\n").split("\n")
    assert first.startswith(f"reformctl: error: {message}"), first
    assert hint.startswith("  hint: `reformctl"), hint
    for raw in RAW:
        assert raw not in result.stderr, raw


def test_house_message_rewrites_every_known_parser_wording():
    from reformctl.cli.args import house_message

    assert house_message("No such option: --colour Did you mean --color?") == (
        "no such option: --colour (did you mean --color?)")
    assert house_message("No such option '--colour'.") == "no such option: --colour"
    assert house_message("No such command 'lst'. Did you mean 'list'?") == (
        "no such command 'lst' (did you mean 'list'?)")
    assert house_message("Invalid value for '--x': Input should be a valid integer") == (
        "invalid value for '--x': it should be a valid integer")


# ---------------------------------------------------------------------------------------------
# The same fault, the same exit code, in every command


@pytest.mark.parametrize("args", ALL, ids=" ".join)
def test_a_missing_data_directory_is_exit_2_everywhere(outside, args):
    result = run_cli(*args, "--data", "nowhere", env=USER)
    assert result.code == 2, result.stderr
    assert result.stderr == (
        "reformctl: error: --data points to nowhere, which is not a directory\n"
        "  hint: give the directory that holds tasks.yaml and voices.yaml (create one with "
        "`reformctl init`)\n")
    env = run_cli(*args, env={**USER, "REFORMCTL_DATA": "nowhere"})
    assert env.code == 2 and "REFORMCTL_DATA points to nowhere" in env.stderr


@pytest.mark.parametrize("args", [("show", "99"), ("update", "99", "--note", "x"), ("log", "99"),
                                  ("voices", "--task", "99"), ("voices", "99")], ids=" ".join)
def test_what_does_not_exist_is_exit_1_everywhere(ledger, args):
    result = run_cli(*args, env=USER)
    assert result.code == 1
    assert re.match(r"reformctl: error: no (task|statement) 99 in this ledger\n", result.stderr)


@pytest.mark.parametrize("args", ALL, ids=" ".join)
def test_a_malformed_option_is_exit_2_everywhere(ledger, args):
    result = run_cli(*args, "--no-such-option", env=USER)
    assert result.code == 2
    assert result.stderr.startswith("reformctl: error: no such option: --no-such-option\n")


# ---------------------------------------------------------------------------------------------
# Completion


def test_level_and_status_completion_in_english_and_chinese():
    from reformctl.cli.complete import complete_level, complete_status

    assert [v for v, _ in complete_level("")] == [
        "district", "federation", "grassroots", "区级", "区总工会", "基层"]
    assert complete_level("G") == [("grassroots", "基层")]
    assert [v for v, _ in complete_status("")] == [
        "todo", "in-progress", "done", "blocked", "dropped",
        "未开始", "进行中", "已完成", "受阻", "已取消"]
    assert complete_status("进") == [("进行中", "in-progress")]
    assert complete_status("ｄｏ") == [("done", "已完成")]  # full-width typing


def test_task_completion_reads_ids_and_refs_and_fails_silently(ledger, monkeypatch):
    from reformctl.cli.complete import complete_task

    values = [v for v, _ in complete_task(None, "")]
    assert values[:4] == ["1", "D1", "2", "D2"] and "G10" in values and "29" in values
    assert [v for v, _ in complete_task(None, "g1")] == ["G1", "G10"]
    (ledger / "tasks.yaml").write_text("tasks: [", "utf-8")
    assert complete_task(None, "") == []
    monkeypatch.setenv("REFORMCTL_DATA", "/nonexistent")
    assert complete_task(None, "") == []


def _complete(words: str, env: dict[str, str] | None = None) -> list[str]:
    """Completions as bash gets them from the installed command."""
    exe = Path(sys.executable).with_name("reformctl")
    parts = words.split(" ")
    proc = subprocess.run(
        [str(exe)], capture_output=True, text=True, check=False,
        env={**os.environ, **(env or {}), "_REFORMCTL_COMPLETE": "complete_bash",
             "COMP_WORDS": words, "COMP_CWORD": str(len(parts) - 1)})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


@pytest.mark.skipif(not Path(sys.executable).with_name("reformctl").exists(),
                    reason="needs the installed console script")
def test_completion_end_to_end(ledger):
    assert _complete("reformctl list --status 已") == ["已完成", "已取消"]
    assert _complete("reformctl update 3 -s in") == ["in-progress"]
    assert _complete("reformctl report --level f") == ["federation"]
    assert _complete("reformctl show G1") == ["G1", "G10"]
    assert _complete("reformctl add --related 2") == ["2", "20", "21", "22", "23", "24", "25",
                                                       "26", "27", "28", "29"]
    elsewhere = ledger.parent / "other"
    shutil.copytree(FIXTURES / "base", elsewhere)  # three tasks: D1, F1, G1
    assert _complete(f"reformctl --data {elsewhere} log ") == ["1", "D1", "2", "F1", "3", "G1"]
    assert _complete(f"reformctl voices --data {elsewhere} --task ") == [
        "1", "D1", "2", "F1", "3", "G1"]
    assert _complete(f"reformctl --data {elsewhere} lo") == ["log"]  # the command not typed yet
    assert "show" in _complete("reformctl --data ")


def test_every_level_status_and_task_parameter_completes():
    import inspect
    import typing

    import typer.main

    from reformctl.cli import app

    command = typer.main.get_command(app)
    missing = []
    for name, cmd in command.commands.items():
        hints = typing.get_type_hints(inspect.unwrap(cmd.callback), include_extras=True)
        for param, hint in hints.items():
            for info in getattr(hint, "__metadata__", ()):
                metavar = getattr(info, "metavar", None)
                is_task = metavar == "ID" and not (name == "voices" and param == "voice")
                if (metavar in ("LEVEL", "STATUS") or is_task) and not info.autocompletion:
                    missing.append(f"{name} {param}")
    assert missing == []


# ---------------------------------------------------------------------------------------------
# Times in one spelling; the sample said so; repeated filters; the same formats


def test_times_are_shown_to_the_minute_in_the_offset_recorded(ledger):
    run_cli("update", "3", "--status", "in-progress", "--at", "2018-05-02T10:00:00Z", env=USER)
    run_cli("update", "3", "--progress", "50", "--at", "2018-05-03T09:30+08:00", env=USER)
    shown = run_cli("show", "3").stdout
    assert "2018-05-02 10:00+00:00  测试员" in shown
    assert "2018-05-03 09:30+08:00  测试员" in shown
    assert not re.search(r"\d\d:\d\d:\d\d|\dZ\b| UTC", shown)
    log = run_cli("log").stdout
    assert "2018-05-03 09:30+08:00" in log and "2018-05-02 10:00+00:00" in log
    report = run_cli("report", "--as-of", "2018-06-30", "--since", "2018-05-01",
                     "--format", "markdown").stdout
    assert "2018-05-03 09:30+08:00" in report and "2018-05-02 10:00+00:00" in report


def test_the_render_when_spelling():
    from reformctl.render import when

    assert when("2018-05-02T10:00:00Z") == "2018-05-02 10:00+00:00"
    assert when("2018-05-02T10:00:59+08:00") == "2018-05-02 10:00+08:00"
    assert when("2018-05-02T10:00:00-05:30") == "2018-05-02 10:00-05:30"


@pytest.mark.parametrize("args", READING, ids=" ".join)
def test_reading_the_packaged_sample_says_so_on_stderr_once(outside, args):
    from reformctl.cli import SAMPLE_NOTICE

    result = run_cli(*args)
    assert result.code == 0, result.stderr
    assert result.stderr.count(SAMPLE_NOTICE + "\n") == 1
    assert SAMPLE_NOTICE not in result.stdout
    given = run_cli(*args, "--data", str(DATA))
    assert "packaged" not in given.stderr
    if args[0] != "report":  # the report names its source
        assert given.stdout == result.stdout


def test_the_sample_notice_is_one_line_and_writes_still_refuse(outside):
    from reformctl.cli import SAMPLE_NOTICE

    assert "\n" not in SAMPLE_NOTICE and "reformctl init" in SAMPLE_NOTICE
    result = run_cli("update", "3", "--note", "x", env=USER)
    assert result.code == 1 and "reformctl init" in result.stderr


def test_repeated_search_and_owner_each_narrow(ledger):
    def refs(*args: str) -> list[str]:
        return [t["ref"] for t in json.loads(run_cli("list", *args, "--format", "json").stdout)]

    funding = refs("--search", "经费")
    audit = refs("--search", "审计")
    both = refs("--search", "经费", "--search", "审计")
    assert both and set(both) == set(funding) & set(audit) and both != funding
    owners = refs("--owner", "区总工会", "--owner", "区委")
    assert set(owners) <= set(refs("--owner", "区总工会")) & set(refs("--owner", "区委"))


@pytest.mark.parametrize("command", [("list",), ("log",), ("voices",)], ids=" ".join)
def test_every_listing_offers_the_same_formats(ledger, command):
    from reformctl.render.formats import LISTING_FORMATS

    run_cli("update", "3", "--note", "记录", env=USER)
    for fmt in LISTING_FORMATS:
        result = run_cli(*command, "--format", fmt)
        assert result.code == 0, (fmt, result.stderr)
        assert result.stdout.strip(), fmt


def test_format_names_are_declared_once():
    from typing import get_args

    from reformctl.cli import browse, files, report
    from reformctl.render import formats

    assert browse.ListingFormat is formats.ListingFormat
    assert browse.RecordFormat is formats.RecordFormat
    assert files.CheckFormat is formats.CheckFormat
    assert report.ReportFormat is formats.ReportFormat
    assert get_args(formats.CheckFormat) == formats.CHECK_FORMATS
    cli_sources = "".join(p.read_text("utf-8")
                          for p in (ROOT / "src" / "reformctl" / "cli").glob("*.py"))
    assert 'Literal["text"' not in cli_sources and 'Literal["table"' not in cli_sources and '"markdown", "yaml"]' not in cli_sources


# ---------------------------------------------------------------------------------------------
# Formats live in render


def test_check_output_is_drawn_by_render_in_every_format():
    from reformctl.errors import error
    from reformctl.render.check import check_output
    from reformctl.render.formats import CHECK_FORMATS

    diags = [error("data/t.yaml", 3, 5, "bad", "a % b, c: d")]
    out = {fmt: check_output(diags, fmt) for fmt in CHECK_FORMATS}
    assert out["text"] == "data/t.yaml:3:5: error[bad]: a % b, c: d\n"
    assert out["github"] == ("::error file=data/t.yaml,line=3,col=5,title=reformctl bad::"
                             "a %25 b, c: d\n")
    assert json.loads(out["json"]) == [{"file": "data/t.yaml", "line": 3, "column": 5,
                                        "severity": "error", "code": "bad",
                                        "message": "a % b, c: d"}]
    with pytest.raises(ValueError):
        check_output(diags, "html")


def test_the_dry_run_diff_is_drawn_by_render():
    from reformctl.render.diff import unified_diff

    assert unified_diff("a\nb\n", "a\nc\n", "data/t.yaml") == (
        "--- a/data/t.yaml\n+++ b/data/t.yaml\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n")
    assert unified_diff("a", "b", "t").endswith("+b\n\\ No newline at end of file\n")
    src = (ROOT / "src" / "reformctl" / "cli" / "changes.py").read_text("utf-8")
    assert "difflib" not in src


def test_the_terminal_report_width_is_decided_in_render():
    from reformctl.render.report import TEXT_WIDTH, terminal_view

    report = json.loads(run_cli("report", "--as-of", "2018-06-30", "--format", "json",
                                "--data", str(DATA)).stdout)
    # drawn at the terminal's own width (issue 15: no longer widened to TEXT_WIDTH)
    assert terminal_view(report, "zh", 40)[1] == 40 < TEXT_WIDTH
    assert terminal_view(report, "en", 160)[1] == 160


# ---------------------------------------------------------------------------------------------
# Diagnostics are inert in every format (issue 11 item 6)

HOSTILE = ("\x1b", "\x07", "\u202e")


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_control_characters_from_the_data_are_escaped_in_every_check_format(outside, fmt):
    broken_ledger("control-in-value", outside)
    result = run_cli("check", "--format", fmt)
    assert result.code == 1
    for ch in HOSTILE:
        assert ch not in result.stdout + result.stderr, repr(ch)
    quoted = r"'do\x1b[2Jne\x07\u202e\nfake.yaml:1:1: error[x]: forged'"
    if fmt == "json":
        [diag] = json.loads(result.stdout)
        assert quoted in diag["message"]  # the escape is text in the message, not JSON's only
        assert "\n" not in diag["message"]
        return
    lines = result.stdout.split("\n")
    assert len(lines) == 2 and lines[1] == ""  # one diagnostic, one line
    assert quoted in lines[0]
    assert not any(line.startswith(("fake.yaml", "::error file=fake")) for line in lines)
    if fmt == "github":
        assert lines[0].startswith("::error file=data/tasks.yaml,line=13,col=13,")


def test_control_characters_are_escaped_on_a_terminal_and_in_refusals(outside):
    broken_ledger("control-in-value", outside)
    terminal = run_cli("check", env={"NO_COLOR": "1", "TTY_COMPATIBLE": "1", "FORCE_COLOR": "1"})
    refused = run_cli("list")
    for result in (terminal, refused):
        for ch in HOSTILE:
            assert ch not in result.stdout + result.stderr, repr(ch)
        assert not re.search(r"^fake\.yaml", result.stdout + result.stderr, re.MULTILINE)
    assert r"do\x1b[2Jne\x07\u202e\nfake.yaml" in terminal.stdout
    assert r"do\x1b[2Jne\x07\u202e\nfake.yaml" in refused.stderr


def test_inert_escapes_what_visible_leaves_for_cells():
    from reformctl.render import inert, visible

    assert visible("a\nb\tc") == "a\nb\tc"  # a table cell may hold lines
    assert inert("a\nb\tc\rd\x1be\u202e") == r"a\nb\tc\rd\x1be\u202e"
