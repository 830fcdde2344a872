#!/usr/bin/env python3
"""Builds the demo input folder inputs/yen_the_2023/: the registry and 25 filled forms of huyện Yên Thế, 2023.

    python scripts/build_demo.py            # (re)writes inputs/yen_the_2023/

What it writes (the folder is regenerated from scratch on every run; do not keep hand edits in it):
- don_vi.csv: the district, its 17 xã and 2 thị trấn, 5 district offices; internal codes YT, YT-X01…,
  YT-CQ01… (official GSO codes are not used: they are not certain); aliases for the seed report's spellings.
- huyen_yen_the.xlsx: the district's own form, filled ONLY with the figures that the real 2023 report of
  UBND huyện Yên Thế gives (../shared/seed/bao-cao-dan-van-chinh-quyen-2023-yen-the.txt), each citing the
  section and quoting the sentence; figures the report does not give are left empty (→ "thiếu số liệu").
  The self-scores are what a district typically claims (illustrative).
- xa/<slug>.xlsx (19) and co_quan/<slug>.xlsx (5): ILLUSTRATIVE figures, marked as such in «Thông tin».
  Where cheap, the illustrative commune figures add up to the district report's totals (197 thôn, tổ dân
  phố; 15/19 đạt chuẩn CQTT; ISO 12 Tốt / 6 Khá / 1 Trung bình; 166 đơn phải giải quyết, 158 đã giải quyết;
  127 mô hình «Dân vận khéo» đăng ký); see the checks in `_check_tables`.

Cases the demo is built to show (illustrative units; see the tables XA and CQ):
- grades spread over Tốt, Khá, Trung bình and Yếu (Xã Đồng Hưu); Xã Đồng Kỳ's base + bonus is clamped to 100;
- self-scores above what the figures give: Đồng Hưu, Đồng Tiến, Hương Vĩ, Tam Hiệp, Tân Hiệp, Phòng TN&MT
  (and the district: II.3.b claimed 3 on the stated 77,73 %, II.7 claimed 3);
- appraisal (columns F, G): Hồng Kỳ (II.1 lowered: Tốt → Khá), Đồng Tiến (whole column, three corrections),
  Xuân Lương (IV.2), Phòng TN&MT (I.1);
- Tam Hiệp leaves two values empty (thiếu số liệu); Hương Vĩ states 98,79 % against its counts;
- Tiến Thắng has so_vu_dong_nguoi = 1 (Tốt by points, Khá by the overriding condition);
- Canh Nậu and Tam Tiến tie (same total by different criteria: shared rank);
- Đồng Tâm's form has no code and its name typed "đồng tâm" in NFD: found by name;
- values typed as text the way people type: "2.605", "1.873", "1.128" (thousands), "có", "98,79", "3,5";
- late submission (D.1): Đồng Hưu, Văn phòng HĐND và UBND huyện.

Deterministic: fixed tables, per-unit random generators seeded from a fixed string (document numbers and
magnitudes only), and a normalising save (fixed zip timestamps and document properties), so two runs give
the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import shutil
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from openpyxl import Workbook

from scoring import Reading, UnitInput, evaluate, load_criteria
from scoring.criteria import Criteria
from scoring.criteria.models import RatioLinear, RatioTiers
from scoring.criteria.validate import rule_inputs
from scoring.forms import layout as L
from scoring.forms.generate import build_form
from scoring.names import fold_accents
from scoring.registry import RegisteredUnit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "inputs" / "yen_the_2023"
YEAR = 2023
SEED = "qd274-yen-the-2023"
FIXED_ZIP_TIME = (2023, 12, 15, 8, 0, 0)  # every zip entry; Excel ignores it, diffs love it
FIXED_MODIFIED = "2023-12-15T08:00:00Z"
ILLUSTRATIVE = "SỐ LIỆU MINH HỌA (không phải số liệu thật của đơn vị)"
DEADLINE = dt.date(2023, 12, 8)  # hạn nộp hồ sơ tự chấm của xã, cơ quan (minh họa)

# ---------------------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------------------

DISTRICT = RegisteredUnit("YT", "Huyện Yên Thế", "huyen")

# (proper name, kind, aliases) in the order of the brief: 17 xã, then the 2 thị trấn.
COMMUNES: list[tuple[str, str, tuple[str, ...]]] = [
    ("An Thượng", "Xã", ()), ("Canh Nậu", "Xã", ()), ("Đông Sơn", "Xã", ()), ("Đồng Hưu", "Xã", ()),
    ("Đồng Kỳ", "Xã", ()), ("Đồng Lạc", "Xã", ("Đông Lạc",)), ("Đồng Tâm", "Xã", ()),
    ("Đồng Tiến", "Xã", ("Đông Tiến",)), ("Đồng Vương", "Xã", ("Đông Vương",)), ("Hồng Kỳ", "Xã", ()),
    ("Hương Vĩ", "Xã", ()), ("Tam Hiệp", "Xã", ()), ("Tam Tiến", "Xã", ()), ("Tân Hiệp", "Xã", ()),
    ("Tân Sỏi", "Xã", ()), ("Tiến Thắng", "Xã", ()), ("Xuân Lương", "Xã", ()),
    ("Phồn Xương", "Thị trấn", ()), ("Bố Hạ", "Thị trấn", ("Bó Hạ", "Bồ Hạ")),
]

# (name, short document suffix)
OFFICES: list[tuple[str, str]] = [
    ("Phòng Nội vụ", "PNV"), ("Phòng Tư pháp", "PTP"), ("Phòng Tài nguyên và Môi trường", "TNMT"),
    ("Phòng Lao động - Thương binh và Xã hội", "LĐTBXH"), ("Văn phòng HĐND và UBND huyện", "VP"),
]


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold_accents(name).lower()).strip("-")


def registry() -> list[RegisteredUnit]:
    units = [DISTRICT]
    for n, (name, kind, aliases) in enumerate(COMMUNES, start=1):
        units.append(RegisteredUnit(f"YT-X{n:02d}", f"{kind} {name}", "xa", aliases))
    for n, (name, _) in enumerate(OFFICES, start=1):
        units.append(RegisteredUnit(f"YT-CQ{n:02d}", name, "co_quan"))
    return units


def write_registry(units: list[RegisteredUnit], path: Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["ma_don_vi", "ten_don_vi", "doi_tuong", "ten_khac"])
    for u in units:
        w.writerow([u.code, u.name, u.subject, ";".join(u.aliases)])
    # UTF-8 with a BOM: Excel on Windows then shows the Vietnamese names correctly; the reader accepts both.
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))


# ---------------------------------------------------------------------------------------------------------
# Filling a form
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Filled:
    """What goes into one form. Values are typed (int, bool, date, choice); `text` overrides how a value
    is typed into its cell (the way people type: "1.234", "có")."""

    values: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)  # Số liệu, column E
    stated: dict[str, Any] = field(default_factory=dict)  # Số liệu, column F (ratio numerators only)
    text: dict[str, str] = field(default_factory=dict)
    selfs: dict[str, Any] = field(default_factory=dict)  # Chấm điểm, column D (leaf criteria only)
    self_evidence: dict[str, str] = field(default_factory=dict)  # column E
    appraised: dict[str, tuple[Any, str]] = field(default_factory=dict)  # columns F, G
    info: dict[str, Any] = field(default_factory=dict)  # Thông tin, column C (key → value)


def _rows_by_key(ws: Any) -> dict[str, int]:
    out = {}
    for r in range(L.FIRST_ROW, ws.max_row + 1):
        key = ws.cell(r, 1).value
        if isinstance(key, str) and key:
            out[key] = r
    return out


def _cell_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "Có" if value else "Không"  # what the form's drop-down list writes
    if isinstance(value, Decimal):
        return float(value)
    return value


def fill(wb: Workbook, criteria: Criteria, subject: str, f: Filled) -> None:
    info, data, scores = wb[L.INFO], wb[L.DATA], wb[L.SCORES]
    rows = _rows_by_key(info)
    for key, value in f.info.items():
        info.cell(rows[key], 3).value = value
    rows = _rows_by_key(data)
    for ind, value in f.values.items():
        if ind not in rows:
            raise SystemExit(f"build_demo: chỉ tiêu {ind} không có trong biểu {subject}")
        r = rows[ind]
        data.cell(r, 4).value = f.text.get(ind, _cell_value(value))
    for ind, text in f.evidence.items():
        data.cell(rows[ind], 5).value = text
    numerators = {c.rule.numerator for c in criteria.nodes[subject].values()
                  if c.rule is not None and hasattr(c.rule, "numerator")}
    for ind, pct in f.stated.items():
        assert ind in numerators, ind
        data.cell(rows[ind], 6).value = _cell_value(pct)
    rows = _rows_by_key(scores)
    nodes = criteria.nodes[subject]
    for cid in set(f.selfs) | set(f.self_evidence) | set(f.appraised):
        assert nodes[cid].is_leaf, f"{cid} là dòng nhóm (công thức): không ghi đè"
    for cid, pts in f.selfs.items():
        scores.cell(rows[cid], 4).value = _cell_value(pts)
    for cid, text in f.self_evidence.items():
        scores.cell(rows[cid], 5).value = text
    for cid, (pts, reason) in f.appraised.items():
        scores.cell(rows[cid], 6).value = _cell_value(pts)
        scores.cell(rows[cid], 7).value = reason or None


def save(wb: Workbook, path: Path) -> None:
    """Save with fixed zip timestamps and document dates: the same content gives the same bytes."""
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + FIXED_MODIFIED.encode() + rb"\g<2>", data)
            info = zipfile.ZipInfo(item.filename, FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zout.writestr(info, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


def computed_scores(criteria: Criteria, subject: str, values: dict[str, Any]) -> dict[str, Decimal]:
    """What the rules give from the figures, per leaf (judgement criteria excluded): a unit that
    self-scores by the book types exactly these."""
    unit = UnitInput("_", "_", subject, YEAR, {k: Reading(v) for k, v in values.items() if v is not None})
    result = evaluate(criteria, unit)
    return {r.criterion_id: r.computed for r in result.leaves() if r.computed is not None}


def fmt_date(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


# ---------------------------------------------------------------------------------------------------------
# The district: the real 2023 report's figures only
# ---------------------------------------------------------------------------------------------------------

REPORT = "Báo cáo 2023 của UBND huyện Yên Thế"

# indicator → (value, section of the report, quoted sentence, stated percentage or None)
DISTRICT_FIGURES: dict[str, tuple[Any, str, str, float | None]] = {
    "co_hoi_nghi_quan_triet": (True, "mục II", "tổ chức triển khai thực hiện các nghị quyết, chỉ thị, kết luận "
                               "của Đảng, pháp luật của Nhà nước về công tác dân vận qua các hội nghị", None),
    "co_dang_tai_cong_ttdt": (True, "mục II", "về công tác dân vận qua các hội nghị, Công thông tin điện tử, "
                              "các chương trình phát thanh, truyền hình", None),
    "co_tuyen_truyen_truyen_thanh": (True, "mục II", "các chương trình phát thanh, truyền hình của Trung tâm "
                                     "Văn hóa - Thông tin & TT", None),
    "co_chuong_trinh_phoi_hop": (True, "mục III.1.1", "Phối hợp với Ban Dân vận Huyện ủy tổ chức thực hiện "
                                 "Chương trình số 02/CTr-UBND-BDVHU ngày 28/02/2022", None),
    "so_ho_so_truc_tuyen": (1495, "mục III.1.3", "Tổng số hồ sơ tiếp nhận và giải quyết trực tuyến tại cấp "
                            "huyện⁽²⁰⁾ là 1.495/4.812 hồ sơ đạt 77,73 %", 77.73),
    "so_ho_so_tiep_nhan": (4812, "mục III.1.3", "Tổng số hồ sơ tiếp nhận và giải quyết trực tuyến tại cấp "
                           "huyện⁽²⁰⁾ là 1.495/4.812 hồ sơ đạt 77,73 %", None),
    "co_lay_y_kien_nhan_dan": (True, "mục III.1.4", "Tổ chức lấy ý kiến nhân dân, hoàn chỉnh và phê duyệt đồ "
                               "án điều chỉnh quy hoạch chung xây dựng đối với 14 xã", None),
    "co_cong_khai_thdccs": (True, "mục III.1.6", "Thực hiện nghiêm công khai, minh bạch các nội dung, lĩnh vực "
                            "theo quy định của Luật Dân chủ ở cơ sở", None),
    "so_nhiem_vu_hoan_thanh": (128, "mục III.1.3", "Chủ tịch UBND các xã, thị trấn hoàn thành và hoàn thành "
                               "128/138 nhiệm vụ, đạt 92,75 %", 92.75),
    "so_nhiem_vu_duoc_giao": (138, "mục III.1.3", "Chủ tịch UBND các xã, thị trấn hoàn thành và hoàn thành "
                              "128/138 nhiệm vụ, đạt 92,75 %", None),
    "so_don_da_giai_quyet": (50, "mục III.2.1", "Tổng số phải giải quyết 50 đơn (đơn năm trước chuyển sang 0 "
                             "đơn); đã giải quyết 50/50 đơn (khiếu nại 21, tố cáo 03, kiến nghị phản ánh 06) "
                             "đạt 100%", 100),
    "so_don_phai_giai_quyet": (50, "mục III.2.1", "đơn thuộc thẩm quyền UBND huyện giải quyết 50 đơn, hướng "
                               "dẫn công dân 05 đơn. Tổng số phải giải quyết 50 đơn", None),
    "so_qd_da_thuc_hien": (7, "mục III.2.1", "Tổ chức thực hiện các quyết định, kết luận sau giải quyết đơn "
                           "07/07 đạt 100%", 100),
    "so_qd_phai_thuc_hien": (7, "mục III.2.1", "Tổ chức thực hiện các quyết định, kết luận sau giải quyết đơn "
                             "07/07 đạt 100%", None),
    "so_cuoc_doi_thoai": (10, "mục III.2.2", "Lãnh đạo UBND huyện tổ chức 10 cuộc tiếp xúc đối thoại với "
                          "nhân dân", None),
    "so_mo_hinh_dvk_dang_ky": (151, "mục III.3", "đăng ký, xây dựng các mô hình, điển hình “Dân vận khéo” cấp "
                               "huyện gồm 151 mô hình (xã, thị trấn 127 mô hình, các chi bộ và cơ quan 24 mô "
                               "hình)", None),
    "co_tuyen_truyen_dien_hinh": (True, "mục III.3", "phối hợp với Báo Bắc Giang, Đài Phát thanh và Truyền hình "
                                  "tỉnh, Trung tâm truyền hình Nhân dân thực hiện phóng sự, viết bài tuyên truyền "
                                  "về các mô hình, điển hình \"Dân vận khéo\"", None),
    "co_khen_thuong_dien_hinh": (True, "mục III.3", "trao giải Cuộc thi “Dân vận khéo” gắn với biểu dương, khen "
                                 "thưởng các điển hình hiến đất, ủng hộ tiền, tài sản", None),
    "so_xa_dat_cqtt": (15, "mục III.1.3", "qua thẩm định, chấm điểm của Ban chỉ đạo huyện có 15/19 xã, thị "
                       "trấn đạt chuẩn “Chính quyền thân thiện” năm 2023", None),
    "so_xa": (19, "mục III.1.3", "qua thẩm định, chấm điểm của Ban chỉ đạo huyện có 15/19 xã, thị trấn đạt "
              "chuẩn “Chính quyền thân thiện” năm 2023", None),
    "so_thon": (197, "mục I", "có 17 xã, 02 thị trấn, 197 khu dân cư (thôn, bản, tổ dân phố)", None),
}

# Why some cells stay empty (column E beside an empty value; never read as a figure).
DISTRICT_GAPS: dict[str, str] = {
    "ngay_ban_hanh_ke_hoach": "Để trống: báo cáo không nêu số, ngày kế hoạch công tác dân vận chính quyền năm "
                              "2023 của UBND huyện (Kế hoạch 08/KH-UBND ngày 14/01/2023 là kế hoạch CCHC).",
    "so_cuoc_kiem_tra": "Để trống: báo cáo nêu có các đoàn kiểm tra Tổ dân vận cộng đồng tại 19/19 xã, thị trấn "
                        "(mục III.3) nhưng không nêu số cuộc.",
    "so_chi_tieu_ktxh_dat": "Để trống: mục IV.1 chỉ nêu «Các chỉ tiêu kinh tế - xã hội thực hiện hoàn thành và "
                            "hoàn thành vượt mức», không nêu số chỉ tiêu.",
    "co_cong_khai_gpmb": "Để trống: báo cáo không mô tả việc công khai bồi thường, GPMB năm 2023 (mục V chỉ nêu "
                         "là nhiệm vụ thời gian tới).",
    "so_buoi_tiep_dinh_ky": "Để trống: báo cáo đếm theo lượt (định kỳ 50 lượt, thường xuyên 32 lượt, mục "
                            "III.2.1), không theo buổi, không tách người đứng đầu.",
    "so_vu_dong_nguoi": "Để trống: báo cáo chỉ nêu các vụ khiếu kiện phức tạp, đông người «đã được giải quyết "
                        "đầy đủ» (mục III.2.1), không nêu số vụ phát sinh.",
    "so_mo_hinh_dvk_cap_tinh": "Để trống: 10 mô hình là số đăng ký xây dựng cấp tỉnh (mục III.3), không phải số "
                               "được công nhận.",
    "co_huong_ung_thang_dan_van": "Để trống: «Tháng Dân vận» chỉ có trong tên mục III.3, nội dung không mô tả "
                                  "hoạt động hưởng ứng.",
    "so_thon_co_to_dvcd": "Để trống: «197/197 thôn, bản, tổ dân phố» ở mục V là nhiệm vụ thời gian tới, không "
                          "phải kết quả năm 2023.",
}

# The district's self-scores: what a district typically claims. Where the report gives the figures the
# claim mostly equals what they give; II.3.b and II.7 are claimed higher (77,73 % as stated; the 8/8 nhiệm
# vụ trọng tâm of the district rather than 128/138); criteria the report gives no figure for are claimed
# all the same (the engine shows them as "thiếu số liệu").
DISTRICT_SELF: dict[str, tuple[float, str | None]] = {
    "I.1": (3, "Mục III.1.1: phối hợp Ban Dân vận Huyện ủy xây dựng, triển khai các hoạt động năm dân vận 2023"),
    "I.2": (3, "Mục II: quán triệt qua các hội nghị, Cổng thông tin điện tử, phát thanh, truyền hình"),
    "I.3": (3, "Mục III.1.1: Chương trình số 02/CTr-UBND-BDVHU ngày 28/02/2022"),
    "I.4": (3, "Mục III.3: các đoàn kiểm tra Tổ dân vận cộng đồng tại 19/19 xã, thị trấn"),
    "I.5": (3, None),
    "II.1": (3.5, "Mục III.1.1: Chương trình 02/CTr-UBND-BDVHU; các kế hoạch 110-KH/HU, 131-KH/HU năm 2023"),
    "II.2": (6, "Mục IV.1: các chỉ tiêu KT-XH thực hiện hoàn thành và hoàn thành vượt mức"),
    "II.3.a": (4, "Mục III.1.3"),
    "II.3.b": (3, "Mục III.1.3: 1.495/4.812 hồ sơ trực tuyến, đạt 77,73 %"),
    "II.3.c": (1, None),
    "II.3.d": (1.5, "Mục III.1.3"),
    "II.4": (4, "Mục III.1.4: lấy ý kiến nhân dân về quy hoạch chung xây dựng 14 xã"),
    "II.5.a": (1.5, "Mục III.1.6"),
    "II.5.b": (1, None),
    "II.5.c": (1.5, None),
    "II.6": (4, "Mục III.1.5"),
    "II.7": (3, "Mục III.1.3: hoàn thành 8/8 nhiệm vụ trọng tâm của BTV Huyện ủy và UBND huyện"),
    "III.1": (4, "Mục III.2.1: tiếp 82 lượt (định kỳ 50 lượt)"),
    "III.2": (7, "Mục III.2.1: đã giải quyết 50/50 đơn, đạt 100%"),
    "III.3": (3, "Mục III.2.1: thực hiện quyết định, kết luận 07/07"),
    "III.4": (6, "Mục III.2.2: 10 cuộc tiếp xúc đối thoại"),
    "III.5": (5, "Mục III.2.1"),
    "IV.1": (4, "Mục III.3: 151 mô hình đăng ký"),
    "IV.2": (4, "Mục III.3: 10 mô hình đăng ký xây dựng cấp tỉnh"),
    "IV.3": (5, "Mục III.3: tuyên truyền, khen thưởng điển hình «Dân vận khéo»"),
    "V.1": (4.74, "Mục III.1.3: 15/19 xã, thị trấn đạt chuẩn CQTT"),
    "V.2": (4, "Mục III.3: kiểm tra hoạt động Tổ dân vận cộng đồng tại 19/19 xã, thị trấn; khen thưởng các Tổ "
                "DVCD tiêu biểu năm 2023"),
    "B.1": (0, None), "B.2": (0, None), "D.1": (0, None), "D.2": (0, None), "D.3": (0, None),
}


def district_form(criteria: Criteria) -> Filled:
    f = Filled()
    for ind, (value, section, quote, pct) in DISTRICT_FIGURES.items():
        f.values[ind] = value
        f.evidence[ind] = f"{REPORT}, {section}: “{quote}”"
        if pct is not None:
            f.stated[ind] = pct
    used = criteria.used_indicators["huyen"] | criteria.override_indicators
    implied = {i.id for i in criteria.file.indicators if i.implied_by_form is not None}  # not in the form
    for ind in sorted(used - set(DISTRICT_FIGURES) - implied):
        f.evidence[ind] = DISTRICT_GAPS.get(ind, "Để trống: báo cáo năm 2023 không nêu số liệu này.")
    for cid, (pts, ev) in DISTRICT_SELF.items():
        f.selfs[cid] = pts
        if ev:
            f.self_evidence[cid] = f"{REPORT}, {ev[0].lower()}{ev[1:]}"
    f.info = {"nguoi_lien_he": "Phòng Nội vụ huyện Yên Thế",
              "ghi_chu": "Số liệu lấy từ Báo cáo kết quả thực hiện công tác dân vận chính quyền năm 2023 của UBND "
                         "huyện Yên Thế (gửi Sở Nội vụ theo Công văn số 2880/SNV-XDCQ ngày 30/11/2023); cột «Tài "
                         "liệu kiểm chứng» trích mục và câu của báo cáo. Ô «Giá trị» để trống là số liệu báo cáo "
                         "không nêu (chương trình báo «thiếu số liệu»). Điểm tự chấm là điểm huyện đề nghị."}
    return f


# ---------------------------------------------------------------------------------------------------------
# Illustrative units: communes (xa) and offices (co_quan)
# ---------------------------------------------------------------------------------------------------------

D = dt.date

# Per commune: the figures that decide the score (the rest are magnitudes drawn from the seeded generator).
# thon: thôn/tổ dân phố (sum 197); don: (đã giải quyết, phải giải quyết) (sum 158/166); dvk: (đăng ký, công
# nhận cấp huyện, cấp tỉnh) (đăng ký sum 127); cchc: ISO 12 Tốt / 6 Khá / 1 Trung bình; cqtt: 15 Có.
BASE_XA: dict[str, Any] = dict(
    plan=D(2023, 1, 12), kt=3, bc=(12, 12), ktxh=(18, 18), late=0, apology=0, online=0.96, cchc="Tốt",
    lay_y_kien=True, gpmb=True, thdccs=True, hn_cbccvc=True, kn=1.0, phan_anh=0, nv=(15, 15),
    tiep=(52, 52), qd=(1, 1), doi_thoai=3, dong_nguoi=0, thang_dv=True, tt_dh=True, kt_dh=True, cqtt=True,
    tieu_chi=39, dvcd_missing=0, bk_tinh=0, bk_tw=0, sang_kien=0, nop_cham=False, diem_nong=0, cbccvc=0,
    ndd=False, ii1=4, stated={}, text={}, empty=(), self_over={}, appraised={})

XA: dict[str, dict[str, Any]] = {
    "An Thượng": dict(thon=9, don=(7, 7), dvk=(8, 2, 1), tieu_chi=41, tiep=(51, 52),
                      stated={"so_ho_so_dung_han": "auto"}),
    "Canh Nậu": dict(thon=12, don=(8, 9), dvk=(6, 1, 0), cchc="Khá", kt=2, nv=(13, 15), doi_thoai=2,
                     tieu_chi=36, ii1=3.5, plan=D(2023, 2, 20)),
    "Đông Sơn": dict(thon=10, don=(8, 8), dvk=(8, 2, 1), tieu_chi=40, bk_tinh=1, tiep=(50, 52),
                     stated={"so_ho_so_truc_tuyen": "auto"}),
    "Đồng Hưu": dict(thon=9, don=(4, 7), dvk=(3, 0, 0), cchc="Trung bình", cqtt=False, tieu_chi=26,
                     plan=D(2023, 5, 16), kt=0, bc=(7, 12), ktxh=(9, 17), late=75, apology=23, online=0.48,
                     gpmb=False, kn=0.56, phan_anh=2, nv=(8, 13), tiep=(30, 52), qd=(1, 2), doi_thoai=1,
                     tt_dh=False, kt_dh=False, dvcd_missing=3, nop_cham=True, cbccvc=1, ii1=2.5,
                     self_over={"I.1": 3, "II.2": 4, "II.7": 2, "III.2": 4.5, "V.3": 4}),
    "Đồng Kỳ": dict(thon=12, don=(9, 9), dvk=(9, 3, 1), tieu_chi=41, bk_tinh=1, sang_kien=1, tiep=(52, 52)),
    "Đồng Lạc": dict(thon=10, don=(8, 8), dvk=(6, 1, 0), cchc="Khá", tieu_chi=35, kt=1, ktxh=(16, 18),
                     doi_thoai=2, kt_dh=False, ii1=3.5, text={"co_hoi_nghi_quan_triet": "có"},
                     self_text={"II.1": "3,5"}),
    "Đồng Tâm": dict(thon=11, don=(9, 9), dvk=(7, 1, 0), tieu_chi=37, plan=D(2023, 1, 30), tiep=(48, 52),
                     late=4, apology=4, nv=(14, 15), ii1=3.75, kt=1, doi_thoai=2, ktxh=(16, 18)),
    "Đồng Tiến": dict(thon=9, don=(8, 10), dvk=(4, 0, 0), cchc="Khá", cqtt=False, tieu_chi=29,
                      plan=D(2023, 3, 15), kt=1, bc=(10, 12), ktxh=(14, 17), late=31, apology=18, online=0.57,
                      kn=0.8, phan_anh=1, nv=(11, 14), tiep=(41, 52), doi_thoai=2, thang_dv=True,
                      kt_dh=False, dvcd_missing=2, ii1=3,
                      self_over={"II.3.b": 3, "III.2": 7, "II.7": 2},
                      appraise_all=True,
                      appraised={"III.2": (4.5, "Còn 02/10 đơn chưa giải quyết xong (8/10 = 80 %): 4,5 điểm theo "
                                               "số liệu, không phải 7 điểm như tự chấm."),
                                 "II.3.b": (1, "Tỷ lệ hồ sơ trực tuyến theo số liệu của xã chỉ đạt 57 % (mức ≥ 40 %): "
                                               "1 điểm."),
                                 "II.7": (1, "Hoàn thành 11/14 nhiệm vụ trọng tâm (78,57 %, mức ≥ 70 %): 1 điểm.")}),
    "Đồng Vương": dict(thon=10, don=(8, 8), dvk=(9, 3, 1), tieu_chi=42, tiep=(52, 52), doi_thoai=2),
    "Hồng Kỳ": dict(thon=8, don=(6, 6), dvk=(7, 1, 0), tieu_chi=38, plan=D(2023, 2, 6), tiep=(50, 52),
                    kt=2, nv=(14, 15), ktxh=(16, 18), doi_thoai=3, late=2, apology=2, appraise_all=True,
                    appraised={"II.1": (3, "Chưa cụ thể hóa Kết luận 114-KL/TW thành kế hoạch riêng; chưa rà "
                                            "soát văn bản liên quan quyền, lợi ích của nhân dân (biên bản thẩm "
                                            "định ngày 18/12/2023).")}),
    "Hương Vĩ": dict(thon=12, don=(9, 9), dvk=(6, 2, 0), tieu_chi=36, online=0.68, kt=2, ii1=3.5,
                     plan=D(2023, 2, 10), doi_thoai=2, nv=(13, 15), kt_dh=False,
                     stated={"so_ho_so_truc_tuyen": "98,79"}, self_over={"II.3.b": 3}),
    "Tam Hiệp": dict(thon=12, don=(8, 8), dvk=(5, 1, 0), cchc="Khá", cqtt=False, tieu_chi=31, kt=1,
                     plan=D(2023, 4, 3), ktxh=(15, 17), bc=(11, 12), doi_thoai=1, nv=(11, 14), gpmb=False,
                     kt_dh=False,
                     empty=("so_buoi_tiep_quy_dinh", "so_kien_nghi_tiep_nhan"), ii1=3,
                     self_over={"III.1": 4, "II.5.c": 1.5}),
    "Tam Tiến": dict(thon=11, don=(9, 9), dvk=(6, 1, 0), cchc="Khá", tieu_chi=36, ii1=3.5,
                     doi_thoai=2, ktxh=(16, 18), plan=D(2023, 2, 13), kt=1),
    "Tân Hiệp": dict(thon=10, don=(9, 10), dvk=(4, 0, 0), cchc="Khá", cqtt=False, tieu_chi=30,
                     plan=D(2023, 3, 28), kt=1, bc=(10, 12), ktxh=(13, 17), late=12, apology=7, online=0.63,
                     kn=0.85, nv=(11, 14), tiep=(44, 52), doi_thoai=1, kt_dh=False, tt_dh=False,
                     dvcd_missing=1, ii1=3, self_over={"IV.2": 4, "I.4": 3}),
    "Tân Sỏi": dict(thon=11, don=(8, 8), dvk=(9, 2, 1), tieu_chi=40, tiep=(52, 52), sang_kien=1),
    "Tiến Thắng": dict(thon=11, don=(11, 12), dvk=(8, 2, 1), tieu_chi=40, dong_nguoi=1, tiep=(52, 52),
                       bk_tinh=1),
    "Xuân Lương": dict(thon=10, don=(9, 9), dvk=(7, 2, 1), tieu_chi=39, plan=D(2023, 1, 18), tiep=(49, 52),
                       kt=2,
                       appraised={"IV.2": (2, "Mô hình «Dân vận khéo» cấp tỉnh được công nhận năm 2022 "
                                              "(Quyết định năm 2022), không tính vào năm 2023; chỉ tính 02 mô "
                                              "hình cấp huyện.")}),
    "Phồn Xương": dict(thon=12, don=(11, 11), dvk=(8, 2, 1), tieu_chi=41, tiep=(52, 52), size=2600,
                       text={"so_ho_so_tiep_nhan": "auto"}),
    "Bố Hạ": dict(thon=8, don=(9, 9), dvk=(7, 1, 1), tieu_chi=38, size=1873, plan=D(2022, 12, 26),
                  tiep=(46, 52), ktxh=(15, 17), doi_thoai=2, kt=1, nv=(13, 15), late=9, apology=5,
                  text={"so_ho_so_da_giai_quyet": "auto"}),
}

# Offices. phieu: (hài lòng, khảo sát); tthc: (tiếp nhận, đã giải quyết, trễ hạn, thư xin lỗi, trực tuyến %).
BASE_CQ: dict[str, Any] = dict(
    plan=D(2023, 1, 16), kt=2, bc=(12, 12), ktxh=(10, 10), cchc="Tốt", lay_y_kien=True, gpmb=True,
    thdccs=True, hn_cbccvc=True, phan_anh=0, nv=(8, 8), tiep=(12, 12), don=(0, 0), qd=(0, 0), doi_thoai=2,
    dong_nguoi=0, dvk=(3, 1, 0), thang_dv=True, tt_dh=True, kt_dh=True, van_hoa=True, phieu=(186, 200),
    bk_tinh=0, bk_tw=0, sang_kien=0, nop_cham=False, diem_nong=0, cbccvc=0, ndd=False, ii1=3.75, kn=1.0,
    stated={}, text={}, empty=(), self_over={}, appraised={})

CQ: dict[str, dict[str, Any]] = {
    "Phòng Nội vụ": dict(tthc=(96, 96, 0, 0, 0.91), don=(2, 2), doi_thoai=3, dvk=(4, 2, 1), phieu=(192, 200),
                         ii1=4, sang_kien=1, plan=D(2023, 1, 9)),
    "Phòng Tư pháp": dict(tthc=(1128, 1121, 3, 3, 0.86), don=(3, 3), qd=(1, 1), dvk=(3, 1, 0), phieu=(178, 200),
                          text={"so_ho_so_tiep_nhan": "1.128"}, stated={"so_ho_so_dung_han": "auto"}),
    "Phòng Tài nguyên và Môi trường": dict(
        tthc=(2046, 1985, 182, 96, 0.41), cchc="Khá", don=(41, 48), qd=(5, 7), nv=(8, 12), ktxh=(8, 10),
        doi_thoai=1, dvk=(2, 0, 0), kt_dh=False, phieu=(131, 200), phan_anh=2, plan=D(2023, 1, 16), ii1=3,
        self_over={"III.2": 7, "II.3.b": 2, "V.2": 4},
        appraised={"I.1": (2, "Bản gốc kế hoạch ký ngày 15/02/2023, không phải 16/01/2023 như "
                               "biểu ghi: ban hành sau 31/01 → 2 điểm.")}),
    "Phòng Lao động - Thương binh và Xã hội": dict(
        tthc=(412, 409, 6, 6, 0.88), don=(6, 7), qd=(1, 1), dvk=(3, 1, 0), phieu=(171, 200), nv=(9, 10),
        doi_thoai=3, cchc="Khá", ii1=3.5, kt=1),
    "Văn phòng HĐND và UBND huyện": dict(
        tthc=(37, 37, 0, 0, 0.84), dvk=(2, 0, 0), doi_thoai=1, phieu=(165, 200), ii1=3.5, kt=1,
        plan=D(2023, 2, 14), nop_cham=True),
}


class Docs:
    """Plausible document numbers for one unit: numbers grow with the date, per document kind."""

    RATE: ClassVar[dict[str, float]] = {"QĐ": 0.9, "KH": 0.35, "BC": 0.7, "TB": 0.25, "CV": 1.2, "QCPH": 0.01}

    def __init__(self, rng: random.Random, issuer: str, scale: float = 1.0) -> None:
        self.rng, self.issuer, self.scale = rng, issuer, scale
        self.used: set[tuple[str, int]] = set()

    def no(self, kind: str, date: dt.date) -> str:
        day = date.timetuple().tm_yday if date.year == YEAR else 360
        n = max(1, int(day * self.RATE[kind] * self.scale) + self.rng.randint(0, 2))
        while (kind, n) in self.used:  # one number per document kind and unit
            n += 1
        self.used.add((kind, n))
        suffix = self.issuer if kind != "CV" else self.issuer.split("-")[-1]
        return f"{n:02d}/{kind}-{suffix}" if kind != "CV" else f"{n:02d}/{suffix}"

    def date(self, month: int, lo: int = 1, hi: int = 28) -> dt.date:
        return dt.date(YEAR, month, self.rng.randint(lo, hi))

    def ref(self, kind: str, month: int, what: str = "", lo: int = 1, hi: int = 28) -> str:
        d = self.date(month, lo, hi)
        word = {"QĐ": "Quyết định", "KH": "Kế hoạch", "BC": "Báo cáo", "TB": "Thông báo", "CV": "Công văn",
                "QCPH": "Quy chế phối hợp"}[kind]
        return f"{word} số {self.no(kind, d)} ngày {fmt_date(d)}" + (f" {what}" if what else "")


def illustrative(criteria: Criteria, subject: str, name: str, spec: dict[str, Any]) -> Filled:
    """Figures, evidence and self-scores of one illustrative commune or office."""
    rng = random.Random(f"{SEED}/{subject}/{name}")
    xa = subject == "xa"
    issuer = "UBND" if xa else next(s for n, s in OFFICES if n == name)
    docs = Docs(rng, issuer, 1.0 if xa else 0.5)
    who = (f"UBND {'thị trấn' if name in ('Phồn Xương', 'Bố Hạ') else 'xã'} {name}" if xa else name)
    v: dict[str, Any] = {}
    ev: dict[str, str] = {}

    plan = spec["plan"]
    v["ngay_ban_hanh_ke_hoach"] = plan
    ev["ngay_ban_hanh_ke_hoach"] = (f"Kế hoạch số {docs.no('KH', plan)} ngày {fmt_date(plan)} của {who} về "
                                    f"công tác dân vận chính quyền năm {YEAR}")
    v["co_hoi_nghi_quan_triet"] = True
    ev["co_hoi_nghi_quan_triet"] = (f"Hội nghị quán triệt ngày {fmt_date(docs.date(2, 10))}; "
                                    + docs.ref("TB", 3, "kết luận hội nghị", 1, 10))
    v["co_dang_tai_cong_ttdt"] = True
    ev["co_dang_tai_cong_ttdt"] = ("Trang thông tin điện tử xã, chuyên mục «Dân vận chính quyền» (các tin năm "
                                   f"{YEAR})" if xa else f"Cổng TTĐT huyện Yên Thế, chuyên mục của {name} (các tin "
                                   f"năm {YEAR})")
    v["co_tuyen_truyen_truyen_thanh"] = True
    ev["co_tuyen_truyen_truyen_thanh"] = ("Sổ nhật ký phát thanh của Đài truyền thanh xã năm 2023" if xa else
                                          "Phối hợp Trung tâm Văn hóa - Thông tin & TT huyện: "
                                          + docs.ref("CV", 3, "đề nghị đưa tin"))
    v["co_chuong_trinh_phoi_hop"] = True
    ev["co_chuong_trinh_phoi_hop"] = (docs.ref("QCPH", 1, "giữa UBND xã với Ủy ban MTTQ và các đoàn thể", 3, 12)
                                      if xa else docs.ref("QCPH", 1, "với Ban Dân vận Huyện ủy, Ủy ban MTTQ "
                                                          "huyện", 3, 12))
    v["so_cuoc_kiem_tra"] = spec["kt"]
    ev["so_cuoc_kiem_tra"] = ("Quyết định thành lập đoàn kiểm tra: " + "; ".join(
        f"số {docs.no('QĐ', d)} ngày {fmt_date(d)}" for d in sorted(docs.date(m) for m in (4, 9, 11)[:spec['kt']]))
        if spec["kt"] else "Năm 2023 không tổ chức kiểm tra riêng về công tác dân vận (Báo cáo năm)")
    v["so_bao_cao_dung_han"], v["so_bao_cao_phai_gui"] = spec["bc"]
    sent = "Sổ theo dõi văn bản đi năm 2023; Công văn số 118/UBND-NV của UBND huyện về chế độ báo cáo"
    ev["so_bao_cao_dung_han"] = ev["so_bao_cao_phai_gui"] = sent
    v["so_chi_tieu_ktxh_dat"], v["so_chi_tieu_ktxh"] = spec["ktxh"]
    ev["so_chi_tieu_ktxh_dat"] = ev["so_chi_tieu_ktxh"] = docs.ref(
        "BC", 12, "tình hình thực hiện nhiệm vụ phát triển KT-XH năm 2023" if xa else
        "tổng kết công tác năm 2023", 1, 6)

    if xa:
        size = spec.get("size", rng.randrange(380, 1500, 1))
        done = size
        received = done + rng.randint(2, 14)
        late, apology, online = spec["late"], spec["apology"], spec["online"]
    else:
        received, done, late, apology, online = spec["tthc"]
    v["so_ho_so_dung_han"], v["so_ho_so_da_giai_quyet"] = done - late, done
    v["so_ho_so_truc_tuyen"], v["so_ho_so_tiep_nhan"] = round(received * online), received
    v["so_thu_xin_loi"], v["so_ho_so_tre_han"] = apology, late
    tthc = docs.ref("BC", 12, "kết quả giải quyết TTHC năm 2023; số liệu Hệ thống thông tin giải quyết TTHC tỉnh",
                    1, 8)
    for k in ("so_ho_so_dung_han", "so_ho_so_da_giai_quyet", "so_ho_so_truc_tuyen", "so_ho_so_tiep_nhan"):
        ev[k] = tthc
    ev["so_thu_xin_loi"] = ev["so_ho_so_tre_han"] = ("Sổ theo dõi hồ sơ trễ hạn và thư xin lỗi tại Bộ phận Một "
                                                     "cửa năm 2023" + ("" if late else " (không có hồ sơ trễ hạn)"))
    v["xep_loai_cchc"] = spec["cchc"]
    ev["xep_loai_cchc"] = ("Thông báo số 412/TB-UBND ngày 15/12/2023 của UBND huyện về kết quả chấm điểm ISO cấp "
                           "xã năm 2023" if xa else "Quyết định số 2968/QĐ-UBND ngày 20/12/2023 của UBND huyện về "
                           "kết quả xếp loại CCHC các cơ quan chuyên môn năm 2023")
    v["co_lay_y_kien_nhan_dan"] = spec["lay_y_kien"]
    ev["co_lay_y_kien_nhan_dan"] = ("Biên bản lấy ý kiến nhân dân về kế hoạch sử dụng đất năm 2024, ngày "
                                    f"{fmt_date(docs.date(10))}" if xa else
                                    "Biên bản lấy ý kiến góp ý dự thảo văn bản ngày " + fmt_date(docs.date(6)))
    v["co_cong_khai_gpmb"] = spec["gpmb"]
    ev["co_cong_khai_gpmb"] = (f"Biên bản niêm yết công khai phương án bồi thường, hỗ trợ GPMB ngày "
                               f"{fmt_date(docs.date(7))}" if spec["gpmb"] else
                               "Chưa niêm yết công khai đầy đủ phương án bồi thường (Biên bản kiểm tra ngày "
                               f"{fmt_date(docs.date(11))})")
    v["co_cong_khai_thdccs"] = spec["thdccs"]
    ev["co_cong_khai_thdccs"] = f"Biên bản niêm yết công khai tại trụ sở ngày {fmt_date(docs.date(3))}"
    v["co_hoi_nghi_cbccvc"] = spec["hn_cbccvc"]
    ev["co_hoi_nghi_cbccvc"] = f"Biên bản Hội nghị cán bộ, công chức năm 2023 ngày {fmt_date(docs.date(1, 10))}"
    kn_total = rng.randint(12, 34) if xa else rng.randint(3, 9)
    share = spec["kn"]
    v["so_kien_nghi_da_tra_loi"], v["so_kien_nghi_tiep_nhan"] = round(kn_total * share), kn_total
    ev["so_kien_nghi_da_tra_loi"] = ev["so_kien_nghi_tiep_nhan"] = docs.ref(
        "BC", 11, "kết quả giải quyết kiến nghị của cử tri, MTTQ và các đoàn thể")
    v["so_phan_anh_thai_do"] = spec["phan_anh"]
    ev["so_phan_anh_thai_do"] = ("Sổ tiếp nhận phản ánh, kiến nghị năm 2023 (không có phản ánh)" if not spec["phan_anh"]
                                 else "Sổ tiếp nhận phản ánh năm 2023; biên bản kiểm điểm ngày "
                                 + fmt_date(docs.date(8)))
    v["so_nhiem_vu_hoan_thanh"], v["so_nhiem_vu_duoc_giao"] = spec["nv"]
    ev["so_nhiem_vu_hoan_thanh"] = ev["so_nhiem_vu_duoc_giao"] = (
        docs.ref("QĐ", 1, "giao nhiệm vụ trọng tâm năm 2023", 5, 20) + "; " + docs.ref("BC", 12, "tổng kết", 1, 8))
    v["so_buoi_tiep_dinh_ky"], v["so_buoi_tiep_quy_dinh"] = spec["tiep"]
    ev["so_buoi_tiep_dinh_ky"] = ev["so_buoi_tiep_quy_dinh"] = (
        "Sổ tiếp công dân năm 2023; " + docs.ref("TB", 1, "lịch tiếp công dân định kỳ của "
                                                 + ("Chủ tịch UBND" if xa else "Trưởng phòng"), 3, 10))
    v["so_don_da_giai_quyet"], v["so_don_phai_giai_quyet"] = spec["don"]
    kntc = docs.ref("BC", 12, "công tác tiếp công dân, giải quyết khiếu nại, tố cáo năm 2023", 1, 8)
    ev["so_don_da_giai_quyet"] = ev["so_don_phai_giai_quyet"] = "Sổ theo dõi đơn thư năm 2023; " + kntc
    v["so_qd_da_thuc_hien"], v["so_qd_phai_thuc_hien"] = spec["qd"]
    ev["so_qd_da_thuc_hien"] = ev["so_qd_phai_thuc_hien"] = kntc if spec["qd"][1] else (
        kntc + " (không phát sinh quyết định phải thực hiện)")
    v["so_cuoc_doi_thoai"] = spec["doi_thoai"]
    ev["so_cuoc_doi_thoai"] = "Biên bản đối thoại các ngày " + "; ".join(
        fmt_date(d) for d in sorted(docs.date(m) for m in (3, 6, 8, 10, 11)[:spec["doi_thoai"]]))
    v["so_vu_dong_nguoi"] = spec["dong_nguoi"]
    ev["so_vu_dong_nguoi"] = (kntc + " (không phát sinh)" if not spec["dong_nguoi"] else docs.ref(
        "BC", 7, "vụ việc 14 hộ dân khiếu nại đông người về tranh chấp đất rừng sản xuất", 5, 20))
    _, huyen_n, tinh_n = spec["dvk"]
    v["so_mo_hinh_dvk_dang_ky"], v["so_mo_hinh_dvk_cap_huyen"], v["so_mo_hinh_dvk_cap_tinh"] = spec["dvk"]
    ev["so_mo_hinh_dvk_dang_ky"] = docs.ref("CV", 3, "đăng ký mô hình, điển hình «Dân vận khéo» năm 2023", 1, 15)
    ev["so_mo_hinh_dvk_cap_huyen"] = ("Quyết định số 2745/QĐ-UBND ngày 27/10/2023 của UBND huyện công nhận mô "
                                      "hình «Dân vận khéo» cấp huyện" if huyen_n else
                                      "Chưa có mô hình được công nhận cấp huyện năm 2023")
    ev["so_mo_hinh_dvk_cap_tinh"] = ("Quyết định số 1873/QĐ-UBND ngày 14/11/2023 của UBND tỉnh biểu dương mô "
                                     "hình «Dân vận khéo»" if tinh_n else
                                     "Chưa có mô hình được công nhận cấp tỉnh năm 2023")
    v["co_huong_ung_thang_dan_van"] = spec["thang_dv"]
    ev["co_huong_ung_thang_dan_van"] = docs.ref("KH", 9, "hưởng ứng «Tháng Dân vận» năm 2023", 10, 25)
    v["co_tuyen_truyen_dien_hinh"] = spec["tt_dh"]
    ev["co_tuyen_truyen_dien_hinh"] = ("Tin, bài trên Đài truyền thanh xã, Trang TTĐT năm 2023" if spec["tt_dh"]
                                       else "Chưa có tin, bài riêng về điển hình (Sổ nhật ký phát thanh 2023)")
    v["co_khen_thuong_dien_hinh"] = spec["kt_dh"]
    ev["co_khen_thuong_dien_hinh"] = (docs.ref("QĐ", 10, "khen thưởng điển hình «Dân vận khéo»", 20, 31)
                                      if spec["kt_dh"] else "Chưa khen thưởng điển hình trong năm 2023")
    if xa:
        v["dat_chuan_cqtt"] = spec["cqtt"]
        ev["dat_chuan_cqtt"] = ("Quyết định số 2893/QĐ-UBND ngày 12/12/2023 của UBND huyện công nhận đạt chuẩn "
                                "«Chính quyền thân thiện» năm 2023" if spec["cqtt"] else
                                "Biên bản thẩm định của Ban chỉ đạo huyện ngày 05/12/2023 (chưa đạt chuẩn)")
        v["so_tieu_chi_cqtt_dat"] = spec["tieu_chi"]
        ev["so_tieu_chi_cqtt_dat"] = "Biên bản thẩm định, chấm điểm CQTT của Ban chỉ đạo huyện ngày 05/12/2023"
        v["so_thon"] = spec["thon"]
        v["so_thon_co_to_dvcd"] = spec["thon"] - spec["dvcd_missing"]
        ev["so_thon"] = ev["so_thon_co_to_dvcd"] = docs.ref("QĐ", 2, "kiện toàn Tổ dân vận cộng đồng ở các thôn"
                                                            if name not in ("Phồn Xương", "Bố Hạ") else
                                                            "kiện toàn Tổ dân vận cộng đồng ở các tổ dân phố")
    else:
        v["dat_chuan_van_hoa"] = spec["van_hoa"]
        ev["dat_chuan_van_hoa"] = "Quyết định số 2911/QĐ-UBND ngày 14/12/2023 của UBND huyện công nhận cơ quan đạt " \
                                  "chuẩn văn hóa năm 2023"
        v["so_phieu_hai_long"], v["so_phieu_khao_sat"] = spec["phieu"]
        ev["so_phieu_hai_long"] = ev["so_phieu_khao_sat"] = docs.ref(
            "BC", 11, "kết quả khảo sát sự hài lòng của người dân năm 2023 (theo Kế hoạch 124-KH/HU)", 10, 25)
    v["so_bang_khen_tinh"], v["so_bang_khen_trung_uong"] = spec["bk_tinh"], spec["bk_tw"]
    ev["so_bang_khen_tinh"] = ("Quyết định số 1925/QĐ-UBND ngày 22/11/2023 của Chủ tịch UBND tỉnh tặng Bằng khen"
                               if spec["bk_tinh"] else "Không có")
    ev["so_bang_khen_trung_uong"] = "Không có"
    v["so_sang_kien_dan_van"] = spec["sang_kien"]
    ev["so_sang_kien_dan_van"] = ("Quyết định số 2801/QĐ-UBND ngày 01/12/2023 của UBND huyện công nhận sáng kiến"
                                  if spec["sang_kien"] else "Không có")
    late_day = DEADLINE + dt.timedelta(days=4) if spec["nop_cham"] else DEADLINE - dt.timedelta(days=rng.randint(0, 3))
    v["nop_ho_so_cham"] = spec["nop_cham"]
    ev["nop_ho_so_cham"] = (f"Công văn số {docs.no('CV', late_day)} ngày {fmt_date(late_day)} gửi hồ sơ tự chấm "
                            f"điểm (hạn {fmt_date(DEADLINE)})")
    v["so_diem_nong"] = spec["diem_nong"]
    ev["so_diem_nong"] = ("Báo cáo tình hình an ninh, trật tự năm 2023 của Công an xã (không phát sinh)" if xa else
                          "Không phát sinh")
    v["so_cbccvc_bi_ky_luat"] = spec["cbccvc"]
    ev["so_cbccvc_bi_ky_luat"] = (docs.ref("QĐ", 9, "kỷ luật khiển trách 01 công chức (nhũng nhiễu khi giải quyết "
                                                "TTHC)") if spec["cbccvc"] else "Không có")
    v["nguoi_dung_dau_bi_ky_luat"] = spec["ndd"]
    ev["nguoi_dung_dau_bi_ky_luat"] = "Không có quyết định kỷ luật người đứng đầu năm 2023"
    # khong_nop_ho_so is not asked in a unit's own form: a submitted form implies it (implied_by_form)

    f = Filled()
    for ind in spec["empty"]:
        v[ind] = None  # left empty on purpose: "thiếu số liệu"
        ev.pop(ind, None)
    f.values = {k: x for k, x in v.items() if x is not None}
    f.evidence = ev
    numbers = computed_scores(criteria, subject, f.values)
    for ind, text in spec["text"].items():
        f.text[ind] = f"{f.values[ind]:,}".replace(",", ".") if text == "auto" else text
    for ind, pct in spec["stated"].items():
        num, den = _ratio_of(criteria, subject, ind)
        f.stated[ind] = (round(100 * f.values[num] / f.values[den], 2) if pct == "auto" else pct)

    # Self-scores: what the figures give (a unit that scores itself by the book), then the unit's claims.
    for cid, pts in numbers.items():
        f.selfs[cid] = pts
    f.selfs["II.1"] = spec["ii1"]
    for cid, pts in spec["self_over"].items():
        f.selfs[cid] = pts
    for cid, text in spec.get("self_text", {}).items():
        f.selfs[cid] = text  # typed as text with a decimal comma
    for node in criteria.nodes[subject].values():
        if node.is_leaf and node.rule is not None:
            inputs = [i for _, i in rule_inputs(node.rule)]
            first = next((ev[i] for i in inputs if i in ev), None)
            if node.rule.kind == "judgement":
                first = docs.ref("KH", 2, "cụ thể hóa Kết luận 114-KL/TW, Chỉ thị 16/CT-TTg năm 2023", 1, 20)
            if first:
                f.self_evidence[node.id] = first
    f.appraised = dict(spec["appraised"])
    if spec.get("appraise_all"):
        # The appraisal team filled the whole column: the figures' score where it agrees, a reason where not.
        for cid, pts in numbers.items():
            f.appraised.setdefault(cid, (pts, ""))
        f.appraised.setdefault("II.1", (spec["ii1"], ""))
    f.info = {"nguoi_lien_he": "Công chức Văn phòng - Thống kê" if xa else f"Văn thư {name}",
              "ghi_chu": ILLUSTRATIVE}
    return f


def _ratio_of(criteria: Criteria, subject: str, numerator: str) -> tuple[str, str]:
    for c in criteria.nodes[subject].values():
        if isinstance(c.rule, (RatioLinear, RatioTiers)) and c.rule.numerator == numerator:
            assert isinstance(c.rule.denominator, str), "a stated percentage needs a counted denominator"
            return numerator, c.rule.denominator
    raise KeyError(numerator)


def _check_tables() -> None:
    """The illustrative communes add up to the district report's own totals where they can."""
    specs = [BASE_XA | XA[name] for name, _, _ in COMMUNES]
    assert set(XA) == {n for n, _, _ in COMMUNES}
    assert sum(s["thon"] for s in specs) == 197, "197 thôn, bản, tổ dân phố (báo cáo, mục I)"
    assert sum(s["cqtt"] for s in specs) == 15, "15/19 xã, thị trấn đạt chuẩn CQTT (mục III.1.3)"
    grades = [s["cchc"] for s in specs]
    assert (grades.count("Tốt"), grades.count("Khá"), grades.count("Trung bình")) == (12, 6, 1), "ISO (chú thích 19)"
    assert sum(s["don"][1] for s in specs) == 166 and sum(s["don"][0] for s in specs) == 158, "đơn 158/166"
    assert sum(s["dvk"][0] for s in specs) == 127, "127 mô hình DVK của xã, thị trấn (mục III.3)"
    assert all(8 <= s["thon"] <= 15 for s in specs)
    slugs = [slug(n) for n, _, _ in COMMUNES] + [slug(n) for n, _ in OFFICES]
    assert len(set(slugs)) == len(slugs), "file names fold accents: two units must not share one"


