"""Contracts of every file, validated reading, atomic writing, and the configuration."""

from planner.io.config import (
    CaseTypeConfig,
    CenterConfig,
    PlannerConfig,
    ShiftConfig,
    StaffingConfig,
    TierConfig,
    default_config,
    parse_config,
    read_config,
)
from planner.io.contracts import (
    AGENTS,
    AVAILABILITY,
    CASES,
    CONTRACTS,
    SKILLS,
    VOLUMES,
    Column,
    Contract,
)
from planner.io.folder import DataFolder, load_folder
from planner.io.tables import read_table
from planner.io.writers import atomic_path, write_bytes, write_csv, write_text

__all__ = [
    "AGENTS", "AVAILABILITY", "CASES", "CONTRACTS", "SKILLS", "VOLUMES",
    "CaseTypeConfig", "CenterConfig", "Column", "Contract", "DataFolder", "PlannerConfig",
    "ShiftConfig", "StaffingConfig", "TierConfig", "atomic_path", "default_config", "load_folder",
    "parse_config", "read_config", "read_table", "write_bytes", "write_csv", "write_text",
]
