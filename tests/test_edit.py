"""edit: finding a task's lines and changing only what must change."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from reformctl import edit, yamldoc
from reformctl.errors import WriteError
from reformctl.models import Task

AT = datetime(2018, 5, 2, 10, tzinfo=timezone(timedelta(hours=8)))


def task(**fields) -> Task:
    return Task.model_validate({"id": 1, "level": "district", "seq": 1, "text": "建立制度。",
                                **fields})


def blocks_of(source: str) -> list[str]:
    parsed = yamldoc.parse(yamldoc.Text("x", source))
    return [source[b.start:b.end] for b in edit.task_blocks(source, parsed.item_starts["tasks"])]


def test_blocks_run_to_the_next_item_or_the_end_of_the_sequence():
    source = ("tasks:\n  - id: 1\n    text: a\n\n  # next\n  - id: 2\n    text: b\n"
              "  # trailing comment\n\nplan:\n  title: t\n")
    assert blocks_of(source) == ["  - id: 1\n    text: a\n\n  # next\n",
                                 "  - id: 2\n    text: b\n  # trailing comment\n\n"]


def test_blocks_of_unindented_items_and_no_final_newline():
    assert blocks_of("tasks:\n- id: 1\n  text: a\n- id: 2\n  text: b") == [
        "- id: 1\n  text: a\n", "- id: 2\n  text: b"]


def test_scalar_change_keeps_comments_and_quoting():
    old = task(status="todo", title="gloss")
    block = ('  - id: 1  # first\n    level: district\n    seq: 1\n    text: "建立制度。"\n'
             "    title: 'gloss'\n    status: todo   # to do\n")
    new = old.model_copy(update={"status": "blocked"})
    assert edit.rewrite_block(block, "\n", old, new) == block.replace(
        "status: todo   # to do", "status: blocked   # to do")


def test_missing_key_goes_after_its_predecessor_in_key_order():
    old = task(status="todo")
    block = "- id: 1\n  level: district\n  seq: 1\n  text: 建立制度。\n  status: todo\n"
    new = Task.model_validate({**old.model_dump(), "owner": "区总工会", "progress": 5})
    assert edit.rewrite_block(block, "\n", old, new) == (
        "- id: 1\n  level: district\n  seq: 1\n  text: 建立制度。\n  owner: 区总工会\n"
        "  status: todo\n  progress: 5\n")


def test_history_flow_list_becomes_a_block_list():
    old = task(history=[{"at": "2018-04-01T09:00:00+08:00", "by": "a", "note": "x"}])
    block = ("- id: 1\n  level: district\n  seq: 1\n  text: 建立制度。\n"
             "  history: [{at: 2018-04-01T09:00:00+08:00, by: a, note: x}]\n")
    new = edit.apply_update(old, edit.Update(note="z"), "b", AT)
    result = edit.rewrite_block(block, "\n", old, new)
    assert result.endswith("  history:\n    - at: 2018-04-01T09:00:00+08:00\n      by: a\n"
                           "      changes: {}\n      note: x\n    - at: 2018-05-02T10:00:00+08:00\n"
                           "      by: b\n      changes: {}\n      note: z\n")


def test_block_without_final_newline_gets_one_before_new_lines():
    old = task()
    block = "- id: 1\n  level: district\n  seq: 1\n  text: 建立制度。"
    new = edit.apply_update(old, edit.Update(note="n"), "b", AT)
    assert edit.rewrite_block(block, "\n", old, new).startswith(block + "\n  history:\n")


def test_a_block_that_is_not_the_task_is_refused():
    with pytest.raises(WriteError, match="do not hold the task that was read"):
        edit.rewrite_block("- id: 2\n  level: district\n  seq: 1\n  text: x\n", "\n", task(),
                           task(status="done"))


def test_done_sets_progress_unless_given():
    assert edit.apply_update(task(), edit.Update(status="done"), "b", AT).progress == 100
    assert edit.apply_update(task(), edit.Update(status="done", progress=80), "b",
                             AT).progress == 80


def test_nothing_to_change_is_none():
    assert edit.apply_update(task(status="todo"), edit.Update(status="todo"), "b", AT) is None


def test_new_task_numbers():
    index = edit.TaskIndex("", "\n", [1, 5], ["district", "grassroots"], [1, 3], [0, 0])
    new = edit.new_task(index, "grassroots", "新任务", {"due": None}, "b", AT, None)
    assert (new.id, new.seq, new.status) == (6, 4, "todo")
    assert new.history[0].changes == {"status": [None, "todo"]}


def test_a_cleared_field_loses_its_lines_and_nothing_else():
    old = task(title="gloss", owner="区总工会", progress=5)
    block = ("- id: 1\n  level: district\n  seq: 1\n  text: 建立制度。\n  title: >-\n    two\n"
             "    lines\n  owner: 区总工会  # 牵头\n  # a comment stays\n  progress: 5\n")
    old = Task.model_validate({**old.model_dump(), "title": "two lines"})
    new = old.model_copy(update={"title": None, "owner": None, "progress": None})
    assert edit.rewrite_block(block, "\n", old, new) == (
        "- id: 1\n  level: district\n  seq: 1\n  text: 建立制度。\n  # a comment stays\n")


def test_a_block_list_keeps_its_items_lines_and_comments():
    old = task(tags=["a", "b", "c"])
    block = ("- id: 1\n  level: district\n  seq: 1\n  text: 建立制度。\n  tags:  # themes\n"
             "    - a\n    # about b\n    - b  # bee\n    - c\n")
    new = old.model_copy(update={"tags": ["a", "c", "d: e"]})
    assert edit.rewrite_block(block, "\n", old, new) == (
        "- id: 1\n  level: district\n  seq: 1\n  text: 建立制度。\n  tags:  # themes\n"
        "    - a\n    # about b\n    - c\n    - \"d: e\"\n")
    emptied = old.model_copy(update={"tags": []})
    assert edit.rewrite_block(block, "\n", old, emptied).endswith("  tags: []\n")


def test_list_changes_are_recorded_as_flow_lists():
    entry = edit.apply_update(task(tags=["a"]), edit.Update(add_tags=("b, c",)), "x", AT).history[0]
    assert edit.history_lines(entry, 0)[-1] == '    tags: [[a], [a, "b, c"]]'


def test_edited_list_removes_everywhere_and_adds_once():
    assert edit.edited_list(["a", "b", "a", "c"], ("c", "d", "d"), ("a",)) == ["b", "c", "d"]


def test_clearing_progress_wins_over_done_setting_it():
    new = edit.apply_update(task(progress=30), edit.Update(status="done",
                                                           clear=frozenset({"progress"})), "x", AT)
    assert (new.status, new.progress) == ("done", None)


def test_plan_update_links_both_sides_and_refuses_a_self_link():
    from reformctl.errors import UsageError

    one, two = task(), task(id=2, seq=2, related=[])
    changed, unchanged = edit.plan_update([one], edit.Update(add_related=(2,)), "x", AT,
                                          {2: two}.get)
    assert [(new.id, new.related, new.history[-1].changes) for _, new in changed] == [
        (1, [2], {"related": [[], [2]]}), (2, [1], {"related": [[], [1]]})]
    assert unchanged == []
    with pytest.raises(UsageError, match="cannot be related to itself"):
        edit.plan_update([one], edit.Update(add_related=(1,)), "x", AT, {}.get)
