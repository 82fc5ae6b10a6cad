"""Safe YAML reading: bytes -> text -> plain Python data, with source locations.

The data is built straight from libyaml's event stream rather than through PyYAML's constructor:

* anchors, aliases and tags that would build objects are refused at the event that carries them
  (alias bombs never expand; nothing but dicts, lists, str, int, float, bool and None is built);
* nesting deeper than :data:`MAX_DEPTH` is refused while it is being read;
* duplicate keys are errors (PyYAML would silently keep the last one);
* plain scalars are resolved by YAML 1.2's core schema (null, true/false, int, float), so
  ``no``/``on`` stay strings and ``3.10`` is not mangled; dates stay strings and the schema
  decides what they are.

Reading is optimistic: the first pass (:func:`_parse_fast`) builds the data without bookkeeping;
only when a file has a problem, or anything unusual (a tag, a complex key, deep nesting), or a
caller needs positions (as edits do) is it read again by :func:`_parse`, with every node's
position, which describes the problem. The fast pass accepts nothing the located pass would
refuse, and builds the same data.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import Diagnostic, error
from .i18n import N_, _, current

# Every command stays within 2 GiB of memory on any file this size, even the densest (one-line
# tasks: `python -m benchmarks.limits N --bare`); 10,000 tasks with their history are 5-9 MiB.
MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 32  # a ledger needs 6 levels; anything deeper is an attack or an accident

_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_STR_TAG = "tag:yaml.org,2002:str"
_SCALAR_TAGS = frozenset({_STR_TAG, "!"})  # the only tags allowed, on scalars only (text)
_DEPTH_MESSAGE = N_("nesting deeper than {depth} levels; a ledger needs far fewer")
_WORDS = {**dict.fromkeys(_NULLS), **dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}


@dataclass(slots=True)
class Text:
    """A decoded data file: its text and what must be restored when it is written back."""

    path: str  # as shown to the user
    text: str  # BOM removed; line endings as in the file
    bom: bool = False
    newline: str = "\n"


@dataclass(slots=True)
class Node:
    """Where one value sits in the text (1-based lines/cols; 0-based character offsets)."""

    key_line: int
    key_col: int
    line: int
    col: int
    start: int
    end: int = -1
    # "scalar", "flow" (a [..] or {..} collection) or "block"; a block collection's end is
    # where the next token starts (possibly after blank and comment lines), not its last text.
    kind: str = "scalar"
    key_start: int = -1  # character offset of the key (of the item, in a sequence)


@dataclass
class Parsed:
    data: Any
    diagnostics: list[Diagnostic]
    # data path -> Node; only filled by a located parse.
    nodes: dict[tuple[Any, ...], Node] | None = None
    # top-level key -> character offset where each item of the sequence under it starts
    # (always filled; the edit engine finds a task's lines from it).
    item_starts: dict[str, list[int]] = field(default_factory=dict)
    # True when ``items`` (see :func:`parse`) replaced the items of a top-level sequence.
    items_replaced: bool = False

    def find(self, data_path: tuple[Any, ...], *, at_key: bool = False) -> tuple[int, int] | None:
        """Line and column of the nearest located ancestor of ``data_path``."""
        if self.nodes is None:
            return None
        path = data_path
        while path:
            node = self.nodes.get(path)
            if node is not None:
                return (node.key_line, node.key_col) if at_key else (node.line, node.col)
            path = path[:-1]
            at_key = False
        return (1, 1)


def decode(raw: bytes, path: str) -> tuple[Text | None, list[Diagnostic]]:
    """UTF-8 (with or without BOM) only; other encodings get a message that names them."""
    bom = raw.startswith(codecs.BOM_UTF8)
    if bom:
        raw = raw[len(codecs.BOM_UTF8) :]
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        len(raw) >= 4 and (raw[1:4:2] == b"\0\0" or raw[0:3:2] == b"\0\0")
    ):
        # ASCII text in UTF-32 has three zero bytes to each character (UTF-16: one)
        wide = "UTF-32" if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or (
            b"\0\0\0" in (raw[1:4], raw[0:3])) else "UTF-16"
        return None, [
            error(
                path, 1, 1, "encoding",
                _("the file is {encoding} encoded; reformctl reads UTF-8 only. Convert it, e.g. "
                  "`iconv -f {encoding} -t UTF-8 {path} > {path}.utf8` and move it into "
                  "place").format(encoding=wide, path=path),
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        col = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
        guess = _guess_encoding(raw)
        return None, [
            error(
                path, line, col, "encoding",
                _("not valid UTF-8 (byte 0x{byte}); the file looks {guess}-encoded. "
                  "Save it as UTF-8, e.g. `iconv -f {encoding} -t UTF-8 {path} > "
                  "{path}.utf8` and move it into place").format(
                      byte=f"{raw[exc.start]:02x}", guess=guess,
                      encoding=_ICONV.get(guess, guess), path=path),
            )
        ]
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"  # what most lines use
    return Text(path, text, bom, newline), []


_ICONV = {"GBK/GB18030": "GB18030", "Big5": "BIG5", "Latin-1/Windows-1252": "WINDOWS-1252"}


def _guess_encoding(raw: bytes) -> str:
    for codec, name in (("gb18030", "GBK/GB18030"), ("big5", "Big5")):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if any("\u4e00" <= ch <= "\u9fff" for ch in text):
            return name
    return "Latin-1/Windows-1252"


class _Stop(Exception):
    """Reading cannot go on (alias, too deep, bad syntax): the diagnostics say why."""


class _Relocate(Exception):
    """A problem was found by a fast pass: read again with positions to describe it."""


class _Refused(_Relocate):
    """``items`` refused a chunk (see :func:`parse`)."""


_NOKEY = object()


# Items of a top-level sequence are handed to ``items`` in chunks of this many (see parse()).
CHUNK = 1000
Items = Callable[[Any, list[Any]], "list[Any] | None"]


def parse(source: Text, *, locate: bool = False, items: Items | None = None) -> Parsed:
    """Build the data of a one-document YAML text. Never raises for bad input.

    ``items(key, chunk)``, on the fast pass only, is given the items of the sequence under each
    top-level ``key`` as they are read, up to :data:`CHUNK` at a time, and returns what to keep
    in their place (e.g. validated models, so that the raw items of a large file never all
    exist at once), or None: the file is then read again without ``items`` (the raw data is
    what describes the problem). ``Parsed.items_replaced`` tells which happened.
    """
    if not locate:
        try:
            return _parse_fast(source, items)
        except _Refused:  # the YAML may be fine: read it fast again, keeping the raw items
            try:
                return _parse_fast(source, None)
            except _Relocate:
                pass
        except _Relocate:
            pass
    return _parse_located(source)


class _Chunks:
    """The text handed to libyaml piece by piece: no whole UTF-8 copy of it is ever made."""

    __slots__ = ("text", "pos")

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def read(self, size: int) -> str:
        start = self.pos
        self.pos = start + size
        return self.text[start : start + size]


_SHORT = 24  # strings up to this long are shared between equal values (keys, levels, names)


def _parse_fast(source: Text, items: Items | None) -> Parsed:
    """The optimistic pass: one tight loop over libyaml's events, no positions kept.

    Raises :class:`_Relocate` at anything the located pass must look at: syntax errors,
    anchors, aliases, tags other than ``!!str``/``!`` on a scalar, duplicate keys, complex keys,
    deep nesting, more than one document, or ``items`` refusing a chunk.
    """
    import yaml

    Scalar = yaml.ScalarEvent
    MapStart = yaml.MappingStartEvent
    SeqStart = yaml.SequenceStartEvent
    MapEnd = yaml.MappingEndEvent
    SeqEnd = yaml.SequenceEndEvent
    DocStart = yaml.DocumentStartEvent
    Alias = yaml.AliasEvent
    plain = _plain
    short: dict[str, str] = {}  # one object for equal short texts (keys, levels, names)
    intern = short.setdefault
    resolved_short: dict[str, Any] = {}
    known = resolved_short.get
    nokey = _NOKEY
    refused = _refusals  # what is refused is decided there; here only what could be is asked

    item_starts: dict[Any, list[int]] = {}
    stack: list[tuple[Any, bool]] = []  # the open containers above ``cur``, with is_map
    cur: Any = None  # the open container (None: none yet, or the root is closed)
    is_map = False
    key: Any = nokey  # the key read in ``cur`` (a mapping) whose value comes next
    root: Any = None
    documents = 0
    top: list[Any] | None = None  # the open sequence directly under the root
    top_key: Any = None
    top_lines: list[int] = []
    done = 0  # items of ``top`` handed to ``items`` already
    replaced = False
    max_open = MAX_DEPTH  # containers open: asked about from this depth on

    def hand_over(seq: list[Any], start: int) -> None:
        nonlocal replaced
        chunk = seq[start:]
        kept = items(top_key, chunk)  # type: ignore[misc]
        if kept is None:
            raise _Refused
        if kept is not chunk:
            seq[start:] = kept
            replaced = True

    parser: Any = _CParser()(_Chunks(source.text))
    get: Callable[[], Any] = parser.get_event
    try:
        while (ev := get()) is not None:
            kind = type(ev)
            if kind is Scalar:
                tag = ev.tag
                if (ev.anchor is not None or tag is not None) and refused(ev, kind, 0, 1, False):
                    raise _Relocate
                value = ev.value
                if cur is None:  # a document that is one scalar
                    root = _resolve(ev)
                    continue
                if is_map and key is nokey:
                    key = intern(value, value) if len(value) <= _SHORT else value
                    if key in cur:
                        raise _Relocate  # duplicate key
                    continue
                if tag is not None or ev.style:  # quoted, or tagged as text
                    if len(value) <= _SHORT:
                        value = intern(value, value)
                elif len(value) <= _SHORT:  # a short plain scalar: resolved once per spelling
                    resolved = known(value, nokey)
                    if resolved is nokey:
                        resolved = resolved_short[value] = plain(value)
                    value = resolved
                else:
                    value = plain(value)
                if is_map:
                    cur[key] = value
                    key = nokey
                else:
                    if cur is top:
                        top_lines.append(ev.start_mark.index)
                    cur.append(value)
            elif kind is MapStart or kind is SeqStart:
                depth = 0 if cur is None else len(stack) + 1
                at_key = is_map and key is nokey and cur is not None
                if (ev.anchor is not None or ev.tag is not None or depth >= max_open
                        or at_key) and refused(ev, kind, depth, documents, at_key):
                    raise _Relocate  # an anchor, a tag, too deep, a complex key
                new: Any = {} if kind is MapStart else []
                if cur is None:
                    root = new
                else:
                    if is_map:
                        cur[key] = new
                        if not stack and kind is SeqStart:
                            top, top_key, done = new, key, 0
                        key = nokey
                    else:
                        if cur is top:
                            top_lines.append(ev.start_mark.index)
                        elif not stack and kind is SeqStart:
                            top, top_key, done = new, len(cur), 0
                        cur.append(new)
                    if new is top:
                        top_lines = item_starts.setdefault(top_key, [])
                    stack.append((cur, is_map))
                cur = new
                is_map = kind is MapStart
            elif kind is MapEnd or kind is SeqEnd:
                closed = cur
                if stack:
                    cur, is_map = stack.pop()
                else:
                    cur = None
                key = nokey
                if items is not None and top is not None:
                    if cur is top and len(top) - done >= CHUNK:
                        hand_over(top, done)
                        done = len(top)
                    elif closed is top:
                        if len(top) > done:
                            hand_over(top, done)
                        top = None
            elif kind is DocStart or kind is Alias:
                documents += kind is DocStart
                if refused(ev, kind, 0, documents, False):
                    raise _Relocate  # an alias, a second document
    except (yaml.YAMLError, ValueError):  # ValueError: an integer too long to convert
        raise _Relocate from None
    item_starts = {k: starts for k, starts in item_starts.items() if starts}  # as _parse has
    return Parsed(root, [], None, item_starts, replaced)


def _refusals(ev: Any, kind: type, depth: int, documents: int,
              at_key: bool) -> list[tuple[str, str, bool]]:
    """What YAML a ledger may not hold, decided here for every pass: (code, message, stop) of
    each refusal of this event, in the order they are reported; empty when it is allowed.

    ``depth``: containers open before the event; ``documents``: documents begun so far (this
    one included); ``at_key``: the event stands where a mapping expects a key. The fast pass
    asks only about events that could be refused (those with an anchor or a tag, aliases,
    documents, containers at a key or at the depth limit); the located pass asks about every
    collection and scalar event, and reports what it is told.
    """
    import yaml

    found: list[tuple[str, str, bool]] = []
    if kind is yaml.AliasEvent:
        return [("yaml-alias", _("YAML alias '*{alias}' is not allowed (aliases can make a small "
                                 "file expand without limit); write the value out in "
                                 "full").format(alias=ev.anchor), True)]
    if kind is yaml.DocumentStartEvent:
        if documents > 1:
            found.append(("yaml-documents", _("more than one YAML document ('---'); a data file "
                                              "holds exactly one"), True))
        return found
    if kind is not yaml.ScalarEvent and kind is not yaml.MappingStartEvent \
            and kind is not yaml.SequenceStartEvent:
        return found
    if ev.anchor is not None:
        found.append(("yaml-anchor", _("YAML anchor '&{anchor}' is not allowed (anchors and "
                                       "aliases can make a small file expand without limit); "
                                       "write the value out in full").format(anchor=ev.anchor),
                      False))
    tag = ev.tag
    if tag is not None and not (kind is yaml.ScalarEvent and tag in _SCALAR_TAGS):
        found.append(("yaml-tag", _("YAML tag '{tag}' is not allowed; ledgers hold plain values "
                                    "only: remove the tag").format(
                                        tag=tag.replace("tag:yaml.org,2002:", "!!")), False))
    if kind is not yaml.ScalarEvent:
        if at_key:
            found.append(("invalid-type", _("a list or mapping used as a key; keys are plain "
                                            "words such as `status`"), True))
        elif depth >= MAX_DEPTH:
            found.append(("yaml-depth", _(_DEPTH_MESSAGE).format(depth=MAX_DEPTH), True))
    return found


def _parse_located(source: Text, wanted: set[tuple[Any, ...]] | None = None) -> Parsed:
    """The located pass: the data and every value's :class:`Node`, and every problem located.

    With ``wanted`` (data paths) it is the locate walk instead: no data is built, a Node is made
    only for the wanted paths and containers no wanted path goes into are skipped; it is only
    asked about texts the fast pass read without problems, and any problem met on the way gives
    the full located pass instead.
    """
    import yaml

    building = wanted is None
    text = source.text
    path = source.path
    diags: list[Diagnostic] = []
    nodes: dict[tuple[Any, ...], Node] = {}
    item_starts: dict[str, list[int]] = {}
    root: Any = None
    documents = 0
    # A frame: [container (None when not building), is_map, pending key, data path, key mark,
    # skip the value (a duplicate key's), items so far]
    stack: list[list[Any]] = []
    skip = 0  # depth inside a container no wanted path goes through

    Scalar = yaml.ScalarEvent
    MapStart = yaml.MappingStartEvent
    SeqStart = yaml.SequenceStartEvent
    MapEnd = yaml.MappingEndEvent
    SeqEnd = yaml.SequenceEndEvent
    nokey = _NOKEY
    odd_breaks = _ODD_BREAK.search(text) is not None
    where: list[Callable[[int], tuple[int, int]]] = []  # the text's line index, made once

    def position(index: int) -> tuple[int, int]:
        if not where:
            where.append(_positions(text))
        return where[0](index)

    def problem(mark: Any, code: str, message: str, *, stop: bool = False) -> None:
        if not building:
            raise _Relocate  # never in a text the fast pass read: read it all, located
        line, col = (position(mark.index) if odd_breaks
                     else (mark.line + 1, mark.column + 1))
        diags.append(error(path, line, col, code, message))
        if stop:
            raise _Stop

    def resolve(ev: Any) -> Any:
        try:
            return _resolve(ev)
        except ValueError:  # an integer with more digits than Python converts
            problem(
                ev.start_mark, "invalid-value",
                _("a number of {digits} digits is too long to read; no value in a ledger "
                  "needs more than a few digits").format(digits=len(ev.value)),
                stop=True,
            )

    parser: Any = _CParser()(_Chunks(text))
    get: Callable[[], Any] = parser.get_event
    try:
        while (ev := get()) is not None:
            kind = type(ev)
            if skip:
                if kind is MapStart or kind is SeqStart:
                    skip += 1
                elif kind is MapEnd or kind is SeqEnd:
                    skip -= 1
                continue
            if kind is Scalar or kind is MapStart or kind is SeqStart:
                top = stack[-1] if stack else None
                at_key = top is not None and top[1] and top[2] is nokey
                if ev.anchor is not None or ev.tag is not None or kind is not Scalar:
                    for code, message, stop in _refusals(ev, kind, len(stack), documents,
                                                         at_key):
                        problem(ev.start_mark, code, message, stop=stop)
                mark = ev.start_mark
                if top is None:  # the root
                    if kind is Scalar:
                        root = resolve(ev) if building else None
                        continue
                    root = ({} if kind is MapStart else []) if building else None
                    nodes[()] = Node(mark.line + 1, mark.column + 1, mark.line + 1,
                                     mark.column + 1, mark.index)
                    stack.append([root, kind is MapStart, nokey, (), None, False, 0])
                    continue
                if at_key:  # a key (a collection as a key was refused above)
                    key = ev.value
                    top[2] = key
                    top[4] = mark
                    if building and key in top[0]:
                        first = nodes.get(top[3] + (key,))
                        problem(
                            mark, "duplicate-key",
                            (_("duplicate key '{key}' (first at line {line}); YAML keeps only "
                               "one of them: remove or rename the other") if first else
                             _("duplicate key '{key}'; YAML keeps only one of them: remove or "
                               "rename the other")).format(
                                   key=key, line=first.key_line if first else ""),
                        )
                        top[5] = True
                    continue
                # a value: of the pending key, or the next item of a sequence
                if top[1]:
                    key = top[2]
                    top[2] = nokey
                    child = top[3] + (key,)
                    kmark = top[4]
                    dropped = top[5]  # the value of a duplicate key: reported, not kept
                    top[5] = False
                else:
                    child = top[3] + (top[6],)
                    kmark = mark
                    dropped = False
                    top[6] += 1
                    if building and len(top[3]) == 1:  # an item of a top-level sequence
                        item_starts.setdefault(top[3][0], []).append(mark.index)
                value: Any = None
                if building:
                    value = (resolve(ev) if kind is Scalar
                             else {} if kind is MapStart else [])
                    if not dropped:
                        if top[1]:
                            top[0][key] = value
                        else:
                            top[0].append(value)
                node = None
                if not dropped and (building or child in wanted):  # type: ignore[operator]
                    node = nodes[child] = Node(kmark.line + 1, kmark.column + 1, mark.line + 1,
                                               mark.column + 1, mark.index,
                                               key_start=kmark.index)
                if kind is Scalar:
                    if node is not None:
                        node.end = _scalar_end(text, ev)
                elif building or node is not None:
                    if node is not None:
                        node.kind = "flow" if ev.flow_style else "block"
                    stack.append([value, kind is MapStart, nokey, child, None, False, 0])
                else:
                    skip = 1
            elif kind is MapEnd or kind is SeqEnd:
                node = nodes.get(stack.pop()[3])
                if node is not None:
                    node.end = ev.end_mark.index
            elif kind is yaml.AliasEvent or kind is yaml.DocumentStartEvent:
                if kind is yaml.DocumentStartEvent:
                    documents += 1
                for code, message, stop in _refusals(ev, kind, len(stack), documents, False):
                    problem(ev.start_mark, code, message, stop=stop)
    except _Stop:
        pass
    except yaml.MarkedYAMLError as exc:
        if not building:
            return _parse_located(source)
        diags.append(_syntax_error(source, exc, odd_breaks, position))
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        if not building:
            return _parse_located(source)
        diags.append(_reader_error(source, exc))
    except _Relocate:  # the locate walk met a problem: the full located pass describes it
        return _parse_located(source)
    _count_lines_as_editors_do(text, nodes)
    if not building:
        return Parsed(None, [], nodes)
    if any(d.code != "duplicate-key" for d in diags):
        return Parsed(None, diags, nodes, item_starts)
    # Only duplicate keys: the data is still well defined (each first value is kept), so the
    # rest of the file is checked too, and all its problems are reported in one run.
    return Parsed(root, diags, nodes, item_starts)


def _syntax_error(source: Text, exc: Any, odd_breaks: bool,
                  position: Callable[[int], tuple[int, int]]) -> Diagnostic:
    """libyaml could not read the text: where and why, in the plainest words found."""
    mark = exc.problem_mark or exc.context_mark
    message = _libyaml_message(exc.context or "", exc.problem or "")
    if mark is not None and source.text[mark.index : mark.index + 1] == "\t":
        message = _("tab character: YAML does not allow tabs for indentation; use spaces")
    line: int | None
    col: int | None
    line, col = (None, None) if mark is None else (
        position(mark.index) if odd_breaks else (mark.line + 1, mark.column + 1))
    code = "yaml-syntax"
    if "nesting depth" in message:  # libyaml's own limit, met before ours in flow style
        code, message = "yaml-depth", _(_DEPTH_MESSAGE).format(depth=MAX_DEPTH)
    else:
        try:
            explained = explain_syntax(source.text, exc, odd_breaks)
        except Exception:  # better words are a nicety: never let them fail the read
            explained = None
        if explained is not None:
            line, col, message = explained
    return error(source.path, line, col, code, message)


def _reader_error(source: Text, exc: Any) -> Diagnostic:
    """A character YAML does not allow (libyaml counts its position in bytes of UTF-8)."""
    offset = getattr(exc, "position", 0) or 0
    at = len(source.text.encode("utf-8")[:offset].decode("utf-8", "ignore"))
    line = source.text.count("\n", 0, at) + 1
    col = at - (source.text.rfind("\n", 0, at) + 1) + 1
    char = getattr(exc, "character", None)
    return error(source.path, line, col, "yaml-syntax", (
        _("character {char} is not allowed in a YAML file") if char is not None else
        _("character is not allowed in a YAML file")).format(
            char=_describe_char(char) if char is not None else ""))


def _CParser() -> Any:
    """libyaml's parser class (PyYAML's stubs do not export it)."""
    from yaml import cyaml

    return getattr(cyaml, "CParser")  # noqa: B009 (not in the stubs' exports)


# ---------------------------------------------------------------------------------------------
# Reading what can be read of a text that does not parse as a whole


def salvage(source: Text) -> Any:
    """The data of a text with YAML errors, as far as it can be read (for browsing a broken
    ledger; ``check`` reports the errors themselves).

    Each item of a top-level list (a task, a statement) is read on its own, found by its ``- ``
    at the list's indentation: an item that does not parse is left out, the others are kept.
    The rest of the file is read with the lists' items blanked out; a top-level key whose lines
    do not parse is left out. Returns a mapping (possibly empty), or None when nothing of the
    text has that shape.
    """
    lines = source.text.split("\n")
    total = len(lines)

    def holds(i: int) -> bool:
        stripped = lines[i].strip()
        return bool(stripped) and not stripped.startswith("#")

    tops = [i for i in range(total) if holds(i) and lines[i][0] not in " \t-"
            and not lines[i].startswith(("---", "..."))]
    header = list(lines)
    lists: dict[str, list[Any]] = {}
    for k, start in enumerate(tops):
        end = tops[k + 1] if k + 1 < len(tops) else total
        key = re.match(r"([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:[ \t]*(#.*)?\r?\Z", lines[start])
        body = [i for i in range(start + 1, end) if holds(i)]
        if key is None or not body:
            continue
        first = lines[body[0]]
        indent = len(first) - len(first.lstrip(" "))
        if not _is_item(first, indent):
            continue
        starts = [i for i in body if _is_item(lines[i], indent)]
        bounds = [(a, b) for a, b in zip(starts, [*starts[1:], end], strict=True)]
        lists[key.group(1)] = _read_items(source, lines, bounds)
        for i in range(starts[0], end):
            header[i] = ""
    data: Any = None
    for _attempt in range(len(tops) + 1):
        parsed = parse(Text(source.path, "\n".join(header), False, source.newline))
        if parsed.data is not None or not parsed.diagnostics:
            data = parsed.data
            break
        line = next((d.location.line for d in parsed.diagnostics if d.location.line), None)
        region = [t for t in tops if line is not None and t <= line - 1]
        if not region or not any(header[region[-1]:]):
            return lists or None
        start = region[-1]
        end = next((t for t in tops if t > start), total)
        header[start:end] = [""] * (end - start)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return lists or None
    data.update(lists)
    return data


def _is_item(line: str, indent: int) -> bool:
    return (line[:indent].strip(" ") == "" and line[indent:indent + 1] == "-"
            and line[indent + 1:indent + 2] in ("", " ", "\r"))


def _read_items(source: Text, lines: list[str],
                bounds: list[tuple[int, int]]) -> list[Any]:
    """The items between ``bounds`` (line ranges) that parse; many at once, halving a range that
    does not (so one bad item among thousands costs a few reads, not thousands)."""
    out: list[Any] = []
    pending = [bounds]
    while pending:
        chunk = pending.pop()
        text = "\n".join(lines[chunk[0][0]:chunk[-1][1]])
        parsed = parse(Text(source.path, text, False, source.newline))
        ok = not any(d.code != "duplicate-key" for d in parsed.diagnostics)
        if ok and isinstance(parsed.data, list) and len(parsed.data) == len(chunk):
            out.extend(parsed.data)
        elif len(chunk) > 1:
            half = len(chunk) // 2
            pending += [chunk[half:], chunk[:half]]  # the first half is read first
    return out


# libyaml's own words for what it could not read (when no plainer words are found), so that they
# can be shown in the language of this run: its contexts and problems, as libyaml spells them.
_LIBYAML = frozenset((
    N_("while parsing a block mapping"),
    N_("while parsing a block collection"),
    N_("while parsing a flow mapping"),
    N_("while parsing a flow sequence"),
    N_("while parsing a node"),
    N_("while parsing a flow node"),
    N_("while parsing a block node"),
    N_("while scanning a simple key"),
    N_("while scanning a quoted scalar"),
    N_("while scanning a plain scalar"),
    N_("while scanning a block scalar"),
    N_("while scanning an anchor"),
    N_("while scanning an alias"),
    N_("while scanning a tag"),
    N_("while scanning a directive"),
    N_("did not find expected key"),
    N_("did not find expected '-' indicator"),
    N_("did not find expected node content"),
    N_("did not find expected <document start>"),
    N_("did not find expected ',' or ']'"),
    N_("did not find expected ',' or '}'"),
    N_("could not find expected ':'"),
    N_("found character that cannot start any token"),
    N_("mapping values are not allowed in this context"),
    N_("block sequence entries are not allowed in this context"),
    N_("found unexpected end of stream"),
    N_("found unexpected ':'"),
    N_("found unknown escape character"),
    N_("found a tab character that violates indentation"),
    N_("found undefined tag handle"),
    N_("invalid YAML"),
))


def _libyaml_message(context: str, problem: str) -> str:
    """libyaml's words for a syntax error it found (``context, problem``), translated.

    In English they are shown as libyaml wrote them; in another language only when every part
    is one of :data:`_LIBYAML`, else a plain sentence of our own says the line is not YAML."""
    problem = problem or "invalid YAML"
    if current() != "en" and (problem not in _LIBYAML or (context and context not in _LIBYAML)):
        return _("this is not valid YAML; check this line and the lines above it")
    indentation = "expected" in f"{context}, {problem}" and "block" in f"{context}, {problem}"
    if not context:
        message = (_("{problem} (check the indentation of this line and of the lines above it)")
                   if indentation else "{problem}")
    else:
        message = (_("{context}, {problem} (check the indentation of this line and of the lines "
                     "above it)") if indentation else _("{context}, {problem}"))
    return message.format(context=_(context) if context else "", problem=_(problem))


# ---------------------------------------------------------------------------------------------
# The mistakes of hand editing, in plain words, at the line where they are made

# `seq:2`: a key, a colon and the value with no space between (libyaml reads one word)
_NO_SPACE = re.compile(r"(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_-]*):([^\s/].*)\Z")
# `key: value` (after any `- `): the key and where its value starts
_KEY_VALUE = re.compile(r"(\s*(?:-\s+)?)([^\s#'\"\[{][^:#]*?):(?:\s+|\Z)")
_KEY_LINE = re.compile(r"\s*(?:-\s+)?[A-Za-z_][A-Za-z0-9_-]*:(?:\s|\Z)")


def explain_syntax(text: str, exc: Any, odd_breaks: bool = False) -> tuple[int, int, str] | None:
    """(line, col, message) for the common mistakes of hand editing, located where the mistake
    is (libyaml often notices it a line later): a missing space after a colon, a colon in an
    unquoted value, a tab, a wrong indentation, an unclosed quote or bracket. None: no better
    words than libyaml's own."""
    lines = [line.rstrip("\r") for line in text.split("\n")]

    def where(mark: Any) -> tuple[int, int]:  # 0-based line and column, as editors count
        if odd_breaks:
            line, col = _positions(text)(mark.index)
            return line - 1, col - 1
        return mark.line, mark.column

    problem = exc.problem or ""
    context = exc.context or ""
    if exc.problem_mark is None:
        return None
    row, col = where(exc.problem_mark)
    ctx_row, ctx_col = where(exc.context_mark) if exc.context_mark is not None else (row, col)
    line = lines[row] if row < len(lines) else ""

    def at(r: int, c: int, message: str) -> tuple[int, int, str]:
        return r + 1, c + 1, message

    # a tab in the indentation of this line or of the line libyaml was reading
    for r in dict.fromkeys((row, ctx_row)):
        if r < len(lines):
            indent = lines[r][: len(lines[r]) - len(lines[r].lstrip(" \t"))]
            if "\t" in indent:
                return at(r, indent.index("\t"),
                          _("a tab is used for indentation here; YAML allows only spaces there: "
                            "replace the tab with spaces"))
    if "quoted scalar" in context and "end of stream" in problem:
        quote = text[exc.context_mark.index] if exc.context_mark is not None else '"'
        return at(ctx_row, ctx_col, _("the quote ({quote}) that opens this value is never "
                                      "closed; end the value with {quote} on this "
                                      "line").format(quote=quote))
    if "unknown escape" in problem:
        return at(row, col, _("a backslash (\\) inside double quotes starts an escape such as "
                  "\\n; write the value in single quotes instead (e.g. 'C:\\docs'), or double the "
                  "backslash"))
    if "flow sequence" in context or "flow mapping" in context:
        opening = "[" if "sequence" in context else "{"
        closing = "]" if opening == "[" else "}"
        return at(ctx_row, ctx_col, _("the {opening} opened here is not closed: end it with "
                                      "{closing} on this line (separate the items with ', ', "
                                      "and quote an item that holds a comma or a "
                                      "bracket)").format(opening=opening, closing=closing))
    if "cannot start any token" in problem:
        char = line[col : col + 1] or "?"
        fixed = _quoted_fix(line)
        return at(row, col, (_("a value cannot start with '{char}' unless it is quoted: write "
                               "`{fixed}`") if fixed else
                             _("a value cannot start with '{char}' unless it is quoted: put the "
                               "value in quotes")).format(char=char, fixed=fixed))
    if "simple key" in context:
        explained = _no_space(lines, ctx_row)
        if explained is not None:
            return at(*explained)
        return at(ctx_row, ctx_col, _("this line should be `key: value` (a key, a colon, a "
                                      "space, then the value); if it goes on with the text "
                                      "above, indent it further"))
    if "mapping values are not allowed" in problem:
        head = _KEY_VALUE.match(line)
        if head is not None and head.end() <= col:  # a second ': ' inside the value
            key = head.group(2)
            fixed = _quoted_fix(line)
            return at(row, col, _("the value of '{key}' holds a colon and a space (': '), "
                                  "which YAML reads as the start of another key; put the value "
                                  "in quotes: `{fixed}`").format(key=key, fixed=fixed.strip()))
    unclosed = _unclosed_quote(lines, row)
    if unclosed is not None:
        r, c, mark = unclosed
        return at(r, c, _("the quote ({quote}) that opens this value is not closed on its "
                          "line, so the lines after it are read as part of the text; end the "
                          "value with {quote}").format(quote=mark))
    for candidate in (row - 1, row):  # `  - id:2` is noticed on the line after it
        found = _content_row(lines, candidate) if candidate < row else candidate
        if found is not None and 0 <= found < len(lines):
            explained = _no_space(lines, found)
            if explained is not None:
                return at(*explained)
    if "did not find expected key" in problem and col > 0:
        before = line[:col].rstrip()
        if before.endswith(("\"", "'")):
            head = _KEY_VALUE.match(line)
            message = (_("text follows the closing quote of {key}'s value; a quoted value "
                         "ends at its closing quote: quote the whole value, e.g. `{fixed}`")
                       if head else
                       _("text follows the closing quote of the value; a quoted value ends at "
                         "its closing quote: quote the whole value, e.g. `{fixed}`"))
            return at(row, col, message.format(key=head.group(2) if head else "",
                                               fixed=_single_quoted(line)))
    return _indentation(lines, row, problem)


