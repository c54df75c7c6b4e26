"""A data folder: the input files of one center, read and cross-checked together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import ContractError, MissingInputError, Problem
from planner.io.config import PlannerConfig, read_config
from planner.io.contracts import (
    AGENTS,
    AVAILABILITY,
    CASES,
    EVENTS,
    HIRING,
    SKILL_SEPARATOR,
    SKILLS,
    TRAINING,
    VOLUMES,
)
from planner.io.tables import read_table

CONFIG_FILE = "planner.toml"


@dataclass
class DataFolder:
    """Everything a center's data folder holds; absent optional files are None."""

    path: Path
    config: PlannerConfig
    cases: pd.DataFrame | None = None
    volumes: pd.DataFrame | None = None
    agents: pd.DataFrame | None = None
    skills: pd.DataFrame | None = None
    availability: pd.DataFrame | None = None
    training: pd.DataFrame | None = None  # planned training sessions (training.csv)
    events: pd.DataFrame | None = None  # events marked by hand for the forecast (events.csv)
    hiring: pd.DataFrame | None = None  # hiring classes already decided (hiring.csv)
    notes: list[str] = field(default_factory=list)

    @property
    def history_end(self) -> pd.Timestamp | None:
        """The day after the last day of history (cases or volumes): where plans start."""
        for frame, col in ((self.cases, "created_at"), (self.volumes, "interval_start")):
            if frame is not None and len(frame):
                return frame[col].max().normalize() + pd.Timedelta(days=1)
        return None

    @property
    def case_types(self) -> list[str]:
        """Case types in history (cases or volumes) and config, in a stable order."""
        names: list[str] = list(self.config.case_types)
        for frame in (self.cases, self.volumes):
            if frame is not None:
                names += sorted(set(frame["case_type"].dropna()) - set(names))
        return names

    def require_agents(self, stage: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """agents and skills, or a clear message that the stage needs them."""
        missing = [n for n, f in (("agents.csv", self.agents), ("skills.csv", self.skills)) if f is None]
        if missing:
            raise MissingInputError(
                f"{stage} needs {' and '.join(missing)} in {self.path} (who the agents are and which "
                f"case types each can handle); 'planner sample --out DIR' shows the format"
            )
        return self.agents, self.skills  # type: ignore[return-value]

    def require_history(self, stage: str) -> pd.DataFrame:
        if self.cases is None and self.volumes is None:
            raise MissingInputError(f"{stage} needs cases.csv or volumes.csv in {self.path}")
        return self.cases if self.cases is not None else self.volumes  # type: ignore[return-value]


def _file(folder: Path, name: str) -> Path | None:
    """The file, or its gzip-compressed twin (the bundled sample ships compressed)."""
    for cand in (folder / name, folder / f"{name}.gz"):
        if cand.exists():
            return cand
    return None


def load_folder(path: str | Path, *, history: bool = True,
                case_columns: tuple[str, ...] | None = None) -> DataFolder:
    """Read and validate every file of a data folder; raise one ContractError with all problems.

    ``history=False`` leaves the history (cases, volumes, events) unread: a stage that plans from a
    run folder's files (the intraday re-plan) does not pay for reading months of cases.
    ``case_columns``: keep only these columns of the case history (and ``agent_id``, which the
    cross-checks read); every column is validated all the same. A stage that reads a few columns
    of a long history (the forecast) then holds only those in memory.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ContractError([Problem(str(folder), None, None, None, "an existing data folder")])
    problems: list[Problem] = []
    try:
        config = read_config(folder / CONFIG_FILE)
    except ContractError as err:
        problems += err.problems
        config = PlannerConfig()
    tz = config.center.timezone
    inp = config.input
    data = DataFolder(folder, config)
    specs = [
        ("cases", inp.cases_file, CASES, dict(columns=inp.columns, values=inp.values,
                                                datetime_format=inp.datetime_format,
                                                delimiter=inp.delimiter,
                                                keep=None if case_columns is None
                                                else (*case_columns, "agent_id"))),
        ("volumes", inp.volumes_file, VOLUMES, {}),
        ("agents", AGENTS.file, AGENTS, {}),
        ("skills", SKILLS.file, SKILLS, {}),
        ("availability", AVAILABILITY.file, AVAILABILITY, {}),
        ("training", TRAINING.file, TRAINING, {}),
        ("events", EVENTS.file, EVENTS, {}),
        ("hiring", HIRING.file, HIRING, {}),
    ]
    if not history:
        specs = [s for s in specs if s[0] not in ("cases", "volumes", "events")]
    for attr, name, contract, kw in specs:
        file = _file(folder, name)
        if file is None:
            continue
        try:
            table = read_table(file, contract, tz=tz, **kw)
        except ContractError as err:
            problems += err.problems
            continue
        # A header without rows says what an absent optional file says.
        setattr(data, attr, table if len(table) else None)
    if history and data.cases is None and data.volumes is None and not problems:
        problems.append(Problem(str(folder), None, None, None,
                                f"a history file: {inp.cases_file} or {inp.volumes_file}"))
    for have, lacking in (("skills", "agents"), ("agents", "skills")):
        if _file(folder, f"{have}.csv") is not None and _file(folder, f"{lacking}.csv") is None:
            problems.append(Problem(str(folder / f"{lacking}.csv"), None, None, None,
                                    f"{lacking}.csv beside {have}.csv (the two describe the agents "
                                    "together; give both or neither)"))
    if not problems:
        problems += cross_check(data)
    if problems:
        raise ContractError(problems)
    data.notes += staffing_notes(data)
    return data


def _named(ids: list[str], limit: int = 10) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def staffing_notes(data: DataFolder) -> list[str]:
    """Agents who can take no case type, and case types no agent can take: valid, but worth a word."""
    if data.agents is None or data.skills is None:
        return []
    notes = []
    skilled = set(data.skills["agent_id"])
    idle = [str(a) for a in data.agents["agent_id"] if a not in skilled]
    if idle:
        notes.append(f"{len(idle)} of {len(data.agents)} agents have no skill in skills.csv and can "
                     f"take no case (they are scheduled for nothing): {_named(idle)}")
    served = set(data.skills["case_type"])
    orphans = [str(t) for t in data.case_types if t not in served]
    if orphans:
        notes.append(f"case type(s) no agent has a skill for (never answered in the plan): "
                     f"{_named(orphans)}")
    return notes


def _rows(frame: pd.DataFrame, mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask)[:20]


def cross_check(data: DataFolder) -> list[Problem]:
    """Checks that span files: ids that must exist elsewhere, contract hours, known case types."""
    problems: list[Problem] = []
    folder = data.path
    known_types = set(data.case_types)
    agent_ids = set(data.agents["agent_id"]) if data.agents is not None else None
    if data.agents is not None:
        a = data.agents
        if {"min_hours", "max_hours"} <= set(a.columns):
            bad = (a["min_hours"] > a["max_hours"]).fillna(False).to_numpy()
            for i in _rows(a, bad):
                problems.append(Problem(str(folder / AGENTS.file), int(i) + 2, "min_hours",
                                        str(a["min_hours"].iloc[i]),
                                        f"min_hours <= max_hours ({a['max_hours'].iloc[i]:g})"))
        if {"start_date", "end_date"} <= set(a.columns):
            bad = (a["end_date"] < a["start_date"]).fillna(False).to_numpy()
            for i in _rows(a, bad):
                problems.append(Problem(str(folder / AGENTS.file), int(i) + 2, "end_date",
                                        str(a["end_date"].iloc[i].date()),
                                        f"a date on or after start_date ({a['start_date'].iloc[i].date()})"))
    if data.skills is not None:
        s = data.skills
        f = str(folder / SKILLS.file)
        if agent_ids is not None:
            for i in _rows(s, (~s["agent_id"].isin(agent_ids)).to_numpy()):
                problems.append(Problem(f, int(i) + 2, "agent_id", str(s["agent_id"].iloc[i]),
                                        "an agent_id listed in agents.csv"))
        if known_types:
            for i in _rows(s, (~s["case_type"].isin(known_types)).to_numpy()):
                problems.append(Problem(f, int(i) + 2, "case_type", str(s["case_type"].iloc[i]),
                                        "a case type of the history or planner.toml "
                                        f"({', '.join(sorted(known_types))})"))
    if data.availability is not None and agent_ids is not None:
        av = data.availability
        f = str(folder / AVAILABILITY.file)
        for i in _rows(av, (~av["agent_id"].isin(agent_ids)).to_numpy()):
            problems.append(Problem(f, int(i) + 2, "agent_id", str(av["agent_id"].iloc[i]),
                                    "an agent_id listed in agents.csv"))
        end = av["end"].replace(0, 24 * 60)
        for i in _rows(av, (end <= av["start"]).fillna(False).to_numpy()):
            problems.append(Problem(f, int(i) + 2, "end", str(av["end"].iloc[i]),
                                    f"a time after start ({av['start'].iloc[i]} min)"))
    if data.training is not None:
        problems += _check_training(data, agent_ids)
    if data.events is not None:
        problems += _check_events(data)
    if data.hiring is not None:
        problems += _check_hiring(data)
    if data.cases is not None and agent_ids is not None and "agent_id" in data.cases:
        c = data.cases
        f = str(folder / data.config.input.cases_file)
        unknown = c["agent_id"].notna() & ~c["agent_id"].isin(agent_ids)
        for i in _rows(c, unknown.to_numpy()):
            problems.append(Problem(f, int(i) + 2, "agent_id", str(c["agent_id"].iloc[i]),
                                    "an agent_id listed in agents.csv (or empty)"))
    return problems


# Training is planned on a 30-minute granularity (coarser than or equal to every usual grid).
TRAINING_STEP_HOURS = 0.5


def _check_events(data: DataFolder) -> list[Problem]:
    """events.csv: end not before start, a multiplier on every uplift (and only there), known case
    types."""
    e = data.events
    f = str(data.path / EVENTS.file)
    problems = []
    known = set(data.case_types)
    for i, row in enumerate(e.itertuples(index=False)):
        line = i + 2
        if row.end < row.start:
            problems.append(Problem(f, line, "end", str(row.end),
                                    f"a time on or after start ({row.start})"))
        multiplier = getattr(row, "multiplier", np.nan)
        if row.kind == "uplift" and not pd.notna(multiplier):
            problems.append(Problem(f, line, "multiplier", "",
                                    "a volume factor for an uplift event (e.g. 1.5)"))
        if row.kind == "exclude" and pd.notna(multiplier):
            problems.append(Problem(f, line, "multiplier", str(multiplier),
                                    "empty for an exclude event (it is left out of the fit)"))
        name = getattr(row, "case_type", None)
        if pd.notna(name) and name != "" and name not in known:
            problems.append(Problem(f, line, "case_type", str(name),
                                    f"a case type of the history or planner.toml ({', '.join(sorted(known))})"))
    return problems


def split_skills(text: object) -> list[str]:
    """The case types of a hiring.csv ``skills`` cell (separated by SKILL_SEPARATOR)."""
    if not isinstance(text, str):
        return []
    return [p.strip() for p in text.split(SKILL_SEPARATOR) if p.strip()]


def _check_hiring(data: DataFolder) -> list[Problem]:
    """hiring.csv: known case types in skills, and no class starting before the plan does (the
    day after the history ends)."""
    h = data.hiring
    assert h is not None
    f = str(data.path / HIRING.file)
    known = set(data.case_types)
    start = data.history_end
    problems = []
    for i, row in enumerate(h.itertuples(index=False)):
        names = split_skills(row.skills)
        unknown = [n for n in names if n not in known]
        if unknown or not names:
            problems.append(Problem(f, i + 2, "skills", str(row.skills),
                                    f"case types of the history or planner.toml separated by "
                                    f"'{SKILL_SEPARATOR}' ({', '.join(sorted(known))})"))
        if start is not None and row.start < start:
            problems.append(Problem(f, i + 2, "start", str(row.start.date()),
                                    f"a date on or after {start.date()} (the day after the history "
                                    "ends: a class in the past is already in agents.csv)"))
    return problems


def _check_training(data: DataFolder, agent_ids: set | None) -> list[Problem]:
    """training.csv against agents.csv and itself: known agent, hours on the 30-minute step and
    within the agent's max_hours, a block no longer than the hours, earliest <= latest."""
    t = data.training
    assert t is not None
    problems: list[Problem] = []
    f = str(data.path / TRAINING.file)
    if agent_ids is not None:
        for i in _rows(t, (~t["agent_id"].isin(agent_ids)).to_numpy()):
            problems.append(Problem(f, int(i) + 2, "agent_id", str(t["agent_id"].iloc[i]),
                                    "an agent_id listed in agents.csv"))
    step = TRAINING_STEP_HOURS
    for col in ("hours", "min_block_hours"):
        if col not in t:
            continue
        v = t[col]
        off = (v.notna() & ((v / step - (v / step).round()).abs() > 1e-9)).to_numpy()
        for i in _rows(t, off):
            problems.append(Problem(f, int(i) + 2, col, f"{v.iloc[i]:g}",
                                    f"a multiple of {step:g} h (training is planned in "
                                    f"{round(step * 60)}-minute steps)"))
    if "min_block_hours" in t:
        long = (t["min_block_hours"] > t["hours"]).fillna(False).to_numpy()
        for i in _rows(t, long):
            problems.append(Problem(f, int(i) + 2, "min_block_hours",
                                    f"{t['min_block_hours'].iloc[i]:g}",
                                    f"at most the row's hours ({t['hours'].iloc[i]:g})"))
    if {"earliest", "latest"} <= set(t.columns):
        rev = (t["latest"] < t["earliest"]).fillna(False).to_numpy()
        for i in _rows(t, rev):
            problems.append(Problem(f, int(i) + 2, "latest", str(t["latest"].iloc[i].date()),
                                    f"a date on or after earliest ({t['earliest'].iloc[i].date()})"))
    if data.agents is not None and "max_hours" in data.agents:
        cap = dict(zip(data.agents["agent_id"], data.agents["max_hours"], strict=True))
        total = t.groupby("agent_id")["hours"].transform("sum")
        over = np.array([not pd.isna(cap.get(a)) and h > cap[a] + 1e-9 if a in cap else False
                         for a, h in zip(t["agent_id"], total, strict=True)], dtype=bool)
        for i in _rows(t, over):
            a = t["agent_id"].iloc[i]
            problems.append(Problem(f, int(i) + 2, "hours", f"{t['hours'].iloc[i]:g}",
                                    f"training of {a} totalling at most their max_hours "
                                    f"({cap[a]:g} h; this agent's rows total {total.iloc[i]:g} h)"))
    return problems
