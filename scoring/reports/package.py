"""Makes an Office package (xlsx, docx: a zip of XML parts) byte-reproducible, and fills formula caches.

openpyxl and python-docx stamp every zip entry with the current time, and openpyxl writes formulas without
their cached results; a reader that does not recalculate (or an auditor diffing two runs) sees neither.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

FIXED_TIME = (2017, 5, 26, 0, 0, 0)  # the decision's date: no run time inside the package
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def normalize_package(path: Path, cached: dict[str, dict[str, str]] | None = None) -> None:
    """Rewrite `path` in place: fixed entry times, stable order, and `<v>` caches for the given formula cells.

    `cached` maps a part name (xl/worksheets/sheet1.xml) to {cell ref: value text}.
    """
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info.filename)) for info in z.infolist()]
    out = path.with_name(path.name + ".norm")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if cached and info.filename in cached:
                data = _fill_cache(data, cached[info.filename])
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the save time
                data = _STAMP.sub(rb"\g<1>2017-05-26T00:00:00Z\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            z.writestr(fixed, data)
    out.replace(path)


def _fill_cache(xml: bytes, values: dict[str, str]) -> bytes:
    def repl(m: re.Match[bytes]) -> bytes:
        ref = m.group(1).decode()
        if ref not in values:
            return m.group(0)
        return m.group(0)[: -len(b"</c>")].replace(b"<v></v>", b"").replace(b"<v/>", b"") + \
            b"<v>" + values[ref].encode() + b"</v></c>"

    return re.sub(rb'<c r="([A-Z]+[0-9]+)"[^>]*>\s*<f>[^<]*</f>\s*(?:<v\s*/>|<v></v>)?\s*</c>', repl, xml)
