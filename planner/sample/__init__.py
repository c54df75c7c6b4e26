"""A realistic generated contact center with its ground truth (``planner sample``)."""

from planner.sample.arrivals import draw_arrivals, holiday_dates, interval_grid, true_rates
from planner.sample.generate import SampleCenter, default_truth_dir, generate_sample, write_sample
from planner.sample.spec import CASE_TYPES, CaseTypeSpec

__all__ = [
    "CASE_TYPES", "CaseTypeSpec", "SampleCenter", "default_truth_dir", "draw_arrivals",
    "generate_sample", "holiday_dates", "interval_grid", "true_rates", "write_sample",
]
