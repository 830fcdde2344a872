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
        if abs(actual - stated.value) <= tolerance:
            continue
        ratio = f"{format_vi(num.value)}/{format_vi(den)} = {format_pct(actual)}"
        if stated.value <= 1 and abs(actual - HUNDRED * stated.value) <= tolerance:
            # 92,75 % typed into a cell formatted as a percentage is stored 0,9275 (the reader sees no format);
            # or a slip of the decimal point: said as what it most likely is, never hidden
            message = (f"tỷ lệ nêu trong báo cáo đọc được là {format_vi(stated.value)}, có lẽ là "
                       f"{format_pct(HUNDRED * stated.value)} (ô định dạng phần trăm lưu 92,75 % thành 0,9275), "
                       f"khớp số liệu {ratio}. Gõ tỷ lệ dạng 92,75 vào ô định dạng thường (không phải phần trăm) để "
                       "hết cảnh báo; điểm được tính theo số liệu.")
        else:
            message = (f"tỷ lệ nêu trong báo cáo {format_pct(stated.value)} khác số liệu: {ratio} "
                       f"(chênh {format_vi(abs(actual - stated.value), 2)} điểm %). Điểm được tính theo số liệu; "
                       "kiểm tra lại số liệu hoặc tỷ lệ.")
        out.append(InputError("STATED_PCT_MISMATCH", where, message, "warning", unit.unit_id))
    return out
