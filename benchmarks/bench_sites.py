"""Many sites at once: the same generated sites planned one after another in one process and on a
2-worker Dask LocalCluster; wall time, speed-up, peak memory and the plans' quality either way.

    python benchmarks/bench_sites.py                      # 16 sites of 100 agents
    python benchmarks/bench_sites.py --sites 4 --agents 40 --history-weeks 6   # a quick look

The sites are `planner sample` centers (a seed each), each given its own time zone and case mix
(one or two of the sample's case types left out). Each mode runs in a subprocess of its own, so
its peak memory is its own: the main process (where the Dask scheduler and client run, and where
the sequential run does all the work) and, on Dask, each worker's.

Quality: by default every site is planned with ``deterministic`` (the scheduler stops on its work
budgets, never on the clock), so the two runs' files must be the same (run.json and summary.json
aside: they hold timings), whatever the load and the cores each site got. With ``--clock`` the
scheduler stops on its time limit (--schedule-seconds), as a weekly run does by default; where
neither run's scheduler was cut by the clock the files must still be the same, otherwise each
site's gap to its lower bound is compared, and the goal is within one point of the sequential run's.
A site that failed in either run is named, with its error, and left out of the comparison.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TIMEZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "Europe/Berlin", "America/Chicago",
             "Australia/Sydney", "Asia/Singapore", "America/Los_Angeles")
# Case types a site may do without (one or two left out per site, never the busiest ones).
OPTIONAL_TYPES = ("complaints", "chat_technical", "email_billing", "returns")
CLOCK_NOTES = ("time limit", "wall clock")


def make_sites(root: Path, n: int, agents: int, weeks: int) -> None:
    """``n`` generated sites under ``root`` (kept between runs: generation is not what is timed)."""
    import gzip
    import io

    import pandas as pd

    from planner.sample import generate_sample, write_sample

    for i in range(n):
        folder = root / f"site{i:02d}"
        if (folder / "planner.toml").exists():
            continue
        center = generate_sample(seed=100 + i, weeks=weeks, agents=agents)
        write_sample(center, folder, root / ".truth" / folder.name)
        drop = {OPTIONAL_TYPES[i % 4]} | ({OPTIONAL_TYPES[(i + 1) % 4]} if i % 3 == 0 else set())
        toml = (folder / "planner.toml").read_text(encoding="utf-8")
        toml = toml.replace('timezone = "Europe/London"', f'timezone = "{TIMEZONES[i % len(TIMEZONES)]}"')
        for name in drop:
            toml = re.sub(rf"\n\[case_types\.{name}\]\n(?:[^\[].*\n|\n)*", "\n", toml)
        (folder / "planner.toml").write_text(toml, encoding="utf-8")
        cases = pd.read_csv(folder / "cases.csv.gz", dtype=str, keep_default_na=False)
        # The sample is generated on London's clock: drop what falls in the site's own spring-forward
        # gap (times its clocks never show, which the planner rightly refuses).
        naive = pd.to_datetime(cases["created_at"])
        zone = TIMEZONES[i % len(TIMEZONES)]
        cases = cases[naive.dt.tz_localize(zone, nonexistent="NaT", ambiguous=True).notna().to_numpy()]
        buf = io.StringIO()
        cases[~cases["case_type"].isin(drop)].to_csv(buf, index=False, lineterminator="\n")
        (folder / "cases.csv.gz").write_bytes(gzip.compress(buf.getvalue().encode(), mtime=0))
        for name, col in (("skills.csv", "case_type"), ("training.csv", "topic")):
            path = folder / name
            if path.exists():
                frame = pd.read_csv(path, dtype=str, keep_default_na=False)
                frame[~frame[col].isin(drop)].to_csv(path, index=False, lineterminator="\n")


def set_budget(root: Path, n: int, budget: dict[str, int | None]) -> None:
    """Write the scheduler's work budget (planner.toml's ``[schedule]``) into each site's
    planner.toml, replacing the one a previous run wrote; keys left None take the planner's own."""
    lines = "".join(f"{k} = {v}\n" for k, v in budget.items() if v is not None)
    for i in range(n):
        path = root / f"site{i:02d}" / "planner.toml"
        toml = re.sub(r"\n\[schedule\]\n(?:[^\[].*\n|\n)*", "\n", path.read_text(encoding="utf-8"))
        path.write_text(toml.rstrip("\n") + "\n" + (f"\n[schedule]\n{lines}" if lines else ""),
                        encoding="utf-8")


