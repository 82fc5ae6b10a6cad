"""The report as GitHub-flavoured markdown: a writer of :mod:`.document`.

Text is escaped so that it renders as exactly itself; addresses (``https://…``) are written as
autolinks (``<https://…>``), never escaped, so that a GFM renderer links them whole; the items
of a list cell (evidence) are each on their own line of the cell (``<br>``), each its own link.
"""

from __future__ import annotations

from . import md_cell
from .document import Cell, Chart, Document, Fields, Para, Section, Table, spans


def md_text(value: str, *, in_table: bool = True) -> str:
    """Text with its addresses as autolinks and everything else escaped."""
    out = []
    for piece, address in spans(value):
        if address:
            # inside <...> backslash escapes do not work; only `|` must be escaped in a table
            # (GFM splits the row on it before reading the cell's inlines)
            out.append("<" + (piece.replace("|", "\\|") if in_table else piece) + ">")
        else:
            out.append(md_cell(piece))
    return "".join(out)


def md_value(cell: Cell) -> str:
    if cell.kind == "list" and cell.items:
        return "<br>".join(md_value(item) for item in cell.items)
    if cell.kind in ("link", "text", "list"):
        return md_text(cell.text)
    return md_cell(cell.text)


def write_markdown(document: Document) -> str:
    out: list[str] = [f"# {md_cell(document.title)}", ""]
    sep = document.meta["separator"].rstrip()
    for label, cell in document.head.rows:
        out.append(f"- **{md_cell(label)}{sep}** {md_value(cell)}")
    for note in document.notes:
        out.append(f"- **{md_cell(document.meta['notes_label'])}{sep}** {md_text(note)}")
    out.append("")
    for section in document.sections:
        _section(section, out, 2, sep)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def _section(section: Section, out: list[str], depth: int, sep: str) -> None:
    out.extend([f"{'#' * depth} {md_cell(section.title)}", ""])
    for block in section.blocks:
        if isinstance(block, Section):
            _section(block, out, depth + 1, sep)
        elif isinstance(block, Para):
            out.extend([md_text(block.text, in_table=False), ""])
        elif isinstance(block, Fields):
            out.extend([f"- **{md_cell(label)}{sep}** {md_value(cell)}"
                        for label, cell in block.rows])
            out.append("")
        elif isinstance(block, Table):
            out.extend([_table(block).rstrip("\n"), ""])
        elif isinstance(block, Chart):
            out.extend([_chart(block).rstrip("\n"), ""])


def _table(table: Table) -> str:
    return _raw_table([c.label for c in table.columns],
                      [[md_value(cell) for cell in row.cells] for row in table.rows],
                      ["right" if c.numeric else "left" for c in table.columns])


def _raw_table(headers: list[str], rows: list[list[str]], align: list[str]) -> str:
    """A GitHub table of cells that are already markdown, its source lined up (wide characters
    count two columns)."""
    from wcwidth import wcswidth

    def width(value: str) -> int:
        found = wcswidth(value)
        return found if found >= 0 else len(value)

    heads = [md_cell(h) for h in headers]
    widths = [max(3, width(h), *(width(r[i]) for r in rows)) for i, h in enumerate(heads)]

    def line(cells: list[str]) -> str:
        padded = [(" " * (w - width(c)) + c) if how == "right" else (c + " " * (w - width(c)))
                  for c, w, how in zip(cells, widths, align, strict=True)]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if how == "right" else "-" * (w + 2)
                          for w, how in zip(widths, align, strict=True)) + "|"
    return "\n".join([line(heads), rule, *(line(r) for r in rows)]) + "\n"


def _chart(chart: Chart) -> str:
    from .report_text import bar

    return _raw_table(
        ["", chart.caption, ""],
        [[md_cell(b.label), md_cell(bar(b.completion.value, 10)),
          md_cell(f"{b.completion.text} ({b.done}/{b.counted})")] for b in chart.bars],
        ["left", "left", "right"])
