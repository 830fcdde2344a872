"""Grades from score bands, then the overriding conditions in order (each only ever lowers a grade)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .criteria.models import CriteriaFile, GradeBand, IndicatorCondition, NoDataCondition, Override
from .errors import InputError, Location
from .inputs import UnitInput
from .numbers import show_value

_OPS: dict[str, tuple[str, Callable[[Any, Any], bool]]] = {
    "gt": (">", operator.gt), "ge": ("≥", operator.ge), "lt": ("<", operator.lt),
    "le": ("≤", operator.le), "eq": ("=", operator.eq), "ne": ("≠", operator.ne)}


@dataclass(frozen=True, slots=True)
class FiredOverride:
    id: str
    title: str
    sentence: str
    indicator: str | None = None  # the indicator whose value set it off (None: the unit had no data)

    def to_dict(self) -> dict[str, str]:
        """As the result document and the trace write it (the indicator is in the sentence)."""
        return {"id": self.id, "title": self.title, "sentence": self.sentence}


def band_for(cf: CriteriaFile, total: Decimal) -> GradeBand:
    for band in cf.grades:
        if total >= band.min and (band.below is None or total < band.below):
            return band
    return cf.grades[-1]  # unreachable with a checked file: the bands cover the score range


def _holds(ov: Override, unit: UnitInput, issues: list[InputError]) -> tuple[str, str | None] | None:
    """(sentence, indicator read) of the first condition that holds, else None (a missing value never triggers)."""
    for cond in ov.when:
        if isinstance(cond, NoDataCondition):
            if not unit.has_data:
                return "Đơn vị không có số liệu, không có điểm tự chấm", None
            continue
        assert isinstance(cond, IndicatorCondition)
        reading = unit.values.get(cond.indicator)
        if reading is None:
            if unit.has_data:
                issues.append(InputError(
                    "OVERRIDE_DATA_MISSING", Location(file=unit.source, field=cond.indicator),
                    f"thiếu số liệu «{cond.indicator}» để xét điều kiện «{ov.title}»; điều kiện được coi là "
                    "không xảy ra. Bổ sung số liệu nếu có.", "warning", unit.unit_id))
            continue
        sign, test = _OPS[cond.op]
        if test(reading.value, cond.value):
            # «so_vu_dong_nguoi = 1 > 0»; an equality is said once: «khong_nop_ho_so = Có», not «= Có = Có»
            met = "" if sign == "=" else f" {sign} {show_value(cond.value)}"
            return f"{cond.indicator} = {show_value(reading.value)}{met}", cond.indicator
    return None


def grade(cf: CriteriaFile, unit: UnitInput, total: Decimal,
          issues: list[InputError]) -> tuple[str, str | None, tuple[FiredOverride, ...]]:
    """(grade id, grade from points alone or None when ungraded, overrides that fired)."""
    order = [g.id for g in cf.grades]
    names = {g.id: g.name for g in cf.grades}
    by_points = band_for(cf, total).id
    current: str | None = by_points
    fired = []
    for ov in cf.overrides:
        held = _holds(ov, unit, issues)
        if held is None:
            continue
        why, indicator = held
        if ov.ungraded:
            fired.append(FiredOverride(ov.id, ov.title, f"{why} → {cf.ungraded.name}", indicator))
            return cf.ungraded.id, (by_points if unit.has_data else None), tuple(fired)
        assert ov.at_most is not None and current is not None
        lowered = max(order.index(current), order.index(ov.at_most))  # later in the list = lower grade
        new = order[lowered]
        effect = f"xếp loại tối đa {names[ov.at_most]}" + (f" (từ {names[current]} xuống {names[new]})"
                                                            if new != current else " (không thay đổi)")
        fired.append(FiredOverride(ov.id, ov.title, f"{why} → {effect}", indicator))
        current = new
    assert current is not None
    return current, by_points, tuple(fired)
