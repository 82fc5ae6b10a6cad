"""The shipped ledger is faithful to its source document and valid."""

from __future__ import annotations

import re

import yaml

from conftest import DATA, ROOT, SEED
from reformctl.ledgers import LedgerDir
from reformctl.loader import load

LEVEL_HEADINGS = {
    "区级层面 2018年度重点改革任务分解表": "district",
    "区总工会层面 2018年度重点改革任务分解表": "federation",
    "基层工会级层面 2018年度重点改革任务分解表": "grassroots",
}


def source_tasks() -> list[tuple[str, int, str]]:
    """(level, seq, text) of every task line of the source's three tables, in order."""
    tasks, level = [], None
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if line.strip() in LEVEL_HEADINGS:
            level = LEVEL_HEADINGS[line.strip()]
            continue
        match = re.fullmatch(r"- (\d+)\.(.+)", line.strip())
        if match and level:
            tasks.append((level, int(match.group(1)), match.group(2)))
    return tasks


def shipped() -> dict:
    return yaml.safe_load((DATA / "tasks.yaml").read_text(encoding="utf-8"))


def test_source_has_29_tasks_in_three_tables():
    levels = [lv for lv, _, _ in source_tasks()]
    assert (levels.count("district"), levels.count("federation"), levels.count("grassroots")) == (
        7, 12, 10)


def test_every_task_text_is_verbatim_from_the_source():
    tasks = shipped()["tasks"]
    assert [(t["level"], t["seq"], t["text"]) for t in tasks] == source_tasks()


def test_ids_follow_source_order():
    tasks = shipped()["tasks"]
    assert [t["id"] for t in tasks] == list(range(1, 30))
    assert {t["id"] for t in tasks if t["level"] == "district"} == set(range(1, 8))
    assert {t["id"] for t in tasks if t["level"] == "federation"} == set(range(8, 20))
    assert {t["id"] for t in tasks if t["level"] == "grassroots"} == set(range(20, 30))


def test_seed_state_is_the_plan_for_the_year():
    for task in shipped()["tasks"]:
        assert str(task["due"]) == "2018-12-31"
        assert task["status"] == "todo"
        assert task["history"] == []
        assert task["title"] and task["tags"]


def test_related_links_are_symmetric_and_cross_level():
    tasks = {t["id"]: t for t in shipped()["tasks"]}
    pairs = {(a, b) for a, t in tasks.items() for b in t["related"]}
    assert pairs, "the plan repeats work across levels"
    for a, b in pairs:
        assert (b, a) in pairs
        assert tasks[a]["level"] != tasks[b]["level"]
    assert (14, 23) in pairs and (16, 24) in pairs


def test_voices_are_attributed_to_their_speakers():
    voices = yaml.safe_load((DATA / "voices.yaml").read_text(encoding="utf-8"))
    assert voices["meeting"]["reporter"] == "郭祥倩"
    assert str(voices["meeting"]["date"]) == "2018-04-10"
    who = {v["id"]: (v["speaker"], v["unit"], v["role"]) for v in voices["voices"]}
    assert who == {
        1: ("陈洪祥", "德胜街道总工会", "主席"),
        2: ("宋海龙", "金融街街道总工会", "主席"),
        3: ("李玉萍", "大栅栏街道总工会", "主席"),
        4: ("闫志纯", "区卫生计生委工会", "主席"),
        5: ("任彪", "区教育工会", "主席"),
        6: ("桑锡胜", "北京华天饮食集团公司工会", "主席"),
    }
    speaker_lines = [f"{u}{r} {s}" for s, u, r in who.values()]
    for voice in voices["voices"]:
        body = " ".join([voice["summary"], *voice["commitments"], *voice["proposals"]])
        assert not any(line in body for line in speaker_lines)
        assert not any(s in body for s, _, _ in who.values()), "speaker debris left in the text"


def test_voice_five_does_not_repeat_its_passage():
    voices = yaml.safe_load((DATA / "voices.yaml").read_text(encoding="utf-8"))
    five = next(v for v in voices["voices"] if v["id"] == 5)
    body = "".join([five["summary"], *five["commitments"]])
    assert body.count("区教育工会荣获市教育工会先进单位奖") <= 1
    assert body.count("加强自身建设，促进工会规范运行") == 1


def test_shipped_ledger_is_clean():
    loaded = load(LedgerDir(DATA, "--data"))
    assert loaded.diagnostics == []
    assert loaded.ledger is not None and len(loaded.ledger.tasks) == 29
    assert len(loaded.ledger.voices) == 6


def test_packaged_sample_is_the_shipped_ledger():
    sample = ROOT / "src" / "reformctl" / "sample"
    for name in ("tasks.yaml", "voices.yaml"):
        assert (sample / name).read_bytes() == (DATA / name).read_bytes(), (
            f"src/reformctl/sample/{name} differs from data/{name}: copy data/ over it")
