"""Round trips of the per-unit form: generate, fill as a person would, read back typed values and their cells.

Also the same filled file after a save by LibreOffice (what many communes use instead of Excel).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from scoring import Location, evaluate
from scoring.forms import layout as L
from scoring.forms.generate import write_form
from scoring.readers.workbook import open_book
from tests.inputs_helpers import (
    UNIT_OF,
    YEAR,
    Filled,
    criteria,
    errors,
    make_form,
    read,
    reopen_and_edit,
    snapshot,
    write_registry,
)

SUBJECTS = ("xa", "huyen", "co_quan")
DATE = dt.date(2023, 1, 14)

# indicator id → (what is typed, what must be read back). Common to the three schemes.
TYPED: dict[str, tuple[Any, Any]] = {
    "co_hoi_nghi_quan_triet": ("Có", True),
    "co_dang_tai_cong_ttdt": ("Không", False),
    "co_tuyen_truyen_truyen_thanh": ("x", True),
    "co_chuong_trinh_phoi_hop": (True, True),  # a real boolean cell
    "co_lay_y_kien_nhan_dan": (False, False),
    "so_cuoc_kiem_tra": (12, 12),
    "so_ho_so_tiep_nhan": ("1.234", 1234),  # thousands dot, typed as text
    "so_ho_so_da_giai_quyet": (1200, 1200),
    "so_nhiem_vu_duoc_giao": (138, 138),
    "so_nhiem_vu_hoan_thanh": (128, 128),
    "so_vu_dong_nguoi": (0, 0),
    "xep_loai_cchc": ("khá", "Khá"),  # a choice, case ignored, read back as the catalogue spells it
}
EXTRA: dict[str, dict[str, tuple[Any, Any]]] = {
    "xa": {"dat_chuan_cqtt": ("✓", True), "so_tieu_chi_cqtt_dat": ("10", 10)},
    "huyen": {"so_xa": ("23", 23), "so_xa_dat_cqtt": (21.0, 21)},
    "co_quan": {"dat_chuan_van_hoa": ("đúng", True), "so_phieu_khao_sat": ("80.000", 80000)},
}
EVIDENCE = {"so_nhiem_vu_hoan_thanh": "Báo cáo số 45/BC-UBND ngày 10/12/2023"}
PCT = {"so_nhiem_vu_hoan_thanh": ("92,75", Decimal("92.75"))}
SELF = {"II.1": (("3,5", "Kế hoạch số 12/KH-UBND"), Decimal("3.5"), "Kế hoạch số 12/KH-UBND"),
        "I.1": (3, Decimal(3), None)}
APPRAISED = {"II.1": ((3.25, "Thiếu biên bản hội nghị"), Decimal("3.25"), "Thiếu biên bản hội nghị")}


def _fill(folder: Path, subject: str, date_as: str) -> Filled:
    typed = TYPED | EXTRA[subject]
    values = {k: v for k, (v, _) in typed.items()}
    values["ngay_ban_hanh_ke_hoach"] = DATE if date_as == "date" else "14/01/2023"
    return make_form(folder / f"{subject}.xlsx", subject, values=values, evidence=EVIDENCE,
                     pct={k: v for k, (v, _) in PCT.items()},
                     self_scores={k: v for k, (v, _, _) in SELF.items()},
                     appraised={k: v for k, (v, _, _) in APPRAISED.items()})


def _assert_read_back(folder: Path, subject: str, filled: Filled) -> None:
    result = read(folder)
    assert errors(result.problems) == []
    assert [p.code for p in result.problems] == []
    [unit] = result.units
    reg = UNIT_OF[subject]
    assert (unit.unit_id, unit.unit_name, unit.subject, unit.year) == (reg.code, reg.name, subject, YEAR)
    file = filled.path.name
    expected = {k: want for k, (_, want) in (TYPED | EXTRA[subject]).items()} | {"ngay_ban_hanh_ke_hoach": DATE}
    implied = {i.id: i.implied_by_form for i in criteria().file.indicators if i.implied_by_form is not None}
    assert {k: r.value for k, r in unit.values.items()} == expected | implied
    for ind_id in implied:  # what a submitted form says by existing: no cell, the file
        assert unit.values[ind_id].origin == Location(file, field=ind_id)
    for ind_id, reading in unit.values.items():
        if ind_id in implied:
            continue
        assert type(reading.value) is type(expected[ind_id]), ind_id  # True is not 1, a date is not a datetime
        assert reading.origin == Location(file, L.DATA, filled.values[ind_id], ind_id)
    assert unit.values["so_nhiem_vu_hoan_thanh"].evidence == EVIDENCE["so_nhiem_vu_hoan_thanh"]
    [(pct_id, stated)] = unit.stated_pct.items()
    assert (pct_id, stated.value) == ("so_nhiem_vu_hoan_thanh", PCT[pct_id][1])
    assert stated.origin == Location(file, L.DATA, filled.pct[pct_id], f"ty_le:{pct_id}")
    assert {k: (s.points, s.note) for k, s in unit.self_scores.items()} == {
        k: (p, n) for k, (_, p, n) in SELF.items()}
    assert {k: (s.points, s.note) for k, s in unit.appraised.items()} == {
        k: (p, n) for k, (_, p, n) in APPRAISED.items()}
    for cid, score in unit.self_scores.items():
        assert score.origin == Location(file, L.SCORES, filled.self_scores[cid], cid)
    assert unit.appraised["II.1"].origin == Location(file, L.SCORES, filled.appraised["II.1"], "II.1")
    # The values evaluate cleanly: no score is above its maximum or off its step, the stated % matches.
    issues = evaluate(criteria(), unit).issues
    assert not [i for i in issues if i.code.startswith(("SCORE_", "STATED_PCT", "UNKNOWN"))], issues


@pytest.mark.parametrize("date_as", ["date", "text"])
@pytest.mark.parametrize("subject", SUBJECTS)
def test_form_round_trip(tmp_path: Path, subject: str, date_as: str) -> None:
    write_registry(tmp_path, [UNIT_OF[subject]])
    filled = _fill(tmp_path, subject, date_as)
    _assert_read_back(tmp_path, subject, filled)


def test_fill_positions_follow_the_layout(tmp_path: Path) -> None:
    """The first indicator's value is D4 and the first leaf score is D5: the layout the reader relies on."""
    filled = _fill(tmp_path, "xa", "date")
    assert filled.values["ngay_ban_hanh_ke_hoach"] == f"D{L.FIRST_ROW}"
    assert filled.self_scores["I.1"] == f"D{L.FIRST_ROW + 1}"  # row 4 is group I


