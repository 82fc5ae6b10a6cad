"""The ledger's data model: pydantic models of the two files, and the :class:`Ledger` view.

No I/O here. The models are strict (no silent coercion: ``id: "3"`` is an error, not 3) and forbid
unknown keys (they are almost always typos). Dates are written ``2018-12-31`` and history times
as ISO 8601 with a UTC offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from annotated_types import Ge, Le
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

Level = Literal["district", "federation", "grassroots"]
Status = Literal["todo", "in-progress", "done", "blocked", "dropped"]

LEVELS: tuple[str, ...] = get_args(Level)
STATUSES: tuple[str, ...] = get_args(Status)
LEVEL_LETTER = {"district": "D", "federation": "F", "grassroots": "G"}
# The short Chinese name of each value (the glossary's): what `list` and `show` print in Chinese.
LEVEL_ZH = {"district": "区级", "federation": "区总工会", "grassroots": "基层"}
STATUS_ZH = {
    "todo": "未开始",
    "in-progress": "进行中",
    "done": "已完成",
    "blocked": "受阻",
    "dropped": "已取消",
}
# The one table of words accepted for a level or a status, wherever one is taken: every option
# (--level, --status), completion, and the check's "did you mean". It holds every label any
# output prints, in both languages (the report's 区级层面 and "to do", the listings' 区级 and
# 未开始), the spellings of the source document (基层工会级层面) and the letters D, F, G. Keys are
# folded (see :func:`word_key`): case, width, spaces, hyphens and underscores do not matter.
LEVEL_WORDS = {
    **{level: level for level in LEVELS},
    **{zh: level for level, zh in LEVEL_ZH.items()},
    "区级层面": "district",
    "区总工会层面": "federation",
    "基层工会": "grassroots",
    "基层工会层面": "grassroots",
    "基层工会级层面": "grassroots",
    **{letter.lower(): level for level, letter in LEVEL_LETTER.items()},
}
STATUS_WORDS = {
    **{status: status for status in STATUSES},
    **{zh: status for status, zh in STATUS_ZH.items()},
    "to do": "todo",
    "待办": "todo",
    "in progress": "in-progress",
    "in_progress": "in-progress",
    "doing": "in-progress",
}


def word_key(word: str) -> str:
    """``word`` as the alias tables are looked up: Unicode-normalised (full-width Ｇ is G),
    case-folded, without spaces, hyphens or underscores (``To-Do``, ``to do`` and ``todo`` are
    one word)."""
    import unicodedata

    folded = unicodedata.normalize("NFKC", word).casefold()
    return re.sub(r"[\s\-_\u2010-\u2015]+", "", folded)


_LEVEL_KEYS = {word_key(word): level for word, level in LEVEL_WORDS.items()}
_STATUS_KEYS = {word_key(word): status for word, status in STATUS_WORDS.items()}


def level_of(word: str) -> str | None:
    """The level ``word`` names (any word of :data:`LEVEL_WORDS`, any spelling), or None."""
    return _LEVEL_KEYS.get(word_key(word))


def status_of(word: str) -> str | None:
    """The status ``word`` names (any word of :data:`STATUS_WORDS`, any spelling), or None."""
    return _STATUS_KEYS.get(word_key(word))


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")

# The one spelling of a date and of a time that the files take, shared by the check and the JSON
# Schema (as a pattern next to its "format"), so that both accept exactly the same values: a date
# is 2018-12-31; a time is RFC 3339 (what JSON Schema's "date-time" means): date, T, hours,
# minutes and seconds, an optional fraction, and Z or the UTC offset, e.g. 2018-05-02T10:00:00+08:00.
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TIME_PATTERN = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
                r"([.,][0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")
_TIME = re.compile(TIME_PATTERN)


def _to_date(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str) and _DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise PydanticCustomError(
                "invalid_date", "'{value}' is not a real date ({reason})",
                {"value": value, "reason": str(exc)},
            ) from None
    raise PydanticCustomError(
        "invalid_date", "expected a date written YYYY-MM-DD (e.g. 2018-12-31), got {value}",
        {"value": repr(value)},
    )


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str) and len(value) >= 16 and _DATE.match(value[:10]):
        try:
            parsed = datetime.fromisoformat(value.upper())
        except ValueError as exc:
            if _TIME.match(value):
                raise PydanticCustomError(
                    "invalid_date", "'{value}' is not a real time ({reason})",
                    {"value": value, "reason": str(exc)},
                ) from None
            parsed = None
        if parsed is not None and parsed.tzinfo is None:
            raise PydanticCustomError(
                "invalid_date",
                "'{value}' has no UTC offset; write it like 2018-04-10T09:30:00+08:00",
                {"value": value},
            )
        if parsed is not None and _TIME.match(value):
            return parsed
        if parsed is not None:  # a time, but not spelled as the files take it
            raise PydanticCustomError(
                "invalid_date",
                "'{value}' is not written the way times are recorded (date, 'T', "
                "hours:minutes:seconds, UTC offset); write it as {fixed}",
                {"value": value, "fixed": parsed.isoformat()},
            )
    raise PydanticCustomError(
        "invalid_date",
        "expected a time written like 2018-04-10T09:30:00+08:00, got {value}",
        {"value": repr(value)},
    )


def _whole(value: Any) -> Any:
    """``60.0`` is the whole number 60 (as in JSON Schema, where it is an "integer")."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_DATE_SCHEMA = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
