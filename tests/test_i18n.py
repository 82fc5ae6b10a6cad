"""The language of what reformctl prints: choosing it, the catalog, and help in both languages."""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT, run_cli
from reformctl import i18n
from reformctl.errors import UsageError

sys.path.insert(0, str(ROOT))
catalog = pytest.importorskip("tools.catalog", reason="needs Babel (the test extras)")


@pytest.mark.parametrize(("flag", "env", "expected"), [
    (None, {}, "en"),
    (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
    (None, {"LANG": "C"}, "en"),
    (None, {"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
    (None, {"LANG": "en_US.UTF-8", "LC_ALL": "zh_TW.UTF-8"}, "zh"),
    (None, {"LANG": "en_US.UTF-8", "REFORMCTL_LANG": "zh"}, "zh"),
    ("en", {"REFORMCTL_LANG": "zh", "LANG": "zh_CN.UTF-8"}, "en"),
    ("zh-CN", {}, "zh"),
    ("ZH", {}, "zh"),
    ("C", {"LANG": "zh_CN.UTF-8"}, "en"),
])
def test_the_language_is_the_option_then_the_variable_then_the_locale(flag, env, expected):
    assert i18n.pick(flag, env) == expected


def test_an_unknown_language_given_on_purpose_is_refused():
    with pytest.raises(UsageError, match="fr: unknown language"):
        i18n.pick("fr", {})
    with pytest.raises(UsageError, match=r"\$REFORMCTL_LANG de: unknown language"):
        i18n.pick(None, {"REFORMCTL_LANG": "de"})


def _arguments_keep_their_help() -> bool:
    """Older typer (0.19, the floor) drops an argument's help text when rich is not used, so the
    catalog collected from its command tree lacks those texts."""
    import typer.main

    from reformctl.cli import app

    voices = typer.main.get_command(app).commands["voices"]
    return any(p.param_type_name == "argument" and getattr(p, "help", None)
               for p in voices.params)


def test_the_catalog_is_current_and_compiled():
    if not _arguments_keep_their_help():
        pytest.skip("this typer drops arguments' help: the catalog is checked with a newer one")
    assert [p for p in catalog.stale() if not p.startswith("not translated")] == []


def test_every_message_has_a_chinese_translation():
    assert catalog.problems(catalog.merged()) == []


@pytest.mark.parametrize("args", [["--lang", "zh", "list", "--help"],
                                  ["list", "--help", "--lang", "zh"],
                                  ["list", "--lang=zh", "--help"]])
def test_lang_stands_anywhere_on_the_command_line(args):
    result = run_cli(*args)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("用法：")


def test_lang_given_twice_or_wrong_is_a_usage_error():
    result = run_cli("--lang", "zh", "list", "--lang", "en")
    assert result.code == 2
    result = run_cli("list", "--lang", "fr")
    assert (result.code, result.stderr.splitlines()[0]) == (
        2, "reformctl: error: --lang fr: unknown language; use zh (中文) or en (English)")
    result = run_cli("list", "--lang")
    assert result.code == 2


def test_the_locale_chooses_chinese(monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert run_cli("--help").stdout.startswith("用法：")
    monkeypatch.setenv("LANG", "C")
    assert run_cli("--help").stdout.startswith("Usage:")
