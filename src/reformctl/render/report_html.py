"""The report as one self-contained HTML file: a writer of :mod:`.document`.

No external resources; every text escaped; the chart inline as SVG; dates and times never wrap
(``white-space: nowrap``); addresses are links; printed pages are A4 and numbered
(``— 1 —``, CSS paged media ``@page`` with ``counter(page)``)."""

from __future__ import annotations

import html
from typing import Any

from . import cell_text
from .document import Cell, Chart, Document, Fields, LineChart, Para, Section, Table, spans

STATUS_COLOURS = {  # chart and badges
    "todo": "#c9d1db",
    "in-progress": "#f0a830",
    "done": "#2e9d5b",
    "blocked": "#d6453b",
    "dropped": "#8d939b",
}
_STATUSES = frozenset(STATUS_COLOURS)


def esc(value: Any) -> str:
    """Data as HTML text or attribute value: controls made visible, then everything escaped."""
    return html.escape(cell_text(value), quote=True)


def _width(value: str) -> int:
    from wcwidth import wcswidth

    width = wcswidth(value)
    return width if width >= 0 else len(value)


def html_text(value: str) -> str:
    """Text with its addresses as links, everything escaped."""
    return "".join(f'<a href="{esc(piece)}">{esc(piece)}</a>' if address else esc(piece)
                   for piece, address in spans(value))


def html_cell(cell: Cell) -> str:
    if cell.kind == "list" and cell.items:
        return "<br>".join(html_cell(item) for item in cell.items)
    if cell.kind == "status" and cell.value:
        cls = cell.value if cell.value in _STATUSES else "unknown"
        return f'<span class="status {cls}">{esc(cell.text)}</span>'
    if cell.kind in ("text", "link", "list"):
        return html_text(cell.text)
    return esc(cell.text)


_CSS = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #d3d9e0; --head: #f2f4f7; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 1100px; padding: 24px 28px 48px; color: var(--ink);
  font: 14px/1.55 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB",
  "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
  sans-serif; }
h1 { font-size: 22px; margin: 0 0 8px; line-height: 1.35; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px;
  border-bottom: 2px solid var(--ink); }
h3 { font-size: 15px; margin: 18px 0 6px; }
dl.head { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0;
  color: var(--muted); }
