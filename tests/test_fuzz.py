"""Fuzzing: mutated ledgers never make a command crash, hang, or change a file it must not.

Valid ledgers (the shipped one and two test fixtures) are mutated at three levels:

* bytes: bits flipped, bytes inserted and deleted, the file cut short, control characters and
  invalid UTF-8 put in;
* lines: lines duplicated, deleted, swapped, indented differently, tabs put in;
* structure: the data read with ``yaml.safe_load``, one node replaced by a value of another type
  or a hostile string (or deleted, or an item doubled, or an unknown key added), dumped back.

Every command then runs on the mutant: check (all formats), list (all formats), show and voices
on a drawn id or ref, log, update --dry-run, a real update, add --dry-run and a real add (with
--related, into a drawn level). Each must exit 0, 1 or 2 with no traceback and no "internal
error"; a failure must be one message starting ``reformctl: error:`` (or click's usage error),
and a problem in a data file must be named with its file:line:col (file alone for whole-file
problems). Nothing but a real update or add on a
valid ledger may change a file; those must leave a ledger that loads without errors.

Reproducible in CI: derandomized, no example database, a few hundred examples in all.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA, FIXTURES, run_cli
from reformctl import ledgers, loader

SOURCES = {
    "shipped": DATA,
    "base": FIXTURES / "base",
    "hostile": FIXTURES / "hostile",
}
ORIGINAL = {(name, file): (path / file).read_bytes()
            for name, path in SOURCES.items() for file in ("tasks.yaml", "voices.yaml")}
USER = {"REFORMCTL_USER": "模糊测试"}
# Ids and refs to show, update and relate to: most exist in their ledger, some do not; many are
# the last task of their level, next to which `add` inserts.
KEYS = {"shipped": ["D7", "f12", "G10", "3", "22", "30"],
        "base": ["1", "2", "3", "D1", "f1", "G1", "4"],
        "hostile": ["1", "2", "3", "D1", "f1", "G1", "4"]}

# Problems of a whole file: no line or column applies.
FILE_LEVEL = {"missing-file", "unreadable", "file-too-large"}
DIAGNOSTIC = re.compile(
    r"^(?P<path>\S*?(?:tasks|voices)\.yaml)(?::(?P<line>\d+))?(?::(?P<col>\d+))?: "
    r"(?:error|warning)\[(?P<code>[a-z0-9-]+)\]: ", re.MULTILINE)
FUZZ = settings(derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---------------------------------------------------------------------------------------------
# Mutations

CONTROL = [bytes([c]) for c in (*range(0x00, 0x09), 0x0B, 0x0C, 0x0D, *range(0x0E, 0x20), 0x7F)]
CONTROL += [ch.encode("utf-8") for ch in "\x85\u2028\u2029\u202e\ufeff\x9b"]
INVALID_UTF8 = [b"\xff", b"\xfe", b"\xc3", b"\xe5\xbb", b"\xed\xa0\x80", b"\xc0\xaf",
                b"\xf8\x88\x80\x80\x80", b"\x80", "建立".encode("gbk")]
YAML_BITS = [b": ", b"- ", b"&a ", b"*a", b"!!python/object:os.system ", b"? ", b"|", b">",
             b"[", b"]", b"{", b"}", b"#", b"'", b'"', b"\\", b"---\n", b"...\n", b"%YAML 1.1\n",
             b"<<: ", b"\t", b"\r", b"\r\n", b"\n"]


@st.composite
def key_and_level(draw, source: str) -> tuple[str, str]:
    """A task to address, and the level to add a task at (often the task's own level)."""
    key = draw(st.sampled_from(KEYS[source]))
    own = key[0].upper() if key[0].isalpha() else "G"
    return key, draw(st.sampled_from(["D", "F", "G", own, own]))


@st.composite
def byte_mutation(draw, source: str, file: str) -> bytes:
    data = bytearray(ORIGINAL[(source, file)])
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "control",
                                     "invalid-utf8", "yaml"]))
        at = draw(st.integers(0, len(data)))
        if kind == "flip" and data:
            at = min(at, len(data) - 1)
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        elif kind == "truncate":
            del data[at:]
        elif kind == "control":
            data[at:at] = draw(st.sampled_from(CONTROL))
        elif kind == "invalid-utf8":
            data[at:at] = draw(st.sampled_from(INVALID_UTF8))
        else:
            data[at:at] = draw(st.sampled_from(YAML_BITS))
    return bytes(data)


