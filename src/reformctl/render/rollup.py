"""The roll-up of many unit ledgers in every format, and what sync-plan says it did.

The roll-up's data is built by :mod:`reformctl.rollup` (plain data); this module only draws it.
Text from the data is made inert (:func:`reformctl.render.inert`) in every format.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

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
