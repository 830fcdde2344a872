"""The curated public API stays honest: __all__ lists exactly the public names (httpx's habit)."""

from __future__ import annotations

import scoring


def test_all_lists_exactly_the_public_members() -> None:
    public = {name for name in dir(scoring) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(scoring, name)).__name__ == "module"}
    assert set(scoring.__all__) == (public - modules) | {"__version__"}


def test_readme_example_runs() -> None:
    from scoring import Reading, UnitInput, evaluate, load_criteria

    r = evaluate(load_criteria(), UnitInput("x1", "Xã A", "xa", 2023, {"so_nhiem_vu_hoan_thanh": Reading(128),
                                                                      "so_nhiem_vu_duoc_giao": Reading(138)}))
    assert r.record("II.7").sentence == "Tỷ lệ 128/138 = 92,75 % ≥ 85 % → 2 điểm"
