"""Many sites at once: a LocalCluster run gives the sequential run's files, a broken site is named
and the others complete, a folder split by site gives the plans of separate folders, a lost worker's
job runs once more."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.sites import DaskEngine, InProcess, SiteOptions, find_sites, make_engine, run_sites
from planner.sites import engine as engine_module
from planner.sites.engine import dask_available, machine_cores
from planner.sites.same import plan_files as run_files
from tests.sites.helpers import CLOCK_NOTES, OPTIONS, write_site, write_sites

needs_dask = pytest.mark.skipif(not dask_available(), reason="needs the distributed extra (dask)")

SITES = ("leeds", "york", "boston")
TRIM_BEFORE = os.environ.get("MALLOC_TRIM_THRESHOLD_")
BROKEN_AGENTS = "agent_id,name,team,min_hours,max_hours\nb1,Bea Broken,north,30,forty\n"


@pytest.fixture(scope="module")
def sequential(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sites")
    write_sites(root / "data", SITES)
    res = run_sites(find_sites(root / "data"), root / "run", SiteOptions(**OPTIONS), engine=InProcess())
    assert res.exit_code == 0, [o.error for o in res.failed]
    return root


@pytest.fixture(scope="module")
def on_dask(sequential: Path) -> tuple[Path, object]:
    """The same three sites and a fourth whose agents.csv is broken, on two worker processes."""
    root = sequential
    for name in SITES:
        shutil.copytree(root / "data" / name, root / "dask_data" / name)
    broken = write_site(root / "dask_data" / "broken", "leeds")
    (broken / "agents.csv").write_text(BROKEN_AGENTS, encoding="utf-8")
    res = run_sites(find_sites(root / "dask_data"), root / "dask_run", SiteOptions(**OPTIONS),
                    engine=DaskEngine(workers=2))
    return root, res


@needs_dask
@pytest.mark.slow
def test_two_worker_cluster_gives_the_sequential_files(on_dask) -> None:
    root, _ = on_dask
    seq = json.loads((root / "run" / "sites.json").read_text(encoding="utf-8"))
    for name in SITES:
        notes = json.loads((root / "run" / name / "summary.json").read_text(encoding="utf-8"))["notes"]
        # The premise: no stage was cut by the clock, so the plan is the seed's alone.
        assert not [n for n in notes if any(c in n for c in CLOCK_NOTES)], notes
        manifest = json.loads((root / "dask_run" / name / "run.json").read_text(encoding="utf-8"))
        assert manifest["deterministic"] is True
        first, second = run_files(root / "run" / name), run_files(root / "dask_run" / name)
        assert sorted(first) == sorted(second)
        assert [f for f in first if first[f] != second[f]] == []
        assert seq["sites"][name]["cores"] == machine_cores()
    # Sequentially each site's solvers had every core, on Dask half of them: the plans above are
    # the same all the same.
    # Each site's solvers sized to its worker: this machine's cores shared by two task slots.
    dask = json.loads((root / "dask_run" / "sites.json").read_text(encoding="utf-8"))
    assert {dask["sites"][n]["cores"] for n in SITES} == {max(1, machine_cores() // 2)}
    assert "2 worker(s)" in dask["engine"]
    # The combined coverage: every site's rows, with its name.
    combined = pd.read_csv(root / "dask_run" / "coverage.csv")
    for name in SITES:
        own = pd.read_csv(root / "run" / name / "coverage.csv")
        mine = combined[combined["site"] == name].drop(columns="site").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, own)


@needs_dask
@pytest.mark.slow
def test_broken_site_is_named_and_the_others_complete(on_dask) -> None:
    root, res = on_dask
    assert res.exit_code == 2  # bad input
    assert [o.site for o in res.failed] == ["broken"]
    sites = pd.read_csv(root / "dask_run" / "sites.csv", keep_default_na=False)
    top = sites.iloc[0]
    assert top["site"] == "broken" and top["status"] == "failed"
    assert "agents.csv" in top["error"] and "row 2" in top["error"] and "max_hours" in top["error"]
    assert (sites["status"] == "done").sum() == 3
    assert "broken" in (root / "dask_run" / "report.md").read_text(encoding="utf-8")
    assert not (root / "dask_run" / "broken").exists()  # nothing half-written
    for name in SITES:  # complete: every file of the sequential run, the same
        assert run_files(root / "dask_run" / name) == run_files(root / "run" / name)
    hiring = pd.read_csv(root / "dask_run" / "hiring.csv")
    assert set(hiring["site"]) <= set(SITES)


def _join(sources: list[Path], dest: Path) -> Path:
    """One data folder holding the sites' agents (with a site column), skills and cases."""
    dest.mkdir(parents=True)
    shutil.copy(sources[0] / "planner.toml", dest / "planner.toml")
    frames = {}
    for name in ("agents.csv", "skills.csv", "cases.csv"):
        parts = []
        for src in sources:
            part = pd.read_csv(src / name, dtype=str, keep_default_na=False)
            if name == "agents.csv":
                part["site"] = src.name
            parts.append(part)
        frames[name] = pd.concat(parts, ignore_index=True)
        frames[name].to_csv(dest / name, index=False)
    return dest


