"""Text in workbooks as Excel and LibreOffice read it: _xHHHH_ escapes in strings, percent signs in number formats."""

from __future__ import annotations

import re

# ECMA-376 (ST_Xstring) escapes a character in a string as _xHHHH_, four hex digits; LibreOffice also decodes one
# to three digits ("_xa_" is a line break) and writes the character back raw, so «so_xa_dat_cqtt» comes back as
# «so\ndat_cqtt» after one open and save in LibreOffice, and stays so.
_ESCAPE = re.compile("_x([0-9A-Fa-f]{1,4})_")
_NEEDS_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{1,4}_)")  # a lookahead: "_x0041_x0042_" shares an underscore


def decoded(text: str) -> str:
    """`text` as LibreOffice reads it from a workbook (Excel: the four-digit escapes only)."""
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)


def literal(text: str) -> str:
    """`text` as a workbook string that Excel and LibreOffice read back as `text`: each underscore that would
    start an escape is itself escaped, "_x005F_"."""
    return _NEEDS_ESCAPE.sub("_x005F_", text) if "_x" in text else text


# In a number format, text in quotes and a character after a backslash are shown as written: 0"%" and 0\%
# show a percent sign without multiplying by 100; so does anything in brackets ([Red], [$-42A]).
_LITERAL_IN_FORMAT = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
PERCENT_BUILTIN_IDS = frozenset({9, 10})  # 0% and 0.00%: Excel's built-in percent formats, never written out


def is_percent(number_format: str | None) -> bool:
    """Whether Excel shows a cell with this format multiplied by 100 (a % outside quotes and escapes)."""
    return "%" in _LITERAL_IN_FORMAT.sub("", number_format or "")
