"""`reformctl report` through the real CLI: golden files for every format and language, valid
markdown tables, a self-contained and escaped HTML file, an xlsx that holds the JSON's figures,
byte-identical output, and the command's options and errors."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, assert_golden, run_cli
from reformctl.cli import report as report_cli

GOLDEN = Path(__file__).resolve().parent / "golden" / "report"
AS_OF = "2018-06-30"
FORMATS = ("text", "markdown", "html", "json", "csv", "xlsx", "docx")
EXT = {"text": "txt", "markdown": "md", "html": "html", "json": "json", "csv": "csv",
       "xlsx": "xlsx.txt", "docx": "docx.txt"}
# The hostile fixture's strings that must come out as text, never as markup or code.
HOSTILE = ["<script>alert(1)</script>", "<b>粗体</b>", "[bold red]x[/]", "=SUM(A1)",
           "<img src=x onerror=alert(1)>", "<i>x</i>", '=HYPERLINK("http://evil")']


@pytest.fixture
def fixtures(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work from tests/fixtures so that `--data report` is shown as `report` on any machine."""
    monkeypatch.chdir(FIXTURES)
    monkeypatch.delenv("REFORMCTL_DATA", raising=False)
    return FIXTURES


def report(*args: str, data: str | None = None, fmt: str = "text", lang: str = "zh",
           as_of: str = AS_OF, env: dict[str, str] | None = None) -> bytes:
    """The report's bytes (stdout), failing the test on a non-zero exit."""
    argv = ["report", "--format", fmt, "--as-of", as_of, "--lang", lang, *args]
    if data:
        argv += ["--data", data]
    from typer.testing import CliRunner

    from reformctl.cli import app

    result = CliRunner().invoke(app, argv, env={"NO_COLOR": "1", "COLUMNS": "100", **(env or {})},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def as_text(fmt: str, output: bytes) -> str:
    if fmt == "xlsx":
        return xlsx_dump(output)
    if fmt == "docx":
        return docx_dump(output)
    return output.decode("utf-8")


def xlsx_dump(data: bytes) -> str:
    """Everything a reader sees in a workbook, as reviewable text (the xlsx golden)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    props = wb.properties
    lines = [f"properties: creator={props.creator} created={props.created} "
             f"modified={props.modified}"]
    for ws in wb.worksheets:
        merged = sorted(map(str, ws.merged_cells.ranges))
        lines.append(f"[{ws.title}] dimensions={ws.dimensions} freeze={ws.freeze_panes} "
                     f"filter={ws.auto_filter.ref} merged={merged}")
        lines.append("widths: " + " ".join(
            f"{k}={v.width:g}" for k, v in sorted(ws.column_dimensions.items())))
        lines.append("heights: " + " ".join(
            f"{k}={v.height:g}" for k, v in sorted(ws.row_dimensions.items()) if v.height))
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    wrap = " wrap" if cell.alignment.wrap_text else ""
                    lines.append(f"{cell.coordinate} {cell.data_type}{wrap} {cell.value!r}")
        for chart in ws._charts:  # the trend's native line chart: its kind and series
            lines.append(f"chart {chart.tagname} at {chart.anchor._from.col},"
                         f"{chart.anchor._from.row}: " + "; ".join(
                             f"{s.tx.strRef.f} = {s.val.numRef.f} over {s.cat.numRef.f}"
                             for s in chart.series))
    return "\n".join(lines) + "\n"


def docx_dump(data: bytes) -> str:
    """A Word document as reviewable text (the docx golden): properties, the styles' fonts,
    every paragraph with its style, every table (widths, repeated header, rows), every section
    (page, orientation, margins) where it ends, and the footers."""
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(io.BytesIO(data))
    props = doc.core_properties
    lines = [f"properties: title={props.title!r} subject={props.subject!r} "
             f"author={props.author!r} keywords={props.keywords!r} language={props.language!r} "
             f"created={props.created} modified={props.modified} revision={props.revision}"]
    even_odd = doc.settings.odd_and_even_pages_header_footer
    lines.append(f"settings: different odd and even pages={even_odd}")
    for name in ("Normal", "Report Title", "Report Body", "Heading 1", "Heading 2", "Table Text",
                 "Table Heading", "Page Number"):
        style = doc.styles[name]
        fonts = style.element.rPr.rFonts if style.element.rPr is not None else None
        east = fonts.get(qn("w:eastAsia")) if fonts is not None else None
        latin = fonts.get(qn("w:ascii")) if fonts is not None else None
        size = style.font.size.pt if style.font.size else None
        lines.append(f"style {name}: eastAsia={east} ascii={latin} size={size} "
                     f"bold={style.font.bold}")

    def mm(value: int) -> str:
        return f"{value / 36000:.0f}"

    def section_line(section) -> str:
        return (f"=== section: {section.orientation.name.lower()} "
                f"{mm(section.page_width)}x{mm(section.page_height)} mm, margins top "
                f"{mm(section.top_margin)} bottom {mm(section.bottom_margin)} left "
                f"{mm(section.left_margin)} right {mm(section.right_margin)}")

    sections = iter(doc.sections)
    tables = iter(doc.tables)
    paragraphs = iter(doc.paragraphs)
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            p = next(paragraphs)
            links = [h.address for h in p.hyperlinks]
            extra = f"  links={links}" if links else ""
            lines.append(f"[{p.style.name}] {p.text}{extra}")
            if child.pPr is not None and child.pPr.sectPr is not None:
                lines.append(section_line(next(sections)))
        elif child.tag == qn("w:tbl"):
            table = next(tables)
            trpr = table.rows[0]._tr.trPr
            repeat = trpr is not None and trpr.find(qn("w:tblHeader")) is not None
            widths = " ".join(mm(c.width) for c in table.columns)
            lines.append(f"table {len(table.rows)}x{len(table.columns)} widths(mm)={widths} "
                         f"header repeated={repeat}")
            for row in table.rows:
                lines.append("| " + " | ".join(c.text.replace("\n", "⏎") for c in row.cells)
                             + " |")
        elif child.tag == qn("w:sectPr"):
            lines.append(section_line(next(sections)))
    first = doc.sections[0]
    for name, footer in (("odd", first.footer), ("even", first.even_page_footer)):
        p = footer.paragraphs[0]
        fields = [t.text for t in p._p.iter(qn("w:instrText"))]
        lines.append(f"footer {name}: {p.text!r} fields={fields} align={p.alignment.name} "
                     f"style={p.style.name}")
    return "\n".join(lines) + "\n"


# --- golden files ----------------------------------------------------------------------------


# JSON has no labels: one golden per ledger (test_json_is_the_same_in_both_languages)
FORMATS_AND_LANGS = [(fmt, lang) for fmt in FORMATS for lang in ("zh", "en")
                     if not (fmt == "json" and lang == "en")]


@pytest.mark.parametrize("fmt,lang", FORMATS_AND_LANGS)
def test_golden_shipped_ledger(ledger, fmt, lang):
    out = report(fmt=fmt, lang=lang)
    suffix = "" if fmt == "json" else f"-{lang}"
    assert_golden(GOLDEN / f"shipped{suffix}.{EXT[fmt]}", as_text(fmt, out))


@pytest.mark.parametrize("fmt,lang", FORMATS_AND_LANGS)
def test_golden_fixture_ledger(fixtures, fmt, lang):
    out = report(data="report", fmt=fmt, lang=lang)
    suffix = "" if fmt == "json" else f"-{lang}"
    assert_golden(GOLDEN / f"fixture{suffix}.{EXT[fmt]}", as_text(fmt, out))


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_hostile_ledger(fixtures, fmt):
    out = report("--since", "2018-01-01", data="hostile", fmt=fmt, lang="zh")
    assert_golden(GOLDEN / f"hostile.{EXT[fmt]}", as_text(fmt, out))


def test_golden_one_level(fixtures):
    out = report("--level", "区总工会", data="report", fmt="markdown", lang="zh")
    assert_golden(GOLDEN / "fixture-federation-zh.md", out.decode())


def test_json_is_the_same_in_both_languages(fixtures):
    assert report(data="report", fmt="json", lang="zh") == report(data="report", fmt="json",
                                                                   lang="en")


# --- byte-identical --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_ledger_and_as_of_give_identical_bytes(fixtures, fmt):
    first = report(data="report", fmt=fmt)
    second = report(data="report", fmt=fmt)
    assert first == second and first


def test_output_does_not_depend_on_terminal_width_or_timezone(fixtures):
    for fmt in ("text", "markdown", "html", "json"):
        base = report(data="report", fmt=fmt)
        other = report(data="report", fmt=fmt, env={"COLUMNS": "60", "TZ": "America/New_York"})
        assert base == other, fmt


def test_xlsx_has_fixed_timestamps(fixtures):
    data = report(data="report", fmt="xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2018, 6, 30, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2018-06-30T00:00:00Z" in core and core.count("2018-06-30T00:00:00Z") == 2


# --- markdown --------------------------------------------------------------------------------


def markdown_tables(source: str) -> list[list[int]]:
    """Cells per row of every table (header row first), parsed by a real markdown parser."""
    from markdown_it import MarkdownIt

    tables: list[list[int]] = []
    for token in MarkdownIt("commonmark").enable("table").parse(source):
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append(0)
        elif token.type in ("th_open", "td_open"):
            tables[-1][-1] += 1
    return tables


@pytest.mark.parametrize("data,lang,count", [
    # totals, chart, trend, overdue, moved, 3 levels, the period (its totals, counts, 7 kinds
    # of change, activity), 2 statements (of 3), unaddressed, related
    ("report", "zh", 22), ("report", "en", 22),
    # totals, chart, trend, 3 levels, the period (totals, counts, 3 kinds, activity),
    # 1 statement, unaddressed, related
    ("hostile", "zh", 14), ("hostile", "en", 14),
    # totals, chart, trend, 3 levels, the period (totals, counts, no change), 6 statements,
    # unaddressed, related (no overdue, moves, activity)
    ("../../data", "zh", 16),
])
def test_markdown_tables_are_valid(fixtures, data, lang, count):
    source = report("--since", "2018-01-01", data=data, fmt="markdown", lang=lang).decode()
    tables = markdown_tables(source)
    assert len(tables) == count
    for rows in tables:
        assert len(rows) >= 2
        assert set(rows) == {rows[0]}, rows  # every row has the header's number of cells
    # the source has exactly as many table blocks as the parser found: nothing fell apart
    assert source.count("\n|-") + source.count("\n|:") == count
    # every emphasis we write is closed (a label like "**As of: **" would show its stars)
    from markdown_it import MarkdownIt

    assert "**" not in MarkdownIt("commonmark").enable("table").render(source)


def test_markdown_shows_hostile_text_literally(fixtures):
    from markdown_it import MarkdownIt

    source = report("--since", "2018-01-01", data="hostile", fmt="markdown").decode()
    rendered = MarkdownIt("commonmark").enable("table").render(source)
    for tag in ("<script", "<b>", "<img", "<i>", "<em>", "<code>", "<a "):
        assert tag not in rendered, tag
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "[bold red]x[/]" in rendered and "*制度*_完_ `code`" in rendered
    assert "\x1b" not in source and "\u202e" not in source and "\\x1b" in rendered


def test_markdown_wide_characters_line_up(fixtures):
    from wcwidth import wcswidth

    source = report(data="report", fmt="markdown").decode()
    block: list[str] = []
    for line in [*source.splitlines(), ""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if block:
            assert len({wcswidth(row) for row in block}) == 1, block
            block = []


# --- html ------------------------------------------------------------------------------------


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
        else:
            self.text.append(data)


def parse_html(source: str) -> _Html:
    parser = _Html()
    parser.feed(source)
    parser.close()
    return parser


@pytest.mark.parametrize("data", ["report", "hostile", "../../data"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_is_self_contained(fixtures, data, lang):
    source = report("--since", "2018-01-01", data=data, fmt="html", lang=lang).decode()
    page = parse_html(source)
    names = [tag for tag, _ in page.tags]
    assert names[:2] == ["html", "head"]
    assert page.tags[0][1]["lang"] == ("zh-CN" if lang == "zh" else "en")
    assert "script" not in names and "link" not in names and "iframe" not in names
    assert "img" not in names and "object" not in names and "embed" not in names
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("src", "href", "srcset", "action", "data", "poster", "xlink:href"):
                raise AssertionError(f"<{tag} {name}={value!r}> refers to a resource")
            if value and name == "xmlns":
                assert value == "http://www.w3.org/2000/svg"  # a namespace name, never fetched
            elif value:
                assert "://" not in value and not value.startswith("//"), (tag, name, value)
    assert "url(" not in page.style and "@import" not in page.style
    assert "@page" in page.style and "size: A4" in page.style and "@media print" in page.style
    svg = [attrs for tag, attrs in page.tags if tag == "svg"]
    # the status chart and the trend's line chart
    assert len(svg) == 2 and all(s["role"] == "img" for s in svg)
    assert sum(1 for tag, _ in page.tags if tag == "rect") >= 5 + 4  # legend + a bar per row


def test_html_escapes_hostile_text(fixtures):
    source = report("--since", "2018-01-01", data="hostile", fmt="html").decode()
    page = parse_html(source)
    shown = "".join(page.text)
    for needle in HOSTILE:
        if needle.startswith("=HYPERLINK"):  # the title (English gloss) is not in the HTML
            assert needle not in source
            continue
        assert needle in shown, needle  # shown literally, as text
    names = {tag for tag, _ in page.tags}
    assert not names & {"script", "b", "i", "img"}
    assert "\x1b" not in source and "\x9b" not in source and "\u202e" not in source
    assert "\\x1b[31m" in shown and "\\u202e" in shown
    assert "&lt;script&gt;" in source and "&amp;amp;" in source  # "&amp;" in the data


# --- csv -------------------------------------------------------------------------------------


def test_csv_one_row_per_task_and_formula_safe(fixtures):
    rows = list(csv.reader(io.StringIO(report("--since", "2018-01-01", data="hostile",
                                              fmt="csv", lang="en").decode())))
    header, body = rows[0], rows[1:]
    assert header[:8] == ["ID", "Ref", "Level", "No.", "Status", "Progress", "Due", "Overdue"]
    assert len(body) == 3 and {len(r) for r in rows} == {len(header)}
    for row in body:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@")), value
    first = dict(zip(header, body[0], strict=True))
    assert first["Owner"] == "'@区总工会|<script>alert(1)</script>"
    assert first["Title"] == "'=HYPERLINK(\"http://evil\")"
    assert first["Tags"] == "'-cmd; +1; [red]"


def test_csv_states_are_as_of(fixtures):
    rows = list(csv.DictReader(io.StringIO(report(data="report", fmt="csv", lang="en").decode())))
    f3 = next(r for r in rows if r["Ref"] == "F3")
    assert (f3["Status"], f3["Level"], f3["Progress"]) == ("in-progress", "federation", "60")
    g2 = next(r for r in rows if r["Ref"] == "G2")
    assert (g2["Due"], g2["Overdue"], g2["Days overdue"]) == ("2018-06-01", "yes", "29")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_csv_status_and_level_are_the_files_values_as_in_list(ledger, lang):
    """The issue: the report's CSV used labels ("to do", "Grassroots") where `list --format csv`
    uses the files' values. Both hold the files' values now, in either language."""
    rows = list(csv.reader(io.StringIO(report(fmt="csv", lang=lang).decode())))
    listed = list(csv.DictReader(io.StringIO(run_cli("list", "--format", "csv").stdout)))
    by_ref = {r["Ref"]: r for r in listed}
    for row in rows[1:]:
        ref, level, status = row[1], row[2], row[4]
        assert (level, status) == (by_ref[ref]["Level"], by_ref[ref]["Status"])


# --- xlsx ------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", ["report", "../../data"])
def test_xlsx_holds_the_json_figures(fixtures, data):
    from openpyxl import load_workbook

    figures = json.loads(report(data=data, fmt="json"))
    wb = load_workbook(io.BytesIO(report(data=data, fmt="xlsx", lang="en")))
    summary, printed, tasks, _trend, _period = wb.worksheets
    assert (summary.title, printed.title, tasks.title) == ("Summary", "Tasks", "All fields")

    rows = [[c.value for c in row] for row in summary.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[0] == "Level")
    header = rows[start]
    table = {r[0]: dict(zip(header, r, strict=True)) for r in rows[start + 1:] if r[0]}
    names = {"district": "District", "federation": "Federation", "grassroots": "Grassroots",
             None: "All levels"}
    for total in [*figures["totals"]["levels"], figures["totals"]["overall"]]:
        got = table[names[total["level"]]]
        assert got["Tasks"] == total["tasks"]
        assert [got[s] for s in ("to do", "in progress", "done", "blocked", "dropped")] == list(
            total["by_status"].values())
        assert got["Counted"] == total["counted"]
        assert got["Completion (%)"] == total["completion"]
        assert got["Avg. progress (%)"] == total["average_progress"]
        assert got["Overdue"] == total["overdue"]

    sheet = [[c.value for c in row] for row in tasks.iter_rows()]
    head, body = sheet[0], sheet[1:]
    expected = [t for group in figures["tasks"] for t in group["tasks"]]
    assert len(body) == len(expected)
    for row, task in zip(body, expected, strict=True):
        got = dict(zip(head, row, strict=True))
        assert (got["ID"], got["Ref"], got["No."]) == (task["id"], task["ref"], task["seq"])
        assert got["Progress"] == task["progress"]
        assert (got["Due"].date().isoformat() if got["Due"] else None) == task["due"]
        assert got["Days overdue"] == task["days_overdue"]
        assert got["Overdue"] == ("yes" if task["overdue"] else "no")
        assert got["Task"] == task["text"]
    assert tasks.freeze_panes == "A2"
    assert tasks.auto_filter.ref == f"A1:Q{len(body) + 1}"
    # the printed task sheet: the columns a meeting reads, the same tasks in the same order
    sheet = [[c.value for c in row] for row in printed.iter_rows()]
    assert sheet[0] == ["Ref", "Level", "Status", "Progress", "Due", "Days overdue", "Owner",
                        "Task", "Evidence"]
    assert [row[0] for row in sheet[1:]] == [t["ref"] for t in expected]
    # the summary's head: days are date cells
    head = {r[0]: r[1] for r in rows[1:start] if r[0]}
    assert head["As of"].date().isoformat() == figures["as_of"]
    assert head["Activity since"].date().isoformat() == figures["since"]


def test_xlsx_prints_legibly_on_a4(fixtures):
    """Every sheet is A4 landscape, fitted to the page's width; the printed task sheet is
    narrow enough that fitting it keeps the text at a readable size (issue 15: the 17-column
    sheet printed at about 5.5 pt)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(report(data="../../data", fmt="xlsx", lang="zh")))
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth == 1
    printed = wb.worksheets[1]
    chars = sum(printed.column_dimensions[c.column_letter].width for c in printed[1])
    # A4 landscape less 2 x 0.5 inch margins: 252 mm; an 11-point character is about 2 mm wide:
    # at 170 characters the sheet is fitted at >= 70 %, about 8 pt
    assert chars <= 170, chars


