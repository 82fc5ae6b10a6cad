"""Generate a valid reformctl ledger of N tasks, for the benchmark (and for trying things out).

    python -m benchmarks.generate 10000 /tmp/ledger        # writes /tmp/ledger/{tasks,voices}.yaml

Every task has a history entry (``--history K``: K entries, the earlier ones notes, moved deadlines
and interim evidence); texts are Chinese sentences of varied length recombined from the
clauses of the shipped 2018 ledger; ids are unique (1..N), seq is numbered within each level; due
dates, statuses, progress, owners, partners, tags and related links vary. The result passes
``reformctl check`` with no error and no warning: statuses agree with the last recorded status
change, and every done task has evidence (``--unevidenced SHARE`` leaves that share of done tasks
without, for ``check``'s warnings). The same N, seed and options always give the same bytes.

``--realistic`` makes a ledger as ledgers are in the middle of a year (:func:`build_realistic`):
statuses in mid-year proportions, many done tasks whose evidence is not recorded yet, statuses
edited by hand past the record, progress out of date, back-dated entries, long multi-paragraph
texts, several history entries per task, owners and partners from a few dozen units, and CRLF
line endings. It has thousands of warnings and no error (every command works on it).

:func:`taskwarrior_json` gives the same tasks as a Taskwarrior import file.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from reformctl.yamldoc import quote, scalar

LEVELS = ("district", "federation", "grassroots")
LEVEL_WEIGHTS = (7, 12, 10)  # as in the 2018 plan
# (status, weight): most tasks open, some finished, a few blocked or dropped.
STATUSES = (("todo", 40), ("in-progress", 30), ("done", 20), ("blocked", 6), ("dropped", 4))
TAGS = (
    "funding", "institutions", "cadres", "craftsmanship", "model-workers", "services",
    "democratic-management", "health", "community", "organization", "audit", "training",
    "social-workers", "social-organizations", "membership", "surveys", "legal-aid", "internet",
)
UNITS = (
    "区总工会办公室", "区总工会组织部", "区总工会经审办", "区总工会财务部", "区总工会宣教部",
    "区总工会法律服务中心", "区人力社保局", "区财政局", "区委组织部", "德胜街道总工会",
    "金融街街道总工会", "大栅栏街道总工会", "展览路街道总工会", "新街口街道总工会",
    "什刹海街道总工会", "西长安街街道总工会", "月坛街道总工会", "广安门内街道总工会",
    "北京银行工会", "西单商场工会", "区教育工会", "区卫生工会",
)
PEOPLE = ("王芳", "李明", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周婷", "吴强",
          "郭祥倩", "陈洪祥", "宋海龙", "李玉萍")
NOTES = (
    "已提交方案", "已召开专题会议研究部署", "形成初稿，征求各方意见", "完成调研，形成报告",
    "经费已落实", "因机构调整暂缓推进", "与相关部门会商，明确分工", "已报区委审议",
    "按计划推进，本月完成过半", "登记任务，明确牵头单位",
)
EVIDENCE = (
    "会议纪要", "工作方案（正式印发稿）", "调研报告", "制度文件", "验收报告", "签到表和照片",
    "财务凭证", "总结材料",
)
# Clauses when the shipped ledger cannot be read (it always can in a checkout).
_FALLBACK = (
    "建立区级职工事务经费保障联席会议制度", "优化职能职责", "调整区总工会机关部门设置",
    "推进各级工会干部跨系统、多岗位交流", "提升工会经费使用管理规范化水平",
)


def clauses() -> list[str]:
    """Clauses of the shipped ledger's task texts and statements (the sample packaged with it)."""
    sample = Path(__file__).resolve().parent.parent / "src" / "reformctl" / "sample"
    if not sample.is_dir():
        from reformctl.ledgers import sample_dir

        sample = sample_dir()
    found: list[str] = []
    for name in ("tasks.yaml", "voices.yaml"):
        try:
            text = (sample / name).read_text("utf-8")
        except OSError:
            continue
        for line in text.splitlines():
            match = re.match(r"\s*(?:- )?(?:text|summary|headline)?:?\s*(.*)", line)
            if not match or not re.search(r"[\u4e00-\u9fff]{4}", match.group(1)):
                continue
            for part in re.split(r"[，。；：！？]", match.group(1)):
                part = part.strip(" -“”《》")
                if 4 <= len(part) <= 40 and re.fullmatch(r"[\u4e00-\u9fff、“”《》（）0-9]+", part):
                    found.append(part)
    return sorted(set(found)) or list(_FALLBACK)


