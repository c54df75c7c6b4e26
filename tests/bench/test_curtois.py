"""Curtois-Qu reader, independent checker and the `planner bench roster` command."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.bench import check_roster, read_curtois, read_roster_csv, to_roster_problem
from planner.cli import app
from planner.errors import ContractError
from planner.scheduling.roster import roster_objective
from planner.scheduling.roster_check import roster_violations

DATA = Path(__file__).parents[2] / "benchmarks" / "data" / "curtois"


def test_reader_instance1():
    inst = read_curtois(DATA / "Instance1.txt")
    assert inst.days == 14
    assert [s.name for s in inst.shifts] == ["D"]
    assert len(inst.staff) == 8
    a = inst.staff[0]
    assert (a.max_shifts, a.max_minutes, a.min_minutes, a.max_consecutive, a.min_consecutive,
            a.min_days_off, a.max_weekends) == ({"D": 14}, 4320, 3360, 5, 2, 2, 1)
    assert inst.days_off["A"] == frozenset({0})
    assert len(inst.on_requests) == 21 and len(inst.off_requests) == 5
    assert inst.cover[1] == (1, "D", 7, 100, 1)


def test_reader_maps_onto_roster_rules():
    problem = to_roster_problem(read_curtois(DATA / "Instance3.txt"))
    inst = read_curtois(DATA / "Instance3.txt")
    assert problem.days == inst.days
    assert {s.name: s.cannot_follow for s in problem.shift_types} == {
        s.name: frozenset(s.cannot_follow) for s in inst.shifts}
    rules = problem.employees[0]
    assert rules.work_sequence.hard_max == inst.staff[0].max_consecutive
    assert rules.work_sequence.edges_exempt and rules.off_sequence.edges_exempt
    assert len(problem.requests) == len(inst.on_requests) + len(inst.off_requests)


def test_reader_reports_bad_lines(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("SECTION_HORIZON\nfourteen\n\nSECTION_SHIFTS\nD,long,\n", encoding="utf-8")
    with pytest.raises(ContractError) as err:
        read_curtois(bad)
    assert {p.row for p in err.value.problems} == {2, 5, None}  # None: no valid horizon


def test_checker_scores_and_finds_violations():
    inst = read_curtois(DATA / "Instance1.txt")
    empty = check_roster(inst, {})
    # Nobody works: every on-request is broken and every cover unit is short (weight 100).
    expected = sum(w for *_, w in inst.on_requests) + sum(100 * r for _, _, r, _, _ in inst.cover)
    assert empty.score == expected
    assert any("min, outside" in v for v in empty.violations)
    # A works on its day off (0) and 6 days in a row; B works one isolated day inside.
    roster = {("A", d): "D" for d in range(6)} | {("B", 3): "D"}
    res = check_roster(inst, roster)
    text = " | ".join(res.violations)
    assert "A works D on day off 0" in text
    assert "A works 6 days in a row" in text
    assert "B works only 1 days in a row from day 3" in text
    # The same roster scored by the model's cost function (cover and requests only) agrees.
    assert res.score == roster_objective(to_roster_problem(inst), roster)


def test_checker_agrees_with_plain_rule_check_on_edges():
    inst = read_curtois(DATA / "Instance1.txt")
    problem = to_roster_problem(inst)
    # A run of one day at the end of the horizon is not checked against the minimum.
    roster = {("B", 13): "D"}
    assert not any("in a row" in v for v in check_roster(inst, roster).violations)
    assert not any("run" in v for v in roster_violations(problem, roster) if v.startswith("B"))


def test_cli_bench_roster_solves_and_writes_a_rescorable_csv(tmp_path):
    out = tmp_path / "roster.csv"
    result = CliRunner().invoke(app, ["bench", "roster", str(DATA / "Instance1.txt"),
                                      "--schedule-seconds", "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "607" in result.output
    roster = read_roster_csv(out)
    res = check_roster(read_curtois(DATA / "Instance1.txt"), roster)
    assert res.feasible and res.score == 607


def test_cli_bench_roster_missing_file(tmp_path):
    result = CliRunner().invoke(app, ["bench", "roster", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
