"""Limits that hold (issue 11, item 7): the extreme dates in every date option of every command,
and in the data itself, give a result or a usage error, never an internal error.

Peak memory is not asserted here (it would be flaky): ``python -m benchmarks.limits N`` measures
it, and README's "Limits" records the table the size limit was chosen from.
"""

from __future__ import annotations

import json
import re

import pytest
import typer.main

from conftest import run_cli
from reformctl import yamldoc
from reformctl.cli import app

EXTREME_DAYS = ("0001-01-01", "9999-12-31")
# Times whose UTC instant lies outside the years 1..9999 (the offset pushes them over the edge).
EXTREME_TIMES = (*EXTREME_DAYS, "0001-01-01T00:00+14:00", "9999-12-31T23:59:59-12:00",
                 "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00")
REPORT_FORMATS = ("text", "markdown", "html", "json", "csv", "xlsx")
# What each command needs besides a date option to run at all.
BASE = {
    "update": ["update", "3", "--note", "extreme"],
    "add": ["add", "--level", "G", "极端日期的任务。"],
}
# The date options known when this was written: a new one (metavar DATE or TIME) is found too.
KNOWN = {("list", "--due-before"), ("list", "--as-of"), ("update", "--due"), ("update", "--at"),
         ("add", "--due"), ("add", "--at"), ("log", "--since"), ("report", "--as-of"),
         ("report", "--since")}


def date_options() -> list[tuple[str, str, str]]:
    """(command, option, metavar) of every option that takes a date or a time."""
    found = []
    group = typer.main.get_command(app)
    for name, command in sorted(group.commands.items()):  # type: ignore[attr-defined]
        for param in command.params:
            metavar = getattr(param, "metavar", None) or ""
            if metavar in ("DATE", "TIME"):
                found.append((name, param.opts[0], metavar))
    return found


def assert_handled(result, argv: list[str]) -> None:
    assert result.code in (0, 1, 2), (argv, result.code, result.stderr)
    assert "internal error" not in result.stderr, (argv, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout, argv


def test_every_date_option_is_found():
    assert KNOWN <= {(c, o) for c, o, _ in date_options()}


@pytest.mark.parametrize(("command", "option", "metavar"), date_options())
def test_extreme_dates_in_every_date_option(ledger, tmp_path, command, option, metavar):
    values = EXTREME_TIMES if metavar == "TIME" else EXTREME_DAYS
    for value in values:
        variants = [[]]
        if command == "list" and option == "--as-of":
            variants = [[], ["--overdue"]]
        if command == "report":
            variants = [["--format", fmt, "--output", str(tmp_path / f"r.{fmt}")]
                        for fmt in REPORT_FORMATS]
        if command in ("update", "add"):
            variants = [["--dry-run"], []]
        for extra in variants:
            argv = [*BASE.get(command, [command]), option, value, *extra]
            assert_handled(run_cli(*argv), argv)


@pytest.mark.parametrize("as_of", EXTREME_DAYS)
@pytest.mark.parametrize("since", EXTREME_DAYS)
def test_report_at_both_ends(ledger, as_of, since):
    result = run_cli("report", "--format", "json", "--as-of", as_of, "--since", since)
    assert_handled(result, [as_of, since])
    if since <= as_of:
        assert result.code == 0
        assert json.loads(result.stdout)["as_of"] == as_of
    else:
        assert result.code == 2  # --since after --as-of


@pytest.mark.parametrize("as_of", EXTREME_DAYS)
def test_report_as_of_the_first_and_last_day(ledger, as_of):
    """The default reach of the activity (30 days back) stops at the first day there is."""
    result = run_cli("report", "--format", "json", "--as-of", as_of)
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["since"] == ("0001-01-01" if as_of == "0001-01-01" else "9999-12-01")
    if as_of == "0001-01-01":
        assert report["overdue"] == []  # nothing can be due before the first day


def test_report_xlsx_far_in_the_future(ledger, tmp_path):
    """A zip entry's time ends in 2107: the workbook is stamped with that day, not a crash."""
    import zipfile

    for day, stamp in (("9999-12-31", (2107, 12, 31)), ("2108-02-29", (2107, 12, 31)),
                       ("0001-01-01", (1980, 1, 1))):
        out = tmp_path / f"{day}.xlsx"
        result = run_cli("report", "--format", "xlsx", "--as-of", day, "--output", str(out))
        assert result.code == 0, result.stderr
        with zipfile.ZipFile(out) as book:
            assert {info.date_time[:3] for info in book.infolist()} == {stamp}


def test_extreme_dates_in_the_data(ledger, tmp_path):
    """Due dates and history times at both ends, in the file: every reading command works."""
    text = (ledger / "tasks.yaml").read_text("utf-8")
    text = text.replace("due: 2018-12-31", "due: 0001-01-01", 1)
    (ledger / "tasks.yaml").write_text(text, "utf-8")
    steps = [
        ["update", "2", "--due", "9999-12-31", "--at", "0001-01-01T00:00+14:00", "--note", "a"],
        ["update", "3", "--status", "done", "--evidence", "e", "--at",
         "0001-01-02T23:59:59-12:00"],
        ["update", "3", "--at", "0001-01-01T00:00+14:00", "--note", "back-dated"],
        ["update", "4", "--due", "0001-01-01", "--at", "2018-05-05T10:00+08:00"],
        ["add", "--level", "D", "第一天到期的任务。", "--due", "0001-01-01"],
        ["add", "--level", "D", "最后一天到期的任务。", "--due", "9999-12-31"],
    ]
    for argv in steps:
        result = run_cli(*argv)
        assert result.code == 0, (argv, result.stderr)
    # a time after now is refused as a mistake (history-future), not an internal error
    future = run_cli("update", "5", "--note", "x", "--at", "9999-12-31T23:59:59-12:00")
    assert future.code == 1 and "internal error" not in future.stderr
    assert "9999-12-31" in (ledger / "tasks.yaml").read_text("utf-8")
    reads = [["check", "--strict"], ["list"], ["list", "--sort", "due"], ["list", "--overdue"],
             ["list", "--format", "json"], ["show", "3"], ["log"], ["log", "--format", "json"]]
    for day in ("0001-01-01", "2018-06-30", "9999-12-31"):
        for fmt in REPORT_FORMATS:
            reads.append(["report", "--as-of", day, "--format", fmt,
                          "--output", str(tmp_path / f"r.{fmt}")])
    for argv in reads:
        result = run_cli(*argv)
        assert result.code == 0, (argv, result.stderr)
        assert_handled(result, argv)
    log = json.loads(run_cli("log", "--format", "json").stdout)
    assert any(e["at"].startswith("0001") for e in log)
    assert log[-1]["at"].startswith("0001-01-01")


def test_the_size_limit_is_stated_in_its_message(ledger):
    big = ledger / "tasks.yaml"
    with open(big, "ab") as handle:
        handle.truncate(yamldoc.MAX_BYTES + 1)
    result = run_cli("check")
    assert result.code == 1
    limit = f"{yamldoc.MAX_BYTES // 2**20} MiB"
    assert re.search(r"error\[file-too-large\]", result.stdout + result.stderr)
    assert limit in result.stdout + result.stderr
