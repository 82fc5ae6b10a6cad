"""Locating diagnostics is linear in the text, however many diagnostics there are (issue 14).

Not timed: the locator counts the characters it reads (``locate.SCANNED``): the text is indexed
once, each task read again at most once, the rest walked at most once. The old locator counted
line breaks from the nearest position located before, which is quadratic when positions come in
reverse order, and from the start of the file before that.
"""

from __future__ import annotations

import pytest
from benchmarks.generate import build, build_realistic, tasks_yaml, voices_yaml

from conftest import run_cli
from reformctl import locate, yamldoc
from reformctl.checks import diagnostic
from reformctl.errors import Severity
from reformctl.ledgers import LedgerDir
from reformctl.loader import load


@pytest.fixture(autouse=True)
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    fresh = dict.fromkeys(locate.SCANNED, 0)
    monkeypatch.setattr(locate, "SCANNED", fresh)
    return fresh


def write(tmp_path, tasks: list[dict], crlf: bool = False):
    folder = tmp_path / "data"
    folder.mkdir()
    text, voices = tasks_yaml(tasks), voices_yaml(tasks)
    if crlf:
        text, voices = text.replace("\n", "\r\n"), voices.replace("\n", "\r\n")
    (folder / "tasks.yaml").write_bytes(text.encode())
    (folder / "voices.yaml").write_bytes(voices.encode())
    return folder, len(text) + len(voices)


@pytest.mark.parametrize("n", [200, 800])
def test_check_reads_each_character_a_bounded_number_of_times(tmp_path, counted, n):
    """Every done task without evidence is a warning (a fifth of the tasks): the characters read
    to locate them all stay below three times the text, at 200 and at 800 tasks alike."""
    folder, size = write(tmp_path, build(n, unevidenced=1.0))
    loaded = load(LedgerDir(folder, "--data"))
    warnings = [d for d in loaded.diagnostics if d.code == "missing-evidence"]
    assert len(warnings) > n // 10
    assert all(d.location.line for d in warnings)
    assert counted["index"] <= size
    assert counted["items"] <= size
    assert sum(counted.values()) <= 3 * size


def test_reverse_order_and_many_per_task_cost_no_more(tmp_path, counted):
    """The old locator's worst case: positions asked from the end of the file to its start,
    and several diagnostics in one task. Still one index and one read per task."""
    tasks = build(300)
    folder, _ = write(tmp_path, tasks)
    loaded = load(LedgerDir(folder, "--data"))
    assert loaded.diagnostics == []
    source = loaded.texts["tasks"]
    diags = [diagnostic(source.path, ("tasks", i, field), "x", "m", Severity.WARNING)
             for i in reversed(range(300)) for field in ("status", "due", "text")]
    located = locate.locate(diags, loaded.texts, loaded.parsed)
    assert len(located) == 900 and all(d.location.line for d in located)
    text = source.text
    assert counted["index"] == len(text)  # indexed once
    assert counted["items"] <= len(text)  # each task read once
    # the lines are right: the status of task i is on the line that says so
    lines = text.split("\n")
    for d in located:
        if d.data_path[2] == "status":
            assert lines[d.location.line - 1].strip().startswith("status:")


def test_a_realistic_crlf_ledger_is_located_right(tmp_path, counted):
    folder, size = write(tmp_path, build_realistic(300), crlf=True)
    loaded = load(LedgerDir(folder, "--data"))
    lines = loaded.texts["tasks"].text.split("\n")
    found = [d for d in loaded.diagnostics if d.code == "missing-evidence"]
    assert found
    for d in found:
        assert lines[d.location.line - 1].strip().startswith("status:")
        assert d.location.col == 13  # at the value: `    status: done`
    assert sum(counted.values()) <= 3 * size


def test_commands_that_do_not_show_warnings_do_not_locate_them(tmp_path, counted,
                                                               monkeypatch):
    folder, _ = write(tmp_path, build(300, unevidenced=1.0))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REFORMCTL_DATA", raising=False)
    for command in (["list", "--format", "json"], ["list", "--level", "G"],
                    ["report", "--format", "json", "--as-of", "2018-06-30"], ["show", "3"]):
        result = run_cli(*command)
        assert result.code == 0, result.stderr
        assert sum(counted.values()) == 0, command
    assert not load(LedgerDir(folder, "--data")).errors
    assert sum(counted.values()) == 0
    assert run_cli("check").code == 0  # check shows them: located
    assert counted["index"] > 0


def test_odd_line_breaks_index_the_text_once(monkeypatch):
    """A text with CR-only line breaks and many duplicate keys: one line index for all."""
    made = []
    real = yamldoc._positions

    def counting(text: str):
        made.append(len(text))
        return real(text)

    monkeypatch.setattr(yamldoc, "_positions", counting)
    text = "\r".join(f"k{i}: 1\rk{i}: 2" for i in range(500)) + "\r"
    parsed = yamldoc.parse(yamldoc.Text("t.yaml", text))
    assert len(parsed.diagnostics) == 500
    assert {d.location.line for d in parsed.diagnostics} == {1}  # editors see one line
    assert len(made) <= 2  # the problems' index, and the nodes' recount


def test_list_on_a_ledger_with_errors_reads_it_once(tmp_path, monkeypatch):
    """``list`` on a ledger with errors shows what could be read from what ``load`` read and
    validated: no file is parsed again for it (it was: the cost of ``list`` doubled)."""
    tasks = build(120)
    for task in tasks[::3]:
        task["status"] = "doing"  # an error in every third task
    folder, _ = write(tmp_path, tasks)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REFORMCTL_DATA", raising=False)
    reads: list[int] = []
    real = yamldoc._parse_fast

    def counting(source, items):
        reads.append(len(source.text))
        return real(source, items)

    monkeypatch.setattr(yamldoc, "_parse_fast", counting)
    result = run_cli("list", "--format", "json")
    assert result.code == 1 and "the ledger has 40 errors" in result.stderr
    assert len(__import__("json").loads(result.stdout)) == 80
    # tasks.yaml: the read that validates as it goes (refused), then the raw read; voices.yaml once
    assert len(reads) == 3