def _sentence(rng: random.Random, pool: list[str]) -> str:
    # 1..8 clauses: from a one-line task to a long paragraph, as in the source tables.
    n = min(rng.choice((1, 1, 1, 2, 2, 2, 3, 3, 4, 6)), len(pool))
    return "，".join(rng.sample(pool, n)) + "。"


def build(n: int, seed: int = 2018, history: int = 1, unevidenced: float = 0.0) -> list[dict]:
    """The tasks as plain data, in file order (ids 1..n).

    ``history`` entries per task (the last records the status; earlier ones are notes, moved
    deadlines and interim evidence, in time order); ``unevidenced`` is the share of done tasks
    whose record has no evidence (``check`` warns about each). The defaults (1, 0.0) give the
    ledger this generator has always made, byte for byte.
    """
    rng = random.Random(seed)
    extra = random.Random(seed + 2)  # only drawn from when history > 1 or unevidenced > 0
    pool = clauses()
    seqs = dict.fromkeys(LEVELS, 0)
    statuses, weights = zip(*STATUSES)
    tasks: list[dict] = []
    by_level: dict[str, list[int]] = {level: [] for level in LEVELS}
    tz = timezone(timedelta(hours=8))
    for task_id in range(1, n + 1):
        level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
        seqs[level] += 1
        year = 2018 + (task_id * 7 // max(n, 1))  # several years of plans
        status = rng.choices(statuses, weights)[0]
        task: dict = {"id": task_id, "level": level, "seq": seqs[level],
                      "text": _sentence(rng, pool)}
        if rng.random() < 0.3:
            task["title"] = f"Task {task_id}: " + rng.choice(TAGS).replace("-", " ")
        if rng.random() < 0.8:
            task["owner"] = rng.choice(UNITS)
        if rng.random() < 0.3:
            task["partners"] = rng.sample(UNITS, rng.randint(1, 3))
        task["due"] = date(year, rng.randint(1, 12), rng.randint(1, 28))
        task["status"] = status
        if status == "in-progress":
            task["progress"] = rng.randrange(10, 100, 10)
        elif status == "done":
            task["progress"] = 100
        task["tags"] = rng.sample(TAGS, rng.randint(0, 3))
        others = [i for lv in LEVELS if lv != level for i in by_level[lv][-50:]]
        task["related"] = sorted(rng.sample(others, min(len(others), rng.choice((0, 0, 1, 2)))))
        at = datetime(year, rng.randint(1, 12), rng.randint(1, 28), rng.randint(8, 18),
                      rng.choice((0, 15, 30, 45)), tzinfo=tz)
        entry: dict = {"at": at, "by": rng.choice(PEOPLE)}
        changes: dict = {}
        if status != "todo":
            changes["status"] = ["todo", status]
        if "progress" in task:
            changes["progress"] = [None, task["progress"]]
        if changes:
            entry["changes"] = changes
        entry["note"] = rng.choice(NOTES)
        entry["evidence"] = rng.sample(EVIDENCE, rng.randint(1, 2)) if status == "done" else []
        if status == "done" and unevidenced and extra.random() < unevidenced:
            entry["evidence"] = []
        task["history"] = _earlier(extra, task, at, history - 1) + [entry]
        by_level[level].append(task_id)
        tasks.append(task)
    return tasks


def _earlier(rng: random.Random, task: dict, last: datetime, count: int) -> list[dict]:
    """``count`` entries before ``last``: notes, moved deadlines (ending at the task's due) and
    interim evidence, oldest first."""
    entries: list[dict] = []
    due = task["due"]
    moment = last
    for _ in range(count):
        moment -= timedelta(days=rng.randint(1, 40), minutes=rng.choice((0, 15, 30)))
        entry: dict = {"at": moment, "by": rng.choice(PEOPLE)}
        if rng.random() < 0.25:  # the deadline was moved to where it is now (or to the next move)
            earlier = due - timedelta(days=rng.randint(30, 180))
            entry["changes"] = {"due": [earlier, due]}
            due = earlier
        entry["note"] = rng.choice(NOTES)
        entry["evidence"] = rng.sample(EVIDENCE, 1) if rng.random() < 0.2 else []
        entries.append(entry)
    return entries[::-1]


# A few dozen units for the realistic profile: the district's offices, bureaus, street unions
# and enterprise unions.
MORE_UNITS = UNITS + (
    "陶然亭街道总工会", "椿树街道总工会", "白纸坊街道总工会", "牛街街道总工会", "天桥街道总工会",
    "广安门外街道总工会", "区国资委工会", "区商务局", "区民政局", "区司法局", "区卫健委",
    "区总工会权益保障部", "区职工服务中心", "区工人文化宫", "中国移动西城分公司工会",
    "华能集团工会", "金融街控股工会", "区建设工会",
)
# Mid-year: most tasks under way, a quarter done, a few blocked or dropped.
REALISTIC_STATUSES = (("todo", 27), ("in-progress", 38), ("done", 25), ("blocked", 6),
                      ("dropped", 4))


def build_realistic(n: int, seed: int = 2018) -> list[dict]:
    """The tasks of a ledger as it is in the middle of a year (ids 1..n, file order).

    Every task has 1..7 history entries (3.5 on average): a creation note, notes, moved
    deadlines, interim evidence, progress reports and the recorded status changes. Of the done
    tasks, 40% have no evidence recorded yet (``missing-evidence``); 8% of all tasks had their
    status edited by hand after the last record (``status-unrecorded``); 5% have a progress out
    of date (``status-progress``); 15% of the entries are back-dated (written later than the
    entry before them, dated days before it was written: the same minute or a little after the
    previous one); 4% of the texts are long (several paragraphs, a literal block, up to ~4 KB).
    Warnings only: the ledger has no error.
    """
    rng = random.Random(seed + 17)
    pool = clauses()
    seqs = dict.fromkeys(LEVELS, 0)
    statuses, weights = zip(*REALISTIC_STATUSES)
    tz = timezone(timedelta(hours=8))
    by_level: dict[str, list[int]] = {level: [] for level in LEVELS}
    tasks: list[dict] = []
    for task_id in range(1, n + 1):
        level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
        seqs[level] += 1
        task: dict = {"id": task_id, "level": level, "seq": seqs[level]}
        if rng.random() < 0.04:
            paragraphs = [_sentence(rng, pool) * rng.randint(1, 4)
                          for _ in range(rng.randint(2, 8))]
            task["text"] = "\n".join(paragraphs)
        else:
            task["text"] = _sentence(rng, pool)
        if rng.random() < 0.3:
            task["title"] = f"Task {task_id}: " + rng.choice(TAGS).replace("-", " ")
        if rng.random() < 0.9:
            task["owner"] = rng.choice(MORE_UNITS)
        if rng.random() < 0.45:
            task["partners"] = rng.sample(MORE_UNITS, rng.randint(1, 5))
        due = date(2018, rng.randint(3, 12), rng.randint(1, 28))
        recorded = rng.choices(statuses, weights)[0]
        # the history: creation in January..March, then entries days to weeks apart
        moment = datetime(2018, rng.randint(1, 3), rng.randint(1, 28), rng.randint(8, 18),
                          rng.choice((0, 15, 30, 45)), tzinfo=tz)
        count = rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7))
        history: list[dict] = []
        path = {"todo": [], "in-progress": ["in-progress"], "done": ["in-progress", "done"],
                "blocked": ["in-progress", "blocked"], "dropped": ["dropped"]}[recorded]
        changes_at = sorted(rng.sample(range(count), min(len(path), count))) if path else []
        if len(changes_at) < len(path):  # fewer entries than status changes: go straight there
            path = path[-len(changes_at):] if changes_at else []
        status = "todo"
        progress: int | None = None
        evidence_done = rng.random() >= 0.4
        for k in range(count):
            if k:
                if rng.random() < 0.15:  # back-dated: recorded late, dated close to the last one
                    moment += timedelta(minutes=rng.choice((0, 0, 5, 30)))
                else:
                    moment += timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 8))
            entry: dict = {"at": moment, "by": rng.choice(PEOPLE)}
            changes: dict = {}
            if k in changes_at:
                new = path[changes_at.index(k)]
                changes["status"] = [status, new]
                status = new
                new_progress = (100 if new == "done" else rng.randrange(10, 90, 10)
                                if new == "in-progress" else progress)
                if new_progress != progress:
                    changes["progress"] = [progress, new_progress]
                    progress = new_progress
            elif status == "in-progress" and rng.random() < 0.4 and (progress or 0) < 90:
                new_progress = min(90, (progress or 0) + rng.randrange(10, 40, 10))
                changes["progress"] = [progress, new_progress]
                progress = new_progress
            elif rng.random() < 0.15:
                moved = due + timedelta(days=rng.randint(14, 120))
                changes["due"] = [due, moved]
                due = moved
            if changes:
                entry["changes"] = changes
            entry["note"] = rng.choice(NOTES) if rng.random() < 0.9 else (
                "；".join(rng.sample(NOTES, 3)) + "。" + _sentence(rng, pool))
            last = k == count - 1
            if status == "done" and last:
                entry["evidence"] = rng.sample(EVIDENCE, rng.randint(1, 3)) if evidence_done else []
            elif status != "done" and rng.random() < 0.15:
                entry["evidence"] = rng.sample(EVIDENCE, 1)
            else:
                entry["evidence"] = []
            history.append(entry)
        if status == "done" and not evidence_done:
            for entry in history:
                entry["evidence"] = []  # done, evidence not recorded yet: a warning
        task["due"] = due
        shown = status
        if rng.random() < 0.08:  # edited by hand, past the record: a warning
            shown = rng.choice([s for s in statuses if s != status])
        task["status"] = shown
        if rng.random() < 0.05 and shown in ("todo", "in-progress", "done"):
            progress = {"todo": 20, "in-progress": 100, "done": 80}[shown]  # out of date
        if progress is not None:
            task["progress"] = progress
        task["tags"] = rng.sample(TAGS, rng.randint(0, 4))
        others = [i for lv in LEVELS if lv != level for i in by_level[lv][-50:]]
        task["related"] = sorted(rng.sample(others, min(len(others), rng.choice((0, 0, 1, 2, 3)))))
        task["history"] = history
        by_level[level].append(task_id)
        tasks.append(task)
    return tasks


