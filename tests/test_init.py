"""`reformctl init`: a new ledger (sample or empty), ready for git and yamllint, all files or none;
a ledger with no task and no symposium is valid, and `add` writes its first task."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import pytest
import yaml

from conftest import DATA, run_cli
from reformctl import edit
from reformctl.models import HistoryEntry, Task

USER = {"REFORMCTL_USER": "测试"}
LEDGER_FILES = ["data/tasks.yaml", "data/voices.yaml", "schema/tasks.schema.json",
                "schema/voices.schema.json"]
EXTRAS = [".gitattributes", ".yamllint", "data/.gitignore"]
YAMLLINT = shutil.which("yamllint") or str(Path(sys.executable).with_name("yamllint"))
REFORMCTL = shutil.which("reformctl") or str(Path(sys.executable).with_name("reformctl"))


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones included), by relative path."""
    found = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            found[str(path.relative_to(folder))] = (
                b"-> " + os.fsencode(os.readlink(path)) if path.is_symlink() else path.read_bytes())
    return found


def dirs(folder: Path) -> list[str]:
    return sorted(str(Path(root).relative_to(folder)) for root, _d, _f in os.walk(folder))


def new_plan(where: Path, *extra: str) -> Path:
    result = run_cli("init", str(where), "--empty", "--title", "测试计划", "--year", "2019", *extra)
    assert result.code == 0, result.stderr
    return where / "data"


# ---------------------------------------------------------------------------------------------
# What init writes


