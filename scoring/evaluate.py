"""Units → results: points per criterion with a full trace, totals, grade, overrides. No I/O, no printing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import rules
from .batch import gc_paused
from .consistency import stated_percentages
from .criteria import Criteria, Criterion
from .errors import InputError, Location
from .gap import NextGrade, next_grade
from .grading import FiredOverride, grade
from .inputs import Score, UnitInput
from .numbers import ZERO, format_vi
from .plan import BASE_ID, TOTAL_ID, Plan, Step, plan_for
from .scores import check_score
from .trace import GROUP, LEAF, PARENT, TOTAL, TraceRecord


@dataclass
class UnitResult:
    """One unit's result. Every number is read from `records`; `rank` is set by ranking."""

    unit: UnitInput
    records: tuple[TraceRecord, ...]
    grade_id: str
    grade_name: str
    points_grade_id: str | None  # the grade the points alone give (None: no data)
    overrides: tuple[FiredOverride, ...]
    issues: tuple[InputError, ...]
    next_grade: NextGrade | None = None
    rank: int | None = None
    graded: bool = True
    # criterion id → position in `records`: the same for every unit of a plan, so shared (not a dict per unit)
    positions: Mapping[str, int] | None = field(default=None, repr=False, compare=False)

    def record(self, criterion_id: str) -> TraceRecord:
        if self.positions is None:
            self.positions = {r.criterion_id: n for n, r in enumerate(self.records)}
        return self.records[self.positions[criterion_id]]

    def _groups(self, role: str) -> Decimal:
        return sum((r.points for r in self.record(TOTAL_ID).parts if r.group == role), ZERO)  # the top groups

    @property
    def base(self) -> Decimal:
        return self.record(BASE_ID).points

    @property
    def bonus(self) -> Decimal:
        return self._groups("bonus")

    @property
    def deduction(self) -> Decimal:
        return self._groups("deduction")

    @property
    def total(self) -> Decimal:
        return self.record(TOTAL_ID).points

    def leaves(self) -> list[TraceRecord]:
        return [r for r in self.records if r.level == LEAF]


class Memo:
    """Records already made in this batch, per plan: leaves by (step, values read, scores), parents by
    (step, the children's records). Records are immutable, so equal ones are one object shared by units."""

    def __init__(self) -> None:
        self._plans: dict[int, tuple[Plan, dict[tuple[Any, ...], Any]]] = {}

    def of(self, plan: Plan) -> dict[tuple[Any, ...], Any]:
        entry = self._plans.get(id(plan))
        if entry is None or entry[0] is not plan:
            entry = self._plans[id(plan)] = (plan, {})
        return entry[1]


def evaluate(criteria: Criteria, unit: UnitInput, memo: Memo | None = None) -> UnitResult:
    """Evaluate one unit of one subject type against its scheme (`memo`: shared across a batch)."""
    scheme = criteria.scheme(unit.subject)
    cf = criteria.file
    places = cf.rounding.places
    issues: list[InputError] = []
    nodes = criteria.nodes[unit.subject]
    selfs = _valid_scores(unit.self_scores, nodes, places, "tự chấm", unit, issues)
    appraised = _valid_scores(unit.appraised, nodes, places, "thẩm định", unit, issues)
    values: rules.Values = {k: r.value for k, r in unit.values.items()}  # type: ignore[misc]
    missing: dict[str, list[str]] = {}
    plan = plan_for(criteria, unit.subject, unit.year)
    made = (memo or Memo()).of(plan)
    slots: list[TraceRecord | None] = [None] * plan.size
    for step in plan.steps:  # children before parents; each record lands at its pre-order place
        if step.ctx is not None:
            slots[step.index] = _leaf(step, unit, values, selfs, appraised, issues, missing, made)
        else:
            kids = [slots[k] for k in step.kids]
            key = (step.index, *[id(k) for k in kids])  # the kids are alive in `made`: ids are stable
            rec = made.get(key)
            if rec is None:
                rec = made[key] = _parent(step, kids)  # type: ignore[arg-type]
            slots[step.index] = rec
    records: list[TraceRecord] = slots  # type: ignore[assignment]
    groups = [records[i] for i in plan.groups]
    lo, hi = plan.score_range
    total = _column_total(groups, "points", lo, hi)
    assert total is not None  # every group has points
    citation = f"QĐ 274/QĐ-UBND, {scheme.annex}"
    base_groups = tuple(r for r in groups if r.group == "base")
    base = sum((r.points for r in base_groups), ZERO)
    any_appraised = any(r.appraised is not None for r in groups)
    records.append(TraceRecord(BASE_ID, "Điểm cơ bản", TOTAL, "sum", 0, scheme.total, base, citation,
                               computed=_sum([g.computed for g in base_groups]),
                               self_score=_sum([g.self_score for g in base_groups]),
                               appraised=base if any_appraised else None, parts=base_groups, group="base"))
    records.append(TraceRecord(TOTAL_ID, "Tổng điểm", TOTAL, "total", 0, hi, total, citation,
                               computed=_column_total(groups, "computed", lo, hi),
                               self_score=_column_total(groups, "self_score", lo, hi),
                               appraised=total if any_appraised else None,
                               params=plan.score_range, parts=tuple(groups)))
    issues.extend(stated_percentages(criteria, unit, nodes))
    if unit.has_data:
        for indicator, crits in missing.items():
            label = criteria.indicators[indicator].label if indicator in criteria.indicators else indicator
            issues.append(InputError("MISSING_VALUE", Location(file=unit.source, field=indicator),
                                     f"thiếu số liệu «{label}»: tiêu chí {', '.join(crits)} tính 0 điểm "
                                     "(thiếu số liệu). Bổ sung số liệu rồi chạy lại.", "warning", unit.unit_id))
    else:
        issues.append(InputError("NO_DATA", Location(file=unit.source, field=unit.unit_id),
                                 f"đơn vị {unit.unit_name} không có số liệu và điểm tự chấm: không xếp loại.",
                                 "warning", unit.unit_id))
    grade_id, by_points, fired = grade(cf, unit, total, issues)
    graded = grade_id != cf.ungraded.id
    result = UnitResult(unit, tuple(records), grade_id, criteria.grade_names[grade_id], by_points, fired, tuple(issues),
                        graded=graded, positions=plan.positions)
    if graded:
        result.next_grade = next_grade(cf, result)
    return result


