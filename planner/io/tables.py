"""Read a CSV file against a :class:`~planner.io.contracts.Contract`, collecting every problem.

Why hand-written and not pandera: the checks are few and vectorised, and the messages must name the
line a person sees in an editor and the export's own column name when a column map is in use.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from planner.errors import ContractError, Problem
from planner.io.cells import restore_frame
from planner.io.contracts import Column, Contract

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
# Cap per column so one systematically wrong column does not bury the others.
MAX_PROBLEMS_PER_COLUMN = 20
# Longest cell of any input file. Ids, names, case types and topics are short; a longer cell is a
# broken export (a whole file pasted into one field), and would be copied into every output row.
MAX_CELL_CHARS = 1000
# Control characters no text field holds: C0 except tab and line ends, DEL, C1, and a carriage
# return that does not end a line. A NUL would silently cut a field where pandas reads it.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")


def decode(path: Path) -> str:
    """File bytes as text: UTF-8 (a UTF-8 byte-order mark is accepted and dropped)."""
    name = str(path)
    if not path.exists():
        raise ContractError([Problem(name, None, None, None, "an existing file")])
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ContractError([Problem(name, 1, None, "UTF-16 byte-order mark",
                                     "UTF-8 text (save the file as 'CSV UTF-8')")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        bad = raw[err.start : err.start + 4]
        raise ContractError([Problem(name, line, None, repr(bad),
                                     "UTF-8 text (re-export the file as UTF-8)")]) from None


def _fields(line: str, delimiter: str) -> list[str]:
    """The fields of one line (control characters blanked so the csv module accepts it)."""
    clean = _CONTROL.sub(" ", line)
    try:
        return next(csv.reader([clean], delimiter=delimiter), [""])
    except csv.Error:
        return clean.split(delimiter)


def _control_problems(name: str, text: str, delimiter: str) -> list[Problem]:
    """Every control character of ``text``, by line and column (the first ones of each column)."""
    header = _fields(text.split("\n", 1)[0].removesuffix("\r"), delimiter)
    problems: list[Problem] = []
    per_column: dict[str, int] = {}
    total = 0
    for m in _CONTROL.finditer(text):
        total += 1
        pos = m.start()
        start = text.rfind("\n", 0, pos) + 1
        line = text.count("\n", 0, pos) + 1
        fields = _fields(text[start:pos], delimiter)
        k = max(len(fields) - 1, 0)
        column = header[k].strip() if k < len(header) else f"field {k + 1}"
        per_column[column] = per_column.get(column, 0) + 1
        if per_column[column] > MAX_PROBLEMS_PER_COLUMN:
            continue
        end = text.find("\n", pos)
        field = text[pos - len(fields[-1] if fields else ""):end if end >= 0 else len(text)]
        field = field.split(delimiter, 1)[0]
        problems.append(Problem(name, line, column, repr(field)[1:-1],
                                f"text without control characters (found {m.group()!r} at "
                                f"character {pos - start + 1} of the line)"))
        if total >= 10 * MAX_PROBLEMS_PER_COLUMN:
            break
    skipped = sum(max(n - MAX_PROBLEMS_PER_COLUMN, 0) for n in per_column.values())
    if skipped:
        problems.append(Problem(name, None, None, None,
                                f"text without control characters ({skipped} more like these)"))
    return problems


def _long_cells(name: str, df: pd.DataFrame) -> list[Problem]:
    problems: list[Problem] = []
    for col in df.columns:
        lengths = df[col].str.len()
        rows = np.flatnonzero((lengths > MAX_CELL_CHARS).to_numpy())
        if len(rows):
            problems += _bad(name, str(col), rows, df[col],
                             f"at most {MAX_CELL_CHARS:,} characters in one cell")
    return problems


def _sniff_delimiter(header: str, expected: str) -> str | None:
    for cand in (";", "\t", "|", ","):
        if cand != expected and header.count(cand) >= 1 and header.count(expected) == 0:
            return cand
    return None


def read_raw(path: Path, contract: Contract, columns: dict[str, str] | None = None,
             delimiter: str = ",") -> pd.DataFrame:
    """Strings as in the file, columns renamed to the contract's names, required columns checked."""
    name = str(path)
    text = decode(path)
    if not text.strip():
        raise ContractError([Problem(name, None, None, None,
                                     f"a header line with columns {', '.join(contract.required)}")])
    control = _control_problems(name, text, delimiter) if _CONTROL.search(text) else []
    if control:
        raise ContractError(control)
    header = text.split("\n", 1)[0].rstrip("\r")
    other = _sniff_delimiter(header, delimiter)
    if other is not None:
        raise ContractError([Problem(name, 1, None, header[:80],
                                     f"'{delimiter}'-separated columns; the file looks "
                                     f"'{other}'-separated")])
    try:
        df = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                         skipinitialspace=True)
    except (pd.errors.ParserError, csv.Error) as err:
        raise ContractError([Problem(name, None, None, None, f"a well-formed CSV ({err})")]) from None
    # Only a file with an apostrophe can hold a cell our writers neutralised.
    neutralised = "'" in text
    del text
    df.columns = [str(c).strip() for c in df.columns]
    long = _long_cells(name, df)
    if long:
        raise ContractError(long)
    if neutralised:
        df = restore_frame(df)
    # The export's header -> the contract's name.
    rename = {v: k for k, v in (columns or {}).items()}
    shown = {k: (f"{v}' ('{k}" if v != k else k) for k, v in (columns or {}).items()}
    problems = []
    # A column map that names a header the export does not have is a mistake in the map.
    for ours, theirs in (columns or {}).items():
        if theirs not in df.columns and ours not in contract.required:
            problems.append(Problem(name, 1, theirs, None,
                                    f"the column '{theirs}' that planner.toml maps to '{ours}' "
                                    f"(found: {', '.join(map(str, df.columns[:12]))})"))
    df = df.drop(columns=[c for c in rename.values() if c in df.columns and c not in rename])
    df = df.rename(columns=rename)
    for col in contract.required:
        if col not in df.columns:
            label = (columns or {}).get(col, col)
            problems.append(Problem(name, 1, label, None,
                                    f"required column '{label}' in the header "
                                    f"(found: {', '.join(map(str, df.columns[:12]))})"))
    dupes = df.columns[df.columns.duplicated()].tolist()
    for col in dupes:
        problems.append(Problem(name, 1, col, None, "each column name once"))
    if problems:
        raise ContractError(problems)
    if df.empty:
        raise ContractError([Problem(name, None, None, "header only", "at least one data row")])
    df.attrs["shown"] = shown
    return df


