"""Commands about the data files themselves: check, schema, init."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import typer

from ..errors import EXIT_OK, EXIT_PROBLEM, UsageError
from ..render.formats import CheckFormat
from . import DataOption, app, console, emit, ledger_dir, say


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
    from ..render.check import check_clean, check_output, check_summary, check_terminal
    from ..storage import display, load

    fmt = format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    where = ledger_dir(data, announce_sample=False)
    if where.read_only:  # in CI or a hook, passing on the sample would hide the real ledger
        raise UsageError(
            "no ledger to check: no data/tasks.yaml here or in any directory above, and none "
            "given with --data or $REFORMCTL_DATA (only the sample packaged with reformctl was "
            "found)",
            hint="run check where data/ is, or give the directory: reformctl check --data "
            "path/to/data (in a pre-commit hook: args: [--data, path/to/data])")
    loaded = load(where)
    diags = loaded.diagnostics
    out = console()
    if fmt == "text" and out.is_terminal:  # colour, and the line itself with a caret
        lines_of = {t.path: t.text.split("\n") for t in loaded.texts.values()}
        out.print(check_terminal(diags, lines_of), soft_wrap=True)
    else:
        emit(check_output(diags, fmt))
    errors = sum(1 for d in diags if d.is_error)
    warnings = len(diags) - errors
    files = f"{display(where.tasks_path)}, {display(where.voices_path)}"
    if fmt == "text":
        if diags:
            say(check_summary(errors, warnings, files))
        elif loaded.ledger is not None:
            say(check_clean(files, len(loaded.ledger.tasks), len(loaded.ledger.voices)))
    failed = errors > 0 or (strict and warnings > 0)
    raise typer.Exit(EXIT_PROBLEM if failed else EXIT_OK)


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