def _content_row(lines: list[str], row: int) -> int | None:
    """The nearest line at or above ``row`` that holds something (not blank, not a comment)."""
    while row >= 0:
        stripped = lines[row].strip()
        if stripped and not stripped.startswith("#"):
            return row
        row -= 1
    return None


def _no_space(lines: list[str], row: int) -> tuple[int, int, str] | None:
    match = _NO_SPACE.match(lines[row])
    if match is None:
        return None
    key, value = match.group(2), match.group(3)
    return (row, match.end(2), _("missing space after the colon in '{key}:{value}': YAML reads "
                                 "it as one word, not a key and its value; write "
                                 "`{key}: {value}`").format(key=key, value=value))


def _quoted_fix(line: str) -> str:
    """``key: value`` with the value in quotes (the line as it should be written)."""
    head = _KEY_VALUE.match(line)
    if head is None:
        stripped = line.strip()
        dash = "- " if stripped.startswith("- ") else ""
        return dash + quote(stripped[len(dash):])
    return f"{head.group(2)}: {quote(line[head.end():].strip())}"


def _single_quoted(line: str) -> str:
    head = _KEY_VALUE.match(line)
    value = line[head.end():].strip() if head else line.strip()
    key = f"{head.group(2)}: " if head else ""
    return key + "'" + value.replace("'", "''") + "'"


