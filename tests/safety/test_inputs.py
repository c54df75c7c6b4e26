"""Inputs that are valid but worth a word, and the time a huge bad cell takes to report."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from planner.cli import app
from planner.io import load_folder
from tests.conftest import AGENTS, CASES, SKILLS, write_folder


def test_agents_without_a_skill_and_types_without_an_agent_are_named(tmp_path: Path) -> None:
    agents = AGENTS + "a3,Grace Hopper,south,20,40,5,08:00,20:00\n"
    skills = SKILLS.replace("a1,returns,2\n", "")
    folder = write_folder(tmp_path / "data", {"agents.csv": agents, "skills.csv": skills})
    notes = load_folder(folder).notes
    assert any("1 of 3 agents have no skill" in n and "a3" in n for n in notes), notes
    assert any("no agent has a skill" in n and "returns" in n for n in notes), notes
    result = CliRunner().invoke(app, ["validate", "--data", str(folder)])
    assert result.exit_code == 0
    assert "a3" in result.output and "returns" in result.output


def test_a_huge_cell_is_reported_at_once_and_briefly(tmp_path: Path) -> None:
    # Time grew with the square of the cell's length while printing; 4 MB took minutes.
    row = "c9,2026-03-03 11:00:00," + "y" * 4_000_000 + ",phone,a2,300,10,false,true,false,0,,\n"
    folder = write_folder(tmp_path / "data", {"cases.csv": CASES + row})
    result = CliRunner().invoke(app, ["validate", "--data", str(folder)])
    assert result.exit_code == 2
    assert len(result.output) < 5000
    assert "4,000,000 characters" in result.output


def test_reading_in_blocks_gives_the_same_table_and_row_numbers(tmp_path: Path, monkeypatch) -> None:
    import pandas as pd
    import pytest

    from planner.errors import ContractError
    from planner.io import tables
    from planner.io.contracts import CASES as CASES_CONTRACT

    rows = "".join(f"k{i},2026-03-0{2 + i % 5} 10:00:00,billing,phone,a1,{100 + i},5,false,true,false,0,,\n"
                   for i in range(11))
    folder = write_folder(tmp_path / "data", {"cases.csv": CASES + rows})
    whole = tables.read_table(folder / "cases.csv", CASES_CONTRACT, tz="Europe/London")
    monkeypatch.setattr(tables, "CHUNK_ROWS", 3)
    blocks = tables.read_table(folder / "cases.csv", CASES_CONTRACT, tz="Europe/London")
    pd.testing.assert_frame_equal(whole, blocks)
    # A bad value and a repeated id in the fourth block are named by their line in the file.
    bad = CASES + rows.replace("k9,", "k1,").replace(",110,", ",-1,")
    (folder / "cases.csv").write_text(bad, encoding="utf-8")
    with pytest.raises(ContractError) as err:
        tables.read_table(folder / "cases.csv", CASES_CONTRACT, tz="Europe/London")
    assert [(p.row, p.column) for p in err.value.problems] == [(16, "handle_seconds")]
    (folder / "cases.csv").write_text(CASES + rows.replace("k9,", "k1,"), encoding="utf-8")
    with pytest.raises(ContractError) as err:
        tables.read_table(folder / "cases.csv", CASES_CONTRACT, tz="Europe/London")
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [(15, "case_id", "k1")]


def test_right_to_left_names_with_their_marks_are_valid(tmp_path: Path) -> None:
    # Only the overrides and isolates are refused: Hebrew and Arabic names, and the
    # right-to-left mark (U+200F) exports put beside them, are ordinary text.
    agents = AGENTS.replace("Ada Lovelace", "\u05e2\u05d3\u05d4 \u200f(Ada)").replace(
        "Alan Turing", "\u0622\u0644\u0627\u0646 \u062a\u0648\u0631\u064a\u0646\u06af")
    folder = write_folder(tmp_path / "data", {"agents.csv": agents})
    names = list(load_folder(folder).agents["name"])
    assert names[0] == "\u05e2\u05d3\u05d4 \u200f(Ada)" and names[1].startswith("\u0622")


def test_a_skipped_local_time_is_named_as_such_and_a_malformed_one_as_malformed() -> None:
    import pandas as pd

    from planner.io.tables import parse_datetime

    values = pd.Series(["2026-03-29 00:59", "2026-03-29 01:00", "2026-03-29 01:59:59",
                        "2026-03-29 02:00", "2026-03-29T01:30:00+00:00", "2026-03-29 25:00", ""])
    out, bad, gap = parse_datetime(values, "Europe/London")
    assert list(bad) == [False, True, True, False, False, True, False]
    assert list(gap) == [False, True, True, False, False, False, False]
    # With its offset the same wall time is a real instant: 01:30 UTC is 02:30 BST.
    assert out[4] == pd.Timestamp("2026-03-29 02:30")


def test_an_optional_file_with_a_header_only_means_nothing_to_say(tmp_path: Path) -> None:
    import pytest

    from planner.errors import ContractError

    empty = {"availability.csv": "agent_id,date,start,end,kind,weight\n",
             "training.csv": "agent_id,topic,hours\n",
             "events.csv": "start,end,case_type,kind,multiplier\n"}
    folder = write_folder(tmp_path / "data", empty)
    data = load_folder(folder)
    assert data.availability is None and data.training is None and data.events is None
    # Agents, skills and the history still need rows.
    folder = write_folder(tmp_path / "data2", {"skills.csv": "agent_id,case_type,level\n"})
    with pytest.raises(ContractError) as err:
        load_folder(folder)
    assert any(p.value == "header only" and p.file.endswith("skills.csv") for p in err.value.problems)


def test_a_tiny_sample_validates(tmp_path: Path) -> None:
    # Five agents over one week had no availability rows, and validate refused the header.
    runner = CliRunner()
    made = runner.invoke(app, ["sample", "--agents", "5", "--history-weeks", "1",
                               "--out", str(tmp_path / "data")])
    assert made.exit_code == 0, made.output
    result = runner.invoke(app, ["validate", "--data", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output


def test_keeping_some_columns_still_checks_them_all(tmp_path: Path, monkeypatch) -> None:
    import pandas as pd
    import pytest

    from planner.errors import ContractError
    from planner.forecast import CASE_COLUMNS
    from planner.io import tables
    from planner.io.contracts import CASES as CASES_CONTRACT

    rows = "".join(f"k{i},2026-03-0{2 + i % 5} 10:00:00,billing,phone,a1,{100 + i},5,false,true,false,0,,\n"
                   for i in range(11))
    folder = write_folder(tmp_path / "data", {"cases.csv": CASES + rows})
    monkeypatch.setattr(tables, "CHUNK_ROWS", 3)
    whole = tables.read_table(folder / "cases.csv", CASES_CONTRACT, tz="Europe/London")
    kept = tables.read_table(folder / "cases.csv", CASES_CONTRACT, tz="Europe/London",
                             keep=CASE_COLUMNS)
    assert list(kept.columns) == [c for c in whole.columns if c in CASE_COLUMNS]
    pd.testing.assert_frame_equal(kept, whole[list(kept.columns)])
    # A column that is not kept is checked all the same.
    (folder / "cases.csv").write_text(CASES + rows.replace(",5,false", ",-5,false", 1), encoding="utf-8")
    with pytest.raises(ContractError) as err:
        tables.read_table(folder / "cases.csv", CASES_CONTRACT, tz="Europe/London", keep=CASE_COLUMNS)
    assert [(p.row, p.column) for p in err.value.problems] == [(6, "wait_seconds")]
    # The key is not kept: a repeat across blocks is found by its hash and named exactly.
    (folder / "cases.csv").write_text(CASES + rows.replace("k9,", "k1,"), encoding="utf-8")
    with pytest.raises(ContractError) as err:
        tables.read_table(folder / "cases.csv", CASES_CONTRACT, tz="Europe/London", keep=CASE_COLUMNS)
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [(15, "case_id", "k1")]


def test_the_forecast_stage_on_its_own_reads_only_its_columns(tmp_path: Path, monkeypatch) -> None:
    import pandas as pd

    from planner import pipeline
    from planner.forecast import CASE_COLUMNS, forecast

    rows = "".join(f"h{i},2026-02-{1 + i % 28:02d} {8 + i % 10}:15:00,billing,phone,a1,{200 + i % 90},"
                   "5,false,true,false,0,,\n" for i in range(600))
    folder = write_folder(tmp_path / "data", {"cases.csv": CASES + rows})
    seen = []
    real = pipeline.load_folder

    def spy(path, **kw):
        seen.append(kw.get("case_columns"))
        return real(path, **kw)

    monkeypatch.setattr(pipeline, "load_folder", spy)
    alone = pipeline.run_stage("forecast", folder, tmp_path / "run")
    assert seen == [CASE_COLUMNS]
    whole = forecast(load_folder(folder))
    pd.testing.assert_frame_equal(alone.forecast, whole.forecast)
