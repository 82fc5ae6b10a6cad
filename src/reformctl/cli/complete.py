"""Shell completion of values: levels, statuses (English and Chinese) and task references.

Wired into every option and argument that takes one (``autocompletion=`` in their declarations).
Completion never fails loudly: a ledger that cannot be read completes nothing.
"""

from __future__ import annotations

import unicodedata
from typing import Any


def _matching(pairs: list[tuple[str, str]], incomplete: str) -> list[tuple[str, str]]:
    typed = unicodedata.normalize("NFKC", incomplete).casefold()
    return [(value, help) for value, help in pairs if value.casefold().startswith(typed)]


def complete_level(incomplete: str) -> list[tuple[str, str]]:
    """district, federation, grassroots and 区级, 区总工会, 基层."""
    from ..models import LEVEL_ZH, LEVELS

    pairs = [(level, LEVEL_ZH[level]) for level in LEVELS]
    pairs += [(LEVEL_ZH[level], level) for level in LEVELS]
    return _matching(pairs, incomplete)


def complete_status(incomplete: str) -> list[tuple[str, str]]:
    """todo, in-progress, done, blocked, dropped and 未开始, 进行中, 已完成, 受阻, 已取消."""
    from ..models import STATUS_ZH, STATUSES

    pairs = [(status, STATUS_ZH[status]) for status in STATUSES]
    pairs += [(STATUS_ZH[status], status) for status in STATUSES]
    return _matching(pairs, incomplete)


def complete_task(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Task ids and refs (D3, F3, G3) of the ledger the command line names, with the task's
    text as help; nothing when the ledger cannot be read."""
    try:
        from ..ledgers import find_ledger
        from ..loader import open_ledger

        data = None
        while ctx is not None and data is None:
            data = (getattr(ctx, "params", None) or {}).get("data")
            ctx = getattr(ctx, "parent", None)
        ledger = open_ledger(find_ledger(data))
        pairs = []
        for task in ledger.tasks:
            gist = task.title or task.text
            short = gist if len(gist) <= 40 else gist[:39] + "…"
            pairs.append((str(task.id), f"{task.ref} {short}"))
            pairs.append((task.ref, f"{task.id} {short}"))
        return _matching(pairs, incomplete)
    except Exception:  # completion must never print an error into the user's prompt
        return []
