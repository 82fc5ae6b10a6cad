"""Commands about the data files themselves: check, schema, init."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import typer

from ..errors import EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, ReadError
from . import DataOption, app, console, emit, ledger_dir, say

CheckFormat = Literal["text", "json", "github"]


@app.command()
def check(
    data: DataOption = None,
    format: Annotated[
        CheckFormat | None,
        typer.Option(
            "--format", "-f", show_default=False,
            help="text: path:line:col: severity[code]: message (with the line itself on a "
            "terminal); json: a list of {file, line, column, severity, code, message}; github: "
            "workflow commands that annotate a pull request. Default: github when "
            "$GITHUB_ACTIONS is set, else text.",
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict/--no-strict", help="Fail (exit 1) on warnings too.")
    ] = False,
) -> None:
    """Validate the ledger's data files: every problem of every file, in one run.

    Exit 0 when clean (warnings only fail with --strict), 1 when there are problems, 2 when the
    check could not run.

    \b
    Examples:
      reformctl check
      reformctl check --strict --format github      # in CI
      reformctl check --data path/to/data --format json
    """
    from ..storage import load

    fmt = format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    try:
        where = ledger_dir(data)
    except ReadError as exc:
        say(f"reformctl: error: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    if where.read_only:  # in CI or a hook, passing on the sample would hide the real ledger
        say("reformctl: error: no ledger to check: no data/tasks.yaml here or in any directory "
            "above, and none given with --data or $REFORMCTL_DATA (only the sample packaged "
            "with reformctl was found)\n"
            "  hint: run check where data/ is, or give the directory: reformctl check --data "
            "path/to/data (in a pre-commit hook: args: [--data, path/to/data])")
        raise typer.Exit(EXIT_USAGE)
    loaded = load(where)
    diags = loaded.diagnostics
    if fmt == "json":
        from ..render import to_json

        emit(to_json([
            {"file": d.location.path, "line": d.location.line, "column": d.location.col,
             "severity": d.severity.value, "code": d.code, "message": d.message}
            for d in diags
        ]))
    elif fmt == "github":
        emit("".join(_github(d) + "\n" for d in diags))
    else:
        _print_text(diags, loaded.texts)
    errors = sum(1 for d in diags if d.is_error)
    warnings = len(diags) - errors
    from ..storage import display

    files = f"{display(where.tasks_path)}, {display(where.voices_path)}"
    if fmt == "text":
        if diags:
            say(f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {files}")
        elif loaded.ledger is not None:
            say(f"{files}: no problems ({_plural(len(loaded.ledger.tasks), 'task')}, "
                f"{_plural(len(loaded.ledger.voices), 'statement')})")
    failed = errors > 0 or (strict and warnings > 0)
    raise typer.Exit(EXIT_PROBLEM if failed else EXIT_OK)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _print_text(diags: list, texts: dict) -> None:
    """One line per problem; on a terminal, in colour, with the line itself and a caret."""
    import sys

    from ..render import visible

    out = console()
    if not out.is_terminal:  # plain lines: nothing to draw, and fast for many problems
        sys.stdout.write("".join(f"{d.location}: {d.severity.value}[{d.code}]: "
                                 f"{visible(d.message)}\n" for d in diags))
        return
    from rich.cells import cell_len
    from rich.text import Text

    lines_of = {t.path: t.text.split("\n") for t in texts.values()}  # lines as editors count
    for d in diags:
        style = "bold red" if d.is_error else "bold yellow"
        line = Text()
        line.append(str(d.location), style="bold")
        line.append(": ")
        line.append(f"{d.severity.value}[{d.code}]", style=style)
        line.append(": " + visible(d.message))
        out.print(line, soft_wrap=True)
        lines = lines_of.get(d.location.path)
        if lines is None or not d.location.line or d.location.line > len(lines):
            continue
        source = lines[d.location.line - 1].rstrip("\r")
        out.print(Text.assemble((f"  {d.location.line:>4} | ", "dim"), visible(source)),
                  soft_wrap=True)
        if d.location.col:  # the caret sits under the column, counted in terminal cells
            prefix = visible(source[: d.location.col - 1])
            out.print(Text.assemble(("       | ", "dim"), " " * cell_len(prefix), ("^", style)))


def _github(d) -> str:
    def prop(value: str) -> str:
        return (value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
                .replace(":", "%3A").replace(",", "%2C"))

    def msg(value: str) -> str:
        return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    level = "error" if d.is_error else "warning"
    where = f"file={prop(d.location.path)}"
    if d.location.line:
        where += f",line={d.location.line}"
    if d.location.col:
        where += f",col={d.location.col}"
    return f"::{level} {where},title={prop('reformctl ' + d.code)}::{msg(d.message)}"


@app.command()
def schema(
    file: Annotated[
        Literal["tasks", "voices"],
        typer.Argument(help="Which file's schema: tasks (tasks.yaml) or voices (voices.yaml)."),
    ] = "tasks",
) -> None:
    """Print the JSON Schema of a data file, for editors and other validators.

    \b
    Examples:
      reformctl schema tasks > tasks.schema.json
      reformctl schema voices > voices.schema.json
      check-jsonschema --schemafile voices.schema.json data/voices.yaml
    """
    from ..models import json_schema
    from ..render import to_json

    emit(to_json(json_schema(file)))


@app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="Where to create data/ (default: the current directory).")
    ] = Path("."),
) -> None:
    """Write the sample ledger (the 2018 Xicheng plan) into DIR/data, to start your own.

    Never overwrites: refuses (exit 1) where a ledger already is.

    \b
    Example:
      reformctl init my-ledger && cd my-ledger && reformctl check
    """
    from ..storage import display
    from ..storage import init as write_sample

    target = write_sample(directory)
    say(f"wrote {display(target / 'tasks.yaml')} and {display(target / 'voices.yaml')}; "
        "check them with `reformctl check`")
