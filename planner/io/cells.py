"""Text cells safe to open in a spreadsheet, and back.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) as a formula: an agent named ``=HYPERLINK(...)`` would become a live link in
every CSV we write ("CSV injection"). :func:`neutralise` puts an apostrophe in front of such a
text, the prefix spreadsheets themselves use for "this is text"; a text that already starts with
an apostrophe gets a second one, so :func:`restore` can undo exactly what was added and every file
we write reads back to the same values. Numbers written as text (``-3``, ``+1.5e3``) are left as
they are: a spreadsheet reads them as the number they are.
"""

from __future__ import annotations

import pandas as pd

# First characters that make a spreadsheet evaluate a cell, plus the apostrophe (so it round-trips).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_FORMULA_CLASS = r"[=+\-@\t\r']"
_PLAIN_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


def _dangerous(values: pd.Series) -> pd.Series:
    text = values.astype("string")
    starts = text.str.match(_FORMULA_CLASS, na=False)
    if not starts.any():
        return starts
    number = text.str.fullmatch(_PLAIN_NUMBER, na=False)
    return starts & ~number


def neutralise_cell(value: str) -> str:
    """One text cell as :func:`neutralise` writes it."""
    return neutralise(pd.Series([value], dtype=object)).iloc[0]


def neutralise(values: pd.Series) -> pd.Series:
    """Text values with an apostrophe in front of every one a spreadsheet would run as a formula."""
    mask = _dangerous(values)
    if not mask.any():
        return values
    out = values.astype(object).copy()
    out[mask.to_numpy()] = "'" + values[mask.to_numpy()].astype(str)
    return out


def restore(values: pd.Series) -> pd.Series:
    """Undo :func:`neutralise`: drop the apostrophe it added (and only that one)."""
    text = values.astype("string")
    has = text.str.startswith("'", na=False)
    if not has.any():
        return values
    rest = text[has].str.slice(1)
    added = _dangerous(rest)
    idx = rest.index[added.to_numpy()]
    if not len(idx):
        return values
    out = values.copy()
    if isinstance(out.dtype, pd.StringDtype):
        out.loc[idx] = rest.loc[idx]
    else:
        out = out.astype(object)
        out.loc[idx] = rest.loc[idx].astype(object)
    return out


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns are neutralised (numbers and dates untouched)."""
    out = None
    for col in frame.columns:
        s = frame[col]
        if not (s.dtype == object or isinstance(s.dtype, pd.StringDtype)):
            continue
        safe = neutralise(s)
        if safe is not s:
            if out is None:
                out = frame.copy()
            out[col] = safe
    if out is None:
        out = frame
    # Column names are cells too.
    names = neutralise(pd.Series([str(c) for c in frame.columns], dtype=object))
    if list(names) != [str(c) for c in frame.columns]:
        out = out.copy() if out is frame else out
        out.columns = list(names)
    return out


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralise_frame` on a frame read from one of our CSV files."""
    out = frame
    for col in frame.columns:
        s = frame[col]
        if not (s.dtype == object or isinstance(s.dtype, pd.StringDtype)):
            continue
        back = restore(s)
        if back is not s:
            if out is frame:
                out = frame.copy()
            out[col] = back
    names = restore(pd.Series([str(c) for c in frame.columns], dtype=object))
    if list(names) != [str(c) for c in frame.columns]:
        out = out.copy() if out is frame else out
        out.columns = list(names)
    return out


def read_csv(path, **kwargs) -> pd.DataFrame:
    """``pandas.read_csv`` of a file we wrote, with neutralised text cells restored."""
    return restore_frame(pd.read_csv(path, **kwargs))
