"""What a reader extracts from one file for one unit, before the unit is identified against the registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError, Location
from ..inputs import Reading, Score
from .parse import Problem, shown


@dataclass
class RawUnit:
    source: str  # the file, relative to the folder read
    where: Location  # where the unit's name (or row) is
    code: str | None = None
    name: str | None = None
    subject: str | None = None
    year: int | None = None
    values: dict[str, Reading] = field(default_factory=dict)
    self_scores: dict[str, Score] = field(default_factory=dict)
    appraised: dict[str, Score] = field(default_factory=dict)
    stated_pct: dict[str, Reading] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.name or self.code or str(self.where)


def cell_error(problem: Problem, where: Location, raw: Any) -> InputError:
    """file › sheet › ô D14 (id): cần …, nhận được "…". Sửa ô này rồi chạy lại."""
    code, expected = problem
    return InputError(code, where, f"{expected}, nhận được {shown(raw)}. Sửa ô này rồi chạy lại.")
