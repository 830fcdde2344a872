"""Says what a file that is not a readable workbook package really is, from its bytes, in Vietnamese.

A workbook with a password is not a zip at all: Excel wraps the encrypted package in an OLE compound file
(the container of the old .xls), with streams named EncryptionInfo and EncryptedPackage. So an OLE file
named .xlsx is told apart by the stream names in its directory, read here without any OLE library.
"""

from __future__ import annotations

import struct

from ..errors import InputError, Location

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_RESAVE = "Mở bằng Excel và lưu lại dạng .xlsx (Excel Workbook) rồi chạy lại."
_END = 0xFFFFFFFA  # sector numbers from here up are markers (end of chain, free, FAT…), not sectors


def not_a_workbook(name: str, data: bytes) -> InputError:
    """NOT_A_WORKBOOK, PASSWORD_PROTECTED or UNREADABLE_FILE for bytes that are not a zip package."""
    where = Location(file=name)
    if data.startswith(OLE_SIGNATURE):
        streams = ole_streams(data)
        if {"EncryptionInfo", "EncryptedPackage"} <= streams:
            return InputError("PASSWORD_PROTECTED", where, "tệp Excel được bảo vệ bằng mật khẩu (mã hóa), không đọc "
                              "được. Mở bằng Excel, nhập mật khẩu, vào Tệp › Thông tin › Bảo vệ sổ làm việc › Mã hóa "
                              "bằng mật khẩu, xóa mật khẩu, lưu lại rồi chạy lại.")
        what = ("tệp Excel cũ (.xls) bị đặt đuôi mới" if streams & {"Workbook", "Book"}
                else "tệp Word cũ (.doc), không phải bảng tính" if "WordDocument" in streams
                else "tệp PowerPoint cũ (.ppt), không phải bảng tính" if "PowerPoint Document" in streams
                else "tệp Excel cũ (.xls), hoặc tệp được bảo vệ bằng mật khẩu, hoặc tệp Office cũ khác")
        return InputError("NOT_A_WORKBOOK", where, f"{what}. Nếu tệp có mật khẩu: mở bằng Excel, gỡ mật khẩu. "
                          + _RESAVE)
    if data.startswith(b"PK\x03\x04"):  # a zip's first part, but the directory at its end is gone
        return InputError("UNREADABLE_FILE", where, "tệp Excel bị cắt cụt (thiếu phần cuối của tệp nén): tệp chưa "
                          "tải về hoặc chép hết, hoặc bị hỏng. Lấy lại bản đầy đủ từ người gửi rồi chạy lại.")
    what = ("tệp PDF" if data.startswith(b"%PDF") else "tệp rỗng" if not data else _text_kind(data[:4096])
            or "không phải tệp Excel .xlsx (có thể bị hỏng hoặc đổi đuôi)")
    fix = ("Đổi đuôi tệp thành .csv (hoặc mở bằng Excel, lưu lại dạng .xlsx) rồi chạy lại." if "(CSV)" in what
           else _RESAVE)
    return InputError("NOT_A_WORKBOOK", where, f"{what}. {fix}")


def _text_kind(head: bytes) -> str | None:
    """What a text file named .xlsx is: an Excel web page, an XML spreadsheet, or a CSV."""
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the end of the sample
            return None
        text = head[:exc.start].decode("utf-8-sig")
    low = text.lstrip().lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in low or "excel.sheet" in low:
        return "không phải tệp Excel .xlsx mà là «XML Spreadsheet 2003» bị đổi đuôi"
    if low.startswith(("<html", "<!doctype html", "<table", "<?xml")):
        return "không phải tệp Excel .xlsx mà là trang web (HTML/XML) bị đặt đuôi Excel"
    if any(sep in text for sep in ",;\t"):
        return "không phải tệp Excel .xlsx mà là tệp văn bản (CSV) bị đặt đuôi Excel"
    return None


def zip_without_workbook(names: list[str]) -> str | None:
    """What a zip holding no workbook is (a .docx is a zip too, and calamine's error on it says nothing useful)."""
    if any(n.startswith("xl/") for n in names):
        return None
    return ("tệp Word (.docx) bị đổi đuôi, không phải bảng tính" if any(n.startswith("word/") for n in names)
            else "tệp PowerPoint (.pptx) bị đổi đuôi, không phải bảng tính" if any(n.startswith("ppt/") for n in names)
            else "tệp OpenDocument (LibreOffice) bị đổi đuôi" if "mimetype" in names
            else "tệp nén (.zip) không chứa bảng tính Excel")


def wrong_zip(name: str, what: str) -> InputError:
    return InputError("NOT_A_WORKBOOK", Location(file=name), f"{what}. {_RESAVE}")


def ole_streams(data: bytes, max_sectors: int = 64) -> set[str]:
    """Names in an OLE compound file's directory; empty when the header or the directory is not sound."""
    if len(data) < 512:
        return set()
    shift, = struct.unpack_from("<H", data, 30)
    if shift not in (9, 12):
        return set()
    size = 1 << shift
    n_fat, first_dir = struct.unpack_from("<II", data, 44)
    difat = struct.unpack_from("<109I", data, 76)

    def sector(n: int) -> bytes:
        start = (n + 1) * size  # the header takes the first sector's room
        return data[start:start + size]

    fat: list[int] = []
    for s in difat[:min(n_fat, 109)]:
        chunk = sector(s) if s < _END else b""
        if len(chunk) == size:
            fat.extend(struct.unpack(f"<{size // 4}I", chunk))
    names: set[str] = set()
    seen: set[int] = set()
    s = first_dir
    while s < _END and s not in seen and len(seen) < max_sectors:
        seen.add(s)
        chunk = sector(s)
        for i in range(0, len(chunk) - 127, 128):
            length, = struct.unpack_from("<H", chunk, i + 64)
            if 2 <= length <= 64 and length % 2 == 0:
                names.add(chunk[i:i + length - 2].decode("utf-16-le", "replace"))
        s = fat[s] if s < len(fat) else _END
    return names
