"""Ids (indicator, criterion) as spreadsheet programs give them back: LibreOffice decodes "_xa_" inside text."""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from ..ooxml_text import decoded


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