def _unclosed_quote(lines: list[str], row: int) -> tuple[int, int, str] | None:
    """A value above ``row`` that opens a quote and does not close it on its line, followed by
    a line that looks like a key of its own: the quote swallowed it."""
    for r in range(row - 1, max(row - 200, 0) - 1, -1):
        line = lines[r]
        head = _KEY_VALUE.match(line)
        start = head.end() if head else len(line) - len(line.lstrip(" -"))
        value = line[start:].strip()
        if value[:1] not in ("'", '"'):
            continue
        mark = value[0]
        rest = value[1:]
        closed = (re.search(r'(?<!\\)"', rest.replace("\\\\", "")) is not None if mark == '"'
                  else "'" in rest.replace("''", ""))
        if closed:
            continue
        after = next((i for i in range(r + 1, min(r + 3, len(lines))) if lines[i].strip()), None)
        if after is not None and _KEY_LINE.match(lines[after]):
            return r, start, mark
    return None


def _indentation(lines: list[str], row: int, problem: str) -> tuple[int, int, str] | None:
    """A line indented to a column that lines up with nothing open above it."""
    if row >= len(lines) or not lines[row].strip():
        return None
    line = lines[row]
    indent = len(line) - len(line.lstrip(" "))
    is_item = line.lstrip(" ").startswith("-")
    open_: list[tuple[int, bool]] = []  # (column, is an item's dash) of what is open above
    for above in lines[:row]:
        stripped = above.lstrip(" ")
        if not stripped or stripped.startswith("#") or above.startswith(("---", "...")):
            continue
        col = len(above) - len(stripped)
        while open_ and open_[-1][0] > col:
            open_.pop()
        dash = stripped.startswith("- ") or stripped == "-"
        while open_ and open_[-1][0] == col and open_[-1][1] != dash and not dash:
            open_.pop()
        if not open_ or open_[-1] != (col, dash):
            open_.append((col, dash))
        if dash:
            inner = stripped[1:].lstrip(" ")
            if inner and _KEY_LINE.match(inner):
                open_.append((col + len(stripped) - len(inner), False))
    previous = _content_row(lines, row - 1)
    prev_indent = None
    if previous is not None:
        prev_line = lines[previous]
        prev_stripped = prev_line.lstrip(" ")
        prev_indent = len(prev_line) - len(prev_stripped)
        if prev_stripped.startswith("- "):
            inner = prev_stripped[2:].lstrip(" ")
            prev_indent += len(prev_stripped) - len(inner)
    if "mapping values are not allowed" in problem and prev_indent is not None \
            and indent > prev_indent:
        key = line.strip().split(":", 1)[0]
        return (row + 1, indent + 1,
                _("this line is indented by {spaces}, more than the line above it "
                  "({above}), so YAML reads it as part of the value above; indent "
                  "'{key}:' by {spaces_above} like the keys around it").format(
                      spaces=_spaces(indent), above=prev_indent, key=key,
                      spaces_above=_spaces(prev_indent)))
    candidates = sorted({c for c, dash in open_ if dash == is_item})
    if indent in candidates or not candidates:
        return None
    best = min(candidates, key=lambda c: (abs(c - indent), -c))
    message = (_("this line is indented by {spaces}, which lines up with nothing above it; "
                 "indent it by {best} like the items (`- `) of this list") if is_item else
               _("this line is indented by {spaces}, which lines up with nothing above it; "
                 "indent it by {best} like the keys at its level"))
    return (row + 1, indent + 1, message.format(spaces=_spaces(indent), best=_spaces(best)))


