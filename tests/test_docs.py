"""The README's command reference is the programs's own --help, and says so in a test."""

from __future__ import annotations

import os
import re

import pytest
import typer

from conftest import ROOT, run_cli
from reformctl.cli import app

README = ROOT / "README.md"
START, END = "<!-- reference: generated from --help by tests/test_docs.py -->", "<!-- /reference -->"
# The Chinese reference: the same pages drawn with --lang zh, in a section of its own that the
# update (REFORMCTL_UPDATE_GOLDEN=1) adds after the English one when it is missing.
START_ZH = "<!-- reference-zh: generated from --lang zh --help by tests/test_docs.py -->"
END_ZH = "<!-- /reference-zh -->"
SECTION_ZH = ("\n\n## 命令参考（中文）\n\n由 `reformctl --lang zh … --help` 生成（测试保证本节与程序一致）。"
              f"\n\n{START_ZH}\n{END_ZH}")
MARKERS = {"en": (START, END), "zh": (START_ZH, END_ZH)}


def reference(lang: str = "en") -> str:
    commands = list(typer.main.get_command(app).commands)  # registration order
    parts = []
    for args in ([], *([name] for name in commands)):
        result = run_cli("--lang", lang, *args, "--help", env={"COLUMNS": "100"})
        assert result.code == 0
        title = " ".join(["reformctl", *args])
        parts.append(f"### `{title}`\n\n```text\n{result.stdout.rstrip()}\n```\n")
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_readme_reference_matches_help(lang):
    text = README.read_text("utf-8")
    start, end = MARKERS[lang]
    update = os.environ.get("REFORMCTL_UPDATE_GOLDEN")
    if lang == "zh" and START_ZH not in text and update and END in text:
        at = text.index(END) + len(END)
        text = text[:at] + SECTION_ZH + text[at:]
    assert start in text and end in text, f"README lacks the generated reference section ({lang})"
    head, rest = text.split(start, 1)
    current, tail = rest.split(end, 1)
    expected = reference(lang).strip("\n")
    if update:
        README.write_text(f"{head}{start}\n{expected}\n{end}{tail}", "utf-8")
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
