"""Golden test: `qd274 explain` of one demo unit (Xã Hồng Kỳ: appraised, grade changed by appraisal).

Regenerate after an intended change with: UPDATE_GOLDEN=1 python -m pytest tests/test_golden_explain.py
and read the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from scoring.cli import app

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden" / "explain_hong_ky.txt"


def test_explain_matches_golden() -> None:
    result = CliRunner().invoke(app, ["explain", str(ROOT / "inputs" / "yen_the_2023"), "--don-vi", "Hồng Kỳ"],
                                env={"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(result.output, "utf-8")
    assert result.output == GOLDEN.read_text("utf-8")
    assert "Lý do thẩm định" in result.output and "Xếp loại: Khá" in result.output
