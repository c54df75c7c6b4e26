"""The project's own errors: the CLI catches these (and only these) and prints them without traceback."""

from __future__ import annotations

from dataclasses import dataclass

# Longest value a problem quotes: a 1 MB cell must not become a 1 MB message.
MAX_SHOWN_CHARS = 60


class PlannerError(Exception):
    """Base class of every error a user can cause or a solver can report."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    ``row`` is the 1-based line number in the file as a person sees it in an editor (the header is
    line 1), or None when the problem is about the whole file or a column. For planner.toml the
    ``column`` is the dotted key path (``case_types.billing.service_level``).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __post_init__(self) -> None:
        if self.value is not None and len(self.value) > MAX_SHOWN_CHARS:
            shown = f"{self.value[:MAX_SHOWN_CHARS - 20]}... ({len(self.value):,} characters)"
            object.__setattr__(self, "value", shown)
        if len(self.expected) > 4 * MAX_SHOWN_CHARS:
            object.__setattr__(self, "expected", self.expected[:4 * MAX_SHOWN_CHARS - 4] + " ...")

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        got = f": got {self.value!r}" if self.value is not None else ""
        return f"{where}{got}; expected {self.expected}"


class ContractError(PlannerError, ValueError):
    """An input file breaks its contract. Carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        head = "; ".join(str(p) for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{len(self.problems)} problem(s) in input: {head}{more}")


class MissingInputError(PlannerError):
    """A stage needs a file the data folder does not have (e.g. scheduling without agents.csv)."""


class InfeasibleError(PlannerError):
    """Hard rules that cannot all hold; ``conflicts`` names each rule, agent, day or skill involved."""

    def __init__(self, message: str, conflicts: list[str] | None = None):
        self.conflicts = list(conflicts or [])
        super().__init__(message)


class SolverLimitWarning(UserWarning):
    """A solver stopped on its time limit: the plan is the best found, not proven optimal."""
