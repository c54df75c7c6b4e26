"""capacity.html in headless Chromium: every section and both charts render, nothing is logged to the
console, and a hostile case-type name stays text."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.pipeline import run_stage
from planner.report.capacity import SECTIONS
from tests.capacity.helpers import write_center
from tests.report.test_browser import rendered_dom, run_chromium

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("capacity_browser")
    data = write_center(root / "d", start="2026-01-05", days=56, daily=800, agents=10,
                        capacity="lead_time_weeks = 1\ntraining_weeks = 2\nramp_weeks = 2\n")
    (data / "volumes.csv").write_text((data / "volumes.csv").read_text().replace(",calls,", f",{EVIL},")
                                      .replace("\ncalls,", f"\n{EVIL},"), encoding="utf-8")
    (data / "skills.csv").write_text((data / "skills.csv").read_text().replace(",calls,", f",{EVIL},"),
                                     encoding="utf-8")
    run_stage("capacity", data, root / "run", months=4)
    return root / "run" / "capacity.html"


def test_capacity_page_renders_every_section_and_chart_without_console_errors(page: Path,
                                                                              tmp_path: Path) -> None:
    dom = rendered_dom(page, tmp_path / "profile", SECTIONS, charts=2)
    for label in ("required vs available FTE, all skill sets", "required vs available FTE per skill set"):
        assert f'aria-label="{label}"' in dom
    # the hostile name is shown as text, never as an element
    assert "<img src" not in dom and "&lt;img src=x" in dom


def test_capacity_screenshot_is_a_page(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "capacity.png"
    done = run_chromium(page, tmp_path / "profile", "--window-size=1366,2400", f"--screenshot={shot}")
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
