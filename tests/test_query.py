"""query: words from the command line, every filter, every sort key, --reverse and --limit.

The ledger is built in code so each test states exactly the tasks it is about.
"""

from __future__ import annotations

from datetime import date

import pytest

from reformctl.errors import EXIT_PROBLEM, EXIT_USAGE, NotFoundError, UsageError
from reformctl.models import Ledger, Plan, Task, Voice
from reformctl.query import (
    SORT_KEYS,
    TaskFilter,
    get_task,
    get_voice,
    group_tasks,
    is_overdue,
    is_relative,
    list_tasks,
    parse_date,
    parse_duration,
    parse_level,
    parse_status,
    period_end,
    period_start,
    related_tasks,
    select,
    shift,
    sort_tasks,
    task_detail,
    task_filter,
    task_key,
    voice_detail,
)

DAY = date(2018, 6, 30)


def _task(id: int, level: str, seq: int, **fields) -> Task:
    return Task(id=id, level=level, seq=seq, text=fields.pop("text", f"任务{id}"), **fields)


TASKS = [
    _task(1, "district", 1, text="建立区级经费保障制度。", title="Funding guarantee",
          owner="区总工会经审办", partners=["区财政局"], due=date(2018, 3, 31), status="done",
          progress=100, tags=["funding", "Institutions"]),
    _task(2, "district", 2, text="推进干部交流。", owner="区委组织部", due=date(2018, 6, 30),
          status="in-progress", progress=40, tags=["cadres"]),
    _task(3, "federation", 1, text="运用“互联网＋”提高效能。", title="Internet plus",
          due=date(2018, 5, 1), status="blocked", progress=10, tags=["services", "funding"],
          related=[5]),
    _task(4, "federation", 2, text="调整机关部门设置。", partners=["区编办", "区总工会组织部"],
          status="todo", tags=["organization"]),
    _task(5, "grassroots", 1, text="完善经费审计监督体系。", owner="基层工会",
          due=date(2018, 12, 31), status="todo", progress=0, tags=["audit", "funding"]),
    _task(6, "grassroots", 2, text="开展普惠服务。", due=date(2018, 4, 1), status="dropped",
          tags=["services"]),
]
VOICES = [
    Voice(id=1, headline="多跑网少跑路", speaker="陈洪祥", unit="德胜街道总工会", tasks=[3, 5]),
    Voice(id=2, headline="加强指导", speaker="宋海龙", unit="金融街街道总工会", tasks=[4]),
]


@pytest.fixture
def ledger() -> Ledger:
    return Ledger(plan=Plan(title="测试"), tasks=list(TASKS), meeting=None, voices=list(VOICES))


def ids(tasks) -> list[int]:
    return [t.id for t in tasks]


def chosen(**words) -> list[int]:
    return ids(select(TASKS, task_filter(**words)))


# ---------------------------------------------------------------------------------------------
# Words


@pytest.mark.parametrize(("word", "level"), [
    ("district", "district"), ("Federation", "federation"), (" grassroots ", "grassroots"),
    ("D", "district"), ("f", "federation"), ("g", "grassroots"), ("Ｇ", "grassroots"),
    ("区级", "district"), ("区总工会", "federation"), ("基层", "grassroots"),
    ("区级层面", "district"), ("基层工会级层面", "grassroots"),
])
def test_levels_in_english_letters_and_chinese(word, level):
    assert parse_level(word) == level


@pytest.mark.parametrize(("word", "status"), [
    ("todo", "todo"), ("In-Progress", "in-progress"), ("done", "done"), ("blocked", "blocked"),
    ("dropped", "dropped"), ("未开始", "todo"), ("进行中", "in-progress"), ("已完成", "done"),
    ("受阻", "blocked"), ("已取消", "dropped"), ("ＤＯＮＥ", "done"),
])
def test_statuses_in_english_and_chinese(word, status):
    assert parse_status(word) == status


