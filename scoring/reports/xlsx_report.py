"""The summary workbook ket_qua_cham_diem.xlsx: summary with live formulas (and cached values), detail per
subject, self/computed/appraised comparison, problems, the flat trace, and the manifest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..criteria import Criterion
from ..criteria.models import SOURCE_STATUS_VI
from ..criteria.validate import walk
from ..errors import SEVERITY_VI
from ..forms.layout import col_letter
from ..numbers import format_vi
from ..pipeline import Run
from ..trace import LEAF, LEVEL_VI, STATUS_VI, kind_vi, params_doc, sentence_pass
from .writer import TRACE
from .xlsx_stream import GRADE_STYLE, WRAP, Formula, Sheet, Styled, Workbook

SHORT_NAMES = {"huyen": "Huyện", "xa": "Xã, thị trấn", "co_quan": "Cơ quan"}  # sheet names (31 chars max)
# The trace sheet is for reading units in Excel; the full trace is truy_vet.json. The limit keeps every unit
# of any province's run (the largest, Hà Nội before 2025: ~640 units, ~30,000 records); a national sheet
# (~490,000 records) is cut, since no one reads it in Excel, and each 10,000 rows cost ~0.13 s to write.
TRACE_SHEET_LIMIT = 50_000


def _sheet_title(text: str) -> str:
    for ch in "[]:*?/\\":
        text = text.replace(ch, " ")
    return text[:31]


def write_xlsx(run: Run, target: Path) -> Path:
    wb = Workbook()
    details = _detail_layout(run)
    wb.add(Sheet("Tổng hợp", *_summary(run, details)))
    for subject, (title, _rows, _cols, leaves) in details.items():
        wb.add(Sheet(title, [6, 10, 28] + [8] * len(leaves), ["Hạng", "Mã", "Đơn vị", *[n.id for n in leaves]],
                     _detail_rows(run, subject, leaves)))
    wb.add(Sheet("Đối chiếu", [10, 26, 9, 50, 9, 11, 10, 9, 12, 16, 40],
                 ["Mã đơn vị", "Đơn vị", "Mã tiêu chí", "Tiêu chí", "Tự chấm", "Theo số liệu", "Thẩm định",
                  "Kết quả", "Tự chấm − kết quả", "Tình trạng", "Lý do thẩm định"], _comparison(run)))
    wb.add(Sheet("Kiểm tra", [9, 24, 10, 30, 12, 6, 24, 90],
                 ["Mức", "Mã lỗi", "Đơn vị", "Tệp", "Sheet", "Ô", "Trường", "Nội dung"], _problems(run)))
    wb.add(Sheet("Truy vết", [10, 24, 9, 7, 14, 50, 40, 30, 70, 8, 8],
                 ["Mã đơn vị", "Đơn vị", "Mã tiêu chí", "Cấp", "Quy tắc", "Số liệu đọc (ô nguồn)",
                  "Tham số (như trong tệp tiêu chí)", "Căn cứ", "Diễn giải", "Điểm", "Tối đa"], _trace(run)))
    wb.add(Sheet("Thông tin", [28, 100], ["Mục", "Giá trị"], _manifest(run), filter=False))
    # A large workbook is compressed lightly: level 1 costs a third of the time of level 6 for ~15 % more bytes.
    level = 6 if sum(len(v) for v in run.ranked.values()) <= 2_000 else 1
    return write_atomic(target, lambda tmp: wb.save(tmp, compresslevel=level))


def _detail_layout(run: Run) -> dict[str, tuple[str, dict[str, int], dict[str, int], list[Criterion]]]:
    """Per subject: (sheet title, unit → row, leaf → column, leaves in order)."""
    out = {}
    for subject in run.criteria.subjects:
        rows = run.ranked.get(subject)
        if not rows:
            continue
        scheme = run.criteria.scheme(subject)
        leaves = [n for n, _, _ in walk(scheme.criteria, "") if n.is_leaf]
        cols = {node.id: k for k, node in enumerate(leaves, start=4)}
        unit_rows = {res.unit.unit_id: r for r, res in enumerate(rows, start=2)}
        out[subject] = (_sheet_title(SHORT_NAMES.get(subject, scheme.name)), unit_rows, cols, leaves)
    return out


def _detail_rows(run: Run, subject: str, leaves: list[Criterion]) -> Iterator[list[Any]]:
    for res in run.ranked[subject]:
        yield [res.rank, res.unit.unit_id, res.unit.unit_name, *[res.record(n.id).points for n in leaves]]


def _leaf_span(group: Criterion, cols: dict[str, int]) -> tuple[int, int]:
    ids = [n.id for n, _, _ in walk((group,), "") if n.is_leaf]
    return min(cols[i] for i in ids), max(cols[i] for i in ids)


def _summary(run: Run, details: dict[str, tuple[str, dict[str, int], dict[str, int], list[Criterion]]]
             ) -> tuple[list[int], list[str], Iterator[list[Any]]]:
    base_ids: list[str] = []
    for s in run.criteria.subjects:
        for g in run.criteria.scheme(s).criteria:
            if g.group == "base" and g.id not in base_ids:
                base_ids.append(g.id)
    heads = ["Đối tượng", "Hạng", "Mã", "Đơn vị", *base_ids, "Điểm cơ bản", "Điểm thưởng", "Điểm trừ", "Tổng điểm",
             "Xếp loại"]
    widths = [22, 6, 10, 30] + [8] * len(base_ids) + [11, 11, 10, 11, 15]
    lo, hi = run.criteria.file.score_range.min, run.criteria.file.score_range.max
    first_total = 5 + len(base_ids)
    letter = {k: col_letter(first_total + k) for k in range(4)}

    def rows() -> Iterator[list[Any]]:
        r = 1
        for subject, (sheet, unit_rows, cols, _leaves) in details.items():
            scheme = run.criteria.scheme(subject)
            # Per group: its role, its column here, and its leaves' column letters on the detail sheet (the
            # same for every unit; only the row numbers change).
            plan = []
            for g in scheme.criteria:
                a, b = _leaf_span(g, cols)
                col = 5 + base_ids.index(g.id) if g.group == "base" else 0
                plan.append((g, col, col_letter(col) if col else "", f"'{sheet}'!{col_letter(a)}",
                             f":{col_letter(b)}"))
            for res in run.ranked[subject]:
                r += 1
                dr = unit_rows[res.unit.unit_id]
                row: list[Any] = [scheme.name, res.rank, res.unit.unit_id, res.unit.unit_name]
                row += [None] * (len(heads) - 4)
                group_refs = []
                for g, col, letter_here, start, end in plan:  # live formulas over the detail sheet, with values
                    span = f"{start}{dr}{end}{dr}"
                    if g.group == "base":
                        row[col - 1] = Formula(f"SUM({span})", res.record(g.id).points)
                        group_refs.append(f"{letter_here}{r}")
                    elif g.group == "bonus":
                        row[first_total] = Formula(f"MIN({g.max},SUM({span}))", res.bonus)
                    else:
                        row[first_total + 1] = Formula(f"MIN({g.max},SUM({span}))", res.deduction)
                row[first_total - 1] = Formula(f"SUM({','.join(group_refs)})", res.base)
                b_ref, c_ref, d_ref = (f"{letter[k]}{r}" for k in (0, 1, 2))
                row[first_total + 2] = Formula(f"MAX({lo},MIN({hi},{b_ref}+{c_ref}-{d_ref}))", res.total)
                row[first_total + 3] = Styled(res.grade_name, GRADE_STYLE.get(res.grade_id, 0))
                yield row

    return widths, heads, rows()


def _comparison(run: Run) -> Iterator[list[Any]]:
    for res in run.results:
        for rec in res.records:
            if rec.level != LEAF or (rec.self_score is None and rec.appraised is None):
                continue
            diff = rec.self_score - rec.points if rec.self_score is not None else None
            yield [res.unit.unit_id, res.unit.unit_name, rec.criterion_id, rec.title, rec.self_score, rec.computed,
                   rec.appraised, rec.points, diff, STATUS_VI.get(rec.status, rec.status), rec.reason]


def _problems(run: Run) -> Iterator[list[Any]]:
    for p in run.problems:
        loc = p.location
        yield [SEVERITY_VI.get(p.severity, p.severity), p.code, p.unit_id, loc.file, loc.sheet, loc.cell, loc.field,
               Styled(p.message, WRAP)]


def _params_text(params: Any, made: dict[Any, str]) -> str:
    """A rule's parameters as JSON text, dumped once per parameters object (every unit shares its rule's, and
    every total of a plan the plan's score range)."""
    if params is None:
        return ""
    text = made.get(id(params))  # the run holds the parameters: ids are stable
    if text is None:
        text = made[id(params)] = json.dumps(params_doc(params), ensure_ascii=False)
    return text


