"""The project's shape as ARCHITECTURE.md states it: every package and run file documented, the
report and the analysis free of stage packages, one definition of tier order."""

from __future__ import annotations

import ast
from pathlib import Path

from planner.io.runfolder import RUN_FILES

ROOT = Path(__file__).resolve().parents[1]
PLANNER = ROOT / "planner"
STAGES = ("forecast", "staffing", "tiers", "scheduling", "routing", "simulation")
TIER_WORDS = {"low", "medium", "high"}


def imports_of(package: str) -> dict[str, set[str]]:
    """Every planner module each file of a package imports, at the top or inside a function."""
    found: dict[str, set[str]] = {}
    for path in sorted((PLANNER / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
        found[str(path.relative_to(ROOT))] = {n for n in names if n.startswith("planner")}
    return found


def test_architecture_names_every_package_and_run_file() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    packages = [p.name for p in PLANNER.iterdir() if (p / "__init__.py").exists()]
    assert [p for p in packages if f"`planner.{p}`" not in text] == []
    assert [f.file for f in RUN_FILES if f"`{f.file}" not in text] == []


def test_report_and_analysis_import_no_stage_package() -> None:
    for package in ("report", "analysis"):
        for file, names in imports_of(package).items():
            bad = [n for n in names if n.split(".")[1] in (*STAGES, "pipeline")]
            assert bad == [], f"{file} imports {bad}"


def test_stages_import_neither_pipeline_nor_report_nor_analysis() -> None:
    for package in STAGES:
        for file, names in imports_of(package).items():
            bad = [n for n in names if n.split(".")[1] in ("pipeline", "report", "analysis", "cli")]
            assert bad == [], f"{file} imports {bad}"


# Names whose literal may spell the tiers (none: every order and cost per tier comes from
# planner.domain's ranks).
ALLOWED: set[str] = set()


def tier_orders(tree: ast.AST) -> list[int]:
    """Lines of literals that spell an order of the tiers: a sequence of the three names, or a
    mapping of the three names to integers (ranks)."""
    lines = []
    skip = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id in ALLOWED for t in n.targets)}
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            words = {e.value for e in node.elts if isinstance(e, ast.Constant)}
            if words >= TIER_WORDS:
                lines.append(node.lineno)
        elif isinstance(node, ast.Dict):
            pairs = {k.value: v for k, v in zip(node.keys, node.values, strict=True)
                     if isinstance(k, ast.Constant)}
            if set(pairs) >= TIER_WORDS and all(isinstance(pairs[w], ast.Constant)
                                                and isinstance(pairs[w].value, int) for w in TIER_WORDS):
                lines.append(node.lineno)
    return lines


def test_one_definition_of_tier_order() -> None:
    found = {str(p.relative_to(ROOT)): tier_orders(ast.parse(p.read_text(encoding="utf-8")))
             for p in sorted(PLANNER.rglob("*.py"))}
    found = {f: lines for f, lines in found.items() if lines}
    assert list(found) == ["planner/domain.py"], found


def test_the_tier_order_check_sees_a_planted_definition() -> None:
    assert tier_orders(ast.parse('RANK = {"high": 0, "medium": 1, "low": 2}')) == [1]
    assert tier_orders(ast.parse('ORDER = ("low", "medium", "high")')) == [1]
    assert tier_orders(ast.parse('COLORS = {"high": "#2ca02c", "medium": "#1f77b4", "low": "#f00"}')) == []


def test_no_code_or_readme_cites_files_outside_the_repository() -> None:
    texts = [(p, p.read_text(encoding="utf-8")) for p in PLANNER.rglob("*.py")]
    texts.append((ROOT / "README.md", (ROOT / "README.md").read_text(encoding="utf-8")))
    cited = [str(p.relative_to(ROOT)) for p, t in texts
             if "DESIGN.md" in t or "STYLE.md" in t or "../shared" in t]
    assert cited == []


