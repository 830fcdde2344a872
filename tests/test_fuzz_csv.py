"""Fuzzing the consolidated CSV reader: any bytes either parse into units or give InputErrors, never another
exception; and the same through read_inputs on a folder holding that one file.

Two generators: raw bytes (encodings, NUL, broken UTF-8, stray quotes), and CSV text shaped like a real
consolidated sheet (known columns, Vietnamese numbers, dates, Có/Không, invisible characters, huge and
exponent numbers) so that the examples reach the cell parsers, not only the decoder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import InputError
from scoring.forms import layout as L
from scoring.readers.consolidated import read_consolidated, read_csv_rows
from scoring.readers.raw import RawUnit
from tests.inputs_helpers import criteria, read

NAME = "tong_hop.csv"


def _columns() -> list[str]:
    c = criteria()
    ids = sorted(c.indicators)
    crit = sorted({cid for nodes in c.nodes.values() for cid in nodes})
    return [*L.UNIT_COLUMNS, *ids, *(f"{p}{cid}" for p in (L.SELF_PREFIX, L.APPRAISED_PREFIX, L.REASON_PREFIX,
                                                             L.EVIDENCE_PREFIX) for cid in crit[:6]),
            *(f"{L.PCT_PREFIX}{i}" for i in ids[:4]), "tu_cham:Z.9", "cot_la", "MA_DON_VI", "\ufeffnam"]


COLUMNS = _columns()
CELLS = st.one_of(
    st.sampled_from(["", " ", "0", "12", "-3", "1.234", "92,5", "1.234,5", "12,0", "1e999999999", "9" * 40, "NaN",
                     "inf", "Có", "Co\u0301", "không", "x", "14/01/2023", "31/02/2023", "2023-01-14", "Tốt",
                     "T\u00f4\u0301t", "X01", "H01", "xa", "huyen", "co_quan", "tinh", "2023", "\u200f2023\u200e",
                     '"', '""', "a\nb", "\x07", "\u202e", "1\u00a0234", "0,25 %"]),
    st.integers(-10**20, 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=30),
)
ROWS = st.lists(st.lists(CELLS, max_size=12), max_size=8)


def _csv(header: list[str], rows: list[list[str]], delimiter: str, quote_all: bool, bom: bool) -> bytes:
    def field(v: str) -> str:
        needs = quote_all or any(ch in v for ch in (delimiter, '"', "\n", "\r"))
        return '"' + v.replace('"', '""') + '"' if needs else v

    lines = [delimiter.join(field(v) for v in row) for row in [header, *rows]]
    return (b"\xef\xbb\xbf" if bom else b"") + "\r\n".join(lines).encode("utf-8", "surrogatepass")


HEADER = st.builds(lambda unit, rest, at: [*rest[:at], unit, *rest[at:]],
                   st.sampled_from(["ma_don_vi", "ten_don_vi", "Ma_Don_Vi ", "tên_đơn_vị"]),
                   st.lists(st.sampled_from(COLUMNS), max_size=10), st.integers(0, 3))
SHAPED = st.builds(_csv, HEADER, ROWS, st.sampled_from([",", ";", "\t"]), st.booleans(), st.booleans())
ANY_BYTES = st.one_of(st.binary(max_size=600), SHAPED, SHAPED.map(lambda b: b[: len(b) // 2]),
                      SHAPED.map(lambda b: b.replace(b",", b"\xff", 1)))


def _check_problems(problems: list[Any]) -> None:
    assert all(isinstance(p, InputError) for p in problems)
    assert all(p.location.file == NAME for p in problems)
    assert all(len(p.message) < 1000 for p in problems)  # a bounded sentence, whatever the cell held


def _read_like_the_folder(data: bytes) -> tuple[list[RawUnit], list[InputError]]:
    """What folder.py does with a .csv: rows, then the consolidated reader with the real criteria."""
    rows, problems = read_csv_rows(data, NAME)
    if rows is None:
        assert problems, "an unreadable CSV must say why"
        return [], problems
    units, more = read_consolidated(rows, NAME, None, criteria())
    return units, problems + more


@settings(max_examples=300, deadline=None)
@given(ANY_BYTES)
def test_any_bytes_parse_or_give_input_errors(data: bytes) -> None:
    units, problems = _read_like_the_folder(data)
    _check_problems(problems)
    assert all(isinstance(u, RawUnit) and u.source == NAME for u in units)
    for unit in units:  # what was read is typed: the evaluator can trust it
        for reading in unit.values.values():
            assert reading.value is not None and reading.origin is not None


@settings(max_examples=100, deadline=None)
@given(ANY_BYTES)
def test_any_bytes_through_read_inputs(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / NAME).write_bytes(data)
        result = read(folder)
        _check_problems(result.problems)
        assert [(f.name, f.size) for f in result.files] == [(NAME, len(data))]
        assert sorted(p.name for p in folder.iterdir()) == [NAME]  # nothing written beside it
        assert (folder / NAME).read_bytes() == data
