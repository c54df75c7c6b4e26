"""Intraday: re-forecast the rest of a day from its actuals and re-plan it on the published shifts.

Public API: :func:`intraday` (data folder, run folder and the time in; :class:`IntradayResult`
out) and :func:`write_intraday` (``RUN/intraday-<time>/``). The method is in the docstrings of
:mod:`.update` (the re-forecast), :mod:`.replan`, :mod:`.offers` and :mod:`.simulate`.
"""

from planner.intraday.run import IntradayResult, intraday, write_intraday

__all__ = ["IntradayResult", "intraday", "write_intraday"]