dl.head dt { font-weight: 600; }
dl.head dd { margin: 0; }
p.none { color: var(--muted); font-style: italic; margin: 4px 0 8px; }
p.note { color: #8a4b00; }
p.who { margin: 0 0 6px; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 4px 0 12px; }
th, td { border: 1px solid var(--line); padding: 4px 7px; text-align: left; vertical-align: top;
  white-space: pre-line; overflow-wrap: anywhere; }
th { background: var(--head); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.nowrap, td.date, td.moment, td.ref, dd.date { white-space: nowrap; }
td.task { min-width: 16em; }
td.unit { min-width: 8.5em; }  /* a unit name of 7 CJK characters on one line */
tr.total td { font-weight: 600; background: #fafbfc; }
.status { display: inline-block; padding: 0 6px; border-radius: 3px; white-space: nowrap;
  font-size: 12px; line-height: 18px; }
.status.todo { background: #e8ecf1; color: #3e4c59; }
.status.in-progress { background: #fdebc8; color: #7a4d00; }
.status.done { background: #d3f0de; color: #145c32; }
.status.blocked { background: #f9d4d1; color: #8a1c13; }
.status.dropped { background: #eceef0; color: #5f6770; text-decoration: line-through; }
.meter { display: inline-block; width: 90px; height: 10px; background: #e6e9ed;
  border-radius: 2px; vertical-align: middle; margin-right: 6px; overflow: hidden; }
.meter > span { display: block; height: 100%; background: #2e9d5b; }
figure.chart { margin: 8px 0 16px; }
figure.chart svg { width: 100%; max-width: 760px; height: auto; display: block; }
figure.chart text { font-size: 12px; fill: var(--ink); }
figure.chart text.in { fill: #fff; font-size: 11px; }
figure.chart text.in.light { fill: #1f2933; }
td.overdue { color: #b42318; font-weight: 600; }
section.part { break-inside: avoid-page; }
@page { size: A4; margin: 14mm 12mm 16mm;
  @bottom-center { content: "— " counter(page) " —"; font-size: 9pt; color: #616e7c; } }
a { color: #1d4ed8; overflow-wrap: anywhere; }
@media print {
  /* 1px each side: a collapsed table border lies half outside the table and would be clipped */
  body { max-width: none; padding: 0 1px; font-size: 9.5pt; line-height: 1.4; }
  h1 { font-size: 15pt; }
  h2 { font-size: 12.5pt; margin-top: 16pt; break-after: avoid-page; }
  h3 { font-size: 10.5pt; break-after: avoid-page; }
  table { font-size: 8.5pt; }
  th, td { padding: 2pt 4pt; }
  thead { display: table-header-group; }
  tr, figure.chart { break-inside: avoid; }
  .status, .meter, .meter > span, th, tr.total td, figure.chart svg {
    -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""




def write_html(document: Document) -> str:
    lang = "zh-CN" if document.lang == "zh" else "en"
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="reformctl ({esc(document.meta["schema"])})">',
        f"<title>{esc(document.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{esc(document.title)}</h1>",
        '<dl class="head">',
    ]
    for label, cell in document.head.rows:
        cls = ' class="date"' if cell.kind == "date" else ""
        out.append(f"<dt>{esc(label)}</dt><dd{cls}>{html_cell(cell)}</dd>")
    out.append("</dl>")
    for note in document.notes:
        out.append(f'<p class="note">{esc(document.meta["notes_label"])}'
                   f'{esc(document.meta["separator"])}{html_text(note)}</p>')
    out.append("</header>")
    for section in document.sections:
        _section(section, out, document.meta["separator"])
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _section(section: Section, out: list[str], sep: str) -> None:
    tag = "h2" if section.level == 1 else "h3"
    out.append("<section>" if section.level == 1 else '<section class="part">')
    out.append(f"<{tag}>{esc(section.title)}</{tag}>")
    for block in section.blocks:
        if isinstance(block, Section):
            _section(block, out, sep)
        elif isinstance(block, Para):
            cls = {"muted": "none", "note": "note"}.get(block.tone, "")
            out.append(f'<p class="{cls}">{html_text(block.text)}</p>' if cls
                       else f"<p>{html_text(block.text)}</p>")
        elif isinstance(block, Fields):
            for label, cell in block.rows:
                out.append(f'<p class="who">{esc(label)}{esc(sep)}{html_cell(cell)}</p>')
        elif isinstance(block, Table):
            out.append(_table(block))
        elif isinstance(block, Chart):
            out.append(f'<figure class="chart">{_svg_chart(block)}</figure>')
        elif isinstance(block, LineChart):
            out.append(f'<figure class="chart">{_svg_lines(block)}</figure>')
    out.append("</section>")


_CLASS = {"number": "num", "percent": "num", "date": "date", "moment": "moment", "ref": "ref"}


def _table(table: Table) -> str:
    def cls(col_kind: str, key: str, cell: Cell | None = None) -> str:
        names = [_CLASS.get(col_kind, "")]
        if key == "text":
            names.append("task")
        elif key == "owner":
            names.append("unit")
        elif key == "level":
            names.append("nowrap")
        if cell is not None and cell.tone == "overdue":
            names.append("overdue")
        joined = " ".join(n for n in names if n)
        return f' class="{joined}"' if joined else ""

    num = ' class="num"'
    head = "".join(f"<th{num if c.numeric else ''}>{esc(c.label)}</th>" for c in table.columns)
    rows = []
    for row in table.rows:
        cells = "".join(f"<td{cls(col.kind, col.key, cell)}>{html_cell(cell)}</td>"
                        for col, cell in zip(table.columns, row.cells, strict=True))
        rows.append(f'<tr class="total">{cells}</tr>' if row.total else f"<tr>{cells}</tr>")
    return (f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows)
            + "\n</tbody>\n</table>")


def _svg_chart(chart: Chart) -> str:
    """Per-level stacked bars of task counts by status, inline SVG (no fonts, no links)."""
    rows = chart.bars
    label_w, bar_w, right_w, row_h, bar_h, top = 130, 470, 120, 34, 20, 34
    width = label_w + bar_w + right_w
    height = top + row_h * len(rows) + 6
    title = chart.title
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{esc(title)}">',
        f"<title>{esc(title)}</title>",
    ]
    x = 0
    for status, label, _count in rows[0].counts if rows else ():  # legend
        out.append(f'<rect x="{x}" y="4" width="12" height="12" rx="2" '
                   f'fill="{STATUS_COLOURS[status]}"/>')
        out.append(f'<text x="{x + 17}" y="14.5">{esc(label)}</text>')
        x += 17 + _width(label) * 7 + 18
    for i, r in enumerate(rows):
        y = top + i * row_h
        weight = ' font-weight="600"' if r.total else ""
        out.append(f'<text x="0" y="{y + 15}"{weight}>{esc(r.label)}</text>')
        total = r.tasks
        out.append(f'<rect x="{label_w}" y="{y}" width="{bar_w}" height="{bar_h}" '
                   f'fill="#f4f6f8" stroke="#d3d9e0"/>')
        start = 0.0
        for status, label, count in r.counts:
            if not count or not total:
                continue
            seg = bar_w * count / total
            sx = label_w + start
            out.append(f'<rect x="{sx:.1f}" y="{y}" width="{seg:.1f}" height="{bar_h}" '
                       f'fill="{STATUS_COLOURS[status]}"><title>{esc(label)}'
                       f' {count}</title></rect>')
            if seg >= 18:
                light = " light" if status in ("todo", "in-progress") else ""
                out.append(f'<text class="in{light}" x="{sx + seg / 2:.1f}" y="{y + 14}" '
                           f'text-anchor="middle">{count}</text>')
            start += seg
        out.append(f'<text x="{label_w + bar_w + 10}" y="{y + 15}">'
                   f'{esc(chart.caption)} {esc(r.completion.text)}</text>')
    out.append("</svg>")
    return "\n".join(out)


LINE_COLOURS = ("#2f6fb0", "#c0762b", "#7a4bb0", "#3b8f8f")  # the levels, in the plan's order
TOTAL_COLOUR = "#1b7f3b"  # all levels: drawn last, thicker


def _svg_lines(chart: LineChart) -> str:
    """Percents over time as an inline SVG line chart: 0-100% up, the dates across (the first
    and the last written under the axis, every point a dot whose title says its date and value);
    no fonts, no links, no scripts."""
    n = len(chart.dates)
    left, plot_w, plot_h, top, right = 44, 560, 180, 34, 20
    width, height = left + plot_w + right, top + plot_h + 28
    title = chart.title
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{esc(title)}">',
        f"<title>{esc(title)}</title>",
    ]
    colours: list[str] = []
    index = 0
    for series in chart.series:
        if series.total:
            colours.append(TOTAL_COLOUR)
        else:
            colours.append(LINE_COLOURS[index % len(LINE_COLOURS)])
            index += 1
    x = 0
    for series, colour in zip(chart.series, colours, strict=True):  # legend
        out.append(f'<rect x="{x}" y="8" width="14" height="4" fill="{colour}"/>')
        weight = ' font-weight="600"' if series.total else ""
        out.append(f'<text x="{x + 19}" y="14.5"{weight}>{esc(series.label)}</text>')
        x += 19 + _width(series.label) * 7 + 18
    for pct in (0, 25, 50, 75, 100):
        y = top + plot_h - plot_h * pct / 100
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                   f'stroke="{"#9aa5b1" if pct == 0 else "#e3e7ec"}"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{pct}%</text>')

    def at(i: int, value: float) -> tuple[float, float]:
        px = left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)
        return px, top + plot_h - plot_h * max(0.0, min(value, 100.0)) / 100

    order = [i for i, s in enumerate(chart.series) if not s.total] + [
        i for i, s in enumerate(chart.series) if s.total]
    for k in order:
        series, colour = chart.series[k], colours[k]
        stroke = 3 if series.total else 2
        run: list[str] = []
        runs: list[list[str]] = [run]
        for i, value in enumerate(series.values):
            if value is None:
                run = []
                runs.append(run)
                continue
            px, py = at(i, float(value))
            run.append(f"{px:.1f},{py:.1f}")
        for points in runs:
            if len(points) > 1:
                out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="{stroke}" '
                           f'points="{" ".join(points)}"/>')
        for i, value in enumerate(series.values):
            if value is None:
                continue
            px, py = at(i, float(value))
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{stroke}" fill="{colour}">'
                       f"<title>{esc(series.label)} {esc(chart.dates[i])} {value:.1f}%"
                       "</title></circle>")
    base = top + plot_h + 18
    if n:
        out.append(f'<text x="{left}" y="{base}">{esc(chart.dates[0])}</text>')
    if n > 1:
        out.append(f'<text x="{left + plot_w}" y="{base}" text-anchor="end">'
                   f"{esc(chart.dates[-1])}</text>")
    out.append("</svg>")
    return "\n".join(out)
