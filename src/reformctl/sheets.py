"""Spreadsheets in and out of the ledger: what a fill-in workbook holds, and reading one back.

``reformctl export`` writes a workbook (drawn by :mod:`reformctl.render.workbook` from
:func:`export_rows` and :class:`Stamp`): one row per task, the identifying columns locked, the
columns a unit fills in (status, progress, due, note, evidence) open, and a hidden sheet that ties
the workbook to the ledger it came from (plan title, export time, the SHA-256 of ``tasks.yaml``,
and each task's status, progress and due as exported).

``reformctl import`` reads such a workbook, or a CSV, as Excel, WPS or LibreOffice save them
(:func:`read_sheet`: dates as date cells or text, numbers as numbers or text, full-width digits,
stray spaces, statuses in Chinese or English) and compares every row with the ledger
(:func:`plan_import`). Every problem is collected, located as ``FILE:SHEET!F7``; any problem and
nothing is changed. A value the sheet changed where the ledger changed the same field since the
export (to something else) is a conflict, never overwritten; a value the sheet left as exported
never undoes a later change in the ledger.

No printing, no typer; openpyxl is imported only where a workbook is read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .errors import ReformctlError
from .i18n import _, ngettext
from .models import LEVEL_ZH, STATUS_WORDS, STATUS_ZH, STATUSES, Task

FORMAT = "reformctl.sheet/1"  # what the hidden sheet's first cell says
META_SHEET = "reformctl"  # the hidden sheet's name
MAX_BYTES = 32 * 1024 * 1024  # a sheet of the largest real ledger is well under 1 MiB
MAX_ROWS = 100_000
XLSX_EXTRA = "pip install 'reformctl[xlsx]'"

# The columns of the fill-in sheet, in order: (field, English header, Chinese header).
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "ID", "序号"),
    ("ref", "Ref", "编号"),
    ("level", "Level", "层面"),
    ("text", "Task", "任务"),
    ("owner", "Owner", "牵头单位"),
    ("status", "Status", "状态"),
    ("progress", "Progress (%)", "进度（%）"),
    ("due", "Due", "完成时限"),
    ("note", "Note", "备注"),
    ("evidence", "Evidence", "佐证材料"),
)
LOCKED = ("id", "ref", "level", "text", "owner")  # identify the task: compared, never imported
EDITABLE = ("status", "progress", "due", "note", "evidence")
TRACKED = ("status", "progress", "due")  # fields whose exported value the hidden sheet keeps

# Every header a sheet may carry for a field (folded: see :func:`_header_key`): the export's in
# both languages, `list --format csv`'s and `report --format csv`'s, and the source table's.
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "序号", "任务序号", "任务id"),
    "ref": ("ref", "编号", "任务编号"),
    "level": ("level", "层面", "层级", "级别"),
    "text": ("task", "text", "任务", "工作任务", "重点任务", "任务内容", "改革任务"),
    "owner": ("owner", "牵头单位", "责任单位", "牵头部门", "责任部门"),
    "status": ("status", "状态", "完成情况", "进展状态"),
    "progress": ("progress", "progress(%)", "进度", "进度(%)", "完成进度", "完成进度(%)"),
    "due": ("due", "截止日期", "完成时限", "时间节点", "完成时间"),
    "note": ("note", "备注", "进展情况", "说明"),
    "evidence": ("evidence", "佐证材料", "佐证", "证明材料"),
}


def header_label(name: str, lang: str) -> str:
    for key, en, zh in COLUMNS:
        if key == name:
            return zh if lang == "zh" else en
    raise KeyError(name)


def level_label(level: str, lang: str) -> str:
    return LEVEL_ZH[level] if lang == "zh" else level


def status_label(status: str, lang: str) -> str:
    return STATUS_ZH[status] if lang == "zh" else status


def status_labels(lang: str) -> list[str]:
    return [status_label(s, lang) for s in STATUSES]


class MissingExtraError(ReformctlError):
    """A command needs an optional dependency that is not installed."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem of a sheet, at its place (row 0: the file as a whole)."""

    row: int
    col: int
    text: str = field(compare=False)


