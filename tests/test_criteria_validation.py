"""One bad criteria fixture per rejection, each built from the real file by one mutation."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from scoring.criteria import DEFAULT_CRITERIA, SCHEMA_PATH, load_criteria, parse_criteria
from scoring.criteria.load import schema_text
from scoring.errors import CriteriaError

BASE = json.loads(DEFAULT_CRITERIA.read_text("utf-8"), parse_float=Decimal)
H = "schemes.huyen.criteria"


def _dump(doc: dict[str, Any]) -> bytes:
    """The mutated document back to JSON bytes, Decimals as JSON numbers."""
    return json.dumps(_convert(doc), ensure_ascii=False).encode()


def _convert(x: Any) -> Any:
    if isinstance(x, Decimal):
        return int(x) if x == x.to_integral_value() else float(x)
    if isinstance(x, dict):
        return {k: _convert(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_convert(v) for v in x]
    return x


def _huyen(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["schemes"]["huyen"]["criteria"]  # type: ignore[no-any-return]


def _set_grades(doc: dict[str, Any]) -> None:
    doc["grades"][1]["below"] = 95


MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("duplicate criterion id", lambda d: _huyen(d)[0]["children"][1].update(id="I.1"),
     "DUPLICATE_ID", f"{H}[0].children[1].id"),
    ("duplicate indicator id", lambda d: d["indicators"][1].update(id=d["indicators"][0]["id"]),
     "DUPLICATE_ID", "indicators[1].id"),
    ("children do not add up to the parent", lambda d: _huyen(d)[1]["children"][2]["children"][0].update(max=5),
     "SUM_MISMATCH", f"{H}[1].children[2].max"),
    ("base groups do not total the scheme", lambda d: (_huyen(d)[4].update(max=12),
                                                       _huyen(d)[4]["children"][0].update(max=8)),
     "TOTAL_MISMATCH", "schemes.huyen.total"),
    ("tiers out of order", lambda d: _huyen(d)[1]["children"][6]["rule"]["tiers"].reverse(),
     "TIERS_ORDER", f"{H}[1].children[6].rule.tiers[1]"),
    ("date tiers out of order", lambda d: _huyen(d)[0]["children"][0]["rule"]["tiers"].reverse(),
     "TIERS_ORDER", f"{H}[0].children[0].rule.tiers[1]"),
    ("rule names an unknown indicator", lambda d: _huyen(d)[0]["children"][2]["rule"].update(input="khong_co"),
     "UNKNOWN_INDICATOR", f"{H}[0].children[2].rule.input"),
    ("indicator of the wrong type", lambda d: _huyen(d)[0]["children"][2]["rule"].update(input="so_cuoc_kiem_tra"),
     "INDICATOR_TYPE", f"{H}[0].children[2].rule.input"),
    ("criterion without source", lambda d: _huyen(d)[2]["children"][1].pop("source"),
     "MISSING_SOURCE", f"{H}[2].children[1].source"),
    ("overlapping grade bands", _set_grades, "GRADE_OVERLAP", "grades[0]"),
    ("misspelt key", lambda d: _huyen(d)[0].update(maxx=3), "SCHEMA", f"{H}[0].maxx"),
    ("number written as text", lambda d: _huyen(d)[0].update(max="15"), "SCHEMA", f"{H}[0].max"),
    ("unknown rule kind", lambda d: _huyen(d)[0]["children"][2]["rule"].update(kind="yes_or_no"),
     "SCHEMA", f"{H}[0].children[2].rule"),
    ("tier worth more than the criterion", lambda d: _huyen(d)[2]["children"][1]["rule"]["tiers"][0].update(points=8),
     "POINTS_ABOVE_MAX", f"{H}[2].children[1].rule.tiers[0].points"),
    ("points finer than the rounding", lambda d: _huyen(d)[2]["children"][1]["rule"]["tiers"][0].update(
        points=Decimal("6.125")), "POINTS_PRECISION", f"{H}[2].children[1].rule.tiers[0].points"),
    ("override caps at an unknown grade", lambda d: d["overrides"][0].update(at_most="xuat_sac"),
     "UNKNOWN_GRADE", "overrides[0].at_most"),
]


@pytest.mark.parametrize(("label", "mutate", "code", "path"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_bad_criteria_rejected(label: str, mutate: Callable[[dict[str, Any]], None], code: str, path: str) -> None:
    doc = copy.deepcopy(BASE)
    mutate(doc)
    with pytest.raises(CriteriaError) as info:
        parse_criteria(_dump(doc), "bad.json")
    found = {(p.code, p.path) for p in info.value.problems}
    assert (code, path) in found, found


def test_every_problem_is_collected_at_once() -> None:
    doc = copy.deepcopy(BASE)
    _huyen(doc)[0]["children"][1].update(id="I.1")
    _huyen(doc)[0]["children"][2]["rule"].update(input="khong_co")
    _set_grades(doc)
    with pytest.raises(CriteriaError) as info:
        parse_criteria(_dump(doc), "bad.json")
    assert {"DUPLICATE_ID", "UNKNOWN_INDICATOR", "GRADE_OVERLAP"} <= info.value.codes()


def test_capped_groups_may_exceed_their_cap() -> None:
    """B (5) and D (10) are capped groups: their children add up to 7 and 22 by design."""
    criteria = load_criteria()
    nodes = criteria.nodes["huyen"]
    assert sum(c.max for c in nodes["B"].children) == 7 and nodes["B"].max == 5
    assert sum(c.max for c in nodes["D"].children) == 22 and nodes["D"].max == 10


def test_shipped_file_is_valid_and_reconstructed() -> None:
    criteria = load_criteria()
    assert criteria.status == "reconstructed"
    assert set(criteria.subjects) == {"huyen", "xa", "co_quan"}
    for subject in criteria.subjects:
        scheme = criteria.scheme(subject)
        assert sum(g.max for g in scheme.criteria if g.group == "base") == 100
        assert all(c.source.status == "reconstructed" for c in criteria.nodes[subject].values())


def test_invalid_json_is_reported() -> None:
    with pytest.raises(CriteriaError) as info:
        parse_criteria(b'{"format": ', "broken.json")
    assert info.value.codes() == {"INVALID_JSON"}


def test_schema_file_is_in_sync() -> None:
    """criteria/schema.json is generated from the models; run `make schema` after changing them."""
    assert SCHEMA_PATH.read_text("utf-8") == schema_text()