def test_empty_generated_form_reads_as_a_unit_without_data(tmp_path: Path) -> None:
    """A form sent back blank is "không có số liệu": not graded, and nothing is implied by its existence."""
    write_registry(tmp_path)
    path = write_form(tmp_path / "trong.xlsx", criteria(), "xa", YEAR, UNIT_OF["xa"])
    result = read(tmp_path)
    assert errors(result.problems) == []
    unit = next(u for u in result.units if u.unit_id == "X01")
    assert not unit.has_data and unit.values == {} and unit.source == path.name
    assert evaluate(criteria(), unit).grade_name == "Không xếp loại"


def test_a_form_with_data_implies_it_was_submitted(tmp_path: Path) -> None:
    write_registry(tmp_path, [UNIT_OF["xa"]])
    make_form(tmp_path / "xa.xlsx", "xa", self_scores={"I.1": 3})
    [unit] = read(tmp_path).units
    assert unit.values["khong_nop_ho_so"].value is False
    assert evaluate(criteria(), unit).grade_name != "Không xếp loại"


def test_a_moved_column_is_still_found_by_its_header(tmp_path: Path) -> None:
    """Readers find columns by header text: swapping «Giá trị» and «Kiểu» keeps every value."""
    write_registry(tmp_path, [UNIT_OF["xa"]])
    filled = make_form(tmp_path / "xa.xlsx", "xa", values={"so_cuoc_kiem_tra": 7, "co_hoi_nghi_quan_triet": "Có"})

    def swap(wb: Any) -> None:
        ws = wb[L.DATA]
        for r in range(L.HEADER_ROW, ws.max_row + 1):
            ws.cell(r, 3).value, ws.cell(r, 4).value = ws.cell(r, 4).value, ws.cell(r, 3).value

    reopen_and_edit(filled.path, swap)
    [unit] = read(tmp_path).units
    assert {k: r.value for k, r in unit.values.items() if r.origin.cell} == {  # type: ignore[union-attr]
        "so_cuoc_kiem_tra": 7, "co_hoi_nghi_quan_triet": True}
    row = filled.values["so_cuoc_kiem_tra"][1:]
    assert unit.values["so_cuoc_kiem_tra"].origin.cell == f"C{row}"  # type: ignore[union-attr]


