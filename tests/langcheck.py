"""English words left in a text that should be in Chinese (issue 12), for any test to import.

``english_words(text, allowed)`` lists the words of two or more Latin letters in ``text`` (not
counting letters right after a digit, as in ``0xb2``) that
are not in ``allowed`` (compared without case): what the caller's own allowlist of codes, paths,
command and option names, YAML keys and data does not explain. ``without_quoted(text)`` drops
what a message quotes rather than says (“…” and `…` spans, as the Chinese messages quote values
from the file and commands to run), for a caller that wants to check only the sentence around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

WORD = re.compile(r"(?<![0-9])[A-Za-z]{2,}")  # not the letters of 0xb2
QUOTED = re.compile(r"“[^”\n]*”|`[^`\n]*`")


def english_words(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """The distinct words of ``text`` (``[A-Za-z]{2,}``) not in ``allowed``, in order of first
    appearance."""
    allow = {word.lower() for word in allowed}
    found: dict[str, None] = {}
    for word in WORD.findall(text):
        if word.lower() not in allow:
            found.setdefault(word, None)
    return list(found)


def without_quoted(text: str) -> str:
    """``text`` with every “quoted” and `code` span removed."""
    return QUOTED.sub(" ", text)
