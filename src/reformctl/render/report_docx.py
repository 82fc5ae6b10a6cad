"""The report as a Word document (python-docx, the ``docx`` extra): a writer of
:mod:`.document`, in the layout of Chinese official documents (党政机关公文格式, GB/T 9704).

- A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right.
- The title in 小标宋 (方正小标宋简体) at 二号 (22 pt), centred; the body in 仿宋 (仿宋_GB2312) at
  三号 (16 pt), 28.95 pt lines (22 lines to a page), first lines indented two characters;
  first-level headings in 黑体, second-level in 楷体 (楷体_GB2312), both 三号.
- Page numbers "— 1 —" at the bottom in 四号 宋体, at the outside edge: odd pages right, even
  pages left (different odd and even footers).
- Tables in 仿宋 at 五号 (10.5 pt) with a 黑体 header row repeated on every page
  (``w:tblHeader``); a first-level section holding a table that does not fit the portrait
  width (its short columns whole, each wrapping column at least ten characters) is a landscape
  section.
- Fonts are named for every script: ``w:eastAsia`` (what Word and WPS use for Chinese) as well
  as ``w:ascii``/``w:hAnsi``/``w:cs`` (Times New Roman), so that a machine with the official
  fonts uses them and one without falls back to its own Chinese fonts cleanly.
- Byte-identical for the same data and language: the archive's timestamps and the core
  properties (created, modified) are the as-of day, the title and subject come from the data.
"""

from __future__ import annotations

import io
from typing import Any

from ..errors import ReformctlError
from .document import Cell, Chart, Document, Fields, Para, Section, Table, spans

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
MM = 36000  # EMU per millimetre
A4 = (210, 297)
MARGINS = {"top": 37, "bottom": 35, "left": 28, "right": 26}  # portrait, millimetres
BODY_PT, TITLE_PT, TABLE_PT, PAGE_NUMBER_PT = 16, 22, 10.5, 14
LINE_PT = 28.95  # 22 lines on a page of 225 mm text height
CELL_MARGIN_TWIPS = 57  # 1 mm each side of a cell's text
CELL_PAD = 3 * MM  # both margins and a little room, EMU

STYLES = {  # name: (base, east-asian font, size, bold)
    "Report Title": (None, TITLE_FONT, TITLE_PT, False),
    "Table Text": ("Normal", BODY_FONT, TABLE_PT, False),
    "Table Heading": ("Normal", HEADING1_FONT, TABLE_PT, False),
    "Page Number": ("Normal", PAGE_NUMBER_FONT, PAGE_NUMBER_PT, False),
}


def write_docx(document: Document) -> bytes:
    try:
        import docx  # noqa: F401
    except ImportError:
        raise ReformctlError(
            "docx reports need python-docx, which is not installed",
            hint="pip install 'reformctl[office]'",
        ) from None
    return _Writer(document).write()