def _spaces(n: int) -> str:
    from .i18n import ngettext

    return ngettext("{count} space", "{count} spaces", n).format(count=n)


# Line breaks libyaml counts but editors, grep and GitHub do not: positions from libyaml's marks
# are wrong after one of these, so they are counted again from the character offsets.
_ODD_BREAK = re.compile("[\x85\u2028\u2029]|\r(?!\n)")


def _count_lines_as_editors_do(text: str, nodes: dict[tuple[Any, ...], Node]) -> None:
    """Lines end at ``\n`` (and ``\r\n``) only: recount positions if libyaml saw other breaks."""
    if not _ODD_BREAK.search(text):
        return
    position = _positions(text)
    for node in nodes.values():
        node.line, node.col = position(node.start)
        if node.key_start >= 0:
            node.key_line, node.key_col = position(node.key_start)


def _positions(text: str) -> Callable[[int], tuple[int, int]]:
    """1-based (line, column) of a character offset, counting lines at \n only."""
    import bisect

    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(index: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, index)
        return line, index - starts[line - 1] + 1

    return position


def _scalar_end(text: str, ev: Any) -> int:
    """Where a scalar's own text ends. A block scalar's (``|``, ``>``) end mark lies after its
    line break and any blank lines that follow; an edit must stop before them."""
    end: int = ev.end_mark.index
    if ev.style not in ("|", ">"):
        return end
    start: int = ev.start_mark.index
    body = text[start:end].rstrip("\r\n")
    while (cut := body.rfind("\n")) >= 0 and not body[cut + 1 :].strip(" \t"):
        body = body[:cut].rstrip("\r")
    return start + len(body)


