"""What the evaluator takes for one unit: typed indicator values and scores, each with where it came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from .errors import Location

Value = bool | int | dt.date | str


class Reading(NamedTuple):
    """One indicator value (or a stated percentage) and the cell it was read from.

    NamedTuples (here and for Score): one is made per cell read, and a tuple is the cheapest immutable record.
    """

    value: Value | Decimal
    origin: Location | None = None
    evidence: str | None = None  # "số, ngày văn bản" typed beside the value


class Score(NamedTuple):
    """A typed score for one criterion (self or appraised), with its evidence or reason."""

    points: Decimal
    origin: Location | None = None
    note: str | None = None  # evidence for a self-score, the reason for an appraised score


@dataclass(frozen=True)
class UnitInput:
    """One unit (commune, office, district) of one subject type in one evaluation year."""

    unit_id: str
    unit_name: str
    subject: str
    year: int
    values: dict[str, Reading] = field(default_factory=dict)
    self_scores: dict[str, Score] = field(default_factory=dict)
    appraised: dict[str, Score] = field(default_factory=dict)
    stated_pct: dict[str, Reading] = field(default_factory=dict)  # keyed by the ratio's numerator id
    source: str | None = None  # the file the unit was read from, if any

    @property
    def has_data(self) -> bool:
        return bool(self.values or self.self_scores or self.appraised)
