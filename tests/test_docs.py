"""The README's command reference is the programs's own --help, and says so in a test."""

from __future__ import annotations

import os
import re

import typer

from conftest import ROOT, run_cli
from reformctl.cli import app

README = ROOT / "README.md"
START, END = "<!-- reference: generated from --help by tests/test_docs.py -->", "<!-- /reference -->"


def reference() -> str:
    commands = list(typer.main.get_command(app).commands)  # registration order
    parts = []
    for args in ([], *([name] for name in commands)):
        result = run_cli(*args, "--help", env={"COLUMNS": "100"})
        assert result.code == 0
        title = " ".join(["reformctl", *args])
        parts.append(f"### `{title}`\n\n```text\n{result.stdout.rstrip()}\n```\n")
    return "\n".join(parts)


def test_readme_reference_matches_help():
    text = README.read_text("utf-8")
    assert START in text and END in text, "README lacks the generated reference section"
    head, rest = text.split(START, 1)
    current, tail = rest.split(END, 1)
    expected = reference().strip("\n")
    if os.environ.get("REFORMCTL_UPDATE_GOLDEN"):
        README.write_text(f"{head}{START}\n{expected}\n{END}{tail}", "utf-8")
        return
    current = current.strip("\n")
    assert current == expected, "README reference is stale: REFORMCTL_UPDATE_GOLDEN=1 pytest " \
                                "tests/test_docs.py rewrites it"


def test_every_command_is_in_the_everyday_examples_or_reference():
    text = README.read_text("utf-8")
    for name in typer.main.get_command(app).commands:
        assert re.search(rf"reformctl {name}\b", text), name


def test_changelog_has_an_unreleased_section():
    assert "## [Unreleased]" in (ROOT / "CHANGELOG.md").read_text("utf-8")