def evaluate_all(criteria: Criteria, units: Iterable[UnitInput]) -> list[UnitResult]:
    """Evaluate many units (the garbage collector paused: see scoring.batch)."""
    memo = Memo()
    with gc_paused():
        return [evaluate(criteria, u, memo) for u in units]


def _valid_scores(scores: dict[str, Score], nodes: dict[str, Criterion], places: int, column: str,
                  unit: UnitInput, issues: list[InputError]) -> dict[str, Score]:
    good = {}
    for cid, score in scores.items():
        problem = check_score(nodes.get(cid), cid, score.points, places, column, score.origin, unit.unit_id)
        if problem is None:
            good[cid] = score
        else:
            issues.append(problem)
    return good


def _leaf(step: Step, unit: UnitInput, values: rules.Values, selfs: dict[str, Score],
          appraised: dict[str, Score], issues: list[InputError], missing: dict[str, list[str]],
          memo: dict[tuple[Any, ...], Any]) -> TraceRecord:
    node = step.node
    own = selfs.get(node.id) if selfs else None
    app = appraised.get(node.id) if appraised else None
    inputs = step.inputs
    read = (values.get(inputs[0]),) if len(inputs) == 1 else tuple([values.get(i) for i in inputs])
    # Rules are pure: units that read the same values and claim the same scores get the same record. It is
    # made once and shared (a national run: ~470,000 records, ~90,000 distinct), which saves the rule, the
    # memory, and the writers' work. Indicator types are fixed (a count is never read as Có/Không), so
    # equal tuples mean equal readings. Most leaves have no score typed beside them: a shorter key.
    if own is None and app is None:
        s = a = note = None
        key: tuple[Any, ...] = (step.index, read)
    else:
        s = own.points if own else None
        a = app.points if app else None
        note = app.note if app else None
        key = (step.index, read, s, a, note)
    hit = memo.get(key)
    if hit is None:
        hit = memo[key] = _leaf_record(step, read, s, a, note)
    rec, out = hit
    for ind in out.missing:
        if out.status == rules.MISSING:
            missing.setdefault(ind, []).append(node.id)
    for w in out.warnings:
        origin = unit.values[w.indicator].origin if w.indicator in unit.values else None
        issues.append(InputError(w.code, origin or Location(file=unit.source, field=w.indicator),
                                 f"tiêu chí {node.id}: {w.message}",
                                 "error" if w.code == "UNKNOWN_CHOICE" else "warning", unit.unit_id))
    if rec.flags:
        issues.extend(_flag_issues(rec, unit, own, app))
    return rec


