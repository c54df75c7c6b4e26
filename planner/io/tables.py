"""Read a CSV file against a :class:`~planner.io.contracts.Contract`, collecting every problem.

Why hand-written and not pandera: the checks are few and vectorised, and the messages must name the
line a person sees in an editor and the export's own column name when a column map is in use.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
from collections.abc import Iterator
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
# Control characters no text field holds: C0 except tab and line ends, DEL, C1, a carriage
# return that does not end a line, and the bidirectional embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069). A NUL would silently cut a field where pandas reads it; a
# right-to-left override makes a name display as another ("Trojan Source"). The marks U+200E/F
# stay allowed: right-to-left names legitimately carry them, and they reorder nothing.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)"
_CONTROL = re.compile(CONTROL_CHARACTERS)
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|\xc2[\x80-\x9f]"
                            rb"|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")
# Rows parsed and typed at a time: the strings of one block are typed (numbers, dates, shared
# text objects) before the next is read, so memory follows the typed table, not the text.
CHUNK_ROWS = 1_000_000


def read_checked(path: Path, delimiter: str = ",") -> bytes:
    """File bytes, checked to be UTF-8 text without control characters (a UTF-8 byte-order mark
    is accepted); a ``.gz`` file is decompressed."""
    name = str(path)
    if not path.exists():
        raise ContractError([Problem(name, None, None, None, "an existing file")])
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ContractError([Problem(name, 1, None, "UTF-16 byte-order mark",
                                     "UTF-8 text (save the file as 'CSV UTF-8')")])
    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 1 << 24
    try:
        for lo in range(0, len(raw), step):
            decoder.decode(raw[lo:lo + step], final=lo + step >= len(raw))
    except UnicodeDecodeError as err:
        start = lo + err.start
        line = raw[:start].count(b"\n") + 1
        bad = raw[start:start + 4]
        raise ContractError([Problem(name, line, None, repr(bad),
                                     "UTF-8 text (re-export the file as UTF-8)")]) from None
    if _CONTROL_BYTES.search(raw):
        text = raw.decode("utf-8-sig")
        raise ContractError(_control_problems(name, text, delimiter))
    return raw


def decode(path: Path) -> str:
    """File bytes as text: UTF-8 (a UTF-8 byte-order mark is accepted and dropped)."""
    return read_checked(path).decode("utf-8-sig")


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
                                f"text without control characters or direction overrides "
                                f"(found {m.group()!r} at "
                                f"character {pos - start + 1} of the line)"))
        if total >= 10 * MAX_PROBLEMS_PER_COLUMN:
            break
    skipped = sum(max(n - MAX_PROBLEMS_PER_COLUMN, 0) for n in per_column.values())
    if skipped:
        problems.append(Problem(name, None, None, None,
                                f"text without control characters ({skipped} more like these)"))
    return problems


def _long_cells(name: str, df: pd.DataFrame, first_row: int = 0) -> list[Problem]:
    problems: list[Problem] = []
    for col in df.columns:
        lengths = df[col].str.len()
        rows = np.flatnonzero((lengths > MAX_CELL_CHARS).to_numpy())
        if len(rows):
            problems += _bad(name, str(col), rows, df[col],
                             f"at most {MAX_CELL_CHARS:,} characters in one cell", first_row)
    return problems


def _sniff_delimiter(header: str, expected: str) -> str | None:
    for cand in (";", "\t", "|", ","):
        if cand != expected and header.count(cand) >= 1 and header.count(expected) == 0:
            return cand
    return None


def _raw_chunks(path: Path, contract: Contract, columns: dict[str, str] | None, delimiter: str,
                chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Blocks of strings as in the file, columns renamed to the contract's names, required columns
    checked; each block's ``attrs["first_row"]`` is its first row's position in the file."""
    name = str(path)
    raw = read_checked(path, delimiter)
    if not raw.strip():
        raise ContractError([Problem(name, None, None, None,
                                     f"a header line with columns {', '.join(contract.required)}")])
    header = raw.split(b"\n", 1)[0].removesuffix(b"\r").decode("utf-8-sig")
    other = _sniff_delimiter(header, delimiter)
    if other is not None:
        raise ContractError([Problem(name, 1, None, header[:80],
                                     f"'{delimiter}'-separated columns; the file looks "
                                     f"'{other}'-separated")])
    # Only a file with an apostrophe can hold a cell our writers neutralised.
    neutralised = b"'" in raw
    rename = {v: k for k, v in (columns or {}).items()}
    shown = {k: (f"{v}' ('{k}" if v != k else k) for k, v in (columns or {}).items()}
    first_row = 0
    try:
        with pd.read_csv(io.BytesIO(raw), sep=delimiter, dtype=str, keep_default_na=False,
                         skipinitialspace=True, encoding="utf-8-sig", chunksize=chunk_rows) as reader:
            del raw
            for df in reader:
                df.columns = [str(c).strip() for c in df.columns]
                long = _long_cells(name, df, first_row)
                if long:
                    raise ContractError(long)
                if neutralised:
                    df = restore_frame(df)
                before = df.columns
                df = df.drop(columns=[c for c in rename.values() if c in df.columns and c not in rename])
                df = df.rename(columns=rename)
                if first_row == 0:
                    _check_header(name, before, df.columns, contract, columns)
                df.attrs["shown"] = shown
                df.attrs["first_row"] = first_row
                empty_ok = first_row == 0 and not len(df) and contract.may_be_empty
                first_row += len(df)
                if len(df) or empty_ok:
                    yield df
    except (pd.errors.ParserError, csv.Error) as err:
        raise ContractError([Problem(name, None, None, None, f"a well-formed CSV ({err})")]) from None
    except pd.errors.EmptyDataError:
        raise ContractError([Problem(name, None, None, None,
                                     f"a header line with columns {', '.join(contract.required)}")]
                            ) from None
    if first_row == 0 and not contract.may_be_empty:
        raise ContractError([Problem(name, None, None, "header only", "at least one data row")])


