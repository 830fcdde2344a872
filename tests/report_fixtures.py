"""A small realistic run for reporter tests: forms for a few units filled from seeded random values."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from pathlib import Path

import openpyxl

from scoring import evaluate_all, rank
from scoring.criteria import load_criteria
from scoring.errors import InputError
from scoring.forms.generate import write_form
from scoring.pipeline import Run, run
from scoring.readers.folder import ReadResult
from scoring.registry import RegisteredUnit
from tests.strategies import random_unit

UNITS = [("H01", "Huyện Yên Thế", "huyen"), ("X01", "Xã Đồng Vương", "xa"), ("X02", "Xã Đông Sơn", "xa"),
         ("X03", "Thị trấn Bố Hạ", "xa"), ("X04", "=HYPERLINK(\"http://x\")", "xa"),
         ("C01", "Phòng Nội vụ", "co_quan"), ("C02", "Phòng Tư pháp <script>", "co_quan")]


def build_inputs(folder: Path, seed: int = 5, year: int = 2023) -> Path:
    """Write a registry and one filled form per unit (a hostile name included) into `folder`."""
    criteria = load_criteria()
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["ma_don_vi,ten_don_vi,doi_tuong,ten_khac"]
    for code, name, subject in UNITS:
        lines.append(f"{code},\"{name.replace(chr(34), chr(34) * 2)}\",{subject},")
        path = folder / subject / f"{code}.xlsx"
        write_form(path, criteria, subject, year, RegisteredUnit(code, name, subject))
        unit = random_unit(criteria, subject, 0, rnd, missing=0.05, self_all=True)
        wb = openpyxl.load_workbook(path)
        data = wb["Số liệu"]
        for row in data.iter_rows(min_row=4):
            reading = unit.values.get(str(row[0].value))
            if reading is not None and str(row[0].value) != "khong_nop_ho_so":
                value = reading.value
                row[3].value = ("Có" if value else "Không") if isinstance(value, bool) else value
                row[4].value = f"Báo cáo số {rnd.randint(1, 200)}/BC-UBND ngày {dt.date(year, 12, 1):%d/%m/%Y}"
        scores = wb["Chấm điểm"]
        for row in scores.iter_rows(min_row=4):
            cid = str(row[0].value)
            if cid in unit.self_scores:
                row[3].value = float(unit.self_scores[cid].points)
            if cid in unit.appraised:
                row[5].value = float(unit.appraised[cid].points)
                row[6].value = "Thẩm định lại theo hồ sơ"
        wb.save(path)
    (folder / "don_vi.csv").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def small_run(folder: Path, seed: int = 5, year: int = 2023) -> Run:
    return run(build_inputs(folder, seed, year), year=year)


BIG_XA, BIG_HUYEN = 1200, 30  # one subject type past every limit of the large-run mode, one small enough in full


def big_run(extra_problems: Sequence[InputError] = ()) -> Run:
    """Random units evaluated and ranked in memory (no forms to read: a test of the reports, not the readers)."""
    criteria = load_criteria()
    units = [random_unit(criteria, "xa", n, random.Random(n), self_all=True) for n in range(BIG_XA)]
    units += [random_unit(criteria, "huyen", n, random.Random(-n), self_all=True) for n in range(BIG_HUYEN)]
    ranked = rank(evaluate_all(criteria, units))
    problems = [p for rows in ranked.values() for r in rows for p in r.issues] + list(extra_problems)
    return Run(criteria, ReadResult(), ranked, 2023, dt.datetime(2024, 1, 2, tzinfo=dt.UTC), problems)
