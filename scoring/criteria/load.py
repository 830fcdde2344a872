"""Loads a criteria file strictly and collects every problem, with its JSON path, into one CriteriaError."""

from __future__ import annotations

import hashlib
import json
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scoring.errors import CriteriaError, CriteriaProblem

from .messages import decode_message, pydantic_message
from .models import (
    RULE_KINDS,
    CriteriaFile,
    Criterion,
    Indicator,
    IndicatorCondition,
    Scheme,
    out_of_range,
    out_of_range_message,
)
from .text import bad_character, bad_character_message
from .validate import check, walk

DEFAULT_CRITERIA = Path(__file__).resolve().parents[2] / "criteria" / "274_qd_ubnd.json"

@dataclass(frozen=True)
class Criteria:
    """A validated criteria file with its identity (path, SHA-256) and lookups the engine needs."""

    file: CriteriaFile
    path: str
    sha256: str
    indicators: dict[str, Indicator] = field(default_factory=dict)
    raw: bytes = field(default=b"", repr=False, compare=False)  # the bytes validated (the Excel export reads them)

    @property
    def status(self) -> str:
        return self.file.status

    @property
    def subjects(self) -> list[str]:
        return list(self.file.schemes)

    def scheme(self, subject: str) -> Scheme:
        return self.file.schemes[subject]

    @cached_property
    def nodes(self) -> dict[str, dict[str, Criterion]]:
        """Per subject, every criterion by id (groups, parents and leaves)."""
        return {s: {c.id: c for c, _, _ in walk(sch.criteria, "")} for s, sch in self.file.schemes.items()}

    @cached_property
    def grade_names(self) -> dict[str, str]:
        """Grade id → name, the ungraded one included."""
        return dict(self.file.grade_order())

    @cached_property
    def override_indicators(self) -> frozenset[str]:
        """The indicators the overriding conditions read (whatever the subject)."""
        return frozenset(c.indicator for o in self.file.overrides for c in o.when
                         if isinstance(c, IndicatorCondition))

    @cached_property
    def used_indicators(self) -> dict[str, frozenset[str]]:
        """Per subject, the indicators its rules read."""
        from .validate import rule_inputs

        out = {}
        for s, nodes in self.nodes.items():
            out[s] = frozenset(i for c in nodes.values() if c.rule for _, i in rule_inputs(c.rule))
        return out


def load_criteria(path: str | Path | None = None) -> Criteria:
    """Read, parse and fully check a criteria file; raise CriteriaError listing every problem."""
    p = Path(path) if path is not None else DEFAULT_CRITERIA
    return parse_criteria(read_raw(p), str(p))


# The shipped file is ~120 KB; a criteria file eighty times larger is no criteria file. Parsing costs ~12× the
# file's size in memory and ~0.3 s per MB (a 10 MB array of numbers: 122 MB, 3 s; 95 MB: 690 MB, 23 s).
MAX_CRITERIA_BYTES = 10 * 1024 * 1024


def read_raw(path: Path) -> bytes:
    """The criteria file's bytes; FILE_UNREADABLE when it cannot be read, is not a regular file (a FIFO would
    block for ever, /dev/zero never end) or is far larger than any criteria file."""
    def refused(why: str) -> CriteriaError:
        return CriteriaError(str(path), [CriteriaProblem("FILE_UNREADABLE", "", why)])

    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise refused("không phải tệp thường (là thư mục, FIFO hoặc thiết bị): --tieu-chi cần tệp bộ tiêu chí "
                          ".json, ví dụ criteria/274_qd_ubnd.json")
        if info.st_size > MAX_CRITERIA_BYTES:
            raise refused(f"tệp nặng {info.st_size // (1024 * 1024)} MB, quá {MAX_CRITERIA_BYTES // (1024 * 1024)} MB: "
                          "không phải bộ tiêu chí (bộ kèm theo chỉ khoảng 100 KB). Kiểm tra có đúng tệp không")
        return path.read_bytes()
    except OSError as exc:
        raise refused(f"không đọc được tệp: {exc}") from exc


