"""truy_vet.json: the versioned trace for auditors (format qd274.trace/1): every record of every unit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..atomic import write_bytes_atomic
from ..pipeline import Run
from ..trace import plain

FORMAT = "qd274.trace/1"


def trace_document(run: Run) -> dict[str, Any]:
    units = []
    for r in run.results:
        units.append({
            "unit_id": r.unit.unit_id, "unit_name": r.unit.unit_name, "subject": r.unit.subject,
            "year": r.unit.year, "source": r.unit.source, "total": plain(r.total), "grade": r.grade_name,
            "grade_by_points": r.points_grade_id, "rank": r.rank,
            "overrides": [{"id": o.id, "title": o.title, "sentence": o.sentence} for o in r.overrides],
            "records": [rec.to_dict() for rec in r.records],
        })
    return {"format": FORMAT, "manifest": run.manifest(),
            "notice": run.criteria.file.notice if run.criteria.status != "official" else None,
            "units": units, "problems": [p.to_dict() for p in run.problems]}


def write_trace(run: Run, target: Path) -> Path:
    text = json.dumps(trace_document(run), ensure_ascii=False, indent=1) + "\n"
    return write_bytes_atomic(target, text.encode("utf-8"))
