"""Property tests: what is written reads back as exactly what was meant, and nothing else moves."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA, FIXTURES
from reformctl import edit, yamldoc
from reformctl.ledgers import LedgerDir
from reformctl.loader import load
from reformctl.models import STATUSES
from reformctl.transaction import Change, change_ledger

# Every code point but surrogates, with the characters YAML, markdown and terminals care about
# drawn often enough that hypothesis meets them.
SIGNIFICANT = list(":#-?,[]{}&*!|>'\"%@`~\\ \t\n\r\x00\x1b\x85\u2028\u202e\ufeff=+.0123456789") + [
    "null", "true", "no", "2018-12-31", "3.10", "0x1F", "中文", "：", "“", ": ", " #", "- ",
    "[bold]", "[/]", "<b>", "=SUM(A1)"]
any_text = st.lists(st.sampled_from(SIGNIFICANT) | st.characters(exclude_categories=("Cs",)),
                    max_size=12).map("".join)


@settings(max_examples=500)
@given(any_text)
def test_scalar_reads_back_as_the_same_text(text):
    source = f"key: {yamldoc.scalar(text)}\n"
    parsed = yamldoc.parse(yamldoc.Text("x", source))
    assert parsed.diagnostics == []
    assert parsed.data == {"key": text}
    assert yaml.safe_load(source) == {"key": text}  # and so does any YAML reader
    assert not yamldoc.has_unsafe(yamldoc.scalar(text))  # nothing raw that could act


@given(st.lists(any_text, max_size=4))
def test_flow_lists_read_back(values):
    source = f"key: {edit.flow_list(values)}\n"
    assert yamldoc.parse(yamldoc.Text("x", source)).data == {"key": values}


plain_data = st.recursive(
    st.none() | st.booleans() | st.integers() | any_text,
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(min_size=1, max_size=8), children, max_size=3),
    max_leaves=12,
)


@given(plain_data)
def test_yaml_output_format_round_trips(data):
    assert yamldoc.parse(yamldoc.Text("x", yamldoc.dump(data))).data == data


updates = st.builds(
    edit.Update,
    status=st.none() | st.sampled_from(STATUSES),
    progress=st.none() | st.integers(0, 100),
    owner=st.none() | any_text.filter(lambda s: s.strip() != ""),
    due=st.none() | st.dates(date(2018, 1, 1), date(2020, 12, 31)),
    note=st.none() | any_text,
    evidence=st.lists(any_text.filter(lambda s: s != ""), max_size=3).map(tuple),
)


def _comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    source=st.sampled_from([DATA, FIXTURES / "base", FIXTURES / "hostile"]),
    picks=st.lists(st.integers(0, 28), min_size=1, max_size=3, unique=True),
    update=updates,
    crlf=st.booleans(),
    minutes=st.integers(-600, 600),
)
def test_update_keeps_every_other_task_and_comment(source, picks, update, crlf, minutes):
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(source, data)
        if crlf:
            path = data / "tasks.yaml"
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
        where = LedgerDir(data, "--data")
        before = load(where)
        assert before.errors == []
        tasks = before.ledger.tasks
        chosen = sorted({tasks[i % len(tasks)].id for i in picks})
        at = datetime(2018, 6, 1, 12, tzinfo=timezone(timedelta(hours=8))) + timedelta(
            minutes=minutes)
        expected = {}

        def plan(ledger, now):
            change = Change()
            for task_id in chosen:
                old = ledger.task(task_id)
                new = edit.apply_update(old, update, "测试", at)
                if new is not None:
                    change.updated.append((old, new))
                    expected[task_id] = new
            return change

        change_ledger(where, plan)
        after = load(where)
        assert after.errors == [], [str(d) for d in after.errors]
        for task in after.ledger.tasks:
            if task.id in expected:
                assert task == expected[task.id]
            else:
                assert task == before.ledger.task(task.id)
        assert after.ledger.voices == before.ledger.voices
        text_before, text_after = before.texts["tasks"].text, after.texts["tasks"].text
        assert _comments(text_after) == _comments(text_before)
        assert ("\r\n" in text_after) == crlf
        # lines outside the changed tasks' blocks are byte for byte the same
        first = min(i for i, t in enumerate(tasks) if t.id in expected) if expected else None
        if first is not None:
            block_start = edit.task_blocks(text_before, before.task_starts)[first].start
            assert text_after[:block_start] == text_before[:block_start]
        else:
            assert text_after == text_before


# Text people paste into a task: quotes, colons, '#', leading and trailing spaces, CJK full-width
# punctuation, very long lines; and the characters YAML cares about (SIGNIFICANT).
AWKWARD = ["\"", "'", ":", ": ", "#", " #", "# ", "  ", " ", "：", "，", "。", "“", "”", "‘", "’",
           "「", "」", "【", "】", "（", "）", "、", "；", "！", "？", "——", "…", "\u3000",
           "大都工匠", "- ", "? ", "|", ">", "&a", "*a", "!x", "%", "@", "`",
           "很长的一行，" * 300, "x" * 5000]
_awkward_piece = (st.sampled_from(AWKWARD) | st.sampled_from(SIGNIFICANT)
                  | st.characters(exclude_categories=("Cs",)))
awkward_text = st.lists(_awkward_piece, max_size=10).map("".join)
nonempty_awkward = st.lists(_awkward_piece, min_size=1, max_size=10).map("".join)


def _block_lists(text: str) -> str:
    """The same ledger with every non-empty ``tags: [...]`` written as a block list."""
    import re

    def block(match: re.Match[str]) -> str:
        pad, items = match.group(1), match.group(2).split(", ")
        return f"{pad}tags:\n" + "".join(f"{pad}  - {item}\n" for item in items)

    return re.sub(r"^( +)tags: \[(.+)\]\n", block, text, flags=re.MULTILINE)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    source=st.sampled_from([DATA, FIXTURES / "base", FIXTURES / "hostile"]),
    pick=st.integers(0, 28),
    text=st.none() | nonempty_awkward,
    title=st.none() | awkward_text,
    clear_title=st.booleans(),
    add_tags=st.lists(nonempty_awkward, max_size=3),
    remove_existing=st.lists(st.integers(0, 3), max_size=2),
    block_lists=st.booleans(),
    crlf=st.booleans(),
)
def test_edited_values_read_back_exactly_and_nothing_else_moves(
        source, pick, text, title, clear_title, add_tags, remove_existing, block_lists, crlf):
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(source, data)
        path = data / "tasks.yaml"
        content = path.read_text("utf-8")
        if block_lists:
            content = _block_lists(content)
        path.write_bytes(content.replace("\n", "\r\n" if crlf else "\n").encode("utf-8"))
        where = LedgerDir(data, "--data")
        before = load(where)
        assert before.errors == []
        tasks = before.ledger.tasks
        position = pick % len(tasks)
        old = tasks[position]
        remove = tuple(old.tags[i] for i in remove_existing if i < len(old.tags))
        add = tuple(t for t in add_tags if t not in remove)
        update = edit.Update(text=text, title=None if clear_title else title,
                             clear=frozenset({"title"}) if clear_title else frozenset(),
                             add_tags=add, remove_tags=remove)
        at = datetime(2018, 6, 1, 12, tzinfo=timezone(timedelta(hours=8)))

        def plan(ledger, now):
            new = edit.apply_update(ledger.task(old.id), update, "测试", at)
            return Change(updated=[] if new is None else [(ledger.task(old.id), new)])

        outcome = change_ledger(where, plan)
        after = load(where)
        assert after.errors == [], [str(d) for d in after.errors]
        got = after.ledger.task(old.id)
        # the values asked for, exactly
        assert got.text == (old.text if text is None else text)
        assert got.title == (None if clear_title else old.title if title is None else title)
        expected_tags = [t for t in old.tags if t not in remove]
        expected_tags += [t for t in dict.fromkeys(add) if t not in expected_tags]
        assert got.tags == expected_tags
        if outcome.change.updated:
            assert got == outcome.change.updated[0][1]
            changes = got.history[-1].changes
            if got.text != old.text:
                assert changes["text"] == [old.text, got.text]
            if got.tags != old.tags:
                assert changes["tags"] == [old.tags, got.tags]
        else:
            assert got == old
        # every other task is the same, and every byte outside the task's lines too
        for other in after.ledger.tasks:
            if other.id != old.id:
                assert other == before.ledger.task(other.id)
        text_before, text_after = before.texts["tasks"].text, after.texts["tasks"].text
        old_block = edit.task_blocks(text_before, before.task_starts)[position]
        new_block = edit.task_blocks(text_after, after.task_starts)[position]
        assert text_after[:new_block.start] == text_before[:old_block.start]
        assert text_after[new_block.end:] == text_before[old_block.end:]
        assert ("\r\n" in text_after) == crlf