_TIME_SCHEMA = {"type": "string", "format": "date-time", "pattern": TIME_PATTERN}
Day = Annotated[date | None, BeforeValidator(_to_date),
                WithJsonSchema({"anyOf": [_DATE_SCHEMA, {"type": "null"}]})]
RequiredDay = Annotated[date, BeforeValidator(_to_date), WithJsonSchema(_DATE_SCHEMA)]
Moment = Annotated[datetime, BeforeValidator(_to_datetime), WithJsonSchema(_TIME_SCHEMA)]
Text = Annotated[str, Field(min_length=1)]
Whole = Annotated[int, BeforeValidator(_whole)]
Id = Annotated[int, Ge(1), BeforeValidator(_whole)]
Percent = Annotated[int, Ge(0), Le(100), BeforeValidator(_whole)]


def _date_text(value: Any) -> Any:
    """A date recorded in a history entry stays the text it is written as (2018-12-31)."""
    if isinstance(value, str):
        _to_date(value)
    return value


DateText = Annotated[str, BeforeValidator(_date_text), WithJsonSchema(_DATE_SCHEMA)]


def _pair(item: Any) -> Any:
    return Annotated[list[item], Field(min_length=2, max_length=2)]


class Changes(TypedDict, total=False):
    """``field: [old, new]`` of one history entry. The fields are the task's (a misspelt field
    is an error, as everywhere); status, progress and due hold values those fields can have."""

    __pydantic_config__ = ConfigDict(extra="forbid", strict=True)  # type: ignore[misc]

    level: _pair(Level | None)  # type: ignore[valid-type]
    seq: _pair(Any)  # type: ignore[valid-type]
    text: _pair(Any)  # type: ignore[valid-type]
    title: _pair(Any)  # type: ignore[valid-type]
    owner: _pair(Any)  # type: ignore[valid-type]
    partners: _pair(Any)  # type: ignore[valid-type]
    due: _pair(DateText | None)  # type: ignore[valid-type]
    status: _pair(Status | None)  # type: ignore[valid-type]
    progress: _pair(Percent | None)  # type: ignore[valid-type]
    tags: _pair(Any)  # type: ignore[valid-type]
    related: _pair(Any)  # type: ignore[valid-type]


# What code reads and writes: ``{field: [old, new]}``; pydantic validates it as ``Changes``.
if TYPE_CHECKING:
    ChangesData = dict[str, list[Any]]
else:
    ChangesData = Changes


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_default=False)


class HistoryEntry(_Model):
    """One recorded change of a task, appended by ``reformctl update``."""

    at: Moment = Field(description="When, ISO 8601 with UTC offset, e.g. "
                       "2018-05-02T10:00:00+08:00 / 时间，ISO 8601 格式，带时区偏移，例如 "
                       "2018-05-02T10:00:00+08:00")
    by: Text = Field(description="Who made the change / 记录人")
    changes: ChangesData = Field(
        default_factory=dict,
        description="field: [old, new] / 变更：字段: [原值, 新值]",
    )
    note: str | None = Field(default=None, description="Free-text note / 备注")
    evidence: list[Text] = Field(
        default_factory=list,
        description="Supporting material: documents, links, files / 佐证材料：文件、链接等",
    )


class Task(_Model):
    """One task of the plan's yearly decomposition table."""

    id: Id = Field(description="Unique in the ledger, never reused / 序号，台账内唯一，不重复使用")
    level: Level = Field(description="district (区级) | federation (区总工会) | grassroots (基层) "
                         "/ 层面")
    seq: Id = Field(description="Its number within the level in the source table / 层内序号"
                    "（原表中的序号）")
    text: Text = Field(description="The task, verbatim from the source / 任务内容，照录原文")
    title: str | None = Field(default=None, description="Short English gloss / 英文摘要")
    owner: str | None = Field(default=None, description="Lead unit / 牵头单位")
    partners: list[Text] = Field(default_factory=list, description="Partner units / 配合单位")
    due: Day = Field(default=None, description="Deadline, YYYY-MM-DD / 截止日期，格式 YYYY-MM-DD")
    status: Status = Field(default="todo", description="todo | in-progress | done | blocked | "
                           "dropped / 状态：未开始 | 进行中 | 已完成 | 受阻 | 已取消")
    progress: Percent | None = Field(
        default=None, description="Percent done, 0..100 / 完成百分比，0–100"
    )
    tags: list[Text] = Field(default_factory=list, description="Themes / 标签（主题）")
    related: list[Id] = Field(
        default_factory=list,
        description="Ids of tasks carrying the same work at another level / 其他层面承接同一"
        "工作的任务序号",
    )
    history: list[HistoryEntry] = Field(default_factory=list,
                                        description="Recorded changes / 变更记录")

    @property
    def ref(self) -> str:
        return f"{LEVEL_LETTER[self.level]}{self.seq}"


