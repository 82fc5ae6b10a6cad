"""The benchmark (benchmarks/) runs end to end on a small ledger. No timings are asserted here."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from conftest import ROOT, run_cli


def generate(n: int, target, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmarks.generate", str(n), str(target),
                           *extra], cwd=ROOT, capture_output=True, text=True, check=False)


def test_generated_ledger_passes_check_cleanly(outside):
    proc = generate(250, outside / "data", "--taskwarrior", str(outside / "tw.json"))
    assert proc.returncode == 0, proc.stderr
    result = run_cli("check", "--strict")
    assert (result.code, result.stdout) == (0, "")
    assert "no problems (250 tasks, 2 statements)" in result.stderr
    listed = json.loads(run_cli("list", "--format", "json").stdout)
    assert [t["id"] for t in listed] == list(range(1, 251))
    assert {t["level"] for t in listed} == {"district", "federation", "grassroots"}
    assert all(len(t["history"]) == 1 for t in listed)
    assert len(json.loads((outside / "tw.json").read_text("utf-8"))) == 250


def test_generator_is_deterministic(tmp_path):
    for name in ("a", "b"):
        assert generate(40, tmp_path / name).returncode == 0
    for file in ("tasks.yaml", "voices.yaml"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_benchmark_runs_end_to_end(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--tasks", "60", "--big", "80", "--repeat", "1",
         "--startup-repeat", "1", "--quiet", "--workdir", str(tmp_path / "work"),
         "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    every = json.loads(out.read_text("utf-8"))["rows"]
    rows = {row["name"].split(":")[0].split(",")[0]: row for row in every}
    assert set(rows) >= {"start-up", "Taskwarrior", "cold check", "update", "peak memory",
                         "filtered JSON listing", "scaling"}
    # every row of the generated ledgers on both, and the four scaling rows on each
    for ledger in ("clean", "realistic"):
        names = {row["name"].split(":")[0].split(",")[0] for row in every
                 if row["ledger"] == ledger}
        assert names == {"Taskwarrior", "filtered JSON listing", "cold check", "update",
                         "peak memory", "scaling"}
        scaling = [row for row in every if row["ledger"] == ledger and row["scaling"]]
        assert [row["name"].split("`")[1] for row in scaling] == ["check", "list", "report",
                                                                   "update"]
        assert all(row["ratio"] > 0 and not row["skipped"] for row in scaling)
    for name in ("start-up", "cold check", "peak memory"):
        assert rows[name]["ratio"] > 0 and not rows[name]["skipped"]
    if shutil.which("task") is None:
        assert "apt-get install taskwarrior" in rows["Taskwarrior"]["skipped"]
    else:
        assert rows["Taskwarrior"]["ratio"] > 0
    update = run_cli("update", "--help")
    if update.code != 0:
        assert rows["update"]["skipped"].startswith("not available")
    assert "| measurement | reformctl | baseline | ratio |" in proc.stdout


def test_realistic_ledger_has_warnings_only(outside):
    """--realistic: a ledger as in the middle of a year. No error (every command works on it);
    warnings of each kind a hand-kept ledger has; CRLF; long texts; several history entries."""
    proc = generate(300, outside / "data", "--realistic")
    assert proc.returncode == 0, proc.stderr
    raw = (outside / "data" / "tasks.yaml").read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")  # CRLF throughout
    assert b"text: |-" in raw  # long texts, as literal blocks
    result = run_cli("check", "--format", "json")
    assert result.code == 0, result.stderr
    found = json.loads(result.stdout)
    diagnostics = found["diagnostics"] if isinstance(found, dict) else found
    codes = {d["code"] for d in diagnostics}
    assert {d["severity"] for d in diagnostics} == {"warning"}
    assert codes >= {"missing-evidence", "status-unrecorded", "status-progress"}
    listed = json.loads(run_cli("list", "--format", "json").stdout)
    assert len(listed) == 300
    assert max(len(t["history"]) for t in listed) >= 5
    assert len({t.get("owner") for t in listed}) > 30
    again = generate(300, outside / "again", "--realistic")
    assert again.returncode == 0
    assert (outside / "again" / "tasks.yaml").read_bytes() == raw