class SheetError(ReformctlError):
    """A sheet that cannot be imported: every problem, located, in the order of the sheet."""

    def __init__(self, problems: list[Problem], shown: str) -> None:
        count = len(problems)
        ordered = sorted(problems)
        super().__init__(
            ngettext("{file}: {count} problem, so nothing was changed:",
                     "{file}: {count} problems, so nothing was changed:", count).format(
                file=shown, count=count)
            + "".join(f"\n{p.text}" for p in ordered),
            hint=_("correct the cells named above and import the sheet again; "
                   "`reformctl export` writes a fresh one"),
        )
        self.problems = [p.text for p in ordered]


def need_openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise MissingExtraError(
            _("reading and writing xlsx workbooks needs openpyxl, which is not installed"),
            hint=XLSX_EXTRA) from None
    return openpyxl


# ---------------------------------------------------------------------------------------------
# Export: what the workbook holds


@dataclass(frozen=True)
class Stamp:
    """What ties a workbook to its ledger."""

    plan: str
    exported: str  # ISO 8601 time with offset
    sha256: str  # of tasks.yaml's bytes
    lang: str


def content_hash(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def export_rows(tasks: list[Task], lang: str) -> list[dict[str, Any]]:
    """One row per task: the values of :data:`COLUMNS` (``due`` a date, note and evidence empty)."""
    return [{
        "id": t.id, "ref": t.ref, "level": level_label(t.level, lang), "text": t.text,
        "owner": t.owner, "status": status_label(t.status, lang), "progress": t.progress,
        "due": t.due, "note": None, "evidence": None,
    } for t in tasks]


def exported_state(task: Task) -> dict[str, str]:
    """A task's tracked values as the hidden sheet keeps them: text, so that no spreadsheet
    program turns them into something else."""
    return {"status": task.status,
            "progress": "" if task.progress is None else str(task.progress),
            "due": "" if task.due is None else task.due.isoformat()}


# ---------------------------------------------------------------------------------------------
# Reading a sheet


@dataclass
class Cell:
    where: str  # FILE:SHEET!F7
    value: Any
    number_format: str = "General"
    row: int = 0
    col: int = 0

    def problem(self, message: str) -> Problem:
        return Problem(self.row, self.col, f"{self.where}: {message}")


@dataclass
class Row:
    number: int
    cells: dict[str, Cell]


@dataclass
class Sheet:
    shown: str  # the file, as messages name it
    name: str  # the sheet's name (a CSV's: the file's stem, as Excel shows it)
    rows: list[Row]
    columns: dict[str, str]  # field -> column letter
    stamp: Stamp | None = None
    state: dict[int, dict[str, str]] = field(default_factory=dict)  # id -> exported_state
    problems: list[Problem] = field(default_factory=list)

    def whole(self, message: str) -> Problem:
        return Problem(0, 0, f"{self.shown}: {message}")


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_size(path: Path, shown: str, too_large: str) -> None:
    """Refuse a file that cannot be read or is over :data:`MAX_BYTES` (``too_large``: the
    message, with ``{file}`` and ``{limit}``), before anything reads it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReformctlError(_("cannot read {file}: {reason}").format(
            file=shown, reason=exc.strerror or exc)) from None
    if size > MAX_BYTES:
        raise ReformctlError(too_large.format(file=shown, limit=MAX_BYTES // (1024 * 1024)))


def read_sheet(path: Path, shown: str) -> Sheet:
    """The task rows of an xlsx workbook or a CSV file, and the export's stamp if it has one."""
    check_size(path, shown, _("{file} is larger than {limit} MiB; a sheet of a ledger is far "
                              "smaller: is it the right file?"))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, shown)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, shown)
    raise ReformctlError(
        _("{file}: reformctl imports .xlsx workbooks and .csv files").format(file=shown),
        hint=_("save it as an Excel workbook (.xlsx) or as CSV (UTF-8) and import that"))


