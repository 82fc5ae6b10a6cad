"""`reformctl list`, `show` and `voices` as a user meets them: golden output in every format,
hostile text printed literally, wide characters lined up, colour rules, exit codes, help."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import typer.main
import yaml
from wcwidth import wcswidth

from conftest import FIXTURES, assert_golden, run_cli
from reformctl.cli import app
from test_render import ANSI, RAW_CONTROL, md_rows

GOLDEN = Path(__file__).resolve().parent / "golden" / "browse"
HOSTILE = ["--data", str(FIXTURES / "hostile")]
HOSTILE_TEXT = ("[bold red]x[/] <b>粗体</b> a|b =SUM(A1) \x1b[31m红\x1b[0m \x9b2J \u202eevil "
                "建立*制度*_完_ `code` &amp; $x$")
SHOWN_TEXT = ("[bold red]x[/] <b>粗体</b> a|b =SUM(A1) \\x1b[31m红\\x1b[0m \\x9b2J \\u202eevil "
              "建立*制度*_完_ `code` &amp; $x$")  # what a terminal, markdown or CSV shows
LISTING_FORMATS = ["table", "json", "csv", "markdown", "yaml"]
EXT = {"table": "txt", "text": "txt", "json": "json", "csv": "csv", "markdown": "md",
       "yaml": "yaml"}


def ok(*args: str, env: dict[str, str] | None = None) -> str:
    result = run_cli(*args, env=env)
    assert result.code == 0, result.stderr
    assert result.stderr == ""  # data goes to stdout only
    return result.stdout


# ---------------------------------------------------------------------------------------------
# Golden files (shipped ledger, COLUMNS=100, no colour)


@pytest.mark.parametrize("fmt", LISTING_FORMATS)
def test_list_golden(ledger, fmt):
    assert_golden(GOLDEN / f"list.{EXT[fmt]}", ok("list", "--format", fmt))


@pytest.mark.parametrize("fmt", ["text", "json", "yaml"])
def test_show_g3_golden(ledger, fmt):
    assert_golden(GOLDEN / f"show-G3.{EXT[fmt]}", ok("show", "G3", "--format", fmt))


def test_show_with_related_tasks_and_statements_golden(ledger):
    assert_golden(GOLDEN / "show-G5.txt", ok("show", "G5"))


@pytest.mark.parametrize(("name", "args"), [
    ("hostile-list.txt", ("list",)),
    ("hostile-show-1.txt", ("show", "1")),
    ("hostile-show-2.txt", ("show", "2")),  # the history as a timeline
])
def test_hostile_golden(name, args):
    assert_golden(GOLDEN / name, ok(*args, *HOSTILE))


def test_voices_golden(ledger):
    assert_golden(GOLDEN / "voices.txt", ok("voices"))


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_voice_3_golden(ledger, fmt):
    assert_golden(GOLDEN / f"voices-3.{EXT[fmt]}", ok("voices", "3", "--format", fmt))


def test_narrow_terminal_golden(ledger):
    out = ok("list", "--level", "G", env={"COLUMNS": "60"})
    assert all(wcswidth(line) <= 60 for line in out.splitlines())
    assert_golden(GOLDEN / "list-grassroots-60.txt", out)


# ---------------------------------------------------------------------------------------------
# What the issue's "done when" says


def test_list_level_grassroots_is_the_ten_grassroots_tasks(ledger):
    tasks = json.loads(ok("list", "--level", "grassroots", "--format", "json"))
    assert [t["id"] for t in tasks] == list(range(20, 30))
    assert [t["ref"] for t in tasks] == [f"G{n}" for n in range(1, 11)]
    table = ok("list", "--level", "grassroots")
    assert ok("list", "--level", "基层") == table
    assert ok("list", "-l", "g") == table
    assert len(re.findall(r"^\s*\d+\s+G\d+\s+grassroots", table, re.M)) == 10


def test_show_g3_is_task_22(ledger):
    detail = json.loads(ok("show", "G3", "--format", "json"))
    assert (detail["id"], detail["ref"], detail["level"], detail["seq"]) == (22, "G3",
                                                                           "grassroots", 3)
    assert ok("show", "22") == ok("show", "G3") == ok("show", "g3")


def test_table_shows_the_columns_of_the_issue(ledger):
    header = ok("list").splitlines()[0].split()
    assert header == ["ID", "Ref", "Level", "Status", "Progress", "Due", "Task"]


def test_csv_carries_every_field(ledger):
    rows = list(csv.DictReader(io.StringIO(ok("list", "--format", "csv"))))
    assert list(rows[0]) == ["ID", "Ref", "Level", "Status", "Progress", "Due", "Task", "Title",
                             "Owner", "Partners", "Tags", "Related"]
    assert rows[13]["Related"] == "23" and rows[13]["Ref"] == "F7"


def test_filters_sort_reverse_and_limit_on_the_command_line(ledger):
    def listed(*args: str) -> list[str]:
        return [t["ref"] for t in json.loads(ok("list", "--format", "json", *args))]

    assert listed("--tag", "audit") == ["F2", "F7", "G4"]
    assert listed("--tag", "audit", "--tag", "FUNDING") == ["F2", "G4"]
    assert listed("--search", "劳模") == ["D4", "D5"]
    assert listed("--status", "todo", "--level", "D", "--level", "区总工会",
                  "--limit", "3", "--reverse") == ["F12", "F11", "F10"]
    assert listed("--sort", "level", "--reverse", "--limit", "2") == ["G10", "G9"]
    assert listed("--overdue", "--as-of", "2018-12-31") == []  # due that day: not yet overdue
    assert len(listed("--overdue", "--as-of", "2019-01-01")) == 29
    assert listed("--due-before", "2018-12-31") == []
    assert listed("--limit", "0") == []


def test_an_empty_table_is_a_message_on_stderr(ledger):
    result = run_cli("list", "--limit", "0")
    assert (result.code, result.stdout, result.stderr) == (0, "", "no tasks match\n")
    result = run_cli("voices", "--task", "D1")
    assert (result.code, result.stdout) == (0, "")
    assert result.stderr == "no statement bears on task 1 (D1)\n"
    assert ok("list", "--limit", "0", "--format", "csv").startswith("ID,Ref,")
    assert md_rows(ok("list", "--limit", "0", "--format", "markdown"))[0][0] == "ID"
    assert ok("list", "--limit", "0", "--format", "yaml") == "[]\n"


def test_voices_for_a_task_by_id_or_ref(ledger):
    by_ref = json.loads(ok("voices", "--task", "G6", "--format", "json"))
    assert [v["id"] for v in by_ref] == [3, 5]
    assert ok("voices", "--task", "25", "--format", "json") == ok("voices", "--task", "g6",
                                                                  "--format", "json")


def test_usage_errors_come_before_reading_the_ledger(ledger):
    (ledger / "tasks.yaml").write_text("plan: [\n", "utf-8")
    assert run_cli("show", "X9").code == 2
    assert run_cli("voices", "--task", "X9").code == 2
    assert run_cli("voices", "x").code == 2
    assert run_cli("list", "--level", "x").code == 2
    assert run_cli("show", "G3").code == 1


def test_voices_listing_takes_text_for_table(ledger):
    assert ok("voices", "--format", "text") == ok("voices")


def test_voice_formats(ledger):
    assert ok("voices", "3") == ok("voices", "3", "--format", "text")
    assert ok("voices", "3", "--format", "table") == ok("voices", "3")
    one = yaml.safe_load(ok("voices", "3", "--format", "yaml"))
    assert one == json.loads(ok("voices", "3", "--format", "json"))
    assert [t["ref"] for t in one["linked_tasks"]] == ["F6", "G5", "G6", "G10"]
    assert all(t["status"] for t in one["linked_tasks"])


# ---------------------------------------------------------------------------------------------
# Hostile text: printed literally in every format


def _no_raw_controls(out: str) -> None:
    assert not RAW_CONTROL.search(out.replace("\n", "").replace("\t", "")), repr(out)
    assert not ANSI.search(out)


@pytest.mark.parametrize("fmt", LISTING_FORMATS)
def test_hostile_list_prints_literally(fmt):
    out = ok("list", *HOSTILE, "--format", fmt)
    _no_raw_controls(out)
    if fmt == "json":
        first = json.loads(out)[0]
        assert first["text"] == HOSTILE_TEXT and first["owner"] == "@区总工会|<script>alert(1)</script>"
    elif fmt == "yaml":
        assert yaml.safe_load(out)[0]["text"] == HOSTILE_TEXT
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert rows[0]["Task"] == SHOWN_TEXT
        assert rows[0]["Title"] == "'=HYPERLINK(\"http://evil\")"
        assert rows[0]["Owner"] == "'@区总工会|<script>alert(1)</script>"
        assert rows[0]["Tags"] == "'-cmd; +1; [red]"
        assert rows[1]["Progress"] == "40"
    elif fmt == "markdown":
        assert "a\\|b" in out
        rows = md_rows(out)
        assert [len(r) for r in rows] == [7, 7, 7, 7]
        assert rows[1][6] == SHOWN_TEXT
        assert len({wcswidth(line) for line in out.splitlines()}) == 1
    else:
        assert "[bold red]x[/] <b>粗体</b> a|b =SUM(A1)" in out
        assert "\\x1b[31m红\\x1b[0m \\x9b2J \\u202eevil" in out


@pytest.mark.parametrize("fmt", ["text", "json", "yaml"])
@pytest.mark.parametrize("task", ["1", "2"])
def test_hostile_show_prints_literally(task, fmt):
    out = ok("show", task, *HOSTILE, "--format", fmt)
    _no_raw_controls(out)
    if fmt == "json":
        assert json.loads(out)["id"] == int(task)
    if fmt == "yaml":
        assert yaml.safe_load(out)["id"] == int(task)
    if fmt == "text" and task == "1":
        assert "[bold red]x[/] <b>粗体</b> a|b =SUM(A1)" in out
        assert '=HYPERLINK("http://evil")' in out and "-cmd, +1, [red]" in out
        assert "@区总工会|<script>alert(1)</script>" in out
    if fmt == "text" and task == "2":
        assert "第二行 | <i>x</i> [/]" in out
        assert "=cmd|' /C calc'!A0" in out and "<img src=x onerror=alert(1)>" in out
        lines = out.splitlines()  # the note's second line stays under its first
        first = next(i for i, line in enumerate(lines) if "note" in line)
        assert lines[first + 1].index("第二行") == lines[first].index("第一行")


@pytest.mark.parametrize("fmt", LISTING_FORMATS)
def test_hostile_voices_prints_literally(fmt):
    out = ok("voices", *HOSTILE, "--format", fmt)
    _no_raw_controls(out)
    if fmt == "markdown":
        assert [len(r) for r in md_rows(out)] == [5, 5]


@pytest.mark.parametrize("fmt", ["text", "json", "yaml"])
def test_hostile_voice_prints_literally(fmt):
    out = ok("voices", "1", *HOSTILE, "--format", fmt)
    _no_raw_controls(out)
    if fmt == "text":
        assert "[bold red]" not in out  # the statement links G1, whose text is plain
        assert "G1" in out and "todo" in out


def test_hostile_text_in_a_terminal_with_colour_is_still_literal():
    out = ok("list", *HOSTILE, env={"NO_COLOR": None, "FORCE_COLOR": "1"})  # type: ignore[dict-item]
    assert ANSI.search(out)  # colour is on ...
    assert "[bold red]x[/]" in out and "\\x1b[31m" in out  # ... and the data is still text
    assert "\x9b" not in out and "\u202e" not in out
    assert "\x1b[31m红" not in out


# ---------------------------------------------------------------------------------------------
# Wide characters line up


@pytest.mark.parametrize("args", [("list",), ("voices",), ("list", *HOSTILE)])
def test_markdown_lines_all_have_one_display_width(ledger, args):
    out = ok(*args, "--format", "markdown")
    assert len({wcswidth(line) for line in out.splitlines()}) == 1


@pytest.mark.parametrize("columns", ["80", "100", "160"])
def test_terminal_columns_start_at_one_offset_on_every_line(ledger, columns):
    out = ok("voices", env={"COLUMNS": columns})
    lines = out.splitlines()
    for header in ("Unit", "Headline", "Tasks"):
        offset = wcswidth(lines[0][:lines[0].index(header)])
        for line in lines[2:]:
            if wcswidth(line) <= offset:  # a wrapped line with nothing in this column
                continue
            cut = _cut(line, offset)
            assert cut is not None and line[cut - 2:cut] == "  ", (header, line)


def _cut(line: str, offset: int) -> int | None:
    used = 0
    for i, ch in enumerate(line):
        if used == offset:
            return i
        used += wcswidth(ch)
    return len(line) if used == offset else None


# ---------------------------------------------------------------------------------------------
# Colour and streams


@pytest.mark.parametrize("args", [("list",), ("show", "G3"), ("voices",), ("voices", "3")])
def test_no_escape_codes_with_no_color_or_off_a_terminal(ledger, args):
    assert not ANSI.search(ok(*args))  # run_cli sets NO_COLOR
    assert not ANSI.search(ok(*args, env={"NO_COLOR": None}))  # type: ignore[dict-item]
    forced = {"FORCE_COLOR": "1", "NO_COLOR": "1"}
    assert not ANSI.search(ok(*args, env=forced))  # a terminal, but NO_COLOR
    assert "\x1b" not in ok(*args, env={"TTY_COMPATIBLE": "1", "NO_COLOR": "1"})


@pytest.mark.parametrize("args", [("list",), ("show", "F1"), ("voices",), ("voices", "3")])
def test_colour_on_a_terminal_without_no_color(ledger, args):
    out = ok(*args, env={"NO_COLOR": None, "FORCE_COLOR": "1"})  # type: ignore[dict-item]
    assert ANSI.search(out)
    plain = ok(*args)
    assert re.sub(r"\x1b\[[0-9;]*m", "", out).splitlines() == plain.splitlines()


# ---------------------------------------------------------------------------------------------
# Errors: exit codes, one line plus a hint, on stderr


def _fails(code: int, *args: str) -> list[str]:
    result = run_cli(*args)
    assert result.code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("reformctl: error: ")
    assert len(lines) == 2 and lines[1].startswith("  hint: "), result.stderr
    return lines


def test_unknown_level_lists_the_valid_ones_in_english_and_chinese(ledger):
    first, _ = _fails(2, "list", "--level", "nope")
    for word in ("district (区级)", "federation (区总工会)", "grassroots (基层)"):
        assert word in first


def test_unknown_status_lists_the_valid_ones_in_english_and_chinese(ledger):
    first, _ = _fails(2, "list", "--status", "finished")
    for word in ("todo (未开始)", "in-progress (进行中)", "done (已完成)", "blocked (受阻)",
                 "dropped (已取消)"):
        assert word in first


def test_malformed_task_ref_is_a_usage_error_with_the_valid_forms(ledger):
    first, hint = _fails(2, "show", "X9")
    assert first == "reformctl: error: 'X9' is not a task id or ref"
    assert "D3" in hint and "F3" in hint and "G3" in hint


@pytest.mark.parametrize(("code", "args", "message"), [
    (1, ("show", "99"), "no task 99 in this ledger"),
    (1, ("show", "G11"), "no task G11 in this ledger"),
    (1, ("voices", "99"), "no statement 99 in this ledger"),
    (1, ("voices", "--task", "99"), "no task 99 in this ledger"),
    (2, ("voices", "abc"), "'abc' is not a statement number"),
    (2, ("voices", "--task", "X1"), "'X1' is not a task id or ref"),
    (2, ("voices", "3", "--task", "G6"), "give a statement number or --task, not both"),
    (2, ("voices", "3", "--format", "csv"), "one statement is shown as text, json or yaml, not csv"),
    (2, ("list", "--due-before", "2018-13-01"), "--due-before '2018-13-01' is not a real date"),
    (2, ("list", "--due-before", "tomorrow"), "--due-before 'tomorrow' is not a date"),
    (2, ("list", "--overdue", "--as-of", "soon"), "--as-of 'soon' is not a date"),
    (2, ("list", "--as-of", "2019-01-01"), "--as-of only applies to --overdue"),
    (2, ("list", "--limit", "-1"), "--limit -1 is negative"),
    (2, ("list", "--owner", ""), "--owner needs some text"),
    (2, ("list", "--format", "html"),
     "--format 'html' is not one of: table, json, csv, markdown, yaml"),
    (2, ("list", "--sort", "owner"), "--sort 'owner' is not one of: id, due, status, level, progress"),
    (2, ("list", "--limit", "many"), "--limit takes a whole number, not 'many'"),
    (2, ("list", "--colour"), "no such option: --colour"),
    (2, ("show",), "missing argument 'ID'"),
    (2, ("lst",), "no such command 'lst'"),
])
def test_errors_are_one_line_and_a_hint(ledger, code, args, message):
    first, _ = _fails(code, *args)
    assert first.startswith(f"reformctl: error: {message}"), first


def test_usage_error_hint_names_the_command(ledger):
    _, hint = _fails(2, "list", "--format", "html")
    assert hint == "  hint: `reformctl list --help` shows the usage and examples"


# ---------------------------------------------------------------------------------------------
# Help


COMMAND = typer.main.get_command(app)


def declared_help(name: str) -> dict[str, str]:
    """Each parameter's help as the command declares it (``typer.Option(help=...)``): read from
    the declarations, as where typer keeps an argument's help differs between its versions."""
    import inspect
    import typing

    hints = typing.get_type_hints(inspect.unwrap(COMMAND.commands[name].callback),
                                  include_extras=True)
    found = {}
    for param, hint in hints.items():
        for extra in getattr(hint, "__metadata__", ()):
            if hasattr(extra, "param_decls"):
                found[param] = extra.help or ""
    return found


@pytest.mark.parametrize("name", sorted(COMMAND.commands))
def test_every_command_has_an_example_and_every_option_has_help(name):
    command = COMMAND.commands[name]
    assert "Example" in (command.help or ""), name
    helps = declared_help(name)
    for param in command.params:
        assert helps.get(param.name, "").strip(), f"{name} {param.name}"


@pytest.mark.parametrize("name", ["list", "show", "voices"])
def test_every_browse_option_and_argument_has_an_example(name):
    helps = declared_help(name)
    for param in COMMAND.commands[name].params:
        assert "Example" in helps.get(param.name, ""), f"{name} {param.name}"


@pytest.mark.parametrize("name", ["list", "show", "voices"])
def test_help_prints(name):
    out = ok(name, "--help")
    assert "Examples:" in out and f"reformctl {name}" in out
    assert "[[" not in out
