"""planner.toml of the sample center, written as text so the file is stable and commented."""

from __future__ import annotations

from planner.sample.spec import (
    CENTER_HOURS,
    CHANNEL_CONCURRENCY,
    CHANNEL_HOURS,
    COUNTRY,
    INTERVAL_MINUTES,
    SUBDIVISION,
    TIMEZONE,
    CaseTypeSpec,
)

_TARGETS = {
    # channel: (service_level, answer_seconds)
    "phone": (0.80, 20),
    "chat": (0.90, 60),
}


def _hours(hours: dict[str, str]) -> str:
    return "{ " + ", ".join(f'{d} = "{v}"' for d, v in hours.items()) + " }"


def config_text(specs: tuple[CaseTypeSpec, ...], seed: int) -> str:
    """The sample's planner.toml."""
    lines = [
        "# planner.toml of the generated sample center (planner sample).",
        "# Targets: phone 80% answered in 20 s, chat 90% in 60 s (2 chats at once), email within 24 h.",
        "",
        "horizon_days = 7",
        f"seed = {seed}",
        "",
        "[center]",
        'name = "Sample retail service center"',
        f'timezone = "{TIMEZONE}"',
        f'country = "{COUNTRY}"',
        f'subdivision = "{SUBDIVISION}"',
        f"interval_minutes = {INTERVAL_MINUTES}",
        "# The center's hours are the union of the channels' (chat is open longest).",
        f"opening_hours = {_hours(CENTER_HOURS)}",
        "open_on_holidays = false",
        "",
        "[staffing]",
        "shrinkage = 0.30",
        "max_occupancy = 0.85",
        'model = "erlang_c"',
        "",
    ]
    for s in specs:
        lines.append(f"[case_types.{s.name}]")
        lines.append(f'channel = "{s.channel}"')
        lines.append(f'complexity = "{s.complexity}"')
        if s.complexity == "complex":
            lines.append('min_tier = "medium"')
            lines.append("min_level = 3")
        if s.channel in _TARGETS:
            sl, ans = _TARGETS[s.channel]
            lines.append(f"service_level = {sl}")
            lines.append(f"answer_seconds = {ans}")
            lines.append(f"opening_hours = {_hours(CHANNEL_HOURS[s.channel])}")
        else:
            lines.append("# Back office: arrives around the clock, answered within the deadline.")
            lines.append("service_level = 0.95")
            lines.append("deadline_hours = 24")
        if s.patience_seconds:
            lines.append(f"patience_seconds = {s.patience_seconds:g}")
        if CHANNEL_CONCURRENCY[s.channel] > 1:
            lines.append(f"concurrency = {CHANNEL_CONCURRENCY[s.channel]}")
        if s.name == "technical_fault":
            lines.append("swarm_share = 0.10")
            lines.append("swarm_time_share = 0.3")
        lines.append("")
    lines += [
        "[shifts]",
        "lengths_hours = [8.0, 6.0, 4.0]",
        "start_step_minutes = 30",
        "earliest_start = 07:30:00",
        "latest_end = 22:00:00",
        "break_minutes = 15",
        "break_every_hours = 4.0",
        "lunch_minutes = 30",
        "lunch_min_shift_hours = 6.0",
        "lunch_window_hours = [3.0, 5.0]",
        "min_rest_hours = 11.0",
        "max_consecutive_days = 5",
        "days_off_per_week = 2",
        "allow_overnight = false",
        "max_hours = 40.0",
        "",
        "[tiers]",
        "window_weeks = 12",
        "weights = { handle_time = 0.25, fcr = 0.25, csat = 0.2, qa = 0.15, reopen = 0.1, "
        "transfers = 0.05 }",
        'bands = "percentile"',
        "high_share = 0.25",
        "low_share = 0.25",
        "min_cases = 30",
        "hysteresis = 0.1",
        "",
    ]
    return "\n".join(lines)
