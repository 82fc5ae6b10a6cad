"""The report as CSV: the document's ledger table, one row per task, typed values.

Headers in the report's language; cells are the values machines read: numbers as numbers, dates
as ``YYYY-MM-DD``, the level and status as the files' values (``grassroots``, ``in-progress``, as
``reformctl list --format csv`` writes them), lists joined with ``; ``, nothing as nothing.
"""

from __future__ import annotations

from . import to_csv
from .document import Document


def write_csv(document: Document) -> str:
    table = document.ledger
    assert table is not None
    return to_csv([c.label for c in table.columns],
                  [[cell.value for cell in row.cells] for row in table.rows])
