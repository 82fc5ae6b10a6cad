"""Every message on stderr in Chinese: errors and hints, usage errors in the house style, write
results, notices; and what ``add`` writes into the ledger is data, in no language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from reformctl import i18n
from reformctl.cli.args import house_message

AT = ("--by", "王芳", "--at", "2018-05-02T10:00+08:00")

# What may stay Latin in a Chinese message: commands, option names and their values, file
# names, the YAML keys and values of the file, error codes; each message's data is passed on.
_LATIN = re.compile(r"[A-Za-z][A-Za-z_-]*")
_KEPT = {
    "reformctl", "list", "show", "update", "add", "log", "check", "init", "report", "voices",
    "schema", "help", "lang", "zh", "en", "English", "data", "tasks", "yaml", "chmod",
    "u", "w", "g", "rw", "D", "F", "G", "ID", "REFORMCTL_DATA", "REFORMCTL_LANG", "MiB", "GiB",
}


def english_words(text: str, *data: str) -> list[str]:
    """The Latin words of ``text`` that are neither kept as they are (commands, options, files,
    codes) nor part of ``data`` (the values the message quotes)."""
    text = re.sub(r"`[^`]*`", " ", text)  # command lines quoted in a hint
    text = re.sub(r"(?<![\w-])--?[a-z][\w-]*", " ", text)  # option names
    for value in data:
        text = text.replace(value, " ")
    return [w for w in _LATIN.findall(text) if w not in _KEPT]


def zh(*args: str, env: dict[str, str] | None = None):
    return run_cli("--lang", "zh", *args, env=env)


def test_the_local_check_finds_english_words():
    assert english_words("reformctl: 错误：no task 99 in this ledger") == [
        "no", "task", "in", "this", "ledger"]
    assert english_words("reformctl: 错误：--format “pdf”不是以下之一：table", "pdf", "table") == []


# ---------------------------------------------------------------------------------------------
# Errors and hints: the words "error" and "hint" too


def test_an_error_and_its_hint_read_as_chinese(ledger):
    result = zh("show", "99")
    assert result.code == 1
    assert result.stderr.startswith("reformctl: 错误：")
    assert "\n  提示：" in result.stderr


def test_the_locale_gives_chinese_messages_too(ledger):
    result = run_cli("update", "3", "--progress", "101", env={"LANG": "zh_CN.UTF-8"})
    assert (result.code, result.stderr) == (2, (
        "reformctl: 错误：--progress 应为从 0 到 100 的整数，而不是 101\n"
        "  提示：`reformctl update --help` 显示用法和示例\n"))


def test_english_keeps_its_words(ledger):
    result = run_cli("update", "3", "--progress", "101")
    assert result.stderr == ("reformctl: error: --progress takes a whole number from 0 to 100, "
                             "not 101\n  hint: `reformctl update --help` shows the usage and "
                             "examples\n")


def test_the_read_only_sample_is_refused_in_chinese(outside):
    result = zh("update", "5", "--progress", "50")
    assert result.code == 1
    assert result.stderr == (
        "reformctl: 没有找到台账（没有 --data，没有 $REFORMCTL_DATA，这里及上级目录都没有 data/）："
        "显示自带的示例台账；`reformctl init` 可创建你自己的台账\n"
        "reformctl: 错误：这里没有可修改的台账：这条命令需要写入，但找到的唯一台账是 reformctl "
        "自带的示例台账（只读）\n"
        "  提示：请运行 `reformctl init` 把自己的副本写入 ./data，或用 --data 目录 或 "
        "REFORMCTL_DATA 指定台账\n")


def test_check_without_a_ledger_is_refused_in_chinese(outside):
    result = zh("check")
    assert result.code == 2
    assert result.stderr.startswith(
        "reformctl: 错误：没有可检查的台账：这里及上级目录都没有 data/tasks.yaml，也没有用 --data 或 "
        "$REFORMCTL_DATA 指定（只找到了 reformctl 自带的示例台账）\n  提示：请在 data/ 所在处运行 "
        "check，或给出目录：")


def test_a_read_only_file_is_refused_in_chinese(ledger):
    tasks = ledger / "tasks.yaml"
    before = tasks.read_bytes()
    tasks.chmod(0o444)
    try:
        result = zh("update", "5", "--progress", "50")
    finally:
        tasks.chmod(0o644)
    assert result.code == 1
    assert result.stderr == ("reformctl: 错误：data/tasks.yaml 是只读的（权限 0444）；未做任何修改\n"
                             "  提示：如果确需修改，请先使其可写：chmod u+w data/tasks.yaml\n")
    assert tasks.read_bytes() == before


def test_a_broken_ledger_is_announced_in_chinese(ledger):
    tasks = ledger / "tasks.yaml"
    tasks.write_text(tasks.read_text("utf-8").replace("status: todo", "status: finished", 1),
                     "utf-8")
    result = zh("list")
    assert result.code == 1
    assert result.stderr.startswith("reformctl: 错误：台账有 1 处错误，因此只显示能读出的部分"
                                    "（28 项任务，6 条发言）：\n")
    assert result.stderr.endswith("\n  提示：请运行 `reformctl check` 查看所有问题，改正后重试\n")


# ---------------------------------------------------------------------------------------------
# What a write says (text format)


def test_update_says_what_it_changed_in_chinese(ledger):
    result = zh("update", "3", "--status", "done", *AT)
    assert (result.code, result.stdout) == (0, "")
    # the fields and values as the file writes them
    assert result.stderr == "已更新任务 3（D3）：status todo → done, progress — → 100\n"
    again = zh("update", "3", "--status", "done", *AT)
    assert again.stderr == "任务 3（D3）已经是这些值：无需写入\n"
    note = zh("update", "3", "--note", "已印发", *AT)
    assert note.stderr == "已更新任务 3（D3）：已添加一条记录\n"


def test_add_says_what_it_added_in_chinese(ledger):
    result = zh("add", "新任务。", "--level", "基层", *AT)
    assert (result.code, result.stdout, result.stderr) == (0, "30\n", "已添加任务 30（G11）\n")


def test_a_dry_run_says_nothing_was_written_in_chinese(ledger):
    before = (ledger / "tasks.yaml").read_bytes()
    result = zh("update", "4", "--status", "done", "--dry-run", *AT)
    assert result.code == 0
    assert result.stdout.startswith("--- a/data/tasks.yaml\n+++ b/data/tasks.yaml\n")
    assert result.stderr == "预演：未写入任何内容\n"
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_refused_requests_say_why_in_chinese(ledger):
    assert zh("update", "3").stderr == (
        "reformctl: 错误：没有要更新的内容：请至少给出 --status、--progress、--owner、--due、--text、"
        "--title、--add-tag、--add-partner、--add-related（或相应的 --remove-/--clear- 形式）、"
        "--note、--evidence 之一\n")
    assert zh("update", "3", "--owner", "x", "--clear-owner").stderr == (
        "reformctl: 错误：--owner 和 --clear-owner 互相矛盾；只能给一个\n")
    assert zh("update", "3", "--at", "tomorrow", "--note", "x").stderr == (
        "reformctl: 错误：--at “tomorrow”不是时间；请写成 2018-05-02T10:00+08:00 或 2018-05-02 这样\n")
    assert zh("update", "3", "--add-related", "3").stderr == (
        "reformctl: 错误：任务 3（D3）不能与自身相关\n  提示：请指明另一项任务：--add-related 序号\n")


def test_the_lock_notice_is_in_chinese(ledger):
    from reformctl.lockfile import _holder

    i18n.use("zh")
    assert _holder(-1) == "另一个写入者（可能在另一台机器上）"


# ---------------------------------------------------------------------------------------------
# --lang itself


def test_lang_errors_in_chinese(outside):
    assert zh("list", "--lang", "zh").stderr == (
        "reformctl: 错误：--lang 给了 2 次；只能给一次\n"
        "  提示：`reformctl --lang zh list` 用中文列出任务；--lang en 用英文\n")
    missing = run_cli("list", "--lang", env={"LANG": "zh_CN.UTF-8"})
    assert (missing.code, missing.stderr) == (2, (
        "reformctl: 错误：--lang 需要一个值：zh 或 en\n"
        "  提示：`reformctl --lang zh list` 用中文列出任务；--lang en 用英文\n"))


def test_an_unknown_language_is_refused_in_the_locales_language(outside):
    zh_locale = run_cli("--lang", "fr", "list", env={"LANG": "zh_CN.UTF-8"})
    assert (zh_locale.code, zh_locale.stderr) == (2, (
        "reformctl: 错误：--lang fr：不认识的语言；请用 zh（中文）或 en（English）\n"
        "  提示：`reformctl --lang zh list` 用中文列出任务；--lang en 用英文\n"))
    variable = run_cli("list", env={"LANG": "zh_CN.UTF-8", "REFORMCTL_LANG": "de"})
    assert variable.stderr.startswith("reformctl: 错误：$REFORMCTL_LANG de：不认识的语言")
    english = run_cli("--lang", "fr", "list", env={"LANG": "C"})
    assert english.stderr.startswith("reformctl: error: --lang fr: unknown language")


# ---------------------------------------------------------------------------------------------
# The parser's usage errors, in the house style and in Chinese

HELP = "\n  提示：`reformctl {} --help` 显示用法和示例\n"


@pytest.mark.parametrize(("args", "command", "message"), [
    (("list", "--colour"), "list", "没有这个选项：--colour"),
    (("list", "--fo", "x"), "list", "没有这个选项：--fo（是不是要用以下之一：--bom, --format, --sort？）"),
    (("update",), "update", "缺少参数 ID"),
    (("add", "新任务。"), "add", "缺少选项 --level"),
    (("list", "--format"), "list", "--format 需要一个值"),
    (("list", "--format", "pdf"), "list",
     "--format “pdf”不是以下之一：table, json, csv, markdown, yaml"),
    (("show", "3", "4"), "show", "多余的参数：4"),
    (("update", "3", "--dry-run=yes"), "update", "选项 --dry-run 不接受值"),
    (("list", "--limit", "many"), "list", "--limit 应为整数，而不是“many”"),
    (("log", "--limit", "-3"), "log", "--limit 应为不小于 0 的整数，而不是 -3"),
    (("list", "--sort", "due", "--sort", "id"), "list",
     "--sort 给了两次（'due', 'id'）；它只接受一个值"),
    (("list", "--overdue", "--no-overdue"), "list", "--overdue 和 --no-overdue 给了两次；只能给一次"),
    (("report", "--output", "."), "report", "'--output' / '-o' 的值无效：“.”是目录"),
])
def test_usage_errors_in_chinese(ledger, args, command, message):
    result = zh(*args)
    assert result.code == 2
    assert result.stderr == f"reformctl: 错误：{message}" + HELP.format(command)


def test_no_such_command_in_chinese(ledger):
    result = zh("lst")
    assert (result.code, result.stderr) == (2, (
        "reformctl: 错误：没有这个命令：lst（是不是要用 'list'？）\n"
        "  提示：`reformctl --help` 显示用法和示例\n"))


def test_a_global_option_without_a_command_in_chinese(ledger):
    assert zh("--data", "x").stderr == ("reformctl: 错误：--data 要与命令一起使用，但没有给出命令\n"
                                        "  提示：例如 reformctl --data path/to/data list\n")


@pytest.mark.parametrize(("parser", "english", "chinese"), [
    ("No such option: --colour Did you mean --color?",
     "no such option: --colour (did you mean --color?)",
     "没有这个选项：--colour（是不是要用 --color？）"),
    ("No such command 'lst'.\nDid you mean 'list'?",
     "no such command 'lst' (did you mean 'list'?)",
     "没有这个命令：lst（是不是要用 'list'？）"),
    ("Missing argument 'TEXT'.", "missing argument 'TEXT'", "缺少参数 TEXT"),
    ("Option '--due' requires an argument.", "--due needs a value", "--due 需要一个值"),
    ("Got unexpected extra arguments (a b)", "unexpected extra argument(s): a b", "多余的参数：a b"),
])
def test_the_parsers_wordings_of_either_version(parser, english, chinese):
    assert house_message(parser) == english
    i18n.use("zh")
    assert house_message(parser) == chinese


# ---------------------------------------------------------------------------------------------
# init


def test_init_refusals_in_chinese(outside):
    assert zh("init", "plan", "--title", "x").stderr == (
        "reformctl: 错误：--title、--year 和 --unit 描述的是新方案：请与 --empty 一起使用\n"
        "  提示：reformctl init 目录 --empty --title 标题 --year 年份\n")
    assert zh("init", "plan").code == 0
    again = zh("init", "plan")
    assert (again.code, again.stderr) == (1, (
        "reformctl: 错误：plan/data/tasks.yaml 已经存在；init 从不覆盖\n"
        "  提示：请使用该台账，或另选目录：`reformctl init 目录`\n"))


def test_init_says_what_it_wrote_in_chinese(outside):
    sample = zh("init", "plan")
    assert sample.stderr.startswith("reformctl: 已将示例台账写入 plan（")
    assert sample.stderr.endswith("）；可用 `reformctl check` 检查\n")
    empty = zh("init", "new", "--empty", "--year", "2019", "--unit", "西城区总工会")
    assert empty.stderr.startswith("reformctl: 已将空台账写入 new（")
    assert empty.stderr.endswith("）；可用 `reformctl check` 检查，用 `reformctl add` 添加任务\n")


# ---------------------------------------------------------------------------------------------
# No English words in the Chinese messages (data, commands, options and files aside)


@pytest.mark.parametrize(("args", "data"), [
    (("update", "3", "--status", "done", *AT), ("status", "todo", "done", "progress")),
    (("update", "3", "--status", "done", "--dry-run", *AT), ()),
    (("add", "新任务。", "--level", "G", *AT), ()),
    (("update", "3"), ()),
    (("update", "3", "--owner", " "), ()),
    (("update", "3", "--add-tag", "a", "--remove-tag", "a"), ("a",)),
    (("list", "--as-of", "2019-01-01"), ()),
    (("voices", "3", "--task", "G6"), ()),
    (("voices", "3", "--format", "csv"), ("text", "json", "yaml", "csv")),
    (("report", "--since", "2019-01-01", "--as-of", "2018-06-30"), ()),
    (("list", "--colour"), ()),
    (("list", "--format", "pdf"), ("pdf", "table", "json", "csv", "markdown")),
    (("report", "--output", "."), ()),
    (("add", "x"), ()),
    (("update", "3", "-p", "half"), ("half",)),
])
def test_chinese_messages_have_no_english_words(ledger, args, data):
    result = zh(*args)
    assert result.stderr
    assert english_words(result.stderr, *data) == [], result.stderr


# ---------------------------------------------------------------------------------------------
# What add writes into the ledger: data, in no language


def test_add_records_its_creation_as_data_only(ledger):
    assert zh("add", "新任务。", "--level", "G", *AT).code == 0
    assert run_cli("add", "New task.", "--level", "G", *AT).code == 0
    tasks = {t["id"]: t for t in yaml.safe_load((ledger / "tasks.yaml").read_text("utf-8"))["tasks"]}
    for new in (tasks[30], tasks[31]):
        assert new["history"] == [{"at": new["history"][0]["at"], "by": "王芳",
                                   "changes": {"status": [None, "todo"]}}]
    assert "note" not in (ledger / "tasks.yaml").read_text("utf-8").split("id: 30")[1]


def test_a_note_given_to_add_is_the_creation_entrys_note(ledger):
    assert run_cli("add", "新任务。", "--level", "G", "--note", "区委交办", *AT).code == 0
    tasks = yaml.safe_load((ledger / "tasks.yaml").read_text("utf-8"))["tasks"]
    assert tasks[-1]["history"][0]["note"] == "区委交办"


def _old_style_add(ledger: Path) -> None:
    """A task added by an older reformctl: its creation entry has the note ``added``."""
    assert run_cli("add", "新任务。", "--level", "G", *AT).code == 0
    tasks = ledger / "tasks.yaml"
    text = tasks.read_text("utf-8")
    text = text.replace("          status: [null, todo]\n",
                        "          status: [null, todo]\n        note: added\n", 1)
    tasks.write_text(text, "utf-8")
    assert "note: added" in text


def test_old_ledgers_with_the_added_note_still_read(ledger):
    _old_style_add(ledger)
    assert run_cli("check", "--strict").code == 0
    shown = run_cli("show", "30")
    assert shown.code == 0 and "added" in shown.stdout
    logged = run_cli("log", "30", "--format", "json")
    assert logged.code == 0 and '"added"' in logged.stdout
    assert zh("log", "30").code == 0
    assert run_cli("update", "30", "--status", "done", *AT).code == 0