@pytest.mark.slow
def test_split_by_site_gives_the_plans_of_separate_folders(sequential: Path) -> None:
    root = sequential
    two = [root / "data" / "leeds", root / "data" / "york"]
    assert (two[0] / "planner.toml").read_text() == (two[1] / "planner.toml").read_text()
    data = _join(two, root / "joined")
    out = root / "split_run"
    done = CliRunner().invoke(app, ["run", "--data", str(data), "--split-by", "site", "--out", str(out),
                                    "--schedule-seconds", str(OPTIONS["schedule_seconds"]),
                                    "--replications", str(OPTIONS["replications"]), "--in-process",
                                    "--deterministic"])
    assert done.exit_code == 0, done.output
    for name in ("leeds", "york"):
        assert run_files(out / name) == run_files(root / "run" / name)
    assert set(pd.read_csv(out / "sites.csv")["site"]) == {"leeds", "york"}


def test_a_broken_site_fails_the_command_with_its_name(tmp_path: Path) -> None:
    bad = write_site(tmp_path / "sites" / "broken", "leeds")
    (bad / "agents.csv").write_text(BROKEN_AGENTS, encoding="utf-8")
    done = CliRunner().invoke(app, ["run", "--sites", str(tmp_path / "sites"), "--out",
                                    str(tmp_path / "run"), "--in-process"])
    assert done.exit_code == 2
    text = " ".join(done.output.split())
    assert "broken" in text and "max_hours" in text
    assert "Traceback" not in done.output
    assert (tmp_path / "run" / "sites.csv").exists()


def test_without_dask_the_sites_run_in_process(monkeypatch) -> None:
    assert isinstance(make_engine(sequential=True), InProcess)
    monkeypatch.setattr(engine_module, "dask_available", lambda: False)
    assert isinstance(engine_module.make_engine(), InProcess)
    assert isinstance(engine_module.make_engine(workers=2), InProcess)


def _die_first_time(marker: str, env) -> str:
    """A job whose first run kills its worker process (as a machine lost would)."""
    import os

    path = Path(marker)
    if not path.exists():
        path.write_text("died once", encoding="utf-8")
        os._exit(1)
    return f"{env.key} ran"


def _trim_threshold(env) -> str | None:
    import os

    return os.environ.get("MALLOC_TRIM_THRESHOLD_")


def _always_die(env) -> str:
    import os

    os._exit(1)


@needs_dask
def test_a_lost_worker_job_runs_once_more(tmp_path: Path) -> None:
    import sys

    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    events: list[tuple[str, str]] = []
    with DaskEngine(workers=1) as dask:
        got = dask.map(_die_first_time, {"once": (str(tmp_path / "marker"),)},
                       lambda k, kind, _t: events.append((k, kind)))
        gone = dask.map(_always_die, {"twice": ()})
        trim = dask.map(_trim_threshold, {"trim": ()})["trim"].value
    assert got["once"].value == "once ran" and got["once"].attempts == 2
    assert ("once", "retry") in events and ("once", "done") in events
    assert gone["twice"].value is None and gone["twice"].attempts == 2
    assert gone["twice"].error.startswith("worker lost")
    # Dask's default 64 KiB trim threshold made the planner's pandas stages fault their memory back
    # in (tiers: 2.5x the processor time); our workers keep what the shell gave (glibc's default).
    # (Read before any cluster ran: a Nanny also writes its workers' environment into ours.)
    assert trim == TRIM_BEFORE