def test_unknown_level_is_a_usage_error_listing_every_level_in_both_languages():
    with pytest.raises(UsageError) as caught:
        parse_level("nope")
    assert caught.value.exit_code == EXIT_USAGE
    assert caught.value.message == ("unknown level 'nope'; valid levels: district (区级), "
                                    "federation (区总工会), grassroots (基层)")
    assert caught.value.hint


def test_unknown_status_is_a_usage_error_listing_every_status_in_both_languages():
    with pytest.raises(UsageError) as caught:
        parse_status("完成")
    assert caught.value.message == (
        "unknown status '完成'; valid statuses: todo (未开始), in-progress (进行中), "
        "done (已完成), blocked (受阻), dropped (已取消)")
    assert caught.value.hint


def test_dates():
    assert parse_date("2018-12-31") == date(2018, 12, 31)
    assert parse_date(" ２０１８-０１-０２ ") == date(2018, 1, 2)
    for bad in ("2018-13-01", "2018-02-30", "tomorrow", "2018/12/31", "20181231", ""):
        with pytest.raises(UsageError) as caught:
            parse_date(bad, "--due-before")
        assert caught.value.message.startswith(f"--due-before '{bad}' is not a ")
        assert "YYYY-MM-DD" in caught.value.hint


# Relative dates, each counted from a fixed day (never the real date): a Wednesday in mid-June.
WED = date(2018, 6, 13)


@pytest.mark.parametrize(("text", "day"), [
    ("today", WED), ("TODAY", WED), ("今天", WED),
    ("+0d", WED), ("+1d", date(2018, 6, 14)), ("-3d", date(2018, 6, 10)),
    ("+2w", date(2018, 6, 27)), ("-1w", date(2018, 6, 6)),
    ("+1m", date(2018, 7, 13)), ("-6m", date(2017, 12, 13)), ("+1y", date(2019, 6, 13)),
    ("+2周", date(2018, 6, 27)), ("+14天", date(2018, 6, 27)), ("+1个月", date(2018, 7, 13)),
    ("＋２ｗ", date(2018, 6, 27)), (" + 2 W ", date(2018, 6, 27)),
    ("sow", date(2018, 6, 11)), ("eow", date(2018, 6, 17)),  # Monday .. Sunday
    ("som", date(2018, 6, 1)), ("eom", date(2018, 6, 30)), ("EOM", date(2018, 6, 30)),
    ("soq", date(2018, 4, 1)), ("eoq", date(2018, 6, 30)),
    ("soy", date(2018, 1, 1)), ("eoy", date(2018, 12, 31)),
    ("eom+1", date(2018, 7, 31)), ("eom-1", date(2018, 5, 31)), ("som+1", date(2018, 7, 1)),
    ("eoq+1", date(2018, 9, 30)), ("soq-1", date(2018, 1, 1)), ("eoq-2", date(2017, 12, 31)),
    ("eoy-1", date(2017, 12, 31)), ("eow+1", date(2018, 6, 24)),
    ("月初", date(2018, 6, 1)), ("月底", date(2018, 6, 30)), ("月末", date(2018, 6, 30)),
    ("季初", date(2018, 4, 1)), ("季末", date(2018, 6, 30)),
    ("年初", date(2018, 1, 1)), ("年底", date(2018, 12, 31)), ("年末", date(2018, 12, 31)),
    ("2018-12-31", date(2018, 12, 31)),  # an absolute date is itself, whatever the day
])
def test_relative_dates_count_from_the_given_day(text, day):
    assert parse_date(text, "--due-before", relative_to=WED) == day
    assert is_relative(text) == (text != "2018-12-31")


def test_relative_dates_count_from_today_when_no_day_is_given(monkeypatch):
    import reformctl.query

    monkeypatch.setattr(reformctl.query, "today", lambda: date(2019, 2, 27))
    assert parse_date("+1w") == date(2019, 3, 6)  # across the end of February
    assert parse_date("eom") == date(2019, 2, 28)


