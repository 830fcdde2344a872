"""Where the criteria round trip writes: the export's target checked, the JSON file rewritten in place, or not."""

from __future__ import annotations

import json
import os
import re
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..atomic import write_bytes_atomic
from ..errors import CriteriaError, CriteriaProblem

EXCEL_CELL_MAX = 32767  # characters an Excel cell holds: a longer text comes back cut
_SOURCE = re.compile(r"Tệp nguồn: (.+) \(SHA-256 ([0-9a-f]{64})\)")


def export_target_problem(target: Path, criteria_path: Path, overwrite: bool) -> str | None:
    """Why --xuat must not write `target`, or None: never onto the criteria file itself (it would become a
    workbook), never a name Excel would not open as a workbook, never over a file already there without
    --ghi-de (it may be an export being edited: the edits would be lost)."""
    if target.suffix.lower() != ".xlsx":
        return f"«{target}» không phải tên tệp .xlsx: --xuat cần một tệp Excel mới, ví dụ --xuat tieu_chi.xlsx"
    if _same_file(target, criteria_path):
        return (f"«{target}» chính là tệp bộ tiêu chí đang đọc: ghi bản Excel lên đó sẽ xóa bộ tiêu chí. Chọn một tên "
                "tệp .xlsx khác")
    if (target.exists() or target.is_symlink()) and not overwrite:
        return (f"đã có «{target}»: qd274 không ghi đè (có thể là bản đang sửa dở, các ô đã sửa sẽ mất). Chọn tên "
                "khác, hoặc thêm --ghi-de nếu muốn thay bằng bản xuất mới")
    return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)  # a hard link or another spelling of the same path too
    except OSError:  # one of them does not exist
        return os.path.realpath(a) == os.path.realpath(b)


def recorded_source(texts: list[Any]) -> tuple[str | None, str | None]:
    """The source file's name and SHA-256 the export wrote on its guide sheet (excel.export_excel), or Nones."""
    for text in texts:
        if isinstance(text, str) and (found := _SOURCE.search(text)):
            return found[1], found[2]
    return None, None


def stale_problem(source: Path, target: Path, recorded: tuple[str | None, str | None],
                  current: str) -> CriteriaProblem | None:
    """STALE_EXPORT when the JSON file is not the one exported, or no longer as it was: importing the workbook
    would put back, in silence, every value edited in the file since (each editable cell holds the old value)."""
    name, sha = recorded
    if sha == current:
        return None
    where = f"{source.name} › Hướng dẫn"
    fix = ("Xuất lại bằng qd274 criteria --xuat <tệp mới>.xlsx, làm lại các sửa đổi trên bản mới rồi nhập bản đó; "
           "hoặc thêm --ghi-de nếu chắc chắn muốn thay mọi ô sửa được bằng nội dung của bản Excel này (an toàn khi "
           "chính bản này đã được nhập rồi sửa tiếp: nó giữ đủ các sửa đổi trước)")
    if name is not None and name.casefold() != target.name.casefold():  # --tieu-chi left out, or another file
        # (a renamed file or a link by another name is the same file: the usual way out is kept)
        return CriteriaProblem("STALE_EXPORT", where, f"bản Excel này xuất từ «{name}», không phải từ «{target.name}» "
                               f"như hiện nay. Nếu là tệp khác: nhập vào đúng tệp đó bằng --tieu-chi <đường dẫn tới "
                               f"{name}>. Nếu chỉ là cùng tệp đã đổi tên: {fix}.")
    if sha is None:
        return CriteriaProblem("STALE_EXPORT", where, "không thấy dấu SHA-256 của tệp nguồn (dòng «Tệp nguồn: …») "
                               f"nên không biết bản Excel này xuất từ phiên bản nào của {target.name}. {fix}.")
    return CriteriaProblem("STALE_EXPORT", where, f"bản Excel này xuất từ {target.name} khi tệp có SHA-256 "
                           f"{sha[:12]}…; nay tệp đã đổi (SHA-256 {current[:12]}…): sửa trực tiếp, hoặc đã nhập một "
                           "bản Excel (có thể chính bản này). Nhập bản cũ sẽ xóa các thay đổi sau lần xuất mà không "
                           f"báo. {fix}.")


def dumps(doc: Any, like: bytes) -> bytes:
    """The JSON text of `doc` as json.dumps(indent=2) writes it, but each Decimal as its own digits (never
    through float: 0.05000000000000000001 stays), with the BOM and line ends of the file it replaces."""
    text = _dump(doc, "") + "\n"
    if b"\r\n" in like:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    return b"\xef\xbb\xbf" + data if like.startswith(b"\xef\xbb\xbf") else data


def _dump(value: Any, indent: str) -> str:
    inner = indent + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(f"{inner}{_dump(v, inner)}" for v in value) + f"\n{indent}]"
    if isinstance(value, Decimal):
        return str(value)  # finite and in range: decode refused the rest, so this is valid JSON
    return json.dumps(value, ensure_ascii=False)


def write_in_place(target: Path, data: bytes) -> None:
    """Replace the file atomically, keeping its permission bits; a read-only file is refused, not replaced
    (a rename would ignore that the owner made it read-only)."""
    mode = stat.S_IMODE(target.stat().st_mode)
    if not mode & 0o222 or not os.access(target, os.W_OK):
        raise CriteriaError(str(target), [CriteriaProblem("READ_ONLY", str(target), f"tệp chỉ cho đọc (quyền "
                                                          f"{mode:04o}): qd274 không ghi vào. Bỏ thuộc tính chỉ đọc "
                                                          "(chmod u+w, hoặc bỏ «Read-only» trong Properties) rồi "
                                                          "nhập lại")])
    write_bytes_atomic(target, data)
    os.chmod(target, mode)  # the temp file got the umask's bits: the file keeps those it had
