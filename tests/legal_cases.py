"""Loads the legal cases in tests/cases/*.json and turns each into UnitInputs (one per subject)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from scoring import Reading, Score, UnitInput

CASES_DIR = Path(__file__).parent / "cases"


@dataclass(frozen=True)
class Case:
    file: str
    name: str
    subject: str
    raw: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.file}:{self.subject}:{self.name}"

    def unit(self) -> UnitInput:
        values = {k: Reading(_value(v)) for k, v in self.raw.get("indicators", {}).items() if v is not None}
        selfs = {k: Score(Decimal(v)) for k, v in self.raw.get("self", {}).items()}
        appraised = {k: Score(Decimal(v["points"]), note=v.get("reason")) if isinstance(v, dict)
                     else Score(Decimal(v)) for k, v in self.raw.get("appraised", {}).items()}
        stated = {k: Reading(Decimal(v)) for k, v in self.raw.get("stated_pct", {}).items()}
        return UnitInput("case", self.name, self.subject, int(self.raw.get("year", 2023)), values, selfs,
                         appraised, stated)


def _value(v: Any) -> Any:
    if isinstance(v, str) and len(v) == 10 and v[2] == "/" and v[5] == "/":
        return dt.datetime.strptime(v, "%d/%m/%Y").date()
    if isinstance(v, Decimal):  # JSON numbers for indicators are counts
        return int(v)
    return v


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.json")):
        doc = json.loads(path.read_text("utf-8"), parse_float=Decimal)
        for raw in doc["cases"]:
            for subject in raw["subjects"]:
                cases.append(Case(path.name, raw["name"], subject, raw))
    return cases