@pytest.mark.parametrize(("day", "count", "unit", "expected"), [
    (date(2018, 1, 31), 1, "m", date(2018, 2, 28)),  # no 31st: the month's last day
    (date(2020, 1, 31), 1, "m", date(2020, 2, 29)),
    (date(2018, 3, 31), -1, "m", date(2018, 2, 28)),
    (date(2018, 12, 15), 1, "m", date(2019, 1, 15)),
    (date(2018, 1, 15), -1, "m", date(2017, 12, 15)),
    (date(2020, 2, 29), 1, "y", date(2021, 2, 28)),
    (date(2018, 12, 31), 1, "d", date(2019, 1, 1)),
    (date(2018, 12, 31), -2, "w", date(2018, 12, 17)),
])
def test_shift_keeps_the_day_or_stops_at_the_month_end(day, count, unit, expected):
    assert shift(day, count, unit) == expected


@pytest.mark.parametrize(("day", "period", "start", "end"), [
    (date(2018, 6, 17), "w", date(2018, 6, 11), date(2018, 6, 17)),  # a Sunday ends its week
    (date(2018, 6, 11), "w", date(2018, 6, 11), date(2018, 6, 17)),
    (date(2018, 12, 31), "w", date(2018, 12, 31), date(2019, 1, 6)),
    (date(2020, 2, 10), "m", date(2020, 2, 1), date(2020, 2, 29)),
    (date(2018, 11, 5), "q", date(2018, 10, 1), date(2018, 12, 31)),
    (date(2018, 1, 1), "q", date(2018, 1, 1), date(2018, 3, 31)),
    (date(2018, 7, 1), "y", date(2018, 1, 1), date(2018, 12, 31)),
])
def test_periods_start_and_end(day, period, start, end):
    assert (period_start(day, period), period_end(day, period)) == (start, end)


@pytest.mark.parametrize("bad", ["soon", "tomorrow", "2w", "+2", "+2x", "eom+", "eom+1m",
                                 "+-2d", "e o m x", "+1234567d", "today+1d"])
def test_what_is_not_a_date_names_the_option_and_shows_the_forms(bad):
    with pytest.raises(UsageError) as caught:
        parse_date(bad, "--due-before", relative_to=WED)
    assert caught.value.message == f"--due-before '{bad}' is not a date"
    assert caught.value.hint == ("write dates as YYYY-MM-DD, e.g. 2018-12-31, or relative: "
                                 "today, +2w, -3d, eom, eoy")


def test_a_relative_date_out_of_the_calendar_is_a_usage_error():
    with pytest.raises(UsageError) as caught:
        parse_date("+999999y", "--due", relative_to=WED)
    assert caught.value.message == "--due '+999999y' is too far from 2018-06-13"
    with pytest.raises(UsageError, match="too far"):
        parse_date("-99999w", "--due", relative_to=date(1, 1, 1))


@pytest.mark.parametrize(("text", "span"), [
    ("14d", (14, "d")), ("+14d", (14, "d")), ("2w", (2, "w")), ("1m", (1, "m")),
    ("1y", (1, "y")), ("0d", (0, "d")), ("１４Ｄ", (14, "d")), ("2周", (2, "w")),
    ("14天", (14, "d")), ("1个月", (1, "m")),
])
def test_spans(text, span):
    assert parse_duration(text, "--due-within") == span


@pytest.mark.parametrize("bad", ["14", "-14d", "d", "eom", "2018-12-31", "two weeks", ""])
def test_what_is_not_a_span_is_a_usage_error(bad):
    with pytest.raises(UsageError) as caught:
        parse_duration(bad, "--due-within")
    assert caught.value.message == f"--due-within '{bad}' is not a span of time"
    assert "14d, 2w, 1m" in caught.value.hint


