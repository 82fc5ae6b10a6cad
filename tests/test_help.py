"""Every ``--help`` page in the user's language, and no wider than the terminal.

Chinese: with ``LANG=zh_CN.UTF-8`` (no --lang) no English word reaches a help page apart from
what the user types or the machine reads: command and option names, option values and choices
(input syntax), environment variables, file names and paths, data in the examples, and
"reformctl". The allowlist is built from the command tree and the ledger's own vocabulary, plus a
short fixed list whose every entry says why it is there.

English: with ``LANG=C`` every page is English; the only Chinese on it is example data and the
Chinese input the options accept.
"""

from __future__ import annotations

import re
import typing

import pytest
import typer.main
from rich.cells import cell_len

from conftest import run_cli
from reformctl import i18n
from reformctl.cli import GLOBAL_OPTIONS, app
from reformctl.cli.help import METAVARS, UNTRANSLATED_METAVARS
from reformctl.models import LEVEL_LETTER, LEVEL_WORDS, STATUS_WORDS

ROOT_COMMAND = typer.main.get_command(app)
PAGES = [[], *([name] for name in ROOT_COMMAND.commands)]
IDS = ["reformctl", *ROOT_COMMAND.commands]

# Words a Chinese page may show that neither the command tree nor the ledger's vocabulary names.
FIXED = {
    "reformctl": "the program",
    "YAML": "the files' format (also a --format choice, written as its name)",
    "JSON": "JSON Schema: the standard's name; json is a --format choice",
    "Schema": "JSON Schema: the standard's name",
    "git": "the tool the ledger lives in (and git's user.name)",
    "GitHub": "a product's name: markdown (GitHub 表格), the github check format",
    "ISO": "ISO 8601, the time format --at takes",
    "YYYY-MM-DD": "how dates are typed",
    "d w m y": "the units of relative dates and spans as typed (+2w, --due-within 14d)",
    "N": "the placeholder of --limit (a letter, as in mathematics)",
    "written dry_run added updated unchanged": "the keys of update/add --format json",
    "file line column severity code message": "the keys of check --format json",
    "cd my-ledger plan": "commands and directory names in init's example command lines",
    "check-jsonschema --schemafile": "another validator's command line, in schema's examples",
    "UTF BOM": "UTF-8 and its byte-order mark (BOM): the names of an encoding and its mark",
    "SHA": "SHA-256, the name of the hash the workbook records",
    "Excel WPS LibreOffice": "the spreadsheet programs' names",
    "xlsx office": "the names of the optional extras (pip install 'reformctl[office]')",
    "ignore seq text owner partners due level": "the values --map takes (file field names)",
    "git config merge merge-file O A B P units district deshengjie":
        "git's command line and the driver's placeholders in merge-driver's help; directory "
        "names in the unit commands' examples",
}
FIXED_WORDS = {word for key in FIXED for word in key.split()}


def _choices(command: typing.Any) -> set[str]:
    """The values the options and arguments of ``command`` take as input (Literal choices)."""
    from reformctl.cli.args import _arguments, _specs

    found = {choice for spec in _specs(command).values() for choice in spec.choices}
    found |= {choice for _, spec, _ in _arguments(command) for choice in spec.choices}
    return found


def _tree() -> tuple[set[str], set[str]]:
    """(option names, input words) of the whole command tree."""
    options: set[str] = set(GLOBAL_OPTIONS) | set(ROOT_COMMAND.context_settings["help_option_names"])
    words: set[str] = set(ROOT_COMMAND.commands) | set(i18n.LANGS)
    for command in [ROOT_COMMAND, *ROOT_COMMAND.commands.values()]:
        for param in command.params:
            options.update(getattr(param, "opts", ()), getattr(param, "secondary_opts", ()))
        words |= _choices(command)
    words |= set(LEVEL_WORDS) | set(STATUS_WORDS) | set(LEVEL_LETTER.values())
    return options, words


def _tags() -> set[str]:
    """The sample ledger's tags: data, used by the examples (--tag funding)."""
    from reformctl.ledgers import find_ledger
    from reformctl.loader import open_ledger

    return {tag for task in open_ledger(find_ledger(None)).tasks for tag in task.tags}


