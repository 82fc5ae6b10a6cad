"""A generated city: one district plan and N unit ledgers; rollup and check of all of them in one
process, against iterating libyaml's events over the same files.

    python -m benchmarks.city                    # 500 units, written to a temporary directory
    python -m benchmarks.city --units 50 --keep /tmp/city --git

The plan is the shipped 2018 ledger. Each unit ledger is derived from it as ``reformctl init
--unit --plan`` derives one (:func:`reformctl.units.unit_ledger`): the 10 grassroots tasks and a
random share of the federation and district tasks, 10 to 29 tasks in all, with the plan's ids.
Histories are realistic: most tasks started (status and progress), some with notes and moved
work, a share finished with evidence, a few blocked; statuses agree with the last recorded
change, so every ledger passes ``reformctl check --strict``. A few units lag a plan version
(an older hash). The same seed gives the same bytes.

Measured, each the best of ``--repeat`` runs in this process (the files are in the page cache):

* ``events``: ``yaml.parse`` with libyaml (CSafeLoader) over every data file, events consumed;
* ``check``: every ledger loaded and checked as ``reformctl check DIR...`` does;
* ``rollup``: the plan and every unit ledger read, rolled up and drawn as JSON, as ``reformctl
  rollup DIR... --format json`` does;

and the ratio of each to ``events`` (the issue asks for <= 3x). With ``--git`` the city is also
made a git repository (one commit), as a district keeping its units in one repository would.
Do not run it beside another benchmark: the timings would measure each other.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

UNIT_KINDS = ("街道总工会", "行业工会", "企业工会", "学校工会", "医院工会", "社区联合工会")
PLACES = ("德胜", "金融街", "大栅栏", "展览路", "新街口", "什刹海", "西长安街", "月坛", "广安门内",
          "广安门外", "椿树", "天桥", "陶然亭", "白纸坊", "牛街", "真武庙", "西单", "阜成门",
          "白塔寺", "护国寺", "官园", "百万庄", "三里河", "车公庄")
PEOPLE = ("王芳", "李明", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周婷", "吴强")
NOTES = ("已召开专题会议研究部署", "形成初稿，征求各方意见", "完成调研，形成报告", "经费已落实",
         "按计划推进，本月完成过半", "与社区联合工会会商，明确分工")
EVIDENCE = ("会议纪要.pdf", "工作方案（正式印发稿）.docx", "调研报告.pdf", "签到表和照片.zip",
            "制度文件.pdf", "总结材料.docx")
TZ = timezone(timedelta(hours=8))


def unit_name(i: int) -> str:
    place = PLACES[i % len(PLACES)]
    kind = UNIT_KINDS[(i // len(PLACES)) % len(UNIT_KINDS)]
    return f"{place}{kind}" + (f"（{i // (len(PLACES) * len(UNIT_KINDS)) + 1}）"
                               if i >= len(PLACES) * len(UNIT_KINDS) else "")


def _history(rng: random.Random, task: Any) -> tuple[list[Any], str, int | None]:
    """A task's history, its status and its progress after it."""
    from reformctl.models import HistoryEntry

    when = datetime(2018, 4, 12, 9, 0, tzinfo=TZ) + timedelta(hours=rng.randrange(0, 24 * 40))
    by = rng.choice(PEOPLE)
    roll = rng.random()
    entries: list[HistoryEntry] = []
    status, progress = "todo", None
    if roll < 0.25:
        return entries, status, progress
    step = rng.choice((20, 30, 40, 50))
    entries.append(HistoryEntry(at=when, by=by, changes={
        "status": ["todo", "in-progress"], "progress": [None, step]},
        note=rng.choice(NOTES)))
    status, progress = "in-progress", step
    for _ in range(rng.randrange(0, 4)):
        when += timedelta(days=rng.randrange(3, 40), minutes=rng.randrange(0, 600))
        if rng.random() < 0.5:
            entries.append(HistoryEntry(at=when, by=by, note=rng.choice(NOTES)))
        else:
            new = min(90, (progress or 0) + rng.choice((10, 20)))
            entries.append(HistoryEntry(at=when, by=by, changes={"progress": [progress, new]},
                                        evidence=[rng.choice(EVIDENCE)] if rng.random() < 0.3
                                        else []))
            progress = new
    when += timedelta(days=rng.randrange(3, 60))
    if roll > 0.75:
        entries.append(HistoryEntry(at=when, by=by, changes={
            "status": ["in-progress", "done"], "progress": [progress, 100]},
            evidence=rng.sample(EVIDENCE, rng.randrange(1, 3))))
        status, progress = "done", 100
    elif roll > 0.7:
        entries.append(HistoryEntry(at=when, by=by, changes={"status": ["in-progress",
                                                                       "blocked"]},
                                    note="等待区总工会批复"))
        status = "blocked"
    return entries, status, progress


