"""The roll-up of a district's unit ledgers: plain data, drawn by :mod:`reformctl.render.rollup`.

Each unit keeps its own ledger derived from the district's plan (:mod:`reformctl.units`); the
roll-up joins them on the plan's task ids, as of a day: the task x unit matrix of statuses,
completion per unit and per task, units behind schedule (their overdue tasks), the evidence each
unit recorded, units with no update since a day, and the symposium's commitments next to the
speaking unit's progress. A unit that disagrees with the plan (a task id the plan does not have,
a task text that differs from the plan's, a ledger derived from an older version of the plan or
from another plan, a ledger with errors) is listed under ``disagreements``; a task the plan does
not have and a ledger with errors are not joined at all.

The JSON shape (``"format": "reformctl.rollup/1"``) is documented in the notes/README and kept
stable: keys are only ever added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .models import STATUSES, Ledger, Task

FORMAT = "reformctl.rollup/1"
QUIET_DAYS = 30  # default for "no update since": this many days before --as-of


@dataclass
class UnitInput:
    """One ledger found for the roll-up: where it is, and what loading it gave."""

    path: str  # its data directory, as shown
    ledger: Ledger | None  # None when it has errors
    errors: int = 0


@dataclass
class PlanInput:
    path: str
    ledger: Ledger
    sha256: str


@dataclass
class _State:
    """A unit's task as it stood at the end of the as-of day."""

    task: Task
    status: str
    progress: int | None
    due: date | None
    evidence: list[str]
    last: str | None  # time of the last history entry counted


def state_as_of(task: Task, as_of: date) -> _State | None:
    """``task`` at the end of ``as_of``: later history undone (status, progress, due); None
    when its history says it was created later."""
    past = [e for e in task.history if e.at.date() <= as_of]
    values: dict[str, Any] = {"status": task.status, "progress": task.progress, "due": task.due}
    for entry in reversed([e for e in task.history if e.at.date() > as_of]):
        changes: dict[str, list[Any]] = dict(entry.changes)
        for name, pair in changes.items():
            if name == "status" and pair[0] is None:
                return None  # it came into being after the day
            if name in values:
                old = pair[0]
                values[name] = date.fromisoformat(old) if name == "due" and old else old
    return _State(task, values["status"], values["progress"], values["due"],
                  [item for e in past for item in e.evidence],
                  past[-1].at.isoformat() if past else None)


def _overdue(state: _State, as_of: date) -> bool:
    return state.due is not None and state.due < as_of and state.status not in ("done", "dropped")


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _progress(state: _State) -> int:
    return 100 if state.status == "done" else state.progress or 0


def build_rollup(plan: PlanInput | None, units: list[UnitInput], as_of: date,
                 quiet_since: date | None = None) -> dict[str, Any]:
    """The roll-up as plain data (the shape ``reformctl.rollup/1``)."""
    quiet_since = quiet_since or as_of - timedelta(days=QUIET_DAYS)
    plan_tasks = {t.id: t for t in plan.ledger.tasks} if plan else {}
    disagreements: list[dict[str, Any]] = []
    labels = _labels(units)

    def disagree(unit: UnitInput, kind: str, task: Task | None = None, detail: str = "") -> None:
        disagreements.append({"unit": labels[id(unit)], "path": unit.path, "kind": kind,
                              "task": task.id if task else None,
                              "ref": task.ref if task else None, "detail": detail})

    joined: list[tuple[UnitInput, dict[int, _State]]] = []
    for unit in units:
        if unit.ledger is None:
            disagree(unit, "invalid", detail=str(unit.errors))
            continue
        source = unit.ledger.plan.derived_from
        if plan is not None:
            if source is None:
                disagree(unit, "not-derived")
            elif source.title != plan.ledger.plan.title:
                disagree(unit, "other-plan", detail=source.title)
            elif source.sha256 != plan.sha256:
                disagree(unit, "plan-behind", detail=source.sha256)
        states: dict[int, _State] = {}
        for task in unit.ledger.tasks:
            mine = plan_tasks.get(task.id)
            if plan is not None and mine is None:
                disagree(unit, "unknown-task", task, task.text)
                continue
            if mine is not None and mine.text != task.text:
                disagree(unit, "changed-text", task, task.text)
            state = state_as_of(task, as_of)
            if state is not None:
                states[task.id] = state
        if plan is not None and source is not None and source.title == plan.ledger.plan.title:
            for task in plan.ledger.tasks:
                if ((task.level in source.levels or task.id in source.tasks)
                        and unit.ledger.task(task.id) is None):
                    disagree(unit, "missing-task", task, task.text)
        joined.append((unit, states))

    if plan is not None:
        held = {i for _u, states in joined for i in states}
        order = [t for t in plan.ledger.tasks if t.id in held]
    else:
        first: dict[int, Task] = {}
        for _u, states in joined:
            for i, state in states.items():
                first.setdefault(i, state.task)
        order = sorted(first.values(), key=lambda t: t.id)

    return {
        "format": FORMAT,
        "as_of": as_of.isoformat(),
        "quiet_since": quiet_since.isoformat(),
        "plan": ({"title": plan.ledger.plan.title, "unit": plan.ledger.plan.unit,
                  "path": plan.path, "sha256": plan.sha256} if plan else None),
        "units": [_unit_row(labels[id(u)], u, states, as_of, quiet_since)
                  for u, states in joined],
        "tasks": [_task_row(task, [(labels[id(u)], states) for u, states in joined])
                  for task in order],
        "commitments": _commitments(plan, [(labels[id(u)], u, states) for u, states in joined]),
        "disagreements": disagreements,
    }


