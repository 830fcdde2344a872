"""What a reader extracts from one file for one unit, before the unit is identified against the registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError, Location
from ..inputs import Reading, Score
from ..numbers import format_vi
from .limits import MAX_TEXT_CHARS
from .parse import Problem, parse_text, quote, shown


@dataclass
class RawUnit:
    source: str  # the file, relative to the folder read
    where: Location  # where the unit's name (or row) is
    code: str | None = None
    name: str | None = None
    subject: str | None = None
    year: int | None = None
    year_at: Location | None = None  # the cell the year was read from (None: the form's hidden identity sheet)
    code_at: Location | None = None  # the cell the code was read from (None: the form's hidden identity sheet)
    values: dict[str, Reading] = field(default_factory=dict)
    self_scores: dict[str, Score] = field(default_factory=dict)
    appraised: dict[str, Score] = field(default_factory=dict)
    stated_pct: dict[str, Reading] = field(default_factory=dict)
    # The problems found in this unit's own cells (None: none), which identify() gives the unit's id once known:
    # `explain` and the reports show a unit's problems by that id
    own: list[InputError] | None = None


def cell_error(problem: Problem, where: Location, raw: Any) -> InputError:
    """file › sheet › ô D14 (id): cần …, nhận được "…". Sửa ô này rồi chạy lại."""
    code, expected = problem
    return InputError(code, where, f"{expected}, nhận được {shown(raw)}. Sửa ô này rồi chạy lại.")


def excel_error(error: str, where: Location) -> InputError:
    """An error cell (#DIV/0!, #N/A…): calamine shows it as empty, but it is a value the unit failed to give,
    so it is reported as an error rather than read as blank (which would score 0 in silence)."""
    return InputError("CELL_ERROR_VALUE", where, f"ô có lỗi công thức {quote(error)}: không đọc được giá trị. Sửa "
                      "công thức (hoặc gõ giá trị) trong Excel, lưu lại rồi chạy lại.")


def note_text(raw: Any, where: Location, problems: list[InputError]) -> str | None:
    """Evidence or reason text, cut to Excel's cell limit (a longer one cannot have come from Excel)."""
    text = parse_text(raw)
    if text is not None and len(text) > MAX_TEXT_CHARS:
        problems.append(InputError("TEXT_TOO_LONG", where, f"ô dài {format_vi(len(text))} ký tự, quá "
                                   f"{format_vi(MAX_TEXT_CHARS)} ký tự (giới hạn một ô của Excel): chỉ giữ phần đầu. "
                                   "Rút gọn nội dung ô này.", "warning"))
        text = text[:MAX_TEXT_CHARS]
    return text