def _grid_sheet(shown: str, name: str, grid: list[tuple[int, list[tuple[Any, str]]]]) -> Sheet:
    """Find the header row (within the first 20 rows) and read the rows under it."""
    found: tuple[int, dict[str, int]] | None = None
    for position, (_number, cells) in enumerate(grid[:20]):
        columns: dict[str, int] = {}
        for col, (value, _fmt) in enumerate(cells, 1):
            key = _field_of_header(value)
            if key is not None and key not in columns:
                columns[key] = col
        if "id" in columns and len(columns) >= 2:
            found = position, columns
            break
    if found is None:
        raise ReformctlError(
            _("{file}: no header row with an ID (序号) column was found in sheet {sheet}").format(
                file=shown, sheet=name),
            hint=_("import a sheet written by `reformctl export`, or one whose first row names "
                   "its columns: ID, Status, Progress (%), Due, Note, Evidence"))
    position, columns = found
    letters = {key: column_letter(col) for key, col in columns.items()}
    rows = []
    for number, cells in grid[position + 1:]:
        row = Row(number, {})
        for key, col in columns.items():
            value, fmt = cells[col - 1] if col <= len(cells) else (None, "General")
            row.cells[key] = Cell(f"{shown}:{name}!{letters[key]}{number}", value, fmt, number,
                                  col)
        if any(not _blank(c.value) for c in row.cells.values()):
            rows.append(row)
    return Sheet(shown, name, rows, letters)


