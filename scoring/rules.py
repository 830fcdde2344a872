"""The closed vocabulary of rule kinds: pure functions of (parameters, indicator values) → points + a sentence.

Each kind is implemented once here; the criteria file only names a kind and its parameters.
Points are Decimal, rounded half-up per leaf by the caller's rounding; percentages are compared unrounded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from .criteria import models as m
from .numbers import HUNDRED, ZERO, format_pct, format_vi, round_half_up

Value = bool | int | dt.date | str
Values = Mapping[str, Value]

OK, MISSING, INVALID, JUDGED = "ok", "thieu_so_lieu", "loi_du_lieu", "judgement"


@dataclass(frozen=True, slots=True)
class Warning_:
    """A consistency warning raised by a rule (the value is still scored)."""

    code: str
    indicator: str
    message: str


@dataclass(frozen=True, slots=True)
class Outcome:
    points: Decimal  # rounded half-up per leaf by apply()
    status: str
    say: Callable[[], str]  # the branch as one sentence, rendered only when someone reads the trace
    missing: tuple[str, ...] = ()
    warnings: tuple[Warning_, ...] = ()

    @property
    def sentence(self) -> str:
        return self.say()


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule may know besides its parameters: the leaf's maximum, the year, the group's sign."""

    max: Decimal
    year: int
    deduct: bool = False
    places: int = 2


def _pts(points: Decimal, ctx: Context) -> str:
    text = f"{format_vi(round_half_up(points, ctx.places))} điểm"
    return f"trừ {text}" if ctx.deduct and points > 0 else text


def _missing(ids: list[str], ctx: Context) -> Outcome:
    what = "không trừ điểm" if ctx.deduct else "0 điểm"
    return Outcome(ZERO, MISSING, lambda: f"Thiếu số liệu ({', '.join(ids)}) → {what}", tuple(ids))


def _yes_no(rule: m.YesNo, v: Values, ctx: Context) -> Outcome:
    x = v.get(rule.input)
    if x is None:
        return _missing([rule.input], ctx)
    pts = ctx.max if x else ZERO
    return Outcome(pts, OK, lambda: f"{'Có' if x else 'Không'} → {_pts(pts, ctx)}")


def _checklist(rule: m.Checklist, v: Values, ctx: Context) -> Outcome:
    absent = [it.input for it in rule.items if v.get(it.input) is None]
    if absent:
        return _missing(absent, ctx)
    done = [it for it in rule.items if v[it.input]]
    total = min(sum((it.points for it in done), ZERO), ctx.max)
    return Outcome(total, OK, lambda: f"Đạt {len(done)}/{len(rule.items)} nội dung ("
                   + "; ".join([f"{it.input}: {'Có' if v[it.input] else 'Không'}" for it in rule.items])
                   + f") → {_pts(total, ctx)}")


def _date_tiers(rule: m.DateTiers, v: Values, ctx: Context) -> Outcome:
    x = v.get(rule.input)
    if x is None:
        return _missing([rule.input], ctx)
    assert isinstance(x, dt.date)
    shown = x.strftime("%d/%m/%Y")
    if x.year > ctx.year:
        w = Warning_("DATE_AFTER_YEAR", rule.input, f"ngày {shown} sau năm đánh giá {ctx.year}")
        return Outcome(ZERO, OK, lambda: f"Ngày {shown} sau năm đánh giá {ctx.year} → 0 điểm", warnings=(w,))
    warnings: tuple[Warning_, ...] = ()
    if x.year < ctx.year - 1:
        warnings = (Warning_("DATE_TOO_EARLY", rule.input,
                             f"ngày {shown} trước năm {ctx.year - 1} (có thể gõ nhầm năm)"),)
    for tier in rule.tiers:
        day, month = int(tier.by[:2]), int(tier.by[3:])
        by = dt.date(ctx.year, month, day)
        if x <= by:
            return Outcome(tier.points, OK, lambda b=by, p=tier.points: (  # type: ignore[misc]
                f"Ban hành ngày {shown}, không muộn hơn {b:%d/%m/%Y} → {_pts(p, ctx)}"), warnings=warnings)
    return Outcome(rule.later, OK, lambda: f"Ban hành ngày {shown}, sau {rule.tiers[-1].by}/{ctx.year} → "
                                   f"{_pts(rule.later, ctx)}")


