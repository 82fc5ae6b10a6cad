"""``--help`` in the user's language: the page is built here from the declared commands and
drawn by :mod:`reformctl.render.help`.

Help texts, examples and placeholders are written in English where the commands are declared;
each is translated when the page is shown (the language is known by then), so the declarations
stay plain typer. None of click's or typer's own words ("Usage:", "Options", "[default: ...]")
reach the page: every word on it comes from reformctl's catalog.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from typer.core import TyperCommand

from ..i18n import N_, _

# Placeholders written in the declarations, for the catalog (translated where shown).
METAVARS = (N_("[OPTIONS]"), N_("COMMAND [ARGS]..."), N_("DIR"), N_("LEVEL"), N_("STATUS"),
            N_("TEXT"), N_("TAG"), N_("DATE"), N_("N"), N_("FILE"), N_("TASK"), N_("ID"),
            N_("UNIT"), N_("YEAR"), N_("TITLE"), N_("SHELL"), N_("LANG"), N_("PERCENT"),
            N_("OWNER"), N_("NOTE"), N_("WHO"), N_("TIME"), N_("KIND"), N_("VOICE"), N_("FORMAT"), N_("FIELD"))
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


def page(command: Any, ctx: Any) -> Any:
    """The help page of ``command`` (the root group or a command), in the user's language."""
    from ..render.help import HelpPage
    from . import GLOBAL_OPTIONS

    arguments: list[tuple[str, str]] = []
    options: list[tuple[str, str]] = []
    pieces = [_("[OPTIONS]")]
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        if param.param_type_name == "argument":
            arguments.append((_argument_term(param), translated(getattr(param, "help", None))))
            pieces.append(_argument_term(param))
            continue
        if param.name in {o.decls[-1].lstrip("-") for o in GLOBAL_OPTIONS.values()}:
            continue  # listed once, under the global options
        description = HELP_OPTION if param.name == "help" else getattr(param, "help", None)
        text = translated(description)
        default = _default(param, ctx)
        options.append((_option_term(param), f"{text}  {default}" if default else text))
    sections: list[tuple[str, Sequence[tuple[str, str]]]] = [(_("Arguments:"), arguments), (_("Options:"), options),
                (_("Global options (before or after the command):"),
                 [(", ".join(option.decls) + (f" {_metavar(option.metavar)}"
                                              if option.metavar else ""),
                   translated(option.help))
                  for option in dict.fromkeys(GLOBAL_OPTIONS.values())])]
    commands = getattr(command, "commands", None)
    if commands:
        pieces.append(_("COMMAND [ARGS]..."))
        sections.append((_("Commands:"), [(name, _summary(translated(sub.help)))
                                          for name, sub in commands.items() if not sub.hidden]))
    return HelpPage(usage_prefix=_("Usage:"), usage=" ".join([ctx.command_path, *pieces]),
                    text=translated(command.help), sections=sections,
                    epilog=translated(command.epilog))


def write(command: Any, ctx: Any, formatter: Any) -> None:
    """Draw ``command``'s help page into click's ``formatter`` (its width is the terminal's)."""
    from ..render.help import help_text

    formatter.write(help_text(page(command, ctx), formatter.width or 80))


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
