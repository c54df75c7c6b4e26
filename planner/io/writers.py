"""Atomic writers: a file is either complete or absent, never half-written.

Every CSV goes through :func:`write_csv`, which also neutralises text a spreadsheet would run as a
formula (:mod:`planner.io.cells`). Files get the permissions the user's umask gives a new file
(``mkstemp`` alone would leave them readable by the owner only).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from planner.io.cells import neutralise_frame


def current_umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """Permissions of a newly created regular file under the current umask."""
    return 0o666 & ~current_umask()


def new_dir_mode() -> int:
    """Permissions of a newly created folder under the current umask."""
    return 0o777 & ~current_umask()


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        os.chmod(tmp_path, new_file_mode())
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_csv(frame: pd.DataFrame, path: str | Path, *, float_format: str | None = None) -> Path:
    """Write a DataFrame as UTF-8 CSV atomically; timestamps as ISO-8601 local wall-clock time.

    Text cells a spreadsheet would read as a formula are neutralised (read back with
    :func:`planner.io.cells.read_csv` or :func:`planner.io.read_table`, which restore them).
    """
    frame = neutralise_frame(frame)
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, float_format=float_format, date_format="%Y-%m-%dT%H:%M:%S",
                     lineterminator="\n")
    return Path(path)


def write_text(text: str, path: str | Path) -> Path:
    """Write text atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(data: bytes, path: str | Path) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)