OPTIONS, INPUT_WORDS = _tree()
ALLOWED = INPUT_WORDS | FIXED_WORDS | _tags()

_CJK_OR_FULL_WIDTH = r"\u2e80-\u9fff\u3000-\u303f\uff00-\uffef“”‘’、"
_TOKEN = re.compile(rf"[^\s{_CJK_OR_FULL_WIDTH}]+")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}([+-]\d{2}:\d{2})?)?")


def _date_input(token: str) -> bool:
    """A date or a span as typed (eom, +2w, -1d, today, 14d): input syntax, the same in every
    language."""
    from datetime import date

    from reformctl.errors import UsageError
    from reformctl.query import parse_date, parse_duration

    for parse in (lambda: parse_date(token, relative_to=date(2018, 6, 13)),
                  lambda: parse_duration(token)):
        try:
            parse()
        except UsageError:
            continue
        return True
    return False


def english_words(page: str) -> list[str]:
    """The words of ``page`` that are English prose: what a Chinese page must not show."""
    found = []
    for token in _TOKEN.findall(page):
        token = token.strip("()[]{},;:'\"`|<>=+#\\").rstrip(".")
        if not re.search("[A-Za-z]", token) or _DATE_TIME.fullmatch(token) or _date_input(token):
            continue
        if token.startswith("-"):  # an option, or the start of one (--clear-, --add-)
            if not any(name.startswith(token) for name in OPTIONS | FIXED_WORDS):
                found.append(token)
            continue
        if token.startswith(("$", "~")) or "/" in token or re.fullmatch(r"[\w.-]*\.\w+", token) \
                or re.fullmatch(r"\.\w+", token):
            continue  # an environment variable, a path, a file name (tasks.yaml, .yamllint)
        if re.fullmatch(r"[DFG]\d+", token) or re.fullmatch(r"[A-Z][A-Z_]+", token) \
                and token.startswith(("LC_", "LANG")):
            continue  # a task's ref (G3), a locale variable (LC_ALL, LANG)
        for word in re.findall(r"[A-Za-z][A-Za-z_]*(?:-[A-Za-z_]+)*", token):
            if word not in ALLOWED and word.lower() not in ALLOWED:
                found.append(word)
    return found


def _page(args: list[str], columns: int = 100) -> str:
    result = run_cli(*args, "--help", env={"COLUMNS": str(columns)})
    assert result.code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("args", PAGES, ids=IDS)
