"""Trace records: one per criterion and per total; a unit's totals are read from them, never kept beside.

A record keeps what was read, the rule and its parameters, and the points. Its sentence is derived from
those on demand: rules are pure, so re-applying the rule to the recorded inputs gives the branch taken,
and a run of 10,000 units does not hold 400,000 rendered sentences nobody reads (bench/bench_evaluate.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any, NamedTuple

from . import rules
from .errors import Location
from .numbers import format_vi

LEAF, PARENT, GROUP, TOTAL = "leaf", "parent", "group", "total"

STATUS_VI = {
    "ok": "đủ số liệu",
    rules.MISSING: "thiếu số liệu",
    rules.INVALID: "số liệu không hợp lệ",
    "da_tham_dinh": "đã thẩm định",
    "chua_tham_dinh": "chưa thẩm định",
    "chua_cham": "chưa chấm",
}

# For people (the workbook's «Truy vết» sheet, the criteria tree); the JSON files keep the ids, which are the
# criteria file's own words.
LEVEL_VI = {LEAF: "tiêu chí", PARENT: "mục", GROUP: "nhóm", TOTAL: "tổng"}
KIND_VI = {
    "yes_no": "có/không", "checklist": "danh mục nội dung", "date_tiers": "theo mốc ngày",
    "ratio_linear": "tỷ lệ, tính theo tỷ lệ", "ratio_tiers": "tỷ lệ, tính theo mức",
    "count_tiers": "số lượng, theo mức",
    "per_event": "cộng theo số lần", "deduct_per_event": "trừ theo số lần", "choice": "theo lựa chọn",
    "judgement": "chấm theo đánh giá", "sum": "cộng các tiêu chí con", "capped_sum": "cộng, có mức tối đa",
    "total": "tổng điểm",
}


@cache  # a few kinds, asked for once per row of the «Truy vết» sheet
def kind_vi(kind: str) -> str:
    """A rule kind for people, its id beside it («tỷ lệ, tính theo tỷ lệ (ratio_linear)»): the id is what the
    criteria file and truy_vet.json say."""
    label = KIND_VI.get(kind)
    return f"{label} ({kind})" if label else kind


class InputRead(NamedTuple):
    indicator: str
    value: Any
    origin: Location | None
    evidence: str | None = None  # the document the unit cites for the figure ("số, ngày văn bản")

    def to_dict(self) -> dict[str, Any]:
        doc = {"indicator": self.indicator, "value": plain(self.value),
               "origin": self.origin.to_dict() if self.origin else None}
        if self.evidence:
            doc["evidence"] = self.evidence
        return doc


class TraceRecord(NamedTuple):
    """One step of a unit's result: what was read, which rule and parameters, the branch, the points.

    A NamedTuple rather than a frozen dataclass: immutable all the same, and several times cheaper to
    build, which matters at hundreds of thousands of records per run.
    """

    criterion_id: str
    title: str
    level: str  # leaf | parent | group | total
    kind: str  # a rule kind for leaves; "sum", "capped_sum" or "total" above them
    depth: int
    max: Decimal
    points: Decimal  # the final points this record contributes (appraised, else computed/self)
    citation: str
    status: str = "ok"
    computed: Decimal | None = None
    self_score: Decimal | None = None
    appraised: Decimal | None = None
    reason: str | None = None
    reads: tuple[str, ...] = ()  # the indicator ids the leaf's rule reads (shared by every unit)
    read: tuple[Any, ...] = ()  # the values it read, in `reads` order (None: missing); the cells are the unit's
    params: Any = None  # leaves: the rule model (frozen); totals: the score range
    flags: tuple[str, ...] = ()
    group: str | None = None  # the role of the record's top group: base | bonus | deduction
    ctx: rules.Context | None = None  # leaves: what the rule knew besides its parameters
    parts: tuple[TraceRecord, ...] = ()  # parents, groups and totals: the records they add up

    def inputs(self, readings: Mapping[str, Any] | None = None) -> tuple[InputRead, ...]:
        """What the rule read: each indicator's value and, given the unit's readings, the cell it came from.

        A record holds the values but not the cells: records are shared between units that read the same
        values (see scoring.evaluate), and the cells are each unit's own (UnitResult.inputs)."""
        readings = readings or {}
        out = []
        for i, v in zip(self.reads, self.read, strict=True):
            r = readings.get(i)
            out.append(InputRead(i, v, r.origin, r.evidence) if r is not None else InputRead(i, v, None))
        return tuple(out)

    @property
    def sentence(self) -> str:
        """The branch taken, in one Vietnamese sentence ("Tỷ lệ 128/138 = 92,75 % ≥ 85 % → 2 điểm")."""
        if self.level == LEAF:
            return _leaf_sentence(self)
        if self.kind == "total":
            return _total_sentence(self)
        return _sum_sentence(self)

    def to_dict(self, readings: Mapping[str, Any] | None = None) -> dict[str, Any]:
        params = params_doc(self.params)
        return {
            "criterion_id": self.criterion_id, "title": self.title, "level": self.level, "kind": self.kind,
            "max": plain(self.max), "points": plain(self.points), "computed": plain(self.computed),
            "self": plain(self.self_score), "appraised": plain(self.appraised), "status": self.status,
            "reason": self.reason, "sentence": self.sentence, "citation": self.citation,
            "inputs": [i.to_dict() for i in self.inputs(readings)], "params": params, "flags": list(self.flags),
        }