def locate(source: Text, paths: Iterable[tuple[Any, ...]]) -> Parsed:
    """Where the values at ``paths`` sit, in a text the fast pass read without problems.

    The answer of ``parse(source, locate=True).find(path)`` for each of ``paths``, from the
    located pass in its locate mode: it builds no data and makes a :class:`Node` only for the
    paths and their ancestors (``data`` is None). A text with a problem gets the full located
    pass.
    """
    wanted: set[tuple[Any, ...]] = set()
    for path in paths:
        wanted.update(path[:i] for i in range(len(path) + 1))
    return _parse_located(source, wanted)


def _describe_char(char: Any) -> str:
    if isinstance(char, int):
        char = chr(char)
    return f"U+{ord(char):04X}" if isinstance(char, str) and char else repr(char)


def _resolve(ev: Any) -> Any:
    """YAML 1.2 core schema for plain scalars; anything quoted or tagged !!str is a string."""
    value = ev.value
    if ev.style or ev.tag is not None:
        return value
    return _plain(value)


def _plain(value: str) -> Any:
    """The value of a plain scalar by YAML 1.2's core schema."""
    if not value:
        return None
    first = value[0]
    if first in "0123456789-+.":
        if value.isdigit() and value.isascii():
            return int(value)
        if value[4:5] == "-" and value[3] not in "eE":
            return value  # a date or time: a '-' there fits no number
        if _INT.match(value):
            return int(value)
        if _FLOAT.match(value):
            return float(value)
        if value in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"):
            return float("inf")
        if value in ("-.inf", "-.Inf", "-.INF"):
            return float("-inf")
        if value in (".nan", ".NaN", ".NAN"):
            return float("nan")
        return value
    if len(value) > 5:  # longer than any of null, true, false
        return value
    return _WORDS.get(value, value)