@pytest.mark.parametrize(("text", "key"), [
    ("3", 3), (" 22 ", 22), ("３", 3), ("D3", "D3"), ("g3", "G3"), ("F12", "F12"), ("Ｇ３", "G3"),
])
def test_task_addresses(text, key):
    assert task_key(text) == key


@pytest.mark.parametrize("text", ["X9", "0", "G0", "G03", "-1", "3.5", "D", "", "3a", "G 3"])
def test_malformed_task_address_is_a_usage_error_naming_the_valid_forms(text):
    with pytest.raises(UsageError) as caught:
        task_key(text)
    assert caught.value.message == f"'{text}' is not a task id or ref"
    assert all(form in caught.value.hint for form in ("D3", "F3", "G3", "22"))


def test_get_task_by_id_or_ref_and_missing_is_not_found(ledger):
    assert get_task(ledger, "5") is get_task(ledger, "g1") is ledger.tasks[4]
    for missing in ("99", "G9"):
        with pytest.raises(NotFoundError) as caught:
            get_task(ledger, missing)
        assert caught.value.exit_code == EXIT_PROBLEM
        assert "reformctl list" in caught.value.hint


def test_get_voice(ledger):
    assert get_voice(ledger, "2").speaker == "宋海龙"
    with pytest.raises(NotFoundError):
        get_voice(ledger, "99")
    for bad in ("abc", "0", "-1", "1.0", ""):
        with pytest.raises(UsageError):
            get_voice(ledger, bad)


# ---------------------------------------------------------------------------------------------
# Filters


def test_no_filter_keeps_everything_in_file_order():
    assert chosen() == [1, 2, 3, 4, 5, 6]


def test_level_any_of():
    assert chosen(levels=["grassroots"]) == [5, 6]
    assert chosen(levels=["基层"]) == [5, 6]
    assert chosen(levels=["D", "基层"]) == [1, 2, 5, 6]


def test_status_any_of():
    assert chosen(statuses=["todo"]) == [4, 5]
    assert chosen(statuses=["进行中", "blocked"]) == [2, 3]


def test_owner_is_a_substring_of_the_lead_unit_or_a_partner_any_case():
    assert chosen(owner="组织部") == [2, 4]  # 2 leads it, 4 has it as a partner
    assert chosen(owner="区财政局") == [1]  # partner only
    assert chosen(owner="基层工会") == [5]
    assert chosen(owner="nobody") == []


def test_tag_matches_whole_tags_any_case_and_repeated_tags_all_apply():
    assert chosen(tags=["funding"]) == [1, 3, 5]
    assert chosen(tags=["FUNDING"]) == [1, 3, 5]
    assert chosen(tags=["institutions"]) == [1]
    assert chosen(tags=["fund"]) == []  # not a part of a tag
    assert chosen(tags=["funding", "services"]) == [3]
    assert chosen(tags=["funding", "audit"]) == [5]


def test_search_looks_in_text_title_and_owner_any_case_and_width():
    assert chosen(search="经费") == [1, 5]  # text
    assert chosen(search="internet") == [3]  # title, any case
    assert chosen(search="互联网+") == [3]  # ＋ in the text, + on the command line
    assert chosen(search="经审办") == [1]  # owner
    assert chosen(search="区财政局") == []  # partners are not searched


def test_overdue_means_due_before_the_day_and_not_done_or_dropped():
    assert chosen(overdue_on=DAY) == [3]  # 1 done, 6 dropped, 2 due that very day
    assert chosen(overdue_on=date(2018, 7, 1)) == [2, 3]
    assert chosen(overdue_on=date(2019, 1, 1)) == [2, 3, 5]  # 4 has no due date
    assert not is_overdue(TASKS[1], DAY)


def test_due_before_is_strict_and_leaves_out_tasks_without_a_date():
    assert chosen(due_before=DAY) == [1, 3, 6]
    assert chosen(due_before=date(2018, 7, 1)) == [1, 2, 3, 6]
    assert chosen(due_before=date(2018, 1, 1)) == []


