"""Hostile and broken input: every command refuses it with one clear error and changes nothing.

Each case is the small valid ledger of tests/fixtures/base with one hostile thing in it. Every
command (check in all formats, list in all formats, show, voices, log, update and add, with and
without --dry-run) must exit 1 with a message that names the file (and line:col where one
applies), never a traceback, and must leave every file byte for byte as it was. Speed is not
asserted here (no timing assertions in tests); the slowest case is measured by hand.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import DATA, FIXTURES, run_cli
from reformctl import yamldoc

BASE = FIXTURES / "base"
TASKS = (BASE / "tasks.yaml").read_text("utf-8")
VOICES = (BASE / "voices.yaml").read_text("utf-8")
USER = {"REFORMCTL_USER": "测试"}  # so update/add never ask git who is writing

# Every command a user can point at a ledger, reading and writing. (The output format of a listing
# is chosen after the ledger is read, so one listing format stands for all of them here; the fuzz
# test runs them all.)
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("check",),
    ("check", "--format", "json"),
    ("check", "--format", "github"),
    ("list", "--format", "csv"),
    ("show", "G1", "--format", "json"),
    ("voices", "1"),
    ("log", "2"),
    ("update", "2", "--status", "done", "--evidence", "纪要.pdf", "--dry-run"),
    ("update", "1", "3", "--note", "协调会"),
    ("add", "-l", "G", "新任务。", "--related", "3", "--dry-run"),
    ("add", "-l", "F", "新任务。", "--related", "F1"),
)


def edited(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def snapshot(folder: Path) -> dict[str, object]:
    """Every entry of the directory: bytes of regular files, the kind of anything else."""
    found: dict[str, object] = {}
    for name in sorted(os.listdir(folder)):  # os-level calls: tests may patch Path methods
        if name == ".tasks.yaml.reformctl-lock":
            continue  # the writers' lock: empty, kept (see test_write_safety)
        entry = os.path.join(folder, name)
        mode = os.lstat(entry).st_mode
        if stat.S_ISLNK(mode):
            found[name] = ("symlink", os.readlink(entry))
        elif stat.S_ISREG(mode):
            with open(entry, "rb") as handle:
                found[name] = handle.read()
        else:
            found[name] = stat.S_IFMT(mode)
    return found


def split_where(where: str) -> tuple[str, int | None, int | None]:
    parts = where.split(":")
    numbers = [int(p) for p in parts[1:]]
    return parts[0], *(numbers + [None, None])[:2]  # type: ignore[return-value]


def assert_refused_everywhere(data: Path, where: str, code: str, extra: tuple[str, ...] = (),
                              commands: tuple[tuple[str, ...], ...] = COMMANDS) -> None:
    """Every command exits 1 naming ``where`` (path[:line[:col]]) and ``code``; nothing changes."""
    before = snapshot(data)
    path, line, col = split_where(where)
    for command in commands:
        args = command + extra
        result = run_cli(*args, env=USER)
        shown = f"{args}: exit {result.code}\n{result.stdout}{result.stderr}"
        assert result.code == 1, shown
        assert "Traceback" not in result.stdout + result.stderr, shown
        assert "internal error" not in result.stderr, shown
        if command == ("check",):
            assert f"{where}: error[{code}]: " in result.stdout, shown
        elif command == ("check", "--format", "json"):
            found = {(d["file"], d["line"], d["column"], d["code"])
                     for d in json.loads(result.stdout)}
            assert (path, line, col, code) in found, shown
        elif command == ("check", "--format", "github"):
            place = f"file={path}" + (f",line={line}" if line else "") + (
                f",col={col}" if col else "")
            assert f"::error {place},title=reformctl {code}::" in result.stdout, shown
        else:
            assert result.stderr.startswith("reformctl: error: "), shown
            assert f"{where}: error[{code}]: " in result.stderr, shown
            assert "reformctl check" in result.stderr, shown  # says what to do
        assert snapshot(data) == before, f"{args} changed a file"


@dataclass(frozen=True)
class Case:
    files: dict[str, bytes | str | None]  # file name -> new content (None: remove the file)
    where: str  # path:line:col of the (first) error every command must name
    code: str
    args: tuple[str, ...] = ()  # added to every command


def _bomb(levels: int = 12) -> str:
    lines = ["lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 9) + "]"
              for i in range(1, levels)]
    return "\n".join(lines) + "\n" + TASKS


def _junk(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


P1 = "  - id: 1\n"  # first task's first line
T1 = (  # the whole first task
    "  - id: 1\n    level: district\n    seq: 1\n    text: 建立区级职工事务经费保障联席会议制度。\n"
    "    due: 2018-12-31\n    status: todo\n    tags: [funding]\n    related: []\n    history: []\n"
)
H1 = (  # the history entry of task 2
    "      - at: 2018-05-02T10:00:00+08:00\n        by: 王芳\n        changes:\n"
    "          status: [todo, in-progress]\n          progress: [null, 40]\n"
    "        note: 已提交方案\n        evidence: []\n"
)
PLAN = "plan:\n  title: 测试台账\n  year: 2018\n  approved: 2017-10-13\n"
MEETING = "meeting:\n  title: 推进工会改革工作座谈会\n  date: 2018-04-10\n  reporter: 郭祥倩\n"


def t(old: str, new: str) -> dict[str, str]:
    return {"tasks.yaml": edited(TASKS, old, new)}


def v(old: str, new: str) -> dict[str, str]:
    return {"voices.yaml": edited(VOICES, old, new)}


TF = "data/tasks.yaml"
VF = "data/voices.yaml"

CASES: dict[str, Case] = {
    # --- YAML that would explode, build objects or never end ------------------------------
    "alias-bomb": Case({"tasks.yaml": _bomb()}, f"{TF}:1:7", "yaml-anchor"),
    "alias-alone": Case(t("    tags: [funding]\n", "    tags: *funding\n"), f"{TF}:14:11",
                        "yaml-alias"),
    "merge-key": Case(t("    status: todo\n", "    <<: *base\n"), f"{TF}:13:9", "yaml-alias"),
    "deep-flow-nesting": Case({"tasks.yaml": "plan: " + "[" * 100_000}, f"{TF}:1:1006",
                               "yaml-depth"),  # where libyaml itself stops
    "deep-block-nesting": Case(
        {"tasks.yaml": "plan:\n" + "".join(" " * i + "- \n" for i in range(1, 200))},
        f"{TF}:33:33", "yaml-depth"),
    "python-object-tag": Case(
        {"tasks.yaml": "!!python/object/apply:os.system ['echo pwned > pwned']\n"},
        f"{TF}:1:1", "yaml-tag"),
    "python-name-tag": Case(t("    status: todo\n", "    status: !!python/name:os.system\n"),
                            f"{TF}:13:13", "yaml-tag"),
    "tag-on-a-mapping": Case(t("plan:\n", "plan: !!python/object:reformctl.models.Plan\n"),
                             f"{TF}:2:7", "yaml-tag"),
    "tag-on-a-list": Case(t("    tags: [funding]\n", "    tags: !!set [funding]\n"),
                          f"{TF}:14:11", "yaml-tag"),
    "custom-tag": Case(t("    status: todo\n", "    status: !done todo\n"), f"{TF}:13:13",
                       "yaml-tag"),
    "binary-tag": Case(t("    status: todo\n", "    status: !!binary dG9kbw==\n"),
                       f"{TF}:13:13", "yaml-tag"),
    "two-documents": Case({"tasks.yaml": TASKS + "---\n" + TASKS}, f"{TF}:43:1", "yaml-documents"),
    # --- bytes that are not a ledger at all -----------------------------------------------
    "binary-junk": Case({"tasks.yaml": _junk(7, 4096)}, f"{TF}:1:2", "encoding"),
    "binary-junk-voices": Case({"voices.yaml": _junk(8, 4096)}, f"{VF}:1:5", "encoding"),
    "nul-byte": Case({"tasks.yaml": TASKS.replace("测试台账", "测试\0台账")}, f"{TF}:3:12",
                      "yaml-syntax"),
    "escape-sequence": Case({"tasks.yaml": TASKS.replace("测试台账", "\x1b[2J台账")},
                            f"{TF}:3:10", "yaml-syntax"),
    "empty-file": Case({"tasks.yaml": b""}, f"{TF}:1:1", "empty-file"),
    "empty-voices": Case({"voices.yaml": b""}, f"{VF}:1:1", "empty-file"),
    "only-comments": Case({"tasks.yaml": "# nothing here yet\n\n   \n"}, f"{TF}:1:1", "empty-file"),
    "only-a-document-marker": Case({"tasks.yaml": "---\n...\n"}, f"{TF}:1:1", "empty-file"),
    "top-level-list": Case({"tasks.yaml": "- id: 1\n- id: 2\n"}, f"{TF}:1:1", "invalid-type"),
    "top-level-text": Case({"tasks.yaml": "tasks\n"}, f"{TF}:1:1", "invalid-type"),
    "top-level-list-voices": Case({"voices.yaml": "- 1\n"}, f"{VF}:1:1", "invalid-type"),
    "tab-indentation": Case(t("    level: district\n", "\tlevel: district\n"), f"{TF}:9:1",
                            "yaml-syntax"),
    "gbk": Case({"tasks.yaml": TASKS.encode("gbk")}, f"{TF}:3:10", "encoding"),
    "gb18030-voices": Case({"voices.yaml": VOICES.encode("gb18030")}, f"{VF}:2:10", "encoding"),
    "utf-16": Case({"tasks.yaml": TASKS.encode("utf-16")}, f"{TF}:1:1", "encoding"),
    "utf-16-be-no-bom": Case({"voices.yaml": VOICES.encode("utf-16-be")}, f"{VF}:1:1", "encoding"),
    "utf-32": Case({"tasks.yaml": TASKS.encode("utf-32")}, f"{TF}:1:1", "encoding"),
    "utf-32-le-no-bom": Case({"voices.yaml": VOICES.encode("utf-32-le")}, f"{VF}:1:1", "encoding"),
    "latin-1": Case({"tasks.yaml": TASKS.replace("测试台账", "Caf\xe9").encode("latin-1", "replace")},
                    f"{TF}:3:13", "encoding"),
    "huge-integer": Case(t(P1, "  - id: " + "9" * 5000 + "\n"), f"{TF}:8:9", "invalid-value"),
    "list-as-key": Case(t("    status: todo\n", "    ? [status]\n    : todo\n"), f"{TF}:13:7",
                        "invalid-type"),
    "mapping-as-top-key": Case({"tasks.yaml": "? {plan: x}\n: 1\n" + TASKS}, f"{TF}:1:3",
                               "invalid-type"),
    # --- duplicate keys -------------------------------------------------------------------
    "duplicate-top-key": Case({"tasks.yaml": TASKS + "plan:\n  title: 又一个\n"}, f"{TF}:43:1",
                              "duplicate-key"),
    "duplicate-task-key": Case(t("    seq: 1\n", "    seq: 1\n    seq: 2\n"), f"{TF}:11:5",
                               "duplicate-key"),
    "duplicate-history-key": Case(t("        by: 王芳\n", "        by: 王芳\n        by: 李\n"),
                                  f"{TF}:29:9", "duplicate-key"),
    "duplicate-voice-key": Case(v("    role: 主席\n", "    role: 主席\n    role: 副主席\n"),
                                f"{VF}:12:5", "duplicate-key"),
    # --- wrong types at every level -------------------------------------------------------
    "plan-as-list": Case(t(PLAN, "plan: [测试台账, 2018]\n"), f"{TF}:2:7", "invalid-type"),
    "plan-as-text": Case(t(PLAN, "plan: 测试台账\n"), f"{TF}:2:7", "invalid-type"),
    "year-as-text": Case(t("  year: 2018\n", "  year: 二〇一八\n"), f"{TF}:4:9", "invalid-type"),
    "tasks-as-mapping": Case({"tasks.yaml": TASKS.split("tasks:")[0] + "tasks:\n  1: x\n"},
                             f"{TF}:8:3", "invalid-type"),
    "tasks-missing": Case({"tasks.yaml": PLAN}, f"{TF}:1:1", "missing-key"),
    "task-as-text": Case(t(T1, "  - 建立区级职工事务经费保障联席会议制度。\n"), f"{TF}:8:5", "invalid-type"),
    "task-as-list": Case(t(T1, "  - [1, district, 1]\n"), f"{TF}:8:5", "invalid-type"),
    "text-as-list": Case(t("    text: 建立区级职工事务经费保障联席会议制度。\n", "    text: [建立, 制度]\n"),
                         f"{TF}:11:11", "invalid-type"),
    "level-as-number": Case(t("    level: district\n", "    level: 1\n"), f"{TF}:9:12",
                            "invalid-value"),
    "status-as-list": Case(t("    status: todo\n", "    status: [todo]\n"), f"{TF}:13:13",
                           "invalid-value"),
    "title-as-mapping": Case(t("    status: todo\n", "    status: todo\n    title: {en: x}\n"),
                             f"{TF}:14:12", "invalid-type"),
    "tags-as-text": Case(t("    tags: [funding]\n", "    tags: funding\n"), f"{TF}:14:11",
                         "invalid-type"),
    "partners-as-mapping": Case(t("    tags: [funding]\n", "    partners: {a: b}\n"),
                                f"{TF}:14:15", "invalid-type"),
    "related-holding-text": Case(t("    related: [3]\n", "    related: [三, G1]\n"), f"{TF}:25:15",
                                 "invalid-type"),
    "related-as-mapping": Case(t("    related: [3]\n", "    related: {task: 3}\n"), f"{TF}:25:14",
                               "invalid-type"),
    "history-as-mapping": Case(t("    history: []\n", "    history: {at: 2018-05-02}\n"),
                               f"{TF}:16:14", "invalid-type"),
    "history-entry-as-text": Case(t(H1, "      - 2018-05-02 王芳 已提交方案\n"), f"{TF}:27:9",
                                  "invalid-type"),
    "changes-as-list": Case(
        t("        changes:\n          status: [todo, in-progress]\n"
          "          progress: [null, 40]\n", "        changes: [status, progress]\n"),
        f"{TF}:29:18", "invalid-type"),
    "change-as-text": Case(t("          progress: [null, 40]\n", "          progress: 0 -> 40\n"),
                           f"{TF}:31:21", "invalid-type"),
    "change-of-three": Case(
        t("          progress: [null, 40]\n", "          progress: [null, 20, 40]\n"),
        f"{TF}:31:21", "invalid-value"),
    "evidence-as-text": Case(t("        evidence: []\n", "        evidence: 方案.pdf\n"),
                             f"{TF}:33:19", "invalid-type"),
    "note-as-list": Case(t("        note: 已提交方案\n", "        note: [已提交, 方案]\n"),
                         f"{TF}:32:15", "invalid-type"),
    "meeting-as-list": Case(v(MEETING, "meeting: [座谈会]\n"), f"{VF}:1:10", "invalid-type"),
    "voices-as-mapping": Case({"voices.yaml": MEETING + "\nvoices:\n  1: x\n"}, f"{VF}:7:3",
                              "invalid-type"),
    "voice-as-text": Case({"voices.yaml": MEETING + "\nvoices:\n  - 让企业和职工多跑“网”少跑路\n"},
                          f"{VF}:7:5", "invalid-type"),
    "voice-tasks-holding-a-mapping": Case(v("    tasks: [3]\n", "    tasks: [{id: 3}]\n"),
                                          f"{VF}:14:13", "invalid-type"),
    "voice-tasks-as-mapping": Case(v("    tasks: [3]\n", "    tasks: {G1: 3}\n"), f"{VF}:14:12",
                                   "invalid-type"),
    "commitments-as-text": Case(v("    commitments: [用好用足工会经费。]\n", "    commitments: 用好用足工会经费。\n"),
                                f"{VF}:12:18", "invalid-type"),
    "unknown-key": Case(t("    status: todo\n", "    state: todo\n"), f"{TF}:13:5", "unknown-key"),
    # --- values that are the right type but wrong -------------------------------------------
    "due-2018-13-45": Case(t("    due: 2018-12-31\n", "    due: 2018-13-45\n"), f"{TF}:12:10",
                           "invalid-date"),
    "due-as-words": Case(t("    due: 2018-12-31\n", "    due: 年底前\n"), f"{TF}:12:10",
                         "invalid-date"),
    "due-as-number": Case(t("    due: 2018-12-31\n", "    due: 20181231\n"), f"{TF}:12:10",
                          "invalid-date"),
    "approved-2017-02-30": Case(t("  approved: 2017-10-13\n", "  approved: 2017-02-30\n"),
                                f"{TF}:5:13", "invalid-date"),
    "history-at-2018-13-45": Case(
        t("      - at: 2018-05-02T10:00:00+08:00\n", "      - at: 2018-13-45T10:00:00+08:00\n"),
        f"{TF}:27:13", "invalid-date"),
    "meeting-date-2018-13-45": Case(v("  date: 2018-04-10\n", "  date: 2018-13-45\n"), f"{VF}:3:9",
                                    "invalid-date"),
    "id-as-quoted-number": Case(t(P1, "  - id: '1'\n"), f"{TF}:8:9", "invalid-type"),
    "id-as-word": Case(t(P1, "  - id: one\n"), f"{TF}:8:9", "invalid-type"),
    "id-as-ref": Case(t(P1, "  - id: D1\n"), f"{TF}:8:9", "invalid-type"),
    "id-as-fraction": Case(t(P1, "  - id: 1.5\n"), f"{TF}:8:9", "invalid-type"),
    "id-as-boolean": Case(t(P1, "  - id: true\n"), f"{TF}:8:9", "invalid-type"),
    "id-zero": Case(t(P1, "  - id: 0\n"), f"{TF}:8:9", "invalid-value"),
    "id-negative": Case(t(P1, "  - id: -1\n"), f"{TF}:8:9", "invalid-value"),
    "voice-id-as-text": Case(v("  - id: 1\n", "  - id: 一\n"), f"{VF}:7:9", "invalid-type"),
    "negative-progress": Case(t("    progress: 40\n", "    progress: -40\n"), f"{TF}:24:15",
                              "invalid-value"),
    "progress-over-100": Case(t("    progress: 40\n", "    progress: 400\n"), f"{TF}:24:15",
                              "invalid-value"),
    "progress-as-percent": Case(t("    progress: 40\n", "    progress: 40%\n"), f"{TF}:24:15",
                                "invalid-type"),
    "progress-nan": Case(t("    progress: 40\n", "    progress: .nan\n"), f"{TF}:24:15",
                         "invalid-type"),
    # --- references and files ---------------------------------------------------------------
    "duplicate-id": Case(t("  - id: 2\n", "  - id: 1\n"), f"{TF}:18:9", "duplicate-id"),
    "related-to-missing-task": Case(t("    related: [3]\n", "    related: [3, 99]\n"),
                                    f"{TF}:25:18", "unknown-task"),
    "voice-on-missing-tasks": Case(v("    tasks: [3]\n", "    tasks: [3, 77, 78]\n"), f"{VF}:14:16",
                                   "unknown-task"),
    # (a missing voices.yaml is a plan without a symposium: tests/test_init.py)
    # without --data, a data/ with no tasks.yaml is not a ledger (the sample is used instead)
    "tasks-missing-file": Case({"tasks.yaml": None}, TF, "missing-file", ("--data", "data")),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_is_refused_by_every_command(name, outside):
    case = CASES[name]
    data = outside / "data"
    shutil.copytree(BASE, data)
    for file_name, content in case.files.items():
        if content is None:
            (data / file_name).unlink()
        else:
            raw = content.encode("utf-8") if isinstance(content, str) else content
            (data / file_name).write_bytes(raw)
    assert_refused_everywhere(data, case.where, case.code, case.args)


class _Hung(Exception):
    pass


@pytest.fixture
def no_hang():
    """Fail (instead of hanging the test run) if a command waits for ever, e.g. on a pipe."""
    import signal

    def hung(signum, frame):
        raise _Hung("a command did not return")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, 60)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def base_ledger(into: Path) -> Path:
    data = into / "data"
    shutil.copytree(BASE, data)
    return data


# ---------------------------------------------------------------------------------------------
# Accepted: a BOM


def test_a_utf8_bom_is_accepted(outside):
    data = base_ledger(outside)
    for name in ("tasks.yaml", "voices.yaml"):
        (data / name).write_bytes(b"\xef\xbb\xbf" + (data / name).read_bytes())
    before = snapshot(data)
    for args in COMMANDS:
        if args[0] in ("update", "add") and "--dry-run" not in args:
            continue
        result = run_cli(*args, env=USER)
        assert result.code == 0, f"{args}\n{result.stdout}{result.stderr}"
    assert snapshot(data) == before
    result = run_cli("update", "2", "--note", "带 BOM 的文件", env=USER)
    assert result.code == 0, result.stderr
    assert (data / "tasks.yaml").read_bytes().startswith(b"\xef\xbb\xbf")
    assert run_cli("check", "--strict").code == 0


# ---------------------------------------------------------------------------------------------
# Size limit


def test_a_file_over_the_size_limit_is_refused(outside, monkeypatch):
    data = base_ledger(outside)
    size = (data / "tasks.yaml").stat().st_size
    monkeypatch.setattr(yamldoc, "MAX_BYTES", size - 1)  # voices.yaml is smaller: still read
    assert_refused_everywhere(data, TF, "file-too-large")
    result = run_cli("check")
    assert "reformctl reads data files of at most" in result.stdout


def test_the_real_limit_with_a_sparse_257_mib_file_reads_nothing(outside, monkeypatch, no_hang):
    assert yamldoc.MAX_BYTES == 8 * 2**20  # every command within 2 GiB (tests/test_limits.py)
    data = base_ledger(outside)
    path = data / "tasks.yaml"
    os.truncate(path, 257 * 2**20)  # sparse: no disk space, and nothing may read it
    before = path.stat()
    read: list[int] = []
    real_open = Path.open

    class Spy:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

        def fileno(self):
            return self.handle.fileno()

        def read(self, *args):
            chunk = self.handle.read(*args)
            read.append(len(chunk))
            return chunk

    def spying_open(self, *args, **kwargs):
        handle = real_open(self, *args, **kwargs)
        return Spy(handle) if self.name == "tasks.yaml" else handle

    monkeypatch.setattr(Path, "open", spying_open)
    for args in (("check",), ("check", "--format", "json"), ("list",), ("show", "1"),
                 ("update", "1", "--note", "x"), ("add", "-l", "G", "新任务。")):
        result = run_cli(*args, env=USER)
        out = result.stdout + result.stderr
        assert result.code == 1, out
        assert "file-too-large" in out and "data/tasks.yaml" in out
        assert "the file is 257.0 MiB; reformctl reads data files of at most 8 MiB" in out
        assert "Traceback" not in out
    assert sum(read) == 0
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


# ---------------------------------------------------------------------------------------------
# Things in a data file's place that are not files


@pytest.mark.parametrize("name", ["tasks.yaml", "voices.yaml"])
@pytest.mark.parametrize("kind", ["named-pipe", "device", "directory", "symlink-loop"])
def test_something_that_is_not_a_file(outside, no_hang, name, kind, monkeypatch):
    data = base_ledger(outside)
    monkeypatch.setenv("REFORMCTL_ALLOW_OUTSIDE", "1")  # /dev/zero is outside the ledger
    path = data / name
    path.unlink()
    if kind == "named-pipe":
        os.mkfifo(path)  # opening it would wait for a writer for ever
        message = "this is not a regular file"
    elif kind == "device":
        path.symlink_to("/dev/zero")  # reading it would never end
        message = "this is not a regular file"
    elif kind == "directory":
        path.mkdir()
        message = "this is a directory, not a file"
    else:
        path.symlink_to(name)
        message = "cannot read the file: Too many levels of symbolic links"
    assert_refused_everywhere(data, f"data/{name}", "unreadable", ("--data", "data"))
    assert message in run_cli("check", "--data", "data").stdout


# ---------------------------------------------------------------------------------------------
# Circular `related` links are fine and nothing walks them for ever


@pytest.mark.parametrize("links", [
    {1: [2], 2: [3], 3: [1]},  # A -> B -> C -> A
    {1: [2], 2: [1], 3: []},  # A <-> B
    {1: [2, 3], 2: [1, 3], 3: [1, 2]},  # everything with everything
])
def test_circular_related_links_never_loop(outside, no_hang, links):
    data = base_ledger(outside)
    lines = TASKS.splitlines(keepends=True)
    related = [i for i, line in enumerate(lines) if line.startswith("    related: ")]
    for task_id, i in zip((1, 2, 3), related, strict=True):  # the tasks are in id order
        lines[i] = f"    related: [{', '.join(map(str, links[task_id]))}]\n"
    (data / "tasks.yaml").write_text("".join(lines), "utf-8")
    for args in (*COMMANDS, ("list",), ("show", "3"), ("show", "1", "--format", "yaml")):
        result = run_cli(*args, env=USER)
        assert result.code == 0, f"{args}\n{result.stdout}{result.stderr}"
    shown = json.loads(run_cli("show", "1", "--format", "json").stdout)
    # show lists a related task whichever of the two records the link
    linked = set(links[1]) | {other for other, targets in links.items() if 1 in targets}
    assert sorted(t["id"] for t in shown["related_tasks"]) == sorted(linked)
    assert run_cli("check").code == 0


# ---------------------------------------------------------------------------------------------
# The data directory cannot be read, or written


def _deny_inside(monkeypatch, data: Path) -> None:
    """Anything inside ``data`` answers "permission denied", as a directory mode 0 would make it
    (simulated: the tests may run as root, whom modes do not stop)."""
    inside = str(data.resolve())

    def denied(path) -> bool:
        return os.path.abspath(path).startswith(inside + os.sep)

    real_stat, real_open = Path.stat, Path.open

    def stat_(self, *args, **kwargs):
        if denied(self):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    def open_(self, *args, **kwargs):
        if denied(self):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", stat_)
    monkeypatch.setattr(Path, "open", open_)


def test_a_data_directory_that_cannot_be_read(outside, monkeypatch):
    data = base_ledger(outside)
    _deny_inside(monkeypatch, data)
    assert_refused_everywhere(data, TF, "unreadable", ("--data", "data"))
    assert "cannot read the file: Permission denied" in run_cli("check", "--data", "data").stdout


def test_a_data_directory_that_cannot_be_looked_into_when_searching(outside, monkeypatch):
    data = base_ledger(outside)
    _deny_inside(monkeypatch, data)
    for args in COMMANDS:
        result = run_cli(*args, env=USER)
        assert result.code == 2, result.stderr  # no command can start: the same code in all
        assert result.stderr.startswith(
            "reformctl: error: cannot look into data: Permission denied"), result.stderr
        assert "--data" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes whatever the modes say")
def test_a_real_unreadable_and_a_real_read_only_directory(outside):
    data = base_ledger(outside)
    before = snapshot(data)
    data.chmod(0o000)
    try:
        for args in COMMANDS:
            result = run_cli(*args, "--data", "data", env=USER)
            out = result.stdout + result.stderr
            assert result.code == 1, out
            assert ("data/tasks.yaml: error[unreadable]: cannot read the file: Permission denied"
                    in out or '"code": "unreadable"' in out or "reformctl unreadable" in out), out
            assert "Traceback" not in out
        result = run_cli("list", env=USER)  # found by searching upwards
        assert result.code == 1 and "cannot look into data: Permission denied" in result.stderr
    finally:
        data.chmod(0o755)
    data.chmod(0o555)
    try:
        for args in (("update", "1", "--note", "x"), ("add", "-l", "G", "新任务。")):
            result = run_cli(*args, env=USER)
            assert result.code == 1 and "permission denied; nothing was changed" in result.stderr
    finally:
        data.chmod(0o755)
    assert snapshot(data) == before


@pytest.mark.parametrize("code, words", [(errno.EACCES, "permission denied"),
                                         (errno.EROFS, "the file system is read-only")])
def test_a_read_only_data_directory_on_update_and_add(ledger, monkeypatch, code, words):
    """No new file can be made in the directory (simulated at os.open: tests may run as root)."""
    inside = str(ledger.resolve()) + os.sep
    real_open = os.open

    def no_new_files(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and os.path.abspath(path).startswith(inside):
            raise OSError(code, os.strerror(code), path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_new_files)
    before = snapshot(ledger)
    for args in (("update", "3", "--status", "done", "--evidence", "x"),
                 ("update", "3", "22", "--note", "x"),
                 ("add", "-l", "G", "新任务。", "--related", "G3")):
        result = run_cli(*args, env=USER)
        assert result.code == 1, result.stderr
        assert result.stderr.startswith(f"reformctl: error: cannot write data/tasks.yaml: {words}; "
                                        "nothing was changed"), result.stderr
        assert "Traceback" not in result.stderr
        dry = run_cli(*args, "--dry-run", env=USER)  # a dry run writes nothing: it works
        assert dry.code == 0 and dry.stdout.startswith("--- a/data/tasks.yaml"), dry.stderr
    assert snapshot(ledger) == before


@pytest.mark.parametrize("command", [("update", "3", "--status", "done", "--evidence", "x"),
                                     ("add", "-l", "F", "新任务。", "--related", "F12")])
def test_the_disk_fills_up_half_way_through_the_write(ledger, monkeypatch, command):
    """ENOSPC after part of the new file is written (simulated): the old file stays whole."""
    real_fdopen = os.fdopen

    class HalfFull:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name):
            return getattr(self.handle, name)

    def fdopen(fd, *args, **kwargs):
        handle = real_fdopen(fd, *args, **kwargs)
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".reformctl-tmp"):
            return HalfFull(handle)
        return handle

    if not os.path.exists("/proc/self/fd"):
        pytest.skip("needs /proc to tell the temporary file from other files")
    monkeypatch.setattr(os, "fdopen", fdopen)
    before = snapshot(ledger)
    result = run_cli(*command, env=USER)
    assert result.code == 1, result.stderr
    assert result.stderr.startswith(
        "reformctl: error: cannot write data/tasks.yaml: the disk is full; nothing was changed")
    assert snapshot(ledger) == before  # no half-written file, no temporary file left


def test_a_working_directory_that_was_removed(tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    monkeypatch.delenv("REFORMCTL_DATA", raising=False)
    gone.rmdir()
    result = run_cli("list")
    assert result.code == 2  # no ledger can be found: the same code in every command
    assert result.stderr.startswith("reformctl: error: the working directory no longer exists")
    assert run_cli("check").code == 2
    assert run_cli("list", "--data", str(DATA), "--format", "json").code == 0


# ---------------------------------------------------------------------------------------------
# Writes into valid but unusual files: done exactly, or refused; never a corrupted ledger


def test_add_related_to_the_last_task_of_a_level_keeps_every_line(ledger):
    """The new task goes into the block of D7, which the same change also rewrites (its related
    list gains the new id). Both edits must land; this once wrote a broken file."""
    path = ledger / "tasks.yaml"
    before = path.read_text("utf-8")
    result = run_cli("add", "-l", "D", "新任务。", "--related", "D7", env=USER)
    assert result.code == 0, result.stderr
    after = path.read_text("utf-8")
    start = before.index("  - id: 7\n")
    end = before.index("  # 区总工会层面")
    assert after[:start] == before[:start]
    assert after.endswith(before[end:])
    block = after[start:len(after) - len(before) + end]
    # D7 gains the link, and its history records it
    assert block.startswith(before[start:end].rstrip("\n").replace(
        "related: []\n    history: []", "related: [30]\n    history:\n      - at: "))
    assert "        changes:\n          related: [[], [30]]\n\n  - id: 30\n" in block
    assert "\n\n  - id: 30\n    level: district\n    seq: 8\n    text: 新任务。\n" in block
    check = run_cli("check", "--strict")
    assert check.code == 0, check.stdout


@pytest.mark.parametrize("layout", ["one-line", "one-task-a-line"])
def test_a_ledger_written_in_flow_style_is_never_corrupted(outside, layout):
    import yaml

    data = base_ledger(outside)
    parsed = yaml.safe_load(TASKS)
    dumps = [json.dumps(t, ensure_ascii=False, default=str).replace(
        '"at": "2018-05-02 10:00:00+08:00"', '"at": "2018-05-02T10:00:00+08:00"')
        for t in parsed["tasks"]]
    plan = json.dumps(parsed["plan"], ensure_ascii=False, default=str)
    if layout == "one-line":
        text = f"plan: {plan}\ntasks: [{', '.join(dumps)}]\n"
    else:
        text = f"plan: {plan}\ntasks: [\n  " + ",\n  ".join(dumps) + "\n]\n"
    (data / "tasks.yaml").write_text(text, "utf-8")
    assert run_cli("check").code == 0
    before = snapshot(data)
    for args in (("add", "-l", "D", "新任务。"), ("update", "1", "--note", "x"),
                 ("update", "3", "--status", "done", "--evidence", "x")):
        result = run_cli(*args, env=USER)
        assert result.code == 1, result.stderr
        assert "can read but not edit in place" in result.stderr and "nothing was changed" in (
            result.stderr)
        assert snapshot(data) == before


def test_a_block_scalar_ending_in_a_hash_line_is_not_cut_by_add(outside):
    """``# ...`` inside a block scalar is text, not a comment: add refuses rather than insert the
    new task in the middle of it (which would silently drop that line from the task before)."""
    data = base_ledger(outside)
    text = TASKS + "    title: |\n      Budget rules\n      # 3 of them\n"
    (data / "tasks.yaml").write_text(text, "utf-8")
    assert run_cli("check").code == 0
    before = snapshot(data)
    result = run_cli("add", "-l", "G", "新任务。", env=USER)
    assert result.code == 1 and "could not be written safely" in result.stderr
    assert snapshot(data) == before
    assert run_cli("update", "3", "--note", "x", env=USER).code == 0  # an update is exact
    assert json.loads(run_cli("show", "3", "--format", "json").stdout)["title"] == (
        "Budget rules\n# 3 of them\n")


# ---------------------------------------------------------------------------------------------
# The words of the messages


@pytest.mark.parametrize("codec, name", [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"),
                                         ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32"),
                                         ("utf-32-le", "UTF-32"), ("utf-32-be", "UTF-32")])
def test_wide_encodings_are_named(codec, name):
    for text in (TASKS, "a: 1\n"):
        _, problems = yamldoc.decode(text.encode(codec), "f.yaml")
        assert problems[0].message.startswith(f"the file is {name} encoded;")
        assert f"iconv -f {name} -t UTF-8 f.yaml" in problems[0].message


def test_messages_name_the_right_task_and_file(outside):
    data = base_ledger(outside)
    (data / "tasks.yaml").write_text(edited(TASKS, P1, "  - id: true\n"), "utf-8")
    result = run_cli("check")
    # "task #1", not "task True"
    assert "id in task #1 must be an integer, got the boolean true" in result.stdout
    (data / "tasks.yaml").write_bytes(TASKS.encode("gbk"))
    result = run_cli("check")
    # the summary names both files, though only voices.yaml could be decoded
    assert result.stderr == "1 error, 0 warnings in data/tasks.yaml, data/voices.yaml\n"


def test_the_same_update_twice_in_one_second(ledger):
    """Two equal history entries (same time, author and note) are both recorded; the second
    was refused as "could not be written safely", and its report would have crashed."""
    for _ in range(3):
        result = run_cli("update", "3", "--note", "同一条", "--at", "2018-05-02T10:00:00+08:00",
                         env=USER)
        assert result.code == 0, result.stderr
        assert result.stderr == "updated task 3 (D3): history entry added\n"
    history = json.loads(run_cli("show", "3", "--format", "json").stdout)["history"]
    assert [e["note"] for e in history] == ["同一条"] * 3
    assert run_cli("check").code == 0