def _trace(run: Run) -> Iterator[list[Any]]:
    with sentence_pass():
        yield from _trace_rows(run)


def _trace_rows(run: Run) -> Iterator[list[Any]]:
    n = 0
    params: dict[Any, str] = {}
    for res in run.results:
        uid, name, readings = res.unit.unit_id, res.unit.unit_name, res.unit.values
        for rec in res.records:
            if n >= TRACE_SHEET_LIMIT:
                total = sum(len(r.records) for r in run.results)
                yield ["", "", "", "", "", f"… còn {format_vi(total - n)} dòng truy vết: xem đủ trong {TRACE}"]
                return
            n += 1
            reads = "; ".join([f"{i.indicator} = {_show(i.value)}" + (f" [{i.origin}]" if i.origin else "")
                               for i in rec.inputs(readings)])
            yield [uid, name, rec.criterion_id, LEVEL_VI.get(rec.level, rec.level),
                   kind_vi(rec.kind), reads, _params_text(rec.params, params),
                   rec.citation, rec.sentence, rec.points, rec.max]


def _show(value: Any) -> str:
    if value is None:
        return "trống"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if hasattr(value, "strftime"):
        return str(value.strftime("%d/%m/%Y"))
    return str(value)


def _manifest(run: Run) -> Iterator[list[Any]]:
    m = run.manifest()
    rows: list[tuple[str, Any]] = [
        ("Lưu ý", run.criteria.file.notice if run.criteria.status != "official" else ""),
        ("Chương trình", f"{m['engine']['name']} {m['engine']['version']}"),
        ("Bộ tiêu chí", f"{m['criteria']['file']} ({m['criteria']['id']}, phiên bản {m['criteria']['version']}, "
                        f"tình trạng {SOURCE_STATUS_VI.get(m['criteria']['status'], m['criteria']['status'])})"),
        ("SHA-256 bộ tiêu chí", m["criteria"]["sha256"]),
        ("Quyết định", m["criteria"]["decision"]), ("Năm đánh giá", m["year"]),
        ("Danh sách đơn vị", m["registry"]), ("Thời điểm chạy", m["generated_at"])]
    rows += [(f"Tệp đầu vào: {f['file']}", f"SHA-256 {f['sha256']} · {f['bytes']} byte · {f['kind']}")
             for f in m["inputs"]]
    for k, v in rows:
        yield [k, "" if v is None else str(v)]
