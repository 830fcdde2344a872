"""The sentence an overriding condition is said by: the indicator, its value, and the test when it is not equality."""

from __future__ import annotations

from scoring import Reading, UnitInput, evaluate, load_criteria


def _fired(values: dict[str, object]) -> list[str]:
    unit = UnitInput("X01", "Xã Một", "xa", 2023, {k: Reading(v) for k, v in values.items()})  # type: ignore[arg-type]
    return [o.sentence for o in evaluate(load_criteria(), unit).overrides]


def test_an_equality_is_said_once() -> None:
    # it read «khong_nop_ho_so = Có = Có → Không xếp loại»
    (sentence,) = _fired({"khong_nop_ho_so": True, "so_thon": 3})
    assert sentence.startswith("khong_nop_ho_so = Có → ") and "= Có = Có" not in sentence


def test_a_comparison_is_said_with_its_threshold() -> None:
    (sentence,) = _fired({"so_vu_dong_nguoi": 1, "so_thon": 3})
    assert sentence.startswith("so_vu_dong_nguoi = 1 > 0 → ")
