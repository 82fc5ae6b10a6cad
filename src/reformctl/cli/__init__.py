"""The command line: typer declarations that hand their work to the library modules.

This package is the only place that imports typer, prints, or decides exit codes. Every error a
user can cause arrives here as a :class:`~reformctl.errors.ReformctlError` and leaves as one
message on stderr and its exit code (:class:`_Group`); nothing else turns errors into exits.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from .. import __version__
from ..errors import EXIT_PROBLEM, ReformctlError, UsageError
from ..i18n import N_, _

if TYPE_CHECKING:
    from ..ledgers import LedgerDir

DEBUG_ENV = "REFORMCTL_DEBUG"


class _Group(TyperGroup):
    """Turns library errors into a message and an exit code, in exactly one place.

    It also gives every command the same command line (see :mod:`reformctl.cli.args`): options
    declared global stand before or after the command, a single-valued option given twice is
    refused, numbers may be written in full-width digits, and a value the command line cannot
    take is refused in the house style before typer or click see it. The parser's own usage
    errors (an unknown option, a missing argument) are shown the same way as
    :class:`~reformctl.errors.UsageError`: one line and a hint, exit 2.
    """

    def make_context(self, info_name: str | None, args: list[str], *rest: Any,
                     **kwargs: Any) -> Any:
        try:
            args = choose_language(args)
            return super().make_context(info_name, args, *rest, **kwargs)
        except ReformctlError as exc:
            say_failure(exc)
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:
            if not _is_usage_error(exc):
                raise
            ctx = getattr(exc, "ctx", None)
            _usage_failure(exc, ctx.command_path if ctx else "reformctl")

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        from .args import hoist_globals

        # while completing, a command line is unfinished: the command may not be typed yet
        hoisted = hoist_globals(args, GLOBAL_OPTIONS, strict=not ctx.resilient_parsing)
        rest: list[str] = super().parse_args(ctx, hoisted)
        return rest

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        from .args import check_command_line

        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not ctx.resilient_parsing:
            rest = check_command_line(command, rest, f"{ctx.command_path} {name}")
        return name, command, rest

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from .help import write

        write(self, ctx, formatter)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ReformctlError as exc:
            say_failure(exc)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt, SystemExit):
            raise
        except BrokenPipeError:
            _silence_stdout()
            raise typer.Exit(EXIT_PROBLEM) from None
        except Exception as exc:  # a usage error, or a bug (not the user's doing)
            if _is_usage_error(exc):
                where = getattr(exc, "ctx", None)
                path = where.command_path if where else ctx.command_path
                if ctx.invoked_subcommand and path == ctx.command_path:
                    path = f"{path} {ctx.invoked_subcommand}"
                _usage_failure(exc, path)
            # click's other exceptions (--help, aborts) carry an exit code: let click show them
            if os.environ.get(DEBUG_ENV) or hasattr(exc, "exit_code"):
                raise
            say_error(
                _("internal error: {kind}: {detail}").format(kind=type(exc).__name__, detail=exc),
                hint=_("this is a bug in reformctl; run again with {variable}=1 to see the "
                       "traceback, and report it").format(variable=DEBUG_ENV))
            raise typer.Exit(EXIT_PROBLEM) from None


def choose_language(args: list[str]) -> list[str]:
    """Take ``--lang`` from anywhere on the command line (before ``--``), make the chosen
    language (or ``$REFORMCTL_LANG``'s, or the locale's) the language of this run, and return
    the rest of the command line."""
    from ..i18n import LANG_ENV, pick, use

    rest: list[str] = []
    given: list[str] = []
    items = iter(args)
    for item in items:
        if item == "--":
            rest.append(item)
            rest.extend(items)
            break
        if item == "--lang":
            value = next(items, None)
            if value is None:
                use(pick(None, os.environ))
                raise UsageError(_("--lang needs a value: zh or en"),
                                 hint=_("`reformctl --lang zh list` lists the tasks in Chinese; --lang en in English"))
            given.append(value)
        elif item.startswith("--lang="):
            given.append(item.partition("=")[2])
        else:
            rest.append(item)
    try:
        use(pick(given[-1] if given else None, os.environ))
    except UsageError:  # a language we do not know: say so in the locale's (or English)
        use(pick(None, {k: v for k, v in os.environ.items() if k != LANG_ENV}))
        raise _unknown(given[-1] if given else None) from None
    if len(given) > 1:
        raise UsageError(_("--lang was given {count} times; give it once").format(
            count=len(given)), hint=_("`reformctl --lang zh list` lists the tasks in Chinese; --lang en in English"))
    return rest


def _unknown(flag: str | None) -> UsageError:
    """The refusal of an unknown ``--lang`` or ``$REFORMCTL_LANG``, made again now that the
    language of the message is the locale's."""
    from ..i18n import pick

    try:
        pick(flag, os.environ)
    except UsageError as exc:
        return exc
    raise AssertionError("the language was refused once")


