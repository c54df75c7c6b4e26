"""report.html in a real browser: headless Chromium renders every section and chart, logs nothing.

Chromium (Debian's ``chromium`` package, installed by CI) runs with the flags this machine needs
(no sandbox as root, no GPU, no background networking: the network is closed). Console messages
reach stderr through ``--enable-logging=stderr`` as ``CONSOLE`` lines; a control page with a planted
error proves the check sees them. The screenshot is written to the test's temporary folder (and to
``$PLANNER_SCREENSHOT_DIR`` when set, to look at it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from planner.report import build_report
from planner.report.html import SECTIONS
from tests.report.fixtures_run import write_data, write_run

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium() -> str:
    """Chromium's path. Under CI=true its absence is a failure (CI installs it); elsewhere the
    browser tests are skipped with the reason."""
    path = find_chromium()
    if path:
        return path
    if os.environ.get("CI", "").lower() == "true":
        raise AssertionError("CI=true and headless Chromium is missing: apt-get install -y chromium")
    pytest.skip("headless Chromium not installed (apt-get install -y chromium); required under CI=true")


def run_chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def rendered_dom(page: Path, profile: Path, sections, charts: int) -> str:
    """The page's DOM after layout in headless Chromium, checked: no console error, every section
    (key, title) present, and ``charts`` charts counted with a real size by the inline script."""
    done = run_chromium(page, profile, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert console_lines(done.stderr) == []
    for key, title in sections:
        assert f'id="{key}"' in dom and title in dom
    rendered = re.search(r'data-charts-rendered="(\d+)"', dom)
    assert rendered is not None and int(rendered.group(1)) == charts
    return dom


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "CONSOLE" in line]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    data = write_data(root / "data")
    run = write_run(root / "run")
    build_report(run, data)
    return run / "report.html"


def test_console_check_sees_a_planted_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>console.error('planted'); nosuchfunction();</script>"
                   "</body></html>", encoding="utf-8")
    done = run_chromium(bad, tmp_path / "profile", "--dump-dom")
    lines = console_lines(done.stderr)
    assert any("planted" in x for x in lines)
    assert any("nosuchfunction" in x for x in lines)


def test_report_renders_sections_and_charts_without_console_errors(report: Path, tmp_path: Path) -> None:
    # The inline script counts charts with a real size after layout: all six of the fixture.
    dom = rendered_dom(report, tmp_path / "profile", SECTIONS, charts=6)
    for label in ("forecast vs recent weeks", "required vs scheduled", "simulated service level",
                  "tier distribution", "roster heatmap", "shortfall hours per case type"):
        assert f'aria-label="{label}' in dom
    # The planted shortages are named in the rendered page.
    assert "tier rules" in dom and "too few eligible agents" in dom


def test_report_screenshot(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    done = run_chromium(report, tmp_path / "profile", "--window-size=1366,3000",
                        f"--screenshot={shot}")
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a page, not a blank
    keep = os.environ.get("PLANNER_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "report.png")
