"""Reading a 任务分解表 (a plan's task table, as Word or Excel keep it) into the tasks of a new
ledger, for ``reformctl init DIR --from FILE``.

A table has a header row naming its columns (序号, 任务/工作任务/重点任务, 牵头单位/责任单位,
配合单位, 完成时限/时间节点, ...); the level of each task is given either by heading rows
(区级层面, 区总工会层面, 基层…层面: a row with one text, often merged across the table, or a
paragraph before the table in Word) or by a column (层面). :func:`read_rows` reads xlsx, csv and
docx into one list of rows; :func:`plan_tasks` maps the columns (``--map`` where it cannot tell),
reads every row and locates every problem as ``FILE:SHEET!C7``. Task texts are kept verbatim
(only surrounding white space goes). No printing, no typer.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .errors import ReformctlError, UsageError
from .i18n import _, ngettext
from .sheets import (
    MissingExtraError,
    Problem,
    _decode_csv,
    cell_date,
    check_size,
    check_zip,
    column_letter,
)

FIELDS = ("seq", "text", "owner", "partners", "due", "level")
IGNORE = ("ignore", "-")
DOCX_EXTRA = "pip install 'reformctl[office]'"

# Header words for each field, best first (compared after NFKC, without spaces, case-folded).
HEADERS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "no.", "no", "seq", "#"),
    "text": ("重点任务", "工作任务", "改革任务", "任务内容", "任务", "具体任务", "工作内容",
             "task", "text"),
    "owner": ("牵头单位", "责任单位", "牵头部门", "责任部门", "主责单位", "owner"),
    "partners": ("配合单位", "配合部门", "协办单位", "参与单位", "partners"),
    "due": ("完成时限", "时间节点", "完成时间", "截止日期", "截止时间", "时限", "due"),
    "level": ("层面", "层级", "级别", "level"),
}


@dataclass
class TableRow:
    where: str  # FILE:SHEET!  (the cell letter and row number are added per cell)
    number: int
    cells: list[str]
    merged: bool = False  # one text across the row (a heading)

    def at(self, col: int) -> str:
        return f"{self.where}{column_letter(col + 1)}{self.number}"


@dataclass
class Found:
    """What :func:`plan_tasks` read: the tasks' fields, the mapping used, the title seen."""

    tasks: list[dict[str, Any]]
    mapping: dict[str, str]  # field -> the column's header as written, in column order
    levels_from: str  # "headings" or "column"
    title: str | None
    problems: list[Problem] = field(default_factory=list)


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, date):
        return value.isoformat()[:10]
    return str(value).replace("\r\n", "\n").strip()


# ---------------------------------------------------------------------------------------------
# Reading the file into rows


def read_rows(path: Path, shown: str) -> list[TableRow]:
    check_size(path, shown, _("{file} is larger than {limit} MiB; a task table is far smaller: "
                              "is it the right file?"))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path, shown)
    if suffix in (".csv", ".txt", ".tsv"):
        return _csv_rows(path, shown)
    if suffix == ".docx":
        return _docx_rows(path, shown)
    raise ReformctlError(
        _("{file}: reformctl reads task tables from .docx, .xlsx and .csv files").format(
            file=shown),
        hint=_("save it from Word as .docx, or from the spreadsheet as .xlsx"))


def _xlsx_rows(path: Path, shown: str) -> list[TableRow]:
    import warnings
    import zipfile

    from .sheets import need_openpyxl

    openpyxl = need_openpyxl()
    check_zip(path, shown)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as exc:
        raise ReformctlError(_("{file} cannot be read as an xlsx workbook ({reason})").format(
            file=shown, reason=str(exc) or type(exc).__name__)) from None
    rows: list[TableRow] = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        merged = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}
        for cells in ws.iter_rows():
            if not cells:
                continue
            number = cells[0].row
            texts = [_text(c.value) for c in cells]
            span = merged.get((number, 1 + next((i for i, t in enumerate(texts) if t), 0)))
            rows.append(TableRow(f"{shown}:{ws.title}!", number, texts, _heading(
                texts, span is not None and span.max_col > span.min_col)))
    wb.close()
    return rows