def one_mode(args: argparse.Namespace) -> None:
    """Run every site in one mode; print a JSON line with what was measured."""
    from planner.sites import DaskEngine, InProcess, SiteOptions, find_sites, run_sites

    options = SiteOptions(schedule_seconds=args.schedule_seconds, replications=args.replications,
                          bound=args.bound, deterministic=not args.clock)
    worker_peaks: list[float] = []

    class MeasuredDask(DaskEngine):
        """Reads the workers' own peaks just before the cluster closes (``with`` looks
        ``__exit__`` up on the class, so this is a subclass, not a patched instance)."""

        def __exit__(self, *exc: object) -> None:
            if self.client is not None:
                peaks = self.client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
                worker_peaks.extend(v / 1024 for v in peaks.values())
            super().__exit__(*exc)

    engine = MeasuredDask(workers=args.workers) if args.mode == "dask" else InProcess()
    t0 = time.perf_counter()
    res = run_sites(find_sites(args.data), args.out, options, engine=engine)
    wall = time.perf_counter() - t0
    print(json.dumps({"mode": args.mode, "wall": wall, "engine": res.engine,
                      "main_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "worker_peaks_mb": worker_peaks,
                      "failed": {o.site: o.error for o in res.failed},
                      "site_seconds": {o.site: o.seconds for o in res.outcomes},
                      "site_cpu": {o.site: o.cpu_seconds for o in res.outcomes},
                      "cores": {o.site: o.cores for o in res.outcomes},
                      "stages": {o.site: o.timings for o in res.outcomes}}))


def site_quality(a: Path, b: Path) -> dict:
    """Same files, or the two gaps to the bound; whether either scheduler was cut by the clock.
    Both runs of the site must have completed."""
    from planner.sites.same import plan_files

    out: dict = {}
    for tag, folder in (("seq", a), ("par", b)):
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        figures = summary["stages"]["schedule"]["figures"]
        out[f"{tag}_clock"] = any(c in n for n in summary["notes"] for c in CLOCK_NOTES if n.startswith("schedule"))
        out[f"{tag}_objective"] = float(figures["objective"].replace(",", ""))
        gap = figures.get("gap to bound")
        out[f"{tag}_gap"] = float(gap.rstrip("%")) if gap else None
    fa, fb = plan_files(a), plan_files(b)
    out["same_files"] = fa == fb
    out["differ"] = sorted(k for k in fa.keys() | fb.keys() if fa.get(k) != fb.get(k))
    return out


