"""The bad-input corpus: every user mistake gives exit code 2, names file/row/column, no traceback.

Each case changes one file of a valid folder. The expected fragments are the file name and the
column (or row) the message must point at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from tests.conftest import AGENTS, AVAILABILITY, CASES, CONFIG, SKILLS, write_folder

HEADER = CASES.splitlines()[0]


def cases_with(row: str) -> str:
    return CASES + row + "\n"


ROW6 = "c5,2026-03-03 11:00:00,billing,phone,a2,{h},10,false,true,false,0,{csat},{qa}"


def case_row(h="300", csat="", qa="", created="2026-03-03 11:00:00", ctype="billing",
             abandoned="false", transfers="0", agent="a2", case_id="c5") -> str:
    return (f"{case_id},{created},{ctype},phone,{agent},{h},10,{abandoned},true,false,"
            f"{transfers},{csat},{qa}")


CORPUS: list[tuple[str, dict, list[str]]] = [
    ("missing required column",
     {"cases.csv": CASES.replace("created_at,", "opened,", 1)}, ["cases.csv", "created_at"]),
    ("unparseable timestamp", {"cases.csv": cases_with(case_row(created="yesterday"))},
     ["cases.csv", "created_at", "6"]),
    ("impossible timestamp", {"cases.csv": cases_with(case_row(created="2026-02-30 10:00"))},
     ["cases.csv", "created_at", "2026-02-30"]),
    ("impossible hour", {"cases.csv": cases_with(case_row(created="2026-03-03 25:10"))},
     ["cases.csv", "created_at", "an ISO-8601 timestamp"]),
    ("DST gap: a local time that never existed",
     {"cases.csv": cases_with(case_row(created="2026-03-29 01:30:00"))},
     ["cases.csv", "created_at", "2026-03-29 01:30", "a local time that exists in Europe/London"]),
    ("negative handle time", {"cases.csv": cases_with(case_row(h="-5"))},
     ["cases.csv", "handle_seconds", "-5"]),
    ("absurd handle time", {"cases.csv": cases_with(case_row(h="900000"))},
     ["cases.csv", "handle_seconds", "900000"]),
    ("handle time not a number", {"cases.csv": cases_with(case_row(h="5 min"))},
     ["cases.csv", "handle_seconds"]),
    ("csat out of range", {"cases.csv": cases_with(case_row(csat="6"))}, ["cases.csv", "csat"]),
    ("qa score above 100", {"cases.csv": cases_with(case_row(qa="140"))},
     ["cases.csv", "qa_score"]),
    ("boolean not a boolean", {"cases.csv": cases_with(case_row(abandoned="maybe"))},
     ["cases.csv", "abandoned", "maybe"]),
    ("fractional transfers", {"cases.csv": cases_with(case_row(transfers="1.5"))},
     ["cases.csv", "transfers"]),
    ("empty case type", {"cases.csv": cases_with(case_row(ctype=""))},
     ["cases.csv", "case_type", "6"]),
    ("duplicate case id", {"cases.csv": cases_with(case_row(case_id="c1"))},
     ["cases.csv", "case_id", "c1"]),
    ("case handled by an unknown agent", {"cases.csv": cases_with(case_row(agent="zz9"))},
     ["cases.csv", "agent_id", "zz9"]),
    ("empty file", {"cases.csv": ""}, ["cases.csv", "header"]),
    ("header only", {"cases.csv": HEADER + "\n"}, ["cases.csv", "header only"]),
    ("wrong delimiter", {"cases.csv": CASES.replace(",", ";")}, ["cases.csv", "';'-separated"]),
    ("non-UTF-8 bytes", {"agents.csv": AGENTS.replace("Ada", "Ad\xe9").encode("latin-1")},
     ["agents.csv", "UTF-8", "2"]),
    ("UTF-16 byte-order mark", {"agents.csv": AGENTS.encode("utf-16")},
     ["agents.csv", "UTF-16"]),
    ("duplicate agent id", {"agents.csv": AGENTS + "a1,Ada Again,north,20,40,5,08:00,20:00\n"},
     ["agents.csv", "agent_id", "a1"]),
    ("min hours above max hours", {"agents.csv": AGENTS.replace("a2,Alan Turing,north,30,40",
                                                                 "a2,Alan Turing,north,45,40")},
     ["agents.csv", "min_hours", "3"]),
    ("time of day not a time", {"agents.csv": AGENTS.replace("07:00", "7am")},
     ["agents.csv", "earliest_start", "7am"]),
    ("skill for an unknown agent", {"skills.csv": SKILLS + "ghost,billing,3\n"},
     ["skills.csv", "agent_id", "ghost"]),
    ("skill for an unknown case type", {"skills.csv": SKILLS + "a2,astrology,3\n"},
     ["skills.csv", "case_type", "astrology"]),
    ("skill level out of range", {"skills.csv": SKILLS + "a2,returns,7\n"},
     ["skills.csv", "level", "7"]),
    ("duplicate skill row", {"skills.csv": SKILLS + "a1,billing,2\n"},
     ["skills.csv", "agent_id, case_type"]),
    ("availability kind unknown",
     {"availability.csv": AVAILABILITY + "a1,2026-03-11,09:00,12:00,holiday,\n"},
     ["availability.csv", "kind", "holiday"]),
    ("availability ends before it starts",
     {"availability.csv": AVAILABILITY + "a1,2026-03-11,15:00,09:00,unavailable,\n"},
     ["availability.csv", "end"]),
    ("availability for an unknown agent",
     {"availability.csv": AVAILABILITY + "nobody,2026-03-11,09:00,12:00,unavailable,\n"},
     ["availability.csv", "agent_id", "nobody"]),
    ("availability date impossible",
     {"availability.csv": AVAILABILITY + "a1,2026-13-01,09:00,12:00,unavailable,\n"},
     ["availability.csv", "date"]),
    ("unknown config key", {"planner.toml": CONFIG + "\n[staffing]\nshrinkge = 0.3\n"},
     ["planner.toml", "staffing.shrinkge"]),
    ("service target outside 0..1",
     {"planner.toml": CONFIG.replace("service_level = 0.8", "service_level = 1.2")},
     ["planner.toml", "case_types.billing.service_level"]),
    ("shrinkage of 100%", {"planner.toml": CONFIG + "\n[staffing]\nshrinkage = 1.0\n"},
     ["planner.toml", "staffing.shrinkage"]),
    ("interval length not 15/30/60",
     {"planner.toml": CONFIG.replace("interval_minutes = 30", "interval_minutes = 20")},
     ["planner.toml", "center.interval_minutes"]),
    ("unknown time zone",
     {"planner.toml": CONFIG.replace("Europe/London", "Mars/Olympus")},
     ["planner.toml", "center.timezone"]),
    ("malformed opening hours",
     {"planner.toml": CONFIG + '\n[center.opening_hours]\nmon = "25:00-26:00"\n'},
     ["planner.toml", "opening_hours"]),
    ("TOML syntax error", {"planner.toml": CONFIG + "\n[staffing\n"}, ["planner.toml", "TOML"]),
    ("no history file at all", {"cases.csv": None}, ["cases.csv or volumes.csv"]),
    ("volumes with a negative count",
     {"volumes.csv": "case_type,interval_start,volume\nbilling,2026-03-02 09:00,-3\n"},
     ["volumes.csv", "volume", "-3"]),
    # Bytes no text field holds: pandas would cut the field at a NUL and read on silently.
    ("NUL byte inside a case type", {"cases.csv": cases_with(case_row(ctype="bil\0ling"))},
     ["cases.csv", "case_type", "6", "control"]),
    ("NUL byte inside a timestamp",
     {"cases.csv": cases_with(case_row(created="2026-03-03\0T11:00:00"))},
     ["cases.csv", "created_at", "6", "control"]),
    ("escape character in a name", {"agents.csv": AGENTS.replace("Ada", "A\x1b[31mda")},
     ["agents.csv", "name", "2", "control"]),
    ("bare carriage return in a name", {"agents.csv": AGENTS.replace("Alan Turing", "Alan\rTuring")},
     ["agents.csv", "name", "3", "control"]),
    ("C1 control character in a team", {"agents.csv": AGENTS.replace("north", "no\x85rth", 1)},
     ["agents.csv", "team", "2", "control"]),
    # Direction overrides and isolates make a name display as another ("Trojan Source").
    ("right-to-left override in a name",
     {"agents.csv": AGENTS.replace("Alan Turing", "Alan \u202egniruT")},
     ["agents.csv", "name", "3", "direction overrides", "u202e"]),
    ("direction isolate in a skill's case type", {"skills.csv": SKILLS + "a2,ret\u2067urns,3\n"},
     ["skills.csv", "case_type", "5", "direction overrides"]),
    ("direction override spelled as a TOML escape",
     {"planner.toml": CONFIG.replace("[center]\n", '[center]\nname = "Help\\u202Edesk"\n', 1)},
     ["planner.toml", "center.name", "direction overrides"]),
    ("one cell of a megabyte", {"cases.csv": cases_with(case_row(ctype="x" * 1_000_000))},
     ["cases.csv", "case_type", "6", "1,000,000 characters", "at most 1,000"]),
    ("skills.csv without agents.csv", {"agents.csv": None}, ["agents.csv", "beside skills.csv"]),
    ("agents.csv without skills.csv", {"skills.csv": None}, ["skills.csv", "beside agents.csv"]),
    ("rich markup in a value", {"skills.csv": SKILLS + "a2,[/bold]x,3\n"},
     ["skills.csv", "case_type", "[/bold]x"]),
]


@pytest.mark.parametrize(("label", "overrides", "fragments"), CORPUS, ids=[c[0] for c in CORPUS])
def test_bad_input_is_explained(tmp_path: Path, label: str, overrides: dict,
                                fragments: list[str]) -> None:
    folder = write_folder(tmp_path / "data", overrides)
    before = sorted(p.name for p in folder.iterdir())
    result = CliRunner().invoke(app, ["validate", "--data", str(folder)])
    assert result.exit_code == 2, (label, result.output)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for fragment in fragments:
        assert fragment in result.output, (label, fragment, result.output)
    # validate never writes: the folder is exactly as it was.
    assert sorted(p.name for p in folder.iterdir()) == before


def test_corpus_is_large_and_distinct() -> None:
    assert len(CORPUS) >= 25
    assert len({c[0] for c in CORPUS}) == len(CORPUS)


def test_all_problems_are_collected_not_only_the_first(tmp_path: Path) -> None:
    bad = cases_with(case_row(h="-1", csat="9", created="2026-02-31 09:00"))
    folder = write_folder(tmp_path / "data", {
        "cases.csv": bad, "skills.csv": SKILLS + "a1,astrology,2\n",
    })
    result = CliRunner().invoke(app, ["validate", "--data", str(folder)])
    assert result.exit_code == 2
    for fragment in ("handle_seconds", "csat", "created_at"):
        assert fragment in result.output


@pytest.mark.parametrize(("label", "overrides", "fragments"), CORPUS[:12], ids=[c[0] for c in CORPUS[:12]])
def test_a_writing_stage_leaves_no_output_on_bad_input(tmp_path: Path, label: str, overrides: dict,
                                                       fragments: list[str]) -> None:
    folder = write_folder(tmp_path / "data", overrides)
    run = tmp_path / "run"
    result = CliRunner().invoke(app, ["forecast", "--data", str(folder), "--out", str(run)])
    assert result.exit_code == 2, (label, result.output)
    assert "Traceback" not in result.output
    assert not run.exists() or list(run.iterdir()) == []