# ---------------------------------------------------------------------------------------------
# Writing YAML: scalars that read back as exactly the same value, and a small block emitter.

# Characters never written raw: C0/C1 controls, DEL, bidirectional overrides, line/paragraph
# separators, BOM. Written as escapes inside double quotes, they survive and cannot act on a
# terminal or an editor.
UNSAFE = {
    **{c: None for c in range(0x20) if c not in (0x09, 0x0A)},
    0x7F: None,
    **{c: None for c in range(0x80, 0xA0)},
    **{c: None for c in (0x200E, 0x200F, 0x2028, 0x2029, 0xFEFF)},
    **{c: None for c in range(0x202A, 0x202F)},
    **{c: None for c in range(0x2066, 0x206A)},
    **{c: None for c in (0xFFFE, 0xFFFF)},  # not characters: YAML refuses them raw
    **{c: None for c in range(0xD800, 0xE000)},  # lone surrogates (never valid text)
}
_PLAIN_FIRST_BAD = set("-?:,[]{}#&*!|>'\"%@` \t")
_YAML11_WORDS = frozenset(
    "y Y yes Yes YES n N no No NO on On ON off Off OFF true True TRUE false False FALSE "
    "null Null NULL ~ = <<".split()  # "=" and "<<" are YAML 1.1's value and merge types
)
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def is_iso_date(text: str) -> bool:
    """``2018-12-31``: written unquoted it still reads back as this text here."""
    return bool(_ISO_DATE.match(text))


