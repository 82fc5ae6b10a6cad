"""Commands about the data files themselves: check, schema, init."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import typer

from ..errors import EXIT_OK, EXIT_PROBLEM, UsageError
from ..i18n import _
from ..render.formats import CheckFormat
from . import DataOption, app, console, emit, ledger_dir, say
from .args import text_value
from .complete import complete_level, complete_task
from .help import Command


@app.command(cls=Command)
def check(
    directories: Annotated[list[Path] | None, typer.Argument(
        metavar="DIR", show_default=False,
        help="Ledgers to check in one run: data directories, directories init was given, or "
        "a directory searched for data/tasks.yaml below it. Default: the one ledger of --data.",
    )] = None,
    data: DataOption = None,
    format: Annotated[
        CheckFormat | None,
        typer.Option(
            "--format", "-f", metavar="FORMAT", show_default=False,
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
      reformctl check units/ --strict      # every unit ledger below units/
    """
    if directories:
        from .units import check_many

        check_many([*directories, *([Path(data)] if data else [])], format, strict)
    from ..fileio import display
    from ..loader import load
    from ..render.check import check_clean, check_output, check_summary, check_terminal

    fmt = format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    where = ledger_dir(data, announce_sample=False)
    if where.read_only:  # in CI or a hook, passing on the sample would hide the real ledger
        raise UsageError(
            _("no ledger to check: no data/tasks.yaml here or in any directory above, and none "
              "given with --data or $REFORMCTL_DATA (only the sample packaged with reformctl was "
              "found)"),
            hint=_("run check where data/ is, or give the directory: reformctl check --data "
                   "path/to/data (in a pre-commit hook: args: [--data, path/to/data])"))
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


@app.command(cls=Command)
def schema(
    file: Annotated[
        Literal["tasks", "voices"],
        typer.Argument(metavar="KIND", help="Which file's schema: tasks (tasks.yaml) or voices (voices.yaml)."),
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


@app.command(cls=Command)
def init(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Where to create data/ and schema/: the root of the ledger's "
                             "repository (default: the current directory).")
    ] = Path("."),
    empty: Annotated[bool, typer.Option(
        "--empty/--sample",
        help="--empty: a new plan with no task and no symposium yet; --sample (the default): "
        "a copy of the sample ledger (the 2018 Xicheng plan).")] = False,
    title: Annotated[str | None, typer.Option(
        metavar="TEXT", show_default=False,
        help="With --empty: the plan's title. Default: UNIT + YEAR + 年重点改革任务分解表.")] = None,
    year: Annotated[int | None, typer.Option(
        min=1, max=9999, metavar="YEAR", show_default=False,
        help="With --empty: the plan's year. Default: this year.")] = None,
    unit: Annotated[str | None, typer.Option(
        metavar="UNIT", show_default=False,
        help="With --empty: the union the plan belongs to (e.g. 西城区总工会). With --plan: the "
        "unit whose ledger this is (e.g. 德胜街道总工会).")] = None,
    plan_from: Annotated[Path | None, typer.Option(
        "--plan", metavar="DIR", show_default=False,
        help="A unit's ledger derived from the district's plan in DIR: the plan's grassroots "
        "tasks (or --level, --task) with the plan's ids, and the plan it came from. Needs "
        "--unit. Example: --unit 德胜街道总工会 --plan ../district")] = None,
    levels: Annotated[list[str] | None, typer.Option(
        "--level", metavar="LEVEL", show_default=False, autocompletion=complete_level,
        help="With --plan: take the plan's tasks at this level (repeatable). Default: "
        "grassroots.")] = None,
    tasks: Annotated[list[str] | None, typer.Option(
        "--task", metavar="ID", show_default=False, autocompletion=complete_task,
        help="With --plan: take this task of the plan too (id or ref, repeatable).")] = None,
    source: Annotated[Path | None, typer.Option(
        "--from", metavar="FILE", dir_okay=False, show_default=False,
        help="Start from an existing task table (任务分解表): a .docx, .xlsx or .csv file. "
        "Prints the column mapping it used. --title, --year and --unit describe the plan.")
    ] = None,
    column_map: Annotated[list[str] | None, typer.Option(
        "--map", metavar="COLUMN=FIELD", show_default=False,
        help="With --from: the field a column holds, where the header does not tell (COLUMN "
        "as written in the header row, or its letter; FIELD one of seq, text, owner, partners, "
        "due, level, ignore). Repeatable.")] = None,
) -> None:
    """Start a ledger in DIR: DIR/data (tasks.yaml, voices.yaml), DIR/schema, and .gitattributes,
    .yamllint and data/.gitignore, so that DIR is ready to commit and lints clean.

    All files or none; never overwrites: refuses (exit 1) where a ledger already is. A
    .gitattributes, .yamllint or data/.gitignore already there is left as it is.

    \b
    Examples:
      reformctl init my-ledger && cd my-ledger && reformctl check
      reformctl init ~/plan2019 --empty --title 2019年重点改革任务分解表 --year 2019
      reformctl init plan --empty --unit 西城区总工会 --year 2019
      reformctl init units/deshengjie --unit 德胜街道总工会 --plan district
      reformctl init plan2019 --from 2019年重点改革任务分解表.docx --unit 西城区总工会
    """
    from ..errors import UsageError
    from ..fileio import display
    from ..ledgers import NewPlan
    from ..ledgers import init as write_ledger

    if plan_from is not None or levels or tasks:
        from .units import init_unit

        if source is not None or column_map:
            raise UsageError(_("--plan and --from each start a ledger of their own: give one"),
                             hint=_("reformctl init DIR --unit NAME --plan DISTRICT_DIR"))
        init_unit(directory, unit, plan_from, levels or [], tasks or [], empty, title, year)
        return
    if source is not None or column_map:
        from .sheets import init_from

        init_from(directory, source, column_map or [], empty, title, year, unit)
        return
    plan = None
    if empty:
        from datetime import date

        year = date.today().year if year is None else year
        unit = text_value("--unit", unit)
        title = text_value("--title", title) or f"{unit or ''}{year}年重点改革任务分解表"
        plan = NewPlan(title, year, unit)
    elif title is not None or year is not None or unit is not None:
        raise UsageError(
            _("--title, --year and --unit describe a new plan: use them with --empty"),
            hint=_("reformctl init DIR --empty --title TEXT --year YEAR"))
    done = write_ledger(directory.expanduser(), plan)
    for path, content in done.kept.items():
        lines = "\n".join(f"    {line}" for line in content.splitlines())
        say(_("reformctl: {path} is already there and was left as it is; reformctl would have "
              "written:\n{lines}").format(path=display(path), lines=lines))
    written = ", ".join(str(path.relative_to(done.directory)) for path in done.written)
    if empty:
        message = _("reformctl: wrote an empty ledger into {directory} ({files}); check it with "
                    "`reformctl check`, add tasks with `reformctl add`")
    else:
        message = _("reformctl: wrote the sample ledger into {directory} ({files}); check it "
                    "with `reformctl check`")
    say(message.format(directory=display(done.directory), files=written))