def _bad(name: str, col: str, rows: np.ndarray, values: pd.Series, expected: str) -> list[Problem]:
    out = []
    for i in rows[:MAX_PROBLEMS_PER_COLUMN]:
        out.append(Problem(name, int(i) + 2, col, str(values.iloc[i]), expected))
    if len(rows) > MAX_PROBLEMS_PER_COLUMN:
        out.append(Problem(name, None, col, None,
                           f"{expected} ({len(rows) - MAX_PROBLEMS_PER_COLUMN} more rows like these)"))
    return out


def parse_datetime(values: pd.Series, tz: str, fmt: str | None = None) -> tuple[pd.Series, np.ndarray]:
    """Parse timestamps to naive local wall-clock time in ``tz``; also returns a bad-value mask.

    Offsets (``Z``, ``+01:00``) are converted to ``tz``. A naive local time that does not exist
    (inside a daylight-saving jump) is bad, since no clock in the center ever showed it.
    """
    s = values.str.strip()
    has_offset = s.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True, na=False)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    zone = ZoneInfo(tz)
    if has_offset.any():
        aware = pd.to_datetime(s[has_offset], format=fmt or "ISO8601", errors="coerce", utc=True)
        out[has_offset] = aware.dt.tz_convert(zone).dt.tz_localize(None).astype("datetime64[ns]")
    naive_mask = ~has_offset
    if naive_mask.any():
        naive = pd.to_datetime(s[naive_mask], format=fmt or "ISO8601", errors="coerce")
        naive = naive.astype("datetime64[ns]")
        if tz != "UTC":
            ok = naive.notna()
            local = naive[ok].dt.tz_localize(zone, nonexistent="NaT",
                                             ambiguous=np.zeros(int(ok.sum()), dtype=bool))
            naive.loc[ok[ok].index[local.isna().to_numpy()]] = pd.NaT
        out[naive_mask] = naive
    bad = (out.isna() & (s != "")).to_numpy()
    return out, bad


