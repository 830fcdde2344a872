"""Consistency checks across a unit's values: a percentage the unit states against its own counts."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from .criteria.models import Criterion, RatioLinear, RatioTiers
from .errors import InputError, Location
from .inputs import UnitInput
from .numbers import HUNDRED, format_pct, format_vi

if TYPE_CHECKING:
    from .criteria import Criteria


def stated_percentages(criteria: Criteria, unit: UnitInput, nodes: dict[str, Criterion]) -> list[InputError]:
    """A stated percentage is never scored; it is compared with numerator/denominator and reported."""
    if not unit.stated_pct:
        return []
    tolerance = criteria.file.consistency.stated_pct_tolerance
    ratios = {c.rule.numerator: c.rule for c in nodes.values() if isinstance(c.rule, (RatioLinear, RatioTiers))}
    out = []
    for numerator, stated in unit.stated_pct.items():
        where = stated.origin or Location(file=unit.source, field=f"ty_le:{numerator}")
        rule = ratios.get(numerator)
        if rule is None:
            out.append(InputError("STATED_PCT_NOT_RATIO", where, f"«{numerator}» không phải tử số của một tỷ lệ "
                                  "trong bảng tiêu chí của đơn vị; tỷ lệ nêu trong báo cáo bị bỏ qua.",
                                  "warning", unit.unit_id))
            continue
        num = unit.values.get(numerator)
        den = rule.denominator if isinstance(rule.denominator, Decimal) else (
            r.value if (r := unit.values.get(rule.denominator)) else None)
        if num is None or den is None or den == 0:
            continue  # nothing to compare with; the missing count is reported by the rule
        assert isinstance(stated.value, Decimal) and isinstance(num.value, int)
        actual = HUNDRED * Decimal(num.value) / Decimal(den)  # type: ignore[arg-type]
        # A cell formatted as a percentage stores 92,75 % as 0,9275: the same figure, not a mismatch
        as_fraction = stated.value <= 1 and abs(actual - HUNDRED * stated.value) <= tolerance
        if abs(actual - stated.value) > tolerance and not as_fraction:
            out.append(InputError(
                "STATED_PCT_MISMATCH", where,
                f"tỷ lệ nêu trong báo cáo {format_pct(stated.value)} khác số liệu: "
                f"{format_vi(num.value)}/{format_vi(den)} = {format_pct(actual)} "
                f"(chênh {format_vi(abs(actual - stated.value), 2)} điểm %). Điểm được tính theo số liệu; "
                "kiểm tra lại số liệu hoặc tỷ lệ.", "warning", unit.unit_id))
    return out
