"""Shared test helpers: a copy of the shipped ledger, and the CLI run through its real entry point."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer.main
from hypothesis import settings
from typer.testing import CliRunner

from reformctl.cli import app

# No deadlines: on a loaded CI machine a slow first example is not a bug (no timing assertions).
settings.register_profile("reformctl", deadline=None)
settings.load_profile("reformctl")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = FIXTURES / "source.txt"  # copy of ../shared/seed/000_8981805f59665aeb.txt


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: real processes at length (deselect: -m 'not slow')")


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts in English whatever the machine's locale; a test that wants Chinese
    says so (``--lang zh``, ``LANG=zh_CN.UTF-8``)."""
    from reformctl import i18n

    for name in ("REFORMCTL_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    i18n.use("en")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


_COMMAND: list[Any] = []


def _command() -> Any:
    """The app's command, built once: typer builds it anew on every ``app()`` call (~18 ms of the
    ~24 ms an invocation takes), and thousands of invocations run here. Public API only."""
    if not _COMMAND:
        _COMMAND.append(typer.main.get_command(app))
    return _COMMAND[0]


def run_cli(*args: str, env: dict[str, str] | None = None) -> Run:
    """Invoke the real app as the console script does (same command, same error handling), with
    stdout and stderr captured apart."""
    runner = CliRunner()
    with runner.isolation(env={"NO_COLOR": "1", "COLUMNS": "100", **(env or {})}) as streams:
        try:
            _command().main(args=list(args), prog_name="reformctl")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        out, err = streams[0].getvalue(), streams[1].getvalue()
    return Run(code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the shipped ledger; the working directory is its parent."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REFORMCTL_DATA", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return target


@pytest.fixture
def outside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with no ledger anywhere above it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REFORMCTL_DATA", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


UPDATE_GOLDEN = "REFORMCTL_UPDATE_GOLDEN"


def assert_golden(path: Path, actual: str) -> None:
    """Compare with a reviewed golden file; set REFORMCTL_UPDATE_GOLDEN=1 to rewrite it."""
    import os

    if os.environ.get(UPDATE_GOLDEN) or not path.exists():
        if not os.environ.get(UPDATE_GOLDEN):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            pytest.fail(f"golden file {path.name} was missing and has been written: review it")
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


def broken_ledger(case: str, into: Path) -> Path:
    """tests/fixtures/base with the files of tests/fixtures/broken/CASE laid over it."""
    target = into / "data"
    shutil.copytree(FIXTURES / "base", target)
    for item in (FIXTURES / "broken" / case).iterdir():
        if item.name == "NO-voices.yaml":
            (target / "voices.yaml").unlink()
        elif item.name.endswith(".yaml"):
            shutil.copy(item, target / item.name)
    return target


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory):
    """Tests never touch the user's cache; each session starts with an empty one."""
    import os

    folder = tmp_path_factory.mktemp("cache")
    os.environ["REFORMCTL_CACHE_DIR"] = str(folder)
    yield folder