def test_1904_date_system(tmp_path: Path) -> None:
    """A workbook saved with the 1904 date system (old Mac Excel): real dates and bare serials both read right."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    write_registry(tmp_path, [UNIT_OF["xa"]])
    filled = make_form(tmp_path / "mac.xlsx", "xa", values={"ngay_ban_hanh_ke_hoach": DATE})

    def to_1904(wb: Any) -> None:
        wb.epoch = CALENDAR_MAC_1904
        cell = wb[L.DATA][filled.values["ngay_ban_hanh_ke_hoach"]]
        cell.value = DATE  # re-typed so openpyxl stores it as a 1904 serial

    reopen_and_edit(filled.path, to_1904)
    assert open_book(filled.path).date1904
    [unit] = read(tmp_path).units
    assert unit.values["ngay_ban_hanh_ke_hoach"].value == DATE

    def bare_serial(wb: Any) -> None:  # the same date as a plain number (format «General»)
        cell = wb[L.DATA][filled.values["ngay_ban_hanh_ke_hoach"]]
        cell.value, cell.number_format = (DATE - dt.date(1904, 1, 1)).days, "General"

    reopen_and_edit(filled.path, bare_serial)
    [unit] = read(tmp_path).units
    assert unit.values["ngay_ban_hanh_ke_hoach"].value == DATE


def _soffice() -> str | None:
    return shutil.which("soffice") or ("/usr/bin/soffice" if Path("/usr/bin/soffice").exists() else None)


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_round_trip_through_libreoffice(tmp_path: Path) -> None:
    """Fill with openpyxl, open and save with LibreOffice Calc, read back: the same values and cells."""
    src, out, profile = tmp_path / "src", tmp_path / "out", tmp_path / "profile"
    src.mkdir()
    out.mkdir()
    filled = _fill(src, "xa", "text")
    before = snapshot(src)
    env = os.environ | {"HOME": str(tmp_path / "home")}  # a throwaway profile: works in CI, never touches ~
    run = subprocess.run([_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",  # type: ignore[list-item]
                          "--convert-to", "xlsx", "--outdir", str(out), str(filled.path)],
                         env=env, capture_output=True, text=True, timeout=180)
    converted = out / filled.path.name
    assert run.returncode == 0 and converted.is_file(), run.stdout + run.stderr
    assert snapshot(src) == before
    assert converted.read_bytes() != filled.path.read_bytes()  # really rewritten by Calc
    book = open_book(converted)
    assert L.META in book.sheet_names  # the very hidden sheet survives Calc
    write_registry(out, [UNIT_OF["xa"]])
    _assert_read_back(out, "xa", Filled(converted, **{k: v for k, v in vars(filled).items() if k != "path"}))
