"""Benchmark: read a province's worth of filled forms; compare with python-calamine alone on the same files.

    python bench/bench_read.py [--huyen 10] [--xa 209] [--co-quan 31] [--repeat 3] [--seed 1] [--keep DIR]

Generates the forms (not timed as part of the goal), then times in the same run:
  (a) the floor: python-calamine opening every file and converting every sheet to Python values;
  (b) `read_inputs` on the folder (discover, hash, open, read forms, identify units against the registry).
Goal (issue): (b) within 2× of (a). Each figure is the best of --repeat runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from python_calamine import CalamineWorkbook

from scoring import load_criteria
from scoring.criteria import Criteria
from scoring.forms import layout as L
from scoring.forms.generate import build_form
from scoring.readers.folder import read_inputs
from scoring.registry import RegisteredUnit
from scoring.scores import score_step
from tests.inputs_helpers import Filled, fill_workbook, rows_by_id, write_registry
from tests.strategies import random_value

YEAR = 2023


def typed(value: object, rnd: random.Random) -> object:
    """Some values as people type them into a text cell: 1.234, Có/Không, 14/01/2023."""
    if rnd.random() < 0.3:
        if isinstance(value, bool):
            return "Có" if value else "Không"
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        if hasattr(value, "strftime"):
            return value.strftime("%d/%m/%Y")  # type: ignore[attr-defined]
    return value


def generate(folder: Path, criteria: Criteria, counts: dict[str, int], rnd: random.Random) -> list[RegisteredUnit]:
    units = [RegisteredUnit(f"{s[0].upper()}{n:03d}", f"{s} {n}", s) for s, count in counts.items()
             for n in range(1, count + 1)]
    write_registry(folder, units)
    places = criteria.file.rounding.places
    for unit in units:
        wb = build_form(criteria, unit.subject, YEAR, unit)
        values = {}
        for ind_id in rows_by_id(wb[L.DATA]):  # every indicator the form asks for
            if rnd.random() < 0.05:
                continue  # a few left blank
            ind = criteria.indicators[ind_id]
            value = rnd.random() < 0.05 if ind.type == "bool" and ind_id.startswith("nguoi_") else \
                random_value(ind.type, ind.choices, rnd)
            values[ind_id] = typed(value, rnd)
        selfs: dict[str, object] = {}
        for cid, node in criteria.nodes[unit.subject].items():
            if node.is_leaf and rnd.random() < 0.9:
                step = score_step(node, places)
                points = step * rnd.randint(0, int(node.max / step))
                selfs[cid] = (float(points) if rnd.random() < 0.7 else str(points).replace(".", ","),
                              "Báo cáo số 12/BC-UBND")
        path = folder / unit.subject / f"{unit.code}.xlsx"
        fill_workbook(wb, Filled(path), values=values, self_scores=selfs,
                      evidence={i: "Văn bản số 1/VB" for i in list(values)[:5]})
        path.parent.mkdir(exist_ok=True)
        wb.save(path)
    return units


def calamine_floor(files: list[Path]) -> int:
    """Open every workbook and convert every sheet to Python values: what any reader must at least do."""
    cells = 0
    for f in files:
        wb = CalamineWorkbook.from_path(str(f))
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(len(r) for r in rows)
    return cells


def best(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--huyen", type=int, default=10)
    ap.add_argument("--xa", type=int, default=209)
    ap.add_argument("--co-quan", type=int, default=31)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="write the forms here and keep them (default: a temp dir)")
    args = ap.parse_args()
    criteria = load_criteria()
    counts = {"huyen": args.huyen, "xa": args.xa, "co_quan": args.co_quan}
    with tempfile.TemporaryDirectory(prefix="qd274_bench_") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        units = generate(folder, criteria, counts, random.Random(args.seed))
        t_gen = time.perf_counter() - t0
        files = sorted(folder.rglob("*.xlsx"))
        size_mb = sum(f.stat().st_size for f in files) / 2**20
        t_floor, cells = best(lambda: calamine_floor(files), args.repeat)
        t_read, result = best(lambda: read_inputs(folder, criteria), args.repeat)
    problems = result.problems  # type: ignore[attr-defined]
    n_errors = sum(p.severity == "error" for p in problems)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"forms: {len(files)} ({', '.join(f'{s} {n}' for s, n in counts.items())}), {size_mb:.1f} MB, "
          f"{cells:,} cells; units read: {len(result.units)} of {len(units)}; "  # type: ignore[attr-defined]
          f"problems: {len(problems)} ({n_errors} errors)")
    print(f"generate forms:           {t_gen:7.3f} s   (not part of the goal)")
    print(f"(a) calamine, all sheets: {t_floor:7.3f} s   (the floor; best of {args.repeat})")
    print(f"(b) read_inputs:          {t_read:7.3f} s   (best of {args.repeat})")
    print(f"ratio (b)/(a):            {t_read / t_floor:7.2f} ×  (goal ≤ 2 ×)")
    if n_errors:
        print("first errors:", *[str(p) for p in problems if p.severity == "error"][:5], sep="\n  ")


if __name__ == "__main__":
    main()
