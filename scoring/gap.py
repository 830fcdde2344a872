"""'Điểm cần thêm để lên loại': the gap to the next grade and the criteria with the most points open."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from .criteria.models import CriteriaFile
from .trace import LEAF

if TYPE_CHECKING:
    from .evaluate import UnitResult

TOP_OPEN = 5


@dataclass(frozen=True, slots=True)
class NextGrade:
    grade_id: str
    grade_name: str
    points_needed: Decimal
    open_criteria: tuple[tuple[str, str, Decimal], ...]  # (id, title, points still open), most first
    capped_by: tuple[str, ...]  # overrides that hold the grade down whatever the points


def next_grade(cf: CriteriaFile, result: UnitResult) -> NextGrade | None:
    """None for a unit already in the best band (by points) or not graded."""
    assert result.points_grade_id is not None  # a graded unit has a band by points
    order = list(cf.grades)
    at = [g.id for g in order].index(result.points_grade_id)  # the band grading found for the points
    if at == 0:
        capped = tuple(o.title for o in result.overrides)
        if not capped:
            return None
        return NextGrade(order[0].id, order[0].name, Decimal(0), (), capped)
    target = order[at - 1]
    open_points = [(r.criterion_id, r.title, r.max - r.points) for r in result.records
                   if r.level == LEAF and r.group == "base" and r.max > r.points]
    open_points.sort(key=lambda t: (-t[2], t[0]))
    return NextGrade(target.id, target.name, target.min - result.total, tuple(open_points[:TOP_OPEN]),
                     tuple(o.title for o in result.overrides))

