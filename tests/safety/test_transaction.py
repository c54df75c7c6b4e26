"""Run folders as transactions: all of the previous run or all of the new one, never a mixture."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli import EXIT_OS_ERROR, app
from planner.io import write_csv, write_text
from planner.io.transaction import RunLockedError, check_run, read_manifest, run_transaction
from tests.report.fixtures_run import write_data, write_run


def _write(folder: Path, names: list[str], text: str) -> None:
    for n in names:
        write_text(text, folder / n)


def _contents(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "run.json"}


def test_a_failed_run_leaves_the_previous_run_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with run_transaction(out, "run", fresh=True) as st:
        _write(st, ["forecast.csv", "schedule.csv", "agents/a1.ics"], "old")
    before, manifest = _contents(out), read_manifest(out)
    with pytest.raises(RuntimeError) as err, run_transaction(out, "run", fresh=True) as st:
        _write(st, ["forecast.csv"], "new")
        raise RuntimeError("schedule stage died")
    assert _contents(out) == before and read_manifest(out) == manifest
    assert any("unchanged" in n for n in err.value.__notes__)
    # Nothing left beside the folder either.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_whole_run_leaves_no_file_of_the_previous_one(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with run_transaction(out, "run", fresh=True) as st:
        _write(st, ["schedule.csv", "agents/gone.ics", "agents/a1.ics"], "old")
    with run_transaction(out, "run", fresh=True) as st:
        _write(st, ["forecast.csv", "agents/a1.ics"], "new")
    assert _contents(out) == {"forecast.csv": "new", "agents/a1.ics": "new"}


def test_a_stage_drops_its_own_and_its_dependants_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    every = ["forecast.csv", "requirements.csv", "tiers.csv", "schedule.csv", "simulation.csv",
             "report.html", "agents/a1.ics", "agents/gone.ics", "notes.txt"]
    with run_transaction(out, "run", fresh=True) as st:
        _write(st, every, "old")
    first = read_manifest(out)["run_id"]
    with run_transaction(out, "tiers") as st:
        assert (st / "tiers.csv").read_text(encoding="utf-8") == "old"  # a stage may read its last output
        _write(st, ["tiers.csv"], "new")
    # Forecast and requirements do not depend on tiers; the schedule, simulation and report did.
    assert _contents(out) == {"forecast.csv": "old", "requirements.csv": "old", "tiers.csv": "new",
                              "notes.txt": "old"}
    files = read_manifest(out)["files"]
    assert files["forecast.csv"]["run"] == first and files["tiers.csv"]["run"] != first
    with run_transaction(out, "report") as st:
        _write(st, ["report.html", "agents/a1.ics"], "new")
    assert "agents/gone.ics" not in _contents(out)


def test_a_second_writer_is_refused_at_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with run_transaction(out, "forecast") as st:
        _write(st, ["forecast.csv"], "first")
        with pytest.raises(RunLockedError, match=r"being written by another planner run \(pid"), \
                run_transaction(out, "schedule"):
            pass
    assert _contents(out) == {"forecast.csv": "first"}
    with run_transaction(out, "forecast") as st:  # the lock is released afterwards
        _write(st, ["forecast.csv"], "second")
    assert _contents(out) == {"forecast.csv": "second"}


def test_a_killed_writer_leaves_no_lock_behind(tmp_path: Path) -> None:
    import contextlib
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    ready = tmp_path / "ready"
    # A writer that holds the lock, forks a child (as the simulation's workers are forked), and
    # waits to be killed.
    code = ("import os, sys, time, pathlib\n"
            "from planner.io.transaction import run_transaction\n"
            "with run_transaction(sys.argv[1], 'forecast'):\n"
            "    child = os.fork()\n"
            "    if child == 0:\n"
            "        time.sleep(60); os._exit(0)\n"
            "    pathlib.Path(sys.argv[3]).write_text(str(child))\n"
            "    pathlib.Path(sys.argv[2]).write_text('x')\n"
            "    time.sleep(60)\n")
    child = tmp_path / "child"
    proc = subprocess.Popen([sys.executable, "-c", code, str(out), str(ready), str(child)],
                            cwd=Path(__file__).resolve().parents[2])
    try:
        for _ in range(600):
            if ready.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert ready.exists()
        with pytest.raises(RunLockedError, match=rf"\(pid {proc.pid}\)"), run_transaction(out, "forecast"):
            pass
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # Nothing of the lock is left in the file system, and the forked child (still sleeping)
        # does not keep the dead writer's lock.
        assert sorted(p.name for p in tmp_path.iterdir() if ".lock" in p.name) == []
        with run_transaction(out, "forecast") as st:
            _write(st, ["forecast.csv"], "after the kill")
        assert _contents(out) == {"forecast.csv": "after the kill"}
    finally:
        proc.kill()
        if child.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(child.read_text()), signal.SIGKILL)


def test_a_killed_run_is_cleaned_up_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with run_transaction(out, "run", fresh=True) as st:
        _write(st, ["forecast.csv"], "old")
    # What kill -9 leaves: a staging folder beside the run, and (between the renames of the
    # fallback swap) the previous run moved aside.
    (tmp_path / ".out.staging-dead").mkdir()
    write_text("half", tmp_path / ".out.staging-dead" / "forecast.csv")
    os.rename(out, tmp_path / ".out.old-x")
    with run_transaction(out, "report") as st:
        assert (st / "forecast.csv").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_run_folder_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with run_transaction(tmp_path / "out", "run", fresh=True) as st:
            _write(st, ["forecast.csv"], "x")
    finally:
        os.umask(old)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "out" / "forecast.csv").stat().st_mode & 0o777 == 0o644


def test_report_refuses_files_of_another_run_and_shows_its_id(tmp_path: Path) -> None:
    data = write_data(tmp_path / "data")
    staged = write_run(tmp_path / "staged")
    out = tmp_path / "run"
    with run_transaction(out, "run", fresh=True) as st:
        for p in staged.iterdir():
            os.link(p, st / p.name)
    first = read_manifest(out)["run_id"]
    done = CliRunner().invoke(app, ["report", "--out", str(out), "--data", str(data)])
    assert done.exit_code == 0, done.output
    manifest = read_manifest(out)
    run_id = manifest["run_id"]
    assert manifest["files"]["schedule.csv"]["run"] == first
    assert manifest["files"]["report.html"]["run"] == run_id != first
    assert run_id in (out / "report.html").read_text(encoding="utf-8")
    assert run_id in (out / "report.md").read_text(encoding="utf-8")
    assert check_run(out) == []
    assert "staging" not in (out / "report.html").read_text(encoding="utf-8")

    # Another run's schedule copied in: the report would mix two plans.
    sched = pd.read_csv(out / "schedule.csv")
    write_csv(sched.iloc[:-3], out / "schedule.csv")
    before = (out / "report.html").read_bytes()
    done = CliRunner().invoke(app, ["report", "--out", str(out), "--data", str(data)])
    assert done.exit_code == 3, done.output
    assert "schedule.csv" in done.output and "not from one run" in " ".join(done.output.split())
    assert (out / "report.html").read_bytes() == before


def test_out_naming_a_file_is_one_line_and_exit_4(tmp_path: Path) -> None:
    data = write_data(tmp_path / "data")
    target = tmp_path / "afile"
    target.write_text("keep me", encoding="utf-8")
    done = CliRunner().invoke(app, ["forecast", "--data", str(data), "--out", str(target)])
    assert done.exit_code == EXIT_OS_ERROR
    assert ("Traceback" not in done.output and done.exception is None) or isinstance(done.exception, SystemExit)
    assert "names a file, not a folder" in done.output
    assert target.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "No space left on device"),
                                             (errno.EACCES, "Permission denied"),
                                             (errno.EROFS, "Read-only file system")])
def test_os_errors_while_writing_are_one_line_and_keep_the_previous_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str) -> None:
    data = write_data(tmp_path / "data")
    staged = write_run(tmp_path / "staged")
    out = tmp_path / "run"
    with run_transaction(out, "run", fresh=True) as st:
        for p in staged.iterdir():
            os.link(p, st / p.name)
    before = _contents(out)

    def refuse(self, path, *args, **kwargs):
        raise OSError(code, os.strerror(code), str(path))

    # The tests run as root, who ignores permissions: the refusal is planted where files are written.
    monkeypatch.setattr(pd.DataFrame, "to_csv", refuse)
    done = CliRunner().invoke(app, ["report", "--out", str(out), "--data", str(data)])
    assert done.exit_code == EXIT_OS_ERROR, done.output
    assert isinstance(done.exception, SystemExit)
    lines = [ln for ln in done.output.splitlines() if ln.strip()]
    assert words in lines[0] and "Traceback" not in done.output
    assert f"{out} is unchanged" in done.output
    assert _contents(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "run", "staged"]


def test_manifest_lists_every_file_with_its_hash(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with run_transaction(out, "run", fresh=True) as st:
        _write(st, ["forecast.csv", "agents/a.ics"], "x")
    m = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert set(m["files"]) == {"forecast.csv", "agents/a.ics"}
    assert m["files"]["forecast.csv"]["sha256"] == \
        "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"  # sha256 of "x"
    assert m["complete"] is True and m["folder"] == str(out)


def test_the_pipeline_runs_every_stage_and_the_cycle_as_a_transaction(tmp_path: Path,
                                                                       monkeypatch) -> None:
    import dataclasses

    from planner import pipeline

    data = write_data(tmp_path / "data")
    out = tmp_path / "out"
    pipeline.run_stage("forecast", data, out)
    pipeline.run_stage("requirements", data, out)
    before, manifest = _contents(out), read_manifest(out)
    assert manifest["complete"] and {"forecast.csv", "requirements.csv"} <= set(before)

    def dies(stage: str):
        real = pipeline.STAGES[stage].write

        def write(result, run):
            written = real(result, run)  # the stage's files are written (into the staging folder)
            raise OSError(errno.ENOSPC, "No space left on device", str(written[0]))

        return write

    stages = dict(pipeline.STAGES)
    for name in ("requirements", "forecast"):
        stages[name] = dataclasses.replace(pipeline.STAGES[name], write=dies(name))
        monkeypatch.setattr(pipeline, "STAGES", stages)
        with pytest.raises(OSError) as err:
            pipeline.run_stage(name, data, out)
        # The message names the run folder, not the staging folder the user never sees.
        assert str(out) in err.value.filename and ".staging-" not in err.value.filename
        assert _contents(out) == before and read_manifest(out) == manifest
    # A whole run that fails in its first stage leaves the previous run as it was, too.
    with pytest.raises(OSError):
        pipeline.run_cycle(data, out)
    assert _contents(out) == before and read_manifest(out) == manifest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]
