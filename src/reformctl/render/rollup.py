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


def rollup_output(data: dict[str, Any], fmt: str) -> str:
    """The roll-up in ``fmt``: table (plain text, lined up), markdown, csv (one row per unit and
    task) or json (the data as built, ``reformctl.rollup/1``)."""
    from . import to_json

    if fmt == "json":
        return to_json(data)
    if fmt == "csv":
        return _csv(data)
    sections = _sections(data)
    if fmt == "markdown":
        from . import md_cell, md_table

        out = [f"# {md_cell(sections[0][0])}\n"]
        for title, headers, rows, empty in sections[1:]:
            out.append(f"\n## {md_cell(title)}\n\n")
            out.append(md_table(headers, rows) if rows else md_cell(empty) + "\n")
        return "".join(out)
    if fmt == "table":
        out = [inert(sections[0][0]) + "\n"]
        for title, headers, rows, empty in sections[1:]:
            out.append("\n" + inert(title) + "\n")
            out.append(text_table(headers, rows) if rows else "  " + inert(empty) + "\n")
        return "".join(out)
    raise ValueError(f"unknown roll-up format {fmt!r}")


def text_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table lined up in terminal cells (wide characters count two)."""
    from rich.cells import cell_len

    from . import cell_text

    table = [[inert(h) for h in headers]] + [[_cut(inert(cell_text(v))) for v in row]
                                             for row in rows]
    widths = [max(cell_len(row[i]) for row in table) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return ("  " + "  ".join(c + " " * (w - cell_len(c)) for c, w in
                                 zip(row, widths, strict=True))).rstrip() + "\n"

    rule = "  " + "  ".join("-" * w for w in widths) + "\n"
    return line(table[0]) + rule + "".join(line(row) for row in table[1:])


CELL = 36  # terminal cells a table cell shows at most (the rest is cut, with an ellipsis)


def _cut(text: str) -> str:
    from rich.cells import cell_len

    if cell_len(text) <= CELL:
        return text
    out, width = [], 0
    for ch in text:
        width += cell_len(ch)
        if width > CELL - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


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
}


def _h(word: str) -> str:
    from . import tr

    return tr(HEADERS[word])


def _pct(value: Any) -> str:
    return "" if value is None else f"{value:g}%"


def _sections(data: dict[str, Any]) -> list[Any]:
    """The roll-up's sections, each (title, headers, rows, what to say when there are none);
    the first is the heading alone."""
    from ..i18n import _, ngettext
    from . import day_text, status_label

    plan = data["plan"]
    units, tasks = data["units"], data["tasks"]
    head = (ngettext("Roll-up of {count} unit ledger as of {day}: {plan}",
                     "Roll-up of {count} unit ledgers as of {day}: {plan}", len(units))
            if plan else ngettext("Roll-up of {count} unit ledger as of {day}",
                                  "Roll-up of {count} unit ledgers as of {day}", len(units))
            ).format(count=len(units), day=day_text(data["as_of"]),
                     plan=plan["title"] if plan else "")
    sections: list[Any] = [(head, [], [], "")]
    sections.append((
        _("Completion per unit"),
        [_h("Unit"), _h("Tasks"), _h("Done"), _h("Completion"), _h("Average progress"),
         _h("Overdue"), _h("Evidence"), _h("Last update")],
        [[u["unit"], u["tasks"], u["done"], _pct(u["completion"]), _pct(u["average_progress"]),
          len(u["overdue"]), u["evidence"], (u["last_update"] or "")[:10]] for u in units],
        _("no unit ledger")))
    refs = [t["ref"] for t in tasks]
    sections.append((
        _("Status of each task in each unit"),
        [_h("Unit"), *refs],
        [[u["unit"], *[status_label(t["statuses"][u["unit"]]) if t["statuses"][u["unit"]]
                       else "-" for t in tasks]] for u in units],
        _("no unit ledger")))
    sections.append((
        _("Completion per task"),
        [_h("Task"), _h("Text"), _h("Due"), _h("Units"), _h("Done"),
         _h("Completion")],
        [[t["ref"], t["text"], t["due"] or "", t["units"], t["done"], _pct(t["completion"])]
         for t in tasks],
        _("no task")))
    behind = [u for u in units if u["overdue"]]
    sections.append((
        _("Units behind schedule (overdue tasks)"),
        [_h("Unit"), _h("Overdue"), _h("Overdue tasks")],
        [[u["unit"], len(u["overdue"]),
          ", ".join(ngettext("{ref} ({days} day)", "{ref} ({days} days)",
                             o["days_overdue"]).format(ref=o["ref"], days=o["days_overdue"])
                    for o in u["overdue"])] for u in behind],
        _("no unit is behind schedule")))
    sections.append((
        _("Evidence recorded per unit"),
        [_h("Unit"), _h("Evidence"), _h("Tasks with evidence"), _h("Tasks")],
        [[u["unit"], u["evidence"], u["tasks_with_evidence"], u["tasks"]] for u in units],
        _("no unit ledger")))
    quiet = [u for u in units if u["quiet"]]
    sections.append((
        _("Units with no update since {day}").format(day=day_text(data["quiet_since"])),
        [_h("Unit"), _h("Last update")],
        [[u["unit"], (u["last_update"] or _("never"))[:10]] for u in quiet],
        _("every unit has recorded an update since then")))
    sections.append((
        _("Symposium commitments and the speaking unit's progress"),
        [_h("Statement"), _h("Speaker"), _h("Unit"), _h("Commitments"), _h("States of its tasks"),
         _h("Completion")],
        [[c["voice"], c["speaker"], c["unit"], "; ".join(c["commitments"]),
          ", ".join(f"{t['ref'] or t['id']}: " + (
              status_label(t["status"]) if t["status"] else _("not in its ledger"))
              for t in c["tasks"]),
          _pct(c["completion"]) if c["ledger"] else _("no ledger")]
         for c in data["commitments"]],
        _("no symposium statements in the plan")))
    sections.append((
        _("Units that disagree with the plan"),
        [_h("Unit"), _h("Ledger"), _h("Problem"), _h("Task"), _h("Detail")],
        [[d["unit"], d["path"], _disagreement(d["kind"]), d["ref"] or "", _detail(d)]
         for d in data["disagreements"]],
        _("every unit ledger agrees with the plan")))
    return sections


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
