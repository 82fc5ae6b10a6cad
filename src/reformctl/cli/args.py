"""One command line for every command, whatever typer or click version parses it.

Run before the parser sees the words, on what the commands declare (their options' names and
the annotations of their parameters), so every command behaves alike without doing anything:

* options declared global (:func:`reformctl.cli.global_option`) may stand before the command
  name: ``reformctl --data DIR list`` is ``reformctl list --data DIR``;
* an option that takes one value, given twice, is a usage error (the parser would keep the last
  one silently);
* numbers may be written with full-width digits (``５``, as Chinese input methods type them);
* a value outside an option's choices or range is refused in the house style, naming the
  option, the value and what it takes, instead of the parser's own wording (which differs
  between typer versions: "Input should be ...", "is not in the range 0<=x<=100").

Only public attributes of the parser's parameters are read (``opts``, ``secondary_opts``,
``is_flag``, ``multiple``, ``param_type_name``, ``name``, the command's ``callback``).
"""

from __future__ import annotations

import inspect
import re
import typing
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args, get_origin

from ..errors import UsageError
from ..i18n import N_, _

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


@dataclass
class _Spec:
    """What the command line needs to know about one option."""

    name: str  # the parameter's name in the command function
    takes_value: bool
    multiple: bool
    kind: str | None = None  # "int", "float" or "choice"
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    given: list[tuple[str, str | None]] = field(default_factory=list)  # (as written, value)


