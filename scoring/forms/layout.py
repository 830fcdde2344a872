"""The layout shared by the form generator and the form reader: sheet names, column keys and headers.

Readers find columns by their header text, not by position, so a user who moves a column does not break
the form; the hidden sheet names the criteria the form was made from.
"""

from __future__ import annotations

FORMAT = "qd274.form/1"

GUIDE = "Hướng dẫn"
INFO = "Thông tin"
DATA = "Số liệu"
SCORES = "Chấm điểm"
META = "_qd274"  # very hidden: criteria id, status, version, SHA-256, subject, year, unit

HEADER_ROW = 3  # rows 1-2: title and note; row 3: headers; data from row 4
FIRST_ROW = 4

# (key, header text, width) in the order they are written
INFO_COLUMNS = (("key", "Mã mục", 14), ("label", "Mục", 34), ("value", "Nội dung", 48))
DATA_COLUMNS = (("id", "Mã chỉ tiêu", 26), ("label", "Chỉ tiêu", 60), ("type", "Kiểu", 14),
                ("value", "Giá trị", 16), ("evidence", "Tài liệu kiểm chứng (số, ngày văn bản)", 36),
                ("stated_pct", "Tỷ lệ nêu trong báo cáo (%)", 16))
SCORE_COLUMNS = (("id", "Mã tiêu chí", 11), ("title", "Tiêu chí", 62), ("max", "Điểm tối đa", 10),
                 ("self", "Điểm tự chấm", 11), ("evidence", "Tài liệu kiểm chứng", 30),
                 ("appraised", "Điểm thẩm định", 11), ("reason", "Lý do thẩm định", 30))

# The «Chấm điểm» sheet's last row: a formula over the groups, no criterion id (readers skip it by this label).
TOTAL_LABEL = "Tổng điểm (cơ bản + thưởng − trừ, trong khoảng 0–100)"

INFO_FIELDS = (("ma_don_vi", "Mã đơn vị"), ("ten_don_vi", "Tên đơn vị"), ("doi_tuong", "Đối tượng"),
               ("nam", "Năm đánh giá"), ("nguoi_lien_he", "Người lập biểu"), ("dien_thoai", "Điện thoại"),
               ("ghi_chu", "Ghi chú"))

TYPE_VI = {"bool": "Có/Không", "int": "Số nguyên", "date": "Ngày (dd/mm/yyyy)", "choice": "Chọn"}

# Consolidated sheet: fixed columns, then indicator ids, then prefixed columns per criterion or ratio.
UNIT_COLUMNS = ("ma_don_vi", "ten_don_vi", "doi_tuong", "nam")
SELF_PREFIX, APPRAISED_PREFIX, REASON_PREFIX, EVIDENCE_PREFIX, PCT_PREFIX = (
    "tu_cham:", "tham_dinh:", "ly_do:", "minh_chung:", "ty_le:")

def _letters(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


LETTERS = tuple(_letters(n) for n in range(1, 703))  # A … ZZ, looked up on every row written or read


def col_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    return LETTERS[index - 1] if 0 < index <= len(LETTERS) else _letters(index)
