"""The machine-readable result document printed by `qd274 score --json` (format qd274.result/1)."""

from __future__ import annotations

import json
from typing import Any

from ..evaluate import UnitResult
from ..pipeline import Run
from ..trace import LEAF, plain

FORMAT = "qd274.result/1"


def unit_doc(r: UnitResult) -> dict[str, Any]:
    criteria = {}
    for rec in r.records:
        if rec.level == "total":
            continue
        criteria[rec.criterion_id] = {
            "self": plain(rec.self_score), "computed": plain(rec.computed), "appraised": plain(rec.appraised),
            "final": plain(rec.points), "max": plain(rec.max), "status": rec.status,
            **({"reason": rec.reason} if rec.level == LEAF and rec.reason else {}),
        }
    ng = r.next_grade
    return {
        "unit_id": r.unit.unit_id, "unit_name": r.unit.unit_name, "subject": r.unit.subject, "year": r.unit.year,
        "criteria": criteria, "base": plain(r.base), "bonus": plain(r.bonus), "deduction": plain(r.deduction),
        "total": plain(r.total), "self_total": plain(r.record("tong_diem").self_score),
        "computed_total": plain(r.record("tong_diem").computed), "grade": r.grade_name,
        "grade_by_points": r.points_grade_id, "rank": r.rank,
        "overrides": [{"id": o.id, "title": o.title, "sentence": o.sentence} for o in r.overrides],
        "next_grade": None if ng is None else {
            "grade": ng.grade_name, "points_needed": plain(ng.points_needed),
            "open_criteria": [{"id": i, "title": t, "open_points": plain(p)} for i, t, p in ng.open_criteria]},
        "source": r.unit.source,
    }


def document(run: Run) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "manifest": run.manifest(),
        "notice": run.criteria.file.notice if run.criteria.status != "official" else None,
        "units": [unit_doc(r) for r in run.results],
        "problems": [p.to_dict() for p in run.problems],
    }


def dumps(run: Run) -> str:
    return json.dumps(document(run), ensure_ascii=False, indent=2)
