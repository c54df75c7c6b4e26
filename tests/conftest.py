"""Shared fixtures: a tiny valid data folder that tests mutate one file at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

CASES = (
    "case_id,created_at,case_type,channel,agent_id,handle_seconds,wait_seconds,abandoned,"
    "resolved_first_contact,reopened,transfers,csat,qa_score\n"
    """c1,2026-03-02 09:15:00,billing,phone,a1,300,12,false,true,false,0,5,90
c2,2026-03-02 09:40:00,billing,phone,a2,410,3,false,false,true,1,,
c3,2026-03-02 10:05:00,returns,chat,a1,200,40,false,true,false,0,4,
c4,2026-03-02 10:20:00,returns,chat,,,95,true,,,,,
"""
)
AGENTS = """agent_id,name,team,min_hours,max_hours,max_days,earliest_start,latest_end
a1,Ada Lovelace,north,20,40,5,08:00,20:00
a2,Alan Turing,north,30,40,5,07:00,22:00
"""
SKILLS = """agent_id,case_type,level
a1,billing,4
a1,returns,2
a2,billing,3
"""
AVAILABILITY = """agent_id,date,start,end,kind,weight
a1,2026-03-09,00:00,24:00,time_off,
a2,2026-03-10,12:00,17:00,unavailable,2
"""
CONFIG = """[center]
timezone = "Europe/London"
country = "GB"
interval_minutes = 30

[case_types.billing]
channel = "phone"
service_level = 0.8
answer_seconds = 20

[case_types.returns]
channel = "chat"
complexity = "transactional"
service_level = 0.9
answer_seconds = 60
concurrency = 2
"""

FILES = {
    "cases.csv": CASES,
    "agents.csv": AGENTS,
    "skills.csv": SKILLS,
    "availability.csv": AVAILABILITY,
    "planner.toml": CONFIG,
}


def write_folder(root: Path, overrides: dict[str, str | bytes | None] | None = None) -> Path:
    """Write the valid folder with some files replaced (text or bytes) or removed (None)."""
    root.mkdir(parents=True, exist_ok=True)
    files: dict[str, str | bytes | None] = {**FILES, **(overrides or {})}
    for name, content in files.items():
        if content is None:
            continue
        path = root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def valid_folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "data")
