"""Keep the message catalog current: ``make catalog`` (Babel).

1. Extract every message: ``_()``, ``N_()`` and ``ngettext()`` calls in ``src/reformctl``, and
   every help text declared on the command line (typer takes those from docstrings and
   ``help=``, which no extractor sees).
2. Merge them into ``src/reformctl/locale/zh/LC_MESSAGES/reformctl.po``: new messages arrive
   untranslated, messages no longer used are dropped.
3. Compile the ``.po`` into the ``.mo`` beside it, which ships in the package.

``python tools/catalog.py --check`` changes nothing and exits 1 if the catalog is not current,
complete and compiled (the test suite runs the same checks).
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "reformctl"
PO = SOURCE / "locale" / "zh" / "LC_MESSAGES" / "reformctl.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# Fixed header values: the catalog changes only when a message does.
HEADER = {"project": "reformctl", "copyright_holder": "the reformctl authors",
          "msgid_bugs_address": "", "last_translator": "the reformctl authors",
          "language_team": "zh", "fuzzy": False,
          "creation_date": datetime(2026, 12, 6, tzinfo=UTC),
          "revision_date": datetime(2026, 12, 6, tzinfo=UTC)}


def template() -> Catalog:
    """Every message the program can show, with where it is used."""
    sys.path.insert(0, str(ROOT / "src"))
    import typer.main

    from reformctl.cli import app
    from reformctl.cli.help import declared_texts

    pot = Catalog(**HEADER)
    for filename, lineno, message, _comments, _context in extract_from_dir(
            SOURCE, method_map=[("**.py", "python")], keywords=KEYWORDS,
            comment_tags=(), strip_comment_tags=True):
        pot.add(message, locations=[(f"reformctl/{filename}", lineno)])
    for text in declared_texts(typer.main.get_command(app)):
        if text not in pot:
            pot.add(text, locations=[("reformctl/cli", 0)])
    return pot


def load() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="zh")


def merged() -> Catalog:
    catalog = load() if PO.exists() else Catalog(locale="zh", **HEADER)
    catalog.update(template(), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    for key, value in HEADER.items():
        setattr(catalog, key, value)
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, sort_output=False,
             include_previous=False, no_location=True)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def problems(catalog: Catalog) -> list[str]:
    """What keeps the catalog from being complete: untranslated or fuzzy messages, and
    translations whose ``{placeholders}`` differ from the message's."""
    import re

    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            found.append(f"not translated: {ids[0]!r}")
            continue
        want = sorted(re.findall(r"\{[a-z_]*\}", ids[0]))
        for string in strings:
            if sorted(re.findall(r"\{[a-z_]*\}", string)) != want:
                found.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    return found


def translations(catalog: Catalog) -> dict[str, str]:
    """``{message: translation}`` of a catalog (plural forms joined by NUL, as in a .mo)."""
    out = {}
    for message in catalog:
        if message.id and not message.fuzzy:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            out["\0".join(ids)] = "\0".join(strings)
    return out


def compiled() -> dict[str, str]:
    """``{message: translation}`` as the shipped .mo holds it."""
    import gettext

    with MO.open("rb") as handle:
        table = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    out = {}
    for key, value in table.items():
        if isinstance(key, tuple):  # a plural form: (message, n)
            continue
        if key:
            out[key] = value
    for key, value in table.items():
        if isinstance(key, tuple) and key[0]:
            out.setdefault(key[0], value)
    return out


def stale() -> list[str]:
    """Why the shipped catalog is not what ``make catalog`` would make now (empty: current)."""
    catalog = merged()
    shipped = load() if PO.exists() else None
    found = problems(catalog)
    if shipped is None or translations(shipped) != translations(catalog):
        found.append("the .po is not current: run make catalog")
    elif not MO.exists() or {k.split("\0")[0]: v.split("\0")[0]
                             for k, v in translations(shipped).items() if v} != compiled():
        found.append("the .mo is not compiled from the .po: run make catalog")
    return found


def main(argv: list[str]) -> int:
    if "--check" in argv:
        found = stale()
        print("\n".join(found) or "the catalog is current and complete")
        return 1 if found else 0
    catalog = merged()
    PO.parent.mkdir(parents=True, exist_ok=True)
    PO.write_bytes(po_bytes(catalog))
    MO.write_bytes(mo_bytes(catalog))
    missing = problems(catalog)
    print(f"{PO.relative_to(ROOT)}: {len(catalog)} messages, {len(missing)} to translate")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
