"""The dry-run diff: what a write would change, as a unified diff that ``patch`` and ``git apply``
take."""

from __future__ import annotations


def unified_diff(before: str, after: str, path: str) -> str:
    """``before`` → ``after`` of the file at ``path`` (shown as ``a/path`` and ``b/path``)."""
    import difflib

    return "".join(difflib.unified_diff(
        _diff_lines(before), _diff_lines(after), fromfile=f"a/{path}", tofile=f"b/{path}"))


def _diff_lines(text: str) -> list[str]:
    """Lines as diff and patch count them (at \\n only), the last one marked if it has no \\n."""
    lines = [line + "\n" for line in text.split("\n")]
    last = lines.pop()[:-1]
    if last:
        lines.append(last + "\n\\ No newline at end of file\n")
    return lines
