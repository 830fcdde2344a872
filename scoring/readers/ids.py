"""Ids (indicator, criterion) as spreadsheet programs give them back: LibreOffice decodes "_xa_" inside text."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

# ECMA-376 escapes a character in a string as _xHHHH_ (four hex digits); LibreOffice also decodes one to three
# digits, and writes the character back raw: «so_xa_dat_cqtt» comes back as «so\ndat_cqtt» after one open and
# save, and stays so. Excel decodes four digits only.
_ESCAPE = re.compile("_x([0-9A-Fa-f]{1,4})_")


def decoded(text: str) -> str:
    """`text` as LibreOffice reads it from a workbook."""
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)


@lru_cache(maxsize=8)
def _spellings(ids: frozenset[str]) -> tuple[tuple[str, str], ...]:
    return tuple((d, i) for i in sorted(ids) if (d := decoded(i)) != i)


def restored(text: str, ids: Collection[str]) -> str:
    """`text` with every id of `ids` that a spreadsheet program decoded written back as the id. Only text
    holding a character no id has (a line break, a control character) is looked at: the rare case."""
    if text.isprintable():
        return text
    for spelled, ident in _spellings(frozenset(ids)):
        text = text.replace(spelled, ident)
    return text
