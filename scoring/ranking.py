"""Ranking within each subject type: competition rank (1, 1, 3), ties shown in Vietnamese name order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from .evaluate import UnitResult
from .names import sort_key


def rank(results: Iterable[UnitResult]) -> dict[str, list[UnitResult]]:
    """Per subject type, the results in display order with `rank` set; ungraded units last, unranked.

    Returns new result objects: the order of the input never changes a rank or the display order.
    """
    by_subject: dict[str, list[UnitResult]] = {}
    for r in results:
        by_subject.setdefault(r.unit.subject, []).append(r)
    out: dict[str, list[UnitResult]] = {}
    for subject, rows in by_subject.items():
        graded = sorted((r for r in rows if r.graded),
                        key=lambda r: (-r.total, sort_key(r.unit.unit_name), r.unit.unit_id))
        ungraded = sorted((r for r in rows if not r.graded), key=lambda r: (sort_key(r.unit.unit_name),
                                                                             r.unit.unit_id))
        ranked: list[UnitResult] = []
        for n, r in enumerate(graded):
            same = ranked and ranked[-1].total == r.total
            ranked.append(replace(r, rank=ranked[-1].rank if same else n + 1))
        out[subject] = ranked + [replace(r, rank=None) for r in ungraded]
    return out


def edges(rows: list[UnitResult], limit: int, edge: int) -> list[UnitResult | None]:
    """A ranking as a report shows it: whole up to `limit` rows (or when too short to leave a gap), else the
    first and last `edge` units with None where the others are (every unit is in the workbook)."""
    if len(rows) <= max(limit, 2 * edge):
        return list(rows)
    return [*rows[:edge], None, *rows[-edge:]]
