"""Error tree, codes and locations: who must act on each problem, and where it is.

    Exception
    ├── Qd274Error                  base of every expected error (the CLI shows it without a traceback)
    │   ├── CriteriaError           the criteria file is wrong: its author must act; holds CriteriaProblem[]
    │   └── InputsError             input files are wrong: whoever filled them must act; holds InputError[]
    └── anything else               a bug in qd274: exit status 3, traceback with --debug

Problems are records, not exceptions, so that every one of them is collected and shown together
(pandera's lazy validation); the exceptions above only carry a list of them when work cannot go on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

SEVERITY_VI = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Ghi chú"}  # how every report names a severity
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}  # the order every report lists problems in


def by_severity(items: Iterable[InputError]) -> list[InputError]:
    """Errors first, then warnings, then notes; by file and code within each."""
    return sorted(items, key=lambda p: (SEVERITY_RANK.get(p.severity, 3), p.location.file or "", p.code))


def one_of(choices: Sequence[str]) -> str:
    """The choices as a message lists them: "huyen, xa hoặc co_quan"."""
    items = list(choices)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} hoặc {items[-1]}"


class Location(NamedTuple):
    """Where a value came from: file › sheet › cell, or a JSON path / criterion id.

    A NamedTuple: one is made for every cell read (600,000 for a national sheet), and a tuple is made
    several times faster than a frozen dataclass, immutable and hashable all the same.
    """

    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    field: str | None = None  # indicator or criterion id, or JSON path

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.sheet) if p]
        if self.cell:
            parts.append(f"ô {self.cell}")
        text = " › ".join(parts)
        if self.field:
            text = f"{text} ({self.field})" if text else self.field
        return text

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("file", self.file), ("sheet", self.sheet), ("cell", self.cell),
                                  ("field", self.field)) if v}


@dataclass(frozen=True, slots=True)
class CriteriaProblem:
    """One problem in a criteria file: a code, the JSON path, and a Vietnamese message."""

    code: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.path}: {self.message}"


@dataclass(frozen=True, slots=True)
class InputError:
    """One problem in an input (a cell, a row, a file), or an engine warning about the input's values."""

    code: str
    location: Location
    message: str
    severity: str = "error"  # "error" blocks the value; "warning" is reported and the value kept
    unit_id: str | None = None

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "severity": self.severity, "unit_id": self.unit_id,
                "location": self.location.to_dict(), "message": self.message}


class Qd274Error(Exception):
    """Base of the expected errors: shown to the user in Vietnamese, never as a traceback."""


@dataclass
class CriteriaError(Qd274Error):
    """The criteria file cannot be used; every problem found is listed."""

    source: str
    problems: list[CriteriaProblem] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"Tệp tiêu chí {self.source} có {len(self.problems)} lỗi:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    def codes(self) -> set[str]:
        return {p.code for p in self.problems}


@dataclass
class InputsError(Qd274Error):
    """Inputs cannot be used at all (only raised when nothing can go on, e.g. --strict)."""

    problems: list[InputError] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"Có {len(self.problems)} lỗi trong dữ liệu đầu vào:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


@dataclass
class HistoryError(Qd274Error):
    """The history cannot be used, and the user's machine or choice is why, not the inputs and not a bug.

    `cause` says who can act and picks the way out the message gives: "disk" (no permission, a full disk, a
    folder that cannot be made), "locked" (another program holds the file), "not_history" (not SQLite, damaged,
    another program's database, a folder), "newer" (made by a newer qd274), "no_run" (the file is fine but
    does not hold the years or runs asked for). `what` says in Vietnamese what was found; `reason` is the raw
    text (SQLite's own, in English), kept in parentheses at the end for whoever gives support.
    """

    path: str
    reason: str
    files_written: bool = False
    cause: str = "disk"
    what: str = ""

    def __str__(self) -> str:
        if self.cause == "no_run":  # nothing wrong with the file: the runs asked for are not in it
            return f"{self.what} {self.hint()} (tệp lịch sử: {self.path})"
        text = f"không mở hoặc ghi được lịch sử chấm điểm {self.path}" + (f": {self.what}." if self.what else ".")
        text += f" {self.hint()}"
        if self.files_written:  # during `report`: say what is safe, and how to run without the history
            text += " Các tệp kết quả đã được ghi xong; chỉ lần chạy này chưa được lưu (bỏ lưu: --khong-luu)."
        return f"{text} ({self.reason})" if self.reason else text

    def hint(self) -> str:
        """How to get past it, in Vietnamese, by cause."""
        match self.cause:
            case "locked":
                return "Đóng chương trình đang mở tệp này, hoặc đợi lệnh qd274 khác đang chạy xong, rồi chạy lại."
            case "not_history":
                return "qd274 không thay đổi gì trong tệp này. Chọn tệp khác bằng --db."
            case "newer":
                return ("qd274 không thay đổi gì trong tệp này. Cập nhật qd274 lên phiên bản mới hơn, hoặc chọn tệp "
                        "khác bằng --db.")
            case "no_run":
                return "Xem các lần chạy đã lưu (số lần chạy và năm) bằng lệnh qd274 lich-su."
            case _:
                return "Kiểm tra quyền ghi và chỗ trống trên ổ đĩa, hoặc chọn tệp khác bằng --db."


@dataclass
class OutputError(Qd274Error):
    """The result files cannot be written where asked (a full disk, no permission, a folder that cannot be
    made): the user's machine, not the inputs and not a bug."""

    path: str
    reason: str

    def __str__(self) -> str:
        return (f"không ghi được tệp kết quả vào {self.path} ({self.reason}); các tệp kết quả có từ trước (nếu có) "
                "vẫn giữ nguyên. Nếu một tệp kết quả đang mở trong Excel hoặc Word, đóng nó; kiểm tra quyền ghi và chỗ "
                "trống trên ổ đĩa, hoặc chọn thư mục khác bằng --out.")
