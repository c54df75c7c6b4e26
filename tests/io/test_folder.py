from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import ContractError, MissingInputError
from planner.io import load_folder, read_config, write_csv
from tests.conftest import CASES, write_folder


def test_valid_folder_reads_typed_frames(valid_folder: Path) -> None:
    data = load_folder(valid_folder)
    cases = data.cases
    assert len(cases) == 4
    assert cases["created_at"].dtype == "datetime64[ns]"
    assert cases["created_at"].iloc[0] == pd.Timestamp("2026-03-02 09:15")
    assert cases["handle_seconds"].iloc[1] == 410.0
    assert bool(cases["abandoned"].iloc[3]) is True
    assert pd.isna(cases["agent_id"].iloc[3])
    assert data.case_types == ["billing", "returns"]
    assert data.config.case_type("returns").concurrency == 2
    # Times of day become minutes after midnight; 24:00 is the end of the day.
    assert data.availability["end"].iloc[0] == 24 * 60
    assert data.agents["earliest_start"].iloc[0] == 8 * 60


def test_cases_only_folder_runs_on_defaults(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "d", {"agents.csv": None, "skills.csv": None,
                                           "availability.csv": None, "planner.toml": None})
    data = load_folder(folder)
    assert data.config.center.interval_minutes == 30
    assert data.config.staffing.shrinkage == pytest.approx(0.30)
    with pytest.raises(MissingInputError, match=r"agents\.csv"):
        data.require_agents("schedule")
    result = CliRunner().invoke(app, ["validate", "--data", str(folder)])
    assert result.exit_code == 0, result.output
    assert "need them" in result.output


def test_offsets_convert_to_local_time(tmp_path: Path) -> None:
    cases = CASES.replace("2026-03-02 09:15:00", "2026-07-01T08:15:00Z")
    data = load_folder(write_folder(tmp_path / "d", {"cases.csv": cases}))
    # London is UTC+1 in July.
    assert data.cases["created_at"].iloc[0] == pd.Timestamp("2026-07-01 09:15")


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    data = load_folder(write_folder(tmp_path / "d", {"cases.csv": "\ufeff" + CASES}))
    assert "case_id" in data.cases.columns


def test_column_map_reads_an_export(tmp_path: Path) -> None:
    export = CASES.replace("case_id,created_at,case_type", "Ticket,Opened at,Type")
    export = export.replace(",5,90", ",Good,90")
    config = (
        '[input]\ncases_file = "export.csv"\n'
        '[input.columns]\ncase_id = "Ticket"\ncreated_at = "Opened at"\ncase_type = "Type"\n'
        '[input.values.csat]\nGood = 5\nBad = 1\n'
    )
    folder = write_folder(tmp_path / "d", {"cases.csv": None, "export.csv": export,
                                           "planner.toml": config})
    data = load_folder(folder)
    assert list(data.cases["case_id"][:2]) == ["c1", "c2"]
    assert data.cases["csat"].iloc[0] == 5.0


def test_missing_mapped_column_names_the_export_header(tmp_path: Path) -> None:
    config = '[input.columns]\ncreated_at = "Date/Time Opened"\n'
    folder = write_folder(tmp_path / "d", {"planner.toml": config})
    with pytest.raises(ContractError) as info:
        load_folder(folder)
    assert any(p.column == "Date/Time Opened" for p in info.value.problems)


def test_atomic_writer_leaves_nothing_on_failure(tmp_path: Path) -> None:
    class Boom(pd.DataFrame):
        def to_csv(self, *a, **k):  # type: ignore[override]
            Path(a[0]).write_text("half")
            raise OSError("disk full")

    target = tmp_path / "out" / "forecast.csv"
    with pytest.raises(OSError):
        write_csv(Boom({"a": [1]}), target)
    assert list(target.parent.iterdir()) == []


def test_config_defaults_and_overrides(tmp_path: Path) -> None:
    (tmp_path / "planner.toml").write_text('[staffing]\nshrinkage = 0.25\n[case_types.x]\nshrinkage = 0.1\n')
    cfg = read_config(tmp_path / "planner.toml")
    assert cfg.shrinkage_for("x") == pytest.approx(0.1)
    assert cfg.shrinkage_for("unconfigured") == pytest.approx(0.25)
    assert cfg.max_occupancy_for("x") == pytest.approx(0.85)