@st.composite
def line_mutation(draw, source: str, file: str) -> bytes:
    lines = ORIGINAL[(source, file)].split(b"\n")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["duplicate", "delete", "swap", "indent", "dedent", "tab",
                                     "move"]))
        if kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "indent":
            lines[i] = b" " * draw(st.integers(1, 6)) + lines[i]
        elif kind == "dedent":
            lines[i] = lines[i][draw(st.integers(1, 6)):] if lines[i][:1] == b" " else lines[i]
        elif kind == "tab":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + b"\t" + lines[i][at:]
        else:
            lines.insert(j, lines.pop(i))
    return b"\n".join(lines)


HOSTILE_TEXT = ["", " ", "null", "~", "no", "yes", "on", "3.10", "0755", "1e3", "-1", "0",
                "2018-13-45", "2018-02-30", "2018-05-02T25:00:00+08:00", "12:30", "*a", "&a",
                "!!python/object/apply:os.system", "[bold]x[/]", "[/]", "<b>x</b>", "a|b",
                "=SUM(A1)", "@x", "\x1b[31m红", "\x1b]0;title\x07", "\u202eevil", "\x9b2J",
                "\x00", "第一行\n第二行", "建" * 2000, "D1", "G99", "done", "已完成", "todo ",
                "'", '"', "#", "- x", "? x", ": x", "{a: 1}", "[1, 2]"]


HUGE = "HUGEINTEGERSENTINEL"  # replaced by a 5000-digit integer after dumping


def _deep(depth: int) -> object:
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


values = st.one_of(
    st.none(), st.booleans(),
    st.integers(-10, 200), st.integers(-2**70, 2**70), st.just(HUGE),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=12),
    st.dates().map(lambda d: d),
    st.lists(st.integers(-3, 40) | st.sampled_from(HOSTILE_TEXT), max_size=4),
    st.dictionaries(st.sampled_from(["id", "status", "x", "at", "by", "changes"]),
                    st.integers(0, 5) | st.sampled_from(HOSTILE_TEXT), max_size=3),
    st.integers(30, 40).map(_deep),
)


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, prefix + (i,))
    return found


@st.composite
def structure_mutation(draw, source: str, file: str) -> bytes:
    data = yaml.safe_load(ORIGINAL[(source, file)].decode("utf-8"))
    for _ in range(draw(st.integers(1, 2))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        kind = draw(st.sampled_from(["replace", "replace", "delete", "double", "unknown-key"]))
        if not path:
            data = draw(values)
            continue
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        if kind == "replace":
            value = draw(values)
            if type(value) is type(parent[last]):  # another type, always
                value = {"x": value} if isinstance(value, list) else [value]
            parent[last] = value
        elif kind == "delete":
            del parent[last]
        elif kind == "double" and isinstance(parent, list):
            parent.insert(last, json.loads(json.dumps(parent[last], default=str)))
        elif isinstance(parent[last], dict):
            parent[last][draw(st.sampled_from(["stauts", "id ", "Level", "备注", "x"]))] = 1
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=4096)
    return text.replace(HUGE, "9" * 5000).encode("utf-8")  # too long for safe_dump itself


# ---------------------------------------------------------------------------------------------
# Running every command on a mutant


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.name != ".tasks.yaml.reformctl-lock"}  # the writers' lock: empty, kept


@contextlib.contextmanager
def ledger_of(files: dict[str, bytes]):
    """A temporary ledger holding ``files``, with the working directory at its parent."""
    previous = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        for name, raw in files.items():
            (data / name).write_bytes(raw)
        os.chdir(tmp)
        try:
            yield data
        finally:
            os.chdir(previous)


