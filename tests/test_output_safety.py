"""Output safety: paths built from input text stay inside the output folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.safe_paths import inside, safe_name


@pytest.mark.parametrize(("text", "expected"), [
    ("../../etc/passwd", "etc_passwd"), ("Xã Đồng Vương", "Xa_Dong_Vuong"), ("CON", "don_vi_CON"),
    ("..", "don_vi"), ("a/b\\c:d", "a_b_c_d"), ("YT-X01", "YT-X01")])
def test_safe_name(text: str, expected: str) -> None:
    assert safe_name(text) == expected


def test_inside_refuses_escape(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        inside(tmp_path, "..", "x")
    assert inside(tmp_path, "a", "b.xlsx") == (tmp_path / "a" / "b.xlsx").resolve()


def test_template_per_unit_never_writes_outside(tmp_path: Path) -> None:
    registry = tmp_path / "don_vi.csv"
    registry.write_text("ma_don_vi,ten_don_vi,doi_tuong,ten_khac\n../../evil,Xã A,xa,\n/abs/path,Xã B,xa,\n", "utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["template", "--don-vi", str(registry), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.xlsx"))
    assert written == ["out/xa/abs_path.xlsx", "out/xa/evil.xlsx"]
