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


def test_results_are_plain_values_equal_and_picklable() -> None:
    # A result is data: evaluating the same unit twice gives equal results, and one can be pickled (sent to
    # another process, cached). A callable kept in a record once broke both (found by review).
    import datetime as dt
    import pickle

    from scoring import Reading, UnitInput, evaluate, load_criteria

    criteria = load_criteria()
    unit = UnitInput("x1", "Xã A", "xa", 2023, {"so_nhiem_vu_hoan_thanh": Reading(128),
                                                 "so_nhiem_vu_duoc_giao": Reading(138),
                                                 "ngay_ban_hanh_ke_hoach": Reading(dt.date(2023, 1, 9))})
    a, b = evaluate(criteria, unit), evaluate(criteria, unit)
    assert a.records == b.records and a == b
    again = pickle.loads(pickle.dumps(a))
    assert again.records == a.records and again.record("II.7").sentence == a.record("II.7").sentence
