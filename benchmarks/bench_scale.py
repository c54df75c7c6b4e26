"""A year of a large center: `planner validate` and `planner forecast` on N million cases.

    python benchmarks/bench_scale.py [--cases 10000000] [--work /tmp/planner_scale] [--keep]

Writes a data folder with a cases.csv of ``--cases`` rows (one year, 8 case types, 600 agents, every
optional column filled the way the sample fills it) into ``--work`` (never into the repository; the
file is about 1.2 GB at 10 million rows), then runs each command in a child process and prints its
wall time and peak resident memory (the child's ru_maxrss). The file is removed unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TYPES = ["billing", "payments", "cards", "loans", "fraud", "tech", "email_general", "complaints"]
CONFIG = """[center]
name = "Scale center"
timezone = "UTC"
interval_minutes = 30
"""


def write_cases(path: Path, n: int, seed: int = 0, chunk: int = 1_000_000) -> None:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-01-06").value // 10**9
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("case_id,created_at,case_type,channel,agent_id,handle_seconds,wait_seconds,abandoned,"
                 "resolved_first_contact,reopened,transfers,csat,qa_score\n")
        for lo in range(0, n, chunk):
            m = min(chunk, n - lo)
            # Arrivals over the year, denser by day (08:00-20:00) than by night.
            day = rng.integers(0, 364, m)
            hour = np.clip(rng.normal(13.5, 3.2, m), 0, 23.99)
            t = pd.to_datetime(start + day * 86400 + (hour * 3600).astype(np.int64), unit="s")
            order = np.argsort(t.values, kind="stable")
            t = t[order]
            ab = rng.random(m) < 0.06
            agent = np.where(ab, "", np.char.add("A", rng.integers(1, 601, m).astype(str)))
            frame = pd.DataFrame({
                "case_id": np.char.add("C", np.arange(lo, lo + m).astype(str)),
                "created_at": t.strftime("%Y-%m-%dT%H:%M:%S"),
                "case_type": np.array(TYPES)[rng.integers(0, len(TYPES), m)],
                "channel": np.array(["phone", "chat", "email"])[rng.integers(0, 3, m)],
                "agent_id": agent,
                "handle_seconds": np.where(ab, "", np.round(rng.lognormal(5.6, 0.5, m)).astype(int).astype(str)),
                "wait_seconds": np.round(rng.exponential(40, m)).astype(int),
                "abandoned": np.where(ab, "true", "false"),
                "resolved_first_contact": np.where(ab, "", np.where(rng.random(m) < 0.7, "true", "false")),
                "reopened": np.where(ab, "", np.where(rng.random(m) < 0.1, "true", "false")),
                "transfers": np.where(ab, "", rng.poisson(0.2, m).astype(str)),
                "csat": np.where(ab | (rng.random(m) > 0.15), "", rng.integers(1, 6, m).astype(str)),
                "qa_score": np.where(ab | (rng.random(m) > 0.05), "", rng.integers(40, 101, m).astype(str)),
            })
            frame.to_csv(fh, header=False, index=False, lineterminator="\n")


def run(args: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak resident MB, exit code) of one planner command in a child process."""
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.environ["PYTHONPATH"] = str(ROOT)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execv(sys.executable, [sys.executable, "-m", "planner.cli", *args])
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=10_000_000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/planner_scale"))
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args(argv)
    data = args.work / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "planner.toml").write_text(CONFIG, encoding="utf-8")
    cases = data / "cases.csv"
    marker = args.work / "rows.txt"
    if not cases.exists() or not marker.exists() or marker.read_text() != str(args.cases):
        t = time.perf_counter()
        write_cases(cases, args.cases)
        marker.write_text(str(args.cases))
        print(f"wrote {args.cases:,} cases ({cases.stat().st_size / 1e9:.2f} GB) in "
              f"{time.perf_counter() - t:.0f} s")
    for name, cmd in (("validate", ["validate", "--data", str(data)]),
                      ("forecast", ["forecast", "--data", str(data), "--out", str(args.work / "run")])):
        wall, peak, code = run(cmd)
        print(f"{name}: {wall:.1f} s, peak {peak:,.0f} MB resident, exit {code}")
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
