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