def has_unsafe(text: str) -> bool:
    return any(ord(ch) in UNSAFE for ch in text)


def scalar(value: Any, *, flow: bool = False) -> str:
    """One YAML scalar that any YAML reader (1.1 or 1.2) reads back as ``value``.

    ``flow``: the scalar stands inside ``[...]``, where ``,[]{}`` and ``:`` also need quotes.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if hasattr(value, "isoformat"):  # date / datetime
        return str(value.isoformat())
    text = str(value)
    # inside [...] every ':' is read as a value indicator by PyYAML (``[null:?]`` is a mapping)
    if _plain_ok(text) and not (flow and any(ch in text for ch in ",[]{}:")):
        return text
    return quote(text)


def quote(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code in UNSAFE:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _plain_ok(text: str) -> bool:
    if not text or text[0] in _PLAIN_FIRST_BAD or text[-1] in " \t:":
        return False
    if text in _YAML11_WORDS or ": " in text or " #" in text or "\n" in text or "\t" in text:
        return False
    if has_unsafe(text):
        return False
    first = text[0]
    if first in "0123456789+.-" or first == "~":
        return False  # could read as a number, a date or a time: quote to keep it text
    return not _looks_typed(text)


def _looks_typed(text: str) -> bool:
    return bool(_INT.match(text) or _FLOAT.match(text))


def dump(data: Any, indent: int = 0) -> str:
    """Block-style YAML of plain data (dicts, lists, scalars): the ``--format yaml`` output."""
    lines: list[str] = []
    _emit(data, indent, lines)
    return "\n".join(lines) + "\n"


def _emit(data: Any, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(data, dict):
        if not data:
            lines.append(pad + "{}")
        for key, value in data.items():
            head = f"{pad}{scalar(str(key))}:"
            _emit_child(head, value, indent, lines)
    elif isinstance(data, list):
        if not data:
            lines.append(pad + "[]")
        for item in data:
            if isinstance(item, dict) and item:
                sub: list[str] = []
                _emit(item, indent + 2, sub)
                lines.append(pad + "- " + sub[0][indent + 2 :])
                lines.extend(sub[1:])
            else:
                _emit_child(pad + "-", item, indent, lines)
    else:
        lines.append(pad + scalar(data))


def _emit_child(head: str, value: Any, indent: int, lines: list[str]) -> None:
    if isinstance(value, dict | list) and value:
        lines.append(head)
        _emit(value, indent + 2, lines)
    elif isinstance(value, dict):
        lines.append(head + " {}")
    elif isinstance(value, list):
        lines.append(head + " []")
    else:
        lines.append(f"{head} {scalar(value)}")