def _is_usage_error(exc: BaseException) -> bool:
    """A usage error of the command-line parser (click's, vendored in typer >= 0.26 or not).

    Told by what it has, not by its class: the class lives in a private module of typer
    (``typer._click``) or in click, which typer no longer depends on. Every version raises
    usage errors with ``exit_code`` 2 and a ``format_message()``.
    """
    return getattr(exc, "exit_code", None) == 2 and callable(getattr(exc, "format_message", None))


def _usage_failure(exc: Any, command: str) -> NoReturn:
    """Show the parser's usage error like ours (message, hint), or let it show help it carries."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # as typer itself tells it (rich_utils)
        raise exc
    from .args import house_message

    say_error(house_message(exc.format_message()),
              hint=_("`{command} --help` shows the usage and examples").format(command=command))
    raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    name="reformctl",
    cls=_Group,
    help=(
        "Keep a reform plan's task ledger (台账) as plain YAML in git: validate it, browse it, "
        "update it safely, and report on it.\n\n"
        "The ledger is the directory given by --data, else $REFORMCTL_DATA, else the nearest "
        "data/ directory (holding tasks.yaml) from here upwards, else the sample packaged with "
        "reformctl (read-only)."
    ),
    epilog="Example: reformctl list --level grassroots",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"reformctl {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True,
                     help="Show the version and exit."),
    ] = False,
) -> None:
    """Keep a reform plan's task ledger (台账) as plain YAML in git."""


# ---------------------------------------------------------------------------------------------
# Shared options and output helpers


@dataclass(frozen=True)
class GlobalOption:
    """An option every command that reads a ledger takes, before or after the command name."""

    decls: tuple[str, ...]
    metavar: str | None
    help: str
    flag: bool = False


# Filled by global_option(): `reformctl --data DIR list` is `reformctl list --data DIR`.
GLOBAL_OPTIONS: dict[str, GlobalOption] = {}


def global_option(*decls: str, metavar: str | None = None, help: str, flag: bool = False,
                  **kwargs: Any) -> Any:
    """``typer.Option(*decls, ...)`` that may also stand before the command name.

    Declare it once (``DataOption = Annotated[str | None, global_option("--data", ...)]``) and
    use it in each command: the root's help lists it, and :meth:`_Group.parse_args` moves it
    after the command name when it is given before.
    """
    option = GlobalOption(tuple(decls), metavar, help, flag)
    for name in decls:
        GLOBAL_OPTIONS[name] = option
    return typer.Option(*decls, metavar=metavar, help=help, **kwargs)


DataOption = Annotated[
    str | None,
    global_option(
        "--data", metavar="DIR", show_default=False,
        help="Ledger directory holding tasks.yaml and voices.yaml. Default: $REFORMCTL_DATA, "
        "else the nearest data/ upwards, else the packaged sample (read-only). May stand "
        "before the command too. Example: --data ~/plans/2018/data",
    ),
]

