"""render: the primitives every command prints through, and the rules they keep.

Text from the data prints literally (no markup, HTML, broken table, formula or terminal command),
CJK text lines up by display width, and terminal text wraps without losing anything.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import yaml
from markdown_it import MarkdownIt
from rich.console import Console
from wcwidth import wcswidth

from reformctl.render import (
    TASK_COLUMNS,
    Column,
    cell_text,
    csv_cell,
    line_breaks,
    listing,
    md_table,
    record,
    rich_table,
    task_view,
    text,
    to_csv,
    to_json,
    to_yaml,
    visible,
)

HOSTILE = ("[bold red]x[/] <b>粗体</b> a|b =SUM(A1) \x1b[31m红\x1b[0m \x9b2J \u202eevil "
           "建立*制度*_完_ `code` &amp; $x$")
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e"
                         "\u2066-\u2069\ufeff]")
ANSI = re.compile("\x1b\\[")
CLOSING = "，。、；：？！）》」』”’…"


def render(renderable, width: int = 100, color: bool = False) -> str:
    console = Console(width=width, file=io.StringIO(), force_terminal=color,
                      color_system="standard" if color else None, highlight=False,
                      markup=False, emoji=False, soft_wrap=False)
    console.print(renderable)
    return console.file.getvalue()


def cells(line: str) -> int:
    return wcswidth(line)


def test_visible_shows_escape_c1_and_bidi_controls_as_text():
    assert visible("a\x1b[31mb\x9b2J\u202ec\x7f") == "a\\x1b[31mb\\x9b2J\\u202ec\\x7f"
    assert visible("tab\tand\nnewline") == "tab\tand\nnewline"
    assert not RAW_CONTROL.search(visible(HOSTILE))


def test_cell_text():
    assert cell_text(None) == ""
    assert cell_text(["a", "b"]) == "a, b"
    assert cell_text(["a", "b"], "; ") == "a; b"
    assert cell_text(True) == "true"
    assert cell_text(40) == "40"
    assert cell_text("\x1b") == "\\x1b"


@pytest.mark.parametrize("value", ["=SUM(A1)", "+1", "-cmd", "@区总工会", "\tx"])
def test_csv_cells_a_spreadsheet_would_run_get_an_apostrophe(value):
    assert csv_cell(value) == "'" + value


def test_csv_shows_a_leading_carriage_return_as_text():
    assert csv_cell("\r=1") == "\\x0d=1"


def test_csv_keeps_numbers_and_plain_text():
    assert csv_cell(40) == 40
    assert csv_cell(-3) == -3
    assert csv_cell("a=b") == "a=b"
    assert csv_cell(["-cmd", "+1"]) == "'-cmd; +1"


def test_to_csv_round_trips_through_a_csv_reader():
    out = to_csv(["A", "B"], [[HOSTILE, "=1+1"], ["第一行\n第二行", None]])
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [["A", "B"], [visible(HOSTILE), "'=1+1"], ["第一行\n第二行", ""]]
    assert not RAW_CONTROL.search(out.replace("\n", ""))


def test_json_escapes_controls_and_reads_back_exactly():
    out = to_json({"text": HOSTILE})
    assert not RAW_CONTROL.search(out.replace("\n", ""))
    assert "\\u001b" in out and "\\u009b" in out and "\\u202e" in out
    assert json.loads(out) == {"text": HOSTILE}


def test_yaml_escapes_controls_and_reads_back_exactly():
    out = to_yaml({"text": HOSTILE, "title": "=HYPERLINK(1)", "tags": ["-cmd", "[red]"]})
    assert not RAW_CONTROL.search(out.replace("\n", ""))
    assert yaml.safe_load(out) == {"text": HOSTILE, "title": "=HYPERLINK(1)",
                                   "tags": ["-cmd", "[red]"]}


# ---------------------------------------------------------------------------------------------
# Markdown

MD = MarkdownIt("commonmark").enable("table")


def md_rows(source: str) -> list[list[str]]:
    """The cells of every table row as a renderer sees them (plain text of each cell)."""
    rows: list[list[str]] = []
    row: list[str] | None = None
    for token in MD.parse(source):
        if token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            row.append("")
        elif token.type == "inline" and row is not None:
            kinds = {(c.type, c.content if c.type == "html_inline" else "")
                     for c in token.children or []}
            assert kinds <= {("text", ""), ("html_inline", "<br>")}, kinds  # nothing acted on
            row[-1] = "".join("\n" if c.type == "html_inline" else c.content
                              for c in token.children or [])
        elif token.type == "tr_close":
            rows.append(row)
            row = None
    return rows


def test_md_cell_renders_as_exactly_its_text():
    for value in (HOSTILE, "*a* _b_ `c` [d](e) <i>f</i> &amp; \\ # ~x~ !g", "1. 2) - + >"):
        rendered = md_rows(md_table(["H"], [[value]]))
        assert rendered == [["H"], [visible(value)]]


def test_md_table_keeps_one_cell_per_column_with_pipes_and_newlines():
    source = md_table(["A", "B", "C"], [["a|b", "第一行\n第二行", "x | y |"]])
    assert "a\\|b" in source
    assert md_rows(source) == [["A", "B", "C"], ["a|b", "第一行\n第二行", "x | y |"]]
    assert MD.render(source).count("<br>") == 1  # the newline in the data: a line break


def test_md_table_lines_up_wide_characters():
    source = md_table(["ID", "单位", "Task"],
                      [[1, "德胜街道总工会", "让企业和职工多跑“网”少跑路"],
                       [22, "区教育工会", HOSTILE], [3, "x", ""]],
                      ["right", "left", "left"])
    widths = {cells(line) for line in source.splitlines()}
    assert len(widths) == 1, source
    assert re.match(r"\|-+:\|-+\|-+\|\Z", source.splitlines()[1])


def test_empty_md_table_is_a_valid_lined_up_table():
    source = md_table(["ID", "单位"], [])
    assert md_rows(source) == [["ID", "单位"]]
    assert len({cells(line) for line in source.splitlines()}) == 1


# ---------------------------------------------------------------------------------------------
# Terminal text


def test_text_is_never_markup():
    out = render(text("[bold red]x[/] [/] [link=http://a]b[/link] :smile:"), color=True)
    assert "[bold red]x[/] [/] [link=http://a]b[/link] :smile:" in out
    assert "\x1b[1" not in out and "\x1b]8" not in out


def test_text_shows_controls_as_escapes_even_on_a_terminal():
    out = render(text(HOSTILE), width=300, color=True)
    assert "\\x1b[31m红\\x1b[0m \\x9b2J \\u202eevil" in out
    assert "\x9b" not in out and "\u202e" not in out
    assert "\x1b[31m" not in out


SAMPLE = ("建立项目经费申报审批制度，推行项目带资金模式，形成“人往基层走、钱往基层投、政策向基层倾斜”的"
          "基层保障机制。在街道、社区、商业楼宇等区域，通过预约工作制、24小时热线服务等手段，开展错峰服务。")


@pytest.mark.parametrize("width", range(6, 61))
def test_line_breaks_fit_lose_nothing_and_keep_chinese_punctuation_rules(width):
    pieces = _pieces(SAMPLE, width)
    assert "".join(pieces) == SAMPLE
    assert all(cells(p) <= width for p in pieces)
    assert not any(p[0] in CLOSING for p in pieces[1:]), pieces
    assert not any(p[-1] in "“‘《（" for p in pieces[:-1]), pieces


def test_latin_words_break_at_spaces_and_fold_only_when_longer_than_the_line():
    pieces = [p.rstrip() for p in _pieces("Four-in-one supervision system (internal audit)", 16)]
    assert pieces == ["Four-in-one", "supervision", "system (internal", "audit)"]
    assert _pieces("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert [p.rstrip() for p in _pieces("24小时热线 service", 8)] == ["24小时热", "线", "service"]


def _pieces(line: str, width: int) -> list[str]:
    cuts = [0, *line_breaks(line, width), len(line)]
    return [line[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]


def test_wrapped_text_keeps_a_hanging_indent_in_field_views():
    detail = {
        "id": 22, "ref": "G3", "level": "grassroots", "seq": 3, "text": SAMPLE, "title": None,
        "owner": None, "partners": [], "due": "2018-12-31", "status": "todo", "progress": None,
        "tags": ["funding"], "related": [], "history": [], "related_tasks": [], "voices": [],
    }
    out = render(record(detail, "text", task_view), width=50)
    lines = out.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("Text")))
    body = lines[start:start + 4]
    assert body[0].startswith("Text      建立")
    assert all(line.startswith(" " * 10) and line[10] != " " for line in body[1:])
    assert all(cells(line) <= 50 for line in lines)
    assert all(line == line.rstrip() for line in lines)


# ---------------------------------------------------------------------------------------------
# Terminal listings

RECORDS = [
    {"id": 1, "ref": "D1", "level": "district", "status": "done", "progress": 100,
     "due": "2018-12-31", "text": "建立区级职工事务经费保障联席会议制度。"},
    {"id": 22, "ref": "G3", "level": "grassroots", "status": "in-progress", "progress": None,
     "due": None, "text": SAMPLE},
    {"id": 3, "ref": "F1", "level": "federation", "status": "todo", "progress": 5,
     "due": "2018-06-30", "text": "Mixed 中文 and English text, [bold]literal[/]."},
]


@pytest.mark.parametrize("width", [80, 100, 140])
def test_untrimmed_terminal_table_rows_are_all_the_same_width(width):
    out = render(rich_table(TASK_COLUMNS, RECORDS), width=width)
    widths = {cells(line) for line in out.splitlines()}
    assert len(widths) == 1, out
    assert widths.pop() <= width


@pytest.mark.parametrize("width", [40, 60, 80, 100, 140])
def test_printed_listing_fits_keeps_every_value_and_has_no_trailing_spaces(width):
    out = render(listing(RECORDS, TASK_COLUMNS, "table"), width=width)
    lines = out.splitlines()
    assert all(cells(line) <= width for line in lines), out
    assert all(line == line.rstrip() for line in lines)
    flat = re.sub(r"\s", "", out)
    for rec in RECORDS:
        assert re.sub(r"\s", "", rec["text"]) in _task_column_text(out)
        assert rec["ref"] in flat and rec["status"] in flat
        assert rec["due"] is None or rec["due"] in out  # never cut (2018-12-3)


def _task_column_text(out: str) -> str:
    """The Task column read back: in a table, from its column; stacked, from indented lines."""
    lines = out.splitlines()
    header = lines[0]
    if header.rstrip().endswith("Task"):  # a table: slice every line at the column's cell offset
        offset = cells(header[:header.index("Task")])
        pieces = [_from_cell(line, offset) for line in lines[2:]]
    elif lines[1].startswith("Ref "):  # label / value lines: the Task line and those under it
        pieces, inside = [], False
        for line in lines:
            if line.startswith("Task "):
                inside = True
                pieces.append(line[len("Task"):])
            elif inside and line.startswith(" "):
                pieces.append(line)
            else:
                inside = False
    else:  # stacked: the task is on the indented lines under each record
        pieces = [line[4:] for line in lines[3:] if line.startswith("    ")]
    return re.sub(r"\s", "", "".join(pieces))


def _from_cell(line: str, offset: int) -> str:
    used = 0
    for i, ch in enumerate(line):
        if used >= offset:
            return line[i:]
        used += max(wcswidth(ch), 0)
    return ""


def test_task_column_starts_at_one_offset_on_every_line():
    out = render(listing(RECORDS, TASK_COLUMNS, "table"), width=100)
    lines = out.splitlines()
    offset = cells(lines[0][:lines[0].index("Task")])
    for line in lines[2:]:
        head = line[:len(line) - len(_from_cell(line, offset))]
        assert cells(head) == offset and (not head.strip() or head.endswith("  ")), line


def test_narrow_terminal_stacks_records_instead_of_crushing_the_task():
    out = render(listing(RECORDS, TASK_COLUMNS, "table"), width=60)
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "Ref", "Level", "Status", "Progress", "Due"]
    assert lines[1].strip() == "Task"
    assert lines[3].split() == ["1", "D1", "district", "done", "100%", "2018-12-31"]
    assert lines[4] == "    建立区级职工事务经费保障联席会议制度。"


def test_a_terminal_too_narrow_for_the_short_fields_shows_label_and_value_lines():
    out = render(listing(RECORDS, TASK_COLUMNS, "table"), width=40)
    lines = out.splitlines()
    assert lines[:7] == ["ID        1", "Ref       D1", "Level     district", "Status    done",
                         "Progress  100%", "Due       2018-12-31",
                         "Task      建立区级职工事务经费保障联席会"]
    assert lines[7:10] == ["          议制度。", "", "ID        22"] and "Due       —" in lines


def test_no_closing_punctuation_starts_a_wrapped_line_in_a_table():
    for width in range(60, 120, 3):
        out = render(listing(RECORDS, TASK_COLUMNS, "table"), width=width)
        lines = out.splitlines()
        if lines[0].rstrip().endswith("Task"):
            offset = cells(lines[0][:lines[0].index("Task")])
            starts = [_from_cell(line, offset)[:1] for line in lines[2:]]
        else:
            starts = [line[4:5] for line in lines if line.startswith("    ")]
        assert not any(s and s in CLOSING for s in starts), out


def test_colour_only_when_the_console_allows_it():
    records = [dict(RECORDS[0], status="blocked")]
    assert ANSI.search(render(listing(records, TASK_COLUMNS, "table"), color=True))
    assert not ANSI.search(render(listing(records, TASK_COLUMNS, "table"), color=False))


def test_listing_formats_and_columns():
    columns = (Column("N", lambda r: f"{r['n']}%", justify="right", export=lambda r: r["n"]),
               Column("Only in CSV", lambda r: r["x"], table=False))
    records = [{"n": 40, "x": "=1"}]
    assert listing(records, columns, "csv") == "N,Only in CSV\n40,'=1\n"
    assert md_rows(listing(records, columns, "markdown")) == [["N"], ["40%"]]
    assert json.loads(listing(records, columns, "json")) == records
    assert yaml.safe_load(listing(records, columns, "yaml")) == records
    assert render(listing(records, columns, "table")).splitlines()[2] == "40%"
    with pytest.raises(ValueError):
        listing(records, columns, "html")
