"""The report as one document (issue 15): the tree, the text report at every width, links that
stay links, moves with direction and days, dates kept whole, and the Word document in the layout
of official documents (checked in its XML and, where LibreOffice is installed, converted to PDF).
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import DATA, FIXTURES, assert_golden, run_cli
from reformctl import i18n

GOLDEN = Path(__file__).resolve().parent / "golden" / "report"
AS_OF = "2018-06-30"
URLS = ["https://example.org/a_b_(c)/d?x=1&y=2", "https://example.org/q?a=1|2",
        "https://example.org/notes_2018(1).html", "https://example.org/x_y"]
NOTE = f"见 {URLS[2]}。另见({URLS[3]})."


def ok(*args: str) -> str:
    result = run_cli(*args)
    assert result.code == 0, result.stderr
    return result.stdout


def report_data(data: Path | str, as_of: str = AS_OF, *args: str) -> dict:
    return json.loads(ok("report", "--format", "json", "--as-of", as_of, "--data", str(data),
                         *args))


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """The fixture ledger with evidence and a note that hold addresses (``_ ( ) | &`` in them)."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "report", target)
    ok("update", "1", "--evidence", URLS[0], "--evidence", URLS[1], "--evidence", "纸质材料",
       "--note", NOTE, "--by", "测试", "--at", "2018-06-20T10:00:00+08:00", "--data",
       str(target))
    return target


# --- the tree --------------------------------------------------------------------------------


def tree_dump(document) -> str:
    """The document tree as text: every section, block, column kind and cell."""
    from reformctl.render.document import Chart, Fields, LineChart, Para, Section, Table

    lines = [f"document {document.title!r} lang={document.lang} as_of={document.as_of}"]
    lines += [f"  head {label}: {cell.kind} {cell.text!r}" for label, cell in document.head.rows]

    def walk(blocks, depth: int) -> None:
        pad = "  " * depth
        for block in blocks:
            if isinstance(block, Section):
                lines.append(f"{pad}section/{block.level} {block.title!r}")
                walk(block.blocks, depth + 1)
            elif isinstance(block, Para):
                lines.append(f"{pad}para[{block.tone}] {block.text!r}")
            elif isinstance(block, Fields):
                lines.extend(f"{pad}field {label}: {cell.text!r}" for label, cell in block.rows)
            elif isinstance(block, Chart):
                lines.append(f"{pad}chart {block.title!r}: " + ", ".join(
                    f"{b.label} {b.completion.text}" for b in block.bars))
            elif isinstance(block, LineChart):
                lines.append(f"{pad}linechart {block.title!r} over {block.table}: "
                             f"{len(block.dates)} dates")
                lines.extend(f"{pad}  series {s.key}{' (total)' if s.total else ''} "
                             f"{s.label!r}: " + " ".join("—" if v is None else f"{v:g}"
                                                        for v in s.values)
                             for s in block.series)
            elif isinstance(block, Table):
                lines.append(f"{pad}table {block.name}: " + ", ".join(
                    f"{c.key}:{c.kind}{'~' if c.wrap else ''}" for c in block.columns))
                for row in block.rows:
                    lines.append(f"{pad}  " + " | ".join(c.text for c in row.cells))

    walk(document.sections, 1)
    return "\n".join(lines) + "\n"


def test_golden_document_tree():
    from reformctl.render.report import build_document

    data = report_data(FIXTURES / "report")
    data["source"] = {"ledger": "report", "origin": "--data"}
    assert_golden(GOLDEN / "fixture-tree.txt", tree_dump(build_document(data)))


def test_every_format_draws_the_same_tasks():
    """One builder: the tasks of "every task" are the same in every format that shows them."""
    from reformctl.render.report import render_report

    data = report_data(FIXTURES / "report")
    refs = [t["ref"] for g in data["tasks"] for t in g["tasks"]]
    for fmt in ("text", "markdown", "html", "csv"):
        out = str(render_report(data, fmt))
        assert all(ref in out for ref in refs), fmt


# --- the text report fits the terminal ---------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("data", [FIXTURES / "report", FIXTURES / "hostile", DATA])
@pytest.mark.parametrize("width", [40, 50, 80, 120])
def test_text_report_fits_the_terminal(data, width, lang):
    from rich.cells import cell_len

    from reformctl.render.report import terminal_view
    from reformctl.render.report_text import text_to_string

    figures = report_data(data, AS_OF, "--since", "2018-01-01")
    i18n.use(lang)
    try:
        view, drawn = terminal_view(figures, lang, width)
        shown = text_to_string(view, drawn)
    finally:
        i18n.use("en")
    assert drawn == width
    too_wide = [line for line in shown.split("\n") if cell_len(line) > width]
    assert not too_wide, too_wide[:3]
    # nothing is cut: every task's text is there whole once the wrapping is undone
    joined = re.sub(r"\s+", "", shown)
    for group in figures["tasks"]:
        for task in group["tasks"]:
            if "\x1b" not in task["text"] and "\\" not in task["text"]:
                assert re.sub(r"\s+", "", task["text"]) in joined, task["ref"]