def _labels(units: list[UnitInput]) -> dict[int, str]:
    """Each unit's name (its ledger's plan.unit, else its path); a name two ledgers share gets
    the path after it."""
    names = {id(u): (u.ledger.plan.unit if u.ledger and u.ledger.plan.unit else u.path)
             for u in units}
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {key: name if counts[name] == 1 else f"{name} ({u.path})"
            for (key, name), u in zip(names.items(), units, strict=True)}


def _unit_row(label: str, unit: UnitInput, states: dict[int, _State], as_of: date,
              quiet_since: date) -> dict[str, Any]:
    assert unit.ledger is not None
    all_states = list(states.values())
    counted = [s for s in all_states if s.status != "dropped"]
    by_status = {status: sum(1 for s in all_states if s.status == status) for status in STATUSES}
    last = max((s.last for s in all_states if s.last), default=None,
               key=lambda at: (date.fromisoformat(at[:10]), at))
    source = unit.ledger.plan.derived_from
    return {
        "unit": label,
        "path": unit.path,
        "plan_sha256": source.sha256 if source else None,
        "tasks": len(all_states),
        "by_status": by_status,
        "done": by_status["done"],
        "completion": _percent(by_status["done"], len(counted)),
        "average_progress": (round(sum(_progress(s) for s in counted) / len(counted), 1)
                             if counted else None),
        "overdue": [{"id": s.task.id, "ref": s.task.ref, "due": s.due.isoformat(),
                     "days_overdue": (as_of - s.due).days, "status": s.status}
                    for s in all_states if _overdue(s, as_of) and s.due is not None],
        "evidence": sum(len(s.evidence) for s in all_states),
        "tasks_with_evidence": sum(1 for s in all_states if s.evidence),
        "last_update": last,
        "quiet": last is None or date.fromisoformat(last[:10]) < quiet_since,
        "cells": {str(i): {"status": s.status, "progress": s.progress,
                           "due": s.due.isoformat() if s.due else None,
                           "evidence": len(s.evidence), "last_update": s.last}
                  for i, s in states.items()},
    }


def _task_row(task: Task, units: list[tuple[str, dict[int, _State]]]) -> dict[str, Any]:
    statuses = {label: (states[task.id].status if task.id in states else None)
                for label, states in units}
    held = [s for s in statuses.values() if s is not None]
    counted = [s for s in held if s != "dropped"]
    done = sum(1 for s in held if s == "done")
    return {"id": task.id, "ref": task.ref, "level": task.level, "text": task.text,
            "due": task.due.isoformat() if task.due else None, "units": len(held),
            "done": done, "completion": _percent(done, len(counted)), "statuses": statuses}


def _commitments(plan: PlanInput | None,
                 units: list[tuple[str, UnitInput, dict[int, _State]]]) -> list[dict[str, Any]]:
    """Each statement of the plan's symposium, next to the speaking unit's progress on the tasks
    it bears on (found by the unit's name)."""
    if plan is None:
        return []
    by_name = {u.ledger.plan.unit: (label, u, states) for label, u, states in units
               if u.ledger is not None and u.ledger.plan.unit}
    out = []
    for voice in plan.ledger.voices:
        found = by_name.get(voice.unit)
        tasks = []
        for task_id in voice.tasks:
            planned = plan.ledger.task(task_id)
            state = found[2].get(task_id) if found else None
            tasks.append({"id": task_id, "ref": planned.ref if planned else None,
                          "status": state.status if state else None,
                          "progress": state.progress if state else None})
        out.append({"voice": voice.id, "speaker": voice.speaker, "unit": voice.unit,
                    "headline": voice.headline, "commitments": list(voice.commitments),
                    "ledger": found[1].path if found else None,
                    "completion": None, "tasks": tasks})
        if found:
            counted = [s for s in found[2].values() if s.status != "dropped"]
            out[-1]["completion"] = _percent(sum(1 for s in counted if s.status == "done"),
                                             len(counted))
    return out