class DerivedFrom(_Model):
    """The plan a unit's ledger was derived from (``reformctl init --unit --plan``); kept up to
    date by ``reformctl sync-plan``."""

    title: Text = Field(description="The plan's title / 方案名称")
    unit: str | None = Field(default=None, description="The plan's unit / 方案所属单位")
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] = Field(
        description="sha256 of the plan's tasks.yaml when last taken / 最近一次同步时方案 "
        "tasks.yaml 的 sha256")
    levels: list[Level] = Field(default_factory=list,
                                description="Levels whose tasks were taken / 所取任务的层面")
    tasks: list[Id] = Field(default_factory=list,
                            description="Ids of further tasks taken / 另取任务的序号")


class Plan(_Model):
    """The plan the tasks carry out."""

    title: Text = Field(description="Title of the plan's task table / 计划表名称")
    year: Whole | None = Field(default=None, description="Year of the plan / 年度")
    approved: Day = Field(default=None, description="Day the plan was approved, YYYY-MM-DD / "
                          "方案批准日期，格式 YYYY-MM-DD")
    unit: str | None = Field(default=None, description="Unit whose plan it is / 单位")
    source: str | None = Field(default=None, description="The document it comes from / 依据文件")
    # exclude: the plan's other fields are what reports show; where a unit's ledger came from
    # is read from the model, never dumped (the report's JSON stays as it was)
    derived_from: DerivedFrom | None = Field(
        default=None, exclude=True, description="For a unit's ledger: the plan it was derived from / "
        "基层单位台账所依据的方案")


class TasksFile(_Model):
    """data/tasks.yaml"""

    plan: Plan = Field(description="The plan / 改革方案")
    tasks: list[Task] = Field(description="The tasks / 任务")


class Meeting(_Model):
    """The symposium."""

    title: Text = Field(description="Title of the symposium / 座谈会名称")
    date: RequiredDay = Field(description="Day of the symposium, YYYY-MM-DD / 座谈会日期，格式 "
                              "YYYY-MM-DD")
    reporter: str | None = Field(default=None, description="Who reported it / 记者")
    source: str | None = Field(default=None, description="Where the account comes from / 来源")


class Voice(_Model):
    """One statement made at the symposium."""

    id: Id = Field(description="Number of the statement, unique / 发言序号，唯一")
    headline: Text = Field(description="Headline / 发言标题")
    speaker: Text = Field(description="Speaker / 发言人")
    unit: Text = Field(description="The speaker's unit / 发言人所在单位")
    role: str | None = Field(default=None, description="The speaker's role / 职务")
    summary: str | None = Field(default=None, description="What the unit has done / 工作情况")
    commitments: list[Text] = Field(default_factory=list,
                                    description="What it will do next / 承诺事项")
    proposals: list[Text] = Field(default_factory=list, description="What it asks for / 意见建议")
    tasks: list[Id] = Field(default_factory=list,
                            description="Ids of the tasks it bears on / 涉及的任务序号")


class VoicesFile(_Model):
    """data/voices.yaml (optional: a plan may have had no symposium)"""

    meeting: Meeting | None = Field(default=None,
                                    description="The symposium, if one was held / 座谈会（如有）")
    voices: list[Voice] = Field(default_factory=list, description="The statements / 座谈会发言")


@dataclass
class Ledger:
    """A loaded ledger. Tasks keep file order; lookups by id or ref are O(1)."""

    plan: Plan
    tasks: list[Task]
    meeting: Meeting | None
    voices: list[Voice]

    def __post_init__(self) -> None:
        self._by_id = {t.id: t for t in self.tasks}
        self._by_ref = {t.ref: t for t in self.tasks}

    def task(self, key: int | str) -> Task | None:
        """A task by id (``3``, ``"3"``) or ref (``"D3"``, ``"g3"``), or None."""
        if isinstance(key, int):
            return self._by_id.get(key)
        key = key.strip()
        if key.isdigit():
            return self._by_id.get(int(key))
        return self._by_ref.get(key.upper())

    def voice(self, voice_id: int) -> Voice | None:
        return next((v for v in self.voices if v.id == voice_id), None)

    def voices_for(self, task_id: int) -> list[Voice]:
        return [v for v in self.voices if task_id in v.tasks]


