"""Checks a typed self or appraised score against its criterion: a leaf, within [0, max], in steps."""

from __future__ import annotations

from decimal import Decimal

from .criteria.models import Criterion, Judgement
from .errors import InputError, Location
from .numbers import format_vi


def score_step(criterion: Criterion, places: int) -> Decimal:
    """The smallest increment a typed score may use: the judgement's step, else the rounding unit."""
    if isinstance(criterion.rule, Judgement):
        return criterion.rule.step
    return Decimal(1).scaleb(-places)


def check_score(criterion: Criterion | None, criterion_id: str, points: Decimal, places: int,
                column: str, where: Location | None, unit_id: str | None = None) -> InputError | None:
    """None when the score can be used; else the problem, in Vietnamese, naming the cell."""
    loc = where or Location(field=criterion_id)
    if criterion is None:
        return InputError("UNKNOWN_CRITERION", loc, f"không có tiêu chí «{criterion_id}» trong bảng tiêu chí "
                          f"của đối tượng này; kiểm tra lại mã tiêu chí ở cột {column}.", unit_id=unit_id)
    if not criterion.is_leaf:
        return InputError("SCORE_NOT_LEAF", loc, f"tiêu chí {criterion_id} là nhóm: điểm {column} được cộng từ "
                          "các tiêu chí con, không nhập trực tiếp. Xóa ô này.", unit_id=unit_id)
    if points < 0 or points > criterion.max:
        return InputError("SCORE_ABOVE_MAX", loc, f"điểm {column} {format_vi(points)} của tiêu chí "
                          f"{criterion_id} nằm ngoài [0; {format_vi(criterion.max)}]. Sửa ô này rồi chạy lại.",
                          unit_id=unit_id)
    step = score_step(criterion, places)
    if (points / step) % 1:
        return InputError("SCORE_STEP", loc, f"điểm {column} {format_vi(points)} của tiêu chí {criterion_id} "
                          f"phải là bội của {format_vi(step)}. Sửa ô này rồi chạy lại.", unit_id=unit_id)
    return None
