"""planner import anonbank: the real February 1999 log and a tiny log with every quirk."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import ContractError
from planner.importers import convert_anonbank, import_anonbank, read_anonbank
from planner.io import load_folder

ROOT = Path(__file__).resolve().parents[2]
FEBRUARY = ROOT / "data" / "anonbank" / "february.txt.gz"

HEADER = ("vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\t"
          "q_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver")
ROWS = [
    # served by a named agent
    "AA0101 1 0 0 PS 990201 7:02:47 7:02:56 9 0:00:00 0:00:00 0 AGENT 7:02:55 7:05:41 166 DORIT",
    # served, but the log names no agent
    "AA0101 2 0 0 PS 990201 7:31:45 7:31:55 10 0:00:00 0:00:00 0 AGENT 7:31:54 7:31:59 5 NO_SERVER",
    # hung up in the queue
    "AA0101 3 5 2 NW 990201 8:09:16 8:09:22 6 8:09:22 8:09:27 5 HANG 0:00:00 0:00:00 0 NO_SERVER",
    # a phantom: dropped
    "AA0101 4 0 0 PS 990201 8:10:00 8:10:05 5 0:00:00 0:00:00 0 PHANTOM 0:00:00 0:00:00 0 NO_SERVER",
    # the same call_id on another line: still a different call
    "AA0102 1 0 0 NE 990201 9:00:00 9:00:10 10 9:00:10 9:01:10 60 AGENT 9:01:10 9:05:10 240 ZOHARI",
    # zero service time, served
    "AA0102 2 0 0 PS 990201 10:00:00 10:00:10 10 0:00:00 0:00:00 0 AGENT 10:00:10 10:00:10 0 DORIT",
    # entered before midnight, served after it: stays on its date
    "AA0102 3 0 0 PS 990201 23:59:30 23:59:40 10 23:59:40 0:00:40 60 AGENT 0:00:40 0:03:00 140 DORIT",
    # entered at 0:00:00 (a real midnight call)
    "AA0102 4 0 0 TT 990202 0:00:00 0:00:09 9 0:00:00 0:00:00 0 AGENT 0:00:09 0:01:00 51 ZOHARI",
]


def _write_log(path: Path, rows: list[str]) -> Path:
    path.write_bytes(("\r\n".join([HEADER, *[r.replace(" ", "\t") for r in rows]]) + "\r\n").encode())
    return path


def test_quirks_map_onto_the_contract(tmp_path):
    result = convert_anonbank(read_anonbank(_write_log(tmp_path / "log.txt", ROWS)))
    cases = result.cases.set_index("case_id")
    assert result.dropped_phantom == 1 and len(cases) == 7
    assert result.served_without_agent == 1 and result.zero_handle == 1
    assert cases.loc["AA0101-1", "agent_id"] == "DORIT"
    assert cases.loc["AA0101-1", "handle_seconds"] == "166"
    assert cases.loc["AA0101-2", "agent_id"] == "" and cases.loc["AA0101-2", "abandoned"] == 0
    assert cases.loc["AA0101-3", "abandoned"] == 1 and cases.loc["AA0101-3", "handle_seconds"] == ""
    assert cases.loc["AA0101-3", "wait_seconds"] == 5
    assert cases.loc["AA0102-1", "case_type"] == "NE"  # call_id 1 again, on another line
    assert cases.loc["AA0102-3", "created_at"] == "1999-02-01T23:59:30"
    assert cases.loc["AA0102-4", "created_at"] == "1999-02-02T00:00:00"
    assert set(result.agents["agent_id"]) == {"DORIT", "ZOHARI"}
    lv = result.skills.set_index(["agent_id", "case_type"])["level"]
    assert set(lv.index) == {("DORIT", "PS"), ("ZOHARI", "NE"), ("ZOHARI", "TT")}


def test_missing_column_is_a_contract_error(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("call_id type date\n1 PS 990201\n")
    with pytest.raises(ContractError) as err:
        read_anonbank(path)
    assert {p.column for p in err.value.problems} >= {"outcome", "server", "vru_entry"}


def test_bad_date_names_the_row(tmp_path):
    rows = [*ROWS[:1], ROWS[1].replace("990201", "991341")]
    with pytest.raises(ContractError) as err:
        convert_anonbank(read_anonbank(_write_log(tmp_path / "log.txt", rows)), "log.txt")
    (p,) = err.value.problems
    assert (p.row, p.column, p.value) == (3, "date", "991341")


@pytest.fixture(scope="module")
def february(tmp_path_factory):
    out = tmp_path_factory.mktemp("anonbank")
    return import_anonbank(FEBRUARY, out), out


def test_february_counts(february):
    result, _ = february
    per_type = result.cases["case_type"].value_counts().to_dict()
    # 33,344 records minus 278 PHANTOM; AGENT + HANG per type as in the log.
    assert per_type == {"PS": 21269, "NW": 7564, "NE": 2744, "TT": 1047, "IN": 293, "PE": 149}
    assert result.dropped_phantom == 278
    assert len(result.agents) == 24
    assert int(result.cases["abandoned"].sum()) == 5904
    assert result.served_without_agent == 491
    # ZOHARI and ELI are the stock-exchange (NE) regulars: top level there.
    lv = result.skills.set_index(["agent_id", "case_type"])["level"]
    assert lv["ZOHARI", "NE"] == 5 and lv["ELI", "NE"] == 5 and lv["ELI", "PS"] == 1
    assert result.opening_hours["sun"] == "07:00-00:00"
    assert result.opening_hours["fri"] == "07:00-15:00"
    assert result.opening_hours["sat"] == "19:00-00:00"


def test_february_output_is_a_valid_folder(february):
    _, out = february
    data = load_folder(out)
    assert data.config.center.timezone == "Asia/Jerusalem" and data.config.center.country == "IL"
    assert len(data.cases) == 33066 and data.cases["case_id"].is_unique
    assert data.cases["created_at"].min() >= pd.Timestamp("1999-02-01")
    assert data.cases["created_at"].max() < pd.Timestamp("1999-03-01")
    assert set(data.config.case_types) == {"PS", "NW", "NE", "TT", "IN", "PE"}
    assert CliRunner().invoke(app, ["validate", "--data", str(out)]).exit_code == 0


def test_cli_import(tmp_path):
    log = _write_log(tmp_path / "log.txt", ROWS)
    result = CliRunner().invoke(app, ["import", "anonbank", str(log), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "cases.csv").exists() and (tmp_path / "o" / "planner.toml").exists()
    bad = CliRunner().invoke(app, ["import", "anonbank", str(tmp_path / "nope.txt"), "--out",
                                   str(tmp_path / "p")])
    assert bad.exit_code == 2 and not (tmp_path / "p").exists()


def test_january_and_february_join_into_one_history(tmp_path):
    january = ROOT / "data/anonbank/january.txt.gz"
    result = import_anonbank([january, FEBRUARY], tmp_path)
    created = pd.to_datetime(result.cases["created_at"])
    assert created.min() < pd.Timestamp("1999-01-02") and created.max() >= pd.Timestamp("1999-02-28")
    assert result.cases["case_id"].is_unique
    # the January copy lacks 11 and 12 January: no call those days, every other day has calls
    days = set(created.dt.normalize())
    assert pd.Timestamp("1999-01-11") not in days and pd.Timestamp("1999-01-12") not in days
    assert len(days) == 59 - 2
    assert 'January-February 1999' in result.config_text
