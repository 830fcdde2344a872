"""truy_vet.json: the versioned trace for auditors (format qd274.trace/1): every record of every unit.

What is the same for every unit (a criterion's title, maximum, rule kind, parameters, citation) is written
once under "criteria"; each unit's records carry what is particular to the unit (inputs with their cells,
the branch taken as a sentence, the three score columns, the points). One unit per line: json's C encoder
stays in use and a national run is written in seconds, not minutes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from ..atomic import write_atomic
from ..criteria.validate import walk
from ..pipeline import Run
from ..trace import LEAF, TraceRecord, clear_sentence_cache, params_doc, plain

FORMAT = "qd274.trace/1"


def criteria_section(run: Run) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for subject in run.criteria.subjects:
        nodes = {}
        for node, _, depth in walk(run.criteria.scheme(subject).criteria, ""):
            nodes[node.id] = {
                "title": node.title, "max": plain(node.max), "depth": depth, "group": node.group,
                "kind": node.rule.kind if node.rule else "sum",
                "params": params_doc(node.rule) if node.rule else None,
                "citation": node.source.citation(), "source_status": node.source.status,
                "children": [c.id for c in node.children]}
        out[subject] = nodes
    return out


def record_doc(rec: TraceRecord) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "criterion_id": rec.criterion_id, "level": rec.level, "points": plain(rec.points),
        "computed": plain(rec.computed), "self": plain(rec.self_score), "appraised": plain(rec.appraised),
        "status": rec.status, "sentence": rec.sentence}
    if rec.level == LEAF:
        doc["inputs"] = [i.to_dict() for i in rec.inputs]
        if rec.reason:
            doc["reason"] = rec.reason
        if rec.flags:
            doc["flags"] = list(rec.flags)
    return doc


def write_trace_document(run: Run, out: TextIO) -> None:
    head = {"format": FORMAT, "manifest": run.manifest(),
            "notice": run.criteria.file.notice if run.criteria.status != "official" else None,
            "criteria": criteria_section(run)}
    text = json.dumps(head, ensure_ascii=False, indent=1)
    out.write(text[: text.rindex("}")].rstrip() + ',\n "units": [')
    encode = json.JSONEncoder(ensure_ascii=False).encode
    for n, r in enumerate(run.results):
        unit = {"unit_id": r.unit.unit_id, "unit_name": r.unit.unit_name, "subject": r.unit.subject,
                "year": r.unit.year, "source": r.unit.source, "total": plain(r.total), "grade": r.grade_name,
                "grade_by_points": r.points_grade_id, "rank": r.rank,
                "overrides": [{"id": o.id, "title": o.title, "sentence": o.sentence} for o in r.overrides],
                "records": [record_doc(rec) for rec in r.records]}
        out.write(("\n  " if n == 0 else ",\n  ") + encode(unit))
    clear_sentence_cache()
    out.write('\n ],\n "problems": [')
    for n, p in enumerate(run.problems):
        out.write(("\n  " if n == 0 else ",\n  ") + encode(p.to_dict()))
    out.write("\n ]\n}\n")


def write_trace(run: Run, target: Path) -> Path:
    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="\n") as f:
            write_trace_document(run, f)

    return write_atomic(target, write)
