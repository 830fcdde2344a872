"""Trace records: one per criterion and per total; a unit's totals are read from them, never kept beside."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import Location

LEAF, PARENT, GROUP, TOTAL = "leaf", "parent", "group", "total"


@dataclass(frozen=True, slots=True)
class InputRead:
    indicator: str
    value: Any
    origin: Location | None

    def to_dict(self) -> dict[str, Any]:
        return {"indicator": self.indicator, "value": _plain(self.value),
                "origin": self.origin.to_dict() if self.origin else None}


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """One step of a unit's result: what was read, which rule and parameters, the branch, the points."""

    criterion_id: str
    title: str
    level: str  # leaf | parent | group | total
    kind: str  # a rule kind for leaves; "sum", "capped_sum" or "total" above them
    depth: int
    max: Decimal
    points: Decimal  # the final points this record contributes (appraised, else computed/self)
    sentence: str
    citation: str
    status: str = "ok"
    computed: Decimal | None = None
    self_score: Decimal | None = None
    appraised: Decimal | None = None
    reason: str | None = None
    inputs: tuple[InputRead, ...] = ()
    params: Any = None  # the rule model (pydantic, frozen); dumped on demand
    flags: tuple[str, ...] = ()
    group: str | None = None  # the role of the record's top group: base | bonus | deduction

    def to_dict(self) -> dict[str, Any]:
        params = self.params.model_dump(mode="json", by_alias=True) if hasattr(self.params, "model_dump") \
            else self.params
        return {
            "criterion_id": self.criterion_id, "title": self.title, "level": self.level, "kind": self.kind,
            "max": _plain(self.max), "points": _plain(self.points), "computed": _plain(self.computed),
            "self": _plain(self.self_score), "appraised": _plain(self.appraised), "status": self.status,
            "reason": self.reason, "sentence": self.sentence, "citation": self.citation,
            "inputs": [i.to_dict() for i in self.inputs], "params": params, "flags": list(self.flags),
        }


def _plain(value: Any) -> Any:
    """JSON-ready value: Decimal → int or float text-exact number, date → dd/mm/yyyy."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return value


def total_of(records: tuple[TraceRecord, ...] | list[TraceRecord], criterion_id: str) -> Decimal:
    """The points of one record, looked up by id (totals are read from the trace)."""
    for r in records:
        if r.criterion_id == criterion_id:
            return r.points
    raise KeyError(criterion_id)
