"""The machine-readable result document printed by `qd274 score --json` (format qd274.result/1)."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any, TextIO

from ..batch import gc_paused
from ..evaluate import UnitResult
from ..pipeline import Run
from ..plan import TOTAL_ID
from ..trace import LEAF, number, plain

FORMAT = "qd274.result/1"


def _n(value: Decimal | None) -> int | float | None:
    return None if value is None else number(value)


def unit_doc(r: UnitResult) -> dict[str, Any]:
    criteria = {}
    for rec in r.records:  # ~45 records a unit, 10,600 units in a national run: kept lean on purpose
        if rec.level == "total":
            continue
        entry = {"self": _n(rec.self_score), "computed": _n(rec.computed), "appraised": _n(rec.appraised),
                 "final": number(rec.points), "max": number(rec.max), "status": rec.status}
        if rec.reason and rec.level == LEAF:
            entry["reason"] = rec.reason
        criteria[rec.criterion_id] = entry
    ng = r.next_grade
    total = r.record(TOTAL_ID)
    return {
        "unit_id": r.unit.unit_id, "unit_name": r.unit.unit_name, "subject": r.unit.subject, "year": r.unit.year,
        "criteria": criteria, "base": plain(r.base), "bonus": plain(r.bonus), "deduction": plain(r.deduction),
        "total": plain(r.total), "self_total": plain(total.self_score),
        "computed_total": plain(total.computed), "grade": r.grade_name,
        "grade_by_points": r.points_grade_id, "rank": r.rank,
        "overrides": [o.to_dict() for o in r.overrides],
        "next_grade": None if ng is None else {
            "grade": ng.grade_name, "points_needed": plain(ng.points_needed),
            "open_criteria": [{"id": i, "title": t, "open_points": plain(p)} for i, t, p in ng.open_criteria]},
        "source": r.unit.source,
    }


def document_head(run: Run) -> dict[str, Any]:
    return {"format": FORMAT, "manifest": run.manifest(),
            "notice": run.criteria.file.notice if run.criteria.status != "official" else None}


def write_document(run: Run, out: TextIO) -> None:
    """Stream the document: the head indented for reading, then one unit (and one problem) per line.

    One line per unit keeps json's C encoder in use (an indented dump is encoded in pure Python, four times
    slower) and lets `grep` find a unit in a national run: the head, then "units" (unit_doc) and "problems".
    """
    with gc_paused():
        _write(run, out)


def _write(run: Run, out: TextIO) -> None:
    text = json.dumps(document_head(run), ensure_ascii=False, indent=2)
    out.write(text[: text.rindex("}")].rstrip() + ',\n  "units": [')
    dumps_ = json.JSONEncoder(ensure_ascii=False).encode
    for n, r in enumerate(run.results):
        out.write(("\n    " if n == 0 else ",\n    ") + dumps_(unit_doc(r)))
    out.write('\n  ],\n  "problems": [')
    for n, p in enumerate(run.problems):
        out.write(("\n    " if n == 0 else ",\n    ") + dumps_(p.to_dict()))
    out.write("\n  ]\n}\n")


def dumps(run: Run) -> str:
    buffer = io.StringIO()
    write_document(run, buffer)
    return buffer.getvalue()
