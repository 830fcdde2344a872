"""Characters no criteria text may hold: each would break an output (XML) or the terminal later."""

from __future__ import annotations

import re

# XML 1.0 (xlsx, docx) refuses the C0 controls but tab, line feed and carriage return, lone surrogates and
# U+FFFE/U+FFFF: openpyxl raises IllegalCharacterError, lxml XMLSyntaxError, long after the file was loaded.
# DEL and the C1 controls are XML-legal but reach the terminal raw (ESC sequences, \x9b is a one-byte CSI).
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def bad_character(text: str) -> str | None:
    """The first forbidden character of `text`, written \\xNN / \\uNNNN, or None when there is none."""
    found = _BAD.search(text)
    if found is None:
        return None
    code = ord(found[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def bad_character_message(shown: str) -> str:
    """The problem's text, the same for the JSON file and its Excel copy."""
    return (f"chứa ký tự điều khiển {shown} (thường do dán từ phần mềm khác; Excel hiện nó thành «_x000B_»…): tệp "
            "Excel, Word và báo cáo không ghi được ký tự này. Xóa nó (gõ lại đoạn chữ đó)")
