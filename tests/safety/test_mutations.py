"""Property: whatever is done to a valid data folder (bytes, rows, cells), no command ends in a
traceback and no run folder is ever half-written.

Hypothesis mutates copies of the small valid folder of tests/conftest.py. `validate` must exit 0 or
2 (bad input, explained); a writing stage must exit 0, 2 or 3, and afterwards its run folder is
either absent or complete (run.json lists exactly the files present, each with its recorded hash),
with nothing left beside it.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner.cli import app
from planner.io.transaction import check_run, read_manifest
from tests.conftest import FILES, write_folder

CSV_FILES = sorted(n for n in FILES if n.endswith(".csv"))
HOSTILE_CELLS = ["", " ", "=1+1", "@x", "-", "+", "'", '"', ",", "\n", "\r", "\x00", "\x1b", "\x85",
                 "nan", "NaN", "inf", "-inf", "1e309", "-0", "0x10", "24:00", "2026-02-30",
                 "2026-03-29 01:30:00", "9" * 40, "x" * 1200, "é", "\u202e", "a1", "billing",
                 "true", "yes", "null", "None", "[/bold]", "<script>", "../../x", "CON"]

mutation = st.one_of(
    st.tuples(st.just("bytes"), st.sampled_from([*CSV_FILES, "planner.toml"]),
              st.integers(0, 10_000), st.binary(min_size=1, max_size=6)),
    st.tuples(st.just("cut"), st.sampled_from([*CSV_FILES, "planner.toml"]),
              st.integers(0, 10_000), st.integers(1, 40)),
    st.tuples(st.just("row"), st.sampled_from(CSV_FILES), st.integers(0, 50),
              st.sampled_from(["drop", "repeat", "swap", "blank", "extra_field", "missing_field"])),
    st.tuples(st.just("cell"), st.sampled_from(CSV_FILES), st.integers(0, 50), st.integers(0, 20),
              st.one_of(st.sampled_from(HOSTILE_CELLS), st.text(max_size=12))),
    # A control character inside a value that stays otherwise as it was.
    st.tuples(st.just("control"), st.sampled_from(CSV_FILES), st.integers(1, 50), st.integers(0, 20),
              st.sampled_from(["\x00", "\x01", "\x07", "\x0b", "\x1b", "\x7f", "\r", "\x85"])),
)


def mutate(folder: Path, m: tuple) -> None:
    kind, name = m[0], m[1]
    path = folder / name
    raw = path.read_bytes()
    if kind == "bytes":
        at = m[2] % (len(raw) + 1)
        path.write_bytes(raw[:at] + m[3] + raw[at:])
    elif kind == "cut":
        at = m[2] % (len(raw) + 1)
        path.write_bytes(raw[:at] + raw[at + m[3]:])
    else:
        lines = raw.decode("utf-8", "surrogateescape").split("\n")
        i = m[2] % len(lines)
        if kind == "row":
            op = m[3]
            if op == "drop":
                del lines[i]
            elif op == "repeat":
                lines.insert(i, lines[i])
            elif op == "swap":
                j = (i + 1) % len(lines)
                lines[i], lines[j] = lines[j], lines[i]
            elif op == "blank":
                lines[i] = ""
            elif op == "extra_field":
                lines[i] += ",extra"
            else:
                lines[i] = lines[i].rsplit(",", 1)[0]
        elif kind == "cell":
            cells = lines[i].split(",")
            cells[m[3] % len(cells)] = m[4].replace(",", ";")
            lines[i] = ",".join(cells)
        else:
            i = max(i, 1)  # a data row
            cells = lines[i % len(lines)].split(",")
            k = m[3] % len(cells)
            cells[k] = cells[k][:1] + m[4] + cells[k][1:]
            lines[i % len(lines)] = ",".join(cells)
        path.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape"))


def _no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=3))
def test_validate_never_ends_in_a_traceback(mutations: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_folder(Path(tmp) / "data")
        for m in mutations:
            mutate(folder, m)
        result = CliRunner().invoke(app, ["validate", "--data", str(folder)])
        _no_traceback(result)
        assert result.exit_code in (0, 2), result.output
        if result.exit_code == 0:
            # "valid" means every cell is text a person can read: no control character (pandas
            # would cut a field at a NUL) and no cell longer than the limit.
            for name in CSV_FILES:
                raw = (folder / name).read_bytes()
                assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)", raw), name
                assert all(len(cell) <= 1000 for line in raw.split(b"\n") for cell in line.split(b",")), name


def _complete_or_absent(out: Path) -> None:
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")
                 and not p.name.endswith(".lock")]
    assert leftovers == []
    if not out.exists():
        return
    manifest = read_manifest(out)
    assert manifest.get("complete") is True
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"run.json"}
    assert present == set(manifest["files"])
    assert check_run(out) == []


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=2))
def test_a_writing_stage_leaves_a_complete_folder_or_none(mutations: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_folder(Path(tmp) / "data")
        out = Path(tmp) / "run"
        # A previous complete run, then the stage on the mutated folder.
        first = CliRunner().invoke(app, ["tiers", "--data", str(folder), "--out", str(out)])
        assert first.exit_code in (0, 3), first.output
        for m in mutations:
            mutate(folder, m)
        before = sorted(p.name for p in out.iterdir()) if out.exists() else None
        result = CliRunner().invoke(app, ["tiers", "--data", str(folder), "--out", str(out)])
        _no_traceback(result)
        assert result.exit_code in (0, 2, 3), result.output
        _complete_or_absent(out)
        if result.exit_code != 0:
            assert (sorted(p.name for p in out.iterdir()) if out.exists() else None) == before
        shutil.rmtree(out, ignore_errors=True)
