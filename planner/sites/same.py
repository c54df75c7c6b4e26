"""A run folder's files as they bear on the plan, to check that two runs planned the same.

Left out or masked: what the clock writes (``run.json`` and ``summary.json``: run ids and timings;
the workbook's creation time) and where the folder is (the run id and the folder's path, which the
report names).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from planner.io.runfolder import RunFolder

CLOCK_FILES = ("run.json", "summary.json")
WORKBOOK_CLOCK = "docProps/core.xml"


def plan_files(folder: str | Path) -> dict[str, bytes]:
    """Every file of the run folder by relative path, with the clock's and the place's marks
    masked (see the module docstring)."""
    folder = Path(folder)
    run_id = RunFolder(folder).read_json("run").get("run_id", "")
    marks = [m.encode() for m in (str(folder.absolute()), str(folder), run_id) if m]
    out = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.name in CLOCK_FILES:
            continue
        rel = p.relative_to(folder).as_posix()
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                out[rel] = b"\n".join(n.encode() + b"\0" + z.read(n) for n in sorted(z.namelist())
                                      if n != WORKBOOK_CLOCK)
            continue
        data = p.read_bytes()
        for m in marks:
            data = data.replace(m, b"<masked>")
        out[rel] = data
    return out
