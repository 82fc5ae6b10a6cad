"""The JSON Schema: generated from the models, shipped for editors, agreed with by a validator."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA, FIXTURES, ROOT, run_cli

CHECK_JSONSCHEMA = shutil.which("check-jsonschema") or str(
    Path(sys.executable).with_name("check-jsonschema"))


@pytest.mark.parametrize("kind", ["tasks", "voices"])
def test_shipped_schema_files_are_current(kind):
    result = run_cli("schema", kind)
    assert result.code == 0
    assert (ROOT / "schema" / f"{kind}.schema.json").read_text("utf-8") == result.stdout, (
        f"regenerate with: reformctl schema {kind} > schema/{kind}.schema.json")


@pytest.mark.parametrize("kind", ["tasks", "voices"])
def test_data_files_point_editors_at_the_schema(kind):
    first = (DATA / f"{kind}.yaml").read_text("utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema=../schema/{kind}.schema.json"


def test_schema_is_valid_json_schema():
    from jsonschema import Draft202012Validator

    for kind in ("tasks", "voices"):
        Draft202012Validator.check_schema(json.loads(run_cli("schema", kind).stdout))


@pytest.mark.parametrize("kind", ["tasks", "voices"])
def test_independent_validator_accepts_the_shipped_data(kind):
    proc = subprocess.run([CHECK_JSONSCHEMA, "--schemafile",
                           str(ROOT / "schema" / f"{kind}.schema.json"), str(DATA / f"{kind}.yaml")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("case", ["invalid-status", "unknown-key", "missing-key", "string-id",
                                  "negative-progress"])
def test_independent_validator_rejects_what_check_rejects(case):
    proc = subprocess.run([CHECK_JSONSCHEMA, "--schemafile", str(ROOT / "schema" / "tasks.schema.json"),
                           str(FIXTURES / "broken" / case / "tasks.yaml")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stdout


# Codes of problems a JSON Schema can express (the rest are rules over the whole ledger: unique
# ids, references, time order, ... which no schema states).
SCHEMA_CODES = {"invalid-value", "invalid-type", "invalid-date", "unknown-key", "missing-key",
                "empty-file"}
VALUE_CASES = sorted(p.name for p in (FIXTURES / "broken").iterdir()
                     if (p / "tasks.yaml").exists() or (p / "voices.yaml").exists())
ACCEPTED_CASES = sorted(p.name for p in (FIXTURES / "accepted").iterdir())


def _schema_verdicts(files: list[Path]) -> dict[str, bool]:
    """{file: accepted} for each file, by check-jsonschema (one run per schema)."""
    verdicts = {}
    for kind in ("tasks", "voices"):
        chosen = [f for f in files if f.name == f"{kind}.yaml"]
        if not chosen:
            continue
        proc = subprocess.run([CHECK_JSONSCHEMA, "-o", "json", "--schemafile",
                               str(ROOT / "schema" / f"{kind}.schema.json"), *map(str, chosen)],
                              capture_output=True, text=True, check=False)
        report = json.loads(proc.stdout)
        failed = {e["filename"] for e in report["errors"]} | {
            e["filename"] for e in report.get("parse_errors", [])}
        verdicts.update({str(f): str(f) not in failed for f in chosen})
    return verdicts


def test_check_and_the_schema_agree_on_every_value(outside):
    """Every fixture: where check finds a problem a schema can state, check-jsonschema rejects
    the file; where check finds none (or warnings only), it accepts it."""
    cases = [("broken", c) for c in VALUE_CASES] + [("accepted", c) for c in ACCEPTED_CASES]
    files = [f for group, c in cases for f in sorted((FIXTURES / group / c).glob("*.yaml"))]
    verdicts = _schema_verdicts(files)
    disagree = []
    for group, case in cases:
        target = outside / group / case
        shutil.copytree(FIXTURES / "base", target / "data")
        for f in (FIXTURES / group / case).glob("*.yaml"):
            shutil.copy(f, target / "data" / f.name)
        found = json.loads(run_cli("check", "--data", str(target / "data"),
                                   "--format", "json").stdout)
        for f in sorted((FIXTURES / group / case).glob("*.yaml")):
            mine = [d for d in found if d["file"].endswith(f.name) and d["severity"] == "error"]
            if mine and not {d["code"] for d in mine} <= SCHEMA_CODES:
                continue  # a rule over the ledger (or YAML that no schema reads): not comparable
            if (not mine) != verdicts[str(f)]:
                disagree.append((case, f.name, [d["message"] for d in mine]))
    assert disagree == []


@pytest.mark.parametrize("case", ["time-spellings", "progress-fraction", "changes-unknown-field",
                                  "history-invalid-value"])
def test_schema_rejects_what_check_rejects_in_values(case):
    assert _schema_verdicts([FIXTURES / "broken" / case / "tasks.yaml"]) == {
        str(FIXTURES / "broken" / case / "tasks.yaml"): False}


@pytest.mark.parametrize("case", ACCEPTED_CASES)
def test_check_and_schema_accept_the_same_spellings(case, outside):
    f = FIXTURES / "accepted" / case / "tasks.yaml"
    assert _schema_verdicts([f]) == {str(f): True}
    shutil.copytree(FIXTURES / "base", outside / "data")
    shutil.copy(f, outside / "data" / "tasks.yaml")
    result = run_cli("check", "--data", "data", "--strict")
    assert (result.code, result.stdout) == (0, ""), result.stdout


@pytest.mark.parametrize("kind", ["tasks", "voices"])
def test_every_title_and_description_is_in_english_and_chinese(kind):
    """Editors show the schema's titles and descriptions to whoever edits: both languages."""
    import re

    def walk(node, path="#"):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("title", "description") and isinstance(value, str):
                    yield f"{path}/{key}", value
                elif key != "properties" or not isinstance(value, dict):
                    yield from walk(value, f"{path}/{key}")
                else:  # property names are keys, not titles
                    for name, prop in value.items():
                        yield from walk(prop, f"{path}/properties/{name}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                yield from walk(item, f"{path}/{i}")

    words = list(walk(json.loads(run_cli("schema", kind).stdout)))
    assert words
    for where, value in words:
        english, _, chinese = value.partition(" / ")
        assert re.search(r"[A-Za-z]", english) and re.search(r"[\u4e00-\u9fff]", chinese), (
            where, value)
    progress = json.loads(run_cli("schema", "tasks").stdout)["$defs"]["Task"]["properties"][
        "progress"]
    assert progress["description"] == "Percent done, 0..100 / 完成百分比，0–100"
    assert progress["title"] == "Progress / 进度"