# Taken from the command line before parsing (_Group.make_context); listed with the others.
GLOBAL_OPTIONS["--lang"] = GlobalOption(
    ("--lang",), "LANG",
    N_("Language of everything reformctl prints: zh (中文) or en (English). Default: "
       "$REFORMCTL_LANG, else zh when the locale (LC_ALL, LC_MESSAGES, LANG) is Chinese, else "
       "en. Example: --lang zh"))

SAMPLE_NOTICE = N_(
    "reformctl: no ledger found (no --data, no $REFORMCTL_DATA, no data/ here or above): "
    "showing the packaged sample; `reformctl init` starts your own"
)


def ledger_dir(data: str | None, *, announce_sample: bool = True) -> LedgerDir:
    """The ledger a command works on. A ledger that cannot be found where the command line or
    $REFORMCTL_DATA points is a usage error (exit 2) in every command; falling back to the
    packaged sample is said on stderr."""
    from ..errors import ReadError, UsageError
    from ..ledgers import find_ledger

    try:
        where = find_ledger(data)
    except ReadError as exc:
        raise UsageError(exc.message, hint=exc.hint, location=exc.location) from None
    if where.read_only and announce_sample:
        say(_(SAMPLE_NOTICE))
    return where


def console(stderr: bool = False) -> Any:
    """Where rich output goes. With ``NO_COLOR`` set, no control codes at all: rich alone would
    still send bold and underline; off a terminal it sends none anyway."""
    from rich.console import Console

    plain = os.environ.get("NO_COLOR", "") != ""
    out = Console(stderr=stderr, highlight=False, emoji=False, markup=False, soft_wrap=False,
                  color_system=None if plain else "auto")
    out.width = max(out.width, MIN_WIDTH)  # COLUMNS=0 or a tiny pane: draw at a readable width
    return out


MIN_WIDTH = 40
_SLICE = 1 << 20  # characters written to stdout at a time


def emit(output: Any) -> None:
    """Print data to stdout: bytes and strings as they are, anything else through rich."""
    from ..errors import WriteError

    try:
        if isinstance(output, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(output)
            sys.stdout.buffer.flush()
        elif isinstance(output, str):
            for start in range(0, len(output), _SLICE):  # encoded a slice at a time, not whole
                sys.stdout.write(output[start:start + _SLICE])
            sys.stdout.flush()
        elif isinstance(output, Iterator):  # text in pieces (render.json_chunks)
            for piece in output:
                sys.stdout.write(piece)
            sys.stdout.flush()
        else:
            console().print(output)
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise WriteError(
            _("cannot write the output: {reason}").format(reason=exc.strerror or exc),
            hint=_("check where the output goes (a full disk? a closed file?), or use --output "
                   "FILE"),
        ) from None


def say(message: str) -> None:
    """A message for the user (not data): stderr, control characters made visible."""
    from ..render import visible

    sys.stderr.write(visible(message).replace("\\x0a", "\n") + "\n")


def say_error(message: str, hint: str | None = None) -> None:
    """An error for the user: ``reformctl: error: MESSAGE`` and, below it, ``  hint: HINT``."""
    text = _("reformctl: error: {message}").format(message=message)
    if hint:
        text += "\n" + _("  hint: {hint}").format(hint=hint)
    say(text)


def say_failure(exc: ReformctlError) -> None:
    """A :class:`~reformctl.errors.ReformctlError` as the user reads it: where, what, and the
    hint, with the words "error" and "hint" in the language of this run."""
    message = f"{exc.location}: {exc.message}" if exc.location else exc.message
    say_error(message, exc.hint)


def _silence_stdout() -> None:
    """After a closed pipe (``reformctl list | head``), keep Python quiet at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        app(args=argv, prog_name="reformctl")
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(EXIT_PROBLEM)
    except KeyboardInterrupt:
        sys.exit(130)


# Register the commands (each module adds its own to ``app``).
from . import browse, changes, files, report, sheets, units  # noqa: E402,F401
