"""The command line's conventions: units survive rich's markup, choices are choices, --version,
`sample` never overwrites a folder, `check` finds a planted violation, --json is JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from planner import pipeline
from planner.cli import app
from planner.versions import planner_version
from tests.scheduling.helpers import write_center

WIDE = {"COLUMNS": "400", "TERMINAL_WIDTH": "400", "NO_COLOR": "1"}
UNIT = re.compile(r"\[[^\]\[]+\]")


def commands() -> list[tuple[list[str], object]]:
    """Every command and sub-command with the words that invoke it."""
    root = typer.main.get_command(app)
    found = []

    def walk(cmd, words: list[str]) -> None:
        found.append((words, cmd))
        # Duck-typed: typer may bring its own copy of click.
        if getattr(cmd, "commands", None):
            for name, sub in cmd.commands.items():
                walk(sub, [*words, name])

    walk(root, [])
    return found


def _plain(text: str) -> str:
    """Help text as a reader sees it: rich's escape backslashes removed, whitespace collapsed."""
    return " ".join(text.replace("\\[", "[").split())


@pytest.mark.parametrize("words,cmd", commands(), ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_every_help_shows_its_units(words: list[str], cmd) -> None:
    helps = [cmd.help or ""] + [getattr(p, "help", None) or "" for p in cmd.params]
    units = {u for h in helps for u in UNIT.findall(_plain(h))}
    done = CliRunner().invoke(app, [*words, "--help"], env=WIDE)
    assert done.exit_code == 0, done.output
    shown = " ".join(done.output.replace("│", " ").split())
    lost = [u for u in units if u not in shown]
    assert lost == [], f"{' '.join(words)} --help lost {lost}"


def test_the_units_test_sees_a_lost_unit() -> None:
    # A control: rich drops an unescaped [s] from a help text, which is what the test above catches.
    probe = typer.Typer()

    @probe.command()
    def cmd(x: int = typer.Option(1, help="Time [s] of x")) -> None:  # pragma: no cover
        pass

    @probe.command()
    def other() -> None:  # pragma: no cover
        pass

    out = CliRunner().invoke(probe, ["cmd", "--help"], env=WIDE).output
    assert "Time" in out and "[s]" not in out


def test_seconds_options_say_seconds() -> None:
    for words, cmd in commands():
        for p in cmd.params:
            for opt in getattr(p, "opts", []):
                if opt in ("--time-limit", "--overflow-after", "--relax-after", "--weeks"):
                    pytest.fail(f"{' '.join(words)} still has {opt}")


def test_bad_choices_exit_2_and_choices_are_listed() -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["requirements", "--model", "erlang_x"])
    assert bad.exit_code == 2 and "erlang_c" in bad.output
    bad = runner.invoke(app, ["simulate", "--policy", "random"])
    assert bad.exit_code == 2 and "tier-aware" in bad.output
    bad = runner.invoke(app, ["simulate", "--scenario", "lots"])
    assert bad.exit_code == 2 and "low or high" in " ".join(bad.output.split())
    helped = runner.invoke(app, ["simulate", "--help"], env=WIDE).output
    assert "tier-aware" in helped and "longest-idle" in helped


def test_version() -> None:
    done = CliRunner().invoke(app, ["--version"])
    assert done.exit_code == 0
    assert done.output.strip() == f"planner {planner_version()}"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", planner_version())


def test_cli_defaults_are_the_pipelines() -> None:
    from planner import cli

    assert cli.SCHEDULE_SECONDS == pipeline.SCHEDULE_SECONDS
    assert cli.REPLICATIONS == pipeline.REPLICATIONS
    assert cli.RESOLVE_SECONDS == pipeline.RESOLVE_SECONDS


def test_sample_refuses_an_existing_folder(tmp_path: Path) -> None:
    out = tmp_path / "data"
    out.mkdir()
    (out / "cases.csv").write_text("mine\n", encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(app, ["sample", "--out", str(out), "--history-weeks", "1", "--agents", "20"])
    assert refused.exit_code == 2
    assert "--force" in refused.output
    assert (out / "cases.csv").read_text(encoding="utf-8") == "mine\n"
    assert sorted(p.name for p in out.iterdir()) == ["cases.csv"]
    forced = runner.invoke(app, ["sample", "--out", str(out), "--history-weeks", "1", "--agents", "20",
                                 "--force"])
    assert forced.exit_code == 0, forced.output
    assert not (out / "cases.csv").exists() and (out / "cases.csv.gz").exists()
    assert runner.invoke(app, ["validate", "--data", str(out)]).exit_code == 0
    # --out is required: no default that could land on the data folder every command reads.
    assert runner.invoke(app, ["sample"]).exit_code == 2


def _planned(tmp_path: Path) -> tuple[Path, Path]:
    data, run = tmp_path / "data", tmp_path / "run"
    agents = [(f"a{i}", 0, 40) for i in range(3)]
    write_center(data, run, agents, [(a, "common", 3) for a, _, _ in agents], {"common": 1.0})
    pipeline.run_stage("schedule", data, run, time_limit=4, seed=0)
    return data, run


def test_check_passes_a_plan_and_catches_a_planted_violation(tmp_path: Path) -> None:
    data, run = _planned(tmp_path)
    runner = CliRunner()
    ok = runner.invoke(app, ["check", "--data", str(data), "--out", str(run)])
    assert ok.exit_code == 0, ok.output
    assert "every hard rule holds" in ok.output
    # Plant a violation: an agent works an activity they have no skill for.
    asg = pd.read_csv(run / "assignments.csv", dtype={"agent_id": str})
    work = asg.index[asg["activity"] == "common"][0]
    asg.loc[work, "activity"] = "expert"
    asg.to_csv(run / "assignments.csv", index=False)
    bad = runner.invoke(app, ["check", "--data", str(data), "--out", str(run), "--json"])
    assert bad.exit_code == 2
    found = json.loads(bad.stdout)
    assert found["ok"] is False
    who = asg.at[work, "agent_id"]
    assert any(who in v and "expert" in v for v in found["violations"]), found["violations"]


def test_check_without_a_plan_says_what_is_missing(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["check", "--data", str(tmp_path), "--out", str(tmp_path / "none")])
    assert done.exit_code == 3
    assert "schedule.csv" in done.output


def test_stage_json_and_summary(tmp_path: Path) -> None:
    data, run = _planned(tmp_path)
    done = CliRunner().invoke(app, ["schedule", "--data", str(data), "--out", str(run),
                                    "--schedule-seconds", "3", "--json"])
    assert done.exit_code == 0, done.output
    printed = json.loads(done.stdout)
    assert printed["stage"] == "schedule"
    assert printed["versions"]["planner"] == planner_version()
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    assert summary["stages"]["schedule"]["figures"] == printed["figures"]
    assert "shortfall" in printed["figures"]


def test_quiet_prints_nothing_but_errors(tmp_path: Path) -> None:
    data, run = _planned(tmp_path)
    done = CliRunner().invoke(app, ["--quiet", "schedule", "--data", str(data), "--out", str(run),
                                    "--schedule-seconds", "3"])
    assert done.exit_code == 0
    assert done.output.strip() == ""