def test_stage_dependencies_match_the_pipeline() -> None:
    from planner.io.runfolder import STAGE_NEEDS, STAGE_ORDER, dependants, stage_outputs
    from planner.pipeline import STAGES

    assert tuple(STAGES) == STAGE_ORDER
    files = {f.name: f.stage for f in RUN_FILES}
    for name, stage in STAGES.items():
        # Every run file a stage reads comes from a stage it is declared to need.
        assert {files[f] for f in stage.reads_run} <= set(STAGE_NEEDS[name]), name
    assert dependants("tiers") == {"tiers", "schedule", "simulate", "report"}
    assert "agents/" in stage_outputs("report") and "schedule.xlsx" in stage_outputs("report")


def test_readme_holds_the_generated_config_reference() -> None:
    from planner.io.config import PlannerConfig
    from planner.io.config_reference import config_keys, reference_markdown

    assert reference_markdown() in (ROOT / "README.md").read_text(encoding="utf-8")
    keys = {k.key for k in config_keys()}
    # Every top-level key of the schema is in the reference.
    for name in PlannerConfig.model_fields:
        assert any(k == name or k.startswith(f"{name}.") for k in keys), name
    assert {"center.timezone", "case_types.<name>.min_tier", "shifts.max_hours", "seed"} <= keys


def test_every_config_key_says_what_it_means() -> None:
    from pydantic import Field

    from planner.io.config import _Model
    from planner.io.config_reference import config_keys

    empty = [k.key for k in config_keys() if len(k.meaning) < 15]
    assert not empty, f"planner.toml keys without a meaning (give the Field a description): {empty}"

    class Planted(_Model):
        # A comment is not the meaning: the reference reads only the field's description.
        noted: int = 1
        described: int = Field(default=1, description="What this key does, in words.")

    got = {k.key: k.meaning for k in config_keys(Planted)}
    assert got == {"noted": "", "described": "What this key does, in words."}


def run_file_joins(source: str) -> list[str]:
    """Run-file names a module spells itself in a path: ``x / "schedule.csv"`` or
    ``"forecast.csv.gz"``."""
    names = {f.file for f in RUN_FILES if "." in f.file}
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)
                and isinstance(node.right, ast.Constant) and node.right.value in names):
            found.append(node.right.value)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and any(
                node.value == f"{n}.gz" for n in names):
            found.append(node.value)
    return found


def test_run_files_are_found_through_the_run_folder_only() -> None:
    # The sites' roll-up folder is not a run folder: it has its own list of files (ROLLUP_FILES),
    # some of which happen to share a run file's name.
    own_folders = {"io/runfolder.py", "sites/rollup.py"}
    offenders = {}
    for path in sorted(PLANNER.rglob("*.py")):
        if path.relative_to(PLANNER).as_posix() in own_folders:
            continue
        found = run_file_joins(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}
    # The check sees a planted literal read.
    assert sorted(run_file_joins('t = read_tiers(run / "tiers.csv")\nf = "forecast.csv.gz"\n')) == [
        "forecast.csv.gz", "tiers.csv"]


def contract_files(source: str) -> list[str]:
    """The file name of every ``Contract("name", ...)`` a module declares."""
    return [node.args[0].value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Contract"
            and node.args and isinstance(node.args[0], ast.Constant)]


def test_each_file_has_one_contract() -> None:
    # Named files only: an input given by path (intraday "actuals", one case per row or counts per
    # interval) may legitimately come in more than one shape.
    declared: dict[str, list[str]] = {}
    for path in sorted(PLANNER.rglob("*.py")):
        for name in contract_files(path.read_text(encoding="utf-8")):
            if name.endswith(".csv"):
                declared.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert "tiers.csv" in declared and "cases.csv" in declared
    assert {n: where for n, where in declared.items() if len(where) > 1} == {}
    assert contract_files('A = Contract("tiers.csv", ())\nB = Contract("tiers.csv", ())\n') == [
        "tiers.csv", "tiers.csv"]
