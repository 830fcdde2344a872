"""Text from inputs on the console is shown as typed: never read as rich markup or emoji codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.cli import app

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}


def _sheet(tmp_path: Path, names: dict[str, str]) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    lines = ["ma_don_vi,ten_don_vi,doi_tuong,nam,so_cuoc_kiem_tra"]
    lines += [f'{code},"{name}",xa,2023,2' for code, name in names.items()]
    (folder / "tong_hop.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _explain(folder: Path, who: str) -> str:
    result = CliRunner().invoke(app, ["explain", str(folder), "--don-vi", who], env=ENV)
    return result.output


@pytest.mark.parametrize("name", ["Xã ba \\\\\\", "Xã hai \\\\", "Xã một \\", "Xã [bold red]đỏ[/]", "Xã \\[/bold]"])
def test_explain_shows_a_name_with_backslashes_or_brackets_as_typed(tmp_path: Path, name: str) -> None:
    out = _explain(_sheet(tmp_path, {"X1": name}), "X1")
    assert f"{name} (X1)" in out


def test_emoji_codes_in_names_stay_text(tmp_path: Path) -> None:
    name = "Xã :warning: :red_circle: Nội vụ :smile:"
    folder = _sheet(tmp_path, {"EM1": name})
    out = _explain(folder, "EM1")
    assert f"{name} (EM1)" in out and "⚠" not in out and "😄" not in out
    missing = _explain(folder, ":smile:")  # the not-found message quotes both the typed text and the names
    assert "«:smile:»" in missing and name in missing and "😄" not in missing