def set_fonts(rpr_owner: Any, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Name the font for every script on a style's or run's ``w:rPr`` (python-docx's
    ``font.name`` sets ascii and hAnsi only); theme fonts, which would win in some programs,
    are taken away."""
    from docx.oxml.ns import qn

    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


class _Writer:
    def __init__(self, document: Document) -> None:
        import docx

        self.source = document
        self.doc = docx.Document()
        self.landscape = False

    # set-up ----------------------------------------------------------------------------------

    def styles(self) -> None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
        from docx.oxml.ns import qn
        from docx.shared import Pt, RGBColor

        styles = self.doc.styles
        # document defaults: every run in the official fonts, the language named
        defaults = styles.element.find(qn("w:docDefaults"))
        rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = rpr_default.find(qn("w:rFonts"))
        for name in list(fonts.attrib):
            del fonts.attrib[name]
        for attr, value in (("w:ascii", LATIN_FONT), ("w:hAnsi", LATIN_FONT),
                            ("w:cs", LATIN_FONT), ("w:eastAsia", BODY_FONT)):
            fonts.set(qn(attr), value)
        lang = rpr_default.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:val"), "zh-CN" if self.source.lang == "zh" else "en-US")
            lang.set(qn("w:eastAsia"), "zh-CN")

        normal = styles["Normal"]
        set_fonts(normal.element, BODY_FONT)
        normal.font.size = Pt(BODY_PT)
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE_PT)
        fmt.space_before = fmt.space_after = Pt(0)

        for name, font in (("Heading 1", HEADING1_FONT), ("Heading 2", HEADING2_FONT)):
            style = styles[name]
            set_fonts(style.element, font)
            style.font.size = Pt(BODY_PT)
            style.font.bold = False
            style.font.italic = False
            style.font.color.rgb = RGBColor(0, 0, 0)
            pf = style.paragraph_format
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = Pt(LINE_PT)
            pf.space_before = pf.space_after = Pt(0)
            pf.first_line_indent = Pt(2 * BODY_PT)
            pf.keep_with_next = True

        for name, (base, font, size, bold) in STYLES.items():
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles[base] if base else styles["Normal"]
            set_fonts(style.element, font)
            style.font.size = Pt(size)
            style.font.bold = bold
            pf = style.paragraph_format
            pf.first_line_indent = Pt(0)
            pf.space_before = pf.space_after = Pt(0)
            if name == "Report Title":
                pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
                pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                pf.line_spacing = Pt(36)
                pf.space_after = Pt(LINE_PT)
            else:
                pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        body = styles.add_style("Report Body", WD_STYLE_TYPE.PARAGRAPH)
        body.base_style = styles["Normal"]
        body.paragraph_format.first_line_indent = Pt(2 * BODY_PT)

    def page(self, section: Any, landscape: bool) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.shared import Emu

        width, height = A4
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width = Emu((height if landscape else width) * MM)
        section.page_height = Emu((width if landscape else height) * MM)
        # turned a quarter to the left: the binding edge stays where the top margin was
        top, bottom, left, right = (MARGINS["right"], MARGINS["left"], MARGINS["top"],
                                    MARGINS["bottom"]) if landscape else (
            MARGINS["top"], MARGINS["bottom"], MARGINS["left"], MARGINS["right"])
        section.top_margin, section.bottom_margin = Emu(top * MM), Emu(bottom * MM)
        section.left_margin, section.right_margin = Emu(left * MM), Emu(right * MM)
        section.header_distance = Emu(15 * MM)
        section.footer_distance = Emu(28 * MM if not landscape else 17 * MM)

    def footers(self) -> None:
        """"— 1 —" at the outside edge: odd pages right, even pages left."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        self.doc.settings.odd_and_even_pages_header_footer = True
        section = self.doc.sections[0]
        for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                              (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            p.style = self.doc.styles["Page Number"]
            p.alignment = align
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                p.paragraph_format.right_indent = Pt(PAGE_NUMBER_PT)
            else:
                p.paragraph_format.left_indent = Pt(PAGE_NUMBER_PT)
            p.add_run("— ")
            _field(p, "PAGE", "1")
            p.add_run(" —")

    def properties(self) -> None:
        from .report_xlsx import stamp

        props = self.doc.core_properties
        moment = stamp(self.source.as_of)
        props.author = "reformctl"
        props.last_modified_by = "reformctl"
        props.title = self.source.title
        props.subject = self.source.meta.get("subject", "")
        props.keywords = self.source.meta.get("schema", "")
        props.comments = ""
        props.category = ""
        props.language = "zh-CN" if self.source.lang == "zh" else "en-US"
        props.created = moment
        props.modified = moment
        props.last_printed = moment
        props.revision = 1

    # content ---------------------------------------------------------------------------------

    def write(self) -> bytes:
        self.styles()
        self.page(self.doc.sections[0], False)
        self.footers()
        self.properties()
        body = self.doc
        # python-docx's template starts with one empty paragraph: the title takes its place
        title = body.paragraphs[0] if body.paragraphs else body.add_paragraph()
        title.style = body.styles["Report Title"]
        title.add_run(self.source.title)
        for label, cell in self.source.head.rows:
            self.field(label, cell)
        for note in self.source.notes:
            self.para(f"{self.source.meta['notes_label']}{self.source.meta['separator']}{note}")
        for section in self.source.sections:
            self.section(section)
        return self.save()

    def turn(self, landscape: bool) -> None:
        from docx.enum.section import WD_SECTION

        if landscape == self.landscape:
            return
        self.landscape = landscape
        self.page(self.doc.add_section(WD_SECTION.NEW_PAGE), landscape)

    def section(self, section: Section, depth: int = 1) -> None:
        if depth == 1:  # landscape when a table needs the width
            room = (A4[0] - MARGINS["left"] - MARGINS["right"]) * MM
            self.turn(any(isinstance(b, Table) and _needed(b) > room
                          for b in _blocks(section)))
        self.doc.add_paragraph(section.title, style=f"Heading {min(depth, 2)}")
        for block in section.blocks:
            if isinstance(block, Section):
                self.section(block, depth + 1)
            elif isinstance(block, Para):
                self.para(block.text)
            elif isinstance(block, Fields):
                for label, cell in block.rows:
                    self.field(label, cell)
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, Chart):
                self.chart(block)

    def para(self, text: str) -> Any:
        p = self.doc.add_paragraph(style="Report Body")
        self.runs(p, text)
        return p

    def field(self, label: str, cell: Cell) -> None:
        p = self.doc.add_paragraph(style="Report Body")
        run = p.add_run(label + self.source.meta["separator"])
        set_fonts(run._r, HEADING1_FONT)  # the label in 黑体
        self.cell_runs(p, cell)

    def runs(self, p: Any, text: str) -> None:
        for piece, address in spans(text):
            if address:
                _hyperlink(p, piece)
            else:
                p.add_run(piece)

    def cell_runs(self, p: Any, cell: Cell) -> None:
        if cell.kind == "list" and cell.items:
            for n, item in enumerate(cell.items):
                if n:
                    p.add_run().add_break()
                self.cell_runs(p, item)
            return
        if cell.kind in ("text", "link", "list"):
            self.runs(p, cell.text)
        else:
            p.add_run(cell.text)

    def table(self, table: Table) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Emu

        grid = self.doc.add_table(rows=1 + len(table.rows), cols=len(table.columns))
        grid.style = self.doc.styles["Table Grid"]
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid.autofit = False
        _cell_margins(grid)
        widths = _widths(table, self.text_width())
        for i, width in enumerate(widths):
            grid.columns[i].width = Emu(width)
        header = grid.rows[0]
        marker = OxmlElement("w:tblHeader")  # repeated at the top of every page
        marker.set(qn("w:val"), "true")
        header._tr.get_or_add_trPr().append(marker)
        for i, col in enumerate(table.columns):
            cell = header.cells[i]
            cell.width = Emu(widths[i])
            p = cell.paragraphs[0]
            p.style = self.doc.styles["Table Heading"]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run(col.label)
        for r, row in enumerate(table.rows, 1):
            cells = grid.rows[r].cells
            for i, (col, value) in enumerate(zip(table.columns, row.cells, strict=True)):
                cells[i].width = Emu(widths[i])
                p = cells[i].paragraphs[0]
                p.style = self.doc.styles["Table Heading" if row.total else "Table Text"]
                if col.numeric:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                elif col.kind in ("date", "ref", "status", "moment"):
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                if not col.wrap:  # a date, a number, a reference: one line, never broken
                    cells[i]._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))
                self.cell_runs(p, value)
        self.doc.add_paragraph(style="Table Text")  # a table never touches the next table

    def chart(self, chart: Chart) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Emu

        from .report_text import bar

        grid = self.doc.add_table(rows=len(chart.bars), cols=3)
        grid.style = self.doc.styles["Table Grid"]
        grid.autofit = False
        _cell_margins(grid)
        room = self.text_width()
        widths = (int(room * 0.3), int(room * 0.45), room - int(room * 0.3) - int(room * 0.45))
        for i, width in enumerate(widths):
            grid.columns[i].width = Emu(width)
        for r, b in enumerate(chart.bars):
            cells = grid.rows[r].cells
            for i, width in enumerate(widths):
                cells[i].width = Emu(width)
            texts = (b.label, bar(b.completion.value, 12, empty="░"),
                     f"{b.completion.text} ({b.done}/{b.counted})")
            for i, shown in enumerate(texts):
                p = cells[i].paragraphs[0]
                p.style = self.doc.styles["Table Heading" if b.total else "Table Text"]
                if i == 2:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                p.add_run(shown)
        self.doc.add_paragraph(style="Table Text")

    def text_width(self) -> int:
        section = self.doc.sections[-1]
        return int((section.page_width or 0) - (section.left_margin or 0)
                   - (section.right_margin or 0))

    def save(self) -> bytes:
        import zipfile

        from .report_xlsx import stamp

        raw = io.BytesIO()
        self.doc.save(raw)
        moment = stamp(self.source.as_of)
        out = io.BytesIO()
        with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                fixed = zipfile.ZipInfo(info.filename, date_time=moment.timetuple()[:6])
                fixed.compress_type = zipfile.ZIP_DEFLATED
                fixed.external_attr = 0o600 << 16
                fixed.create_system = 0
                dst.writestr(fixed, src.read(info.filename))
        return out.getvalue()


