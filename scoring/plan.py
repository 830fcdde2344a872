"""A scheme flattened once per (criteria, subject, year) into evaluation steps, children before parents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .criteria import Criteria, Criterion
from .criteria.validate import rule_inputs
from .rules import Context, Outcome, kind_function

BASE_ID, TOTAL_ID = "co_ban", "tong_diem"  # lower case: can never collide with a criterion id

_CACHE: dict[tuple[str, str, int], Plan] = {}


@dataclass(frozen=True, slots=True)
class Step:
    node: Criterion
    index: int  # position of the node's record in the trace (pre-order: a parent before its children)
    depth: int
    role: str  # base | bonus | deduction: the role of the node's top group
    kids: tuple[int, ...]  # indexes of the children's records
    ctx: Context | None  # for leaves
    inputs: tuple[str, ...]  # indicator ids the leaf's rule reads
    citation: str
    fn: Callable[..., Outcome] | None  # the rule kind's function, for leaves


@dataclass(frozen=True, slots=True)
class Plan:
    size: int
    steps: tuple[Step, ...]  # post-order: every child before its parent
    groups: tuple[int, ...]  # indexes of the top-level groups
    positions: dict[str, int]  # criterion id → index of its record; the two totals follow the steps
    score_range: tuple[Decimal, Decimal]  # the total's bounds: one object, the params of every unit's total


def plan_for(criteria: Criteria, subject: str, year: int) -> Plan:
    key = (criteria.sha256, subject, year)
    plan = _CACHE.get(key)
    if plan is None:
        plan = _CACHE[key] = _build(criteria, subject, year)
    return plan


def _build(criteria: Criteria, subject: str, year: int) -> Plan:
    places = criteria.file.rounding.places
    steps: list[Step] = []
    counter = [0]

    def visit(node: Criterion, depth: int, role: str) -> int:
        index = counter[0]
        counter[0] += 1
        kids = tuple(visit(c, depth + 1, role) for c in node.children)
        ctx = Context(node.max, year, role == "deduction", places) if node.rule is not None else None
        inputs = tuple(i for _, i in rule_inputs(node.rule)) if node.rule is not None else ()
        fn = kind_function(node.rule.kind) if node.rule is not None else None
        steps.append(Step(node, index, depth, role, kids, ctx, inputs, node.source.citation(), fn))
        return index

    groups = []
    for group in criteria.scheme(subject).criteria:
        assert group.group is not None  # checked when the file was loaded
        groups.append(visit(group, 0, group.group))
    positions = {step.node.id: step.index for step in steps}
    positions |= {BASE_ID: counter[0], TOTAL_ID: counter[0] + 1}  # appended by the evaluator, in this order
    bounds = criteria.file.score_range
    return Plan(counter[0], tuple(steps), tuple(groups), positions, (bounds.min, bounds.max))