SCHEMA_FILES: dict[str, type[BaseModel]] = {"tasks": TasksFile, "voices": VoicesFile}


def _plain_refs(node: Any) -> Any:
    """Write ``{"allOf": [{"$ref": X}], ...}`` as ``{"$ref": X, ...}``, as pydantic >= 2.9 does.

    Older pydantic wraps a reference that has sibling keywords in ``allOf``; both mean the same in
    JSON Schema 2020-12, and one spelling keeps the shipped schema files the same whichever
    pydantic the tool runs on.
    """
    if isinstance(node, list):
        return [_plain_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if (key == "allOf" and isinstance(value, list) and len(value) == 1
                and isinstance(value[0], dict) and set(value[0]) == {"$ref"}):
            out["$ref"] = value[0]["$ref"]
        else:
            out[key] = _plain_refs(value)
    return out


# The schema speaks both languages, as editors show it whoever reads: every title is
# "English / 中文" (pydantic's title of the field or model, then the glossary's word), every
# description "English / 中文" (the fields' descriptions above; the models' below).
_ZH_TITLES = {
    "id": "序号", "level": "层面", "seq": "层内序号", "text": "任务内容", "title": "名称",
    "owner": "牵头单位", "partners": "配合单位", "due": "截止日期", "status": "状态",
    "progress": "进度", "tags": "标签", "related": "相关任务", "history": "变更记录",
    "at": "时间", "by": "记录人", "changes": "变更", "note": "备注", "evidence": "佐证材料",
    "plan": "改革方案", "tasks": "任务", "year": "年度", "approved": "批准日期", "unit": "单位",
    "source": "来源", "meeting": "座谈会", "date": "日期", "reporter": "记者", "voices": "发言",
    "headline": "发言标题", "speaker": "发言人", "role": "职务", "summary": "工作情况",
    "commitments": "承诺事项", "proposals": "意见建议",
    "derived_from": "依据方案", "sha256": "校验和", "levels": "层面",
}
_ZH_FIELD_TITLES = {("Task", "title"): "英文摘要", ("Changes", "title"): "英文摘要",
                    ("Voice", "tasks"): "相关任务",
                    ("Voice", "id"): "发言序号"}
_MODEL_WORDS = {  # title in Chinese, description in both languages
    "Changes": ("变更", "field: [old, new] of one history entry; the fields are the task's / "
                        "一条记录的变更：字段: [原值, 新值]，字段为任务的字段"),
    "HistoryEntry": ("变更记录", "One recorded change of a task, appended by reformctl update / "
                                 "任务的一条变更记录，由 reformctl update 追加"),
    "Task": ("任务", "One task of the plan's yearly decomposition table / "
                     "年度任务分解表中的一项任务"),
    "Plan": ("改革方案", "The plan the tasks carry out / 任务所落实的改革方案"),
    "DerivedFrom": ("依据方案", "The plan a unit's ledger was derived from / "
                                "基层单位台账所依据的方案"),
    "Meeting": ("座谈会", "The symposium / 座谈会"),
    "Voice": ("发言", "One statement made at the symposium / 座谈会上的一则发言"),
    "TasksFile": ("任务台账", "data/tasks.yaml: the plan and its tasks / 改革方案及其任务台账"),
    "VoicesFile": ("座谈会发言", "data/voices.yaml (optional: a plan may have had no symposium) / "
                                 "座谈会发言（可选：没有召开座谈会的方案可以没有）"),
}


def _bilingual(name: str, node: dict[str, Any]) -> None:
    """Titles and descriptions of the model ``name``'s schema ``node`` in both languages."""
    zh, description = _MODEL_WORDS.get(name, ("", ""))
    if zh:
        node["title"] = f"{node.get('title', name)} / {zh}"
    if description:
        node["description"] = description
    for field, prop in (node.get("properties") or {}).items():
        word = _ZH_FIELD_TITLES.get((name, field)) or _ZH_TITLES.get(field)
        if word and "title" in prop:
            prop["title"] = f"{prop['title']} / {word}"


def json_schema(kind: str) -> dict[str, Any]:
    """JSON Schema (2020-12) of ``tasks.yaml`` or ``voices.yaml``, for editors and validators.

    Titles and descriptions are in English and Chinese ("Progress / 进度")."""
    model = SCHEMA_FILES[kind]
    schema = _plain_refs(model.model_json_schema())
    for name, node in (schema.get("$defs") or {}).items():
        _bilingual(name, node)
    _bilingual(model.__name__, schema)
    zh = "任务台账" if kind == "tasks" else "座谈会发言"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://reformctl.invalid/schema/{kind}.schema.json",
        **schema,
        "title": f"reformctl {kind}.yaml / {zh}",
    }