def _parse_time(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """'HH:MM' (or 'HH:MM:SS', '24:00') to minutes after midnight."""
    m = s.str.extract(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
    h = pd.to_numeric(m[0], errors="coerce")
    mi = pd.to_numeric(m[1], errors="coerce")
    minutes = h * 60 + mi
    bad = (minutes.isna() | (h > 24) | (mi > 59) | ((h == 24) & (mi > 0))) & (s != "")
    return minutes.astype("Float64"), bad.fillna(True).to_numpy()


def coerce(df: pd.DataFrame, contract: Contract, file: str, tz: str = "UTC",
           datetime_format: str | None = None,
           values: dict[str, dict[str, object]] | None = None) -> pd.DataFrame:
    """Typed copy of ``df`` (strings from :func:`read_raw`); raises ContractError with all problems."""
    problems: list[Problem] = []
    shown = df.attrs.get("shown", {})
    out = pd.DataFrame(index=df.index)
    for col in contract.columns:
        if col.name not in df.columns:
            continue
        raw = df[col.name].astype(str).str.strip()
        if values and col.name in values:
            mapping = {str(k): str(v) for k, v in values[col.name].items()}
            raw = raw.map(lambda v, mp=mapping: mp.get(v, v))
        empty = (raw == "").to_numpy()
        label = shown.get(col.name, col.name)
        if col.required and empty.any():
            problems += _bad(file, label, np.flatnonzero(empty), raw, f"a value ({col.expected()})")
        parsed, bad = _parse(col, raw, tz, datetime_format)
        problems += _bad(file, label, np.flatnonzero(bad), raw, col.expected())
        out[col.name] = parsed
    if contract.key and not problems:
        dup = out.duplicated(list(contract.key), keep="first").to_numpy()
        if dup.any():
            label = ", ".join(contract.key)
            keyvals = out[list(contract.key)].astype(str).agg(" / ".join, axis=1)
            problems += _bad(file, label, np.flatnonzero(dup), keyvals,
                             f"a unique {label} (this one appears earlier in the file)")
    if problems:
        raise ContractError(problems)
    return out


def _parse(col: Column, raw: pd.Series, tz: str, fmt: str | None) -> tuple[pd.Series, np.ndarray]:
    empty = (raw == "").to_numpy()
    if col.kind == "str":
        bad = np.zeros(len(raw), dtype=bool)
        if col.choices:
            bad = (~raw.isin(col.choices)).to_numpy() & ~empty
        return raw.where(~empty, None).astype("string"), bad
    if col.kind in ("int", "float"):
        num = pd.to_numeric(raw.where(~empty, None), errors="coerce")
        bad = num.isna().to_numpy() & ~empty
        bad |= ~np.isfinite(num.fillna(0).to_numpy(dtype=float))
        if col.low is not None:
            bad |= (num < col.low).fillna(False).to_numpy()
        if col.high is not None:
            bad |= (num > col.high).fillna(False).to_numpy()
        if col.kind == "int":
            frac = (num.fillna(0) % 1 != 0).to_numpy()
            bad |= frac
            return num.where(~bad).round().astype("Int64"), bad
        return num.astype(float), bad
    if col.kind == "bool":
        low = raw.str.lower()
        val = pd.Series(pd.NA, index=raw.index, dtype="boolean")
        val[low.isin(_TRUE)] = True
        val[low.isin(_FALSE)] = False
        bad = val.isna().to_numpy() & ~empty
        return val, bad
    if col.kind == "datetime":
        return parse_datetime(raw, tz, fmt)
    if col.kind == "date":
        d = pd.to_datetime(raw.where(~empty, None), format="%Y-%m-%d", errors="coerce")
        return d.astype("datetime64[ns]"), d.isna().to_numpy() & ~empty
    if col.kind == "time":
        return _parse_time(raw)
    raise AssertionError(col.kind)


def read_table(path: str | Path, contract: Contract, *, tz: str = "UTC",
               columns: dict[str, str] | None = None, values: dict | None = None,
               datetime_format: str | None = None, delimiter: str = ",") -> pd.DataFrame:
    """Read and validate one file; the typed DataFrame has the contract's columns that are present."""
    path = Path(path)
    raw = read_raw(path, contract, columns, delimiter)
    return coerce(raw, contract, str(path), tz, datetime_format, values)
