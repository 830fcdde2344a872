"""Generates the consolidated sheet: one row per unit, one column per indicator, optional score columns."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from ..atomic import via_memory, write_atomic, write_bytes_atomic
from ..criteria import Criteria
from ..criteria.models import RatioLinear, RatioTiers
from ..errors import one_of
from . import layout as L
from .generate import refuse_target, text_cell

_HEAD = Font(name="Times New Roman", bold=True, size=11)
_FILL = PatternFill("solid", fgColor="E8EEF7")


def consolidated_columns(criteria: Criteria, subject: str | None) -> list[tuple[str, str]]:
    """(column id, Vietnamese meaning) in order: unit columns, indicators, ty_le:, tu_cham:, tham_dinh:, ly_do:."""
    subjects = [subject] if subject else criteria.subjects
    used = set().union(*(criteria.used_indicators[s] for s in subjects))
    used |= criteria.override_indicators
    cols = [("ma_don_vi", "Mã đơn vị"), ("ten_don_vi", "Tên đơn vị"),
            ("doi_tuong", f"Đối tượng: {one_of(criteria.subjects)}"), ("nam", "Năm đánh giá")]
    cols += [(i.id, i.label) for i in criteria.file.indicators if i.id in used]
    numerators = sorted({c.rule.numerator for s in subjects for c in criteria.nodes[s].values()
                         if isinstance(c.rule, (RatioLinear, RatioTiers))})
    cols += [(f"{L.PCT_PREFIX}{n}", f"Tỷ lệ (%) nêu trong báo cáo cho {n} (chỉ để đối chiếu)") for n in numerators]
    leaves: dict[str, str] = {}  # id → title, the first subject's title for an id shared by several
    for s in subjects:
        for cid, node in criteria.nodes[s].items():
            if node.is_leaf:
                leaves.setdefault(cid, node.title)
    for prefix, what in ((L.SELF_PREFIX, "Điểm tự chấm"), (L.APPRAISED_PREFIX, "Điểm thẩm định"),
                         (L.REASON_PREFIX, "Lý do thẩm định")):
        cols += [(f"{prefix}{cid}", f"{what} tiêu chí {cid}: {title}") for cid, title in leaves.items()]
    return cols


def write_consolidated_template(path: Path, criteria: Criteria, year: int, subject: str | None) -> Path:
    """A .csv `path`: the header line only; any other: an .xlsx workbook (generate.template_out_problem refuses
    other suffixes first). Raises TemplateError, writing nothing, when `path` is a folder, device, FIFO or socket."""
    refuse_target(path)
    columns = consolidated_columns(criteria, subject)
    if path.suffix.lower() == ".csv":
        return write_bytes_atomic(path, ("\ufeff" + ",".join(c for c, _ in columns) + "\n").encode("utf-8"))
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Tổng hợp"
    for n, (col, meaning) in enumerate(columns, start=1):
        cell = text_cell(ws, 1, n, col)
        cell.font, cell.fill, cell.alignment = _HEAD, _FILL, Alignment(wrap_text=True, vertical="top")
        cell.comment = Comment(meaning, "qd274")
        ws.column_dimensions[L.col_letter(n)].width = max(12, min(28, len(col) + 2))
    ws.freeze_panes = "C2"
    notes = wb.create_sheet("Chú thích")
    # the meanings quote the criteria file's labels and titles: text, never a formula (append() would make one)
    rows = [("Cột", "Ý nghĩa"), *columns, ("", ""), ("Ghi chú", f"Một dòng một đơn vị, năm {year}. Để trống ô không "
            "có số liệu. Có/Không, số nguyên ≥ 0, ngày dd/mm/yyyy. Không đổi tên cột ở dòng 1.")]
    for r, pair in enumerate(rows, start=1):
        for c, text in enumerate(pair, start=1):
            if text:
                text_cell(notes, r, c, text)
    notes.column_dimensions["A"].width = 34
    notes.column_dimensions["B"].width = 100

    return write_atomic(path, via_memory(wb.save))  # a full disk leaves no open zip behind (scoring.atomic)
