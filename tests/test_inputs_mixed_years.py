"""Several years in one folder: without --nam one year is scored (the one most units carry, the latest on a tie),
never a mix, and an error says what was left out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scoring.pipeline import Run, run
from tests.inputs_helpers import codes, only, write_csv
from tests.report_fixtures import UNITS, build_inputs

OLD, NEW = 2022, 2023
OLD_XA = [code for code, _, subject in UNITS if subject == "xa"]
OLD_CSV = [(code, name, subject) for code, name, subject in UNITS if subject != "xa"]


def _mixed_folder(tmp_path: Path) -> Path:
    """This year's forms for every unit, plus last year's: forms of the communes, a consolidated CSV for the rest.

    Last year's figures differ from this year's (another seed): merged by code, they would conflict.
    """
    folder = build_inputs(tmp_path / "mixed", seed=5, year=NEW)
    old = build_inputs(tmp_path / "old", seed=11, year=OLD)
    for code in OLD_XA:
        target = folder / f"nam_{OLD}" / "xa" / f"{code}.xlsx"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(old / "xa" / f"{code}.xlsx", target)
    rows: list[list[object]] = [["ma_don_vi", "ten_don_vi", "doi_tuong", "nam", "co_hoi_nghi_quan_triet",
                                 "so_nhiem_vu_duoc_giao", "so_nhiem_vu_hoan_thanh", "tu_cham:II.1"]]
    rows += [[code, name, subject, OLD, "Có", 10, 9, "3,5"] for code, name, subject in OLD_CSV]
    write_csv(folder / f"tong_hop_{OLD}.csv", rows)
    return folder


def _totals(r: Run) -> dict[tuple[str, str], tuple[object, ...]]:
    return {(u.unit.subject, u.unit.unit_id): (u.unit.year, u.total, u.grade_name, u.rank) for u in r.results}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _mixed_folder(tmp_path_factory.mktemp("years"))


def test_without_year_only_the_latest_year_is_scored(mixed: Path) -> None:
    r = run(mixed)
    assert r.year == NEW
    assert {u.unit.year for u in r.results} == {NEW}
    assert len(r.results) == len(UNITS)
    assert "CONFLICTING_VALUES" not in codes(r.problems)
    for u in r.results:  # never last year's files in a unit's sources
        assert f"nam_{OLD}" not in u.unit.source and f"tong_hop_{OLD}" not in u.unit.source, u.unit.source


def test_one_error_names_the_years_and_what_was_left_out(mixed: Path) -> None:
    problem = only(run(mixed).problems, "MIXED_YEARS")
    assert problem.severity == "error"  # a unit's data is left out: the exit code says so
    assert problem.message == (
        f"thư mục có số liệu của các năm {OLD}, {NEW}: chỉ chấm năm {NEW} (mới nhất), bỏ qua {len(UNITS)} đơn vị "
        f"của năm {OLD} ({len(OLD_XA) + 1} tệp). Nếu năm ghi trong các tệp đó bị gõ nhầm, sửa lại rồi chạy lại; "
        f"muốn chấm năm khác, chạy với --nam {OLD}.")
    assert "WRONG_YEAR" not in codes(run(mixed).problems)  # one problem, not one per row left out


def test_one_mistyped_year_does_not_leave_out_the_rest(tmp_path: Path) -> None:
    """A unit typed next year into its form: the year every other unit carries is scored, and that form is
    named (it used to take the "latest" year, scoring one unit and leaving out every other)."""
    folder = build_inputs(tmp_path / "typo", seed=5, year=NEW)
    wrong = build_inputs(tmp_path / "next", seed=5, year=NEW + 1)
    shutil.copy(wrong / "xa" / f"{OLD_XA[0]}.xlsx", folder / "xa" / f"{OLD_XA[0]}.xlsx")
    r = run(folder)
    assert r.year == NEW and len(r.results) == len(UNITS) and {u.unit.year for u in r.results} == {NEW}
    assert not next(u for u in r.results if u.unit.unit_id == OLD_XA[0]).unit.has_data  # its form was left out
    message = only(r.problems, "MIXED_YEARS").message
    assert f"chỉ chấm năm {NEW} (nhiều đơn vị nhất), bỏ qua 1 đơn vị của năm {NEW + 1} (xa/{OLD_XA[0]}.xlsx)" in message


def test_without_year_equals_the_run_with_the_latest_year(mixed: Path) -> None:
    chosen = run(mixed, year=NEW)
    assert "MIXED_YEARS" not in codes(chosen.problems)  # --nam: unchanged, each row of another year WRONG_YEAR
    assert codes(chosen.problems).count("WRONG_YEAR") == len(UNITS)
    assert _totals(run(mixed)) == _totals(chosen)


def test_the_older_year_is_scored_when_asked(mixed: Path) -> None:
    r = run(mixed, year=OLD)
    assert r.year == OLD
    assert {u.unit.year for u in r.results} == {OLD}
    assert len(r.results) == len(UNITS)
    assert "MIXED_YEARS" not in codes(r.problems) and "CONFLICTING_VALUES" not in codes(r.problems)
    for u in r.results:
        assert f"nam_{OLD}/" in u.unit.source or u.unit.source == f"tong_hop_{OLD}.csv", u.unit.source


def test_three_years_name_every_year_left_out(tmp_path: Path) -> None:
    folder = _mixed_folder(tmp_path)
    write_csv(folder / "tong_hop_2021.csv", [["ma_don_vi", "ten_don_vi", "doi_tuong", "nam", "tu_cham:II.1"],
                                             ["X01", "Xã Đồng Vương", "xa", 2021, "3"]])
    r = run(folder)
    assert {u.unit.year for u in r.results} == {NEW}
    message = only(r.problems, "MIXED_YEARS").message
    assert message.startswith(f"thư mục có số liệu của các năm 2021, {OLD}, {NEW}: chỉ chấm năm {NEW} (mới nhất)")
    assert "1 đơn vị của năm 2021 (tong_hop_2021.csv)" in message and "--nam 2021 hoặc --nam 2022" in message


def test_one_year_folder_has_no_warning(tmp_path: Path) -> None:
    r = run(build_inputs(tmp_path / "one", seed=5, year=NEW))
    assert "MIXED_YEARS" not in codes(r.problems)
    assert r.year == NEW and {u.unit.year for u in r.results} == {NEW}