def _check_header(name: str, before: pd.Index, after: pd.Index, contract: Contract,
                  columns: dict[str, str] | None) -> None:
    """The header before and after the column map: mapped columns present, required columns
    present, each column once."""
    problems = []
    # A column map that names a header the export does not have is a mistake in the map.
    for ours, theirs in (columns or {}).items():
        if theirs not in before and ours not in contract.required:
            problems.append(Problem(name, 1, theirs, None,
                                    f"the column '{theirs}' that planner.toml maps to '{ours}' "
                                    f"(found: {', '.join(map(str, before[:12]))})"))
    for col in contract.required:
        if col not in after:
            label = (columns or {}).get(col, col)
            problems.append(Problem(name, 1, label, None,
                                    f"required column '{label}' in the header "
                                    f"(found: {', '.join(map(str, after[:12]))})"))
    dupes = after[after.duplicated()].tolist()
    for col in dupes:
        problems.append(Problem(name, 1, col, None, "each column name once"))
    if problems:
        raise ContractError(problems)


def read_raw(path: Path, contract: Contract, columns: dict[str, str] | None = None,
             delimiter: str = ",") -> pd.DataFrame:
    """Strings as in the file, columns renamed to the contract's names, required columns checked."""
    blocks = list(_raw_chunks(path, contract, columns, delimiter, CHUNK_ROWS))
    df = pd.concat(blocks, ignore_index=True) if len(blocks) > 1 else blocks[0]
    df.attrs["first_row"] = 0
    return df


def _bad(name: str, col: str, rows: np.ndarray, values: pd.Series, expected: str,
         first_row: int = 0) -> list[Problem]:
    out = []
    for i in rows[:MAX_PROBLEMS_PER_COLUMN]:
        out.append(Problem(name, first_row + int(i) + 2, col, str(values.iloc[i]), expected))
    if len(rows) > MAX_PROBLEMS_PER_COLUMN:
        out.append(Problem(name, None, col, None,
                           f"{expected} ({len(rows) - MAX_PROBLEMS_PER_COLUMN} more rows like these)"))
    return out


