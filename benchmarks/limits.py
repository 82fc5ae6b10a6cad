"""Peak memory and time of every command on one large generated ledger (issue 11, "limits").

    .venv/bin/python -m benchmarks.limits 100000                  # every command, 100,000 tasks
    .venv/bin/python -m benchmarks.limits 300000 --history 4 --unevidenced 0.3
    .venv/bin/python -m benchmarks.limits 100000 --only check,report-json --keep /tmp/ledgers

Each command runs once, as its own process, started by the small launcher of benchmarks/run.py
(``python -I -S``, about 10 MiB): the peak is the command's own maximum resident set size
(``ru_maxrss``: interpreter, imports and data, nothing subtracted), not this harness's. Commands
that write (``update``, ``add``) get a fresh copy of the ledger that no run has read, so they pay
for a whole cold read and check, as the first write after a hand edit does; the others run on a
copy read once before (untimed), as in everyday use. The cache directory is private to the run.

The result is a Markdown table (tasks, file size, peak RSS and seconds per command) and, with
``--json FILE``, the same as JSON. Run one at a time: the machine's other load moves the times
(not the peaks). No test asserts a number; the measured table lives in README's "Limits".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .run import HERE, LAUNCH

# name -> (arguments, writes): {out} is a file in the work directory.
COMMANDS: dict[str, tuple[list[str], bool]] = {
    "check": (["check"], False),
    "list": (["list"], False),
    "list-json": (["list", "--format", "json"], False),
    "show": (["show", "1"], False),
    "log-json": (["log", "--format", "json"], False),
    "report-text": (["report", "--as-of", "2030-06-30"], False),
    "report-json": (["report", "--format", "json", "--as-of", "2030-06-30"], False),
    "report-html": (["report", "--format", "html", "--as-of", "2030-06-30"], False),
    "report-xlsx": (["report", "--format", "xlsx", "--as-of", "2030-06-30", "--output", "{out}"],
                    False),
    "update": (["update", "1", "--note", "x", "--by", "bench", "--at", "2026-01-01T12:00+08:00"],
               True),
    "add": (["add", "--level", "district", "基准测试新增任务。", "--by", "bench"], True),
}


def peak(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, int, float]:
    """Exit code, peak RSS (KiB) and wall seconds of ``cmd`` (its output discarded)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCH, *cmd], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    code, kib = (int(x) for x in proc.stdout.split())
    return code, kib, seconds


def generate(n: int, target: Path, history: int, unevidenced: float, seed: int,
             bare: bool) -> None:
    if (target / "tasks.yaml").exists():
        return
    print(f"generating {n:,} tasks (history {history}, unevidenced {unevidenced}, bare {bare}) ...",
          file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "benchmarks.generate", str(n), str(target), "--seed",
                    str(seed), "--history", str(history), "--unevidenced", str(unevidenced),
                    *(["--bare"] if bare else [])],
                   cwd=HERE.parent, check=True, stdout=subprocess.DEVNULL)


def copy(source: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in ("tasks.yaml", "voices.yaml"):
        shutil.copyfile(source / name, target / name)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.limits", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tasks", type=int, help="tasks in the generated ledger")
    parser.add_argument("--history", type=int, default=1, metavar="K",
                        help="history entries per task (default 1)")
    parser.add_argument("--unevidenced", type=float, default=0.0, metavar="SHARE",
                        help="share of done tasks without evidence (default 0)")
    parser.add_argument("--bare", action="store_true",
                        help="the densest ledger: required fields only, one line per task")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--only", metavar="NAMES",
                        help=f"comma-separated subset of: {', '.join(COMMANDS)}")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="generate ledgers here and keep them for the next run")
    parser.add_argument("--reformctl", metavar="COMMAND",
                        help="how to run reformctl (default: the console script beside this "
                        "Python)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(COMMANDS)
    unknown = set(names) - set(COMMANDS)
    if unknown:
        parser.error(f"unknown command name(s): {', '.join(sorted(unknown))}")
    script = Path(sys.executable).with_name("reformctl")
    reformctl = (args.reformctl.split() if args.reformctl
                 else [str(script)] if script.exists() else [sys.executable, "-m", "reformctl"])

    with tempfile.TemporaryDirectory(prefix="reformctl-limits-") as tmp:
        work = Path(tmp)
        store = args.keep or work
        shape = "bare" if args.bare else f"h{args.history}-u{args.unevidenced}"
        ledger = store / f"ledger-{args.tasks}-{shape}-{args.seed}"
        generate(args.tasks, ledger, args.history, args.unevidenced, args.seed, args.bare)
        size = sum((ledger / name).stat().st_size for name in ("tasks.yaml", "voices.yaml"))
        env = {k: v for k, v in os.environ.items()
               if k not in ("REFORMCTL_DATA", "GITHUB_ACTIONS", "REFORMCTL_NO_CACHE")}
        env.update(NO_COLOR="1", COLUMNS="100", REFORMCTL_CACHE_DIR=str(work / "cache"),
                   REFORMCTL_LANG="en")
        read = copy(ledger, work / "read")
        subprocess.run([*reformctl, "check", "--data", str(read)], env=env, check=False,
                       capture_output=True)  # warms the page cache and the task index
        results = []
        for name in names:
            words, writes = COMMANDS[name]
            place = copy(ledger, work / "fresh") if writes else read
            words = [w.replace("{out}", str(work / "out.xlsx")) for w in words]
            code, kib, seconds = peak([*reformctl, *words, "--data", str(place)], work, env)
            results.append({"command": name, "args": words, "code": code,
                            "peak_mib": round(kib / 1024), "seconds": round(seconds, 1)})
            print(f"  {name}: exit {code}, {kib / 1024:,.0f} MiB, {seconds:.1f} s",
                  file=sys.stderr, flush=True)

    mib = size / 2**20
    print(f"{args.tasks:,} tasks, {'bare' if args.bare else f'history {args.history}, unevidenced {args.unevidenced}'}: "
          f"{mib:,.1f} MiB of YAML")
    print()
    print("| command | exit | peak RSS | × file | seconds |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        print(f"| `{' '.join(r['args'])}` | {r['code']} | {r['peak_mib']:,} MiB "
              f"| {r['peak_mib'] / mib:.1f} | {r['seconds']:.1f} |")
    if args.json:
        args.json.write_text(json.dumps({"tasks": args.tasks, "bare": args.bare,
                                         "history": args.history,
                                         "unevidenced": args.unevidenced, "bytes": size,
                                         "results": results}, indent=2) + "\n", "utf-8")
    return 1 if any(r["code"] not in (0, 1) for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