def test_every_help_page_is_chinese_under_a_chinese_locale(args, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    page = _page(args)
    assert page.startswith("用法：reformctl")
    assert english_words(page) == [], page


@pytest.mark.parametrize("args", PAGES, ids=IDS)
def test_every_help_page_is_english_under_the_c_locale(args, monkeypatch):
    monkeypatch.setenv("LANG", "C")
    page = _page(args)
    assert page.startswith("Usage: reformctl")
    chinese = set(re.findall(rf"[{_CJK_OR_FULL_WIDTH}]+", page))
    # example data and the Chinese input the options take, as the English help texts write them
    # (a run of it may be cut by the end of a line)
    data = {"台账", "座谈会发言", "佐证材料", "中文", "(e.g. 西城区总工会)", "年重点改革任务分解表", "组织部",
            "--search 经费 --search 审计", "--note 已印发", "区总工会〔2018〕12号.pdf", "延期至一季度",
            "王芳", "“广泛开展争当金牌工人活动。”", "在全区推行职工书屋建设。", "建立工会经费使用公示制度。",
            "经审会", "新任务。", "2019年重点改革任务分解表", "台账.xlsx",
            "(e.g. 德胜街道总工会)", "--unit 德胜街道总工会"}
    data |= {word for word in INPUT_WORDS if re.search(rf"[{_CJK_OR_FULL_WIDTH}]", word)}
    assert {run for run in chinese if not any(run in known for known in data)} == set(), page


def test_the_checker_finds_english_words():
    assert english_words("用法：reformctl list [OPTIONS] --level 基层") == ["OPTIONS"]
    assert english_words("只列出 done 的任务，写到 stdout。例如：--nope") == ["stdout", "--nope"]
    assert english_words("默认：$REFORMCTL_DATA；data/tasks.yaml、G3、2018-05-02T10:00+08:00") == []


def test_every_placeholder_is_in_the_catalog():
    used = set()
    for command in [ROOT_COMMAND, *ROOT_COMMAND.commands.values()]:
        for param in command.params:
            if getattr(param, "metavar", None):
                used.add(param.metavar.removesuffix("..."))
    used |= {option.metavar for option in GLOBAL_OPTIONS.values() if option.metavar}
    assert used - set(UNTRANSLATED_METAVARS) <= set(METAVARS)
    assert set(METAVARS) - {"[OPTIONS]", "COMMAND [ARGS]..."} == used - set(UNTRANSLATED_METAVARS)


def test_an_option_s_example_keeps_its_marker_in_chinese():
    """The example that ends an option's help text gets a line of its own in both languages:
    the Chinese text must end with 例如： where the English ends with Example:."""
    from reformctl.cli.help import declared_texts

    i18n.use("zh")
    try:
        for text in declared_texts(ROOT_COMMAND):
            if "\n" not in text and ". Example: " in text:
                assert "。例如：" in i18n._(text), text
    finally:
        i18n.use("en")


# --- widths -----------------------------------------------------------------------------------

# A single word wider than the page can only overrun it: none is, at these widths.
# a shell-quoted word is copied whole: never broken inside its quotes
UNBREAKABLE: set[str] = {'"reformctl merge-driver %O %A %B %P"'}


@pytest.mark.parametrize("columns", [40, 80, 120])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_help_page_fits_the_terminal(columns, lang):
    for args in PAGES:
        page = _page(["--lang", lang, *args], columns)
        for line in page.splitlines():
            assert cell_len(line) <= columns or line.strip() in UNBREAKABLE, (args, line)
        assert not any(line != line.rstrip() for line in page.splitlines()), args


def test_a_long_example_is_continued_as_one_command_line():
    page = _page(["update"], 40)
    assert "    reformctl update G3 G4 \\\n        --status in-progress \\\n        --by 王芳\n" \
        in page
    page = _page(["--lang", "zh", "check"], 40)
    assert "    # 用于持续集成\n    reformctl check --strict \\\n        --format github\n" in page


def test_on_a_narrow_terminal_descriptions_go_below_their_options():
    page = _page(["--lang", "zh", "list"], 40)
    assert "  -l, --level 层面\n      只列出这一层面的任务：" in page
    assert "      例如：--status todo\n            --status blocked\n" in page
    wide = _page(["--lang", "zh", "list"], 80)
    assert "  -l, --level 层面          只列出这一层面的任务：" in wide


def test_a_default_is_never_split():
    for columns in (40, 60, 80, 120):
        page = _page(["--lang", "zh", "list"], columns)
        assert "（默认：table）" in page and "（默认：id）" in page
        page = _page(["list"], columns)
        assert "[default: table]" in page and "[default: id]" in page


def test_the_root_example_is_continued_as_one_command_line():
    assert _page(["--lang", "zh"], 40).endswith(
        "  例如：reformctl list \\\n        --level grassroots\n")
    assert _page([], 80).endswith("  Example: reformctl list --level grassroots\n")


def test_wrapping_by_cells_where_words_are_not_prose():
    from reformctl.render.help import wrap

    # a file name may start a line (a dot is not punctuation here) ...
    assert wrap("一二三四五六七八，以及 .gitattributes 和 .yamllint", 22) == [
        "一二三四五六七八，以及", ".gitattributes 和", ".yamllint"]
    # ... a list of choices too long for a line breaks after a "|", not inside a word
    assert wrap("New status: todo|in-progress|done|blocked|dropped.", 24) == [
        "New status: todo|", "in-progress|done|", "blocked|dropped."]
    # and a line of Chinese written across lines in the source keeps no space at the joins
    assert wrap("一个任务只有一个层面、\n一个状态。", 40) == ["一个任务只有一个层面、一个状态。"]


def test_the_usage_line_brackets_what_may_be_left_out():
    assert _page(["voices"]).startswith("Usage: reformctl voices [OPTIONS] [ID]\n")
    assert _page(["--lang", "zh", "update"]).startswith("用法：reformctl update [选项] 编号...\n")
    assert _page(["--lang", "zh", "init"]).startswith("用法：reformctl init [选项] [目录]\n")
