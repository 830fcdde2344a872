"""Checks a workbook package before any parser opens it: sizes declared and real, DTDs, sheet extents.

python-calamine trusts the package it is given: it inflates whole parts, and lays a sheet out as a dense
grid from A1 to the highest cell reference it finds. One cell at XFD1048576 in a 1 KB file makes it ask
for 512 GB and abort the whole process (a Rust allocation failure is not an exception Python can catch).
So every part is inflated here first, in bounded chunks, counting the real bytes (declared sizes can lie)
and checking the CRC; each part's extent is measured from its cell references, following calamine's rules
for rows and cells written without one. Only then is the file handed to calamine, and only the sheets
within the limits are loaded (see Book). Nothing here parses XML: byte counts and regular expressions,
which expand no entity; a DTD is refused outright (Excel never writes one).

check_workbook is the one gate every workbook passes before a parser opens it, an input as the registry.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError, Location
from ..names import INVISIBLE
from ..numbers import format_vi
from .limits import (
    MAX_FILE_BYTES,
    MAX_PARTS,
    MAX_RATIO,
    MAX_SHEET_CELLS,
    MAX_UNPACKED_BYTES,
    MIB,
    RATIO_FLOOR_BYTES,
    TABLE_MAX_ROWS,
)
from .sniff import not_a_workbook, wrong_zip, zip_without_workbook

_CHUNK = 4 * MIB  # compressed bytes read at a time, and inflated bytes produced at a time
_DTD = (b"<!DOCTYPE", b"<!ENTITY")
# What Excel, LibreOffice, openpyxl and XlsxWriter all write: <row r="12"> and <c r="B12" ...>, r first.
# A chunk with no other row or cell start tag (prefixed, r missing or not first, r twice: calamine takes
# the last) is measured with one regular expression; any other chunk is walked tag by tag.
_NOT_FIRST_R = (rb'<(?:[A-Za-z_][\w.\-]*:(?:c|row)(?=[\s/>])|c(?=[\s/>])(?! r="[A-Z]{1,3}[0-9]{1,7}"[\s/>])'
                rb'|row(?=[\s/>])(?! r="[0-9]{1,7}"[\s/>])')
_ODD_TAG = re.compile(_NOT_FIRST_R + rb'|(?:c|row) r="[^"]*"[^>]*?\sr\s*=)')
_NOT_CANONICAL = re.compile(_NOT_FIRST_R + rb')')
# A small sheet, all in one chunk, whose every row and cell has its reference and no reference (whatever
# its syntax, first or repeated) reaches row 10,000 or column AAA lies within A1:ZZ9999, inside every
# limit: no need to measure it further. (The common case, checked with two searches instead of a walk.)
SMALL_ROWS, SMALL_COLS = 9_999, 702  # a test keeps these within FORM_MAX_ROWS and MAX_SHEET_CELLS
_BIG_REF = re.compile(rb"""r(?<=\sr)\s*=\s*["']\s*(?:[A-Za-z]{3}|[A-Za-z]{0,2}\s*0*[1-9][0-9]{4})""")
_FAST_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(["'])\s*([A-Za-z]*)\s*([0-9]*)\s*\1""")
_HUGE = 10**9  # any row or column index beyond every limit


class Refused(Exception):
    """The package cannot be read safely; carries the problem to report."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Extent:
    """How calamine will lay a sheet out: rows and columns from A1 to the last cell (empty cells included)."""

    rows: int = 0
    cols: int = 0
    complete: bool = True  # False: measuring stopped once beyond every limit; rows and cols are lower bounds

    @property
    def cells(self) -> int:
        return self.rows * self.cols


@dataclass
class Package:
    """What the check learnt: each part's extent (any part may be a sheet), and whether there are macros."""

    names: list[str] = field(default_factory=list)
    extents: dict[str, Extent] = field(default_factory=dict)
    unpacked: int = 0
    # The bytes of every part up to one chunk, already inflated and checked here: the workbook's facts and
    # the formula scan read them instead of opening and inflating the zip a second time.
    small: dict[str, bytes] = field(default_factory=dict)

    @property
    def vba(self) -> bool:
        return any(n.lower().endswith("vbaproject.bin") for n in self.names)

    @property
    def largest(self) -> Extent:
        """An extent no sheet of the workbook exceeds, in rows nor in cells: an upper bound only (its rows may be
        one sheet's and its columns another's), never a sheet to report."""
        return Extent(max((e.rows for e in self.extents.values()), default=0),
                      max((e.cols for e in self.extents.values()), default=0),
                      all(e.complete for e in self.extents.values()))

    def extent(self, part: str | None) -> Extent:
        """The extent of a sheet's part; the largest of any part when the sheet's part is not known."""
        if part is not None and part in self.extents:
            return self.extents[part]
        return self.largest


def sheet_problem(extent: Extent, max_rows: int, where: Location, kind: str) -> InputError | None:
    """TOO_MANY_ROWS / TOO_MANY_CELLS when a sheet is beyond the limits for its kind (form or table)."""
    if extent.rows > max_rows:
        rows = format_vi(extent.rows) if extent.complete and extent.rows < _HUGE else f"hơn {format_vi(max_rows)}"
        return InputError("TOO_MANY_ROWS", where, f"sheet có {rows} dòng (tính đến ô cuối cùng có dữ liệu hoặc "
                          f"định dạng), vượt giới hạn {format_vi(max_rows)} dòng của {kind}. Xóa các dòng thừa ở cuối "
                          "sheet (chọn các dòng, Delete Row) hoặc tách bảng thành nhiều tệp, rồi chạy lại.")
    if extent.cells > MAX_SHEET_CELLS:
        cols = format_vi(extent.cols) if extent.cols < _HUGE else "hơn 16.384"
        return InputError("TOO_MANY_CELLS", where, f"sheet trải từ ô A1 đến dòng {format_vi(extent.rows)}, cột "
                          f"thứ {cols}: quá {format_vi(MAX_SHEET_CELLS)} ô. Xóa các cột và dòng thừa (ô ở xa có dữ "
                          "liệu hoặc định dạng) rồi chạy lại.")
    return None


def check_workbook(path: Path, name: str, *, data: bytes | None = None, kind: str | None = None
                   ) -> Package | InputError:
    """The check before any parser opens a workbook: the file's size, what a file that is not a zip really is
    (all its bytes: an OLE directory can sit anywhere), the package (inspect_package), what a zip holding no
    workbook is. Returns the package, to hand to open_book, or the problem to report; OSError is the caller's.

    `data`: the file's bytes, when the caller holds them already. `kind`: what the whole workbook is, when that
    is known before it is opened (the registry, read whole): messages name it, and its sheets are held to the
    table limits here; without it (an input, form or table) the reader judges each sheet as it reads it."""
    where = Location(file=name)
    what = kind or "tệp"
    if problem := size_problem(len(data) if data is not None else path.stat().st_size, where, what):
        return problem
    with _stream(path, data) as fh:
        is_zip = zipfile.is_zipfile(fh)
    if not is_zip:
        return not_a_workbook(name, data if data is not None else path.read_bytes())
    try:
        package = inspect_package(path, data)
    except Refused as refused:
        return InputError(refused.code, where, f"{refused}. Không đọc {what} này; lấy lại tệp gốc (hoặc mở bằng "
                          "Excel, lưu lại dạng .xlsx) rồi chạy lại.")
    if other := zip_without_workbook(package.names):  # a .docx is a zip too: say what it is, not calamine's words
        return wrong_zip(name, other)
    if kind is not None:  # each part on its own: `largest` pairs one sheet's rows with another's columns
        for extent in package.extents.values():
            if problem := sheet_problem(extent, TABLE_MAX_ROWS, where, kind):
                return problem
    return package


def size_problem(size: int, where: Location, what: str) -> InputError | None:
    """FILE_TOO_LARGE for a file beyond MAX_FILE_BYTES on disk (never read into memory)."""
    if size <= MAX_FILE_BYTES:
        return None
    return InputError("FILE_TOO_LARGE", where, f"{what} nặng {format_vi(size // MIB)} MB, quá giới hạn "
                      f"{format_vi(MAX_FILE_BYTES // MIB)} MB cho một tệp: không đọc. Kiểm tra có đúng tệp không.")


def inspect_package(path: Path, data: bytes | None = None) -> Package:
    """Check the zip of a workbook; raises Refused with the reason when it must not be opened. `data`: the
    file's bytes when the caller holds them already (checked from memory, not read from disk again)."""
    try:
        with _stream(path, data) as fh, zipfile.ZipFile(fh) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise Refused("UNREADABLE_FILE", f"tệp nén bị hỏng ({_short(exc)})") from exc
    if len(infos) > MAX_PARTS:
        raise Refused("ZIP_TOO_LARGE", f"tệp nén có {len(infos)} phần, quá {MAX_PARTS}: không phải bảng tính "
                      "bình thường")
    declared = sum(i.file_size for i in infos)
    if declared > MAX_UNPACKED_BYTES:
        raise Refused("ZIP_TOO_LARGE", f"giải nén ra {_mb(declared)}, quá giới hạn {_mb(MAX_UNPACKED_BYTES)} cho "
                      "một tệp (tệp quá lớn hoặc là «bom nén»)")
    for info in infos:
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise Refused("ZIP_TOO_LARGE", f"phần {_part(info)} nén {format_vi(ratio)} lần, quá tỷ lệ "
                          f"{MAX_RATIO} lần của bảng tính thật (dấu hiệu «bom nén»)")
        if info.flag_bits & 0x1:
            raise Refused("PASSWORD_PROTECTED", "tệp nén có phần được đặt mật khẩu")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused("UNREADABLE_FILE", f"phần {_part(info)} nén bằng phương pháp không chuẩn "
                          f"(mã {info.compress_type}), không phải do Excel lưu")
    package = Package([i.filename for i in infos])
    with _stream(path, data) as fh:
        for info in sorted(infos, key=lambda i: i.header_offset):
            scan, edge = _Extents(), b""
            for data in _inflate(fh, info, package):
                if (b"<!" in data or b"<!" in edge + data[:16]) and any(  # edge: a marker cut across two chunks
                        m in data or m in edge + data[:16] for m in _DTD):
                    raise Refused("UNSAFE_XML", f"phần {_part(info)} khai báo DOCTYPE/ENTITY, điều Excel "
                                  "không bao giờ ghi (dấu hiệu tệp độc hại: XXE, «billion laughs»)")
                edge = data[-16:]
                scan.feed(data)
            if not scan.streaming and info.filename not in package.small:
                package.small[info.filename] = b"".join(scan.pending)
            extent, previous = scan.finish(), package.extents.get(info.filename)
            if previous is not None:  # the same name twice in one zip: whichever a reader picks, bound both
                extent = Extent(max(extent.rows, previous.rows), max(extent.cols, previous.cols),
                                extent.complete and previous.complete)
            package.extents[info.filename] = extent
    return package


def _stream(path: Path, data: bytes | None) -> BinaryIO:
    if data is None:
        return path.open("rb")
    stream = io.BytesIO(data)
    stream.name = str(path)  # as a file opened from disk is named (messages, tests that spy on reads)
    return stream


def _inflate(fh: BinaryIO, info: zipfile.ZipInfo, package: Package) -> Iterator[bytes]:
    """The part's real bytes, a bounded chunk at a time; refuses as soon as they exceed what was declared."""
    fh.seek(info.header_offset)
    header = fh.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise Refused("UNREADABLE_FILE", f"tệp nén bị hỏng ở phần {_part(info)}")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left, size, crc = info.compress_size, 0, 0
    while left > 0 or (inflater is not None and inflater.unconsumed_tail):
        if inflater is not None and inflater.unconsumed_tail:
            raw = inflater.unconsumed_tail
        else:
            raw = fh.read(min(_CHUNK, left))
            if not raw:
                raise Refused("UNREADABLE_FILE", f"tệp bị cắt cụt ở phần {_part(info)}")
            left -= len(raw)
        try:
            data = raw if inflater is None else inflater.decompress(raw, _CHUNK)
        except zlib.error as exc:
            raise Refused("UNREADABLE_FILE", f"dữ liệu nén của phần {_part(info)} bị hỏng") from exc
        size += len(data)
        package.unpacked += len(data)
        if size > info.file_size:
            raise Refused("ZIP_TOO_LARGE", f"phần {_part(info)} giải nén ra nhiều hơn kích thước khai báo "
                          f"({_mb(info.file_size)}): tệp hỏng hoặc cố ý gây tràn bộ nhớ")
        if package.unpacked > MAX_UNPACKED_BYTES:
            raise Refused("ZIP_TOO_LARGE", f"giải nén ra hơn {_mb(MAX_UNPACKED_BYTES)}, quá giới hạn cho một tệp")
        crc = zlib.crc32(data, crc)
        if data:
            yield data
        if inflater is not None and inflater.eof:
            break
    if inflater is not None and not inflater.eof and not inflater.unconsumed_tail:
        data = inflater.flush()  # at most zlib's window: everything it still holds once all input is in
        size += len(data)
        crc = zlib.crc32(data, crc)
        if data:
            yield data
    if (inflater is not None and not inflater.eof) or size != info.file_size or crc != info.CRC:
        raise Refused("UNREADABLE_FILE", f"phần {_part(info)} bị hỏng (sai kích thước hoặc mã kiểm tra)")


class _Extents:
    """The extent of one part, from its sheetData on (where calamine reads cells): an upper bound of what
    calamine will lay out. A part up to one chunk is judged whole; a bigger one is measured as it streams
    in, and no longer once beyond every limit."""

    def __init__(self) -> None:
        self.pending: list[bytes] = []
        self.size = 0
        self.streaming = False
        self.tail = b""
        self.active = False  # sheetData seen
        self.max_row = self.max_col = 0
        self.row, self.col = 1, 0  # calamine's position (1-based here) for rows and cells without r
        self.done = False  # beyond every limit: what follows is not measured
        self.skipped = False  # something followed

    def feed(self, data: bytes) -> None:
        if not self.streaming:
            self.pending.append(data)
            self.size += len(data)
            if self.size <= _CHUNK:
                return
            self.streaming, data, self.pending = True, b"".join(self.pending), []
        self._stream(data)

    def finish(self) -> Extent:
        if not self.streaming:
            whole = b"".join(self.pending)
            at = whole.find(b"sheetData")
            if at < 0:
                return Extent()
            seg = whole[at:]
            if _NOT_CANONICAL.search(seg) is None and _BIG_REF.search(seg) is None:
                return Extent(SMALL_ROWS, SMALL_COLS) if b"<c " in seg else Extent()
            self._stream(whole)
        if self.active and not self.done and self.tail:
            self._measure(self.tail + b">")
        return Extent(self.max_row, self.max_col, not self.skipped)

    def _stream(self, data: bytes) -> None:
        if self.done:
            self.skipped = True
            return
        buf = self.tail + data
        if not self.active:
            at = buf.find(b"sheetData")
            if at < 0:
                self.tail = buf[-16:]
                return
            self.active, buf = True, buf[at:]
        lt, gt = buf.rfind(b"<"), buf.rfind(b">")
        cut = len(buf) if gt > lt else lt  # never measure a tag cut in two
        self._measure(buf[:cut])
        self.tail = buf[cut:]
        if self.max_row > TABLE_MAX_ROWS or self.max_row * self.max_col > MAX_SHEET_CELLS:
            self.done = True

    def _measure(self, seg: bytes) -> None:
        if _ODD_TAG.search(seg) is None:  # every cell and row carries its own reference, first and once
            refs = _FAST_REF.findall(seg)
            if refs:
                letters = max(set(map(itemgetter(0), refs)), key=lambda s: (len(s), s))
                self.max_col = max(self.max_col, _col(letters))
                self.max_row = max(self.max_row, max(map(int, map(itemgetter(1), refs))))
            # where calamine stands after this chunk, should a walked chunk follow (never below it)
            last = seg.rfind(b'<row r="')
            if last >= 0:
                digits = seg[last + 8:seg.index(b'"', last + 8)]
                self.row = max(self.row, int(digits) + 1)
            self.col = max(self.col, self.max_col)
            return
        self._walk(seg)

    def _walk(self, seg: bytes) -> None:
        """Tag by tag, as calamine positions cells: <row r> sets the row and </row> moves to the next; a cell
        without r sits after the previous cell of its row; of two r in one tag, the larger is taken; a
        self-closing cell or row counts as opened and closed (an over-estimate should a calamine version
        skip them, never an under-estimate). test_hostile_inputs checks this against calamine itself."""
        for m in _TAG.finditer(seg):
            closing, kind, attrs = m.groups()
            if kind == b"row":
                rows = [_num(d) for _, _, d in _R_ATTR.findall(attrs) if d]
                if closing:
                    self.row, self.col = self.row + 1, 0
                elif attrs.rstrip().endswith(b"/"):  # <row/>: opened and closed at once
                    self.row, self.col = max(self.row + 1, max(rows, default=0) + 1), 0
                elif rows:
                    self.row, self.col = max(*rows, 1), 0
                continue
            if closing:
                continue
            found = _R_ATTR.findall(attrs)
            cols = [_col(letters) for _, letters, _ in found if letters]
            rows = [_num(digits) for _, _, digits in found if digits]
            self.col = max(cols) if cols else self.col + 1
            row = max(rows) if rows else self.row
            self.max_row, self.max_col = max(self.max_row, row), max(self.max_col, self.col)


def _num(digits: bytes) -> int:
    return int(digits) if len(digits) <= 9 else _HUGE


def _col(letters: bytes) -> int:
    """A → 1, XFD → 16384; beyond four letters, beyond every limit."""
    if len(letters) > 4:
        return _HUGE
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _part(info: zipfile.ZipInfo) -> str:
    """A part's name as a message quotes it: a hostile zip may name a part with direction marks."""
    return f"«{INVISIBLE.sub('', info.filename)[:80]}»"


def _mb(size: int) -> str:
    return f"{format_vi(-(-size // MIB))} MB" if size >= MIB else f"{format_vi(size)} byte"


def _short(exc: BaseException) -> str:
    return str(exc)[:120] or type(exc).__name__