def _csv_rows(path: Path, shown: str) -> list[TableRow]:
    import csv
    import io

    text = _decode_csv(path.read_bytes(), shown)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""),
                                              delimiter=delimiter), 1):
        texts = [_text(c) for c in cells]
        rows.append(TableRow(f"{shown}:{path.stem}!", number, texts, _heading(texts, False)))
    return rows


def _docx_rows(path: Path, shown: str) -> list[TableRow]:
    """Paragraphs (as one-text rows, so a heading before a table gives the level) and table
    rows, in document order; cells merged across columns count once."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:
        raise MissingExtraError(
            _("reading Word documents needs python-docx, which is not installed"),
            hint=DOCX_EXTRA) from None
    check_zip(path, shown)
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds for a file that is not a docx
        raise ReformctlError(_("{file} cannot be read as a Word document ({reason})").format(
            file=shown, reason=str(exc) or type(exc).__name__),
            hint=_("open it in Word, WPS or LibreOffice and save it as .docx")) from None
    rows: list[TableRow] = []
    tables = 0
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, document).text.strip()
            if text:
                rows.append(TableRow(f"{shown}:", 0, [text], True))
        elif tag == "tbl":
            tables += 1
            table = Table(child, document)
            for number, row in enumerate(table.rows, 1):
                seen: list[Any] = []
                texts = []
                for cell in row.cells:
                    if seen and cell._tc is seen[-1]:  # a cell merged across columns
                        texts.append("")
                        continue
                    seen.append(cell._tc)
                    texts.append(_text(cell.text))
                rows.append(TableRow(f"{shown}:" + _("table{n}").format(n=tables) + "!", number,
                                     texts, _heading(texts, len(seen) == 1 and len(texts) > 1)))
    return rows


def _heading(texts: list[str], merged: bool) -> bool:
    """A row with one text that is merged across the table, names a level or the table."""
    filled = [t for t in texts if t]
    return len(filled) == 1 and (merged or level_of_heading(filled[0]) is not None
                                 or "分解表" in filled[0])


# ---------------------------------------------------------------------------------------------
# Columns, levels, values


def level_of_heading(text: str) -> str | None:
    """The level a heading names: 区总工会层面 → federation, 基层工会级层面 → grassroots,
    区级层面 → district; None for any other text."""
    from .models import LEVEL_WORDS

    key = _key(text)
    if key in LEVEL_WORDS:
        return LEVEL_WORDS[key]
    if "层面" not in key and "level" not in key:
        return None
    for word, level in (("区总工会", "federation"), ("基层", "grassroots"), ("区级", "district"),
                        ("federation", "federation"), ("grassroots", "grassroots"),
                        ("district", "district")):
        if word in key:
            return level
    return None


def parse_maps(maps: list[str]) -> dict[str, str]:
    """``--map COLUMN=FIELD`` (COLUMN a header as written, or a column letter)."""
    out: dict[str, str] = {}
    for item in maps:
        column, sep, name = item.partition("=")
        name = name.strip().lower()
        if not sep or not column.strip() or name not in (*FIELDS, *IGNORE):
            raise UsageError(
                _("--map {value}: write it as COLUMN=FIELD, FIELD one of {fields}").format(
                    value=item, fields=", ".join((*FIELDS, "ignore"))),
                hint=_("e.g. --map 工作内容=text --map C=owner --map 备注=ignore"))
        out[column.strip()] = "ignore" if name in IGNORE else name
    return out


def _header(rows: list[TableRow], maps: dict[str, str]) -> tuple[int, dict[str, int]] | None:
    """The first row that names a text column (by its words or by --map), and the mapping."""
    for i, row in enumerate(rows[:50]):
        if row.merged and not any(_key(c) in {_key(k) for k in maps} for c in row.cells):
            continue
        mapping: dict[str, int] = {}
        taken: set[int] = set()
        for col, cell in enumerate(row.cells):  # --map first: by header text or letter
            for column, name in maps.items():
                if cell and (_key(cell) == _key(column)) or column.upper() == column_letter(
                        col + 1) and column.isalpha() and column.isascii():
                    taken.add(col)
                    if name != "ignore":
                        mapping[name] = col
        for name, words in HEADERS.items():  # then exact words, then words within the header
            if name in mapping:
                continue
            keys = [_key(w) for w in words]
            for exact in (True, False):
                col_found = next((col for col, cell in enumerate(row.cells)
                                  if col not in taken and cell and (
                                      _key(cell) in keys if exact else
                                      any(k in _key(cell) for k in keys if len(k) > 1))), None)
                if col_found is not None:
                    mapping[name] = col_found
                    taken.add(col_found)
                    break
        if "text" in mapping and len(mapping) >= 2:
            return i, mapping
    return None


_NUMBER = re.compile(r"^\s*(\d+)\s*[.、．)）]\s*")
_MONTH_END = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:底|末|前|份)?\s*\Z")
_YEAR_END = re.compile(r"(\d{4})\s*年\s*(?:底|末|内|年底|年末|全年)?\s*\Z")


def due_of(text: str) -> date:
    """A deadline as task tables write them: a date (2018-12-31, 2018年12月31日), a month
    (2018年6月底: its last day) or a year (2018年底: 31 December)."""
    value = unicodedata.normalize("NFKC", text).strip()
    for prefix in ("截至", "截止", "于", "在"):
        value = value.removeprefix(prefix)
    month = _MONTH_END.match(value)
    if month:
        year, mon = int(month.group(1)), int(month.group(2))
        if 1 <= mon <= 12:
            return date(year, mon, calendar.monthrange(year, mon)[1])
    year_end = _YEAR_END.match(value)
    if year_end:
        return date(int(year_end.group(1)), 12, 31)
    from .sheets import _Bad

    try:
        found = cell_date(value)
    except _Bad:
        found = None
    if found is None:
        raise ValueError(value)
    return found


def _units(text: str) -> list[str]:
    return [u.strip() for u in re.split(r"[、，,;；\n]", text) if u.strip()]


def plan_tasks(rows: list[TableRow], shown: str, maps: dict[str, str]) -> Found:
    """The tasks the table holds, each with level, seq, text and what else it gives."""
    found = _header(rows, maps)
    if found is None:
        raise ReformctlError(
            _("{file}: no header row naming a task column (任务, 工作任务, 重点任务) was "
              "found").format(file=shown),
            hint=_("name the columns with --map, e.g. --map 工作内容=text --map 责任单位=owner"))
    start, mapping = found
    header = rows[start]
    result = Found([], {name: header.cells[col] for name, col in sorted(
        mapping.items(), key=lambda item: item[1])},
                   "column" if "level" in mapping else "headings", None)

    def bad(row: TableRow, name: str, message: str) -> None:
        result.problems.append(Problem(len(result.problems), 0,
                                       f"{row.at(mapping.get(name, 0))}: {message}"))

    level: str | None = None
    seqs: dict[str, int] = {}
    for index, row in enumerate(rows):
        if row.merged or row.number == 0:  # a heading row, or a paragraph of a document
            text = next((c for c in row.cells if c), "")
            heading = level_of_heading(text)
            if heading is not None and "level" not in mapping:
                level = heading
            if result.title is None and "分解表" in text:
                result.title = re.sub(r"^.*?层面\s*", "", text) if heading else text
            continue
        if index <= start or _is_header_again(row.cells, header.cells):
            continue  # (a table per level repeats its header row)
        cells = row.cells

        def cell(name: str, cells: list[str] = cells) -> str:
            col = mapping.get(name)
            return cells[col] if col is not None and col < len(cells) else ""

        text = cell("text")
        if not text:
            if any(c for i, c in enumerate(cells) if i != mapping.get("seq")):
                bad(row, "text", _("this row has no task text; every task needs one"))
            continue
        task: dict[str, Any] = {"text": text}
        row_level = level
        if "level" in mapping:
            word = cell("level")
            row_level = (level_of_heading(word) or level_of_heading(word + "层面")) if word else None
            if row_level is None:
                bad(row, "level", _("'{value}' is not a level; write 区级, 区总工会 or 基层 "
                                    "(district, federation, grassroots)").format(value=word))
                continue
        if row_level is None:
            bad(row, "text", _("no level for this task: put a heading row (区级层面, 区总工会层面, "
                               "基层工会层面) before it, or give the table a 层面 column"))
            continue
        task["level"] = row_level
        seq_text = unicodedata.normalize("NFKC", cell("seq")).strip().rstrip(".、")
        number = _NUMBER.match(text)
        if "seq" not in mapping and number:  # "1.建立……": the number is the seq
            seq_text, task["text"] = number.group(1), text[number.end():].strip()
        if seq_text.isdecimal() and int(seq_text) > 0:
            task["seq"] = int(seq_text)
        elif seq_text:
            bad(row, "seq", _("'{value}' is not a number").format(value=cell("seq")))
            continue
        else:
            task["seq"] = seqs.get(row_level, 0) + 1
        seqs[row_level] = max(seqs.get(row_level, 0), task["seq"])
        if cell("owner"):
            task["owner"] = cell("owner")
        if cell("partners"):
            task["partners"] = _units(cell("partners"))
        if cell("due"):
            try:
                task["due"] = due_of(cell("due"))
            except ValueError:
                bad(row, "due", _("'{value}' is not a deadline reformctl can read (2018-12-31, "
                                  "2018年12月底, 2018年底)").format(value=cell("due")))
                continue
        task["where"] = row.at(mapping["text"])
        result.tasks.append(task)
    _unique_seqs(result)
    return result


def _is_header_again(cells: list[str], header: list[str]) -> bool:
    return [c for c in cells if c] == [c for c in header if c]


def _unique_seqs(found: Found) -> None:
    seen: dict[tuple[str, int], str] = {}
    for task in found.tasks:
        key = (task["level"], task["seq"])
        if key in seen:
            found.problems.append(Problem(len(found.problems), 0, f"{task['where']}: " + _(
                "number {seq} is used twice at this level (also at {other})").format(
                seq=task["seq"], other=seen[key])))
        else:
            seen[key] = task["where"]


def ledger_text(title: str, year: int | None, unit: str | None,
                tasks: list[dict[str, Any]]) -> dict[str, bytes]:
    """``tasks.yaml`` and ``voices.yaml`` of a new ledger holding ``tasks`` (in table order,
    ids from 1), laid out as ``reformctl add`` writes tasks."""
    from . import edit
    from .ledgers import TASKS_FILE, NewPlan, empty_ledger
    from .models import Task

    files = empty_ledger(NewPlan(title, year, unit))
    text = files[TASKS_FILE].decode("utf-8")
    models = [Task.model_validate({"id": i, "status": "todo",
                                   **{k: v for k, v in t.items() if k != "where"}},
                                  strict=False)
              for i, t in enumerate(tasks, 1)]
    new, _index = edit.apply_change(edit.TaskIndex(text, "\n", [], [], [], []), [], models)
    return {**files, TASKS_FILE: new.encode("utf-8")}


def problems_error(found: Found, shown: str) -> ReformctlError:
    count = len(found.problems)
    return ReformctlError(
        ngettext("{file}: {count} problem, so no ledger was written:",
                 "{file}: {count} problems, so no ledger was written:", count).format(
            file=shown, count=count) + "".join(f"\n{p.text}" for p in found.problems),
        hint=_("correct the table, or tell the columns apart with --map COLUMN=FIELD"))
