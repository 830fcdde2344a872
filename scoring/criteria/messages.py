"""Vietnamese words for what pydantic and json say about a criteria file, with what was expected and found."""

from __future__ import annotations

import json
from typing import Any

from .models import RULE_KINDS

_PATTERNS = {  # models.py's patterns, as a person reads them
    r"^(0[1-9]|[12][0-9]|3[01])/(0[1-9]|1[0-2])$": "cần ngày/tháng dạng dd/mm, ví dụ 31/01",
    r"^[a-z][a-z0-9_]*$": "cần mã viết thường không dấu (chữ a-z, số, dấu _; bắt đầu bằng chữ)",
    r"^[A-Z]+(\.[0-9a-z]+)*$": "cần mã tiêu chí dạng I, I.1, II.3.a",
    r"\S": "không được để trống (chỉ có khoảng trắng)",
}
_FIXED = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép (gõ nhầm tên trường?)",
    "union_tag_invalid": "loại quy tắc không có; các loại hợp lệ: " + ", ".join(RULE_KINDS),
    "union_tag_not_found": "thiếu 'kind' (loại quy tắc); các loại hợp lệ: " + ", ".join(RULE_KINDS),
    "string_type": "cần chữ, đặt trong dấu nháy kép",
    "int_type": "cần một số nguyên (không đặt trong dấu nháy)",
    "int_parsing": "cần một số nguyên (không đặt trong dấu nháy)",
    "int_from_float": "cần một số nguyên, không có phần thập phân",
    "bool_type": "cần true hoặc false (không đặt trong dấu nháy)",
    "bool_parsing": "cần true hoặc false (không đặt trong dấu nháy)",
    "date_type": "cần ngày dạng YYYY-MM-DD trong dấu nháy, ví dụ \"2023-12-31\"",
    "date_parsing": "cần ngày dạng YYYY-MM-DD trong dấu nháy, ví dụ \"2023-12-31\"",
    "date_from_datetime_parsing": "cần ngày có thật, dạng YYYY-MM-DD, ví dụ \"2023-12-31\"",
    "date_from_datetime_inexact": "cần ngày dạng YYYY-MM-DD, không kèm giờ",
    "dict_type": "cần một đối tượng { … }",
    "model_type": "cần một đối tượng { … }",
    "model_attributes_type": "cần một đối tượng { … }",
    "list_type": "cần một danh sách [ … ]",
    "tuple_type": "cần một danh sách [ … ]",
    "string_too_short": "không được để trống",
}


def pydantic_message(err: Any) -> str:
    """One pydantic error in Vietnamese: what is expected, then what the file holds (never an English sentence)."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in _FIXED:
        said = _FIXED[kind]
    elif kind == "literal_error":
        said = f"giá trị không thuộc danh sách cho phép: cần {str(ctx.get('expected', '')).replace(' or ', ' hoặc ')}"
    elif kind == "string_pattern_mismatch":
        said = _PATTERNS.get(str(ctx.get("pattern")), "sai định dạng")
    elif kind in _BOUNDS:
        key, sign = _BOUNDS[kind]
        said = f"cần số {sign} {ctx.get(key)}"
    elif kind in ("too_short", "too_long"):
        said = (f"cần ít nhất {ctx.get('min_length')} phần tử" if kind == "too_short"
                else f"nhiều nhất {ctx.get('max_length')} phần tử")
    elif kind == "value_error":
        said = str(ctx.get("error") or err["msg"]).removeprefix("Value error, ")
    else:
        said = f"giá trị không hợp lệ ({err['msg']})"
    if kind in ("missing", "extra_forbidden", "union_tag_not_found") or "input" not in err:
        return said
    return f"{said}; tệp ghi {_shown(err['input'])}"


_BOUNDS = {"greater_than_equal": ("ge", "≥"), "greater_than": ("gt", ">"), "less_than_equal": ("le", "≤"),
           "less_than": ("lt", "<")}


def _shown(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}… ({len(text)} ký tự)"


_JSON_WORDS = {
    "Expecting property name enclosed in double quotes": "cần tên trường trong dấu nháy kép (thừa dấu phẩy trước "
                                                         "} hoặc dùng nháy đơn?)",
    "Expecting ',' delimiter": "thiếu dấu phẩy giữa hai phần tử",
    "Expecting ':' delimiter": "thiếu dấu hai chấm sau tên trường",
    "Expecting value": "thiếu giá trị (thừa dấu phẩy, hoặc chữ không đặt trong dấu nháy?)",
    "Extra data": "thừa nội dung sau khi JSON đã đóng",
    "Unterminated string starting at": "chuỗi chưa đóng dấu nháy kép",
    "Invalid control character at": "ký tự điều khiển (xuống dòng, tab) nằm trong chuỗi: viết \\n hoặc \\t",
    "Invalid \\escape": "dấu \\ không hợp lệ trong chuỗi (viết \\\\ cho một dấu \\)",
}


def decode_message(raw: bytes, exc: Exception) -> str:
    """Why the bytes are no JSON text: not UTF-8 (say how to save it), cut off, or a syntax error where it is."""
    if isinstance(exc, UnicodeDecodeError):
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            return ("tệp lưu dạng UTF-16 («Unicode» của Notepad cũ), không phải UTF-8: mở tệp rồi lưu lại dạng UTF-8 "
                    "(Save As › Encoding: UTF-8)")
        return (f"tệp không ở dạng UTF-8 (byte lạ ở vị trí {exc.start}; có thể lưu bằng bảng mã Windows-1258/TCVN3): "
                "mở tệp rồi lưu lại dạng UTF-8 (Save As › Encoding: UTF-8)")
    assert isinstance(exc, json.JSONDecodeError)
    rest = exc.doc[exc.pos:]
    if (not rest.strip() and exc.msg != "Extra data") or (exc.msg.startswith("Unterminated string")
                                                          and '"' not in rest[1:]):
        return (f"tệp có vẻ bị cắt cụt: hết tệp ở dòng {exc.lineno} khi JSON chưa đóng hết các ngoặc. Lấy lại bản đầy "
                "đủ (bản sao lưu, hoặc tệp gốc)")
    said = next((vi for en, vi in _JSON_WORDS.items() if exc.msg.startswith(en)), exc.msg)
    return f"không phải JSON hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: {said}"
