#!/usr/bin/env python3
"""Builds inputs/yen_the_2022/: an ILLUSTRATIVE year before the demo, as one consolidated sheet (.csv).

    python scripts/build_demo_2022.py

The 2023 demo's units are read, every count is moved by a small deterministic amount and a few Có/Không
answers are flipped, and the result is written the way an office that enters all units itself would: one
row per unit, the registry beside it. It exists to show the consolidated-sheet input and the year-over-year
comparison (`qd274 report … --nam 2022`, then `qd274 so-sanh --nam 2022 --nam 2023`). Its figures are not
anyone's real figures: the README says so (a consolidated sheet has no free-text column to say it in).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scoring import load_criteria  # noqa: E402
from scoring.forms.consolidated_template import consolidated_columns  # noqa: E402
from scoring.readers.folder import read_inputs  # noqa: E402

SOURCE = ROOT / "inputs" / "yen_the_2023"
TARGET = ROOT / "inputs" / "yen_the_2022"


def main() -> None:
    criteria = load_criteria()
    units = read_inputs(SOURCE, criteria).units
    rnd = random.Random(2022)
    judged = sorted({cid for nodes in criteria.nodes.values() for cid, n in nodes.items()
                     if n.rule is not None and n.rule.kind == "judgement"})
    columns = [c for c, _ in consolidated_columns(criteria, None) if ":" not in c] + [f"tu_cham:{c}" for c in judged]
    rows = []
    for unit in sorted(units, key=lambda u: u.unit_id):
        row: dict[str, object] = {"ma_don_vi": unit.unit_id, "ten_don_vi": unit.unit_name,
                                  "doi_tuong": unit.subject, "nam": 2022}
        for ind_id, reading in sorted(unit.values.items()):
            value = reading.value
            if isinstance(value, bool):
                value = (not value) if rnd.random() < 0.08 else value
                row[ind_id] = "Có" if value else "Không"
            elif isinstance(value, int):
                row[ind_id] = max(0, value - rnd.choice((0, 0, 1, 2)) if value > 3 else value)
            elif isinstance(value, dt.date):
                row[ind_id] = value.replace(year=2022).strftime("%d/%m/%Y")
            else:
                row[ind_id] = value
        for cid in judged:  # the criteria scored by judgement keep the unit's own self-score
            if cid in unit.self_scores:
                row[f"tu_cham:{cid}"] = str(unit.self_scores[cid].points).replace(".", ",")
        rows.append(row)
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    shutil.copy(SOURCE / "don_vi.csv", TARGET / "don_vi.csv")
    with (TARGET / "tong_hop_2022.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{TARGET / 'tong_hop_2022.csv'}: {len(rows)} đơn vị (số liệu minh họa)")


if __name__ == "__main__":
    main()