def _leaf_record(step: Step, read: tuple[Any, ...], s: Decimal | None, a: Decimal | None, note: str | None
                 ) -> tuple[TraceRecord, rules.Outcome]:
    node, ctx = step.node, step.ctx
    assert node.rule is not None and ctx is not None and step.fn is not None
    # The rule sees only the values in the memo key: a record can be shared only if nothing else decided it.
    out = step.fn(node.rule, {i: v for i, v in zip(step.inputs, read, strict=True) if v is not None}, ctx)
    flags: list[str] = []
    if out.status == rules.JUDGED:
        computed = None
        if a is not None:
            points, status = a, "da_tham_dinh"
        elif s is not None:
            points, status = s, "chua_tham_dinh"
        else:
            points, status = ZERO, "chua_cham"
        reference = s
    else:
        computed, status = out.points, out.status
        points = a if a is not None else computed
        reference = computed
        if s is not None and s > computed:
            flags.append("tu_cham_cao_hon")
    if a is not None and (a != reference or (s is not None and a != s)):
        flags.append("tham_dinh_khac")
    rec = TraceRecord(node.id, node.title, LEAF, node.rule.kind, step.depth, node.max, points,
                      step.citation, status, computed, s, a, note, step.inputs, read, node.rule,
                      tuple(flags) if flags else (), step.role, ctx)
    return rec, out


def _flag_issues(rec: TraceRecord, unit: UnitInput, own: Score | None, app: Score | None) -> list[InputError]:
    """The unit's warnings for a flagged record: self-score above the figures, appraisal without a reason."""
    out = []
    cid, s, a, computed = rec.criterion_id, rec.self_score, rec.appraised, rec.computed
    if "tu_cham_cao_hon" in rec.flags:
        assert own is not None and s is not None and computed is not None
        where = own.origin or Location(file=unit.source, field=cid)
        if rec.status == rules.MISSING:  # not a disagreement with the figures: there are none to check
            out.append(InputError("SELF_WITHOUT_DATA", where, f"tiêu chí {cid}: tự chấm {format_vi(s)} "
                                  "nhưng thiếu số liệu để kiểm chứng; theo số liệu được 0 điểm.",
                                  "warning", unit.unit_id))
        else:
            out.append(InputError("SELF_ABOVE_COMPUTED", where, f"tiêu chí {cid}: tự chấm cao hơn số "
                                  f"liệu: tự chấm {format_vi(s)}, theo số liệu {format_vi(computed)} "
                                  f"(chênh {format_vi(s - computed)}).", "warning", unit.unit_id))
    if "tham_dinh_khac" in rec.flags and not rec.reason:
        assert a is not None
        out.append(InputError("REASON_MISSING", app.origin if app and app.origin else
                              Location(file=unit.source, field=cid),
                              f"tiêu chí {cid}: điểm thẩm định {format_vi(a)} khác điểm tự chấm/số liệu "
                              "nhưng chưa ghi lý do. Ghi lý do vào cột lý do.", "warning", unit.unit_id))
    return out


def _column_total(groups: list[TraceRecord], column: str, lo: Decimal, hi: Decimal) -> Decimal | None:
    """The final total as one score column (self or before appraisal) would give it."""
    values = [(g.group, getattr(g, column)) for g in groups]
    if all(v is None for _, v in values):
        return None
    raw = sum(((-v if role == "deduction" else v) for role, v in values if v is not None), ZERO)
    return min(max(raw, lo), hi)


def _sum(values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, ZERO) if present else None


_STATUS_RANK = {rules.INVALID: 4, rules.MISSING: 3, "chua_cham": 2, "chua_tham_dinh": 1}  # worst shown


def _parent(step: Step, kids: list[TraceRecord]) -> TraceRecord:
    node, depth, role = step.node, step.depth, step.role
    # One pass over the children (this runs ~10 times per unit): points, the score before appraisal ("theo
    # số liệu": the computed value, or for a judgement criterion what the unit claimed), the self-scores.
    raw = before = own = ZERO
    any_computed = any_own = any_appraised = False
    worst, status = 0, "ok"
    for k in kids:
        raw += k.points
        if k.computed is not None:
            before += k.computed
            any_computed = True
        elif k.self_score is not None:
            before += k.self_score
        if k.self_score is not None:
            own += k.self_score
            any_own = True
        if k.appraised is not None:
            any_appraised = True
        rank = _STATUS_RANK.get(k.status, 0)
        if rank > worst:
            worst, status = rank, k.status
    capped = node.group in ("bonus", "deduction")  # only whole groups are capped, never a parent inside
    points = min(raw, node.max) if capped else raw
    computed = (min(before, node.max) if capped else before) if any_computed else None
    mine = (min(own, node.max) if capped else own) if any_own else None
    return TraceRecord(node.id, node.title, GROUP if depth == 0 else PARENT,
                       "capped_sum" if capped else "sum", depth, node.max, points,
                       step.citation, status, computed, mine, points if any_appraised else None, group=role,
                       parts=tuple(kids))