def test_due_after_is_strict_and_leaves_out_tasks_without_a_date():
    assert chosen(due_after=date(2018, 6, 29)) == [2, 5]
    assert chosen(due_after=DAY) == [5]
    assert chosen(due_after=date(2018, 12, 31)) == []
    assert chosen(due_after=date(2018, 4, 1), due_before=DAY) == [3]  # a window


def test_due_by_keeps_open_tasks_due_on_or_before_the_day_overdue_ones_too():
    assert chosen(due_by=DAY) == [2, 3]  # 1 done, 6 dropped, 4 no due date, 2 due that day
    assert chosen(due_by=date(2018, 6, 29)) == [3]
    assert chosen(due_by=date(2018, 12, 31)) == [2, 3, 5]
    assert chosen(due_by=date(2018, 12, 31), due_after=DAY) == [5]  # only what lies ahead


def test_group_by_owner_in_order_of_first_appearance_and_no_owner_last():
    tasks = [_task(1, "district", 1, owner="乙"), _task(2, "district", 2),
             _task(3, "federation", 1, owner="甲"), _task(4, "federation", 2, owner="乙"),
             _task(5, "grassroots", 1, owner="  "), _task(6, "grassroots", 2, owner="甲")]
    assert [(key, ids(found)) for key, found in group_tasks(tasks, "owner")] == [
        ("乙", [1, 4]), ("甲", [3, 6]), (None, [2, 5])]  # a blank owner is no owner
    turned = sort_tasks(tasks, "id", reverse=True)
    assert [(key, ids(found)) for key, found in group_tasks(turned, "owner")] == [
        ("甲", [6, 3]), ("乙", [4, 1]), (None, [5, 2])]


def test_group_by_level_and_status_in_the_plans_order_of_values():
    by_status = sort_tasks(TASKS, "due")
    assert [(key, ids(found)) for key, found in group_tasks(by_status, "status")] == [
        ("todo", [5, 4]), ("in-progress", [2]), ("done", [1]), ("blocked", [3]),
        ("dropped", [6])]
    assert [(key, ids(found)) for key, found in group_tasks(TASKS[2:], "level")] == [
        ("federation", [3, 4]), ("grassroots", [5, 6])]  # no empty groups
    assert group_tasks([], "owner") == []
    with pytest.raises(UsageError, match="cannot group by 'tag'"):
        group_tasks(TASKS, "tag")


def test_filters_narrow_one_another():
    assert chosen(tags=["funding"], levels=["grassroots"]) == [5]
    assert chosen(tags=["funding"], statuses=["done", "blocked"], search="经费") == [1]
    assert chosen(levels=["district"], overdue_on=date(2018, 7, 1), owner="组织部") == [2]


@pytest.mark.parametrize("option", ["owner", "search"])
def test_empty_text_criteria_are_usage_errors(option):
    with pytest.raises(UsageError, match=f"--{option} needs some text"):
        task_filter(**{option: "  "})


def test_empty_tag_is_a_usage_error():
    with pytest.raises(UsageError, match="--tag needs some text"):
        task_filter(tags=["funding", ""])


def test_unknown_words_in_a_filter_are_usage_errors():
    with pytest.raises(UsageError, match="unknown level"):
        task_filter(levels=["district", "city"])
    with pytest.raises(UsageError, match="unknown status"):
        task_filter(statuses=["finished"])


def test_task_filter_keeps_the_parsed_values():
    flt = task_filter(levels=["基层"], statuses=["已完成"], tags=["a"])
    assert flt == TaskFilter(levels=frozenset({"grassroots"}), statuses=frozenset({"done"}),
                             tags=frozenset({"a"}))


# ---------------------------------------------------------------------------------------------
# Sorting, --reverse, --limit