def _ratio(rule: m.RatioLinear | m.RatioTiers, v: Values) -> tuple[int | None, Decimal | int | None, list[str]]:
    num = v.get(rule.numerator)
    den: Value | Decimal | None = rule.denominator if isinstance(rule.denominator, Decimal) else v.get(rule.denominator)
    absent = [rule.numerator] if num is None else []
    if den is None:
        absent.append(str(rule.denominator))
    return num, den, absent  # type: ignore[return-value]


def _ratio_text(num: int, den: Decimal | int) -> str:
    return f"{format_vi(num)}/{format_vi(den)}"


def _over(rule: m.RatioLinear | m.RatioTiers, num: int, den: Decimal | int) -> tuple[Warning_, ...]:
    if num > den:
        return (Warning_("NUMERATOR_ABOVE_DENOMINATOR", rule.numerator,
                         f"{rule.numerator} = {format_vi(num)} lớn hơn {rule.denominator} = {format_vi(den)}; "
                         "tỷ lệ được tính tối đa 100 %"),)
    return ()


def _no_cases(rule: m.RatioLinear | m.RatioTiers, ctx: Context) -> Outcome:
    pts = ctx.max if rule.no_cases == "full" else ZERO
    how = "tính đủ điểm" if rule.no_cases == "full" else "không tính điểm"
    return Outcome(pts, OK, lambda: f"Không phát sinh (mẫu số {rule.denominator} = 0): {how} → {_pts(pts, ctx)}")


def _ratio_linear(rule: m.RatioLinear, v: Values, ctx: Context) -> Outcome:
    num, den, absent = _ratio(rule, v)
    if absent:
        return _missing(absent, ctx)
    assert num is not None and den is not None
    if den == 0:
        return _no_cases(rule, ctx)
    share = min(Decimal(num) / Decimal(den), Decimal(1))
    # Round here: a quotient carries 28 digits, and 3 × 2/3 = 2.000…0 equals 2 without looking like it.
    pts = round_half_up(ctx.max * share, ctx.places)
    return Outcome(pts, OK, lambda: (  # rendered only when read (the trace), like every other kind
        f"Tỷ lệ {_ratio_text(num, den)} = {format_pct(HUNDRED * Decimal(num) / Decimal(den))} → "
        f"{format_vi(ctx.max)} × {'1' if share == 1 else _ratio_text(num, den)} = {_pts(pts, ctx)}"),
        warnings=_over(rule, num, den))


def _ratio_tiers(rule: m.RatioTiers, v: Values, ctx: Context) -> Outcome:
    num, den, absent = _ratio(rule, v)
    if absent:
        return _missing(absent, ctx)
    assert num is not None and den is not None
    if den == 0:
        return _no_cases(rule, ctx)
    pct = min(HUNDRED * Decimal(num) / Decimal(den), HUNDRED)  # unrounded: 89,999 % is below 90 %

    def head() -> str:
        return f"Tỷ lệ {_ratio_text(num, den)} = {format_pct(pct)}"

    for tier in rule.tiers:
        if pct >= tier.min_pct:
            return Outcome(tier.points, OK, lambda t=tier: (  # type: ignore[misc]
                f"{head()} ≥ {format_vi(t.min_pct)} % → {_pts(t.points, ctx)}"), warnings=_over(rule, num, den))
    return Outcome(rule.else_, OK, lambda: (
        f"{head()} < {format_vi(rule.tiers[-1].min_pct)} % → {_pts(rule.else_, ctx)}"), warnings=_over(rule, num, den))