def _field_of_header(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    key = _header_key(value)
    return next((name for name, words in HEADER_WORDS.items() if key in words), None)


def _header_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_xlsx(path: Path, shown: str) -> Sheet:
    import zipfile

    openpyxl = need_openpyxl()
    import warnings

    check_zip(path, shown)
    try:
        with warnings.catch_warnings():  # openpyxl warns about styles and extensions it skips
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, data_only=True, read_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as exc:
        raise ReformctlError(
            _("{file} cannot be read as an xlsx workbook ({reason})").format(
                file=shown, reason=str(exc) or type(exc).__name__),
            hint=_("open it in Excel, WPS or LibreOffice and save it as .xlsx")) from None
    try:
        sheet = None
        for ws in wb.worksheets:
            if ws.title == META_SHEET or ws.sheet_state != "visible":
                continue
            grid = _xlsx_grid(ws)
            try:
                sheet = _grid_sheet(shown, ws.title, grid)
                break
            except ReformctlError:
                if ws is wb.worksheets[-1] or sheet is not None:
                    raise
        if sheet is None:
            raise ReformctlError(_("{file}: no sheet with tasks was found").format(file=shown))
        if META_SHEET in wb.sheetnames:
            _read_stamp(sheet, _xlsx_grid(wb[META_SHEET]))
        return sheet
    finally:
        wb.close()


MAX_UNPACKED = 256 * 1024 * 1024  # what a workbook may hold once unzipped


def check_zip(path: Path, shown: str) -> None:
    """Refuse a workbook that would unpack to far more than any sheet of tasks (a zip bomb)
    before openpyxl unpacks it."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # openpyxl says why it cannot be read
    if size > MAX_UNPACKED:
        raise ReformctlError(_("{file} unpacks to {size} MiB, far more than any sheet of tasks; "
                               "it was not read").format(file=shown, size=size // (1024 * 1024)))


def _xlsx_grid(ws: Any) -> list[tuple[int, list[tuple[Any, str]]]]:
    if ws.max_row > MAX_ROWS:
        raise ReformctlError(_("sheet {sheet} has {count} rows; reformctl reads at most "
                               "{limit}").format(sheet=ws.title, count=ws.max_row, limit=MAX_ROWS))
    return [(cells[0].row, [(c.value, c.number_format or "General") for c in cells])
            for cells in ws.iter_rows() if cells]


def _read_csv(path: Path, shown: str) -> Sheet:
    import csv
    import io

    raw = path.read_bytes()
    text = _decode_csv(raw, shown)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else (
        ";" if first.count(";") > first.count(",") else ",")
    grid = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, 1):
            if number > MAX_ROWS:
                raise ReformctlError(_("{file} has more than {limit} rows").format(
                    file=shown, limit=MAX_ROWS))
            grid.append((number, [(c, "General") for c in cells]))
    except csv.Error as exc:
        raise ReformctlError(_("{file} is not a CSV file reformctl can read ({reason})").format(
            file=shown, reason=exc)) from None
    return _grid_sheet(shown, path.stem, grid)


def _decode_csv(raw: bytes, shown: str) -> str:
    """UTF-8 (with or without the byte-order mark Excel writes), UTF-16 ("Unicode text"), or
    GB18030, which is what Excel on Chinese Windows writes as "CSV"."""
    import codecs

    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise ReformctlError(
            _("{file} is neither UTF-8 nor GB18030 text").format(file=shown),
            hint=_("save it from the spreadsheet as CSV UTF-8, or as an xlsx workbook")) from None


def _read_stamp(sheet: Sheet, grid: list[tuple[int, list[tuple[Any, str]]]]) -> None:
    """The export's stamp and the tasks' state at export, from the hidden sheet."""
    values = {str(cells[0][0]).strip(): ("" if len(cells) < 2 or cells[1][0] is None
                                         else str(cells[1][0]).strip())
              for _n, cells in grid if cells and cells[0][0] is not None}
    if values.get("format") != FORMAT:
        return
    sheet.stamp = Stamp(values.get("plan", ""), values.get("exported", ""),
                        values.get("sha256", ""), values.get("lang", ""))
    in_state = False
    for _n, cells in grid:
        texts = ["" if v is None else str(v).strip() for v, _f in cells]
        if texts[:4] == ["id", "status", "progress", "due"]:
            in_state = True
            continue
        if in_state and texts and texts[0].isdecimal():
            padded = [*texts, "", "", ""]
            sheet.state[int(texts[0])] = {"status": padded[1], "progress": padded[2],
                                          "due": padded[3]}


# ---------------------------------------------------------------------------------------------
# Cell values, as spreadsheet programs save them


class _Bad(Exception):
    pass


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def cell_id(value: Any) -> int:
    if isinstance(value, bool):
        raise _Bad(_("'{value}' is not a task id (a whole number)").format(value=value))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and value > 0:
        return value
    text = _nfkc(str(value))
    if text.endswith(".0"):
        text = text[:-2]
    if text.isascii() and text.isdecimal() and int(text) > 0:
        return int(text)
    raise _Bad(_("'{value}' is not a task id (a whole number)").format(value=value))


def cell_status(value: Any) -> str:
    if _blank(value):
        raise _Bad(_("the status is empty; choose one of {names}").format(
            names=_names()))
    from .query import fold

    word = fold(str(value))
    status = STATUS_WORDS.get(word) or STATUS_WORDS.get(word.replace(" ", "-"))
    if status is None:
        status = {"to do": "todo", "to-do": "todo"}.get(word)
    if status is None:
        raise _Bad(_("'{value}' is not a status; choose one of {names}").format(
            value=str(value).strip(), names=_names()))
    return status


def _names() -> str:
    from .i18n import current

    return "、".join(status_labels("zh")) if current() == "zh" else ", ".join(STATUSES)


def cell_progress(value: Any, number_format: str = "General") -> int | None:
    """A percentage 0..100: a number (0.4 in a cell formatted as a percentage is 40), or text
    such as 40, ４０, "40 %", "40.0"."""
    if _blank(value):
        return None
    number: float
    if isinstance(value, bool):
        raise _Bad(_("'{value}' is not a progress (a whole number from 0 to 100)").format(
            value=value))
    if isinstance(value, int | float):
        number = float(value) * (100 if "%" in number_format else 1)
    else:
        text = _nfkc(str(value)).replace(" ", "")
        percent = text.endswith("%")
        text = text.rstrip("%")
        try:
            number = float(text)
        except ValueError:
            raise _Bad(_("'{value}' is not a progress (a whole number from 0 to 100)").format(
                value=str(value).strip())) from None
        del percent
    if not number == round(number):
        if abs(number - round(number)) < 1e-9:  # 0.57 * 100
            number = round(number)
        else:
            raise _Bad(_("progress {value} is not a whole number").format(value=_num(number)))
    if not 0 <= number <= 100:
        raise _Bad(_("progress {value} is not between 0 and 100").format(value=_num(number)))
    return int(round(number))


def _num(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                        r"(?:\s*[T ]?\s*0{1,2}:00(?::00)?)?\Z")


def cell_date(value: Any) -> date | None:
    """A date: a date cell, or text as people type it (2018-12-31, 2018/12/31, 2018.12.31,
    2018年12月31日, full-width digits too)."""
    if _blank(value):
        return None
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise _Bad(_("{value} is a time of day, not a date").format(value=value.isoformat()))
        return value.date()
    if isinstance(value, date):
        return value
    text = _nfkc(str(value))
    match = _DATE_TEXT.match(text)
    if match is None:
        raise _Bad(_("'{value}' is not a date; write it as 2018-12-31").format(
            value=str(value).strip()))
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        raise _Bad(_("'{value}' is not a real date").format(value=str(value).strip())) from None


def cell_text(value: Any) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    return str(value).replace("\r\n", "\n").strip()


def cell_list(value: Any) -> list[str]:
    """Evidence: one item a line (or separated by semicolons, half- or full-width)."""
    text = cell_text(value)
    if text is None:
        return []
    return [item.strip() for item in re.split(r"[\n;；]", text) if item.strip()]


# ---------------------------------------------------------------------------------------------
# Comparing with the ledger


@dataclass
class Wanted:
    """What one row asks for: the fields it changes, and its note and evidence."""

    row: Row
    task: Task
    values: dict[str, Any]  # field -> new value (None: clear)
    note: str | None
    evidence: tuple[str, ...]


@dataclass
class Parsed:
    """A row's values, read (problems are collected in the sheet)."""

    row: Row
    id: int
    values: dict[str, Any]  # tracked fields that have a column: status, progress, due
    locked: dict[str, Any]  # ref, level, text, owner as written
    note: str | None
    evidence: tuple[str, ...]
    readable: bool  # every cell could be read


def parse_rows(sheet: Sheet) -> list[Parsed]:
    """Every row's values; every cell that cannot be read is a problem in ``sheet.problems``."""
    parsed: list[Parsed] = []
    seen: dict[int, int] = {}
    readers: dict[str, Callable[[Cell], Any]] = {
        "status": lambda c: cell_status(c.value),
        "progress": lambda c: cell_progress(c.value, c.number_format),
        "due": lambda c: cell_date(c.value),
    }
    for row in sheet.rows:
        id_cell = row.cells["id"]
        if _blank(id_cell.value):
            sheet.problems.append(id_cell.problem(_(
                "a row without an id; a new task is added with `reformctl add`")))
            continue
        try:
            task_id = cell_id(id_cell.value)
        except _Bad as exc:
            sheet.problems.append(id_cell.problem(str(exc)))
            continue
        if task_id in seen:
            sheet.problems.append(id_cell.problem(_(
                "task {id} is in row {first} too; give each task one row").format(
                id=task_id, first=seen[task_id])))
            continue
        seen[task_id] = row.number
        values: dict[str, Any] = {}
        ok = True
        for key, read in readers.items():
            if key in row.cells:
                try:
                    values[key] = read(row.cells[key])
                except _Bad as exc:
                    sheet.problems.append(row.cells[key].problem(str(exc)))
                    ok = False
        note = cell_text(row.cells["note"].value) if "note" in row.cells else None
        evidence = tuple(cell_list(row.cells["evidence"].value)) if "evidence" in row.cells else ()
        locked = {k: row.cells[k].value for k in LOCKED if k in row.cells and k != "id"}
        parsed.append(Parsed(row, task_id, values, locked, note, evidence, ok))
    return parsed


def _locked_problem(key: str, written: Any, task: Task) -> str | None:
    """A locked cell that no longer holds the ledger's value."""
    from .query import fold

    text = cell_text(written)
    if text is None:  # an empty cell claims nothing (a CSV made by hand leaves them out)
        return None
    if key == "ref":
        same = fold(text) == fold(task.ref)
    elif key == "level":
        from .models import LEVEL_WORDS

        same = LEVEL_WORDS.get(fold(text)) == task.level
    elif key == "owner":
        same = text == (task.owner or "").strip()
    else:
        same = text == task.text.strip()
    if same:
        return None
    names = {"ref": _("the ref"), "level": _("the level"), "text": _("the task text"),
             "owner": _("the lead unit")}
    return _("{what} of task {id} was edited; it is locked: only status, progress, due, note "
             "and evidence are imported (the ledger has '{value}')").format(
        what=names[key], id=task.id, value=_short(getattr(task, key) or ""))


def _short(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= 40 else text[:39] + "…"


def _shown(key: str, value: Any) -> str:
    if value is None:
        return _("(empty)")
    if key == "status":
        from .i18n import current

        return status_label(value, current())
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _from_state(key: str, text: str) -> Any:
    if not text:
        return None
    if key == "progress":
        return int(text) if text.isdecimal() else text
    if key == "due":
        try:
            return date.fromisoformat(text)
        except ValueError:
            return text
    return text


def compare(sheet: Sheet, rows: list[Parsed], lookup: Callable[[int], Task | None],
            plan_title: str | None) -> list[Wanted]:
    """What each row changes in the ledger as it is now; problems go into ``sheet.problems``."""
    if sheet.stamp is not None and plan_title is not None and sheet.stamp.plan != plan_title:
        sheet.problems.append(sheet.whole(_(
            "this sheet was exported from the plan '{sheet_plan}', not from this ledger's "
            "'{plan}'").format(sheet_plan=sheet.stamp.plan, plan=plan_title)))
    wanted: list[Wanted] = []
    for parsed in rows:
        task = lookup(parsed.id)
        if task is None:
            sheet.problems.append(parsed.row.cells["id"].problem(_(
                "no task {id} in this ledger").format(id=parsed.id)))
            continue
        bad = False
        for key, written in parsed.locked.items():
            problem = _locked_problem(key, written, task)
            if problem is not None:
                sheet.problems.append(parsed.row.cells[key].problem(problem))
                bad = True
        if bad or not parsed.readable:
            continue
        state = sheet.state.get(task.id)
        values: dict[str, Any] = {}
        for key, new in parsed.values.items():
            now = getattr(task, key)
            if new == now:
                continue
            if state is not None:
                then = _from_state(key, state.get(key, ""))
                if new == then:
                    continue  # the sheet left it as exported: a later change in the ledger stays
                if now != then:
                    sheet.problems.append(parsed.row.cells[key].problem(_(
                        "conflict: task {id}'s {field} was {then} when the sheet was exported, "
                        "has since been changed in the ledger to {now}, and the sheet says "
                        "{new}; settle it with `reformctl update` or correct the cell").format(
                        id=task.id, field=_field_name(key), then=_shown(key, then),
                        now=_shown(key, now), new=_shown(key, new))))
                    continue
            values[key] = new
        if not values and parsed.note is None and not parsed.evidence:
            continue
        if not values and _already_recorded(task, parsed.note, parsed.evidence):
            continue  # the same sheet imported again: its note is in the history already
        wanted.append(Wanted(parsed.row, task, values, parsed.note, parsed.evidence))
    return wanted


def _field_name(key: str) -> str:
    return {"status": _("status"), "progress": _("progress"), "due": _("due date")}[key]


def _already_recorded(task: Task, note: str | None, evidence: tuple[str, ...]) -> bool:
    return any(e.note == note and tuple(e.evidence) == evidence for e in task.history)


def warnings_of(changed: list[tuple[Wanted, Task]], tasks_path: str) -> list[Problem]:
    """What ``check`` would warn about the changed tasks (done without evidence, a status that
    disagrees with the progress), at the row's cell: written all the same, as ``update`` does."""
    from .checks import RuleContext, done_has_evidence, status_matches_progress

    ctx = RuleContext(tasks_path, "", [(i, new) for i, (_w, new) in enumerate(changed)], [], None)
    found = []
    for diag in (*status_matches_progress(ctx), *done_has_evidence(ctx)):
        want = changed[int(diag.data_path[1])][0]
        cell = want.row.cells.get(str(diag.data_path[2])) or want.row.cells["id"]
        found.append(cell.problem(_("warning: {message}").format(message=diag.message)))
    return sorted(found)


def stale_notice(sheet: Sheet, ledger_bytes: bytes) -> str | None:
    """A line saying the ledger changed since the export, if it did."""
    if sheet.stamp is None or not sheet.stamp.sha256:
        return None
    if content_hash(ledger_bytes) == sheet.stamp.sha256:
        return None
    return _("reformctl: the ledger has changed since {file} was exported ({time}); each "
             "cell is compared with the value it had then").format(file=sheet.shown,
                                                                   time=sheet.stamp.exported)


def update_of(wanted: Wanted) -> Any:
    """The :class:`edit.Update` that makes a row's change."""
    from .edit import Update

    values = wanted.values
    clear = frozenset(k for k in ("progress", "due") if k in values and values[k] is None)
    return Update(status=values.get("status"), progress=values.get("progress"),
                  due=values.get("due"), clear=clear, note=wanted.note,
                  evidence=wanted.evidence)