def _blocks(section: Section) -> list[Any]:
    from .document import walk

    return list(walk(section.blocks))


HALF_EM = int(TABLE_PT * 12700 / 2 * 1.2)  # a display column (half a character), and room
MIN_WRAP = 20  # display columns a wrapping column gets at least (10 Chinese characters)


def _natural(table: Table) -> list[int]:
    """Display columns each column wants: its longest cell line, and its header's longest word
    (a header may wrap between words; a short cell never wraps)."""
    from wcwidth import wcswidth

    def width(value: str) -> int:
        found = wcswidth(value)
        return max(found if found >= 0 else len(value), 1)

    natural = []
    for i, col in enumerate(table.columns):
        texts = [item.text for row in table.rows for item in (row.cells[i].items or
                                                              (row.cells[i],))]
        words = col.label.split() or [col.label]
        longest = max([width(w) for w in words]
                      + [width(line) for t in texts for line in t.split("\n")])
        natural.append(min(longest, 60))
    return natural


def _needed(table: Table) -> int:
    """The width (EMU) the table needs: its short columns whole, each wrapping one at least
    :data:`MIN_WRAP` columns."""
    return sum((min(n, MIN_WRAP) if c.wrap else n) * HALF_EM + CELL_PAD
               for n, c in zip(_natural(table), table.columns, strict=True))