def hoist_globals(args: list[str], global_options: Mapping[str, Any], *,
                  strict: bool = True) -> list[str]:
    """Move global options written before the command name to just after it. With no command
    name after them: a usage error, or (``strict=False``, while completing) they are dropped."""
    moved: list[str] = []
    kept: list[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--" or not word.startswith("-") or word == "-":
            break
        name = word.split("=", 1)[0]
        option = global_options.get(name)
        if option is None:
            kept.append(word)
        else:
            moved.append(word)
            if not option.flag and "=" not in word and i + 1 < len(args):
                moved.append(args[i + 1])
                i += 1
        i += 1
    if not moved:
        return args
    rest = args[i:]
    if not rest or rest[0] == "--":
        if not strict or any(word in ("-h", "--help", "--version") for word in kept):
            return kept + rest
        names = ", ".join(dict.fromkeys(w.split("=", 1)[0] for w in moved if w.startswith("-")))
        raise UsageError(_("{options} goes with a command, and none was given").format(
            options=names), hint=_("e.g. reformctl --data path/to/data list"))
    return [*kept, rest[0], *moved, *rest[1:]]


def check_command_line(command: Any, args: list[str], path: str) -> list[str]:
    """``args`` (the words after the command name) checked and normalised for ``command``
    (``path``: how it was called, ``reformctl list``). Raises :class:`UsageError`."""
    try:
        return _check(command, args)
    except UsageError as exc:
        raise UsageError(exc.message, hint=_("`{command} --help` shows the usage and examples")
                         .format(command=path)) from None


def _check(command: Any, args: list[str]) -> list[str]:
    specs = _specs(command)
    by_name: dict[str, _Spec] = {}
    for spec in specs.values():
        spec.given = []
    for option, spec in _options(command, specs):
        by_name[option] = spec
    out = list(args)
    positional: list[int] = []
    i = 0
    while i < len(out):
        word = out[i]
        if word == "--":
            positional += range(i + 1, len(out))
            break
        if not word.startswith("-") or word == "-":
            positional.append(i)
        elif word.startswith("--"):
            name, eq, inline = word.partition("=")
            found = by_name.get(name)
            if found is not None:
                spec = found
                if not spec.takes_value:
                    spec.given.append((name, None))
                elif eq:
                    value = _value(spec, name, inline)
                    out[i] = f"{name}={value}"
                elif i + 1 < len(out):
                    out[i + 1] = _value(spec, name, out[i + 1])
                    i += 1
        elif word.startswith("-") and len(word) > 1:
            for j in range(1, len(word)):
                name = "-" + word[j]
                short = by_name.get(name)
                if short is None:
                    break
                spec = short
                if not spec.takes_value:
                    spec.given.append((name, None))
                    continue
                if j + 1 < len(word):
                    out[i] = word[: j + 1] + _value(spec, name, word[j + 1:])
                elif i + 1 < len(out):
                    out[i + 1] = _value(spec, name, out[i + 1])
                    i += 1
                break
        i += 1
    for spec in specs.values():
        if not spec.multiple and len(spec.given) > 1:
            raise _repeated(spec)
    arguments = _arguments(command)
    if all(nargs == 1 for _label, _spec, nargs in arguments):  # the n-th word is the n-th argument
        for at, (label, spec, _nargs) in zip(positional, arguments, strict=False):
            out[at] = _value(spec, label, out[at])
    return out


def _arguments(command: Any) -> list[tuple[str, _Spec, int]]:
    """Each argument of ``command``, in order: its label (``FILE``), what it takes, its nargs."""
    hints = _hints(getattr(command, "callback", None))
    found = []
    for param in getattr(command, "params", ()):
        if getattr(param, "param_type_name", None) != "argument" or not param.name:
            continue
        spec = _Spec(param.name, takes_value=True, multiple=False)
        if param.name in hints:
            _describe(spec, hints[param.name])
        label = getattr(param, "metavar", None) or param.name.upper()
        found.append((label, spec, getattr(param, "nargs", 1)))
    return found


def _repeated(spec: _Spec) -> UsageError:
    written = list(dict.fromkeys(name for name, _value in spec.given))
    names = written[0]
    for other in written[1:]:  # --overdue and --no-overdue: names of one option
        names = _("{option} and {other}").format(option=names, other=other)
    count = len(spec.given)
    if spec.takes_value:
        values = ", ".join(f"'{value}'" for _name, value in spec.given)
        message = (_("{options} was given twice ({values}); it takes one value") if count == 2
                   else _("{options} was given {count} times ({values}); it takes one value"))
        return UsageError(message.format(options=names, count=count, values=values))
    message = (_("{options} was given twice; give it once") if count == 2
               else _("{options} was given {count} times; give it once"))
    return UsageError(message.format(options=names, count=count))


def _value(spec: _Spec, option: str, raw: str) -> str:
    """Record the value given to ``option`` and return it as the parser should see it."""
    value = raw
    if spec.kind in ("int", "float"):
        value = unicodedata.normalize("NFKC", raw).strip()
        _check_number(spec, option, raw, value)
    elif spec.kind == "choice" and raw not in spec.choices:
        folded = unicodedata.normalize("NFKC", raw).strip()
        if folded in spec.choices:
            value = folded
        else:
            raise UsageError(_("{option} '{value}' is not one of: {choices}").format(
                option=option, value=raw, choices=", ".join(spec.choices)))
    spec.given.append((option, value))
    return value


_INT = re.compile(r"[+-]?[0-9]+\Z")
_FLOAT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")


# What a number option takes, as a noun phrase: (whole?, has a lowest, has a highest) -> text.
_TAKES = {
    (True, True, True): N_("a whole number from {low} to {high}"),
    (True, True, False): N_("a whole number of at least {low}"),
    (True, False, True): N_("a whole number of at most {high}"),
    (True, False, False): N_("a whole number"),
    (False, True, True): N_("a number from {low} to {high}"),
    (False, True, False): N_("a number of at least {low}"),
    (False, False, True): N_("a number of at most {high}"),
    (False, False, False): N_("a number"),
}


def _check_number(spec: _Spec, option: str, raw: str, value: str) -> None:
    whole = spec.kind == "int"
    takes = _(_TAKES[whole, spec.low is not None, spec.high is not None]).format(
        low=_num(spec.low), high=_num(spec.high))
    if not (_INT if whole else _FLOAT).match(value):
        raise UsageError(_("{option} takes {what}, not '{value}'").format(
            option=option, what=takes, value=raw))
    number = float(value)
    if (spec.low is not None and number < spec.low) or (
            spec.high is not None and number > spec.high):
        raise UsageError(_("{option} takes {what}, not {value}").format(
            option=option, what=takes, value=value))


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


_SPECS: dict[int, dict[str, _Spec]] = {}


def _specs(command: Any) -> dict[str, _Spec]:
    """Each option of ``command`` by parameter name (built once per command object)."""
    key = id(command)
    if key in _SPECS:
        return _SPECS[key]
    hints = _hints(getattr(command, "callback", None))
    specs: dict[str, _Spec] = {}
    for param in getattr(command, "params", ()):
        if getattr(param, "param_type_name", None) != "option" or not param.name:
            continue
        flag = bool(getattr(param, "is_flag", False) or getattr(param, "count", False))
        spec = _Spec(param.name, takes_value=not flag, multiple=bool(param.multiple))
        if not flag and param.name in hints:
            _describe(spec, hints[param.name])
        specs[param.name] = spec
    _SPECS[key] = specs
    return specs


def _options(command: Any, specs: dict[str, _Spec]) -> list[tuple[str, _Spec]]:
    pairs = []
    for param in getattr(command, "params", ()):
        spec = specs.get(param.name or "")
        if spec is None or getattr(param, "param_type_name", None) != "option":
            continue
        for option in [*param.opts, *getattr(param, "secondary_opts", ())]:
            pairs.append((option, spec))
    return pairs


def _hints(callback: Any) -> dict[str, Any]:
    if callback is None:
        return {}
    try:
        return typing.get_type_hints(inspect.unwrap(callback), include_extras=True)
    except Exception:  # an annotation that cannot be resolved: no checks for that command
        return {}


def _describe(spec: _Spec, hint: Any) -> None:
    """Kind, choices and range from an ``Annotated[type, typer.Option(...)]`` annotation."""
    info = None
    if get_origin(hint) is typing.Annotated:
        hint, *extras = get_args(hint)
        info = next((e for e in extras if hasattr(e, "param_decls")), None)
    hint = _unoptional(hint)
    if get_origin(hint) in (list, tuple):
        hint = _unoptional(get_args(hint)[0])
    if hint is bool:
        return
    if hint is int or hint is float:
        spec.kind = "int" if hint is int else "float"
        spec.low = getattr(info, "min", None)
        spec.high = getattr(info, "max", None)
    elif get_origin(hint) is Literal:
        spec.kind = "choice"
        spec.choices = tuple(str(v) for v in get_args(hint))


def _unoptional(hint: Any) -> Any:
    args = [a for a in get_args(hint) if a is not type(None)]
    if type(None) in get_args(hint) and len(args) == 1:
        return args[0]
    return hint


# ---------------------------------------------------------------------------------------------
# The parser's own messages, in the house style

# Each: the parser's wording (click's, typer's), and ours, plain and with the parser's suggestion.
_REWRITES: Sequence[tuple[re.Pattern[str], str, str | None]] = (
    (re.compile(r"^No such option:? '?(?P<option>[^\s']+?)'?\.?"
                r"(?: Did you mean (?P<suggestion>.*?)\??| \(Possible options: (?P<options>.*)\))?$",
                re.S),
     N_("no such option: {option}"), N_("no such option: {option} (did you mean {suggestion}?)")),
    (re.compile(r"^Missing argument '(?P<argument>[^']+)'\.?$"),
     N_("missing argument '{argument}'"), None),
    (re.compile(r"^Missing option '(?P<option>[^']+)'(?: / '([^']+)')?\.?$"),
     N_("missing option '{option}'"), None),
    (re.compile(r"^Option '(?P<option>[^']+)' requires an argument\.?$"),
     N_("{option} needs a value"), None),
    (re.compile(r"^Option '(?P<option>[^']+)' does not take a value\.?$"),
     N_("option '{option}' does not take a value"), None),
    (re.compile(r"^Got unexpected extra arguments?(?:\(s\))? \((?P<arguments>.*)\)\.?$", re.S),
     N_("unexpected extra argument(s): {arguments}"), None),
    (re.compile(r"^No such command '(?P<command>[^']+)'\.?(?:\s*Did you mean (?P<suggestion>.*?)\?)?$",
                re.S),
     N_("no such command '{command}'"), N_("no such command '{command}' (did you mean {suggestion}?)")),
    (re.compile(r"^Invalid value for (?P<option>'[^']+'(?: / '[^']+')?): "
                r"(?:[Ff]ile|[Dd]irectory|[Pp]ath) '(?P<path>.*)' is a directory\.?$", re.S),
     N_("invalid value for {option}: file '{path}' is a directory"), None),
)


def house_message(message: str) -> str:
    """A usage error from the parser as one of ours, in the language of this run: lower-case
    start, no final full stop, no "Value error, " or "Input should be" wording from validation
    libraries. A wording this module does not know stays as the parser wrote it (in English)."""
    message = message.replace("Value error, ", "").strip()
    for pattern, plain, suggesting in _REWRITES:
        match = pattern.match(message)
        if match:
            found = {k: v or "" for k, v in match.groupdict().items()}
            if found.get("options"):  # the parser's list of near names: one of them was meant
                if ", " in found["options"]:
                    return _("no such option: {option} (did you mean one of: {options}?)").format(
                        **found)
                found["suggestion"] = found["options"]
            if suggesting and found.get("suggestion"):
                return _(suggesting).format(**found)
            return _(plain).format(**found)
    if "Input should be" in message or "Invalid value for" in message:
        where = re.search(r"Invalid value for ('[^']+'(?: / '[^']+')?)", message)
        reason = re.sub(r"^.*?: ", "", message, count=1) if ":" in message else message
        reason = reason.replace("Input should be", "it should be").rstrip(".")
        return (_("invalid value for {option}: {reason}").format(option=where.group(1),
                                                                  reason=reason)
                if where else reason)
    message = message[:1].lower() + message[1:]
    if message.endswith(".") and message.count(". ") == 0:
        message = message[:-1]
    return message


def _suggestion(message: str) -> str | None:
    match = re.search(r"Did you mean (.*?)\??$", message)
    return match.group(1).strip() if match else None


def texts(option: str, values: list[str] | tuple[str, ...] | None) -> list[str]:
    """Command-line words as they go into the ledger: valid text, stripped, none empty."""
    from ..errors import UsageError

    out = []
    for value in values or ():
        if any("\ud800" <= ch <= "\udfff" for ch in value):
            raise UsageError(_("{option} is not valid UTF-8 text; check the terminal's "
                               "encoding").format(option=option))
        if not value.strip():
            raise UsageError(_("{option} needs a value; an empty one was given").format(
                option=option))
        out.append(value.strip())
    return out


def text_value(option: str, value: str | None) -> str | None:
    """One command-line word as it goes into the ledger (see :func:`texts`), or None."""
    return None if value is None else texts(option, [value])[0]
