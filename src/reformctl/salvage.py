"""What can be read of a ledger that has errors, for the commands that only read.

``list``, ``show``, ``voices`` and ``log`` show every task and statement that could be read and
then say how many errors the ledger has; ``report`` and every write still refuse a ledger with
errors (:func:`reformctl.loader.open_ledger`, the write transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import Diagnostic, LedgerError
from .models import Ledger, Meeting, Plan

if TYPE_CHECKING:
    from .ledgers import LedgerDir
    from .loader import Loaded


@dataclass
class Readable:
    """The readable part of a ledger, and every problem :func:`reformctl.loader.load` found
    (located only when :attr:`diagnostics` is read: ``list`` asks only for the errors)."""

    ledger: Ledger
    loaded: Loaded

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.loaded.diagnostics

    @property
    def errors(self) -> list[Diagnostic]:
        return self.loaded.errors


def readable(where: LedgerDir) -> Readable:
    """The whole ledger when it is valid; else every task and statement that could be read.

    Raises :class:`LedgerError` only when nothing could be read (a file that is missing, not
    UTF-8, or has no task that parses and validates).
    """
    from . import yamldoc
    from .checks import validate
    from .loader import load

    loaded = load(where)
    if loaded.ledger is not None and not loaded.errors:
        return Readable(loaded.ledger, loaded)
    parts: dict[str, tuple[Any, list[Any]]] = {}
    for kind in ("tasks", "voices"):
        source = loaded.texts.get(kind)
        head: Any = None
        items: list[Any] = []
        if kind in loaded.validated:  # read and validated by load() already
            head, items = loaded.validated[kind]
        elif source is not None:
            parsed = yamldoc.parse(source)
            data = parsed.data
            if data is None and parsed.diagnostics:
                data = yamldoc.salvage(source)
            if isinstance(data, dict):
                validated = validate(kind, data, source.path)
                head, items = validated.head, [item for _, item in validated.items]
        parts[kind] = (head, items)
    plan, tasks = parts["tasks"]
    if plan is None and not tasks:
        raise LedgerError(loaded.diagnostics)
    meeting, voices = parts["voices"]
    ledger = Ledger(
        plan if isinstance(plan, Plan) else Plan.model_construct(title="", year=None,
                                                                 approved=None, unit=None,
                                                                 source=None),
        tasks,
        meeting if isinstance(meeting, Meeting) else None,
        voices,
    )
    return Readable(ledger, loaded)
