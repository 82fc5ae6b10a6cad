"""The roll-up of many unit ledgers in every format, and what sync-plan says it did.

The roll-up's data is built by :mod:`reformctl.rollup` (plain data); this module only draws it.
Text from the data is made inert (:func:`reformctl.render.inert`) in every format.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..i18n import N_
from . import inert

if TYPE_CHECKING:
    from ..units import Synced


def sync_lines(results: Sequence[Synced], dry_run: bool) -> str:
    """One line per change made (or, dry, to be made) to each unit ledger, then its summary."""
    from ..i18n import _, ngettext
    from . import field_label

    out: list[str] = []
    for r in results:
        for task, fields in r.changed:
            for key, (old, new) in fields.items():
                out.append(_("{path}: task {id} ({ref}): {field} taken from the plan: {old} -> "
                             "{new}").format(path=r.path, id=task.id, ref=task.ref,
                                             field=field_label(key), old=_value(old),
                                             new=_value(new)))
        for task in r.added:
            out.append(_("{path}: task {id} ({ref}) added from the plan: {text}").format(
                path=r.path, id=task.id, ref=task.ref, text=task.text))
        for task in r.not_in_plan:
            out.append(_("{path}: task {id} ({ref}) is no longer in the plan for this unit; "
                         "kept as it is").format(path=r.path, id=task.id, ref=task.ref))
        if r.up_to_date:
            out.append(_("{path}: up to date with the plan").format(path=r.path))
            continue
        changes = ngettext("{count} task changed", "{count} tasks changed",
                           len(r.changed)).format(count=len(r.changed))
        added = ngettext("{count} task added", "{count} tasks added",
                         len(r.added)).format(count=len(r.added))
        if dry_run:
            line = _("{path}: would be brought up to date (dry run, nothing written): "
                     "{changed}, {added}")
        else:
            line = _("{path}: brought up to date with the plan: {changed}, {added}")
        out.append(line.format(path=r.path, changed=changes, added=added))
    return "".join(inert(line) + "\n" for line in out)


def _value(value: Any) -> str:
    from . import cell_text

    if value is None:
        return "-"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return cell_text(value)


# ---------------------------------------------------------------------------------------------
# The roll-up


def rollup_output(data: dict[str, Any], fmt: str, width: int = 100) -> str | bytes:
    """The roll-up in ``fmt``: json (the data as built, ``reformctl.rollup/1``, one line per
    record), csv (one row per unit and task), or the roll-up's document drawn by the report's
    writers: table (plain text ``width`` columns wide), markdown, html, xlsx, docx (bytes)."""
    if fmt == "json":
        return json_records(data)
    if fmt == "csv":
        return _csv(data)
    if fmt in ("table", "markdown", "html", "xlsx", "docx"):
        from .document import draw

        return draw(build_document(data), fmt, width)
    raise ValueError(f"unknown roll-up format {fmt!r}")


def rollup_view(data: dict[str, Any]) -> Any:
    """The roll-up for a terminal (colour; fitted to the console's width by rich)."""
    from .report_text import text_view

    return text_view(build_document(data))


RECORD_LISTS = ("units", "tasks", "commitments", "disagreements")


def json_records(data: dict[str, Any]) -> str:
    """The roll-up's JSON with one record (a unit, a task, a commitment, a disagreement) on each
    line, each written compact by the json module's C encoder: the same JSON value as indented
    output, several times faster to write for a city, and still a reviewable diff."""
    import json

    from . import _escapes, _json_default

    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                              default=_json_default).encode
    lines = []
    for key, value in data.items():
        name = encode(key)
        if key in RECORD_LISTS and isinstance(value, list) and value:
            lines.append(name + ":[\n" + ",\n".join(encode(v) for v in value) + "\n]")
        else:
            lines.append(name + ":" + encode(value))
    text = "{\n" + ",\n".join(lines) + "\n}\n"
    # str.translate looks up every character (the slowest part of writing a city's JSON); a
    # regular expression finds the rare character that needs it first
    return text.translate(_escapes("json")) if _unsafe().search(text) else text


_UNSAFE: list[Any] = []


def _unsafe() -> Any:
    """A pattern matching any character :func:`reformctl.render._escapes` escapes."""
    if not _UNSAFE:
        import re

        from . import _escapes

        codes = sorted(_escapes("json"))
        ranges, start = [], codes[0]
        for prev, code in zip(codes, codes[1:] + [-1], strict=True):
            if code != prev + 1:
                ranges.append(f"\\u{start:04x}-\\u{prev:04x}" if prev > start
                              else f"\\u{start:04x}")
                start = code
        _UNSAFE.append(re.compile("[" + "".join(ranges) + "]"))
    return _UNSAFE[0]


