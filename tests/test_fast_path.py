"""The fast reading pass builds exactly what the located pass builds, or steps aside.

yamldoc reads a file first with a tight loop that keeps no positions (and, for the loader,
validates tasks in chunks as they are read); anything unusual sends it back to the located pass,
which describes problems. These tests hold the fast pass to that: on every input it either gives
up or returns the same data, with the same types, as the located pass, and it never accepts a
file the located pass refuses.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA, FIXTURES, ROOT, run_cli
from reformctl import yamldoc
from reformctl.ledgers import LedgerDir
from reformctl.loader import load


def same(a, b) -> bool:
    """Equal, and of the same types all the way down (1 != 1.0 != True here)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def assert_agree(text: str) -> None:
    source = yamldoc.Text("t.yaml", text)
    try:
        fast = yamldoc._parse_fast(source, None)
    except yamldoc._Relocate:
        return  # the located pass reads it, as it always did
    located = yamldoc.parse(source, locate=True)
    assert not located.diagnostics, f"fast pass accepted what the located pass refuses: {text!r}"
    assert same(fast.data, located.data), text
    assert fast.item_starts == located.item_starts, text
    # and parse() without locate is the fast pass
    assert same(yamldoc.parse(source).data, located.data)
    # locate() finds what the located pass finds, for any set of paths
    paths = sorted(located.nodes, key=repr)
    asked = paths + [p + ("nope",) for p in paths] + [p + (7,) for p in paths]
    for chosen in (asked, asked[::3], asked[-2:]):
        walked = yamldoc.locate(source, chosen)
        for path in chosen:
            for at_key in (False, True):
                assert walked.find(path, at_key=at_key) == located.find(path, at_key=at_key)
            if path in walked.nodes:
                assert walked.nodes[path] == located.nodes[path]


def fixture_files() -> list:
    files = sorted(FIXTURES.rglob("*.yaml")) + sorted(DATA.glob("*.yaml"))
    return [f for f in files if "encoding" not in f.parent.name]


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_files(path):
    assert_agree(path.read_text("utf-8"))


SNIPPETS = [
    "", "~", "a", "1", "-1", "+1", "1.5", "1e3", "1.5e-3", ".5", "-.inf", ".NaN", "0x1F", "0o17",
    "1_000", "1²", "1２", "１２", "2018-12-31", "2018-04-10T09:30:00+08:00", "12:30", "no", "on",
    "yes", "True", "FALSE", "Null", "null", "0755", "3.10", "1e", "-", "- a\n- b",
    "a: 1\nb: [1, 2]", "a: 1\na: 2", "a: &x 1\nb: *x", "a: !!int 3", "a: !!str 3", "a: ! 3",
    "!!str [a]",
    "a: !foo bar", "? [a]\n: b", "? a\n: b", "a:\n  - b\n  -\n    c: d", "[a, [b, [c]]]",
    "a: 'x'\nb: \"y\"\nc: |\n  z\nd: >-\n  w\n", "--- a\n--- b", "a: b\n...\n", "%YAML 1.2\n--- a",
    "a:\tb", "a:\n\t- b", "a: [", "a: b: c", "{a: 1, a: 2}", "[1, 2, 3]", "- - - - x",
    "tasks:\n  - id: 1\n  - id: 2\n  - x\nvoices: []\n", "a: \u0085b", "a: \x07", "\ufeffa: 1",
    "[" * 40 + "]" * 40, "a:\n" + "".join(" " * (2 * i) + f"k{i}:\n" for i in range(1, 35)),
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippets(text):
    assert_agree(text)


TOKENS = ["a", "b", "id", "1", "-2", "0.5", "1e3", ".inf", "no", "null", "~", "", "2018-01-01",
          "1²", "x y", "中文", "'q'", '"d"', "[1, x]", "{k: v}", "&a x", "*a", "!!str 1", "! 1",
          "#c", "a: b", "- c", "|", ">", "\t", "１２", "0x10", "+.5"]


@st.composite
def documents(draw) -> str:
    """Block YAML with unquoted tokens: often invalid, often surprising; always compared."""
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        indent = " " * (2 * draw(st.integers(0, 3)))
        key = draw(st.sampled_from(TOKENS[:12]))
        value = draw(st.sampled_from(TOKENS))
        shape = draw(st.sampled_from(["map", "seq", "key"]))
        if shape == "map":
            lines.append(f"{indent}{key}: {value}")
        elif shape == "seq":
            lines.append(f"{indent}- {value}")
        else:
            lines.append(f"{indent}{key}:")
    return "\n".join(lines) + "\n"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_random_documents(text):
    assert_agree(text)


plain_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.sampled_from(TOKENS) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(TOKENS[:12]) | st.text(max_size=4), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(plain_values)
def test_emitted_and_json_documents(value):
    assert_agree(yamldoc.dump(value))
    assert_agree(json.dumps(value, ensure_ascii=False))


def test_mutated_ledgers():
    """Random edits of a real ledger: each reads the same both ways, or not at all fast."""
    base = (FIXTURES / "base" / "tasks.yaml").read_text("utf-8")
    rng = random.Random(6)
    alphabet = ":-#&*!|>'\"[]{}, \t\n?%@`~0123456789.ae中"
    for _ in range(1500):
        text = base
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text))
            edit = rng.randrange(3)
            if edit == 0:
                text = text[:at] + rng.choice(alphabet) + text[at:]
            elif edit == 1:
                text = text[:at] + text[at + rng.randint(1, 6):]
            else:
                lines = text.split("\n")
                i = rng.randrange(len(lines))
                lines.insert(i, lines[rng.randrange(len(lines))])
                text = "\n".join(lines)
        assert_agree(text)


