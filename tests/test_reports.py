"""build_report: the report's figures, as plain data (no rendering)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from conftest import DATA, FIXTURES
from reformctl.ledgers import LedgerDir
from reformctl.loader import open_ledger
from reformctl.models import Ledger, Meeting, Plan, Task, Voice
from reformctl.reports import SCHEMA, build_report, default_since

AS_OF = date(2018, 6, 30)
TOP_KEYS = ["schema", "plan", "as_of", "since", "level", "source", "notes", "totals", "overdue",
            "moved_deadlines", "tasks", "activity", "symposium", "related",
            "trend", "period"]


@pytest.fixture(scope="module")
def fixture_ledger() -> Ledger:
    return open_ledger(LedgerDir(FIXTURES / "report", "--data"))


def make(tasks: list[dict[str, Any]], voices: list[dict[str, Any]] | None = None) -> Ledger:
    defaults = {"text": "任务。", "due": None, "status": "todo", "history": []}
    built = []
    for n, spec in enumerate(tasks, 1):
        spec = {"id": n, "level": "district", "seq": n, **defaults, **spec}
        built.append(Task.model_validate(spec))
    return Ledger(Plan(title="台账"), built, Meeting(title="会", date=date(2018, 4, 10)),
                  [Voice.model_validate(v) for v in voices or []])


def entry(at: str, **changes: list[Any]) -> dict[str, Any]:
    return {"at": at, "by": "测试", "changes": changes}


def by_ref(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["ref"]: t for group in report["tasks"] for t in group["tasks"]}


# --- shape ---------------------------------------------------------------------------------


def test_top_level_keys_are_stable_and_schema_is_named(fixture_ledger):
    report = build_report(fixture_ledger, AS_OF)
    assert list(report) == TOP_KEYS
    assert report["schema"] == SCHEMA == "reformctl.report/1"
    assert report["as_of"] == "2018-06-30"
    assert report["since"] == "2018-06-01" == default_since(AS_OF).isoformat()  # the month before


def test_shipped_ledger_totals():
    report = build_report(open_ledger(LedgerDir(DATA, "--data")), AS_OF)
    levels = {t["level"]: t for t in report["totals"]["levels"]}
    assert [levels[lv]["tasks"] for lv in ("district", "federation", "grassroots")] == [7, 12, 10]
    overall = report["totals"]["overall"]
    assert overall["tasks"] == 29 and overall["by_status"]["todo"] == 29
    assert overall["completion"] == 0.0 and overall["average_progress"] == 0.0
    assert [[a["ref"], b["ref"]] for a, b in report["related"]] == [["F7", "G4"], ["F9", "G5"]]


# --- completion ------------------------------------------------------------------------------


def test_completion_is_done_over_all_but_dropped(fixture_ledger):
    report = build_report(fixture_ledger, AS_OF)
    district, federation, grassroots = report["totals"]["levels"]
    assert district["by_status"] == {"todo": 0, "in-progress": 1, "done": 1, "blocked": 0,
                                     "dropped": 1}
    assert (district["counted"], district["done"], district["completion"]) == (2, 1, 50.0)
    assert (federation["completion"], grassroots["completion"]) == (0.0, 0.0)
    overall = report["totals"]["overall"]
    assert (overall["tasks"], overall["counted"], overall["done"]) == (9, 8, 1)
    assert overall["completion"] == 12.5


def test_average_progress_counts_done_as_100_and_leaves_dropped_out(fixture_ledger):
    report = build_report(fixture_ledger, AS_OF)
    district, federation, _ = report["totals"]["levels"]
    assert district["average_progress"] == 75.0  # D1 done (100), D2 50; D3 dropped
    assert federation["average_progress"] == round((20 + 0 + 60) / 3, 1)


def test_completion_is_none_when_every_task_is_dropped():
    ledger = make([{"status": "dropped"}, {"status": "dropped"}])
    totals = build_report(ledger, AS_OF)["totals"]["overall"]
    assert (totals["counted"], totals["completion"], totals["average_progress"]) == (0, None, None)


def test_a_done_task_with_lower_recorded_progress_counts_100():
    ledger = make([{"status": "done", "progress": 60}, {"status": "todo", "progress": 20}])
    assert build_report(ledger, AS_OF)["totals"]["overall"]["average_progress"] == 60.0


# --- overdue ---------------------------------------------------------------------------------


def test_overdue_oldest_first_with_days(fixture_ledger):
    report = build_report(fixture_ledger, AS_OF)
    assert [(t["ref"], t["due"], t["days_overdue"]) for t in report["overdue"]] == [
        ("F2", "2018-05-31", 30), ("G2", "2018-06-01", 29), ("F1", "2018-06-15", 15)]
    assert all(t["overdue"] for t in report["overdue"])
    assert report["totals"]["overall"]["overdue"] == 3


def test_due_on_the_day_and_done_or_dropped_are_not_overdue():
    ledger = make([
        {"due": "2018-06-30"},
        {"due": "2018-01-01", "status": "done"},
        {"due": "2018-01-01", "status": "dropped"},
        {"due": "2018-06-29", "status": "blocked"},
    ])
    report = build_report(ledger, AS_OF)
    assert [t["ref"] for t in report["overdue"]] == ["D4"]
    tasks = by_ref(report)
    assert tasks["D4"]["days_overdue"] == 1 and tasks["D1"]["days_overdue"] is None


# --- as of a day -----------------------------------------------------------------------------


def test_later_history_is_undone(fixture_ledger):
    before = by_ref(build_report(fixture_ledger, AS_OF))
    assert (before["F3"]["status"], before["F3"]["progress"]) == ("in-progress", 60)
    assert before["F3"]["evidence"] == []  # recorded with the later entry
    assert before["G2"]["due"] == "2018-06-01"  # moved on 2018-07-02
    after = by_ref(build_report(fixture_ledger, date(2018, 7, 15)))
    assert (after["F3"]["status"], after["F3"]["progress"]) == ("done", 100)
    assert after["F3"]["evidence"] == ["干部调配名单"]
    assert after["G2"]["due"] == "2018-10-31"


def test_the_whole_as_of_day_counts(fixture_ledger):
    # G3 changed at 2018-06-30T23:30+08:00: counted on the 30th, not on the 29th
    assert by_ref(build_report(fixture_ledger, AS_OF))["G3"]["status"] == "in-progress"
    assert by_ref(build_report(fixture_ledger, date(2018, 6, 29)))["G3"]["status"] == "todo"


def test_an_entry_counts_on_the_day_of_its_own_offset():
    # 23:30 at -05:00 is already July 1st in UTC, but the entry was made on June 30th
    ledger = make([{"status": "done", "history": [
        entry("2018-06-30T23:30:00-05:00", status=["todo", "done"])]}])
    assert by_ref(build_report(ledger, AS_OF))["D1"]["status"] == "done"
    assert by_ref(build_report(ledger, date(2018, 6, 29)))["D1"]["status"] == "todo"


def test_rollback_puts_back_every_recorded_field_newest_first():
    ledger = make([{
        "status": "done", "progress": 100, "owner": "乙", "due": "2018-12-31",
        "history": [
            entry("2018-05-01T09:00:00+08:00", status=["todo", "in-progress"], owner=[None, "甲"]),
            entry("2018-07-01T09:00:00+08:00", progress=[None, 50], owner=["甲", "乙"]),
            entry("2018-08-01T09:00:00+08:00", status=["in-progress", "done"],
                  progress=[50, 100], due=["2018-09-30", "2018-12-31"]),
        ],
    }])
    task = by_ref(build_report(ledger, AS_OF))["D1"]
    assert (task["status"], task["progress"], task["owner"], task["due"]) == (
        "in-progress", None, "甲", "2018-09-30")
    assert task["updated"] == "2018-05-01T09:00:00+08:00"


def test_a_task_created_after_the_day_is_left_out():
    # `reformctl add` records a task's creation as status [null, todo]
    ledger = make(
        [{"history": [entry("2018-03-01T09:00:00+08:00", status=[None, "todo"])]},
         {"level": "grassroots", "seq": 1, "related": [1], "history": [
             entry("2018-07-02T09:00:00+08:00", status=[None, "todo"])]}],
        voices=[{"id": 1, "headline": "h", "speaker": "s", "unit": "u", "tasks": [1, 2]}])
    report = build_report(ledger, AS_OF)
    assert list(by_ref(report)) == ["D1"] and report["notes"] == []
    assert report["totals"]["overall"]["tasks"] == 1
    assert [t["ref"] for t in report["symposium"]["statements"][0]["tasks"]] == ["D1"]
    assert report["related"] == [] and by_ref(report)["D1"]["related"] == []
    later = build_report(ledger, date(2018, 7, 31))
    assert list(by_ref(later)) == ["D1", "G1"]
    assert later["activity"][0]["changes"] == {"status": [None, "todo"]}


def test_an_invalid_recorded_old_value_is_reported_not_used():
    """The model refuses such a value (check reports it); the report stays defensive all the
    same, for a ledger built without validation."""
    from datetime import datetime

    from reformctl.models import HistoryEntry

    ledger = make([{"status": "done", "progress": 100}])
    ledger.tasks[0].history.append(HistoryEntry.model_construct(
        at=datetime.fromisoformat("2018-07-01T09:00:00+08:00"), by="测试",
        changes={"status": ["finished", "done"], "progress": [40, 100]}, note=None, evidence=[]))
    report = build_report(ledger, AS_OF)
    task = by_ref(report)["D1"]
    assert (task["status"], task["progress"]) == ("done", 40)
    assert len(report["notes"]) == 1 and "'finished'" in report["notes"][0]


# --- moved deadlines, activity ---------------------------------------------------------------


def test_moved_deadlines_show_original_and_current_due(fixture_ledger):
    moved = build_report(fixture_ledger, AS_OF)["moved_deadlines"]
    assert [(m["ref"], m["original_due"], m["current_due"]) for m in moved] == [
        ("D2", "2018-05-31", "2018-09-30")]
    assert moved[0]["moves"] == [{"at": "2018-06-10T11:00:00+08:00", "by": "李明",
                                  "from": "2018-05-31", "to": "2018-09-30",
                                  "days": 122, "direction": "later",
                                  "note": "等待区委批复，截止日期顺延"}]
    later = build_report(fixture_ledger, date(2018, 7, 31))["moved_deadlines"]
    assert [(m["ref"], m["original_due"], m["current_due"]) for m in later] == [
        ("D2", "2018-05-31", "2018-09-30"), ("G2", "2018-06-01", "2018-10-31")]


def test_a_deadline_moved_twice_keeps_the_first_original():
    ledger = make([{"due": "2018-12-31", "history": [
        entry("2018-03-01T09:00:00+08:00", due=["2018-06-30", "2018-09-30"]),
        entry("2018-04-01T09:00:00+08:00", due=["2018-09-30", "2018-12-31"]),
        entry("2018-04-02T09:00:00+08:00", due=["2018-12-31", "2018-12-31"]),  # not a move
    ]}])
    (moved,) = build_report(ledger, AS_OF)["moved_deadlines"]
    assert (moved["original_due"], moved["current_due"], len(moved["moves"])) == (
        "2018-06-30", "2018-12-31", 2)


def test_a_first_due_date_is_not_a_move_and_a_move_has_direction_and_days():
    ledger = make([{"due": "2018-05-20", "history": [
        entry("2018-03-01T09:00:00+08:00", due=[None, "2018-05-31"]),  # first set: not a move
        entry("2018-04-01T09:00:00+08:00", due=["2018-05-31", "2018-05-20"]),  # earlier
    ]}, {"due": None, "history": [
        entry("2018-03-01T09:00:00+08:00", due=[None, "2018-05-31"]),
    ]}, {"due": None, "history": [
        entry("2018-03-01T09:00:00+08:00", due=["2018-05-31", None]),  # taken away: a move
    ]}])
    moved = build_report(ledger, AS_OF)["moved_deadlines"]
    assert [m["id"] for m in moved] == [1, 3]
    assert [(m["from"], m["to"], m["days"], m["direction"]) for m in moved[0]["moves"]] == [
        ("2018-05-31", "2018-05-20", -11, "earlier")]
    assert moved[0]["original_due"] == "2018-05-31"
    assert [(m["from"], m["to"], m["days"], m["direction"]) for m in moved[1]["moves"]] == [
        ("2018-05-31", None, None, None)]


def test_activity_is_newest_first_within_since_and_as_of(fixture_ledger):
    report = build_report(fixture_ledger, AS_OF)
    assert [(a["at"][:10], a["task"]["ref"]) for a in report["activity"]] == [
        ("2018-06-30", "G3"), ("2018-06-20", "F1"), ("2018-06-15", "D3"), ("2018-06-10", "D2"),
        ("2018-06-05", "D1")]
    wider = build_report(fixture_ledger, AS_OF, since=date(2018, 5, 20))
    assert [a["task"]["ref"] for a in wider["activity"]][-1] == "F3"
    assert wider["since"] == "2018-05-20"
    first = report["activity"][0]
    assert first["changes"] == {"status": ["todo", "in-progress"], "progress": [None, 10]}
    assert first["by"] == "宋海龙" and first["note"] == "启动调研"


def test_activity_at_the_same_moment_is_ordered_by_task():
    at = "2018-06-01T09:00:00+08:00"
    ledger = make([{"history": [entry(at)]}, {"history": [entry(at)]}])
    assert [a["task"]["ref"] for a in build_report(ledger, AS_OF)["activity"]] == ["D1", "D2"]


# --- symposium, related, level ---------------------------------------------------------------


def test_symposium_statements_and_unaddressed_tasks(fixture_ledger):
    symposium = build_report(fixture_ledger, AS_OF)["symposium"]
    assert symposium["meeting"]["title"] == "推进工会改革工作座谈会"
    assert [(s["id"], [t["ref"] for t in s["tasks"]]) for s in symposium["statements"]] == [
        (1, ["D1", "G1"]), (2, ["F1"]), (3, [])]
    assert symposium["statements"][1]["tasks"][0]["status"] == "blocked"
    assert [t["ref"] for t in symposium["unaddressed"]] == ["D2", "D3", "F2", "F3", "G2", "G3"]


def test_related_pairs_once_higher_level_first():
    ledger = make([{"level": "grassroots", "seq": 1, "related": [2]},
                   {"level": "federation", "seq": 1, "related": [1]}])
    pairs = build_report(ledger, AS_OF)["related"]
    assert [[a["ref"], b["ref"]] for a, b in pairs] == [["F1", "G1"]]


def test_level_restricts_every_section(fixture_ledger):
    report = build_report(fixture_ledger, AS_OF, level="federation")
    assert report["level"] == "federation"
    assert [t["level"] for t in report["totals"]["levels"]] == ["federation"]
    assert report["totals"]["overall"]["tasks"] == 3
    assert [g["level"] for g in report["tasks"]] == ["federation"]
    assert [t["ref"] for t in report["overdue"]] == ["F2", "F1"]
    assert {a["task"]["level"] for a in report["activity"]} == {"federation"}
    assert [(s["id"], [t["ref"] for t in s["tasks"]]) for s in
            report["symposium"]["statements"]] == [(2, ["F1"])]
    assert [t["ref"] for t in report["symposium"]["unaddressed"]] == ["F2", "F3"]
    assert [[a["ref"], b["ref"]] for a, b in report["related"]] == [["F1", "G2"]]


def test_task_record_fields(fixture_ledger):
    task = by_ref(build_report(fixture_ledger, AS_OF))["D1"]
    assert list(task) == ["id", "ref", "level", "status", "progress", "due", "text", "seq",
                          "title", "owner", "partners", "tags", "overdue", "days_overdue",
                          "related", "voices", "evidence", "updated"]
    assert task["voices"] == [1]
    assert task["evidence"] == ["联席会议纪要（2018-06-05）.pdf", "区政府办公室通知"]
    assert by_ref(build_report(fixture_ledger, AS_OF))["F1"]["related"] == ["G2"]