# The shipped file nests 12 levels (criteria three deep, a rule's tiers); a hundred leaves room for any real
# file and stays far below the recursion limits of json, pydantic and the reports that walk the tree.
MAX_DEPTH = 100
_INT_DIGITS = 18  # a longer integer literal is beyond the bounds anyway (models.out_of_range)
_MAX_LISTED = 20  # a file with thousands of bad numbers: the first ones say enough
_TOO_DEEP = (f"các dấu ngoặc [ ] {{ }} lồng nhau quá {MAX_DEPTH} cấp, trong khi bộ tiêu chí chỉ lồng khoảng 12 cấp: "
             "tệp bị hỏng hoặc không phải bộ tiêu chí. Kiểm tra các dấu ngoặc (hoặc lấy lại tệp gốc)")


def _parse_int(text: str) -> int | Decimal:
    # int() refuses a literal beyond 4,300 digits with a ValueError that json.loads lets through: a literal that
    # long is out of range whatever it says, so it is kept as a Decimal for the range check to name it.
    return int(text) if len(text) <= _INT_DIGITS else Decimal(text)


class _Duplicated(dict[str, Any]):
    """An object in which a key is written more than once: json keeps the last value in silence, so a criterion
    edited by hand twice would score by whichever copy is further down. Marked here, named by _hostile."""

    __slots__ = ("keys_twice",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.keys_twice = [k for k, n in Counter(k for k, _ in pairs).items() if n > 1]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # The plain dict json itself would build; the slow path only for the rare object with a key twice.
    obj = dict(pairs)
    return obj if len(obj) == len(pairs) else _Duplicated(pairs)


def decode(raw: bytes, name: str) -> Any:
    """The file as JSON (UTF-8 with or without a BOM, numbers as Decimal); INVALID_JSON otherwise, TOO_DEEP for
    absurd nesting, NOT_A_NUMBER / NUMBER_OUT_OF_RANGE for a number no criteria file can mean, DUPLICATE_KEY for
    a key written twice in one object."""
    try:
        # NaN and Infinity (which json accepts) come back as Decimal so that the check below names them
        data = json.loads(raw.decode("utf-8-sig"), parse_float=Decimal, parse_int=_parse_int,
                          parse_constant=Decimal, object_pairs_hook=_object)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CriteriaError(name, [CriteriaProblem("INVALID_JSON", "", decode_message(raw, exc))]) from exc
    except RecursionError:  # json's own guard against nesting deeper than the interpreter's stack allows
        raise CriteriaError(name, [CriteriaProblem("TOO_DEEP", "", _TOO_DEEP)]) from None
    problems = _hostile(data)
    if problems:
        raise CriteriaError(name, problems)
    return data


def _hostile(data: Any) -> list[CriteriaProblem]:
    """Nesting and numbers that would break the checks after it (recursion, Decimal overflow, a minutes-long
    int()), found before any of them runs; keys written twice (_Duplicated). Iterative: the document may be as
    deep as json could parse. Lazy: each container is walked by an iterator and a path is spelled only for a
    container or a problem (a path string and a tuple per value cost 10 GB for a 95 MB array of numbers)."""
    problems: list[CriteriaProblem] = []
    stack: list[tuple[Iterator[tuple[Any, Any]], str, int, Callable[[str, Any], str]]] = [
        (iter((("", data),)), "", 1, _root_path)]
    while stack:
        children, parent, depth, join = stack[-1]
        item = next(children, None)
        if item is None:
            stack.pop()
            continue
        key, node = item
        if isinstance(node, (dict, list)):
            path = join(parent, key)
            if depth > MAX_DEPTH:
                problems.append(CriteriaProblem("TOO_DEEP", path, _TOO_DEEP))
                continue
            if isinstance(node, _Duplicated):
                problems += [CriteriaProblem("DUPLICATE_KEY", f"{path}.{k}" if path else k,
                                             f"khóa «{k}» được ghi hơn một lần trong cùng một đối tượng: JSON chỉ "
                                             "giữ giá trị ghi sau cùng, bỏ các giá trị trước mà không báo. Xóa các "
                                             "chỗ thừa, chỉ giữ một giá trị đúng") for k in node.keys_twice]
            if isinstance(node, dict):
                problems += (bad_keys := _bad_keys(node, path))
                # a path quoted in a message must print safely
                stack.append((iter(node.items()), path, depth + 1, _printable_key_path if bad_keys else _key_path))
            else:
                stack.append((enumerate(node), path, depth + 1, _index_path))
        elif isinstance(node, str) and (bad := bad_character(node)):
            problems.append(CriteriaProblem("CONTROL_CHARACTER", join(parent, key), bad_character_message(bad)))
        elif isinstance(node, Decimal) and not node.is_finite():
            problems.append(CriteriaProblem("NOT_A_NUMBER", join(parent, key),
                                            f"{node} không phải là số; ghi một số cụ thể"))
        elif isinstance(node, (int, Decimal)) and not isinstance(node, bool) and out_of_range(node):
            problems.append(CriteriaProblem("NUMBER_OUT_OF_RANGE", join(parent, key),
                                            out_of_range_message(f"số {_shown(node)}", "số này")))
    if len(problems) > _MAX_LISTED:
        rest = len(problems) - _MAX_LISTED
        problems = [*problems[:_MAX_LISTED],
                    CriteriaProblem(problems[_MAX_LISTED].code, "", f"và {rest} chỗ khác có lỗi cùng loại")]
    return problems


def _root_path(parent: str, key: Any) -> str:
    return ""


def _key_path(parent: str, key: Any) -> str:
    return f"{parent}.{key}" if parent else str(key)


def _printable_key_path(parent: str, key: Any) -> str:
    return _key_path(parent, printable_key(key))


def _index_path(parent: str, key: Any) -> str:
    return f"{parent}[{key}]"


def _bad_keys(node: dict[str, Any], path: str) -> list[CriteriaProblem]:
    """A key is text that reaches the outputs too (a choice's value in a rule's points)."""
    return [CriteriaProblem("CONTROL_CHARACTER", f"{path}.{printable_key(k)}" if path else printable_key(k),
                            bad_character_message(bad)) for k in node if (bad := bad_character(k))]


def printable_key(key: str) -> str:
    """A key as a path shows it: its forbidden characters escaped, so the message itself prints safely."""
    return "".join(bad_character(ch) or ch for ch in key) if bad_character(key) else key


def _shown(number: int | Decimal) -> str:
    """A number as the message quotes it: a 5,000-digit literal is cut, with its length."""
    text = str(number)
    return text if len(text) <= 30 else f"{text[:12]}… ({len(text)} ký tự)"


def parse_criteria(raw: bytes, name: str = "<criteria>") -> Criteria:
    data = decode(raw, name)
    try:
        cf = CriteriaFile.model_validate(data)
    except ValidationError as exc:
        raise CriteriaError(name, [_from_pydantic(e) for e in exc.errors()]) from None
    problems = check(cf)
    if problems:
        raise CriteriaError(name, problems)
    return Criteria(cf, name, hashlib.sha256(raw).hexdigest(), {i.id: i for i in cf.indicators}, raw)


def _from_pydantic(err: Any) -> CriteriaProblem:
    loc = list(err["loc"])
    path = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
        elif i > 0 and loc[i - 1] == "rule" and part in RULE_KINDS:
            continue  # the discriminated union's tag: not part of the file's path
        elif part in ("IndicatorCondition", "NoDataCondition") or "[" in str(part):
            continue  # union member names are not part of the file's path either
        else:
            path += ("." if path else "") + str(part)
    code = "SCHEMA"
    if err["type"] == "missing" and loc and loc[-1] == "source":
        code = "MISSING_SOURCE"
    message = pydantic_message(err)
    if code == "MISSING_SOURCE":
        message = "tiêu chí thiếu 'source' (phụ lục, mục, tình trạng, ghi chú nguồn)"
    return CriteriaProblem(code, path, message)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the criteria file (written to criteria/schema.json)."""
    schema = CriteriaFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "qd274 criteria file"
    return schema


SCHEMA_PATH = DEFAULT_CRITERIA.with_name("schema.json")


def schema_text() -> str:
    """The JSON Schema as written to criteria/schema.json (stable key order, trailing newline)."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    """Regenerate criteria/schema.json (`make schema`); a test fails while it is stale."""
    path.write_text(schema_text(), encoding="utf-8")
    return path