_RULE_SENTENCES: dict[tuple[int, int, tuple[Any, ...]], tuple[object, object, str]] = {}
_SENTENCE_CACHE_SIZE = 50_000  # enough for the small value spaces (Có/Không, counts); bounded memory


def _rule_sentence(r: TraceRecord) -> str:
    """The rule's branch for these inputs. Units often read the same values (Có/Không, small counts), so a
    national trace asks for the same sentence thousands of times: it is rendered once per distinct input."""
    assert r.ctx is not None
    key_values = r.read
    key = (id(r.params), id(r.ctx), key_values)
    hit = _RULE_SENTENCES.get(key)
    if hit is not None and hit[0] is r.params and hit[1] is r.ctx:  # the objects themselves, not only ids
        return hit[2]
    values = {i: v for i, v in zip(r.reads, key_values, strict=True) if v is not None}
    text = rules.apply(r.params, values, r.ctx).sentence
    if len(_RULE_SENTENCES) >= _SENTENCE_CACHE_SIZE:
        _RULE_SENTENCES.clear()
    _RULE_SENTENCES[key] = (r.params, r.ctx, text)
    return text


_passes = [0]


@contextmanager
def sentence_pass() -> Iterator[None]:
    """A writer's pass over the records; the sentence cache is emptied when the outermost pass ends (the cache
    is for a pass, not a process). Nested passes share it: `qd274 report` renders each sentence once for its
    workbook, HTML page and trace file."""
    _passes[0] += 1
    try:
        yield
    finally:
        _passes[0] -= 1
        if not _passes[0]:
            _RULE_SENTENCES.clear()


def _leaf_sentence(r: TraceRecord) -> str:
    text = _rule_sentence(r)
    if r.status == "da_tham_dinh":
        return f"{text}: điểm thẩm định {format_vi(r.points)}"
    if r.status == "chua_tham_dinh":
        return f"{text}: chưa thẩm định, lấy điểm tự chấm {format_vi(r.points)}"
    if r.status == "chua_cham":
        return f"{text}: chưa có điểm tự chấm, thẩm định → 0 điểm"
    if r.appraised is not None:
        return f"{text}; điểm thẩm định {format_vi(r.appraised)}"
    return text


def _sum_sentence(r: TraceRecord) -> str:
    # An uncapped sum's points are its parts' sum (scoring.evaluate._parent): not added up again per sentence
    raw = r.points if r.kind == "sum" else sum([k.points for k in r.parts], Decimal(0))
    parts = " + ".join([f"{k.criterion_id} {format_vi(k.points)}" for k in r.parts])
    cap = f", tối đa {format_vi(r.max)}" if r.kind == "capped_sum" and raw > r.max else ""
    sign = "trừ " if r.group == "deduction" and r.points else ""
    return f"{parts} = {format_vi(raw)}{cap} → {sign}{format_vi(r.points)} điểm"


def _total_sentence(r: TraceRecord) -> str:
    base = sum((k.points for k in r.parts if k.group == "base"), Decimal(0))
    bonus = sum((k.points for k in r.parts if k.group == "bonus"), Decimal(0))
    deduction = sum((k.points for k in r.parts if k.group == "deduction"), Decimal(0))
    raw = base + bonus - deduction
    lo, hi = r.params
    clamp = "" if r.points == raw else f", giới hạn trong [{format_vi(lo)}; {format_vi(hi)}]"
    return (f"Cơ bản {format_vi(base)} + thưởng {format_vi(bonus)} − trừ {format_vi(deduction)} = "
            f"{format_vi(raw)}{clamp} → {format_vi(r.points)} điểm")


@lru_cache(maxsize=1 << 16)  # points repeat across units: 0, 1, 1.5, 3 … converted once each
def number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def params_doc(params: Any) -> Any:
    """A rule's parameters as JSON-ready data, numbers as numbers (pydantic's JSON mode writes Decimal as text)."""
    if hasattr(params, "model_dump"):
        return plain(params.model_dump(by_alias=True))
    return plain(params)


def plain(value: Any) -> Any:
    """JSON-ready value: Decimal → int or float, date → dd/mm/yyyy, tuples → lists."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, Decimal):
        return number(value)
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value