def _flow(values: list) -> str:
    return "[" + ", ".join(_flow_scalar(v) for v in values) + "]"


def _flow_scalar(value: object) -> str:
    """A scalar inside ``[...]``: also quoted when it holds a flow indicator."""
    text = scalar(value)
    if isinstance(value, str) and not text.startswith('"') and any(ch in text for ch in ",[]{}"):
        return quote(value)
    return text


def tasks_yaml(tasks: list[dict], title: str = "基准测试台账") -> str:
    """``tasks.yaml`` in the shipped ledger's layout (block mappings, flow lists)."""
    out = [
        f"# Generated by benchmarks/generate.py: {len(tasks)} tasks.",
        "plan:",
        f"  title: {scalar(title)}",
        "  year: 2018",
        "  approved: 2017-10-13",
        "  unit: 西城区总工会",
        "",
        "tasks:",
    ]
    add = out.append
    for task in tasks:
        add(f"  - id: {task['id']}")
        add(f"    level: {task['level']}")
        add(f"    seq: {task['seq']}")
        for key in ("text", "title", "owner"):
            if key in task and "\n" in str(task[key]):  # paragraphs: a literal block
                add(f"    {key}: |-")
                out.extend(f"      {line}" for line in task[key].split("\n"))
            elif key in task:
                add(f"    {key}: {scalar(task[key])}")
        if "partners" in task:
            add(f"    partners: {_flow(task['partners'])}")
        add(f"    due: {task['due'].isoformat()}")
        add(f"    status: {task['status']}")
        if "progress" in task:
            add(f"    progress: {task['progress']}")
        add(f"    tags: {_flow(task['tags'])}")
        add(f"    related: {_flow(task['related'])}")
        add("    history:")
        for entry in task["history"]:
            add(f"      - at: {entry['at'].isoformat()}")
            add(f"        by: {scalar(entry['by'])}")
            if "changes" in entry:
                add("        changes:")
                for field, (old, new) in entry["changes"].items():
                    add(f"          {field}: {_flow([old, new])}")
            add(f"        note: {scalar(entry['note'])}")
            add(f"        evidence: {_flow(entry['evidence'])}")
        add("")
    return "\n".join(out) + "\n"