def test_xlsx_cells_are_data_never_formulas(fixtures):
    from openpyxl import load_workbook

    data = report("--since", "2018-01-01", data="hostile", fmt="xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode(), name
    tasks = load_workbook(io.BytesIO(data)).worksheets[2]
    values = {c.value: c.data_type for row in tasks.iter_rows() for c in row if c.value}
    assert values['=HYPERLINK("http://evil")'] == "s"
    assert values["@区总工会|<script>alert(1)</script>"] == "s"
    assert values["-cmd; +1; [red]"] == "s"


def test_xlsx_column_widths_fit_chinese_text(fixtures):
    from openpyxl import load_workbook

    tasks = load_workbook(io.BytesIO(report(data="report", fmt="xlsx"))).worksheets[2]
    widths = {tasks.cell(1, c).value: tasks.column_dimensions[tasks.cell(1, c).column_letter].width
              for c in range(1, tasks.max_column + 1)}
    assert widths["牵头单位"] >= 18  # 金融街街道总工会: 8 CJK characters, 16 columns
    assert widths["任务内容"] == 50  # capped: the text wraps
    assert tasks.cell(2, 11).alignment.wrap_text


def test_xlsx_without_openpyxl_says_how_to_install(fixtures, monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl -> ImportError
    target = tmp_path / "x.xlsx"
    result = run_cli("report", "--format", "xlsx", "--data", "report", "--as-of", AS_OF,
                     "--output", str(target))
    assert result.code == 1
    assert "pip install 'reformctl[xlsx]'" in result.stderr and "Traceback" not in result.stderr
    assert not target.exists() and os.listdir(tmp_path) == []


def test_xlsx_to_a_terminal_is_a_usage_error(fixtures, monkeypatch):
    monkeypatch.setattr(report_cli, "stdout_is_terminal", lambda: True)
    result = run_cli("report", "--format", "xlsx", "--data", "report")
    assert result.code == 2
    assert "--output" in result.stderr and result.stdout == ""


def test_xlsx_to_a_pipe_is_the_workbook(fixtures):
    assert report(data="report", fmt="xlsx")[:2] == b"PK"


# --- options ---------------------------------------------------------------------------------


def test_output_writes_atomically_and_says_where(ledger, tmp_path):
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    result = run_cli("report", "--format", "html", "--as-of", AS_OF, "--lang", "zh",
                     "--output", str(target))
    assert result.code == 0 and result.stdout == ""
    assert "report.html" in result.stderr
    assert target.read_bytes() == report(fmt="html")
    assert os.listdir(target.parent) == ["report.html"]  # no temporary file left behind
    target.chmod(0o640)
    again = run_cli("report", "--format", "html", "--as-of", AS_OF, "--output", str(target))
    assert again.code == 0 and stat.S_IMODE(target.stat().st_mode) == 0o640


def test_output_into_a_missing_directory_fails_cleanly(ledger, tmp_path):
    result = run_cli("report", "--output", str(tmp_path / "nope" / "r.md"), "-f", "markdown")
    assert result.code == 1
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("env,lang", [
    ({"LANG": "zh_CN.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}, "zh"),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}, "en"),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_TW.UTF-8", "LC_MESSAGES": ""}, "zh"),
    ({"LANG": "zh_CN.UTF-8", "LC_ALL": "", "LC_MESSAGES": "C"}, "en"),
    ({"LANG": "", "LC_ALL": "", "LC_MESSAGES": ""}, "en"),
])
def test_language_follows_the_locale(ledger, env, lang):
    result = run_cli("report", "--as-of", AS_OF, env=env)
    assert result.code == 0
    assert ("一、完成情况" in result.stdout) == (lang == "zh")
    assert ("1. Completion" in result.stdout) == (lang == "en")


def test_level_in_chinese_and_unknown_level(ledger):
    result = run_cli("report", "--as-of", AS_OF, "--level", "基层", "-f", "json")
    assert result.code == 0
    data = json.loads(result.stdout)
    assert data["level"] == "grassroots" and [g["level"] for g in data["tasks"]] == ["grassroots"]
    bad = run_cli("report", "--level", "省级")
    assert bad.code == 2 and "unknown level" in bad.stderr


@pytest.mark.parametrize("args,message", [
    (["--as-of", "2018-13-01"], "--as-of '2018-13-01' is not a real date"),
    (["--since", "yesterday"], "--since 'yesterday' is not a date"),
    (["--as-of", "2018-06-30", "--since", "2018-07-01"], "after --as-of"),
    (["--format", "pdf"], "pdf"),
    (["--lang", "fr"], "fr"),
])
def test_usage_errors(ledger, args, message):
    result = run_cli("report", *args)
    assert result.code == 2, result.stderr
    assert message in result.stderr


def test_broken_ledger_is_refused(ledger):
    (ledger / "tasks.yaml").write_text("plan: [\n", "utf-8")
    result = run_cli("report")
    assert result.code == 1 and "reformctl check" in result.stderr


def test_default_as_of_is_today(ledger):
    from datetime import date

    data = json.loads(run_cli("report", "-f", "json").stdout)
    assert data["as_of"] == date.today().isoformat()


def test_sample_ledger_source_is_machine_independent(outside):
    data = json.loads(run_cli("report", "-f", "json", "--as-of", AS_OF).stdout)
    assert data["source"] == {"ledger": "sample", "origin": "sample"}


def test_text_report_has_no_control_codes(fixtures):
    out = report("--since", "2018-01-01", data="hostile").decode()
    assert "\x1b" not in out and "\x9b" not in out and "\u202e" not in out
    assert "[bold red]x[/]" in out and "\\x1b[31m" in out and "\\u202e" in out


def test_help_has_examples():
    result = run_cli("report", "--help")
    assert result.code == 0
    assert "Examples:" in result.stdout and "reformctl report --format markdown" in result.stdout


def test_copy_of_fixture_report_via_environment(tmp_path, monkeypatch):
    shutil.copytree(FIXTURES / "report", tmp_path / "ledger")
    monkeypatch.chdir(tmp_path)
    result = run_cli("report", "-f", "json", "--as-of", AS_OF,
                     env={"REFORMCTL_DATA": "ledger"})
    assert json.loads(result.stdout)["source"] == {"ledger": "ledger",
                                                   "origin": "REFORMCTL_DATA"}


def test_command_offers_every_rendered_format():
    from typing import get_args

    from reformctl.render.formats import REPORT_FORMATS

    assert get_args(report_cli.ReportFormat) == REPORT_FORMATS == FORMATS


def test_output_into_a_named_pipe_writes_into_it(tmp_path):
    """--output never replaces what is not a regular file (a FIFO, /dev/stdout, a device)."""
    import os
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    try:
        result = run_cli("report", "--as-of", "2018-06-30", "--format", "json", "--output",
                         str(fifo), "--data", str(ROOT / "data"))
    finally:
        reader.join(timeout=20)
        if reader.is_alive():  # nothing was written: release the reader
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            reader.join(timeout=5)
    assert result.code == 0, result.stderr
    assert received and received[0].startswith(b"{")
    assert fifo.is_fifo()


def test_output_through_a_symlink_keeps_the_link(tmp_path):
    real = tmp_path / "real.md"
    real.write_text("old", "utf-8")
    link = tmp_path / "report.md"
    link.symlink_to(real)
    assert run_cli("report", "--as-of", "2018-06-30", "--format", "markdown", "--output",
                   str(link), "--data", str(ROOT / "data")).code == 0
    assert link.is_symlink() and real.read_text("utf-8").startswith("# ")


def test_output_to_a_directory_is_refused(tmp_path):
    result = run_cli("report", "--as-of", "2018-06-30", "--output", str(tmp_path),
                     "--data", str(ROOT / "data"))
    assert result.code in (1, 2) and "directory" in result.stderr