# ---------------------------------------------------------------------------------------------
# The loader: tasks validated in chunks while they are read


def generate(n: int, target) -> None:
    subprocess.run([sys.executable, "-m", "benchmarks.generate", str(n), str(target)], cwd=ROOT,
                   check=True, capture_output=True)


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A ledger of more tasks than one chunk."""
    target = tmp_path_factory.mktemp("large") / "data"
    generate(yamldoc.CHUNK * 2 + 345, target)
    return target


def test_large_ledger_loads_as_without_early_validation(large):
    from reformctl.checks import validate

    loaded = load(LedgerDir(large, "--data"))
    assert loaded.diagnostics == []
    text = loaded.texts["tasks"]
    raw = yamldoc.parse(text)
    assert not raw.items_replaced
    plain = validate("tasks", raw.data, text.path)
    assert [t for _, t in plain.items] == loaded.ledger.tasks
    assert not yamldoc.parse(text, items=lambda key, chunk: chunk).items_replaced
    assert yamldoc.parse(text, items=lambda key, chunk: list(chunk)).items_replaced


def test_problem_in_a_late_chunk_is_located(large, tmp_path, monkeypatch):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(large, data)
    lines = (data / "tasks.yaml").read_text("utf-8").split("\n")
    task = yamldoc.CHUNK * 2 + 100
    start = lines.index(f"  - id: {task}")
    status = next(i for i in range(start, len(lines)) if lines[i].startswith("    status: "))
    lines[status] = "    status: finished"
    related = next(i for i in range(start, len(lines)) if lines[i].startswith("    related: "))
    lines[related] = "    related: [999999]"
    (data / "tasks.yaml").write_text("\n".join(lines), "utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "--format", "json")
    assert result.code == 1
    assert json.loads(result.stdout) == [{
        "file": "data/tasks.yaml", "line": status + 1, "column": 13, "severity": "error",
        "code": "invalid-value",
        "message": f"status 'finished' in task {task} is not one of: todo, in-progress, done, "
                   "blocked, dropped",
    }]
    # the task is left out, so its reference is not checked; fix the status and it is
    lines[status] = "    status: todo"
    (data / "tasks.yaml").write_text("\n".join(lines), "utf-8")
    result = run_cli("check", "--format", "json")
    assert [(d["line"], d["code"]) for d in json.loads(result.stdout)] == [
        (related + 1, "unknown-task")]


def test_superscript_digit_is_text_not_a_crash(outside):
    import shutil

    shutil.copytree(FIXTURES / "base", outside / "data")
    tasks = outside / "data" / "tasks.yaml"
    tasks.write_text(tasks.read_text("utf-8").replace("  - id: 1\n", "  - id: 1²\n"), "utf-8")
    result = run_cli("check")
    assert result.code == 1
    assert "data/tasks.yaml:8:9: error[invalid-type]: id in task #1 must be an integer" \
        in result.stdout
