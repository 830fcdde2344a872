"""Makes an Office package (xlsx, docx: a zip of XML parts) byte-reproducible.

openpyxl and python-docx stamp every zip entry, and the document's "modified" property, with the save time;
an auditor diffing two runs on the same inputs would see those and nothing else.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

FIXED_TIME = (2017, 5, 26, 0, 0, 0)  # the decision's date: no run time inside the package
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def normalize_package(path: Path) -> None:
    """Rewrite `path` in place: fixed entry times and a fixed "modified" property."""
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info.filename)) for info in z.infolist()]
    # Written back over `path` (a writer's temp file already): a second name would be one more file to
    # leave behind if the run is killed here.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the save time
                data = _STAMP.sub(rb"\g<1>2017-05-26T00:00:00Z\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            z.writestr(fixed, data)