# Column headers (a context before the bar keeps them apart from the same English words elsewhere)
HEADERS = {
    "Unit": N_("rollup|Unit"),
    "Tasks": N_("rollup|Tasks"),
    "Done": N_("rollup|Done"),
    "Completion": N_("rollup|Completion"),
    "Average progress": N_("rollup|Average progress"),
    "Overdue": N_("rollup|Overdue"),
    "Evidence": N_("rollup|Evidence"),
    "Last update": N_("rollup|Last update"),
    "Task": N_("rollup|Task"),
    "Text": N_("rollup|Text"),
    "Due": N_("rollup|Due"),
    "Units": N_("rollup|Units"),
    "Tasks with evidence": N_("rollup|Tasks with evidence"),
    "Statement": N_("rollup|Statement"),
    "Speaker": N_("rollup|Speaker"),
    "Commitments": N_("rollup|Commitments"),
    "Ledger": N_("rollup|Ledger"),
    "Problem": N_("rollup|Problem"),
    "Detail": N_("rollup|Detail"),
    "Overdue tasks": N_("rollup|Overdue tasks"),
    "States of its tasks": N_("rollup|States of its tasks"),
    "As of": N_("rollup|As of"),
    "Plan": N_("rollup|Plan"),
}
# The workbook's sheets after the summary (at most 31 characters), by the table's name
SHEETS = {
    "matrix": N_("sheet|Status matrix"),
    "tasks": N_("sheet|Tasks"),
    "behind": N_("sheet|Behind schedule"),
    "evidence": N_("sheet|Evidence"),
    "quiet": N_("sheet|No update"),
    "commitments": N_("sheet|Commitments"),
    "disagreements": N_("sheet|Disagreements"),
}


def _h(word: str) -> str:
    from . import tr

    return tr(HEADERS[word])


def _pct(value: Any) -> str:
    return "" if value is None else f"{value:g}%"


def build_document(data: dict[str, Any]) -> Any:
    """The roll-up as a :class:`~reformctl.render.document.Document`: a heading, the as-of day
    and the plan, then one section per table (or a line saying there is nothing)."""
    from datetime import date

    from ..i18n import _, current, ngettext
    from . import day_text, status_label, tr
    from .document import Cell, Column, Document, Fields, Para, Row, Section, Table

    def num(value: int) -> Cell:
        return Cell(str(value), "number", value)

    def pct(value: float | None) -> Cell:
        return Cell(_pct(value), "percent", value) if value is not None else Cell("—", "percent")

    def day(value: str | None, empty: str = "—") -> Cell:
        if not value:
            return Cell(empty)
        return Cell(value[:10], "date", date.fromisoformat(value[:10]))

    def status(value: str | None) -> Cell:
        return Cell(status_label(value), "status", value) if value else Cell("—")

    def listed(items: list[str], sep: str) -> Cell:
        return Cell(sep.join(items), "list", list(items), tuple(Cell(i) for i in items))

    plan = data["plan"]
    units, tasks = data["units"], data["tasks"]
    title = (ngettext("Roll-up of {count} unit ledger as of {day}: {plan}",
                      "Roll-up of {count} unit ledgers as of {day}: {plan}", len(units))
             if plan else ngettext("Roll-up of {count} unit ledger as of {day}",
                                   "Roll-up of {count} unit ledgers as of {day}", len(units))
             ).format(count=len(units), day=day_text(data["as_of"]),
                      plan=plan["title"] if plan else "")
    head = [(_h("As of"), day(data["as_of"]))]
    if plan:
        unit = tr(N_("separator| ({inner})")).format(inner=plan["unit"]) if plan["unit"] else ""
        head.append((_h("Plan"), Cell(plan["title"] + unit)))
    sections: list[Section] = []

    def section(heading: str, name: str, columns: list[Column], rows: list[list[Cell]],
                empty: str) -> None:
        if not rows:
            sections.append(Section(heading, (Para(empty, "muted"),)))
            return
        table = Table(tuple(columns), tuple(Row(tuple(r)) for r in rows), name)
        sections.append(Section(heading, (table,)))

    unit_col = Column(_h("Unit"), key="owner")
    # named "totals": the workbook's first sheet holds the head and this table
    section(_("Completion per unit"), "totals",
            [unit_col, Column(_h("Tasks"), "number"), Column(_h("Done"), "number"),
             Column(_h("Completion"), "percent"), Column(_h("Average progress"), "percent"),
             Column(_h("Overdue"), "number"), Column(_h("Evidence"), "number"),
             Column(_h("Last update"), "date")],
            [[Cell(u["unit"]), num(u["tasks"]), num(u["done"]), pct(u["completion"]),
              pct(u["average_progress"]), num(len(u["overdue"])), num(u["evidence"]),
              day(u["last_update"])] for u in units],
            _("no unit ledger"))
    section(_("Status of each task in each unit"), "matrix",
            [unit_col, *(Column(t["ref"], "status") for t in tasks)],
            [[Cell(u["unit"]), *(status(t["statuses"][u["unit"]]) for t in tasks)]
             for u in units],
            _("no unit ledger"))
    section(_("Completion per task"), "tasks",
            [Column(_h("Task"), "ref"), Column(_h("Text"), wrap=True, key="text"),
             Column(_h("Due"), "date"), Column(_h("Units"), "number"),
             Column(_h("Done"), "number"), Column(_h("Completion"), "percent")],
            [[Cell(t["ref"], "ref", t["ref"]), Cell(t["text"]), day(t["due"]), num(t["units"]),
              num(t["done"]), pct(t["completion"])] for t in tasks],
            _("no task"))
    section(_("Units behind schedule (overdue tasks)"), "behind",
            [unit_col, Column(_h("Overdue"), "number"),
             Column(_h("Overdue tasks"), "list", wrap=True)],
            [[Cell(u["unit"]), num(len(u["overdue"])),
              listed([ngettext("{ref} ({days} day)", "{ref} ({days} days)",
                               o["days_overdue"]).format(ref=o["ref"], days=o["days_overdue"])
                      for o in u["overdue"]], ", ")]
             for u in units if u["overdue"]],
            _("no unit is behind schedule"))
    section(_("Evidence recorded per unit"), "evidence",
            [unit_col, Column(_h("Evidence"), "number"),
             Column(_h("Tasks with evidence"), "number"), Column(_h("Tasks"), "number")],
            [[Cell(u["unit"]), num(u["evidence"]), num(u["tasks_with_evidence"]),
              num(u["tasks"])] for u in units],
            _("no unit ledger"))
    section(_("Units with no update since {day}").format(day=day_text(data["quiet_since"])),
            "quiet",
            [unit_col, Column(_h("Last update"), "date")],
            [[Cell(u["unit"]), day(u["last_update"], _("never"))] for u in units if u["quiet"]],
            _("every unit has recorded an update since then"))
    section(_("Symposium commitments and the speaking unit's progress"), "commitments",
            [Column(_h("Statement"), "number"), Column(_h("Speaker")), unit_col,
             Column(_h("Commitments"), "list", wrap=True, key="text"),
             Column(_h("States of its tasks"), "list", wrap=True),
             Column(_h("Completion"), "percent")],
            [[num(c["voice"]) if isinstance(c["voice"], int) else Cell(str(c["voice"])),
              Cell(c["speaker"] or "—"), Cell(c["unit"] or "—"),
              listed(list(c["commitments"]), "; "),
              listed([f"{t['ref'] or t['id']}: " + (
                  status_label(t["status"]) if t["status"] else _("not in its ledger"))
                  for t in c["tasks"]], ", "),
              pct(c["completion"]) if c["ledger"] else Cell(_("no ledger"))]
             for c in data["commitments"]],
            _("no symposium statements in the plan"))
    section(_("Units that disagree with the plan"), "disagreements",
            [unit_col, Column(_h("Ledger")), Column(_h("Problem")), Column(_h("Task"), "ref"),
             Column(_h("Detail"), wrap=True)],
            [[Cell(d["unit"]), Cell(d["path"]), Cell(_disagreement(d["kind"])),
              Cell(d["ref"] or "—", "ref", d["ref"]), Cell(_detail(d))]
             for d in data["disagreements"]],
            _("every unit ledger agrees with the plan"))
    meta = {"schema": data["format"], "subject": (plan or {}).get("unit") or "",
            "separator": tr(N_("separator|: ")), "notes_label": ""}
    meta.update({f"sheet.{name}": tr(label) for name, label in SHEETS.items()})
    return Document(title=title, lang=current(), as_of=str(data["as_of"]),
                    head=Fields(tuple(head)), notes=(), sections=tuple(sections), meta=meta)


