"""truy_vet.json: the versioned trace for auditors (format qd274.trace/2): every record of every unit.

What is the same for every unit (a criterion's title, maximum, rule kind, parameters, the indicators it
reads, citation) is written once under "criteria"; what is the same for every record of a unit (the values
read and the cell each came from) once under the unit's "inputs"; each record carries the rest (the branch
taken as a sentence, the three score columns, the points). One unit per line.

Why so: a national run has ~470,000 records, most of them alike (a "Có" read for the same criterion gives
the same record in thousands of communes). Without cell addresses in them, records repeat, so each distinct
record is encoded once and its text reused: the trace went from 4.2 s to about 1 s (CHANGELOG).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from ..atomic import write_atomic
from ..criteria import Criteria
from ..criteria.validate import rule_inputs, walk
from ..evaluate import UnitResult
from ..pipeline import Run
from ..trace import LEAF, TraceRecord, params_doc, plain, sentence_pass
from .json_doc import document_head

FORMAT = "qd274.trace/2"
_string: Callable[[str], str] = json.encoder.encode_basestring  # the C function: escapes and quotes
_FRAGMENT_LIMIT = 100_000  # distinct leaf texts kept at once (bounded memory; cleared when full)


def criteria_section(run: Run) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for subject in run.criteria.subjects:
        nodes = {}
        for node, _, depth in walk(run.criteria.scheme(subject).criteria, ""):
            nodes[node.id] = {
                "title": node.title, "max": plain(node.max), "depth": depth, "group": node.group,
                "kind": node.rule.kind if node.rule else "sum",
                "params": params_doc(node.rule) if node.rule else None,
                "reads": [i for _, i in rule_inputs(node.rule)] if node.rule else [],
                "citation": node.source.citation(), "source_status": node.source.status,
                "children": [c.id for c in node.children]}
        out[subject] = nodes
    return out


def input_order(criteria: Criteria, subject: str) -> tuple[str, ...]:
    """The indicators a unit's "inputs" lists: those its rules read (in criterion order), then those the
    overriding conditions read. Listed even when empty, so a missing figure shows as null."""
    seen: dict[str, None] = {}
    for node, _, _ in walk(criteria.scheme(subject).criteria, ""):
        if node.rule is not None:
            for _, indicator in rule_inputs(node.rule):
                seen.setdefault(indicator)
    for indicator in sorted(criteria.override_indicators):
        seen.setdefault(indicator)
    return tuple(seen)


def record_doc(rec: TraceRecord) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "criterion_id": rec.criterion_id, "level": rec.level, "points": plain(rec.points),
        "computed": plain(rec.computed), "self": plain(rec.self_score), "appraised": plain(rec.appraised),
        "status": rec.status, "sentence": rec.sentence}
    if rec.level == LEAF:
        if rec.reason:
            doc["reason"] = rec.reason
        if rec.flags:
            doc["flags"] = list(rec.flags)
    return doc


class _Records:
    """Writes records as JSON text directly (the same text json.dumps gives their record_doc, checked by a
    test): a national run has 470,000 records, and a dict per record for the encoder cost a second."""

    def __init__(self) -> None:
        self.texts: dict[int, str] = {}
        self.numbers: dict[Decimal, str] = {}
        self.ids: dict[str, str] = {}

    def text(self, rec: TraceRecord) -> str:
        # Leaf records are shared between units (scoring.evaluate): one text per record object (a national
        # run: 350,000 leaves, 55,000 distinct). Parents and totals mostly differ from unit to unit: written
        # each time, not kept. The results hold every record until the pass ends: an id is not reused.
        if rec.level != LEAF:
            return self._write(rec)
        hit = self.texts.get(id(rec))
        if hit is None:
            if len(self.texts) >= _FRAGMENT_LIMIT:
                self.texts.clear()
            hit = self.texts[id(rec)] = self._write(rec)
        return hit

    def _number(self, value: Decimal | None) -> str:
        if value is None:
            return "null"
        text = self.numbers.get(value)
        if text is None:  # equal Decimals (3, 3.00) give the same number: plain() drops the trailing zeros
            text = self.numbers[value] = json.dumps(plain(value))
        return text

    def _write(self, rec: TraceRecord) -> str:
        cid = self.ids.get(rec.criterion_id)
        if cid is None:
            cid = self.ids[rec.criterion_id] = _string(rec.criterion_id)
        n = self._number
        text = (f'{{"criterion_id": {cid}, "level": {_string(rec.level)}, "points": {n(rec.points)}, '
                f'"computed": {n(rec.computed)}, "self": {n(rec.self_score)}, "appraised": {n(rec.appraised)}, '
                f'"status": {_string(rec.status)}, "sentence": {_string(rec.sentence)}')
        if rec.level == LEAF:
            if rec.reason:
                text += f', "reason": {_string(rec.reason)}'
            if rec.flags:
                text += f', "flags": [{", ".join(_string(f) for f in rec.flags)}]'
        return text + "}"


def inputs_text(res: UnitResult, order: Iterable[tuple[str, str]]) -> str:
    """The unit's "inputs" object as JSON text: per indicator its value and where it was read ("file" only when
    not the unit's own file; "field" is the key). Built as text: ~55 per unit, 580,000 in a national run."""
    values = res.unit.values
    own = res.unit.source
    parts = []
    for indicator, key in order:
        r = values.get(indicator)
        if r is None:
            parts.append(f"{key}: null")
            continue
        v = r.value
        t = type(v)
        value = (("true" if v else "false") if t is bool else str(v) if t is int
                 else _string(v) if isinstance(v, str) else json.dumps(plain(v), ensure_ascii=False))
        o = r.origin
        if o is None:
            where = ""
        elif o.file == own or not o.file:  # the common case: a cell of the unit's own file
            c = o.cell
            where = (f', "sheet": {_string(o.sheet)}' if o.sheet else "") + (
                "" if not c else f', "cell": "{c}"' if c.isascii() and c.isalnum() else f', "cell": {_string(c)}')
        else:
            where = (f', "file": {_string(o.file)}' + (f', "sheet": {_string(o.sheet)}' if o.sheet else "")
                     + (f', "cell": {_string(o.cell)}' if o.cell else ""))
        evidence = f', "evidence": {_string(r.evidence)}' if r.evidence else ""
        parts.append(f'{key}: {{"value": {value}{where}{evidence}}}')
    return "{" + ", ".join(parts) + "}"


