"""``reformctl check``'s output: diagnostics as text, JSON or GitHub workflow commands.

Diagnostics are inert in every format. A message may quote a value from the data (an unknown
key, a bad status), and the data may hold anything: control characters (ESC, BEL), line feeds,
bidirectional overrides (U+202E). All of them are shown as visible escapes (``\\x1b``, ``\\n``,
``\\u202e``) in the text, the GitHub and the JSON output alike, so no diagnostic can act on a
terminal, split into two lines, forge a second workflow command or reorder what a reviewer
reads. In JSON the escape is part of the message's text (``"\\\\x1b"``), not only JSON's own
escaping, so a tool that prints the message prints it inert too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import inert, to_json

if TYPE_CHECKING:
    from ..errors import Diagnostic

from .formats import CHECK_FORMATS

__all__ = ["CHECK_FORMATS"]

def check_output(diags: Sequence[Diagnostic], fmt: str) -> str:
    """The diagnostics in ``fmt``: text (one ``path:line:col: severity[code]: message`` a line),
    json (a list of {file, line, column, severity, code, message}) or github."""
    if fmt == "json":
        return to_json([
            {"file": inert(d.location.path), "line": d.location.line,
             "column": d.location.col, "severity": d.severity.value, "code": d.code,
             "message": inert(d.message)}
            for d in diags
        ])
    if fmt == "github":
        return "".join(_github(d) + "\n" for d in diags)
    if fmt == "text":
        return "".join(_line(d) + "\n" for d in diags)
    raise ValueError(f"unknown check format {fmt!r}")


def _line(d: Diagnostic) -> str:
    return f"{inert(str(d.location))}: {d.severity.value}[{d.code}]: {inert(d.message)}"


def _github(d: Diagnostic) -> str:
    """A workflow command (``::error file=...,line=...::message``), escaped as GitHub asks."""
    def prop(value: str) -> str:
        return (inert(value).replace("%", "%25").replace(":", "%3A").replace(",", "%2C"))

    def msg(value: str) -> str:
        return inert(value).replace("%", "%25")

    level = "error" if d.is_error else "warning"
    where = f"file={prop(d.location.path)}"
    if d.location.line:
        where += f",line={d.location.line}"
    if d.location.col:
        where += f",col={d.location.col}"
    return f"::{level} {where},title={prop('reformctl ' + d.code)}::{msg(d.message)}"


def check_terminal(diags: Sequence[Diagnostic], lines_of: Mapping[str, Sequence[str]]) -> Any:
    """For a terminal: each diagnostic in colour, then the line it is on and a caret under the
    column (counted in terminal cells). ``lines_of`` maps a path to its lines."""
    from rich.cells import cell_len
    from rich.console import Group
    from rich.text import Text

    parts: list[Any] = []
    for d in diags:
        style = "bold red" if d.is_error else "bold yellow"
        line = Text()
        line.append(inert(str(d.location)), style="bold")
        line.append(": ")
        line.append(f"{d.severity.value}[{d.code}]", style=style)
        line.append(": " + inert(d.message))
        parts.append(line)
        lines = lines_of.get(d.location.path)
        if lines is None or not d.location.line or d.location.line > len(lines):
            continue
        source = lines[d.location.line - 1].rstrip("\r")
        parts.append(Text.assemble((f"  {d.location.line:>4} | ", "dim"), inert(source)))
        if d.location.col:
            prefix = inert(source[: d.location.col - 1])
            parts.append(Text.assemble(("       | ", "dim"), " " * cell_len(prefix), ("^", style)))
    return Group(*parts)


def check_summary(errors: int, warnings: int, files: str) -> str:
    """``2 errors, 1 warning in tasks.yaml, voices.yaml``, in the language of this run."""
    from ..i18n import _, ngettext

    return _("{errors}, {warnings} in {files}").format(
        errors=ngettext("{count} error", "{count} errors", errors).format(count=errors),
        warnings=ngettext("{count} warning", "{count} warnings", warnings).format(count=warnings),
        files=files)


def check_clean(files: str, tasks: int, statements: int) -> str:
    """``tasks.yaml, voices.yaml: no problems (3 tasks, 1 statement)``."""
    from ..i18n import _, ngettext

    return _("{files}: no problems ({tasks}, {statements})").format(
        files=files,
        tasks=ngettext("{count} task", "{count} tasks", tasks).format(count=tasks),
        statements=ngettext("{count} statement", "{count} statements",
                            statements).format(count=statements))