def assert_clean(args: tuple[str, ...], result) -> None:
    shown = f"{args}: exit {result.code}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    both = result.stdout + result.stderr
    assert result.code in (0, 1, 2), shown
    assert "Traceback" not in both, shown
    assert "internal error" not in result.stderr, shown
    if result.code == 2 or (result.code == 1 and args[0] != "check"):  # check 1: its report
        assert result.stderr.startswith("reformctl: error: ") or (
            result.code == 2 and result.stderr.startswith("Usage: ")), shown
    # Every problem in a data file is named with its file:line:col (file alone when the whole
    # file is the problem).
    for match in DIAGNOSTIC.finditer(both):
        if match["code"] not in FILE_LEVEL:
            assert match["line"] and match["col"], f"unlocated: {match[0]}\n{shown}"
    if args[:3] == ("check", "--format", "json") and result.code != 2:
        for problem in json.loads(result.stdout):
            if problem["code"] not in FILE_LEVEL:
                assert problem["line"] and problem["column"], f"unlocated: {problem}\n{shown}"


def exercise(files: dict[str, bytes], key: str, level: str) -> None:
    with ledger_of(files) as data:
        before = snapshot(data)
        check = run_cli("check", "--format", "json", env=USER)
        assert_clean(("check", "--format", "json"), check)
        valid = check.code == 0 or not any(
            p["severity"] == "error" for p in json.loads(check.stdout or "[]"))
        reading = [("check", "--format", "text"), ("check", "--format", "github"),
                   *(("list", "--format", fmt) for fmt in
                     ("table", "json", "csv", "markdown", "yaml")),
                   ("show", key), ("show", key, "--format", "json"), ("voices",),
                   ("voices", "--task", key, "--format", "markdown"), ("log",),
                   ("update", key, "--status", "blocked", "--note", "模糊", "--dry-run"),
                   ("add", "-l", level, "新任务。", "--related", key, "--dry-run")]
        for args in reading:
            result = run_cli(*args, env=USER)
            assert_clean(args, result)
            if args[0] == "check":
                assert (result.code == 0) == (check.code == 0), args
            assert snapshot(data) == before, f"{args} changed a file"
        # Real writes: a refused one changes nothing; a done one leaves a ledger that loads.
        for args in (("update", key, "--status", "in-progress", "--progress", "50", "--note", "模糊",
                      "--evidence", "纪要.pdf"),
                     ("add", "-l", level, "新任务。", "--related", key)):
            result = run_cli(*args, env=USER)
            assert_clean(args, result)
            if not valid or result.code != 0:
                assert snapshot(data) == before, f"a refused {args[0]} changed a file"
            else:
                loaded = loader.load(ledgers.LedgerDir(data, "--data"))
                assert loaded.errors == [], [str(d) for d in loaded.errors]
                before = snapshot(data)


sources = st.sampled_from(sorted(SOURCES))
files_ = st.sampled_from(["tasks.yaml", "tasks.yaml", "tasks.yaml", "voices.yaml"])


def _mutated(source: str, file: str, mutant: bytes) -> dict[str, bytes]:
    other = "voices.yaml" if file == "tasks.yaml" else "tasks.yaml"
    return {file: mutant, other: ORIGINAL[(source, other)]}


@settings(FUZZ, max_examples=150)
@given(source=sources, file=files_, data=st.data())
def test_byte_mutants(source, file, data):
    key, level = data.draw(key_and_level(source))
    mutant = data.draw(byte_mutation(source, file))
    exercise(_mutated(source, file, mutant), key, level)


@settings(FUZZ, max_examples=120)
@given(source=sources, file=files_, data=st.data())
def test_line_mutants(source, file, data):
    key, level = data.draw(key_and_level(source))
    mutant = data.draw(line_mutation(source, file))
    exercise(_mutated(source, file, mutant), key, level)


@settings(FUZZ, max_examples=150)
@given(source=sources, file=files_, data=st.data())
def test_structure_mutants(source, file, data):
    key, level = data.draw(key_and_level(source))
    mutant = data.draw(structure_mutation(source, file))
    exercise(_mutated(source, file, mutant), key, level)


def test_the_sources_are_valid_ledgers():
    """The mutations start from valid ledgers (else the fuzzing proves less than it seems)."""
    for name in SOURCES:
        with ledger_of({f: ORIGINAL[(name, f)] for f in ("tasks.yaml", "voices.yaml")}):
            assert run_cli("check").code == 0, name

