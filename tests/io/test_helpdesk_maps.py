"""The shipped Zendesk and Salesforce column maps read real-shaped exports into the cases contract."""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pytest

from planner.errors import ContractError
from planner.io import load_folder

DATA = Path(__file__).parent / "data"


def _folder(tmp_path: Path, example: str, export: str, as_name: str) -> Path:
    shutil.copy(files("planner") / "examples" / f"{example}.toml", tmp_path / "planner.toml")
    shutil.copy(DATA / export, tmp_path / as_name)
    return tmp_path


def test_zendesk_export_through_the_map(tmp_path):
    data = load_folder(_folder(tmp_path, "zendesk", "zendesk_tickets.csv", "tickets.csv"))
    c = data.cases.set_index("case_id")
    assert len(c) == 24
    assert set(c["case_type"]) == {"Billing", "Technical Support", "Orders"}
    assert set(c["channel"]) == {"email", "phone", "chat"}
    # "+0000" offsets converted to London wall-clock time (GMT in November: same clock).
    assert c.loc["10421", "created_at"] == pd.Timestamp("2026-11-02 08:00:00")
    assert c.loc["10421", "agent_id"] == "361001" and pd.isna(c.loc["10424", "agent_id"])
    # Satisfaction: Good -> 5, Bad -> 1, Offered/Unoffered -> no score.
    raw = pd.read_csv(DATA / "zendesk_tickets.csv", dtype=str).set_index("Id")
    expect = raw["Satisfaction Score"].map({"Good": 5.0, "GoodWithComment": 5.0, "Bad": 1.0,
                                            "BadWithComment": 1.0})
    pd.testing.assert_series_equal(c["csat"], expect.rename("csat"), check_names=False,
                                   check_index_type=False, check_index=False)
    assert c["csat"].notna().sum() == 8
    # Group stations 1 -> no transfer; Reopens 2 -> reopened.
    assert c.loc["10421", "transfers"] == 2 and c.loc["10422", "transfers"] == 0
    assert bool(c.loc["10426", "reopened"]) and not bool(c.loc["10421", "reopened"])
    assert data.config.case_types["Orders"].concurrency == 2


def test_salesforce_export_through_the_map(tmp_path):
    data = load_folder(_folder(tmp_path, "salesforce", "salesforce_cases.csv", "cases_export.csv"))
    c = data.cases.set_index("case_id")
    assert len(c) == 24
    assert c.index[0] == "00001026"  # leading zeros kept: ids are text
    assert set(c["case_type"]) == {"billing", "technical_fault", "order_status"}
    assert set(c["channel"]) == {"phone", "email", "chat"}
    assert c.loc["00001026", "created_at"] == pd.Timestamp("2026-11-02 08:00")
    assert c.loc["00001031", "created_at"] == pd.Timestamp("2026-11-02 13:35")  # 1:35 PM
    assert c.loc["00001026", "agent_id"] == "0055g00000A1bCdAAJ"
    assert c["resolved_first_contact"].sum() == 18
    assert c["csat"].between(1, 5).sum() == 8


def test_a_renamed_export_column_is_named_in_the_error(tmp_path):
    folder = _folder(tmp_path, "zendesk", "zendesk_tickets.csv", "tickets.csv")
    text = (folder / "tickets.csv").read_text().replace("Created at", "Created", 1)
    (folder / "tickets.csv").write_text(text)
    with pytest.raises(ContractError) as err:
        load_folder(folder)
    assert any(p.column == "Created at" and p.file.endswith("tickets.csv") for p in err.value.problems)
