"""Reading that selects nothing: an empty folder, or --nam / --doi-tuong leaving out every unit read, is an error
(never a run of only the registry's unsubmitted units)."""

from __future__ import annotations

from pathlib import Path

from tests.inputs_helpers import REGISTRY, YEAR, codes, make_form, only, read, write_csv, write_registry


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    problem = only(read(tmp_path).problems, "NO_INPUT_FILES")
    assert problem.severity == "error" and "không có gì để chấm" in problem.message


def test_a_folder_with_only_the_registry_lists_who_has_not_sent_a_form(tmp_path: Path) -> None:
    write_registry(tmp_path)
    result = read(tmp_path)
    assert "NO_INPUT_FILES" not in codes(result.problems)
    assert "NO_FORM" in codes(result.problems)  # early in the season: who has not sent a form yet


def test_a_year_no_form_has_is_an_error_naming_the_years_held(tmp_path: Path) -> None:
    write_registry(tmp_path)
    make_form(tmp_path / "a.xlsx", "xa", values={"so_thon": 3})
    result = read(tmp_path, year=YEAR - 1)
    problem = only(result.problems, "NO_UNIT_SELECTED")
    assert problem.severity == "error"
    assert f"--nam {YEAR - 1}" in problem.message and f"các biểu là năm {YEAR}" in problem.message
    assert "NO_UNIT_SELECTED" not in codes(read(tmp_path, year=YEAR).problems)


def test_a_subject_no_form_has_is_an_error_naming_the_subjects_held(tmp_path: Path) -> None:
    write_registry(tmp_path)
    make_form(tmp_path / "a.xlsx", "xa", values={"so_thon": 3})
    problem = only(read(tmp_path, subject="co_quan").problems, "NO_UNIT_SELECTED")
    assert "--doi-tuong co_quan" in problem.message and "đối tượng xa" in problem.message
    assert "NO_UNIT_SELECTED" not in codes(read(tmp_path, subject="xa").problems)


def test_units_left_out_for_their_own_problems_are_not_a_selection_error(tmp_path: Path) -> None:
    write_registry(tmp_path, [REGISTRY[1]])
    make_form(tmp_path / "a.xlsx", "xa", unit=REGISTRY[2], values={"so_thon": 3})  # not in the registry
    result = read(tmp_path, year=YEAR)
    assert "UNKNOWN_UNIT" in codes(result.problems) and "NO_UNIT_SELECTED" not in codes(result.problems)


def test_a_form_of_the_year_asked_left_out_for_its_own_problem_is_no_selection_error(tmp_path: Path) -> None:
    """With --nam 2023, a 2023 form of an unknown unit and a 2022 form: the message must not steer to --nam 2022."""
    write_registry(tmp_path, [REGISTRY[1]])
    make_form(tmp_path / "a.xlsx", "xa", unit=REGISTRY[2], values={"so_thon": 3})  # 2023, not in the registry
    make_form(tmp_path / "b.xlsx", "xa", unit=REGISTRY[1], year=YEAR - 1, values={"so_thon": 3})
    result = read(tmp_path, year=YEAR)
    assert "UNKNOWN_UNIT" in codes(result.problems) and "WRONG_YEAR" in codes(result.problems)
    assert "NO_UNIT_SELECTED" not in codes(result.problems)


def test_wrong_year_in_a_consolidated_sheet_names_the_year_cell(tmp_path: Path) -> None:
    write_registry(tmp_path)
    write_csv(tmp_path / "tong_hop.csv", [["ma_don_vi", "ten_don_vi", "doi_tuong", "nam", "so_thon"],
                                          [REGISTRY[1].code, REGISTRY[1].name, "xa", YEAR - 1, 3]])
    problem = only(read(tmp_path, year=YEAR).problems, "WRONG_YEAR")
    assert problem.location.cell == "D2" and problem.location.field == "nam"


def test_qd274s_own_summary_workbook_in_the_folder_is_named_and_not_read(tmp_path: Path) -> None:
    """Last year's ket_qua_cham_diem.xlsx copied in beside the forms: a warning, not NOT_AN_INPUT (an error)."""
    from scoring.reports.writer import XLSX
    from scoring.reports.xlsx_report import write_xlsx
    from tests.report_fixtures import build_inputs, small_run

    inputs = build_inputs(tmp_path / "in")
    write_xlsx(small_run(tmp_path / "other"), inputs / XLSX)  # the sheets qd274 writes today
    result = read(inputs)
    problem = only(result.problems, "OWN_OUTPUT")
    assert problem.severity == "warning" and problem.location.file == XLSX
    assert "NOT_AN_INPUT" not in codes(result.problems)
    assert [f.kind for f in result.files if f.name == XLSX] == ["output"]