# ---------------------------------------------------------------------------------------------------------


def main() -> int:
    _check_tables()
    criteria = load_criteria()
    if OUT.exists():
        shutil.rmtree(OUT)  # generated folder: rebuilt from scratch so no stale file survives
    OUT.mkdir(parents=True)
    units = registry()
    write_registry(units, OUT / "don_vi.csv")
    written = [OUT / "don_vi.csv"]

    wb = build_form(criteria, "huyen", YEAR, DISTRICT)
    fill(wb, criteria, "huyen", district_form(criteria))
    save(wb, OUT / "huyen_yen_the.xlsx")
    written.append(OUT / "huyen_yen_the.xlsx")

    by_name = {u.name: u for u in units}
    for name, kind, _ in COMMUNES:
        unit = by_name[f"{kind} {name}"]
        spec = BASE_XA | XA[name]
        filled = illustrative(criteria, "xa", name, spec)
        if name == "Đồng Tâm":
            # A commune that filled a blank template: no code, its name without the prefix, lower case,
            # decomposed Unicode (NFD, as typed on a Mac): the reader must still find Xã Đồng Tâm by name.
            wb = build_form(criteria, "xa", YEAR, None)
            filled.info["ten_don_vi"] = unicodedata.normalize("NFD", "đồng tâm")
        else:
            wb = build_form(criteria, "xa", YEAR, unit)
        fill(wb, criteria, "xa", filled)
        path = OUT / "xa" / f"{slug(name)}.xlsx"
        save(wb, path)
        written.append(path)
    for name, _ in OFFICES:
        unit = by_name[name]
        spec = BASE_CQ | CQ[name]
        wb = build_form(criteria, "co_quan", YEAR, unit)
        fill(wb, criteria, "co_quan", illustrative(criteria, "co_quan", name, spec))
        path = OUT / "co_quan" / f"{slug(name)}.xlsx"
        save(wb, path)
        written.append(path)
    for p in written:
        print(p.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