def _widths(table: Table, room: int) -> list[int]:
    """Column widths (EMU) sharing ``room``: short columns their text's width, long ones
    (``wrap``) the rest, in proportion to their text."""
    natural = _natural(table)
    half_em = HALF_EM
    short = [n * half_em + CELL_PAD if not c.wrap else 0
             for n, c in zip(natural, table.columns, strict=True)]
    wraps = [n for n, c in zip(natural, table.columns, strict=True) if c.wrap]
    left = room - sum(short)
    if not wraps or left <= 0:
        scale = room / max(sum(n * half_em + CELL_PAD for n in natural), 1)
        return [int((n * half_em + CELL_PAD) * scale) for n in natural]
    total = sum(wraps)
    out = []
    for n, c, s in zip(natural, table.columns, short, strict=True):
        out.append(int(left * n / total) if c.wrap else s)
    return out


def _cell_margins(grid: Any) -> None:
    """1 mm left and right of a cell's text (Word's default is 1.9 mm)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    grid._tbl.tblPr.append(margins)


def _field(paragraph: Any, instruction: str, shown: str) -> None:
    """A field (``PAGE``) as Word writes it: begin, instruction, separate, result, end."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def fld(kind: str) -> None:
        run = paragraph.add_run()
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)

    fld("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld("separate")
    paragraph.add_run(shown)
    fld("end")


def _hyperlink(paragraph: Any, url: str) -> None:
    """An external link (python-docx has no API for one): a relationship and a w:hyperlink."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "0563C1")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    rpr.append(colour)
    rpr.append(underline)
    run.append(rpr)
    text = OxmlElement("w:t")
    text.set(qn("xml:space"), "preserve")
    text.text = url
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
