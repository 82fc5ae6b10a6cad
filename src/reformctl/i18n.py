"""The language of everything a person reads: gettext catalogs, chosen once per run.

Messages are written in English in the source and translated at run time with the standard
library's :mod:`gettext` from the compiled catalog shipped in the package
(``locale/zh/LC_MESSAGES/reformctl.mo``; its source is the ``.po`` file beside it, kept current
by ``make catalog``, which uses Babel). English needs no catalog.

* ``_("...")`` translates a message where it is used; ``ngettext`` one with a count.
* ``N_("...")`` only marks a message for the catalog, for text defined before the language is
  known (a module-level table); translate it with ``_()`` where it is shown.
* :func:`pick` decides the language: ``--lang``, then ``$REFORMCTL_LANG``, then the locale
  (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``zh*`` is Chinese), else English. :func:`use` makes it
  the language of this run.

What the tool writes into a ledger is never translated here: the files keep their English values.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path

from .errors import UsageError

LANGS = ("zh", "en")
DOMAIN = "reformctl"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANG_ENV = "REFORMCTL_LANG"

_state: dict[str, gettext.NullTranslations | str] = {"catalog": gettext.NullTranslations(),
                                                     "lang": "en"}


def pick(flag: str | None, env: Mapping[str, str]) -> str:
    """The language of this run: ``--lang``, ``$REFORMCTL_LANG``, the locale, else ``en``.

    A value given on purpose (the option or the variable) must be one of :data:`LANGS`; the
    locale is a hint: any ``zh`` locale is Chinese, anything else English.
    """
    if flag is not None:
        return _known(flag, "--lang")
    if env.get(LANG_ENV):
        return _known(env[LANG_ENV], f"${LANG_ENV}")
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def _known(value: str, source: str) -> str:
    lang = value.strip().lower().replace("-", "_")
    if lang.startswith("zh"):
        return "zh"
    if lang.startswith("en") or lang in ("c", "posix"):
        return "en"
    raise UsageError(
        _("{source} {value}: unknown language; use zh (中文) or en (English)").format(
            source=source, value=value),
        hint=_("`reformctl --lang zh list` lists the tasks in Chinese; --lang en in English"))


def use(lang: str) -> None:
    """Make ``lang`` the language of what this run prints."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    catalog = gettext.NullTranslations()
    if lang != "en":  # the one catalog, opened directly (gettext.find's search costs ~1 ms)
        try:
            with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as handle:
                catalog = gettext.GNUTranslations(handle)
        except OSError:  # a broken installation: English rather than a traceback
            pass
    _state["catalog"], _state["lang"] = catalog, lang


def current() -> str:
    """The language of this run: ``zh`` or ``en``."""
    return str(_state["lang"])


def _catalog() -> gettext.NullTranslations:
    catalog = _state["catalog"]
    assert isinstance(catalog, gettext.NullTranslations)
    return catalog


def _(message: str) -> str:
    """``message`` in the language of this run."""
    return _catalog().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message for ``count`` (Chinese has one form) in the language of this run."""
    return _catalog().ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 (the conventional name of the gettext no-op marker)
    """Mark ``message`` for the catalog without translating it (translate it where shown)."""
    return message