def lower_bound(data: Path, run: Path) -> float | None:
    """The scheduler's LP lower bound for a site, from its data and its run's requirements and
    tiers (the same in both runs), computed apart from the timed runs."""
    from planner.io import load_folder
    from planner.scheduling.bound import coverage_lower_bound
    from planner.scheduling.problem import build_problem, read_requirements, read_tiers

    folder = load_folder(data)
    req = read_requirements(run / "requirements.csv", folder.config.center.timezone)
    return coverage_lower_bound(build_problem(folder, req, read_tiers(run / "tiers.csv")))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sites", type=int, default=16)
    ap.add_argument("--agents", type=int, default=100)
    ap.add_argument("--history-weeks", type=int, default=8)
    ap.add_argument("--schedule-seconds", type=float, default=20.0)
    ap.add_argument("--replications", type=int, default=2)
    ap.add_argument("--clock", action="store_true",
                    help="stop each site's scheduler on its time limit (--schedule-seconds) instead "
                         "of its work budgets (planner run --deterministic, the default here)")
    ap.add_argument("--bound", action=argparse.BooleanOptionalAction, default=False,
                    help="compute each site's lower bound inside the runs (`planner run --bound`, "
                         "timed); by default it is computed afterwards, untimed, where the two "
                         "runs' files differ")
    ap.add_argument("--improvement-passes", type=int, default=None,
                    help="planner.toml schedule.improvement_passes of every site (default: the planner's)")
    ap.add_argument("--day-rounds", type=int, default=None,
                    help="planner.toml schedule.day_rounds of every site (default: the planner's)")
    ap.add_argument("--search-moves", type=int, default=None,
                    help="planner.toml schedule.search_moves_per_agent of every site")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--root", type=Path, default=Path("/tmp/bench_sites"))
    ap.add_argument("--mode", choices=("sequential", "dask"), help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.mode:
        return one_mode(args)

    data = args.root / f"data_{args.sites}x{args.agents}_w{args.history_weeks}"
    t0 = time.perf_counter()
    make_sites(data, args.sites, args.agents, args.history_weeks)
    budget = {"improvement_passes": args.improvement_passes, "day_rounds": args.day_rounds,
              "search_moves_per_agent": args.search_moves}
    set_budget(data, args.sites, budget)
    stop = f"clock, {args.schedule_seconds:g} s" if args.clock else "deterministic (work budgets)"
    print(f"{args.sites} sites of {args.agents} agents, {args.history_weeks} weeks of history "
          f"(generated in {time.perf_counter() - t0:.0f} s); schedule {stop}, work budget "
          + (", ".join(f"{k} {v}" for k, v in budget.items() if v is not None) or "the planner's")
          + f"; {args.replications} replications, bound {'on' if args.bound else 'off'}")
    print(f"load before: {Path('/proc/loadavg').read_text().split()[:3]}")
    results = {}
    for mode in ("sequential", "dask"):
        out = args.root / f"run_{mode}"
        shutil.rmtree(out, ignore_errors=True)
        cmd = [sys.executable, __file__, "--mode", mode, "--data", str(data), "--out", str(out),
               "--schedule-seconds", str(args.schedule_seconds), "--replications", str(args.replications),
               "--workers", str(args.workers), "--bound" if args.bound else "--no-bound",
               *(["--clock"] if args.clock else [])]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        line = [s for s in done.stdout.splitlines() if s.startswith("{")]
        if done.returncode or not line:
            print(done.stdout[-3000:], done.stderr[-3000:])
            raise SystemExit(f"{mode} run failed")
        results[mode] = json.loads(line[-1])
        r = results[mode]
        print(f"{mode:>10}: {r['wall']:7.1f} s wall, main process peak {r['main_peak_mb']:,.0f} MB"
              + (" (the Dask scheduler's and client's)" if mode == "dask" else "")
              + (f", workers' peaks {', '.join(f'{v:,.0f}' for v in r['worker_peaks_mb'])} MB"
                 if r["worker_peaks_mb"] else "")
              + f"; {r['engine']}; cores per site {sorted(set(r['cores'].values()))}; "
              f"failed {sorted(r['failed']) or 'none'}")
        print(f"            load after: {Path('/proc/loadavg').read_text().split()[:3]}")
    seq, par = results["sequential"], results["dask"]
    print(f"speed-up {seq['wall'] / par['wall']:.2f}x (goal >= 1.7x); per-site seconds sequential: "
          f"median {sorted(seq['site_seconds'].values())[len(seq['site_seconds']) // 2]:.1f}, "
          f"total {sum(seq['site_seconds'].values()):.0f}")
    # Where the Dask run's wall time went: the sites' own seconds spread evenly over the workers,
    # and the rest (the cluster's start and stop, the roll-up, and workers idle at the end).
    busy = sum(par["site_seconds"].values())
    print(f"dask: sites' seconds {busy:.0f} in all ({busy / sum(seq['site_seconds'].values()):.2f}x the "
          f"sequential sites'), {busy / args.workers:.0f} per worker if evenly spread; the other "
          f"{par['wall'] - busy / args.workers:.0f} s of the wall time: start, stop, roll-up, idle workers")
    for mode, r in (("sequential", seq), ("dask", par)):
        stages = sorted({k for t in r["stages"].values() for k in t})
        med = {k: sorted(t[k] for t in r["stages"].values() if k in t) for k in stages}
        print(f"{mode} per-site stage seconds (median): "
              + ", ".join(f"{k} {v[len(v) // 2]:.1f}" for k, v in med.items())
              + f"; processor seconds per site: median "
                f"{sorted(r['site_cpu'].values())[len(r['site_cpu']) // 2]:.1f}, "
                f"total {sum(r['site_cpu'].values()):.0f}")
    print(f"{'site':<8}{'seq s':>7}{'par s':>7}{'same files':>11}{'clock seq/par':>14}{'gap seq':>9}"
          f"{'gap par':>9}{'diff [pt]':>10}")
    worst = 0.0
    same = compared = 0

    def pct(v: float | None) -> str:
        return "" if v is None else f"{v:.1f}%"

    failed = {}
    for site in sorted(seq["site_seconds"]):
        if site in seq["failed"] or site in par["failed"]:
            failed[site] = seq["failed"].get(site) or par["failed"].get(site)
            print(f"{site:<8}{seq['site_seconds'][site]:7.1f}{par['site_seconds'][site]:7.1f}  failed "
                  f"{'sequential' if site in seq['failed'] else ''}"
                  f"{' and ' if site in seq['failed'] and site in par['failed'] else ''}"
                  f"{'dask' if site in par['failed'] else ''}")
            continue
        q = site_quality(args.root / "run_sequential" / site, args.root / "run_dask" / site)
        if not q["same_files"] and q["seq_gap"] is None:
            bound = lower_bound(data / site, args.root / "run_sequential" / site)
            if bound is not None:
                for tag in ("seq", "par"):
                    obj = q[f"{tag}_objective"]
                    q[f"{tag}_gap"] = 0.0 if obj <= 0 else 100 * max(0.0, obj - bound) / obj
        diff = (q["par_gap"] - q["seq_gap"]) if q["par_gap"] is not None and q["seq_gap"] is not None else None
        if diff is not None:
            worst = max(worst, diff)
        print(f"{site:<8}{seq['site_seconds'][site]:7.1f}{par['site_seconds'][site]:7.1f}"
              f"{'yes' if q['same_files'] else 'no':>11}{q['seq_clock']!s:>7}/{q['par_clock']!s:<6}"
              f"{pct(q['seq_gap']):>9}{pct(q['par_gap']):>9}{'' if diff is None else f'{diff:+.1f}':>10}"
              + (f"  differ: {', '.join(q['differ'][:4])}" if q["differ"] else ""))
        same += q["same_files"]
        compared += 1
    print(f"same files on {same} of {compared} sites compared; largest gap increase on Dask: "
          f"{worst:+.1f} points (goal <= 1)")
    for site, error in failed.items():
        print(f"failed: {site}: {error}")
    print(f"load at the end: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
