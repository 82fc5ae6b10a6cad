"""trend: completion over time and what changed in a period, as plain data.

The promise the trend keeps: each point of the series is, field for field, the ``totals`` that
``reformctl report --as-of DAY --format json`` gives for that day. The year-long ledger below is
built here, with the cases where a roll-back can go wrong (tasks created later, a level changed,
entries near midnight in other offsets, a status reopened, an old value that is not valid).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import run_cli
from reformctl.ledgers import LedgerDir
from reformctl.loader import open_ledger
from reformctl.models import Ledger, Plan, Task
from reformctl.reports import build_report
from reformctl.trend import (
    PERIOD_SCHEMA,
    TREND_SCHEMA,
    build_period,
    build_trend,
    default_period_start,
    plan_start,
    trend_days,
)

BEIJING = timezone(timedelta(hours=8))
NEW_YORK = timezone(timedelta(hours=-5))
STATUSES = ["todo", "in-progress", "done", "blocked", "dropped"]
LEVELS = ["district", "federation", "grassroots"]
AS_OF = date(2019, 1, 20)


def _at(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def year_of_history(seed: int = 2018, random_tasks: int = 24) -> dict[str, Any]:
    """A plan approved on 2018-01-15 with history through 2018 into 2019: a few tasks written out
    for the hard cases, then ``random_tasks`` with random histories (seeded)."""
    tasks: list[dict[str, Any]] = [
        {  # done on a month end in Beijing; reopened in the next month; done again
            "id": 1, "level": "district", "seq": 1, "text": "建立联席会议制度。", "owner": "区人力社保局",
            "due": "2018-06-30", "status": "done", "progress": 100,
            "history": [
                {"at": "2018-03-01T09:00:00+08:00", "by": "王芳",
                 "changes": {"status": ["todo", "in-progress"], "progress": [None, 30]}},
                {"at": "2018-05-31T23:30:00+08:00", "by": "王芳",
                 "changes": {"status": ["in-progress", "done"], "progress": [30, 100]},
                 "evidence": ["纪要.pdf"]},
                {"at": "2018-06-04T10:00:00+08:00", "by": "王芳",
                 "changes": {"status": ["done", "in-progress"], "progress": [100, 80]}},
                {"at": "2018-07-31T18:00:00-05:00", "by": "王芳",  # 08-01 in Beijing: counts 07-31
                 "changes": {"status": ["in-progress", "done"], "progress": [80, 100]}},
            ],
        },
        {  # created in August, at federation level, moved to grassroots in October
            "id": 2, "level": "grassroots", "seq": 1, "text": "新增的任务。", "due": "2018-11-30",
            "status": "blocked",
            "history": [
                {"at": "2018-08-15T09:00:00+08:00", "by": "李明",
                 "changes": {"status": [None, "todo"], "level": [None, "federation"],
                             "seq": [None, 9]}},
                {"at": "2018-10-08T09:00:00+08:00", "by": "李明",
                 "changes": {"level": ["federation", "grassroots"], "seq": [9, 1]}},
                {"at": "2018-12-01T00:30:00+08:00", "by": "李明",  # 11-30 in UTC
                 "changes": {"status": ["todo", "blocked"]}},
            ],
        },
        {  # dropped in spring; its deadline moved twice; an old owner that is not text
            "id": 3, "level": "federation", "seq": 1, "text": "调整机关设置。", "owner": "办公室",
            "due": "2018-09-30", "status": "dropped",
            "history": [
                {"at": "2018-02-01T09:00:00Z", "by": "赵六", "changes": {"due": ["2018-03-31",
                                                                               "2018-06-30"]}},
                {"at": "2018-03-15T09:00:00Z", "by": "赵六", "changes": {"owner": [123, "办公室"]}},
                {"at": "2018-04-30T23:59:59Z", "by": "赵六",
                 "changes": {"status": ["todo", "dropped"], "due": ["2018-06-30", "2018-09-30"]}},
            ],
        },
        {  # no history at all: the same at every point, overdue from 2018-05-01
            "id": 4, "level": "federation", "seq": 2, "text": "没有记录的任务。", "due": "2018-04-30",
            "status": "todo",
        },
    ]
    rnd = random.Random(seed)
    offsets = [BEIJING, UTC, NEW_YORK]
    seqs = {"district": 1, "federation": 2, "grassroots": 1}
    for n in range(5, 5 + random_tasks):
        level = LEVELS[n % 3]
        seqs[level] += 1
        status, progress = "todo", None
        due = date(2018, rnd.randint(2, 12), rnd.choice([1, 15, 28]))
        moment = datetime(2018, 1, 16, 9, tzinfo=BEIJING) + timedelta(days=rnd.randint(0, 240))
        history: list[dict[str, Any]] = []
        if rnd.random() < 0.4:  # created later (otherwise there from the start)
            history.append({"at": _at(moment), "by": "甲", "changes": {"status": [None, "todo"]}})
        for _ in range(rnd.randint(0, 7)):
            moment = (moment + timedelta(days=rnd.randint(1, 80), hours=rnd.randint(0, 23),
                                         minutes=rnd.randint(0, 59))).astimezone(
                rnd.choice(offsets))
            changes: dict[str, Any] = {}
            roll = rnd.random()
            if roll < 0.6:
                new = rnd.choice([s for s in STATUSES if s != status])
                changes["status"] = [status, new]
                status = new
            elif roll < 0.8:
                moved = due + timedelta(days=rnd.randint(5, 100))
                changes["due"] = [due.isoformat(), moved.isoformat()]
                due = moved
            else:
                new_progress = rnd.randint(0, 100)
                changes["progress"] = [progress, new_progress]
                progress = new_progress
            entry: dict[str, Any] = {"at": _at(moment), "by": "乙", "changes": changes}
            if rnd.random() < 0.3:
                entry["evidence"] = [f"材料{n}-{len(history)}.pdf"]
            history.append(entry)
        task: dict[str, Any] = {"id": n, "level": level, "seq": seqs[level], "text": f"任务{n}。",
                                "due": due.isoformat(), "status": status, "history": history}
        if progress is not None:
            task["progress"] = progress
        tasks.append(task)
    return {"plan": {"title": "一年的台账", "approved": "2018-01-15"}, "tasks": tasks}


def write_ledger(folder: Path, document: dict[str, Any]) -> Path:
    """The ledger as files (JSON is YAML), no symposium."""
    data = folder / "data"
    data.mkdir()
    (data / "tasks.yaml").write_text(json.dumps(document, ensure_ascii=False, indent=1),
                                     encoding="utf-8")
    return data


def in_memory(document: dict[str, Any]) -> Ledger:
    return Ledger(Plan.model_validate(document["plan"]),
                  [Task.model_validate(t) for t in document["tasks"]], None, [])


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_ledger(tmp_path_factory.mktemp("year"), year_of_history())


def report_totals(data: Path, day: str, *more: str) -> dict[str, Any]:
    result = run_cli("report", "--data", str(data), "--format", "json", "--as-of", day, *more)
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)["totals"]


# ---------------------------------------------------------------------------------------------
# The promise: every point is what `report --as-of` says for its day


def test_every_month_end_of_the_series_is_what_report_as_of_gives(year):
    ledger = open_ledger(LedgerDir(year, "--data"))
    trend = build_trend(ledger, AS_OF)
    days = [p["date"] for p in trend["points"]]
    assert days == ["2018-01-15", "2018-01-31", "2018-02-28", "2018-03-31", "2018-04-30",
                    "2018-05-31", "2018-06-30", "2018-07-31", "2018-08-31", "2018-09-30",
                    "2018-10-31", "2018-11-30", "2018-12-31", "2019-01-20"]
    for point in trend["points"]:
        assert point["totals"] == report_totals(year, point["date"]), point["date"]
    completion = [p["totals"]["overall"]["completion"] for p in trend["points"]]
    assert len(set(completion)) > 4  # the fixture moves: the test compares a real curve


def test_every_week_end_of_the_series_is_what_report_as_of_gives(year):
    ledger = open_ledger(LedgerDir(year, "--data"))
    trend = build_trend(ledger, AS_OF, every="week")
    assert len(trend["points"]) == 54  # 2018-01-15 (a Monday), 52 Sundays, 2019-01-20 (one too)
    for point in trend["points"][::3] + trend["points"][-1:]:
        assert date.fromisoformat(point["date"]).weekday() == 6 or point is trend["points"][0]
        assert point["totals"] == report_totals(year, point["date"]), point["date"]


def test_a_level_s_series_is_what_report_level_gives(year):
    ledger = open_ledger(LedgerDir(year, "--data"))
    trend = build_trend(ledger, AS_OF, level="grassroots")
    assert trend["level"] == "grassroots"
    for point in trend["points"][::2]:
        assert point["totals"] == report_totals(year, point["date"], "--level", "grassroots")


@pytest.mark.parametrize(("day", "expected"), [
    # (district done, federation todo, grassroots tasks, grassroots blocked, overdue, tasks)
    ("2018-01-15", (0, 2, 0, 0, 0, 3)),  # task 2 does not exist yet
    ("2018-04-30", (0, 1, 0, 0, 0, 3)),  # task 3 dropped at 23:59:59Z; task 4 due that day
    ("2018-05-31", (1, 1, 0, 0, 1, 3)),  # task 1 done at 23:30 in Beijing; task 4 overdue
    ("2018-06-30", (0, 1, 0, 0, 1, 3)),  # task 1 reopened (due that day: not overdue)
    ("2018-07-31", (1, 1, 0, 0, 1, 3)),  # done again at 18:00-05:00: 07-31 in its offset
    ("2018-08-31", (1, 2, 0, 0, 1, 4)),  # task 2 created, at federation level
    ("2018-10-31", (1, 1, 1, 0, 1, 4)),  # task 2 moved to grassroots
    ("2018-11-30", (1, 1, 1, 0, 1, 4)),  # blocked at 00:30+08:00 on 12-01: not yet
    ("2018-12-31", (1, 1, 1, 1, 2, 4)),  # blocked, and overdue since 12-01
])
def test_the_hard_cases_read_as_intended(day, expected):
    ledger = in_memory(year_of_history(random_tasks=0))
    points = {p["date"]: p["totals"] for p in build_trend(ledger, AS_OF)["points"]}
    totals = points[day]
    levels = {t["level"]: t for t in totals["levels"]}
    assert (levels["district"]["by_status"]["done"], levels["federation"]["by_status"]["todo"],
            levels["grassroots"]["tasks"], levels["grassroots"]["by_status"]["blocked"],
            totals["overall"]["overdue"], totals["overall"]["tasks"]) == expected
    assert totals == build_report(ledger, date.fromisoformat(day))["totals"]


def test_a_recorded_value_that_cannot_be_rolled_back_is_a_note(year):
    ledger = open_ledger(LedgerDir(year, "--data"))
    trend = build_trend(ledger, AS_OF)
    assert trend["notes"] == [
        "task F1: the recorded earlier owner 123 is not a valid value; the current owner is "
        "shown instead"]
    assert build_report(ledger, date(2018, 3, 1))["notes"] == trend["notes"]


@given(seed=st.integers(0, 10_000), as_of=st.dates(date(2017, 12, 1), date(2019, 6, 30)),
       every=st.sampled_from(["month", "week"]))
def test_any_ledger_any_day_the_series_is_the_reports_totals(seed, as_of, every):
    ledger = in_memory(year_of_history(seed, random_tasks=8))
    trend = build_trend(ledger, as_of, every=every)
    for point in trend["points"]:
        day = date.fromisoformat(point["date"])
        assert point["totals"] == build_report(ledger, day)["totals"]


# ---------------------------------------------------------------------------------------------
# The series' days and shape


@pytest.mark.parametrize(("start", "as_of", "every", "days"), [
    ("2018-01-15", "2018-04-10", "month", ["2018-01-15", "2018-01-31", "2018-02-28",
                                           "2018-03-31", "2018-04-10"]),
    ("2018-01-31", "2018-03-31", "month", ["2018-01-31", "2018-02-28", "2018-03-31"]),
    ("2019-12-15", "2020-03-01", "month", ["2019-12-15", "2019-12-31", "2020-01-31",
                                           "2020-02-29", "2020-03-01"]),
    ("2018-06-13", "2018-07-01", "week", ["2018-06-13", "2018-06-17", "2018-06-24",
                                          "2018-07-01"]),
    ("2018-06-17", "2018-06-20", "week", ["2018-06-17", "2018-06-20"]),
    ("2018-06-13", "2018-06-13", "month", ["2018-06-13"]),
    ("2018-06-13", "2018-01-01", "month", ["2018-01-01"]),  # as of a day before the start
])
def test_trend_days(start, as_of, every, days):
    found = trend_days(date.fromisoformat(start), date.fromisoformat(as_of), every)
    assert [d.isoformat() for d in found] == days


def test_trend_days_refuses_an_unknown_step():
    with pytest.raises(ValueError, match="every"):
        trend_days(date(2018, 1, 1), date(2018, 2, 1), "day")


def test_the_plan_starts_when_approved_else_at_its_first_entry_else_never():
    document = year_of_history(random_tasks=0)
    assert plan_start(in_memory(document)) == date(2018, 1, 15)
    del document["plan"]["approved"]
    assert plan_start(in_memory(document)) == date(2018, 2, 1)  # task 3's first entry
    bare = in_memory({"plan": {"title": "空"}, "tasks": [
        {"id": 1, "level": "district", "seq": 1, "text": "任务。"}]})
    assert plan_start(bare) is None
    trend = build_trend(bare, date(2018, 6, 30))
    assert [p["date"] for p in trend["points"]] == ["2018-06-30"]


def test_the_series_shape():
    ledger = in_memory(year_of_history(random_tasks=0))
    trend = build_trend(ledger, date(2018, 3, 10), start=date(2018, 2, 20))
    assert list(trend) == ["schema", "every", "start", "as_of", "level", "notes", "points"]
    assert trend["schema"] == TREND_SCHEMA == "reformctl.trend/1"
    assert (trend["every"], trend["start"], trend["as_of"], trend["level"]) == (
        "month", "2018-02-20", "2018-03-10", None)
    assert [list(p) for p in trend["points"]] == [["date", "totals"]] * 3
    assert [list(p["totals"]) for p in trend["points"]] == [["levels", "overall"]] * 3
    last = trend["points"][-1]["totals"]["overall"]
    assert list(last) == ["level", "tasks", "by_status", "counted", "done", "completion",
                          "average_progress", "overdue"]
    assert json.loads(json.dumps(trend)) == trend  # plain JSON values


# ---------------------------------------------------------------------------------------------
# The period summary


def _entry(at: str, note: str | None = None, evidence: list[str] | None = None,
           **changes: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {"at": at, "by": "王芳", "changes": changes}
    if note:
        found["note"] = note
    if evidence:
        found["evidence"] = evidence
    return found


JUNE = [  # what happens around June 2018, one kind of change per task
    {"id": 1, "level": "district", "seq": 1, "text": "六月完成。", "owner": "组织部",
     "due": "2018-06-30", "status": "done",
     "history": [_entry("2018-03-01T09:00:00+08:00", status=["todo", "in-progress"]),
                 _entry("2018-06-20T09:00:00+08:00", evidence=["纪要.pdf", "通知"],
                        status=["in-progress", "done"])]},
    {"id": 2, "level": "district", "seq": 2, "text": "六月开始。", "due": "2018-12-31",
     "status": "in-progress",
     "history": [_entry("2018-06-01T00:10:00+08:00", status=["todo", "in-progress"])]},
    {"id": 3, "level": "federation", "seq": 1, "text": "五月底开始（纽约时间）。", "due": "2018-12-31",
     "status": "in-progress",  # 2018-05-31 in its own offset: before the period
     "history": [_entry("2018-05-31T23:00:00-05:00", status=["todo", "in-progress"])]},
    {"id": 4, "level": "federation", "seq": 2, "text": "六月受阻。", "due": "2018-06-10",
     "status": "blocked",
     "history": [_entry("2018-06-05T09:00:00+08:00", status=["in-progress", "blocked"])]},
    {"id": 5, "level": "federation", "seq": 3, "text": "六月取消。", "due": "2018-05-01",
     "status": "dropped",
     "history": [_entry("2018-06-30T23:59:00+08:00", status=["todo", "dropped"])]},
    {"id": 6, "level": "grassroots", "seq": 1, "text": "六月重新打开。", "due": "2018-12-31",
     "status": "in-progress",
     "history": [_entry("2018-04-01T09:00:00+08:00", status=["todo", "done"]),
                 _entry("2018-06-11T09:00:00+08:00", status=["done", "in-progress"])]},
    {"id": 7, "level": "grassroots", "seq": 2, "text": "六月新增，当月完成。", "due": "2018-08-31",
     "status": "done",
     "history": [_entry("2018-06-02T09:00:00+08:00", status=[None, "todo"]),
                 _entry("2018-06-25T09:00:00+08:00", status=["todo", "done"])]},
    {"id": 8, "level": "grassroots", "seq": 3, "text": "截止日期推迟两次。", "due": "2018-10-31",
     "status": "todo",
     "history": [_entry("2018-05-10T09:00:00+08:00", due=["2018-05-31", "2018-06-15"]),
                 _entry("2018-06-12T09:00:00+08:00", note="等待批复",
                        due=["2018-06-15", "2018-09-30"]),
                 _entry("2018-06-28T09:00:00+08:00", due=["2018-09-30", "2018-10-31"])]},
    {"id": 9, "level": "grassroots", "seq": 4, "text": "七月才完成。", "due": "2018-06-15",
     "status": "done",  # overdue from 06-16 until done in July
     "history": [_entry("2018-07-03T09:00:00+08:00", status=["todo", "done"])]},
    {"id": 10, "level": "grassroots", "seq": 5, "text": "一直逾期。", "due": "2018-05-15",
     "status": "todo"},
]


@pytest.fixture
def june() -> Ledger:
    return in_memory({"plan": {"title": "六月", "approved": "2018-01-01"}, "tasks": JUNE})


def refs(items: list[dict[str, Any]]) -> list[str]:
    return [t["ref"] for t in items]


def test_what_changed_in_june(june):
    period = build_period(june, date(2018, 6, 1), date(2018, 6, 30))
    assert period["schema"] == PERIOD_SCHEMA == "reformctl.period/1"
    assert (period["since"], period["as_of"], period["level"]) == ("2018-06-01", "2018-06-30",
                                                                   None)
    assert refs(period["completed"]) == ["D1", "G2"]
    assert refs(period["started"]) == ["D2"]  # not F1: it started on 05-31 where it was
    assert refs(period["blocked"]) == ["F2"]
    assert refs(period["dropped"]) == ["F3"]
    assert refs(period["reopened"]) == ["G1"]
    assert refs(period["added"]) == ["G2"]
    assert refs(period["became_overdue"]) == ["F2", "G4"]  # F3 was overdue already, then dropped
    assert refs(period["deadlines_moved"]) == ["G3"]
    assert refs(period["evidence_added"]) == ["D1"]
    assert period["counts"] == {"completed": 2, "started": 1, "blocked": 1, "dropped": 1,
                                "reopened": 1, "added": 1, "became_overdue": 2,
                                "deadlines_moved": 1, "evidence_added": 1}


def test_each_entry_of_the_summary_says_what_it_needs(june):
    period = build_period(june, date(2018, 6, 1), date(2018, 6, 30))
    assert period["completed"][0] == {
        "id": 1, "ref": "D1", "level": "district", "status": "done", "progress": None,
        "due": "2018-06-30", "text": "六月完成。", "owner": "组织部", "overdue": False,
        "from": "in-progress", "at": "2018-06-20T09:00:00+08:00"}
    assert period["completed"][1]["from"] is None  # G2 did not exist at the start
    assert period["reopened"][0]["from"] == "done"
    overdue = {t["ref"]: t for t in period["became_overdue"]}
    assert (overdue["F2"]["days_overdue"], overdue["G4"]["days_overdue"]) == (20, 15)
    assert period["deadlines_moved"][0]["due_at_start"] == "2018-06-15"
    assert period["deadlines_moved"][0]["due"] == "2018-10-31"
    assert period["deadlines_moved"][0]["moves"] == [
        {"at": "2018-06-12T09:00:00+08:00", "by": "王芳", "from": "2018-06-15",
         "to": "2018-09-30", "days": 107, "direction": "later", "note": "等待批复"},
        {"at": "2018-06-28T09:00:00+08:00", "by": "王芳", "from": "2018-09-30",
         "to": "2018-10-31", "days": 31, "direction": "later", "note": None}]
    assert period["evidence_added"][0]["evidence"] == [
        {"at": "2018-06-20T09:00:00+08:00", "by": "王芳", "item": "纪要.pdf"},
        {"at": "2018-06-20T09:00:00+08:00", "by": "王芳", "item": "通知"}]


def test_the_period_totals_are_the_reports_at_both_ends(june):
    period = build_period(june, date(2018, 6, 1), date(2018, 6, 30))
    assert period["totals"]["start"] == build_report(june, date(2018, 5, 31))["totals"]
    assert period["totals"]["end"] == build_report(june, date(2018, 6, 30))["totals"]
    grassroots = build_period(june, date(2018, 6, 1), date(2018, 6, 30), level="grassroots")
    assert grassroots["totals"]["end"] == build_report(june, date(2018, 6, 30),
                                                       level="grassroots")["totals"]
    assert refs(grassroots["completed"]) == ["G2"]
    assert grassroots["counts"]["blocked"] == 0


def test_july_and_one_day(june):
    july = build_period(june, date(2018, 7, 1), date(2018, 7, 31))
    assert refs(july["completed"]) == ["G4"]
    assert [july["counts"][k] for k in ("started", "blocked", "dropped", "added")] == [0] * 4
    one_day = build_period(june, date(2018, 6, 20), date(2018, 6, 20))
    assert refs(one_day["completed"]) == ["D1"]
    assert one_day["counts"]["evidence_added"] == 1


def test_a_period_from_the_first_day_there_is(june):
    period = build_period(june, date.min, date(2018, 6, 30))
    assert period["totals"]["start"]["overall"]["tasks"] == 0
    assert len(period["added"]) == 10


def test_a_period_that_ends_before_it_starts_is_refused(june):
    with pytest.raises(ValueError, match="since"):
        build_period(june, date(2018, 7, 1), date(2018, 6, 30))


@pytest.mark.parametrize(("as_of", "since"), [
    ("2018-06-30", "2018-06-01"), ("2018-06-15", "2018-05-16"), ("2018-03-31", "2018-03-01"),
    ("2018-02-28", "2018-02-01"), ("2018-03-30", "2018-02-28"), ("2018-01-01", "2017-12-02"),
    ("2018-12-31", "2018-12-01"),
])
def test_the_default_period_is_the_month_before_as_of(as_of, since):
    assert default_period_start(date.fromisoformat(as_of)) == date.fromisoformat(since)
