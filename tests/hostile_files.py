"""Builds hostile input files from data, on the fly and bounded: raw xlsx packages written from XML text,
zip bombs, truncated and patched zips, big sheets streamed into a zip, and OLE (CFB) files.

Nothing is a committed binary. Big files are generated in a second or less: a sheet of a million rows is
written row by row into the zip (never held whole), a zip bomb is compressed from a repeated chunk.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from scoring.forms.layout import col_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
# Billion laughs, ten levels deep (10^9 "lol" if expanded), and an external entity (XXE).
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
          + "]>")
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


col = col_letter  # 1 → A, 27 → AA


def cell_xml(ref: str, value: Any, style: int | None = None) -> str:
    s = f' s="{style}"' if style is not None else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def sheet_xml(rows: Iterable[Iterable[Any]], *, styles: Mapping[str, int] = {}, prolog: str = "",
              extra: str = "") -> str:
    """A worksheet part: one <row> per row, inline strings and numbers; `styles`: cell ref → style index."""
    body = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(cell_xml(f"{col(c)}{r}", v, styles.get(f"{col(c)}{r}")) for c, v in enumerate(row, start=1))
        body.append(f'<row r="{r}">{cells}</row>')
    return (f'{XML_DECL}{prolog}<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetData>{"".join(body)}</sheetData>'
            f"{extra}</worksheet>")


# Style 1 is a date (numFmt 14: d/m/yyyy), style 0 General.
STYLES = (f'{XML_DECL}<styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
          '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2">'
          '<xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>')


def raw_workbook(path: Path, sheets: Mapping[str, str], *, date1904: bool = False,
                 parts: Mapping[str, bytes | str] = {}, workbook_prolog: str = "") -> Path:
    """A minimal, valid .xlsx from sheet XML (name → part text), written with zipfile alone."""
    names = list(sheets)
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-'
                        'officedocument.spreadsheetml.worksheet+xml"/>' for n in range(1, len(names) + 1))
    content_types = (f'{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
                     '+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/>'
                     '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                     '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                     'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.'
                     f'openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>')
    root_rels = (f'{XML_DECL}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
                 'Target="xl/workbook.xml"/></Relationships>')
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    listed = "".join(f'<sheet name="{escape(n, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
                     for i, n in enumerate(names, start=1))
    workbook = (f'{XML_DECL}{workbook_prolog}<workbook xmlns="{MAIN}" xmlns:r="{REL}">{pr}<sheets>{listed}</sheets>'
                "</workbook>")
    wb_rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, len(names) + 1))
    wb_rels = (f'{XML_DECL}<Relationships xmlns="{PKG_REL}">{wb_rels}<Relationship Id="rId999" Type="{REL}/styles" '
               'Target="styles.xml"/></Relationships>')
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        z.writestr("xl/styles.xml", STYLES)
        for i, name in enumerate(names, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", sheets[name])
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def table(path: Path, rows: list[list[Any]], sheet: str = "Tổng hợp", **kw: Any) -> Path:
    return raw_workbook(path, {sheet: sheet_xml(rows)}, **kw)


def stream_sheet(path: Path, header: list[str], row: Callable[[int], list[Any]], n_rows: int,
                 sheet: str = "Tổng hợp") -> Path:
    """A workbook whose sheet has a header and `n_rows` rows, streamed into the zip (memory stays flat)."""
    raw_workbook(path, {sheet: sheet_xml([header])})
    big = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, src.read(info))
                continue
            head, tail = src.read(info).decode().split("</sheetData>")
            with out.open(info.filename, "w") as fh:
                fh.write(head.encode())
                chunk: list[str] = []
                for r in range(2, n_rows + 2):
                    cells = "".join(cell_xml(f"{col(c)}{r}", v) for c, v in enumerate(row(r), start=1))
                    chunk.append(f'<row r="{r}">{cells}</row>')
                    if len(chunk) == 20_000:
                        fh.write("".join(chunk).encode())
                        chunk = []
                fh.write("".join(chunk).encode())
                fh.write(f"</sheetData>{tail}".encode())
    big.replace(path)
    return path


def rewrite_part(path: Path, part: str, edit: Callable[[bytes], bytes], out: Path | None = None) -> Path:
    """Copy a zip with one part changed (the others copied as they are)."""
    out = out or path
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, edit(data) if info.filename == part else data)
    tmp.replace(out)
    return out


def add_parts(path: Path, parts: Mapping[str, bytes | str], out: Path | None = None) -> Path:
    out = out or path
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        for name, data in parts.items():
            dst.writestr(name, data)
    tmp.replace(out)
    return out


@cache
def deflated_laughs(size: int, unit: bytes = b"<row><c><v>1</v></c></row>") -> tuple[bytes, int]:
    """A raw deflate stream that inflates to `size` bytes of repeated XML, and its CRC (built once per run)."""
    chunk = unit * (1024 * 1024 // len(unit))
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    out, crc, left = [], 0, size
    while left > 0:
        piece = chunk[:left]
        out.append(comp.compress(piece))
        crc = zlib.crc32(piece, crc)
        left -= len(piece)
    out.append(comp.flush())
    return b"".join(out), crc


def zip_bomb(path: Path, inflated: int, *, declared: int | None = None) -> Path:
    """A small .xlsx whose sheet part really inflates to `inflated` bytes; `declared` makes its headers lie."""
    stream, crc = deflated_laughs(inflated)
    raw_workbook(path, {"Tổng hợp": sheet_xml([["ma_don_vi"]])})
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as src:
        others = [(i.filename, src.read(i)) for i in src.infolist() if i.filename != part]
    _write_with_raw_entry(path, part, stream, crc, inflated if declared is None else declared, others)
    return path


def _write_with_raw_entry(path: Path, part: str, stream: bytes, crc: int, size: int,
                          others: list[tuple[str, bytes]]) -> None:
    """Write a zip whose first entry is `stream` (raw deflate) with the sizes given, then the others."""
    entries = []
    with path.open("wb") as fh:
        name = part.encode()
        entries.append((name, fh.tell(), crc, len(stream), size, 8))
        fh.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(stream), size, len(name), 0))
        fh.write(name + stream)
        for n, data in others:
            comp = zlib.compressobj(6, zlib.DEFLATED, -15)
            body = comp.compress(data) + comp.flush()
            c = zlib.crc32(data)
            nb = n.encode()
            entries.append((nb, fh.tell(), c, len(body), len(data), 8))
            fh.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, c, len(body), len(data), len(nb), 0))
            fh.write(nb + body)
        start = fh.tell()
        for nb, offset, c, csize, usize, method in entries:
            fh.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, c, csize, usize,
                                 len(nb), 0, 0, 0, 0, 0, offset))
            fh.write(nb)
        end = fh.tell()
        fh.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), end - start, start, 0))


def ole_file(path: Path, streams: Mapping[str, bytes]) -> Path:
    """A minimal, valid OLE compound file (CFB v3, 512-byte sectors) holding the given streams.

    Each stream is padded to 4096 bytes, the mini-stream cutoff, so that every stream lives in regular
    sectors (no mini FAT needed). This is the container Excel writes a password-protected .xlsx into
    (streams EncryptionInfo and EncryptedPackage), and the one of an old .xls (stream Workbook)."""
    sector = 512
    names = list(streams)
    data_sectors: list[list[int]] = []
    next_free = 2  # sector 0: FAT, sector 1: directory (4 entries: root + 3 streams)
    assert len(names) <= 3
    for name in names:
        n = max(8, -(-len(streams[name]) // sector))
        data_sectors.append(list(range(next_free, next_free + n)))
        next_free += n
    fat = [0xFFFFFFFF] * (sector // 4)
    fat[0], fat[1] = 0xFFFFFFFD, 0xFFFFFFFE  # FAT sector, end of the directory chain
    for chain in data_sectors:
        for a, b in zip(chain, [*chain[1:], 0xFFFFFFFE], strict=True):
            fat[a] = b
    assert next_free <= len(fat)

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (raw.ljust(64, b"\x00") + struct.pack("<HBB3L", len(raw), kind, 1, left, right, child)
                + b"\x00" * 16 + struct.pack("<L", 0) + b"\x00" * 16 + struct.pack("<LLL", start, size, 0))

    none = 0xFFFFFFFF
    directory = entry("Root Entry", 5, none, none, 1 if names else none, 0xFFFFFFFE, 0)
    for i, name in enumerate(names):  # a degenerate (all-right) sibling tree: valid, if unbalanced
        right = i + 2 if i + 1 < len(names) else none
        directory += entry(name, 2, none, right, none, data_sectors[i][0], len(streams[name]))
    directory = directory.ljust(sector, b"\x00")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<LLLLLLLLL", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<L", 0) + struct.pack("<L", 0xFFFFFFFF) * 108)
    assert len(header) == sector
    body = b"".join(streams[name].ljust(len(chain) * sector, b"\x00") for name, chain in zip(names, data_sectors,
                                                                                             strict=True))
    path.write_bytes(header + struct.pack(f"<{len(fat)}L", *fat) + directory + body)
    return path


def encrypted_xlsx(path: Path) -> Path:
    """What Excel writes for a workbook with a password: an OLE file, agile encryption descriptor inside."""
    info = (b"\x04\x00\x04\x00\x40\x00\x00\x00" + b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption"><keyData saltSize="16" '
            b'blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" '
            b'hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/></encryption>')
    package = struct.pack("<Q", 4096) + bytes(range(256)) * 16
    return ole_file(path, {"EncryptionInfo": info, "EncryptedPackage": package})


def truncate(path: Path, fraction: float) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * fraction)])
    return path


def corrupt_middle(path: Path, part: str) -> Path:
    """Flip bytes inside one part's compressed data; the zip's directory stays intact."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + info.compress_size // 3, start + info.compress_size // 3 + 16):
        data[i] ^= 0xA5
    path.write_bytes(bytes(data))
    return path
