"""One error model for the whole program.

* :class:`Location` says where something is (file, 1-based line and column).
* :class:`Diagnostic` is a problem found in the data, as a value: checks collect them, they never
  raise them. ``check`` prints them all; other commands refuse to work on a ledger that has errors.
* :class:`ReformctlError` and its subclasses are raised when a command cannot do what was asked.
  Each carries its exit code; the CLI turns every one into a message and that code in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

# Exit codes (SPEC "Behaviour every command keeps").
EXIT_OK = 0
EXIT_PROBLEM = 1  # the ledger has problems, a task/voice does not exist, the command could not do it
EXIT_USAGE = 2  # the command line itself is wrong


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    line: int | None = None  # 1-based
    col: int | None = None  # 1-based

    def __str__(self) -> str:
        if self.line is None:
            return self.path
        if self.col is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.col}"


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in a data file. ``code`` is stable (documented in the README)."""

    location: Location
    severity: Severity
    code: str
    message: str
    # Where in the parsed data the problem is, e.g. ("tasks", 3, "status"); used to find the
    # line and column when the diagnostic was made without them.
    data_path: tuple[str | int, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value}[{self.code}]: {self.message}"

    def one_line(self) -> str:
        """``str(self)`` on one line: a line feed or carriage return quoted from the data is
        shown escaped, so a value can never start a line that reads like another diagnostic."""
        return str(self).replace("\n", "\\n").replace("\r", "\\r")

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def error(path: str, line: int | None, col: int | None, code: str, message: str) -> Diagnostic:
    return Diagnostic(Location(path, line, col), Severity.ERROR, code, message)


class ReformctlError(Exception):
    """Base of every error a user can cause. ``str()`` is the whole message."""

    exit_code = EXIT_PROBLEM

    def __init__(self, message: str, *, hint: str | None = None, location: Location | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.location = location

    def __str__(self) -> str:
        from .i18n import _

        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text}\n" + _("  hint: {hint}").format(hint=self.hint) if self.hint else text


class UsageError(ReformctlError):
    """The command line asks for something that cannot be meant (an unknown status, a bad date)."""

    exit_code = EXIT_USAGE


class NotFoundError(ReformctlError):
    """A task or statement that was asked for does not exist."""


class LedgerError(ReformctlError):
    """The ledger has problems; ``diagnostics`` holds all of them."""

    def __init__(self, diagnostics: list[Diagnostic], message: str | None = None):
        from .i18n import _, ngettext

        errors = [d for d in diagnostics if d.is_error]
        # one line each: a line feed or carriage return quoted from the data is shown escaped
        shown = "\n".join(d.one_line() for d in errors[:20])
        if message is None:
            message = ngettext("the ledger has {count} error:\n{errors}",
                               "the ledger has {count} errors:\n{errors}",
                               len(errors)).format(count=len(errors), errors=shown)
            if len(errors) > 20:
                message += "\n" + _("... and {count} more").format(count=len(errors) - 20)
        super().__init__(
            message,
            hint=_("run `reformctl check` to see every problem, fix them, and try again"),
        )
        self.diagnostics = diagnostics


class WriteError(ReformctlError):
    """A change could not be written (read-only ledger, disk full, lock timeout, ...)."""


class ReadError(ReformctlError):
    """A data file could not be read at all (missing, unreadable, not a file)."""