def test_text_report_on_a_40_column_terminal_through_the_command(monkeypatch):
    from reformctl.cli import report as report_cli

    monkeypatch.setattr(report_cli, "stdout_is_terminal", lambda: True)
    result = run_cli("report", "--as-of", AS_OF, "--data", str(FIXTURES / "report"),
                     env={"COLUMNS": "40"})
    assert result.code == 0, result.stderr
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    widths = [len(line) + sum(1 for ch in line if ord(ch) > 0x2e80) for line in
              plain.split("\n")]
    assert max(widths) <= 40
    assert "经费审查委员会中财务" in plain


# --- markdown: links stay links ---------------------------------------------------------------


def test_markdown_keeps_every_address_intact_in_a_gfm_renderer(linked):
    import cmarkgfm

    for lang in ("zh", "en"):
        source = ok("report", "--format", "markdown", "--as-of", AS_OF, "--data", str(linked),
                    "--lang", lang)
        assert "\\_" not in "".join(re.findall(r"<https?://[^>]*>", source))
        rendered = cmarkgfm.github_flavored_markdown_to_html(source)
        links = [(unquote(html.unescape(href)), html.unescape(text)) for href, text in
                 re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', rendered)]
        # each address is its own link, its text and its target the address exactly
        assert sorted(set(links)) == sorted((u, u) for u in URLS), links
        assert "%5C" not in rendered and "\\" not in "".join(t for _, t in links)


def test_html_and_docx_link_the_addresses(linked):
    page = ok("report", "--format", "html", "--as-of", AS_OF, "--data", str(linked))
    hrefs = {html.unescape(h) for h in re.findall(r'<a href="([^"]*)"', page)}
    assert hrefs == set(URLS)
    out = run_cli("report", "--format", "docx", "--as-of", AS_OF, "--data", str(linked),
                  "--output", str(linked.parent / "r.docx"))
    assert out.code == 0, out.stderr
    import docx

    doc = docx.Document(str(linked.parent / "r.docx"))
    addresses = {h.address for t in doc.tables for row in t.rows for c in row.cells
                 for p in c.paragraphs for h in p.hyperlinks}
    assert addresses == set(URLS)


# --- moved deadlines --------------------------------------------------------------------------


def test_a_move_shows_its_direction_and_days(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "report", target)
    ok("update", "9", "--due", "2018-11-20", "--by", "测试", "--at",
       "2018-06-21T09:00:00+08:00", "--data", str(target))  # 2018-12-31 -> 41 days earlier
    zh = ok("report", "--format", "markdown", "--as-of", AS_OF, "--data", str(target),
            "--lang", "zh")
    en = ok("report", "--format", "markdown", "--as-of", AS_OF, "--data", str(target))
    assert "2018-12-31 → 2018-11-20，提前41天" in zh and "推迟122天" in zh
    assert "2018-12-31 → 2018-11-20, 41 days earlier" in en and "122 days later" in en


# --- HTML -------------------------------------------------------------------------------------


def test_html_keeps_dates_whole_and_numbers_printed_pages():
    page = ok("report", "--format", "html", "--as-of", AS_OF, "--data", str(FIXTURES / "report"))
    style = page[page.index("<style>"):page.index("</style>")]
    assert re.search(r"td\.date[^{]*\{[^}]*white-space: nowrap", style)
    assert 'counter(page)' in style and "@bottom-center" in style
    # every date in a table cell is in a cell that does not wrap
    for cell in re.findall(r"<td([^>]*)>(\d{4}-\d\d-\d\d)</td>", page):
        assert "date" in cell[0], cell


# --- xlsx -------------------------------------------------------------------------------------


def test_xlsx_dates_are_date_cells(tmp_path):
    from datetime import datetime

    from openpyxl import load_workbook

    target = tmp_path / "r.xlsx"
    out = run_cli("report", "--format", "xlsx", "--as-of", AS_OF, "--lang", "zh", "--data",
                  str(FIXTURES / "report"), "--output", str(target))
    assert out.code == 0, out.stderr
    summary, printed, ledger, _trend, _period = load_workbook(target).worksheets
    head = {row[0].value: row[1] for row in summary.iter_rows(min_row=2, max_row=9)}
    for label in ("截至", "方案批准日期", "近期动态起始"):
        assert isinstance(head[label].value, datetime) and head[label].is_date, label
    assert head["截至"].value == datetime(2018, 6, 30)
    dues = [row[4] for row in printed.iter_rows(min_row=2)]
    assert dues and all(c.value is None or c.is_date for c in dues)


# --- docx -------------------------------------------------------------------------------------


def docx_bytes(tmp_path: Path, *args: str, lang: str = "zh", data: Path | None = None) -> bytes:
    target = tmp_path / f"report-{lang}.docx"
    out = run_cli("report", "--format", "docx", "--as-of", AS_OF, "--lang", lang,
                  "--data", str(data or FIXTURES / "report"), "--output", str(target), *args)
    assert out.code == 0, out.stderr
    return target.read_bytes()


def test_docx_is_byte_identical_with_fixed_stamps(tmp_path):
    first = docx_bytes(tmp_path)
    second = docx_bytes(tmp_path)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2018, 6, 30, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2018-06-30T00:00:00Z" in core and "测试区总工会" in core


def test_docx_layout_of_official_documents(tmp_path):
    import docx
    from docx.oxml.ns import qn

    data = docx_bytes(tmp_path)
    doc = docx.Document(io.BytesIO(data))
    first = doc.sections[0]
    mm = 36000
    assert (round(first.page_width / mm), round(first.page_height / mm)) == (210, 297)
    assert [round(m / mm) for m in (first.top_margin, first.bottom_margin, first.left_margin,
                                    first.right_margin)] == [37, 35, 28, 26]
    assert any(s.orientation.name == "LANDSCAPE" for s in doc.sections)

    def east_asian(style: str) -> str:
        return doc.styles[style].element.rPr.rFonts.get(qn("w:eastAsia"))

    assert east_asian("Report Title") == "方正小标宋简体"
    assert doc.styles["Report Title"].font.size.pt == 22
    assert east_asian("Normal") == "仿宋_GB2312" and doc.styles["Normal"].font.size.pt == 16
    assert east_asian("Heading 1") == "黑体" and east_asian("Heading 2") == "楷体_GB2312"
    assert doc.paragraphs[0].style.name == "Report Title"
    # every table with a header row repeats it on every page
    data_tables = [t for t in doc.tables if len(t.columns) != 3]
    assert data_tables and all(
        t.rows[0]._tr.trPr is not None and t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        for t in data_tables)
    # page numbers "— 1 —" at the outside edge: odd right, even left
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = first.footer.paragraphs[0], first.even_page_footer.paragraphs[0]
    assert (odd.alignment.name, even.alignment.name) == ("RIGHT", "LEFT")
    for p in (odd, even):
        assert p.text == "— 1 —"
        assert [t.text for t in p._p.iter(qn("w:instrText"))] == [" PAGE "]


def test_docx_in_english(tmp_path):
    import docx

    doc = docx.Document(io.BytesIO(docx_bytes(tmp_path, lang="en")))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "1. Completion"
    assert doc.core_properties.language == "en-US"


def test_docx_to_a_terminal_is_a_usage_error(monkeypatch):
    from reformctl.cli import report as report_cli

    monkeypatch.setattr(report_cli, "stdout_is_terminal", lambda: True)
    result = run_cli("report", "--format", "docx", "--data", str(FIXTURES / "report"))
    assert result.code == 2
    assert "docx document is binary" in result.stderr and "--output" in result.stderr


def test_docx_without_python_docx_says_how_to_install(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "docx", None)
    result = run_cli("report", "--format", "docx", "--data", str(FIXTURES / "report"),
                     "--output", str(tmp_path / "x.docx"))
    assert result.code == 1
    assert "python-docx" in result.stderr and "reformctl[office]" in result.stderr
    assert not (tmp_path / "x.docx").exists()


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_docx_converts_to_pdf_with_libreoffice(tmp_path, lang):
    source = tmp_path / f"report-{lang}.docx"
    source.write_bytes(docx_bytes(tmp_path, lang=lang, data=DATA))
    profile = tmp_path / "lo-profile"
    run = subprocess.run(
        [_soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=240)
    pdf = tmp_path / f"report-{lang}.pdf"
    if not pdf.exists() and "could not be loaded" in run.stdout + run.stderr:
        pytest.skip("LibreOffice is installed without Writer (it cannot open a .docx)")
    assert pdf.exists(), run.stdout + run.stderr
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", content))
    assert pages >= 4, pages  # title and totals, the tables, landscape sections
