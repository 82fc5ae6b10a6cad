"""The content-keyed cache: it saves work, and is never trusted beyond what it was made from."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import DATA, run_cli
from reformctl import cache, ledgers, loader


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("REFORMCTL_CACHE_DIR", str(folder))
    monkeypatch.delenv("REFORMCTL_NO_CACHE", raising=False)
    return folder


def test_a_clean_read_leaves_the_index_of_those_bytes(ledger, fresh_cache):
    where = ledgers.LedgerDir(ledger, "--data")
    loader.load(where)
    raw = (ledger / "tasks.yaml").read_bytes(), (ledger / "voices.yaml").read_bytes()
    entry = cache.get("index", cache.key_of(*raw))
    assert entry["ids"] == list(range(1, 30))
    assert sorted(p.name for p in fresh_cache.iterdir()) == [
        f"reformctl-index-{cache.key_of(*raw)}.json", "reformctl-secret.key"]


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
    assert any(p.name.startswith("reformctl-index-") for p in fresh_cache.iterdir())


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
    assert len(list(fresh_cache.glob("reformctl-index-*.json"))) <= 5


COMMANDS = [
    ["update", "3", "--status", "in-progress", "--at", "2018-05-02T10:00:00+08:00"],
    ["add", "-l", "F", "新增任务：建立公示制度。", "--related", "G4", "--at", "2018-05-03T10:00:00+08:00"],
    ["update", "F13", "30", "29", "--owner", "区总工会", "--at", "2018-05-04T10:00:00+08:00"],
    ["add", "-l", "G", "最后一个任务", "--at", "2018-05-05T10:00:00+08:00"],
    ["update", "3", "--status", "done", "--evidence", "纪要.pdf",
     "--at", "2018-05-06T10:00:00+08:00"],
    ["update", "F13", "G11", "--note", "补充说明", "--at", "2018-05-05T11:00:00+08:00"],
    ["update", "3", "--note", "补充说明", "--at", "2018-05-01T10:00:00+08:00"],  # back-dated
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
            loader.load(ledgers.LedgerDir(data, "--data"))
        for args in COMMANDS:
            result = run_cli(*args, "--by", "王芳", "--data", str(data))
            assert result.code == 0, (mode, args, result.stderr)
        results[mode] = (data / "tasks.yaml").read_bytes()
        if mode == "warm":  # every write left the index of what it wrote
            raw = (data / "tasks.yaml").read_bytes()
            assert cache.get("index", cache.key_of(raw, (data / "voices.yaml").read_bytes()))
    assert results["warm"] == results["cold"]
    assert run_cli("check", "--strict", "--data", str(tmp_path / "warm" / "data")).code == 0


def test_a_wrong_index_is_a_miss_never_a_failure(ledger, fresh_cache, tmp_path):
    """Even an authentic entry (made with this user's key) that does not fit the file only
    costs time: the write goes the full way and gives what it gives without a cache."""
    where = ledgers.LedgerDir(ledger, "--data")
    loader.load(where)
    raw_t, raw_v = (ledger / "tasks.yaml").read_bytes(), (ledger / "voices.yaml").read_bytes()
    key = cache.key_of(raw_t, raw_v)
    entry = cache.get("index", key)
    entry["ids"][2], entry["ids"][3] = entry["ids"][3], entry["ids"][2]  # tasks 3 and 4 swapped
    cache.put("index", key, {k: entry[k] for k in ("ids", "levels", "seqs", "starts")})
    control = tmp_path / "control"
    shutil.copytree(ledger, control)
    args = ("update", "3", "--status", "done", "--evidence", "x", "--by", "t",
            "--at", "2018-05-02T10:00:00+08:00")
    result = run_cli(*args)
    assert result.code == 0, result.stderr
    assert run_cli(*args, "--data", str(control), env={"REFORMCTL_NO_CACHE": "1"}).code == 0
    assert (ledger / "tasks.yaml").read_bytes() == (control / "tasks.yaml").read_bytes()


# ---------------------------------------------------------------------------------------------
# A cache is only ever a hint: no entry changes an outcome


def _forge(folder: Path, key: str, entry: dict, mac: str = "0" * 64) -> Path:
    """Write an index entry by hand (as another program or a checkout could), with any MAC."""
    import json

    folder.mkdir(mode=0o700, exist_ok=True)
    body = json.dumps({"format": cache.FORMAT, "version": __import__("reformctl").__version__,
                       "key": key, **entry}).encode()
    path = folder / f"reformctl-index-{key}.json"
    path.write_bytes(mac.encode() + b"\n" + body)
    return path


def _same_as_without_cache(ledger: Path, tmp_path: Path, *args: str) -> None:
    """The command gives the same exit, messages and file as with REFORMCTL_NO_CACHE=1."""
    control = tmp_path / "control"
    if control.exists():
        shutil.rmtree(control)
    shutil.copytree(ledger, control)
    args = (*args, "--by", "t", "--at", "2018-05-02T10:00:00+08:00")
    cached = run_cli(*args, "--data", str(ledger))
    plain = run_cli(*args, "--data", str(control), env={"REFORMCTL_NO_CACHE": "1"})
    assert (cached.code, cached.stdout) == (plain.code, plain.stdout)
    assert cached.stderr == plain.stderr.replace("control/", "data/")
    assert (ledger / "tasks.yaml").read_bytes() == (control / "tasks.yaml").read_bytes()


def _entry_claiming(ids: list[int]) -> dict:
    return {"ids": ids, "levels": ["district"] * 7 + ["federation"] * 12 + ["grassroots"] * 10,
            "seqs": list(range(1, 8)) + list(range(1, 13)) + list(range(1, 11)),
            "starts": [0] * 29}


@pytest.mark.parametrize("args", [("update", "3", "--note", "x"),
                                  ("add", "-l", "F", "新任务。")])
def test_a_forged_entry_for_a_broken_ledger_changes_nothing(ledger, fresh_cache, tmp_path, args):
    """The issue's attack: a ledger with a duplicate id, and an entry under its true key
    claiming it is clean with other ids."""
    path = ledger / "tasks.yaml"
    path.write_text(path.read_text("utf-8").replace("  - id: 5\n", "  - id: 4\n", 1), "utf-8")
    assert run_cli("check").code == 1
    key = cache.key_of(path.read_bytes(), (ledger / "voices.yaml").read_bytes())
    where = ledgers.LedgerDir(ledger, "--data")
    real = loader.load_bytes(where, {})  # (errors: no entry of its own)
    assert real.errors
    _forge(fresh_cache, key, _entry_claiming(list(range(1, 30))))
    _same_as_without_cache(ledger, tmp_path, *args)
    assert run_cli("update", "3", "--note", "x").code == 1


def test_an_entry_made_with_a_planted_key_is_not_trusted(ledger, fresh_cache, tmp_path):
    """A checkout can hold a cache directory with a key file and entries made with it: the key
    authenticates only entries made with that very key file on this machine."""
    import hashlib
    import hmac
    import json

    path = ledger / "tasks.yaml"
    key = cache.key_of(path.read_bytes(), (ledger / "voices.yaml").read_bytes())
    fresh_cache.mkdir(mode=0o700)
    planted = b"k" * cache.KEY_BYTES
    (fresh_cache / cache.KEY_FILE).write_bytes(planted)
    (fresh_cache / cache.KEY_FILE).chmod(0o600)
    entry = _entry_claiming([n + 100 for n in range(29)])  # next free id would be 130
    body = json.dumps({"format": cache.FORMAT, "version": __import__("reformctl").__version__,
                       "key": key, **entry}).encode()
    mac = hmac.new(planted, b"index\0" + key.encode() + b"\0" + body, hashlib.sha256).hexdigest()
    forged = _forge(fresh_cache, key, entry, mac)
    assert cache.get("index", key) is None and not forged.exists()  # a miss, and removed
    _forge(fresh_cache, key, entry, mac)
    _same_as_without_cache(ledger, tmp_path, "add", "-l", "G", "新任务。")
    assert "id: 30\n" in path.read_text("utf-8")


def test_oversized_and_foreign_entries_are_misses_and_removed(ledger, fresh_cache, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", 4096)
    path = ledger / "tasks.yaml"
    key = cache.key_of(path.read_bytes(), (ledger / "voices.yaml").read_bytes())
    fresh_cache.mkdir(mode=0o700)
    big = fresh_cache / f"reformctl-index-{key}.json"
    big.write_bytes(b"x" * 100_000)
    assert cache.get("index", key) is None and not big.exists()
    run_cli("check")  # a real entry now
    assert cache.get("index", key) is not None
    entry = fresh_cache / f"reformctl-index-{key}.json"
    entry.write_bytes(entry.read_bytes().replace(b'"ids":[1,', b'"ids":[9,'))  # tampered
    assert cache.get("index", key) is None and not entry.exists()


def test_another_programs_files_in_the_cache_directory_survive(ledger, fresh_cache, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    fresh_cache.mkdir(mode=0o700)
    theirs = {f"settings-{n}.json": f'{{"n": {n}}}' for n in range(100)}
    theirs["0" * 64 + ".index.json"] = "an older name, or not ours at all"
    for name, text in theirs.items():
        (fresh_cache / name).write_text(text)
    path = ledger / "tasks.yaml"
    for n in range(6):
        path.write_text(path.read_text("utf-8") + f"# {n}\n", "utf-8")
        assert run_cli("check").code == 0
    assert {p.name: p.read_text() for p in fresh_cache.iterdir() if p.name in theirs} == theirs
    assert len(list(fresh_cache.glob("reformctl-index-*.json"))) == 3


@pytest.mark.parametrize("how", ["group-readable", "symlink", "not-ours"])
def test_only_a_private_directory_is_used(ledger, tmp_path, monkeypatch, how):
    """As a checkout could hold it: XDG_CACHE_HOME=.cache inside the repository, 0755."""
    monkeypatch.delenv("REFORMCTL_CACHE_DIR", raising=False)
    monkeypatch.delenv("REFORMCTL_NO_CACHE", raising=False)
    xdg = tmp_path / "checkout" / ".cache"
    folder = xdg / "reformctl"
    if how == "symlink":
        (tmp_path / "real").mkdir(mode=0o700)
        xdg.mkdir(parents=True)
        folder.symlink_to(tmp_path / "real")
    else:
        folder.mkdir(parents=True, mode=0o700)
        folder.chmod(0o755 if how == "group-readable" else 0o700)
        if how == "not-ours":
            if os.geteuid() != 0:
                pytest.skip("giving a directory away needs root")
            os.chown(folder, 65534, -1)
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    assert cache.directory() is None
    assert run_cli("check").code == 0
    assert run_cli("update", "3", "--note", "x", env={"REFORMCTL_USER": "t"}).code == 0
    assert list(folder.iterdir()) == [] and not any((tmp_path / "real").iterdir() if
                                                    (tmp_path / "real").exists() else [])