def build_city(root: Path, units: int, seed: int = 2018) -> tuple[Path, list[Path]]:
    """The plan in root/plan, the unit ledgers in root/units/uNNN; returns their data dirs."""
    from reformctl import edit
    from reformctl.ledgers import sample_dir
    from reformctl.units import read_plan, selected, unit_ledger, unit_task

    rng = random.Random(seed)
    plan_dir = root / "plan" / "data"
    plan_dir.mkdir(parents=True)
    for name in ("tasks.yaml", "voices.yaml"):
        shutil.copy(sample_dir() / name, plan_dir / name)
    plan = read_plan(plan_dir)
    others = [t.id for t in plan.ledger.tasks if t.level != "grassroots"]
    dirs = []
    for i in range(units):
        ids = sorted(rng.sample(others, rng.randrange(0, 20)))
        files = unit_ledger(plan, unit_name(i), ["grassroots"], ids)
        text = files["tasks.yaml"].decode()
        head = text[: text.index("\ntasks:\n") + len("\ntasks:\n")]
        if rng.random() < 0.1:  # a unit a plan version behind
            head = head.replace(plan.sha256, f"{rng.getrandbits(256):064x}")
        chosen = selected(plan.ledger, ["grassroots"], ids)
        taken = {t.id for t in chosen}
        lines: list[str] = []
        for n, task in enumerate(chosen):
            fresh = unit_task(task, taken)
            history, status, progress = _history(rng, fresh)
            done = fresh.model_copy(update={"history": history, "status": status,
                                            "progress": progress})
            if n:
                lines.append("")
            lines += edit.task_lines(done, 2)
        target = root / "units" / f"u{i:03d}" / "data"
        target.mkdir(parents=True)
        (target / "tasks.yaml").write_text(head + "\n".join(lines) + "\n", encoding="utf-8")
        (target / "voices.yaml").write_bytes(files["voices.yaml"])
        dirs.append(target)
    return plan_dir, dirs


def _best(repeat: int, work: Any) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def events(files: list[Path]) -> None:
    import yaml

    for path in files:
        for _event in yaml.parse(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader):
            pass


def check_all(root: Path) -> int:
    from reformctl.loader import load
    from reformctl.units import find_ledgers

    problems = 0
    for where in find_ledgers([root / "units"]):
        problems += len(load(where).errors)
    return problems


def rollup_all(root: Path) -> str:
    from datetime import date

    from reformctl.render.rollup import rollup_output
    from reformctl.rollup import build_rollup
    from reformctl.units import rollup_inputs

    plan, units = rollup_inputs([root / "units"], root / "plan")
    return rollup_output(build_rollup(plan, units, date(2018, 12, 31)), "json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the city here and keep it")
    parser.add_argument("--git", action="store_true", help="also make it a git repository")
    args = parser.parse_args(argv)

    folder = args.keep or Path(tempfile.mkdtemp(prefix="reformctl-city-"))
    os.environ.setdefault("REFORMCTL_CACHE_DIR", str(folder / ".cache"))
    try:
        start = time.perf_counter()
        _plan, dirs = build_city(folder, args.units)
        built = time.perf_counter() - start
        if args.git:
            env = {**os.environ, "GIT_AUTHOR_NAME": "city", "GIT_AUTHOR_EMAIL": "c@x.invalid",
                   "GIT_COMMITTER_NAME": "city", "GIT_COMMITTER_EMAIL": "c@x.invalid"}
            for step in (["init", "-q"], ["add", "plan", "units"], ["commit", "-qm", "city"]):
                subprocess.run(["git", *step], cwd=folder, env=env, check=True)
        files = [d / name for d in dirs for name in ("tasks.yaml", "voices.yaml")]
        tasks = sum(d.joinpath("tasks.yaml").read_text(encoding="utf-8").count("\n  - id: ")
                    for d in dirs)
        size = sum(f.stat().st_size for f in files)
        assert check_all(folder) == 0, "the generated city does not pass check"
        base = _best(args.repeat, lambda: events(files))
        checked = _best(args.repeat, lambda: check_all(folder))
        rolled = _best(args.repeat, lambda: rollup_all(folder))
        print(f"city: {len(dirs)} unit ledgers, {tasks} tasks, {size / 1e6:.1f} MB "
              f"(generated in {built:.1f} s){' in a git repository' if args.git else ''}")
        print(f"{'libyaml events':<16} {base * 1000:9.0f} ms   1.0x")
        print(f"{'check':<16} {checked * 1000:9.0f} ms  {checked / base:4.1f}x")
        print(f"{'rollup (json)':<16} {rolled * 1000:9.0f} ms  {rolled / base:4.1f}x")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
