"""``--help`` in the user's language: the page is built here from the declared commands and
drawn by :mod:`reformctl.render.help`.

Help texts, examples and placeholders are written in English where the commands are declared;
each is translated when the page is shown (the language is known by then), so the declarations
stay plain typer. None of click's or typer's own words ("Usage:", "Options", "[default: ...]")
reach the page: every word on it comes from reformctl's catalog.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from typer.core import TyperCommand

from ..i18n import N_, _

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..render.help import Row

# Placeholders written in the declarations (metavar=), for the catalog (translated where shown);
# tests/test_help.py checks that this is every placeholder the commands use.
METAVARS = (N_("[OPTIONS]"), N_("COMMAND [ARGS]..."), N_("DIR"), N_("LEVEL"), N_("STATUS"),
            N_("TEXT"), N_("TAG"), N_("DATE"), N_("N"), N_("FILE"), N_("ID"), N_("UNIT"),
            N_("YEAR"), N_("NAME"), N_("DOC"), N_("LANG"), N_("TIME"), N_("KIND"),
            N_("FORMAT"), N_("FIELD"), N_("COLUMN=FIELD"), N_("[ID]"), N_("SPAN"),
            N_("PERIOD"))
UNTRANSLATED_METAVARS = ("0..100",)  # input syntax, the same in every language
# Where an option's help text gives its example: the example gets a line of its own.
EXAMPLE = N_("Example:")
HELP_OPTION = N_("Show this message and exit.")


def translated(text: str | None) -> str:
    """A declared help text in the user's language (its indentation removed)."""
    return _(inspect.cleandoc(text)) if text else ""


def _metavar(name: str) -> str:
    """A placeholder in the user's language; ``TASK...`` keeps its dots."""
    dots = "..." if name.endswith("...") and name != "COMMAND [ARGS]..." else ""
    return _(name[: -len(dots)] if dots else name) + dots


def _option_term(param: Any) -> str:
    names = ", ".join(sorted(param.opts, key=lambda o: (o.startswith("--"), o)))
    if param.secondary_opts:
        names += " / " + ", ".join(param.secondary_opts)
    if param.is_flag or param.count:
        return names
    return f"{names} {_metavar(param.metavar or param.name.upper())}"


def _default(param: Any, ctx: Any) -> str:
    show = param.show_default if param.show_default is not None else ctx.show_default
    if isinstance(show, str):
        return _(show)
    default = param.default
    if not show or param.is_flag or default in (None, "", (), []) or callable(default):
        return ""
    value = getattr(default, "value", default)
    return _("[default: {value}]").format(value=value)


def _argument_term(param: Any) -> str:
    name = param.metavar or param.name.upper()
    return _metavar(name + ("..." if param.nargs == -1 and not name.endswith("...") else ""))


def _summary(text: str) -> str:
    """The first sentence of a help text, for the list of commands."""
    first = text.split("\n\n")[0].replace("\n", " ")
    for end in ("。", ". "):
        if end in first:
            return first.split(end)[0] + end.strip()
    return first


def _row(term: str, help: str | None, default: str = "") -> Row:
    """An option's (or argument's) entry: its help text in the user's language, with the
    example that ends it (``Example: ...``) set apart."""
    from ..render.help import Row

    text = translated(help)
    marker = _(EXAMPLE)
    at = text.rfind(marker)
    if at > 0 and text[:at].rstrip().endswith((".", "。", ")", "）")):
        return Row(term, text[:at].rstrip(), default, text[at:])
    return Row(term, text, default)


def width(ctx: Any) -> int:
    """The width of a help page: the terminal's ($COLUMNS, else the terminal itself), at most
    80 columns (long lines are hard to read), and less a margin of two, as click does."""
    import shutil

    from . import MIN_WIDTH

    columns = ctx.terminal_width or shutil.get_terminal_size().columns
    return max(min(columns, ctx.max_content_width or 80), MIN_WIDTH) - 2


def page(command: Any, ctx: Any) -> Any:
    """The help page of ``command`` (the root group or a command), in the user's language."""
    from ..render.help import HelpPage, Row
    from . import GLOBAL_OPTIONS

    arguments: list[Row] = []
    options: list[Row] = []
    pieces = [_("[OPTIONS]")]
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        if param.param_type_name == "argument":
            arguments.append(_row(_argument_term(param), getattr(param, "help", None)))
            term = _argument_term(param)
            pieces.append(term if param.required else f"[{term}]")
            continue
        if param.name in {o.decls[-1].lstrip("-") for o in GLOBAL_OPTIONS.values()}:
            continue  # listed once, under the global options
        description = HELP_OPTION if param.name == "help" else getattr(param, "help", None)
        options.append(_row(_option_term(param), description, _default(param, ctx)))
    sections: list[tuple[str, Sequence[Row]]] = [(_("Arguments:"), arguments), (_("Options:"), options),
                (_("Global options (before or after the command):"),
                 [_row(", ".join(option.decls) + (f" {_metavar(option.metavar)}"
                                                  if option.metavar else ""), option.help)
                  for option in dict.fromkeys(GLOBAL_OPTIONS.values())])]
    commands = getattr(command, "commands", None)
    if commands:
        pieces.append(_("COMMAND [ARGS]..."))
        sections.append((_("Commands:"), [Row(name, _summary(translated(sub.help)))
                                          for name, sub in commands.items() if not sub.hidden]))
    return HelpPage(usage_prefix=_("Usage:"), usage=" ".join([ctx.command_path, *pieces]),
                    text=translated(command.help), sections=sections,
                    epilog=translated(command.epilog), example=_(EXAMPLE))


def write(command: Any, ctx: Any, formatter: Any) -> None:
    """Draw ``command``'s help page into click's ``formatter`` (at the terminal's width, by
    cells: click's own width counts characters and is at least 50)."""
    from ..render.help import help_text

    formatter.write(help_text(page(command, ctx), width(ctx)))


class Command(TyperCommand):
    """A command whose ``--help`` is drawn in the user's language."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        write(self, ctx, formatter)


def declared_texts(group: Any) -> list[str]:
    """Every help text declared on the command line, as the catalog holds it (for
    ``make catalog`` and the test that the catalog is complete)."""
    from . import GLOBAL_OPTIONS

    texts: list[str | None] = [group.help, group.epilog, HELP_OPTION]
    texts += [option.help for option in GLOBAL_OPTIONS.values()]
    for command in [group, *group.commands.values()]:
        texts += [command.help, command.epilog]
        texts += [getattr(param, "help", None) for param in command.params]
    return list(dict.fromkeys(inspect.cleandoc(text) for text in texts if text))