def write_trace_document(run: Run, out: TextIO) -> None:
    head = document_head(run) | {"format": FORMAT, "criteria": criteria_section(run)}  # same keys, same order
    text = json.dumps(head, ensure_ascii=False, indent=1)
    out.write(text[: text.rindex("}")].rstrip() + ',\n "units": [')
    encode = json.JSONEncoder(ensure_ascii=False).encode
    records = _Records()
    orders = {s: [(i, _string(i)) for i in input_order(run.criteria, s)] for s in run.criteria.subjects}
    chunk: list[str] = []
    for n, r in enumerate(run.results):
        subject = r.unit.subject
        unit = {"unit_id": r.unit.unit_id, "unit_name": r.unit.unit_name, "subject": subject,
                "year": r.unit.year, "source": r.unit.source, "total": plain(r.total), "grade": r.grade_name,
                "grade_by_points": r.points_grade_id, "rank": r.rank,
                "overrides": [o.to_dict() for o in r.overrides]}
        text = encode(unit)
        inputs = inputs_text(r, orders.get(subject, ()))
        body = ", ".join([records.text(rec) for rec in r.records])
        chunk.append(f'{"" if n == 0 else ","}\n  {text[:-1]}, "inputs": {inputs}, "records": [{body}]}}')
        if len(chunk) >= 100:  # fewer, larger writes
            out.write("".join(chunk))
            chunk.clear()
    out.write("".join(chunk))
    out.write('\n ],\n "problems": [')
    for n, p in enumerate(run.problems):
        out.write(("\n  " if n == 0 else ",\n  ") + encode(p.to_dict()))
    out.write("\n ]\n}\n")


def write_trace(run: Run, target: Path) -> Path:
    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="\n") as f, sentence_pass():
            write_trace_document(run, f)

    return write_atomic(target, write)