def parse_datetime(values: pd.Series, tz: str, fmt: str | None = None
                   ) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Parse timestamps to naive local wall-clock time in ``tz``; also returns a bad-value mask
    and, within it, the mask of local times that do not exist.

    Offsets (``Z``, ``+01:00``) are converted to ``tz``. A naive local time that does not exist
    (inside a daylight-saving jump) is bad, since no clock in the center ever showed it.
    """
    s = values.str.strip()
    has_offset = s.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True, na=False)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    zone = ZoneInfo(tz)
    gap = np.zeros(len(s), dtype=bool)
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
            missing = ok[ok].index[local.isna().to_numpy()]
            naive.loc[missing] = pd.NaT
            gap[s.index.get_indexer(missing)] = True
        out[naive_mask] = naive
    bad = (out.isna() & (s != "")).to_numpy()
    return out, bad, gap


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
           values: dict[str, dict[str, object]] | None = None, check_key: bool = True) -> pd.DataFrame:
    """Typed copy of ``df`` (strings from :func:`read_raw`); raises ContractError with all problems.

    ``df.attrs["first_row"]`` (a block of a longer file) shifts the row numbers of the problems;
    ``check_key`` False leaves the key's uniqueness to the caller (see :func:`check_key_unique`).
    """
    problems: list[Problem] = []
    shown = df.attrs.get("shown", {})
    first = int(df.attrs.get("first_row", 0))
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
            problems += _bad(file, label, np.flatnonzero(empty), raw, f"a value ({col.expected()})",
                             first)
        parsed, bad, gap = _parse(col, raw, tz, datetime_format)
        if gap.any():
            # A well-formed time the clocks skipped: say so, not that the format is wrong.
            problems += _bad(file, label, np.flatnonzero(gap), raw,
                             f"a local time that exists in {tz} (this one falls in the gap when the "
                             "clocks go forward; give it with its UTC offset, or "
                             "fix the export's time zone)", first)
            bad = bad & ~gap
        problems += _bad(file, label, np.flatnonzero(bad), raw, col.expected(), first)
        out[col.name] = parsed
    if contract.key and check_key and not problems:
        problems += check_key_unique(out, contract, file)
    if problems:
        raise ContractError(problems)
    return out


def check_key_unique(out: pd.DataFrame, contract: Contract, file: str) -> list[Problem]:
    """Rows whose key (``contract.key``) appears on an earlier row."""
    dup = out.duplicated(list(contract.key), keep="first").to_numpy()
    if not dup.any():
        return []
    label = ", ".join(contract.key)
    rows = np.flatnonzero(dup)
    shown = rows[:MAX_PROBLEMS_PER_COLUMN + 1]
    keyvals = out.iloc[shown][list(contract.key)].astype(str).agg(" / ".join, axis=1)
    problems = [Problem(file, int(r) + 2, label, str(v),
                        f"a unique {label} (this one appears earlier in the file)")
                for r, v in zip(shown[:MAX_PROBLEMS_PER_COLUMN], keyvals, strict=False)]
    if len(rows) > MAX_PROBLEMS_PER_COLUMN:
        problems.append(Problem(file, None, label, None,
                                f"a unique {label} ({len(rows) - MAX_PROBLEMS_PER_COLUMN} more rows "
                                "like these)"))
    return problems


def _shared_text(values: pd.Series) -> pd.Series:
    """The same strings with one object per distinct value (a column of a few case types over
    millions of rows then costs a pointer per row, not a string per row)."""
    if len(values) < 10_000:
        return values
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    if len(uniques) > len(values) // 2:
        return values
    arr = np.asarray(uniques, dtype=object)[codes]
    arr[codes < 0] = None
    return pd.Series(arr, index=values.index)


def _parse(col: Column, raw: pd.Series, tz: str, fmt: str | None
           ) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Typed values, the bad-value mask and the mask of local times that do not exist."""
    if col.kind == "datetime":
        return parse_datetime(raw, tz, fmt)
    parsed, bad = _parse_plain(col, raw)
    return parsed, bad, np.zeros(len(raw), dtype=bool)


def _parse_plain(col: Column, raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    empty = (raw == "").to_numpy()
    if col.kind == "str":
        bad = np.zeros(len(raw), dtype=bool)
        if col.choices:
            bad = (~raw.isin(col.choices)).to_numpy() & ~empty
        return _shared_text(raw.where(~empty, None)).astype("string"), bad
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
    if col.kind == "date":
        d = pd.to_datetime(raw.where(~empty, None), format="%Y-%m-%d", errors="coerce")
        return d.astype("datetime64[ns]"), d.isna().to_numpy() & ~empty
    if col.kind == "time":
        return _parse_time(raw)
    raise AssertionError(col.kind)


def read_table(path: str | Path, contract: Contract, *, tz: str = "UTC",
               columns: dict[str, str] | None = None, values: dict | None = None,
               datetime_format: str | None = None, delimiter: str = ",",
               keep: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Read and validate one file; the typed DataFrame has the contract's columns that are present.

    ``keep``: the columns the caller uses. Every column is still checked, block by block, but only
    these are kept, so a long history costs memory for what is used (a forecast keeps 4 of the
    13 columns of cases.csv). A key that is not kept is checked for repeats by a 64-bit hash per
    row; only when two hashes agree is the file read again in full for the exact message.
    """
    path = Path(path)
    typed = []
    hashes = []
    key = list(contract.key)
    hashed = keep is not None and bool(key) and not set(key) <= set(keep)
    for block in _raw_chunks(path, contract, columns, delimiter, CHUNK_ROWS):
        part = coerce(block, contract, str(path), tz, datetime_format, values, check_key=False)
        del block
        if hashed and set(key) <= set(part.columns):
            hashes.append(pd.util.hash_pandas_object(part[key], index=False).to_numpy())
        if keep is not None:
            part = part[[c for c in part.columns if c in keep]]
        typed.append(part)
    out = pd.concat(typed, ignore_index=True) if len(typed) > 1 else typed[0]
    del typed
    if hashed:
        every = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint64)
        del hashes
        every.sort()
        if (every[1:] == every[:-1]).any():
            read_table(path, contract, tz=tz, columns=columns, values=values,
                       datetime_format=datetime_format, delimiter=delimiter)
    elif contract.key:
        problems = check_key_unique(out, contract, str(path))
        if problems:
            raise ContractError(problems)
    return out
