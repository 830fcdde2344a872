"""Hypothesis strategies and a seeded generator of random units (shared by tests and the benchmark)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from hypothesis import strategies as st

from scoring import Criteria, Reading, Score, UnitInput
from scoring.criteria.models import Judgement


def random_value(kind: str, choices: tuple[str, ...] | None, rnd: random.Random) -> object:
    if kind == "bool":
        return rnd.random() < 0.6
    if kind == "int":
        return rnd.choice((0, 0, 1, 2, 3, rnd.randint(0, 50), rnd.randint(0, 5000)))
    if kind == "date":
        return dt.date(2023, 1, 1) + dt.timedelta(days=rnd.randint(-400, 400))
    assert choices
    return rnd.choice(choices)


def random_unit(criteria: Criteria, subject: str, n: int, rnd: random.Random, missing: float = 0.1,
                self_all: bool = False) -> UnitInput:
    """A unit of random values; self-scores on judgement criteria, or with `self_all` on every criterion (a
    complete self-assessment, as a unit's own «Chấm điểm» sheet holds: full or no points on the rest)."""
    values = {}
    for ind_id in sorted(criteria.used_indicators[subject] | {"khong_nop_ho_so", "nguoi_dung_dau_bi_ky_luat"}):
        if rnd.random() < missing:
            continue
        ind = criteria.indicators[ind_id]
        value = random_value(ind.type, ind.choices, rnd)
        if ind_id == "khong_nop_ho_so":
            value = rnd.random() < 0.03
        values[ind_id] = Reading(value)
    selfs, appraised = {}, {}
    for cid, node in criteria.nodes[subject].items():
        if isinstance(node.rule, Judgement):
            steps = int(node.max / node.rule.step)
            if rnd.random() < 0.8:
                selfs[cid] = Score(node.rule.step * rnd.randint(0, steps))
            if rnd.random() < 0.4:
                appraised[cid] = Score(node.rule.step * rnd.randint(0, steps), note="Thẩm định")
        elif self_all and node.rule is not None:
            selfs[cid] = Score(node.max if rnd.random() < 0.7 else Decimal(0))
    return UnitInput(f"{subject}_{n:05d}", f"Đơn vị {n}", subject, 2023, values, selfs, appraised)


@st.composite
def units(draw: st.DrawFn, criteria: Criteria) -> UnitInput:
    subject = draw(st.sampled_from(criteria.subjects))
    seed = draw(st.integers(0, 2**32 - 1))
    missing = draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]))
    return random_unit(criteria, subject, seed % 100000, random.Random(seed), missing)


def step_points(node_max: Decimal) -> st.SearchStrategy[Decimal]:
    return st.integers(0, int(node_max * 100)).map(lambda n: Decimal(n) / 100)