def voices_yaml(tasks: list[dict], seed: int = 2018) -> str:
    """``voices.yaml`` whose statements bear on tasks of this ledger (one per 100 tasks)."""
    rng = random.Random(seed + 1)
    pool = clauses()
    ids = [t["id"] for t in tasks]
    out = [
        "meeting:",
        "  title: 推进工会改革工作座谈会",
        "  date: 2018-04-10",
        "  reporter: 郭祥倩",
        "",
        "voices:",
    ]
    for voice_id in range(1, max(1, len(tasks) // 100) + 1):
        out += [
            f"  - id: {voice_id}",
            f"    headline: {scalar(rng.choice(pool))}",
            f"    speaker: {scalar(rng.choice(PEOPLE))}",
            f"    unit: {scalar(rng.choice(UNITS))}",
            "    role: 主席",
            f"    summary: {scalar(_sentence(rng, pool))}",
            "    commitments:",
            *(f"      - {scalar(_sentence(rng, pool))}" for _ in range(rng.randint(1, 4))),
            f"    proposals: {_flow([_sentence(rng, pool) for _ in range(rng.randint(0, 1))])}",
            f"    tasks: {_flow(sorted(rng.sample(ids, min(len(ids), rng.randint(1, 3)))))}",
            "",
        ]
    return "\n".join(out) + "\n"


def bare_yaml(tasks: list[dict]) -> str:
    """The densest valid ``tasks.yaml``: each task one flow mapping of its required fields with a
    one-character text (``- {id: 7, level: grassroots, seq: 3, text: 务}``). The most objects per
    byte a ledger can hold: the worst case of memory for a file's size."""
    out = [f"# Generated by benchmarks/generate.py --bare: {len(tasks)} tasks.", "plan:",
           "  title: 基准测试台账", "tasks:"]
    out += [f"  - {{id: {t['id']}, level: {t['level']}, seq: {t['seq']}, text: {_first_han(t['text'])}}}"
            for t in tasks]
    return "\n".join(out) + "\n"


def _first_han(text: str) -> str:
    found = re.search(r"[\u4e00-\u9fff]", text)
    return found.group(0) if found else "务"


def write_ledger(directory: Path, n: int, seed: int = 2018, history: int = 1,
                 unevidenced: float = 0.0, bare: bool = False,
                 realistic: bool = False) -> list[dict]:
    """Write ``tasks.yaml`` and ``voices.yaml`` of ``n`` tasks into ``directory``
    (``realistic``: :func:`build_realistic`, both files with CRLF line endings)."""
    directory.mkdir(parents=True, exist_ok=True)
    tasks = build_realistic(n, seed) if realistic else build(n, seed, history, unevidenced)
    text = bare_yaml(tasks) if bare else tasks_yaml(tasks)
    voices = voices_yaml(tasks, seed)
    if realistic:  # as saved on Windows
        text, voices = text.replace("\n", "\r\n"), voices.replace("\n", "\r\n")
    (directory / "tasks.yaml").write_bytes(text.encode("utf-8"))
    (directory / "voices.yaml").write_bytes(voices.encode("utf-8"))
    return tasks


# Taskwarrior: pending holds todo, in-progress (started) and blocked (tagged) tasks.
_TW_STATUS = {"todo": "pending", "in-progress": "pending", "blocked": "pending",
              "done": "completed", "dropped": "deleted"}


def _tw_time(moment: datetime | date) -> str:
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def taskwarrior_json(tasks: list[dict]) -> str:
    """The same tasks as a ``task import`` file: project = level, history as annotations."""
    records = []
    for task in tasks:
        entry = task["history"][-1]
        record: dict = {
            "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"reformctl-bench:{task['id']}")),
            "description": task["text"],
            "status": _TW_STATUS[task["status"]],
            "entry": _tw_time(date(2018, 1, 1)),
            "project": task["level"],
            "due": _tw_time(task["due"]),
            "annotations": [{"entry": _tw_time(entry["at"]),
                             "description": f"{entry['by']}: {entry['note']}"}],
        }
        tags = [*task["tags"]] + (["blocked"] if task["status"] == "blocked" else [])
        if tags:
            record["tags"] = [tag.replace("-", "_") for tag in tags]
        if task.get("owner"):
            record["owner"] = task["owner"]  # a UDA-less attribute is kept as orphan data
        if task["status"] == "in-progress":
            record["start"] = _tw_time(entry["at"])
        if task["status"] in ("done", "dropped"):
            record["end"] = _tw_time(entry["at"])
        records.append(record)
    return json.dumps(records, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tasks", type=int, help="how many tasks")
    parser.add_argument("directory", type=Path, help="where to write tasks.yaml and voices.yaml")
    parser.add_argument("--seed", type=int, default=2018, help="random seed (default 2018)")
    parser.add_argument("--taskwarrior", type=Path, metavar="FILE",
                        help="also write the tasks as a Taskwarrior import file")
    parser.add_argument("--history", type=int, default=1, metavar="K",
                        help="history entries per task (default 1): earlier ones are notes, "
                        "moved deadlines and interim evidence")
    parser.add_argument("--unevidenced", type=float, default=0.0, metavar="SHARE",
                        help="share of done tasks recorded without evidence, 0..1 (default 0; "
                        "check warns about each)")
    parser.add_argument("--bare", action="store_true",
                        help="only the required fields, one line per task, one-character texts: "
                        "the most memory per byte of file (the worst case for the size limit)")
    parser.add_argument("--realistic", action="store_true",
                        help="a ledger as in the middle of a year: warnings by the thousand, hand "
                        "edits, back-dated entries, long texts, 1..7 history entries, CRLF "
                        "(--history and --unevidenced do not apply)")
    args = parser.parse_args(argv)
    if args.realistic and args.bare:
        parser.error("--realistic and --bare are two different ledgers: choose one")
    if args.history < 1 or not 0 <= args.unevidenced <= 1:
        parser.error("--history is at least 1 and --unevidenced between 0 and 1")
    tasks = write_ledger(args.directory, args.tasks, args.seed, args.history, args.unevidenced,
                         args.bare, args.realistic)
    if args.taskwarrior:
        args.taskwarrior.write_text(taskwarrior_json(tasks), "utf-8")
    size = (args.directory / "tasks.yaml").stat().st_size
    print(f"wrote {args.tasks} tasks to {args.directory} (tasks.yaml: {size:,} bytes)")


if __name__ == "__main__":
    main()
