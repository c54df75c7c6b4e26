"""The sample's planned training: learners of a complex type, deterministic, a valid training.csv."""

from __future__ import annotations

from planner.io import load_folder
from planner.sample import generate_sample, write_sample


def test_sample_training_is_learners_of_complex_types_and_loads(tmp_path):
    center = generate_sample(seed=3, weeks=2, agents=40)
    t = center.training
    assert t is not None and len(t) == 3
    complex_types = {"technical_fault", "chat_technical", "complaints"}
    level = {(a, c): lv for a, c, lv in center.skills[["agent_id", "case_type", "level"]]
             .itertuples(index=False)}
    for row in t.itertuples(index=False):
        assert row.topic in complex_types and level[(row.agent_id, row.topic)] in (1, 2)
    av = center.availability
    assert not set(av.loc[av["kind"] == "time_off", "agent_id"]) & set(t["agent_id"])
    assert t["agent_id"].tolist() == sorted(t["agent_id"]) and t["hours"].eq(4.0).all()
    write_sample(center, tmp_path / "d", tmp_path / "t")
    again = generate_sample(seed=3, weeks=2, agents=40)
    write_sample(again, tmp_path / "e", tmp_path / "u")
    assert (tmp_path / "d" / "training.csv").read_bytes() == (tmp_path / "e" / "training.csv").read_bytes()
    folder = load_folder(tmp_path / "d")
    assert folder.training is not None and len(folder.training) == 3
    # The week planned is the one after the history: the sessions' window is its Monday-Thursday.
    assert str(folder.training["earliest"].iloc[0].date()) == "2026-11-23"
    assert str(folder.training["latest"].iloc[0].date()) == "2026-11-26"
