"""The two demo years (2022 as a consolidated sheet, 2023 as forms) recorded and compared in the history."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from scoring.cli import app
from scoring.history import compare, connect, latest_run
from scoring.pipeline import run

ROOT = Path(__file__).resolve().parents[1]


def test_demo_years_give_the_expected_deltas(tmp_path: Path) -> None:
    db = tmp_path / "lich_su.sqlite3"
    runner = CliRunner()
    for year in (2022, 2023):
        result = runner.invoke(app, ["report", str(ROOT / "inputs" / f"yen_the_{year}"), "--nam", str(year),
                                     "--out", str(tmp_path / str(year)), "--db", str(db)], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
    expected = {}
    for year in (2022, 2023):
        for r in run(ROOT / "inputs" / f"yen_the_{year}", year=year).results:
            expected.setdefault((r.unit.subject, r.unit.unit_id), {})[year] = r
    conn = connect(db)
    changes = compare(conn, latest_run(conn, 2022) or 0, latest_run(conn, 2023) or 0)
    conn.close()
    assert len(changes) == 25
    moved = 0
    for c in changes:
        before, after = expected[(c.subject, c.unit_id)][2022], expected[(c.subject, c.unit_id)][2023]
        assert c.before == (before.total, before.grade_name, before.rank)
        assert c.after == (after.total, after.grade_name, after.rank)
        assert c.delta == after.total - before.total
        moved += c.delta != 0
    assert moved > 0  # the illustrative 2022 figures differ from 2023's
    shown = runner.invoke(app, ["so-sanh", "--nam", "2022", "--nam", "2023", "--db", str(db)],
                          env={"COLUMNS": "250"})
    assert shown.exit_code == 0 and "Xã Hồng Kỳ" in shown.output