def test_init_empty_writes_a_valid_ledger_with_a_plan_and_no_tasks(outside):
    result = run_cli("init", "plan2019", "--empty", "--title", "西城区总工会2019年重点改革任务分解表",
                     "--year", "2019", "--unit", "西城区总工会")
    assert result.code == 0, result.stderr
    assert sorted(tree(outside / "plan2019")) == sorted(LEDGER_FILES + EXTRAS)
    assert "wrote an empty ledger into plan2019 (data/tasks.yaml, data/voices.yaml" in result.stderr
    tasks = yaml.safe_load((outside / "plan2019/data/tasks.yaml").read_text("utf-8"))
    assert tasks == {"plan": {"title": "西城区总工会2019年重点改革任务分解表", "year": 2019,
                              "unit": "西城区总工会"}, "tasks": []}
    assert yaml.safe_load((outside / "plan2019/data/voices.yaml").read_text("utf-8")) == {
        "voices": []}
    first = (outside / "plan2019/data/tasks.yaml").read_text("utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/tasks.schema.json"
    for kind in ("tasks", "voices"):
        assert (outside / f"plan2019/schema/{kind}.schema.json").read_text("utf-8") == (
            run_cli("schema", kind).stdout)
    check = run_cli("check", "--strict", "--data", "plan2019/data")
    assert check.code == 0, check.stdout + check.stderr
    assert "no problems (0 tasks, 0 statements)" in check.stderr


def test_init_without_empty_keeps_writing_the_sample(outside):
    assert run_cli("init", "proj").code == 0
    files = tree(outside / "proj")
    assert sorted(files) == sorted(LEDGER_FILES + EXTRAS)
    assert files["data/tasks.yaml"] == (DATA / "tasks.yaml").read_bytes()
    assert files["data/voices.yaml"] == (DATA / "voices.yaml").read_bytes()


def test_the_default_title_and_year(outside):
    from datetime import date

    assert run_cli("init", "a", "--empty", "--unit", "西城区总工会", "--year", "2019").code == 0
    plan = yaml.safe_load((outside / "a/data/tasks.yaml").read_text("utf-8"))["plan"]
    assert plan == {"title": "西城区总工会2019年重点改革任务分解表", "year": 2019, "unit": "西城区总工会"}
    assert run_cli("init", "b", "--empty").code == 0
    plan = yaml.safe_load((outside / "b/data/tasks.yaml").read_text("utf-8"))["plan"]
    assert plan == {"title": f"{date.today().year}年重点改革任务分解表", "year": date.today().year}


@pytest.mark.parametrize("title", ["计划: 二〇一九", "# not a comment", "- not a list", "'quoted'",
                                   "yes", "2019", "[bold]x[/]", "a \"b\" c", "百分之50%"])
def test_a_title_is_written_as_text_whatever_it_holds(outside, title):
    assert run_cli("init", "p", "--empty", "--title", title).code == 0
    shown = json.loads(run_cli("report", "--format", "json", "--data", "p/data").stdout)
    assert shown["plan"]["title"] == title
    assert run_cli("check", "--strict", "--data", "p/data").code == 0


@pytest.mark.parametrize("args", [("--title", "x"), ("--year", "2019"), ("--unit", "x"),
                                  ("--sample", "--year", "2019")])
def test_plan_options_need_empty(outside, args):
    result = run_cli("init", "p", *args)
    assert result.code == 2
    assert "--title, --year and --unit describe a new plan: use them with --empty" in result.stderr
    assert not (outside / "p").exists()


@pytest.mark.parametrize("args,message", [
    (("--title", "  "), "--title needs a value"),
    (("--year", "0"), "--year"),
    (("--year", "twenty"), "--year"),
])
def test_bad_plan_values_are_usage_errors(outside, args, message):
    result = run_cli("init", "p", "--empty", *args)
    assert result.code == 2 and message in result.stderr
    assert not (outside / "p").exists()


def test_gitattributes_and_gitignore(outside):
    new_plan(outside / "p")
    attributes = (outside / "p/.gitattributes").read_text("utf-8")
    assert "data/*.yaml text eol=lf" in attributes
    assert "data/*.yaml merge=reformctl" in attributes.splitlines()
    ignored = (outside / "p/data/.gitignore").read_text("utf-8").splitlines()
    assert ".*.reformctl-lock" in ignored and ".*.reformctl-tmp" in ignored


def test_git_sees_the_ledger_and_ignores_locks_and_temporary_files(outside):
    data = new_plan(outside / "p")
    git = ["git", "-C", str(outside / "p")]
    subprocess.run([*git, "init", "-q"], check=True)
    (data / ".tasks.yaml.reformctl-lock").write_text("")
    (data / ".tasks.yaml.x1y2.reformctl-tmp").write_text("")
    listed = subprocess.run([*git, "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True).stdout.split("\n")
    assert sorted(line[3:] for line in listed if line) == sorted(LEDGER_FILES + EXTRAS)
    check = subprocess.run([*git, "check-attr", "eol", "data/tasks.yaml"], capture_output=True,
                           text=True, check=True).stdout
    assert check.strip() == "data/tasks.yaml: eol: lf"


@pytest.mark.skipif(not Path(YAMLLINT).exists(), reason="yamllint is not installed")
@pytest.mark.parametrize("mode", ["--empty", "--sample"])
def test_a_new_ledger_lints_clean(outside, mode):
    assert run_cli("init", "p", mode).code == 0
    if mode == "--empty":
        for level in ("district", "federation", "grassroots"):
            text = "在全区推行职工书屋建设，推动“互联网+”工会普惠服务向基层延伸、覆盖全部会员和职工。"
            assert run_cli("add", "-l", level, text, "--title", "A long English gloss " * 5,
                           "--data", "p/data", env=USER).code == 0
    for args, cwd in ((["."], "p"), (["data/"], "p"), (["tasks.yaml", "voices.yaml"], "p/data")):
        lint = subprocess.run([YAMLLINT, "--strict", "-f", "parsable", *args],
                              cwd=outside / cwd, capture_output=True, text=True, check=False)
        assert lint.returncode == 0, lint.stdout + lint.stderr
    # without reformctl's settings, the long Chinese lines fail yamllint's defaults
    (outside / "p/.yamllint").unlink()
    if mode == "--sample":
        lint = subprocess.run([YAMLLINT, "data/"], cwd=outside / "p", capture_output=True,
                              text=True, check=False)
        assert "line-length" in lint.stdout


def test_existing_extras_are_left_alone_and_shown(outside):
    (outside / "p").mkdir()
    (outside / "p/.gitattributes").write_text("*.png binary\n")
    (outside / "p/.yamllint").write_text("extends: relaxed\n")
    result = run_cli("init", "p", "--empty")
    assert result.code == 0, result.stderr
    assert (outside / "p/.gitattributes").read_text() == "*.png binary\n"
    assert (outside / "p/.yamllint").read_text() == "extends: relaxed\n"
    assert "p/.gitattributes is already there and was left as it is" in result.stderr
    assert "    data/*.yaml text eol=lf" in result.stderr
    assert "p/.yamllint is already there" in result.stderr
    assert (outside / "p/data/.gitignore").is_file()


# ---------------------------------------------------------------------------------------------
# Never overwrites; all or nothing


@pytest.mark.parametrize("what", ["file", "dangling-link", "empty"])
def test_init_refuses_where_a_ledger_is(outside, what):
    data = outside / "p" / "data"
    data.mkdir(parents=True)
    if what == "file":
        (data / "tasks.yaml").write_text("mine\n")
    elif what == "dangling-link":
        (data / "tasks.yaml").symlink_to("nowhere")
    else:
        (data / "tasks.yaml").write_bytes(b"")
    before = tree(outside)
    result = run_cli("init", "p", "--empty")
    assert result.code == 1
    assert "data/tasks.yaml already exists; init never overwrites" in result.stderr
    assert tree(outside) == before and dirs(outside / "p") == [".", "data"]


def test_init_refuses_a_different_file_in_its_way_and_writes_nothing(outside):
    (outside / "p" / "schema").mkdir(parents=True)
    (outside / "p/schema/voices.schema.json").write_text("{}\n")
    result = run_cli("init", "p")
    assert result.code == 1 and "schema/voices.schema.json already exists" in result.stderr
    assert tree(outside / "p") == {"schema/voices.schema.json": b"{}\n"}
    assert dirs(outside / "p") == [".", "schema"]


def test_init_into_a_file_is_a_clear_error(outside):
    (outside / "p").write_text("x")
    result = run_cli("init", "p")
    assert result.code == 1
    assert "a part of the path is a file, not a directory; nothing was written" in result.stderr
    assert (outside / "p").read_text() == "x"


def test_what_a_killed_run_left_does_not_stop_the_next(outside):
    """A run killed before tasks.yaml was placed left some files with the bytes init writes:
    they are taken as they are, and the run completes."""
    assert run_cli("init", "full", "--empty").code == 0
    (outside / "half/data").mkdir(parents=True)
    for name in ("data/voices.yaml", "schema/tasks.schema.json", ".yamllint"):
        (outside / "half" / name).parent.mkdir(exist_ok=True)
        shutil.copy(outside / "full" / name, outside / "half" / name)
    result = run_cli("init", "half", "--empty")
    assert result.code == 0, result.stderr
    assert tree(outside / "half") == tree(outside / "full")
    assert "already there" not in result.stderr


@pytest.mark.parametrize("fail_at", range(7))
def test_a_failure_at_any_file_leaves_nothing_behind(outside, monkeypatch, fail_at):
    real_link = os.link
    calls = []

    def link(src, dst, *args, **kwargs):
        calls.append(dst)
        if len(calls) > fail_at:
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "link", link)
    result = run_cli("init", "deep/p", "--empty")
    assert result.code == 1
    assert "the disk is full; nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert os.listdir(outside) == []  # deep/ and p/ were made by this run: gone too
    monkeypatch.setattr(os, "link", real_link)
    assert run_cli("init", "deep/p", "--empty").code == 0


def test_a_failure_keeps_directories_that_were_there(outside, monkeypatch):
    (outside / "p/data").mkdir(parents=True)
    (outside / "p/data/notes.txt").write_text("mine")

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    assert run_cli("init", "p").code == 1
    assert tree(outside / "p") == {"data/notes.txt": b"mine"}
    assert dirs(outside / "p") == [".", "data"]


@pytest.mark.parametrize("errno_", [errno.EPERM, errno.EOPNOTSUPP])
def test_a_file_system_without_hard_links(outside, monkeypatch, errno_):
    def no_links(*args, **kwargs):
        raise OSError(errno_, os.strerror(errno_))

    monkeypatch.setattr(os, "link", no_links)
    assert run_cli("init", "p", "--empty").code == 0
    assert sorted(tree(outside / "p")) == sorted(LEDGER_FILES + EXTRAS)
    assert run_cli("check", "--strict", "--data", "p/data").code == 0


def test_init_on_a_file_size_limit_leaves_nothing_and_a_rerun_works(outside):
    """RLIMIT_FSIZE makes a write past 8 KiB fail with EFBIG (Python ignores SIGXFSZ), as a full
    disk would: the sample's tasks.yaml and voices.yaml are larger."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "reformctl", "init", "p"], cwd=outside,
                          capture_output=True, text=True, preexec_fn=limit, env=env, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "cannot write p/" in proc.stderr and "nothing was written" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert os.listdir(outside) == []
    again = subprocess.run([sys.executable, "-m", "reformctl", "init", "p"], cwd=outside,
                           capture_output=True, text=True, env=env, check=False)
    assert again.returncode == 0, again.stderr
    assert tree(outside / "p")["data/tasks.yaml"] == (DATA / "tasks.yaml").read_bytes()


@pytest.fixture
def small_disk(tmp_path):
    """A 52 KiB tmpfs (root only): too small for the sample ledger (60 KiB in 4 KiB blocks), large
    enough for an empty one (44 KiB)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=52k", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        # lazily: a file the test process still holds open there (the lock) would make a plain
        # umount fail and leave the mount behind for every later run to trip over
        subprocess.run(["umount", "--lazy", str(mount)], check=False)


def test_init_on_a_full_disk_leaves_nothing_behind(small_disk, monkeypatch):
    monkeypatch.chdir(small_disk)
    result = run_cli("init", "p")
    assert result.code == 1
    assert "the disk is full; nothing was written" in result.stderr
    assert os.listdir(small_disk) == []
    result = run_cli("init", "p", "--empty")  # a small ledger fits
    assert result.code == 0, result.stderr
    assert run_cli("check", "--strict", "--data", "p/data").code == 0


# ---------------------------------------------------------------------------------------------
# A ledger with no task, and no symposium


def test_every_command_behaves_on_an_empty_ledger(outside):
    new_plan(outside / "p")
    env = {"REFORMCTL_DATA": "p/data"}
    listed = run_cli("list", env=env)
    assert listed.code == 0 and listed.stdout == "" and "no tasks" in listed.stderr
    assert json.loads(run_cli("list", "--format", "json", env=env).stdout) == []
    shown = run_cli("show", "1", env=env)
    assert shown.code == 1 and "no task 1" in shown.stderr
    voices = run_cli("voices", env=env)
    assert voices.code == 0 and "no statements" in voices.stderr
    assert run_cli("log", env=env).code == 0
    for fmt in ("text", "markdown", "html", "json", "csv"):
        report = run_cli("report", "--format", fmt, "--as-of", "2019-06-30", env=env)
        assert report.code == 0, (fmt, report.stderr)
    report = json.loads(run_cli("report", "--format", "json", env=env).stdout)
    assert report["plan"]["title"] == "测试计划" and report["symposium"]["meeting"] is None


@pytest.mark.parametrize("voices", [b"voices: []\n", b"meeting:\nvoices: []\n", None,
                                    b"# no symposium\nmeeting: null\n"])
def test_a_ledger_without_a_symposium_is_valid(ledger, voices):
    tasks = (ledger / "tasks.yaml").read_text("utf-8")
    for voice_ref in ("voices: [", "voices:"):
        assert voice_ref not in tasks  # tasks do not point at voices
    if voices is None:
        (ledger / "voices.yaml").unlink()
    else:
        (ledger / "voices.yaml").write_bytes(voices)
    check = run_cli("check", "--strict")
    assert check.code == 0, check.stdout + check.stderr
    assert run_cli("voices").code == 0
    assert run_cli("report").code == 0
    assert run_cli("update", "3", "--status", "in-progress", env=USER).code == 0
    added = run_cli("add", "-l", "G", "新任务。", env=USER)
    assert added.code == 0 and added.stdout == "30\n"
    assert not (ledger / "voices.yaml").exists() if voices is None else True


def test_a_meeting_still_needs_its_title_and_date(ledger):
    (ledger / "voices.yaml").write_text("meeting:\n  reporter: 郭祥倩\nvoices: []\n", "utf-8")
    check = run_cli("check")
    assert check.code == 1
    assert "data/voices.yaml:2:3: error[missing-key]" in check.stdout


def test_an_empty_voices_file_is_still_an_error(ledger):
    (ledger / "voices.yaml").write_bytes(b"")
    assert "error[empty-file]" in run_cli("check").stdout


def test_an_empty_tasks_file_is_still_an_error_but_no_tasks_is_not(outside):
    data = new_plan(outside / "p")
    (data / "tasks.yaml").write_bytes(b"")
    check = run_cli("check", "--data", str(data))
    assert check.code == 1 and "error[empty-file]" in check.stdout


# ---------------------------------------------------------------------------------------------
# add on an empty ledger


def git_diff(repo: Path) -> tuple[list[str], list[str]]:
    out = subprocess.run(["git", "-C", str(repo), "diff", "--unified=0", "--no-color"],
                         capture_output=True, text=True, check=True).stdout
    lines = [line for line in out.split("\n") if line[:1] in ("+", "-")
             and not line.startswith(("+++", "---"))]
    return [line[1:] for line in lines if line[0] == "-"], [line[1:] for line in lines
                                                            if line[0] == "+"]


def test_add_writes_the_first_task_of_an_empty_ledger(outside):
    data = new_plan(outside / "p")
    before = (data / "tasks.yaml").read_text("utf-8")
    result = run_cli("add", "-l", "district", "建立区级职工事务经费保障联席会议制度。", "--due",
                     "2019-12-31", "--data", str(data), env=USER)
    assert result.code == 0, result.stderr
    assert result.stdout == "1\n"
    after = (data / "tasks.yaml").read_text("utf-8")
    head, rest = before.split("tasks: []\n")
    assert rest == "" and after.startswith(head + "tasks:\n  - id: 1\n    level: district\n")
    task = yaml.safe_load(after)["tasks"][0]
    assert (task["id"], task["seq"], task["due"].isoformat()) == (1, 1, "2019-12-31")
    assert run_cli("check", "--strict", "--data", str(data)).code == 0


@pytest.mark.parametrize("tasks_line,kept", [
    ("tasks: []", "tasks:"),
    ("tasks: []  # none yet", "tasks:  # none yet"),
    ("tasks: [ ]", "tasks:"),
    ("tasks: []\n# trailing comment", "tasks:"),
])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_the_empty_list_becomes_a_block_list(outside, tasks_line, kept, newline):
    data = outside / "data"
    data.mkdir()
    text = f"plan:\n  title: 计划\n{tasks_line}\n".replace("\n", newline)
    (data / "tasks.yaml").write_bytes(text.encode())
    (data / "voices.yaml").write_bytes(b"voices: []\n")
    for level in ("F", "D", "F"):
        assert run_cli("add", "-l", level, "任务。", env=USER).code == 0
    after = (data / "tasks.yaml").read_bytes().decode()
    assert after.startswith(f"plan:{newline}  title: 计划{newline}{kept}{newline}  - id: 1{newline}")
    assert after.count("\r\n") == (after.count("\n") if newline == "\r\n" else 0)
    if "trailing comment" in tasks_line:
        assert after.endswith(f"# trailing comment{newline}")
    ledger = yaml.safe_load(after)
    assert [(t["id"], t["level"], t["seq"]) for t in ledger["tasks"]] == [
        (1, "federation", 1), (3, "federation", 2), (2, "district", 1)]
    assert run_cli("check", "--strict").code == 0


def test_a_file_without_a_final_line_break(outside):
    data = outside / "data"
    data.mkdir()
    (data / "tasks.yaml").write_bytes("plan:\n  title: 计划\ntasks: []".encode())
    (data / "voices.yaml").write_bytes(b"voices: []\n")
    assert run_cli("add", "-l", "G", "任务。", env=USER).code == 0
    assert yaml.safe_load((data / "tasks.yaml").read_text("utf-8"))["tasks"][0]["id"] == 1
    assert run_cli("check", "--strict").code == 0


def test_dry_run_on_an_empty_ledger_writes_nothing(outside):
    data = new_plan(outside / "p")
    before = (data / "tasks.yaml").read_bytes()
    result = run_cli("add", "-l", "D", "任务。", "--dry-run", "--data", str(data), env=USER)
    assert result.code == 0
    assert "-tasks: []\n+tasks:\n+  - id: 1\n" in result.stdout
    assert (data / "tasks.yaml").read_bytes() == before


def _task(task_id: int, level: str = "district") -> Task:
    from datetime import datetime

    at = datetime(2019, 1, 2, 3, 4, 5, tzinfo=UTC)
    return Task(id=task_id, level=level, seq=1, text="任务。", history=[
        HistoryEntry(at=at, by="x", changes={"status": [None, "todo"]})])


@pytest.mark.parametrize("tasks_line", ["tasks:", "tasks: ~", "tasks: null", "tasks:   # none",
                                        "tasks: [\n  ]"])
def test_the_splice_fills_a_tasks_key_with_no_value(tasks_line):
    """`tasks:` with no value is not a valid ledger (check says so), but the splice that writes
    the first task handles it like `tasks: []`."""
    text = f"plan:\n  title: 计划\n{tasks_line}\nother: 1\n"
    index = edit.TaskIndex(text, "\n", [], [], [], [])
    after, new_index = edit.apply_change(index, [], [_task(1), _task(2, "grassroots")])
    data = yaml.safe_load(after)
    assert [t["id"] for t in data["tasks"]] == [1, 2] and data["other"] == 1
    assert after.startswith("plan:\n  title: 计划\ntasks:")
    assert new_index.ids == [1, 2] and new_index.task(2) == _task(2, "grassroots")


def test_the_splice_refuses_a_nonempty_or_odd_tasks_value():
    index = edit.TaskIndex("plan:\n  title: x\ntasks: {a: 1}\n", "\n", [], [], [], [])
    with pytest.raises(edit.WriteError, match="could not be written safely"):
        edit.apply_change(index, [], [_task(1)])


# ---------------------------------------------------------------------------------------------
# End to end, through the installed command


@pytest.mark.skipif(not Path(REFORMCTL).exists(), reason="the reformctl command is not installed")
def test_a_new_plan_end_to_end(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFORMCTL_DATA", "GIT_"))}
    env.update(HOME=str(home), NO_COLOR="1", REFORMCTL_USER="王芳",
               GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")

    def run(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, check=False)

    made = run(REFORMCTL, "init", "~/plan2019", "--empty", "--title", "西城区总工会2019年重点改革任务分解表",
               "--year", "2019", "--unit", "西城区总工会")
    assert made.returncode == 0, made.stderr
    plan = home / "plan2019"
    assert run("git", "init", "-q", cwd=plan).returncode == 0
    assert run("git", "add", "-A", cwd=plan).returncode == 0
    assert run("git", "commit", "-qm", "new plan", cwd=plan).returncode == 0
    assert run(REFORMCTL, "check", "--strict", cwd=plan).returncode == 0

    adds = [("district", "建立区级职工事务经费保障联席会议制度。"),
            ("grassroots", "推动非公企业普遍建立职代会制度。"),
            ("federation", "建立工会经费使用公示制度。")]
    for number, (level, text) in enumerate(adds, start=1):
        added = run(REFORMCTL, "add", "--level", level, text, "--owner", "区总工会", cwd=plan)
        assert added.returncode == 0, added.stderr
        assert added.stdout == f"{number}\n"
        removed, inserted = git_diff(plan)
        assert removed == (["tasks: []"] if number == 1 else [])
        block = [line for line in inserted if line != "tasks:"]
        assert block[0].lstrip() == f"- id: {number}"
        assert yaml.safe_load("\n".join(block)) == [
            yaml.safe_load((plan / "data/tasks.yaml").read_text("utf-8"))["tasks"][-1]]
        assert f"text: {text}" in "\n".join(block)
        checked = run(REFORMCTL, "check", "--strict", cwd=plan)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert run("git", "commit", "-qam", f"add {level}", cwd=plan).returncode == 0
    listed = json.loads(run(REFORMCTL, "list", "--format", "json", cwd=plan).stdout)
    assert [(t["id"], t["level"], t["seq"]) for t in listed] == [
        (1, "district", 1), (2, "grassroots", 1), (3, "federation", 1)]
    status = run("git", "status", "--porcelain", "--untracked-files=all", cwd=plan).stdout
    assert status == ""  # nothing left beside the data (locks and temporary files ignored)
    if Path(YAMLLINT).exists():
        lint = run(YAMLLINT, "--strict", ".", cwd=plan)
        assert lint.returncode == 0, lint.stdout


def test_sigterm_half_way_leaves_nothing_behind(tmp_path):
    """`timeout`, a cancelled CI job: SIGTERM while the files are being linked into place."""
    script = (
        "import os, signal, sys\n"
        "real = os.link\n"
        "calls = []\n"
        "def link(src, dst, *a, **k):\n"
        "    calls.append(dst)\n"
        "    if len(calls) == 4:\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "    return real(src, dst, *a, **k)\n"
        "os.link = link\n"
        "from reformctl.cli import main\n"
        "sys.argv = ['reformctl', 'init', 'p']\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == -15, proc.stderr
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("seed", range(3))
def test_first_tasks_round_trip(seed):
    """Any text a task may hold is written as the first task and read back exactly."""
    import random

    rng = random.Random(seed)
    alphabet = "任务：，。“”‘’—…# :-[]{}'\"!&*%@`|>?\\\t abcXYZ019０１"
    for _ in range(50):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))).strip() or "x"
        task = _task(1).model_copy(update={"text": text, "title": text[::-1].strip() or None})
        source = "plan:\n  title: 计划\ntasks: []\n"
        after, _ = edit.apply_change(edit.TaskIndex(source, "\n", [], [], [], []), [], [task])
        assert Task.model_validate(yaml.safe_load(after)["tasks"][0]) == task
