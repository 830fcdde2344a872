"""Properties that hold for any unit: bounds, totals from the trace, caps, order independence, monotonicity."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from scoring import Reading, UnitInput, evaluate, evaluate_all, load_criteria, rank
from scoring.criteria.models import RatioLinear, RatioTiers
from scoring.errors import Location
from scoring.trace import GROUP, LEAF
from tests.strategies import random_unit, units

CRITERIA = load_criteria()
CF = CRITERIA.file
ORDER = [g.id for g in CF.grades]


@given(units(CRITERIA))
def test_leaf_points_within_zero_and_max(unit) -> None:  # type: ignore[no-untyped-def]
    result = evaluate(CRITERIA, unit)
    for r in result.records:
        assert r.points.as_tuple().exponent >= -CF.rounding.places, r  # rounded, not merely equal to rounded
        if r.level == LEAF:
            assert Decimal(0) <= r.points <= r.max, r


@given(units(CRITERIA))
def test_totals_are_the_sum_of_the_trace(unit) -> None:  # type: ignore[no-untyped-def]
    result = evaluate(CRITERIA, unit)
    by_id = {r.criterion_id: r for r in result.records}
    for cid, node in CRITERIA.nodes[unit.subject].items():
        if node.children:
            raw = sum(by_id[c.id].points for c in node.children)
            expected = min(raw, node.max) if node.group in ("bonus", "deduction") else raw
            assert by_id[cid].points == expected
    for r in result.records:  # the sum sentence relies on it (trace._sum_sentence does not add up again)
        if r.kind == "sum":
            assert r.points == sum((k.points for k in r.parts), Decimal(0)), r.criterion_id
    groups = [r for r in result.records if r.level == GROUP]
    base = sum(r.points for r in groups if r.group == "base")
    assert result.base == base
    raw_total = base + result.bonus - result.deduction
    assert result.total == min(max(raw_total, CF.score_range.min), CF.score_range.max)


@given(units(CRITERIA))
def test_caps_and_range(unit) -> None:  # type: ignore[no-untyped-def]
    result = evaluate(CRITERIA, unit)
    assert Decimal(0) <= result.bonus <= 5
    assert Decimal(0) <= result.deduction <= 10
    assert Decimal(0) <= result.total <= 100


@given(units(CRITERIA))
def test_an_override_never_raises_a_grade(unit) -> None:  # type: ignore[no-untyped-def]
    result = evaluate(CRITERIA, unit)
    if result.graded:
        assert result.points_grade_id is not None
        assert ORDER.index(result.grade_id) >= ORDER.index(result.points_grade_id)


@given(st.lists(units(CRITERIA), min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_ranking_is_independent_of_unit_order(batch, rnd) -> None:  # type: ignore[no-untyped-def]
    batch = [replace(u, unit_id=f"{u.unit_id}_{i}") for i, u in enumerate(batch)]
    results = [evaluate(CRITERIA, u) for u in batch]
    shuffled = results[:]
    rnd.shuffle(shuffled)
    def view(ranked):  # type: ignore[no-untyped-def]
        return {s: [(r.unit.unit_id, r.rank, r.total) for r in rows] for s, rows in ranked.items()}
    assert view(rank(results)) == view(rank(shuffled))
    for rows in rank(results).values():
        ranks = [r.rank for r in rows if r.rank is not None]
        assert ranks == sorted(ranks)
        for a, b in pairwise(rows):
            if a.rank is not None and b.rank is not None:
                assert (a.total == b.total) == (a.rank == b.rank)


@given(units(CRITERIA), st.integers(1, 500))
def test_ratio_rules_are_monotonic_in_the_numerator(unit, extra) -> None:  # type: ignore[no-untyped-def]
    before = evaluate(CRITERIA, unit)
    for cid, node in CRITERIA.nodes[unit.subject].items():
        if isinstance(node.rule, (RatioLinear, RatioTiers)) and node.rule.numerator in unit.values:
            num = node.rule.numerator
            bigger = replace(unit, values=unit.values | {num: Reading(unit.values[num].value + extra)})
            after = evaluate(CRITERIA, bigger)
            assert after.record(cid).computed >= before.record(cid).computed  # type: ignore[operator]


def test_competition_ranking_with_ties_and_vietnamese_order() -> None:
    u = random_unit(CRITERIA, "xa", 1, random.Random(7), missing=0.0)
    calm = {"khong_nop_ho_so": False, "nop_ho_so_cham": False, "so_diem_nong": 0, "so_cbccvc_bi_ky_luat": 0,
            "so_vu_dong_nguoi": 0, "so_cuoc_kiem_tra": 5}
    u = replace(u, values=u.values | {k: Reading(v) for k, v in calm.items()})
    names = ["Xã Đồng Vương", "Xã Dương Hưu", "Xã An Thượng", "Xã Ân Thi"]
    results = [evaluate(CRITERIA, replace(u, unit_id=f"x{i}", unit_name=n)) for i, n in enumerate(names)]
    lower = evaluate(CRITERIA, replace(u, unit_id="x9", unit_name="Xã Bắc Lý",
                                       values=u.values | {"so_cuoc_kiem_tra": Reading(0)}))
    assert lower.total == results[0].total - 3
    ranked = rank([lower, *results])["xa"]
    assert [r.unit.unit_name for r in ranked] == ["Xã An Thượng", "Xã Ân Thi", "Xã Dương Hưu", "Xã Đồng Vương",
                                                  "Xã Bắc Lý"]
    assert [r.rank for r in ranked] == [1, 1, 1, 1, 5]


def test_unit_without_data_is_not_graded_and_listed_last() -> None:
    empty = UnitInput("x0", "Xã Không Nộp", "xa", 2023)
    graded = evaluate(CRITERIA, random_unit(CRITERIA, "xa", 2, random.Random(3), missing=0.0))
    result = evaluate(CRITERIA, empty)
    assert result.grade_name == CF.ungraded.name and not result.graded
    assert "NO_DATA" in {i.code for i in result.issues}
    assert not any(i.code == "MISSING_VALUE" for i in result.issues)
    ranked = rank([result, graded])["xa"]
    assert ranked[-1].unit.unit_id == "x0" and ranked[-1].rank is None


def _view(result):  # type: ignore[no-untyped-def]
    """Everything a reader of a result sees, with the unit's own cells (records are shared in a batch)."""
    return ([(r.to_dict(result.unit.values), r.group, r.depth) for r in result.records],
            result.issues, result.grade_id, result.points_grade_id, result.overrides, result.next_grade)


@given(st.lists(units(CRITERIA), min_size=2, max_size=10), st.integers(0, 2**32))
def test_a_batch_shares_records_but_gives_each_unit_its_own_result(batch, seed) -> None:  # type: ignore[no-untyped-def]
    # Repeat units under other names and cells, so that shared records are exercised, not only possible.
    rnd = random.Random(seed)
    copies = [replace(u, unit_id=f"{u.unit_id}-b", source="khac.xlsx",
                      values={k: r._replace(origin=Location("khac.xlsx", "Số liệu", f"D{rnd.randint(5, 99)}", k))
                              for k, r in u.values.items()})
              for u in batch]
    every = batch + copies
    alone = [evaluate(CRITERIA, u) for u in every]
    together = evaluate_all(CRITERIA, every)
    assert [_view(r) for r in together] == [_view(r) for r in alone]
    shared = {id(rec) for r in together[: len(batch)] for rec in r.records if rec.level == LEAF}
    assert any(id(rec) in shared for r in together[len(batch):] for rec in r.records if rec.level == LEAF)