def _count_tiers(rule: m.CountTiers, v: Values, ctx: Context) -> Outcome:
    x = v.get(rule.input)
    if x is None:
        return _missing([rule.input], ctx)
    assert isinstance(x, int)
    for tier in rule.tiers:
        if x >= tier.min:
            return Outcome(tier.points, OK, lambda t=tier: (  # type: ignore[misc]
                f"Số lượng {format_vi(x)} ≥ {format_vi(t.min)} → {_pts(t.points, ctx)}"))
    return Outcome(rule.else_, OK,
                   lambda: f"Số lượng {format_vi(x)} < {format_vi(rule.tiers[-1].min)} → {_pts(rule.else_, ctx)}")


def _sum_terms(terms: tuple[m.EventTerm, ...], v: Values) -> tuple[Decimal, Callable[[], str]]:
    counts = [int(v[t.input]) for t in terms]  # type: ignore[arg-type]  # int indicators, checked at load
    total = sum((c * t.points_each for c, t in zip(counts, terms, strict=True)), ZERO)
    return total, lambda: " + ".join([f"{format_vi(c)} × {format_vi(t.points_each)}"
                                      for c, t in zip(counts, terms, strict=True)])


def _per_event(rule: m.PerEvent, v: Values, ctx: Context) -> Outcome:
    absent = [t.input for t in rule.terms if v.get(t.input) is None]
    if absent:
        return _missing(absent, ctx)
    total, text = _sum_terms(rule.terms, v)
    pts = min(total, rule.cap, ctx.max)
    return Outcome(pts, OK, lambda: f"{text()} = {format_vi(total)}"
                   + (f", tối đa {format_vi(rule.cap)}" if total > rule.cap else "") + f" → {_pts(pts, ctx)}")


def _deduct_per_event(rule: m.DeductPerEvent, v: Values, ctx: Context) -> Outcome:
    absent = [t.input for t in rule.terms if v.get(t.input) is None]
    if absent:
        return _missing(absent, ctx)
    total, text = _sum_terms(rule.terms, v)
    pts = max(ctx.max - total, ZERO)
    return Outcome(pts, OK, lambda: (
        f"{format_vi(ctx.max)} − ({text()}) = {format_vi(ctx.max - total)} → {_pts(pts, ctx)}"))


def _choice(rule: m.Choice, v: Values, ctx: Context) -> Outcome:
    x = v.get(rule.input)
    if x is None:
        return _missing([rule.input], ctx)
    if x not in rule.points:
        allowed = ", ".join(rule.points)
        w = Warning_("UNKNOWN_CHOICE", rule.input, f"giá trị «{x}» không thuộc: {allowed}")
        return Outcome(ZERO, INVALID, lambda: f"Giá trị «{x}» không hợp lệ (cần một trong: {allowed}) → 0 điểm",
                       (rule.input,), (w,))
    pts = rule.points[str(x)]
    return Outcome(pts, OK, lambda: f"Xếp loại «{x}» → {_pts(pts, ctx)}")


def _judgement(rule: m.Judgement, v: Values, ctx: Context) -> Outcome:
    # Nothing is computed: the evaluator takes the appraised score, else the self-score.
    return Outcome(ZERO, JUDGED, lambda: "Tiêu chí chấm theo đánh giá (không tính từ số liệu)")


_KINDS: dict[str, Callable[..., Outcome]] = {
    "yes_no": _yes_no, "checklist": _checklist, "date_tiers": _date_tiers, "ratio_linear": _ratio_linear,
    "ratio_tiers": _ratio_tiers, "count_tiers": _count_tiers, "per_event": _per_event,
    "deduct_per_event": _deduct_per_event, "choice": _choice, "judgement": _judgement,
}


def kind_function(kind: str) -> Callable[..., Outcome]:
    """The function of one rule kind (the evaluator looks it up once per criterion, not once per unit)."""
    return _KINDS[kind]


def apply(rule: m.Rule, values: Values, ctx: Context) -> Outcome:
    """Points of one leaf criterion, rounded half-up per leaf, with the branch taken as one sentence.

    Only a quotient needs rounding (ratio_linear rounds its own); every other kind adds or picks points
    written in the criteria file, which the loader checks are exact at the rounding precision.
    """
    return _KINDS[rule.kind](rule, values, ctx)
