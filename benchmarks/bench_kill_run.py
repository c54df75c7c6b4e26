"""kill -9 at random points of `planner run`: the run folder holds the complete previous run or the
complete new one, every time.

    python benchmarks/bench_kill_run.py [--trials 20] [--seed 0] [--work /tmp/kill_run]

A small sample center is generated once and run once completely (the "previous run"). Each trial
starts `planner run` into the same folder and sends SIGKILL after a random delay, drawn uniformly
over 1.4 times the length of one complete run (so some trials are killed after the run finished).
After each kill the folder is checked:

- it is a folder whose run.json says ``complete`` and lists exactly the files present;
- every file's SHA-256 is the one run.json records (``planner.io.transaction.check_run``);
- its run id is either the previous complete run's or a new one, with the report present.

The figures printed: per trial the delay, which run the folder holds, and what the kill left beside
it (a staging folder, removed by the next run; on Linux the lock is an abstract socket that dies
with its process, so no lock file is left). Exit code 1 if any trial found a mixed folder.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from planner.io.transaction import check_run, read_manifest

ROOT = Path(__file__).resolve().parents[1]
RUN = [sys.executable, "-m", "planner.cli", "run", "--schedule-seconds", "2", "--replications", "1"]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def verify(out: Path) -> tuple[bool, str, str]:
    """(consistent, run id, why not) of the folder after a kill."""
    if not out.is_dir():
        return False, "", "the run folder is missing"
    m = read_manifest(out)
    if not m.get("complete"):
        return False, m.get("run_id", ""), "run.json is absent or not complete"
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"run.json"}
    listed = set(m.get("files", {}))
    if present != listed:
        return False, m["run_id"], f"files not in run.json: {sorted(present ^ listed)[:5]}"
    mixed = check_run(out)
    if mixed:
        return False, m["run_id"], "; ".join(mixed[:3])
    if "report.html" not in present:
        return False, m["run_id"], "no report.html"
    runs = {v["run"] for v in m["files"].values()}
    if runs != {m["run_id"]}:
        return False, m["run_id"], f"files of several runs: {sorted(runs)}"
    return True, m["run_id"], ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work", type=Path, default=Path("/tmp/kill_run"))
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    data, out = work / "data", work / "out"
    if not (data / "planner.toml").exists():
        subprocess.run([sys.executable, "-m", "planner.cli", "sample", "--out", str(data), "--history-weeks", "6",
                        "--agents", "12"], check=True, env=_env(), stdout=subprocess.DEVNULL)
    t0 = time.perf_counter()
    subprocess.run([*RUN, "--data", str(data), "--out", str(out)], check=True, env=_env(),
                   stdout=subprocess.DEVNULL)
    full = time.perf_counter() - t0
    ok, previous, why = verify(out)
    print(f"complete run: {full:.1f} s, run {previous}, consistent: {ok} {why}")
    failures = 0
    seen_new = 0
    for trial in range(1, args.trials + 1):
        # Over 1.4 complete runs: the load of a shared machine stretches a run, and some trials
        # must let the run finish (the folder then holds the new run).
        delay = rng.uniform(0.2, full * 1.4)
        proc = subprocess.Popen([*RUN, "--data", str(data), "--out", str(out)], env=_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        ok, run_id, why = verify(out)
        left = sorted(p.name for p in work.iterdir() if p.name.startswith(".out."))
        holds = "previous" if run_id == previous else "new"
        if ok and holds == "new":
            seen_new += 1
            previous = run_id
        failures += not ok
        print(f"trial {trial:2d}: killed after {delay:5.1f} s{' (had finished)' if finished else ''}; "
              f"folder holds the {holds} run {run_id}: {'complete' if ok else 'MIXED: ' + why}; "
              f"left beside it: {', '.join(left) or 'nothing'}")
    print(f"{args.trials - failures} of {args.trials} trials left a complete run "
          f"({seen_new} the new one); {failures} mixed")
    print(json.dumps({"trials": args.trials, "consistent": args.trials - failures, "new": seen_new}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
