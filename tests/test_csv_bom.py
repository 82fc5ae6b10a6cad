"""CSV that spreadsheets read: a file written with --output starts with a UTF-8 byte-order mark
(Excel reads UTF-8 without one as the local code page); stdout has none unless --bom."""

from __future__ import annotations

import csv
import io

from conftest import run_cli

BOM = b"\xef\xbb\xbf"


def test_csv_file_starts_with_a_bom(ledger):
    result = run_cli("list", "--format", "csv", "--output", "tasks.csv")
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    assert "wrote 29 tasks to tasks.csv" in result.stderr
    data = (ledger.parent / "tasks.csv").read_bytes()
    assert data.startswith(BOM + b"ID,Ref,")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 29 and rows[0]["Task"] == "建立区级职工事务经费保障联席会议制度。"


def test_the_file_name_chooses_the_format(ledger):
    assert run_cli("list", "--level", "G", "-o", "g.csv").code == 0
    assert (ledger.parent / "g.csv").read_bytes().startswith(BOM + b"ID,")
    assert run_cli("list", "-o", "g.json").code == 0
    assert (ledger.parent / "g.json").read_bytes().startswith(b"[")


def test_no_bom_in_a_file_when_asked(ledger):
    assert run_cli("list", "--format", "csv", "-o", "t.csv", "--no-bom").code == 0
    assert (ledger.parent / "t.csv").read_bytes().startswith(b"ID,Ref,")


def test_stdout_has_no_bom_unless_asked(ledger):
    plain = run_cli("list", "--format", "csv")
    assert plain.code == 0 and plain.stdout.startswith("ID,Ref,")
    marked = run_cli("list", "--format", "csv", "--bom")
    assert marked.code == 0 and marked.stdout.startswith("\ufeffID,Ref,")
    assert marked.stdout[1:] == plain.stdout


def test_bom_is_for_csv_only(ledger):
    result = run_cli("list", "--format", "json", "--bom")
    assert result.code == 2
    assert "--bom applies to CSV only" in result.stderr


def test_a_terminal_table_is_not_written_to_a_file(ledger):
    result = run_cli("list", "--output", "tasks.txt")
    assert result.code == 2
    assert "not a terminal table" in result.stderr
    assert not (ledger.parent / "tasks.txt").exists()


def test_report_csv_file_has_a_bom_and_stdout_none(ledger):
    assert run_cli("report", "--format", "csv", "--as-of", "2018-06-30", "-o", "r.csv").code == 0
    data = (ledger.parent / "r.csv").read_bytes()
    assert data.startswith(BOM)
    out = run_cli("report", "--format", "csv", "--as-of", "2018-06-30")
    assert out.code == 0 and not out.stdout.startswith("\ufeff")
    assert data[len(BOM):].decode("utf-8") == out.stdout
