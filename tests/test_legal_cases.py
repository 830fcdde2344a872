"""Legal cases as data: every criterion of every scheme at each tier edge, no cases, and missing values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from scoring import evaluate, load_criteria
from scoring.criteria.models import CountTiers, DateTiers, RatioLinear, RatioTiers
from scoring.criteria.validate import rule_inputs
from tests.legal_cases import Case, load_cases

CRITERIA = load_criteria()
CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case(case: Case) -> None:
    result = evaluate(CRITERIA, case.unit())
    for cid, expected in case.raw.get("expect", {}).items():
        assert result.record(cid).points == Decimal(expected), result.record(cid).sentence
    for cid, status in case.raw.get("expect_status", {}).items():
        assert result.record(cid).status == status, result.record(cid).sentence
    if "expect_total" in case.raw:
        assert result.total == Decimal(case.raw["expect_total"])
    if "expect_grade" in case.raw:
        assert result.grade_name == case.raw["expect_grade"]
    codes = {i.code for i in result.issues}
    for code in case.raw.get("expect_warnings", []):
        assert code in codes, sorted(codes)
    for code in case.raw.get("expect_no_warnings", []):
        assert code not in codes, sorted(codes)


def _cases_for(subject: str, cid: str) -> list[Case]:
    return [c for c in CASES if c.subject == subject and cid in c.raw.get("expect", {})]


def _leaves() -> list[tuple[str, str]]:
    return [(s, cid) for s, nodes in CRITERIA.nodes.items() for cid, node in nodes.items() if node.is_leaf]


@pytest.mark.parametrize(("subject", "cid"), _leaves(), ids=lambda x: str(x))
def test_every_criterion_has_cases(subject: str, cid: str) -> None:
    """Meta-test: each leaf has cases, a missing-value case, a no-cases case and cases at each tier edge."""
    cases = _cases_for(subject, cid)
    assert cases, f"{subject} {cid}: no legal case"
    rule = CRITERIA.nodes[subject][cid].rule
    assert rule is not None
    if rule_inputs(rule):
        assert any(c.raw.get("expect_status", {}).get(cid) == "thieu_so_lieu" for c in cases), \
            f"{subject} {cid}: no missing-value case"
    values = [c.unit().values for c in cases]
    if isinstance(rule, (RatioLinear, RatioTiers)) and isinstance(rule.denominator, str):
        assert any(v.get(rule.denominator) and v[rule.denominator].value == 0 for v in values), \
            f"{subject} {cid}: no no-cases case (denominator 0)"
    if isinstance(rule, RatioTiers):
        pcts = set()
        for v in values:
            num, den = v.get(rule.numerator), v.get(rule.denominator)  # type: ignore[arg-type]
            if num and den and den.value:
                pcts.add(Decimal(100) * num.value / den.value)
        for tier in rule.tiers:
            for side, test in (("below", lambda p, t=tier.min_pct: p < t), ("at", lambda p, t=tier.min_pct: p == t),
                               ("above", lambda p, t=tier.min_pct: p > t)):
                if side == "above" and tier.min_pct == 100:
                    continue  # the percentage is capped at 100: nothing lies above
                assert any(test(p) for p in pcts), f"{subject} {cid}: no case {side} {tier.min_pct} %"
    if isinstance(rule, CountTiers):
        counts = {v[rule.input].value for v in values if rule.input in v}
        for tier in rule.tiers:
            for c in {tier.min - 1, tier.min, tier.min + 1} - {-1}:
                assert c in counts, f"{subject} {cid}: no case with count {c}"
    if isinstance(rule, DateTiers):
        days = {(v[rule.input].value, c.raw.get("year", 2023)) for v, c in zip(values, cases, strict=True)
                if rule.input in v}
        for tier in rule.tiers:
            d, m = int(tier.by[:2]), int(tier.by[3:])
            for delta in (-1, 0, 1):
                assert any(day == dt.date(y, m, d) + dt.timedelta(days=delta) for day, y in days), \
                    f"{subject} {cid}: no case {delta:+d} day around {tier.by}"
