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
