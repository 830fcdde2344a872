"""One run: criteria + input folder → read, evaluate, rank; with the manifest that identifies it."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .criteria import Criteria, load_criteria
from .errors import InputError
from .evaluate import UnitResult, evaluate_all
from .ranking import rank
from .readers.files import printable
from .readers.folder import ReadResult, read_inputs


@dataclass
class Run:
    criteria: Criteria
    read: ReadResult
    ranked: dict[str, list[UnitResult]]  # per subject, in display order
    year: int | None
    started: dt.datetime
    problems: list[InputError] = field(default_factory=list)  # reading problems, then evaluation issues

    @property
    def results(self) -> list[UnitResult]:
        return [r for subject in self.criteria.subjects for r in self.ranked.get(subject, [])]

    def errors(self) -> list[InputError]:
        return [p for p in self.problems if p.severity == "error"]

    def find(self, name_or_code: str) -> list[UnitResult]:
        from .names import match_key

        key, code = match_key(name_or_code), name_or_code.strip().casefold()
        # the registry's other names (ten_khac: «Đông Vương» for Xã Đồng Vương) find a unit as its forms do
        aliased = {u.code for u in self.read.registry.match(name_or_code)} if self.read.registry else set()
        return [r for r in self.results if r.unit.unit_id.casefold() == code  # codes: «yt-x01» is YT-X01
                or match_key(r.unit.unit_name) == key or r.unit.unit_id in aliased]

    def suggest(self, name_or_code: str) -> list[UnitResult]:
        """Units whose name matches without accents, else the two nearest names: offered, never applied (a
        name typed without accents may be another unit's: «Đông Sơn», «Đồng Sơn»)."""
        import difflib

        from .names import fold_accents, match_key

        folded = fold_accents(match_key(name_or_code))
        keyed = [(fold_accents(match_key(r.unit.unit_name)), r) for r in self.results]
        same = [r for key, r in keyed if key == folded]
        by_key = dict(keyed)
        return same or [by_key[k] for k in difflib.get_close_matches(folded, list(by_key), n=2, cutoff=0.75)]

    def manifest(self) -> dict[str, Any]:
        cf = self.criteria.file
        return {
            "engine": {"name": "qd274", "version": __version__},
            "criteria": {"file": printable(Path(self.criteria.path).name), "sha256": self.criteria.sha256, "id": cf.id,
                         "version": cf.version, "status": cf.status,
                         "decision": f"{cf.decision.number} ngày {cf.decision.date:%d/%m/%Y}"},
            "inputs": [{"file": f.name, "sha256": f.sha256, "bytes": f.size, "kind": f.kind}
                       for f in self.read.files],
            "registry": self.read.registry.source if self.read.registry else None,
            "year": self.year,
            "generated_at": self.started.isoformat(timespec="seconds"),
        }


def run_time() -> dt.datetime:
    """Now, or SOURCE_DATE_EPOCH when set (the reproducible-builds convention): then two runs on the same
    inputs give the same bytes, manifest included."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now().astimezone()


def run(path: Path, *, criteria_path: Path | None = None, criteria: Criteria | None = None, year: int | None = None,
        subject: str | None = None, registry: Path | None = None,
        progress: Callable[[int, int], None] | None = None) -> Run:
    """Read, evaluate and rank. `criteria`: already loaded (else read from `criteria_path`, or the default)."""
    started = run_time()
    criteria = criteria if criteria is not None else load_criteria(criteria_path)
    read = read_inputs(path, criteria, year=year, subject=subject, registry_path=registry, progress=progress)
    results = evaluate_all(criteria, read.units)
    ranked = rank(results)
    years = sorted({u.year for u in read.units if u.year})
    problems = list(read.problems)
    for subject_rows in ranked.values():
        for r in subject_rows:
            problems.extend(r.issues)
    return Run(criteria, read, ranked, year or (years[-1] if len(years) == 1 else None), started, problems)
