"""Ledger rules that catch what people get wrong, as pure functions and on the write path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import yaml

from conftest import run_cli
from reformctl.checks import (
    CLOCK_SKEW,
    RuleContext,
    history_times,
    near_value,
    run_rules,
    status_matches_history,
    status_matches_progress,
)
from reformctl.models import Task

NOW = datetime(2018, 6, 30, 12, 0, tzinfo=timezone(timedelta(hours=8)))


def task(**fields) -> Task:
    return Task.model_validate({"id": 1, "level": "district", "seq": 1, "text": "任务。", **fields})


def entry(at: datetime, **changes) -> dict:
    return {"at": at.isoformat(), "by": "王芳", "changes": changes}


def codes(rule, *tasks: Task, now: datetime = NOW) -> list[tuple[str, str]]:
    ctx = RuleContext("tasks.yaml", "voices.yaml", list(enumerate(tasks)), [],
                      {t.id for t in tasks}, now=now)
    return [(d.severity.value, d.code) for d in rule(ctx)]


# --- history times -------------------------------------------------------------------------


def test_a_time_within_the_clock_skew_is_accepted_and_beyond_it_refused():
    near = task(history=[entry(NOW + CLOCK_SKEW - timedelta(seconds=1))])
    far = task(history=[entry(NOW + CLOCK_SKEW + timedelta(seconds=1))])
    assert codes(history_times, near) == []
    assert codes(history_times, far) == [("error", "history-future")]
    # the same entry is fine once its time has come: "now" is an input, not the test's clock
    assert codes(history_times, far, now=NOW + timedelta(hours=1)) == []


def test_offsets_are_compared_as_instants():
    """10:00+00:00 is 18:00 in Beijing: six hours after NOW (12:00+08:00), so in the future."""
    later = task(history=[entry(datetime(2018, 6, 30, 10, 0, tzinfo=UTC))])
    assert codes(history_times, later) == [("error", "history-future")]


def test_an_entry_before_the_creation_entry_is_refused():
    created = NOW - timedelta(days=10)
    t = task(history=[entry(created - timedelta(days=1)),
                      entry(created, status=[None, "todo"]),
                      entry(created + timedelta(days=1), status=["todo", "in-progress"])],
             status="in-progress")
    assert codes(history_times, t) == [("error", "history-before-creation")]


def test_a_task_that_came_with_the_plan_has_no_creation_to_precede():
    t = task(history=[entry(datetime(2001, 1, 1, tzinfo=UTC), status=["todo", "done"])],
             status="done")
    assert codes(history_times, t) == []


# --- status against the record and against progress -----------------------------------------


@pytest.mark.parametrize(("status", "expected"), [
    ("todo", []), ("in-progress", [("warning", "status-unrecorded")]),
    ("done", [("warning", "status-unrecorded")]), ("blocked", [("warning", "status-unrecorded")]),
    ("dropped", [("warning", "status-unrecorded")]),
])
def test_a_status_with_an_empty_history_is_todo_or_a_hand_edit(status, expected):
    assert codes(status_matches_history, task(status=status)) == expected


def test_a_recorded_status_change_satisfies_the_rule():
    t = task(status="done", history=[entry(NOW, status=["todo", "done"])])
    assert codes(status_matches_history, t) == []


@pytest.mark.parametrize(("status", "progress", "warned"), [
    ("done", 100, False), ("done", 99, True), ("done", None, False),
    ("todo", 0, False), ("todo", 1, True), ("todo", None, False),
    ("in-progress", 0, False), ("in-progress", 50, False), ("in-progress", 100, True),
    ("blocked", 30, False), ("blocked", 100, False), ("dropped", 60, False),
])
def test_status_and_progress_that_contradict_each_other(status, progress, warned):
    found = codes(status_matches_progress, task(status=status, progress=progress))
    assert found == ([("warning", "status-progress")] if warned else [])


def test_every_rule_is_registered():
    t = task(status="done", progress=50,
             history=[entry(NOW + timedelta(days=1), status=["todo", "in-progress"])])
    ctx = RuleContext("tasks.yaml", "voices.yaml", [(0, t)], [], {1}, now=NOW)
    assert {d.code for d in run_rules(ctx)} == {
        "history-future", "status-unrecorded", "status-progress", "missing-evidence"}


# --- near-miss values ---------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "meant"), [
    ("level", "Federation", "federation"), ("level", "DISTRICT", "district"),
    ("level", "grass-roots", "grassroots"), ("level", "区级层面", "district"),
    ("status", "inprogress", "in-progress"), ("status", "In Progress", "in-progress"),
    ("status", "完成", "done"), ("status", "已完成", "done"), ("status", "dne", "done"),
    ("status", "blokced", "blocked"), ("status", "xyz", None), ("status", 3, None),
])
def test_near_miss_values(field, value, meant):
    assert near_value(field, value) == meant


# --- the write path runs the rules ----------------------------------------------------------


def test_update_refuses_a_time_in_the_future(ledger):
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("update", "8", "--status", "done", "--at", "2031-01-01T00:00:00+08:00",
                     "--by", "王芳")
    assert result.code == 1
    assert ("history entry 1 of task 8 is dated 2031-01-01T00:00:00+08:00, which is later than "
            "now") in result.stderr
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_update_refuses_a_time_before_the_task_was_created(ledger):
    added = run_cli("add", "--level", "G", "新的任务。", "--by", "王芳",
                    "--at", "2018-06-01T09:00:00+08:00")
    assert added.code == 0, added.stderr
    new_id = added.stdout.strip()
    before = (ledger / "tasks.yaml").read_bytes()
    result = run_cli("update", new_id, "--note", "补记", "--by", "王芳",
                     "--at", "2018-05-01T09:00:00+08:00")
    assert result.code == 1
    assert (f"history entry 1 of task {new_id} is dated 2018-05-01T09:00:00+08:00, before the "
            "task was created (2018-06-01T09:00:00+08:00)") in result.stderr
    assert (ledger / "tasks.yaml").read_bytes() == before


def test_a_hand_set_status_with_no_record_is_recorded_by_update(ledger):
    path = ledger / "tasks.yaml"
    text = path.read_text("utf-8")
    start = text.index("  - id: 5\n")
    at = text.index("    status: todo", start)
    path.write_text(text[:at] + "    status: blocked" + text[at + len("    status: todo"):],
                    "utf-8")
    check = run_cli("check", "--strict")
    assert check.code == 1 and "warning[status-unrecorded]: task 5 is 'blocked'" in check.stdout
    result = run_cli("update", "5", "--status", "blocked", "--note", "等待批复", "--by", "王芳",
                     "--at", "2018-06-01T09:00:00+08:00")
    assert result.code == 0, result.stderr
    [recorded] = {t["id"]: t for t in yaml.safe_load(path.read_text("utf-8"))["tasks"]}[5][
        "history"]
    assert recorded["changes"] == {"status": ["todo", "blocked"]}
    assert run_cli("check", "--strict").code == 0