@pytest.mark.parametrize(("key", "order", "reversed_order"), [
    ("id", [1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]),
    # by date; 4 has none: last either way
    ("due", [1, 6, 3, 2, 5, 4], [5, 2, 3, 6, 1, 4]),
    # todo, in-progress, done, blocked, dropped; ties by id
    ("status", [4, 5, 2, 1, 3, 6], [6, 3, 1, 2, 5, 4]),
    # district, federation, grassroots; within a level by number
    ("level", [1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]),
    # by percent; 4 and 6 have none: last either way, in id order
    ("progress", [5, 3, 2, 1, 4, 6], [1, 2, 3, 5, 4, 6]),
])
def test_every_sort_key_forwards_and_reversed(key, order, reversed_order):
    assert ids(sort_tasks(TASKS, key)) == order
    assert ids(sort_tasks(TASKS, key, reverse=True)) == reversed_order


def test_every_sort_key_is_tested():
    assert set(SORT_KEYS) == {"id", "due", "status", "level", "progress"}


def test_level_sort_uses_the_number_within_the_level_not_the_id():
    shuffled = [_task(9, "grassroots", 2), _task(8, "grassroots", 1), _task(7, "district", 5)]
    assert ids(sort_tasks(shuffled, "level")) == [7, 8, 9]


def test_ties_keep_id_order_whatever_the_input_order():
    same_day = [_task(i, "district", i, due=DAY) for i in (3, 1, 2)]
    assert ids(sort_tasks(same_day, "due")) == [1, 2, 3]


def test_unknown_sort_key_is_a_usage_error():
    with pytest.raises(UsageError, match="cannot sort by 'owner'"):
        sort_tasks(TASKS, "owner")


def test_limit_applies_after_filtering_and_sorting():
    every = TaskFilter()
    assert ids(list_tasks(TASKS, every)) == [1, 2, 3, 4, 5, 6]
    assert ids(list_tasks(TASKS, every, "due", limit=2)) == [1, 6]
    assert ids(list_tasks(TASKS, every, "due", reverse=True, limit=2)) == [5, 2]
    assert ids(list_tasks(TASKS, task_filter(tags=["funding"]), "id", True, 2)) == [5, 3]
    assert ids(list_tasks(TASKS, every, limit=100)) == [1, 2, 3, 4, 5, 6]
    assert list_tasks(TASKS, every, limit=0) == []
    with pytest.raises(UsageError, match="negative"):
        list_tasks(TASKS, every, limit=-1)


# ---------------------------------------------------------------------------------------------
# Views


def test_related_tasks_are_found_from_either_side(ledger):
    assert ids(related_tasks(ledger, ledger.tasks[2])) == [5]  # 3 names 5
    assert ids(related_tasks(ledger, ledger.tasks[4])) == [3]  # 5 is named by 3
    assert related_tasks(ledger, ledger.tasks[0]) == []


def test_task_detail_has_every_field_related_tasks_and_statements(ledger):
    detail = task_detail(ledger, ledger.tasks[4])
    assert list(detail)[:2] == ["id", "ref"]
    assert {"level", "seq", "text", "title", "owner", "partners", "due", "status", "progress",
            "tags", "related", "history"} <= set(detail)
    assert detail["ref"] == "G1"
    assert detail["related_tasks"] == [{
        "id": 3, "ref": "F1", "level": "federation", "status": "blocked", "progress": 10,
        "due": "2018-05-01", "text": "运用“互联网＋”提高效能。"}]
    assert detail["voices"] == [
        {"id": 1, "headline": "多跑网少跑路", "speaker": "陈洪祥", "unit": "德胜街道总工会"}]


def test_voice_detail_links_tasks_with_their_status(ledger):
    detail = voice_detail(ledger, ledger.voices[0])
    assert [(t["ref"], t["status"]) for t in detail["linked_tasks"]] == [
        ("F1", "blocked"), ("G1", "todo")]
    assert detail["tasks"] == [3, 5]
