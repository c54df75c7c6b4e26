"""Versions of the planner and of the libraries whose behaviour shapes its results."""

from __future__ import annotations

import platform
from importlib import metadata

_PACKAGES = ("planner", "ortools", "highspy", "scipy", "pandas", "numpy", "scikit-learn")


def planner_version() -> str:
    try:
        return metadata.version("planner")
    except metadata.PackageNotFoundError:
        return "unknown"


def versions() -> dict[str, str]:
    """Installed versions (``"absent"`` for one not installed), and Python's."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out
