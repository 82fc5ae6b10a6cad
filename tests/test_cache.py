"""The content-keyed cache: it saves work, and is never trusted beyond what it was made from."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import DATA, run_cli
from reformctl import cache, storage


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("REFORMCTL_CACHE_DIR", str(folder))
    monkeypatch.delenv("REFORMCTL_NO_CACHE", raising=False)
    return folder


def test_a_clean_read_leaves_the_index_of_those_bytes(ledger, fresh_cache):
    where = storage.LedgerDir(ledger, "--data")
    storage.load(where)
    raw = (ledger / "tasks.yaml").read_bytes(), (ledger / "voices.yaml").read_bytes()
    entry = cache.get("index", cache.key_of(*raw))
    assert entry["ids"] == list(range(1, 30))
    assert [p.name.split(".", 1)[1] for p in fresh_cache.iterdir()] == ["index.json"]


def test_a_ledger_with_errors_leaves_no_index(ledger, fresh_cache):
    path = ledger / "tasks.yaml"
    path.write_text(path.read_text("utf-8").replace("status: todo", "status: bogus", 1), "utf-8")
    assert run_cli("check").code == 1
    assert not any(fresh_cache.glob("*.json"))


def test_a_hand_edit_misses_the_cache(ledger, fresh_cache):
    run_cli("check")
    path = ledger / "tasks.yaml"
    path.write_text(path.read_text("utf-8").replace("status: todo", "status: bogus", 1), "utf-8")
    result = run_cli("update", "5", "--note", "x", env={"REFORMCTL_USER": "t"})
    assert result.code == 1 and "status 'bogus'" in result.stderr


def test_corrupt_entries_are_ignored_and_removed(ledger, fresh_cache):
    run_cli("check")
    for entry in fresh_cache.iterdir():
        entry.write_bytes(b"\x00garbage{")
    assert run_cli("update", "3", "--note", "x", env={"REFORMCTL_USER": "t"}).code == 0
    assert all(p.read_bytes() != b"\x00garbage{" for p in fresh_cache.iterdir())


def test_cache_can_be_turned_off(ledger, fresh_cache, monkeypatch):
    monkeypatch.setenv("REFORMCTL_NO_CACHE", "1")
    assert run_cli("check").code == 0
    assert not fresh_cache.exists() or not any(fresh_cache.iterdir())


def test_a_directory_others_can_write_is_not_used(ledger, fresh_cache):
    fresh_cache.mkdir(mode=0o700)
    os.chmod(fresh_cache, 0o777)
    assert cache.directory() is None
    assert run_cli("check").code == 0
    assert not any(fresh_cache.iterdir())


def test_the_cache_stays_small(ledger, fresh_cache, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 5)
    for n in range(6):
        path = ledger / "tasks.yaml"
        path.write_text(path.read_text("utf-8") + f"# {n}\n", "utf-8")
        run_cli("check")
    assert len(list(fresh_cache.glob("*.json"))) <= 5


COMMANDS = [
    ["update", "3", "--status", "in-progress", "--at", "2018-05-02T10:00:00+08:00"],
    ["add", "-l", "F", "新增任务：建立公示制度。", "--related", "G4", "--at", "2018-05-03T10:00:00+08:00"],
    ["update", "F13", "30", "29", "--owner", "区总工会", "--at", "2018-05-04T10:00:00+08:00"],
    ["add", "-l", "G", "最后一个任务", "--at", "2018-05-05T10:00:00+08:00"],
    ["update", "3", "--status", "done", "--evidence", "纪要.pdf",
     "--at", "2018-05-06T10:00:00+08:00"],
    ["update", "F13", "G11", "--note", "补充说明", "--at", "2018-05-01T10:00:00+08:00"],
]


def test_warm_writes_give_the_same_bytes_as_cold_ones(tmp_path, monkeypatch):
    """Writes through the cached index (parsing only the changed tasks) match full reads."""
    results = {}
    for mode in ("cold", "warm"):
        data = tmp_path / mode / "data"
        shutil.copytree(DATA, data)
        monkeypatch.setenv("REFORMCTL_CACHE_DIR", str(tmp_path / f"cache-{mode}"))
        if mode == "cold":
            monkeypatch.setenv("REFORMCTL_NO_CACHE", "1")
        else:
            monkeypatch.delenv("REFORMCTL_NO_CACHE", raising=False)
            storage.load(storage.LedgerDir(data, "--data"))
        for args in COMMANDS:
            result = run_cli(*args, "--by", "王芳", "--data", str(data))
            assert result.code == 0, (mode, args, result.stderr)
        results[mode] = (data / "tasks.yaml").read_bytes()
        if mode == "warm":  # every write left the index of what it wrote
            raw = (data / "tasks.yaml").read_bytes()
            assert cache.get("index", cache.key_of(raw, (data / "voices.yaml").read_bytes()))
    assert results["warm"] == results["cold"]
    assert run_cli("check", "--strict", "--data", str(tmp_path / "warm" / "data")).code == 0


def test_a_wrong_index_never_writes_a_wrong_file(ledger, fresh_cache):
    where = storage.LedgerDir(ledger, "--data")
    storage.load(where)
    raw_t, raw_v = (ledger / "tasks.yaml").read_bytes(), (ledger / "voices.yaml").read_bytes()
    key = cache.key_of(raw_t, raw_v)
    entry = cache.get("index", key)
    entry["ids"][2], entry["ids"][3] = entry["ids"][3], entry["ids"][2]  # tasks 3 and 4 swapped
    cache.put("index", key, {k: entry[k] for k in ("ids", "levels", "seqs", "starts")})
    result = run_cli("update", "3", "--status", "done")
    assert result.code == 1 and "nothing was changed" in result.stderr
    assert (ledger / "tasks.yaml").read_bytes() == raw_t