def _detail(d: dict[str, Any]) -> str:
    from ..i18n import ngettext

    if d["kind"] == "invalid":
        count = int(d["detail"])
        return ngettext("{count} error", "{count} errors", count).format(count=count)
    return str(d["detail"])


def _disagreement(kind: str) -> str:
    from ..i18n import _

    words = {
        "invalid": _("the ledger has errors (not joined)"),
        "not-derived": _("not derived from a plan"),
        "other-plan": _("derived from another plan"),
        "plan-behind": _("derived from an older version of the plan"),
        "unknown-task": _("task not in the plan (not joined)"),
        "changed-text": _("task text differs from the plan's"),
        "missing-task": _("task of the plan missing"),
    }
    return words.get(kind, kind)


CSV_HEADERS = ("unit", "path", "task", "ref", "status", "progress", "due", "overdue",
               "evidence", "last_update")


def _csv(data: dict[str, Any]) -> str:
    """One row per unit and task of the matrix; English keys and the files' values (a machine
    format, like a listing's csv)."""
    from . import to_csv

    rows = []
    for unit in data["units"]:
        overdue = {o["id"] for o in unit["overdue"]}
        for task in data["tasks"]:
            status = task["statuses"].get(unit["unit"])
            if status is None:
                continue
            rows.append([unit["unit"], unit["path"], task["id"], task["ref"], status,
                         _unit_value(data, unit, task, "progress"),
                         _unit_value(data, unit, task, "due"),
                         "yes" if task["id"] in overdue else "no",
                         _unit_value(data, unit, task, "evidence"),
                         _unit_value(data, unit, task, "last_update")])
    return to_csv(CSV_HEADERS, rows)


def _unit_value(data: dict[str, Any], unit: dict[str, Any], task: dict[str, Any],
                key: str) -> Any:
    value = unit["cells"].get(str(task["id"]), {}).get(key)
    return "" if value is None else value
