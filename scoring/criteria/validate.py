"""Checks a parsed criteria file for what a schema cannot say: ids, sums, tiers, indicator types, bands."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from itertools import pairwise
from typing import Any

from scoring.errors import CriteriaProblem

from .models import (
    Checklist,
    Choice,
    CountTier,
    CountTiers,
    CriteriaFile,
    Criterion,
    DateTiers,
    DeductPerEvent,
    Indicator,
    IndicatorCondition,
    Judgement,
    PctTier,
    PerEvent,
    RatioLinear,
    RatioTiers,
    Rule,
    Scheme,
    YesNo,
)

Add = Callable[[str, str, str], None]
Types = Mapping[str, Indicator]

# Which indicator type each rule kind reads; the engine relies on it.
_INPUT_TYPE = {"yes_no": "bool", "checklist": "bool", "date_tiers": "date", "ratio_linear": "int",
               "ratio_tiers": "int", "count_tiers": "int", "per_event": "int", "deduct_per_event": "int",
               "choice": "choice"}
_TYPE_VI = {"bool": "Có/Không", "int": "số nguyên", "date": "ngày", "choice": "lựa chọn"}


def rule_inputs(rule: Rule) -> list[tuple[str, str]]:
    """The (relative JSON path, indicator id) pairs a rule reads."""
    match rule:
        case YesNo() | DateTiers() | CountTiers() | Choice():
            return [("input", rule.input)]
        case Checklist():
            return [(f"items[{i}].input", item.input) for i, item in enumerate(rule.items)]
        case RatioLinear() | RatioTiers():
            pairs = [("numerator", rule.numerator)]
            if isinstance(rule.denominator, str):
                pairs.append(("denominator", rule.denominator))
            return pairs
        case PerEvent() | DeductPerEvent():
            return [(f"terms[{i}].input", t.input) for i, t in enumerate(rule.terms)]
        case Judgement():
            return []
    raise AssertionError(rule)  # pragma: no cover - the union is closed


def walk(criteria: tuple[Criterion, ...], path: str) -> Iterator[tuple[Criterion, str, int]]:
    """Every criterion with its JSON path and depth (0 for groups)."""
    stack = [(c, f"{path}[{i}]", 0) for i, c in enumerate(criteria)][::-1]
    while stack:
        node, p, depth = stack.pop()
        yield node, p, depth
        stack += [(c, f"{p}.children[{i}]", depth + 1) for i, c in enumerate(node.children)][::-1]


def check(cf: CriteriaFile) -> list[CriteriaProblem]:
    """Every semantic problem of a structurally valid criteria file."""
    problems: list[CriteriaProblem] = []

    def add(code: str, path: str, message: str) -> None:
        problems.append(CriteriaProblem(code, path, message))

    _duplicates(add, "indicators", [i.id for i in cf.indicators], "chỉ tiêu")
    _duplicates(add, "grades", [g.id for g in cf.grades], "xếp loại")
    _duplicates(add, "overrides", [o.id for o in cf.overrides], "điều kiện")
    types = {i.id: i for i in cf.indicators}
    for n, ind in enumerate(cf.indicators):
        if (ind.type == "choice") != bool(ind.choices):
            add("INDICATOR_TYPE", f"indicators[{n}].choices",
                f"chỉ tiêu '{ind.id}': chỉ kiểu choice mới có (và phải có) danh sách 'choices'")
    for subject, scheme in cf.schemes.items():
        _check_scheme(add, f"schemes.{subject}", scheme, types)
        for node, p, _ in walk(scheme.criteria, f"schemes.{subject}.criteria"):
            _check_precision(add, p, {"max": node.max, "rule": node.rule.model_dump(by_alias=True)
                                      if node.rule else None}, cf.rounding.places)
    _check_grades(add, cf)
    grade_ids = {g.id for g in cf.grades}
    for n, ov in enumerate(cf.overrides):
        p = f"overrides[{n}]"
        if (ov.at_most is None) == (not ov.ungraded):
            add("OVERRIDE_EFFECT", p, "mỗi điều kiện cần đúng một tác động: 'at_most' hoặc 'ungraded': true")
        if ov.at_most is not None and ov.at_most not in grade_ids:
            add("UNKNOWN_GRADE", f"{p}.at_most", f"không có xếp loại '{ov.at_most}' trong 'grades'")
        for k, cond in enumerate(ov.when):
            if isinstance(cond, IndicatorCondition):
                _check_condition(add, f"{p}.when[{k}]", cond, types)
    return problems


def _duplicates(add: Add, path: str, ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for n, ident in enumerate(ids):
        if ident in seen:
            add("DUPLICATE_ID", f"{path}[{n}].id", f"mã {what} '{ident}' bị trùng")
        seen.add(ident)


def _check_scheme(add: Add, path: str, scheme: Scheme, types: Types) -> None:
    seen: set[str] = set()
    base_total = Decimal(0)
    for node, p, depth in walk(scheme.criteria, f"{path}.criteria"):
        if node.id in seen:
            add("DUPLICATE_ID", f"{p}.id", f"mã tiêu chí '{node.id}' bị trùng")
        seen.add(node.id)
        if depth == 0 and node.group is None:
            add("GROUP_ROLE", f"{p}.group", f"nhóm '{node.id}' cần 'group': base, bonus hoặc deduction")
        if depth > 0 and node.group is not None:
            add("GROUP_ROLE", f"{p}.group", f"'group' chỉ đặt ở nhóm cấp cao nhất, không ở '{node.id}'")
        if (node.rule is None) == (not node.children):
            add("LEAF_SHAPE", p, f"tiêu chí '{node.id}' cần hoặc 'rule' (tiêu chí lá) hoặc 'children', "
                                 "không cả hai, không thiếu cả hai")
        if node.children and node.group not in ("bonus", "deduction"):
            total = sum((c.max for c in node.children), Decimal(0))
            if total != node.max:
                add("SUM_MISMATCH", f"{p}.max", f"tiêu chí '{node.id}' tối đa {node.max} điểm nhưng các "
                                                f"tiêu chí con cộng lại {total} điểm")
        if node.group == "base":
            base_total += node.max
        if node.rule is not None:
            _check_rule(add, f"{p}.rule", node, node.rule, types)
    if base_total != scheme.total:
        add("TOTAL_MISMATCH", f"{path}.total", f"tổng điểm tối đa các nhóm cơ bản là {base_total}, "
                                               f"khác tổng của bảng ({scheme.total})")


_POINT_KEYS = {"max", "points", "points_each", "cap", "later", "else"}


def _check_precision(add: Add, path: str, tree: Any, places: int, key: str = "") -> None:
    """Points written with more decimals than the rounding keeps would be rounded away in silence; the
    engine relies on every point in the file already being exact at that precision."""
    if isinstance(tree, dict):
        for k, v in tree.items():
            _check_precision(add, f"{path}.{k}", v, places, k if k in _POINT_KEYS or key == "points" else "")
    elif isinstance(tree, (list, tuple)):
        for i, v in enumerate(tree):
            _check_precision(add, f"{path}[{i}]", v, places, key)
    elif key and isinstance(tree, Decimal) and tree.as_tuple().exponent < -places:  # type: ignore[operator]
        add("POINTS_PRECISION", path, f"điểm {tree} có nhiều hơn {places} chữ số thập phân")


def _check_rule(add: Add, path: str, node: Criterion, rule: Rule, types: Types) -> None:
    want = _INPUT_TYPE.get(rule.kind)
    for rel, ident in rule_inputs(rule):
        ind = types.get(ident)
        if ind is None:
            add("UNKNOWN_INDICATOR", f"{path}.{rel}", f"tiêu chí '{node.id}' dùng chỉ tiêu '{ident}' "
                                                      "không có trong danh mục 'indicators'")
        elif ind.type != want:
            add("INDICATOR_TYPE", f"{path}.{rel}",
                f"quy tắc {rule.kind} cần chỉ tiêu kiểu {_TYPE_VI[want or '']}, "
                f"'{ident}' là kiểu {_TYPE_VI[ind.type]}")

    def over(rel: str, pts: Decimal) -> None:
        add("POINTS_ABOVE_MAX", f"{path}.{rel}", f"{pts} điểm vượt điểm tối đa {node.max} của tiêu chí '{node.id}'")
    match rule:
        case DateTiers():
            days = [(int(t.by[3:]), int(t.by[:2])) for t in rule.tiers]
            _ordered(add, f"{path}.tiers", days, [t.points for t in rule.tiers], rule.later, ascending=True)
            for i, t in enumerate(rule.tiers):
                if t.points > node.max:
                    over(f"tiers[{i}].points", t.points)
        case RatioTiers() | CountTiers():
            tiers: Sequence[PctTier | CountTier] = rule.tiers
            lows = [t.min_pct if isinstance(t, PctTier) else Decimal(t.min) for t in tiers]
            _ordered(add, f"{path}.tiers", lows, [t.points for t in tiers], rule.else_, ascending=False)
            for i, tier in enumerate(tiers):
                if tier.points > node.max:
                    over(f"tiers[{i}].points", tier.points)
        case PerEvent():
            if rule.cap > node.max:
                over("cap", rule.cap)
        case Choice():
            allowed = types.get(rule.input)
            for value, pts in rule.points.items():
                if pts > node.max:
                    over(f"points.{value}", pts)
                if allowed is not None and allowed.choices and value not in allowed.choices:
                    add("UNKNOWN_CHOICE", f"{path}.points.{value}",
                        f"'{value}' không thuộc các giá trị của '{rule.input}': {', '.join(allowed.choices)}")
        case Judgement():
            if (node.max / rule.step) % 1:
                add("STEP_MISMATCH", f"{path}.step", f"điểm tối đa {node.max} không là bội của bước {rule.step}")
        case _:
            pass


def _ordered(add: Add, path: str, keys: Sequence[Any], points: list[Decimal],
             last: Decimal, *, ascending: bool) -> None:
    """Tiers must move strictly one way and never give more points for a worse result."""
    for i in range(1, len(keys)):
        bad_key = keys[i] <= keys[i - 1] if ascending else keys[i] >= keys[i - 1]
        if bad_key:
            order = "sớm nhất trước" if ascending else "ngưỡng cao nhất trước"
            add("TIERS_ORDER", f"{path}[{i}]", f"các mức phải xếp theo thứ tự {order}, không trùng nhau")
        elif points[i] > points[i - 1]:
            add("TIERS_ORDER", f"{path}[{i}].points", "mức sau (kém hơn) không được nhiều điểm hơn mức trước")
    if points and last > points[-1]:
        add("TIERS_ORDER", path, "điểm của trường hợp còn lại không được nhiều hơn mức thấp nhất")


def _check_grades(add: Add, cf: CriteriaFile) -> None:
    bands = sorted(enumerate(cf.grades), key=lambda nb: nb[1].min)
    lo, hi = cf.score_range.min, cf.score_range.max
    if bands and bands[0][1].min != lo:
        add("GRADE_GAP", f"grades[{bands[0][0]}].min", f"các mức xếp loại phải bắt đầu từ {lo} điểm")
    for (i, a), (j, b) in pairwise(bands):
        if a.below is None or a.below > b.min or a.min == b.min:
            add("GRADE_OVERLAP", f"grades[{j}]", f"mức '{b.name}' chồng lấn mức '{a.name}'")
        elif a.below < b.min:
            add("GRADE_GAP", f"grades[{i}].below", f"có khoảng điểm giữa '{a.name}' và '{b.name}' "
                                                   "không thuộc mức nào")
    if bands and bands[-1][1].below is not None:
        add("GRADE_GAP", f"grades[{bands[-1][0]}].below", f"mức cao nhất phải kéo tới {hi} điểm ('below': null)")
    # the file lists grades best first: the order is the grade order that overrides rely on
    for n in range(1, len(cf.grades)):
        if cf.grades[n].min >= cf.grades[n - 1].min:
            add("GRADE_ORDER", f"grades[{n}]", "liệt kê các mức xếp loại từ cao xuống thấp")


def _check_condition(add: Add, path: str, cond: IndicatorCondition, types: Types) -> None:
    ind = types.get(cond.indicator)
    if ind is None:
        add("UNKNOWN_INDICATOR", f"{path}.indicator", f"chỉ tiêu '{cond.indicator}' không có trong danh mục")
    elif ind.type == "bool" and (cond.op not in ("eq", "ne") or not isinstance(cond.value, bool)):
        add("INDICATOR_TYPE", path, f"'{cond.indicator}' là Có/Không: chỉ so sánh eq/ne với true/false")
    elif ind.type == "int" and isinstance(cond.value, bool):
        add("INDICATOR_TYPE", path, f"'{cond.indicator}' là số nguyên: so sánh với một số")
    elif ind.type in ("date", "choice"):
        add("INDICATOR_TYPE", path, f"điều kiện không hỗ trợ chỉ tiêu kiểu {_TYPE_VI[ind.type]}")
