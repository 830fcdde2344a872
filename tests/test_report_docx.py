"""The Word report: NĐ 30 layout (header table, title), a summary row per unit, the reconstruction notice, the
appendix, plain-text unit names, byte-reproducible (also across processes), atomic, opened by LibreOffice; and a
province- or country-sized run summarised within the limits, with notes saying where the rest is."""

from __future__ import annotations

import dataclasses
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Length, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from scoring.evaluate import TOTAL_ID, UnitResult
from scoring.grading import band_for
from scoring.numbers import format_vi
from scoring.pipeline import Run
from scoring.reports import chart, docx_report
from scoring.reports.docx_report import DETAIL_HEAD, SUMMARY_HEAD, write_docx
from scoring.reports.package import FIXED_TIME
from tests.report_fixtures import BIG_HUYEN, BIG_XA, big_run, small_run
from tests.soffice import SOFFICE, convert


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("inputs")


@pytest.fixture(scope="module")
def run(inputs: Path) -> Run:
    return small_run(inputs)  # the forms and registry stay in `inputs` for the fresh-process test


@pytest.fixture(scope="module")
def report(run: Run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_docx(run, tmp_path_factory.mktemp("docx") / "bao_cao_ket_qua.docx")


@pytest.fixture(scope="module")
def doc(report: Path) -> DocxDocument:
    return docx.Document(str(report))


def _tables_with_head(doc: DocxDocument, head: tuple[str, ...]) -> list[Table]:
    return [t for t in doc.tables if tuple(c.text for c in t.rows[0].cells) == head]


def _paragraph(doc: DocxDocument, text: str) -> Paragraph:
    found = [p for p in doc.paragraphs if p.text == text]
    assert found, f"no paragraph reads {text!r}"
    return found[0]


def test_page_is_a4_portrait_with_decree_margins_and_times_new_roman(doc: DocxDocument) -> None:
    s = doc.sections[0]

    def mm(length: Length | None) -> float:
        assert length is not None
        return round(length.mm, 1)  # stored in whole twips: 15 mm reads back as 14,99 mm

    assert (mm(s.page_width), mm(s.page_height)) == (210, 297)
    assert 20 <= mm(s.top_margin) <= 25 and 20 <= mm(s.bottom_margin) <= 25
    assert 30 <= mm(s.left_margin) <= 35 and 15 <= mm(s.right_margin) <= 20
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert Pt(13) <= normal.font.size <= Pt(14)


def test_header_table_has_both_columns_and_no_borders(doc: DocxDocument) -> None:
    header = doc.tables[0]
    assert len(header.columns) == 2 and len(header.rows) == 1
    left, right = header.rows[0].cells
    lines = [p.text for p in left.paragraphs if p.text]
    assert lines == ["UBND HUYỆN YÊN THẾ", "PHÒNG NỘI VỤ", "Số: ……/BC-PNV"]
    assert all(r.bold for r in left.paragraphs[1].runs)
    lines = [p.text for p in right.paragraphs if p.text]
    assert lines == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Yên Thế, ngày …… tháng …… năm 2024"]
    assert all(r.bold for p in right.paragraphs[:2] for r in p.runs)
    assert all(r.italic for r in right.paragraphs[-1].runs)
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None and {b.get(qn("w:val")) for b in borders} == {"none"}
    # the short rules under the unit name and the motto: empty paragraphs with a top border
    for cell in (left, right):
        assert any(p.text == "" and p._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:top')}") is not None
                   for p in cell.paragraphs)


def test_title_and_subtitle(doc: DocxDocument) -> None:
    title = _paragraph(doc, "BÁO CÁO")
    subtitle = _paragraph(doc, "Kết quả chấm điểm, xếp loại công tác dân vận chính quyền năm 2023")
    for p in (title, subtitle):
        assert p.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER and all(r.bold for r in p.runs)
    texts = [p.text for p in doc.paragraphs]
    assert texts.index(title.text) + 1 == texts.index(subtitle.text)
    assert any("274/QĐ-UBND" in t for t in texts[:texts.index(subtitle.text) + 4])


def test_every_unit_has_a_summary_row_with_its_vietnamese_total(doc: DocxDocument, run: Run) -> None:
    tables = _tables_with_head(doc, SUMMARY_HEAD)
    assert len(tables) == len([s for s in run.criteria.subjects if run.ranked.get(s)])
    rows = [[c.text for c in row.cells] for t in tables for row in t.rows[1:]]
    assert len(rows) == len(run.results)
    for r in run.results:
        tot = r.record(TOTAL_ID)
        expected = [str(r.rank), r.unit.unit_name, format_vi(tot.self_score) if tot.self_score is not None else "—",
                    format_vi(tot.computed) if tot.computed is not None else "—",
                    format_vi(tot.appraised) if tot.appraised is not None else "—", format_vi(r.total),
                    r.grade_name]
        assert expected in rows, f"no summary row for {r.unit.unit_name!r}"
    assert any("," in row[5] for row in rows)  # decimals with the Vietnamese comma


def test_grade_counts_and_changes_after_appraisal(doc: DocxDocument, run: Run) -> None:
    texts = [p.text for p in doc.paragraphs]
    cf = run.criteria.file
    for subject in run.criteria.subjects:
        rows = run.ranked.get(subject, [])
        if not rows:
            continue
        tally = "; ".join(f"{g.name}: {sum(1 for r in rows if r.grade_id == g.id)} đơn vị" for g in cf.grades)
        assert f"b) Kết quả xếp loại: {tally}." in texts
    changed = [r for r in run.results if docx_report.self_assessed(r)
               and band_for(cf, r.record(TOTAL_ID).self_score).id != r.grade_id]
    assert changed  # the fixture has some: the test would prove nothing otherwise
    for r in changed:
        assert any(t.startswith(f"- {r.unit.unit_name}: tự chấm {format_vi(r.record(TOTAL_ID).self_score)}")
                   for t in texts)
    partial = [r for r in run.results if r.record(TOTAL_ID).self_score is not None and not docx_report.self_assessed(r)]
    unchanged_subjects = [s for s in run.criteria.subjects if run.ranked.get(s)
                          and not any(r.unit.subject == s for r in changed + partial)]
    assert texts.count("c) Đơn vị có xếp loại khác xếp loại theo điểm tự chấm: Không có.") == len(unchanged_subjects)


def test_notice_is_shown_in_a_bordered_paragraph_while_reconstructed(doc: DocxDocument, run: Run) -> None:
    assert run.criteria.status == "reconstructed"
    notice = [p for p in doc.paragraphs if run.criteria.file.notice in p.text]
    assert len(notice) == 1
    borders = notice[0]._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}")
    assert borders is not None and {b.tag for b in borders} == {qn(f"w:{s}") for s in ("top", "left", "bottom",
                                                                                          "right")}


def test_no_notice_once_the_criteria_are_official(run: Run, tmp_path: Path) -> None:
    official = dataclasses.replace(run.criteria, file=run.criteria.file.model_copy(update={"status": "official"}))
    path = write_docx(dataclasses.replace(run, criteria=official), tmp_path / "bc.docx")
    assert not any(run.criteria.file.notice in p.text for p in docx.Document(str(path)).paragraphs)


def test_one_chart_per_subject_type_and_the_signature_block(doc: DocxDocument, report: Path, run: Run) -> None:
    with zipfile.ZipFile(report) as z:
        images = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(images) == len([s for s in run.criteria.subjects if run.ranked.get(s)])
    texts = [p.text for t in doc.tables for c in t.rows[0].cells for p in c.paragraphs]
    for line in ("Nơi nhận:", "- Như trên;", "- Lưu: VT.", "TRƯỞNG PHÒNG", "(Ký, ghi rõ họ tên)"):
        assert line in texts


def test_appendix_has_one_table_per_unit_with_every_criterion(doc: DocxDocument, run: Run) -> None:
    head = _paragraph(doc, "PHỤ LỤC")
    assert head.paragraph_format.page_break_before
    tables = _tables_with_head(doc, DETAIL_HEAD)
    assert len(tables) == len(run.results)
    for r, table in zip(run.results, tables, strict=True):
        rows = [[c.text for c in row.cells] for row in table.rows[1:]]
        assert len(rows) == len(r.records)
        assert [row[0] for row in rows[:-2]] == [rec.criterion_id for rec in r.records[:-2]]
        assert rows[-1][1] == "Tổng điểm" and rows[-1][6] == format_vi(r.total)


def test_unit_names_are_plain_text(report: Path, run: Run) -> None:
    with zipfile.ZipFile(report) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "Phòng Tư pháp &lt;script&gt;" in xml and "<script>" not in xml
    assert "<w:t>=HYPERLINK(&quot;http://x&quot;)</w:t>" in xml or '<w:t>=HYPERLINK("http://x")</w:t>' in xml
    assert "instrText" not in xml and xml.count("<w:fldSimple") == 0  # no field built from a name
    names = {r.unit.unit_name for r in run.results}
    assert {"=HYPERLINK(\"http://x\")", "Phòng Tư pháp <script>"} <= names


def test_same_run_same_bytes_and_no_run_time_inside(run: Run, report: Path, tmp_path: Path) -> None:
    again = write_docx(run, tmp_path / "again.docx")
    assert again.read_bytes() == report.read_bytes()
    with zipfile.ZipFile(report) as z:
        assert {i.date_time for i in z.infolist()} == {FIXED_TIME}
        core = z.read("docProps/core.xml").decode()
        body = z.read("word/document.xml").decode()
    assert "2017-05-26T00:00:00Z" in core and f"{run.started:%Y-%m-%d}" not in core
    assert f"{run.started:%Y-%m-%d}" not in body and f"{run.started:%d/%m/%Y}" not in body


def test_same_bytes_in_a_fresh_process(inputs: Path, report: Path, tmp_path: Path) -> None:
    # Another interpreter with another hash seed: nothing may depend on set order or process state.
    out = tmp_path / "other.docx"
    code = ("import sys; from pathlib import Path; from scoring.pipeline import run; "
            "from scoring.reports.docx_report import write_docx; "
            "write_docx(run(Path(sys.argv[1]), year=2023), Path(sys.argv[2]))")
    subprocess.run([sys.executable, "-c", code, str(inputs), str(out)], check=True, timeout=300,
                   env={**os.environ, "PYTHONHASHSEED": "12345"}, cwd=Path(__file__).resolve().parents[1])
    assert out.read_bytes() == report.read_bytes()


def test_chart_png_is_reproducible_and_carries_no_metadata(run: Run) -> None:
    rows = run.ranked["xa"]
    png = chart.total_chart(rows, run.criteria.file)
    assert png == chart.total_chart(rows, run.criteria.file)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(png):
        size, kind = struct.unpack(">I4s", png[at:at + 8])
        chunks.append(kind)
        at += size + 12
    assert not {b"tEXt", b"iTXt", b"zTXt", b"tIME"} & set(chunks)
    with pytest.raises(ValueError):
        chart.total_chart([], run.criteria.file)


def test_failure_while_writing_leaves_no_file(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> bytes:
        raise RuntimeError("biểu đồ hỏng")

    monkeypatch.setattr(chart, "draw", broken)
    target = tmp_path / "bc.docx"
    with pytest.raises(RuntimeError):
        write_docx(run, target)
    assert list(tmp_path.iterdir()) == []
    target.write_bytes(b"ban cu")  # a report from an earlier run stays whole
    with pytest.raises(RuntimeError):
        write_docx(run, target)
    assert target.read_bytes() == b"ban cu" and list(tmp_path.iterdir()) == [target]


def test_libreoffice_opens_the_report(report: Path, run: Run, tmp_path: Path) -> None:
    if SOFFICE is not None and not (Path(SOFFICE).resolve().parent / "libswlo.so").exists() \
            and sys.platform.startswith("linux"):
        pytest.skip("LibreOffice Writer is not installed (libreoffice-writer-nogui)")
    text = convert(report, "txt:Text (encoded):UTF8", tmp_path).read_text("utf-8-sig")
    for line in ("BÁO CÁO", "PHỤ LỤC", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", *(r.unit.unit_name for r in run.results)):
        assert line in text


def test_no_year_an_ungraded_unit_and_control_characters(run: Run, tmp_path: Path) -> None:
    cf = run.criteria.file
    rows = list(run.ranked["xa"])
    last = rows[-1]
    rows[-1] = dataclasses.replace(last, grade_id=cf.ungraded.id, grade_name=cf.ungraded.name, graded=False,
                                   rank=None, unit=dataclasses.replace(last.unit, unit_name="Xã $x$\x0bLạ"))
    odd = dataclasses.replace(run, ranked={**run.ranked, "xa": rows}, year=None)
    doc = docx.Document(str(write_docx(odd, tmp_path / "bc.docx")))  # warnings are errors: none from the chart
    texts = [p.text for p in doc.paragraphs]
    assert "Kết quả chấm điểm, xếp loại công tác dân vận chính quyền năm ……" in texts
    summary = [[c.text for c in row.cells] for t in _tables_with_head(doc, SUMMARY_HEAD) for row in t.rows[1:]]
    assert any(row[:2] == ["—", "Xã $x$Lạ"] and row[6] == cf.ungraded.name for row in summary)
    assert any(t.endswith(f"{cf.ungraded.name}: 1 đơn vị.") for t in texts if t.startswith("b)"))


# ---- a province-sized run: the limits in docx_report hold, small runs are untouched ------------------------

@pytest.fixture(scope="module")
def big() -> Run:
    run = big_run()
    assert len(run.ranked["xa"]) > docx_report.TABLE_LIMIT and len(run.ranked["xa"]) > docx_report.CHART_LIMIT
    assert len(run.ranked["huyen"]) <= docx_report.CHART_LIMIT and len(run.results) > docx_report.DETAIL_LIMIT
    return run


@pytest.fixture(scope="module")
def big_report(big: Run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_docx(big, tmp_path_factory.mktemp("big") / "bao_cao_ket_qua.docx")


@pytest.fixture(scope="module")
def big_doc(big_report: Path) -> DocxDocument:
    return docx.Document(str(big_report))


def _changed(run: Run, rows: list[UnitResult]) -> list[UnitResult]:
    cf = run.criteria.file
    return [r for r in rows if docx_report.self_assessed(r)
            and band_for(cf, r.record(TOTAL_ID).self_score).id != r.grade_id]


def test_big_summary_lists_the_head_and_tail_of_the_ranking(big_doc: DocxDocument, big: Run) -> None:
    edge = docx_report.TABLE_EDGE
    huyen, xa = _tables_with_head(big_doc, SUMMARY_HEAD)  # in the criteria's subject order
    assert len(huyen.rows) == 1 + BIG_HUYEN  # within the limit: every unit, as before
    rows = [[c.text for c in row.cells] for row in xa.rows[1:]]
    assert len(rows) == 2 * edge + 1
    gap = f"… ({format_vi(BIG_XA - 2 * edge)} đơn vị, xem đầy đủ trong tệp Excel ket_qua_cham_diem.xlsx, " \
          "sheet «Tổng hợp»)"
    assert rows[edge] == [gap] * len(SUMMARY_HEAD)  # one cell merged across the table
    ranked = big.ranked["xa"]
    shown = [r.unit.unit_name for r in [*ranked[:edge], *ranked[-edge:]]]
    assert [row[1] for row in rows[:edge] + rows[edge + 1:]] == shown
    assert rows[0][0] == "1" and rows[-1][5] == format_vi(ranked[-1].total)
    texts = [p.text for p in big_doc.paragraphs]
    assert f"2. UBND xã, phường, thị trấn ({format_vi(BIG_XA)} đơn vị)" in texts
    assert f"a) Điểm tự chấm, điểm theo số liệu, điểm thẩm định và kết quả ({edge} đơn vị xếp đầu và {edge} đơn vị " \
           "xếp cuối):" in texts


def test_big_chart_counts_units_per_grade(big_doc: DocxDocument, big_report: Path, big: Run) -> None:
    with zipfile.ZipFile(big_report) as z:
        images = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(images) == 2  # the 30 district bars in one image; the communes' grade chart in the other
    texts = [p.text for p in big_doc.paragraphs]
    caption = f"Biểu đồ 2: Số đơn vị theo xếp loại (UBND xã, phường, thị trấn, {format_vi(BIG_XA)} đơn vị)"
    assert caption in texts and "Biểu đồ 1: Tổng điểm các đơn vị, màu theo xếp loại (UBND huyện, thành phố)" in texts
    assert not any(t.startswith("Biểu đồ 2: Tổng điểm") for t in texts)
    descr = [el.get("descr") for el in big_doc.element.body.iter(qn("wp:docPr"))]
    assert caption in descr


def test_grade_chart_is_reproducible_and_refuses_nothing_to_draw(big: Run) -> None:
    cf = big.criteria.file
    counts = [(g.id, g.name, n) for g, n in zip(cf.grades, (0, 16, 2554, 7750), strict=True)]
    png = chart.grade_chart(counts, cf)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png == chart.grade_chart(counts, cf)
    with pytest.raises(ValueError):
        chart.grade_chart([], cf)


def test_big_appendix_says_where_the_detail_is(big_doc: DocxDocument, big: Run) -> None:
    assert _tables_with_head(big_doc, DETAIL_HEAD) == []
    texts = [p.text for p in big_doc.paragraphs]
    after = texts[texts.index("PHỤ LỤC"):]
    note = next(t for t in after if t.startswith("Báo cáo gồm"))
    assert f"{format_vi(len(big.results))} cơ quan, đơn vị (nhiều hơn {docx_report.DETAIL_LIMIT})" in note
    for where in ("ket_qua_cham_diem.xlsx, sheet «Đối chiếu»", "truy_vet.json", "qd274 explain THƯ_MỤC --don-vi"):
        assert where in note
    assert not any(t.startswith(f"{n}. ") for n in (1, 2) for t in after)  # no unit headings


def test_big_changes_list_is_capped_with_a_count(big_doc: DocxDocument, big: Run) -> None:
    limit = docx_report.CHANGES_LIMIT
    changed = _changed(big, big.ranked["xa"])
    assert len(changed) > limit  # the fixture has more: the test would prove nothing otherwise
    texts = [p.text for p in big_doc.paragraphs]
    chart = texts.index(f"Biểu đồ 2: Số đơn vị theo xếp loại (UBND xã, phường, thị trấn, {format_vi(BIG_XA)} đơn vị)")
    start = texts.index("c) Đơn vị có xếp loại khác xếp loại theo điểm tự chấm:", chart)
    lines = texts[start + 1:texts.index("II. TỔNG HỢP CHUNG")]
    partial = sum(1 for r in big.ranked["xa"] if r.record(TOTAL_ID).self_score is not None
                  and not docx_report.self_assessed(r))
    if partial:  # said in one line after the list, never compared
        said = f"- {format_vi(partial)} đơn vị chỉ tự chấm một phần các tiêu chí: không so sánh xếp loại."
        assert lines.pop() == said
    assert len(lines) == limit + 1
    assert [t.split(":")[0] for t in lines[:limit]] == [f"- {r.unit.unit_name}" for r in changed[:limit]]
    assert lines[-1] == (f"- … và {format_vi(len(changed) - limit)} đơn vị khác (tổng cộng {format_vi(len(changed))} "
                         "đơn vị thay đổi xếp loại; điểm tự chấm và kết quả của từng đơn vị có trong tệp "
                         "truy_vet.json).")


def test_big_report_is_small_and_reproducible(big: Run, big_report: Path, tmp_path: Path) -> None:
    assert big_report.stat().st_size < 1_000_000
    assert write_docx(big, tmp_path / "again.docx").read_bytes() == big_report.read_bytes()


def test_limits_apply_just_past_them(run: Run, report: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The small run with the limits set at and just below its sizes: the same switch the big run takes."""
    xa = run.ranked["xa"]
    changed = _changed(run, run.results)
    assert len(xa) == 4 and changed
    for name, value in (("TABLE_LIMIT", len(xa)), ("CHART_LIMIT", len(xa)), ("DETAIL_LIMIT", len(run.results)),
                        ("CHANGES_LIMIT", len(changed))):
        monkeypatch.setattr(docx_report, name, value)
    assert write_docx(run, tmp_path / "at.docx").read_bytes() == report.read_bytes()  # at the limits: as before
    monkeypatch.setattr(docx_report, "TABLE_LIMIT", len(xa) - 1)
    monkeypatch.setattr(docx_report, "TABLE_EDGE", 1)
    monkeypatch.setattr(docx_report, "CHART_LIMIT", len(xa) - 1)
    monkeypatch.setattr(docx_report, "DETAIL_LIMIT", len(run.results) - 1)
    monkeypatch.setattr(docx_report, "CHANGES_LIMIT", 0)
    doc = docx.Document(str(write_docx(run, tmp_path / "past.docx")))
    xa_table = next(t for t in _tables_with_head(doc, SUMMARY_HEAD) if xa[0].unit.unit_name in t.rows[1].cells[1].text)
    names = [row.cells[1].text for row in xa_table.rows[1:]]
    assert names == [xa[0].unit.unit_name, "… (2 đơn vị, xem đầy đủ trong tệp Excel ket_qua_cham_diem.xlsx, sheet "
                                           "«Tổng hợp»)", xa[-1].unit.unit_name]
    texts = [p.text for p in doc.paragraphs]
    assert any(t.startswith("Biểu đồ") and "Số đơn vị theo xếp loại (UBND xã, phường, thị trấn, 4 đơn vị)" in t
               for t in texts)
    assert _tables_with_head(doc, DETAIL_HEAD) == []
    subjects = [s for s in run.criteria.subjects if _changed(run, run.ranked.get(s, []))]
    counted = [t for t in texts if t.startswith("- … và ")]
    assert len(counted) == len(subjects) and not any(t.startswith("- ") and ": tự chấm " in t for t in texts)
    assert counted[0].startswith(f"- … và {len(_changed(run, run.ranked[subjects[0]]))} đơn vị khác")


def test_rows_are_the_same_xml_whichever_way_they_are_built(run: Run, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows of plain text are parsed from a string (fast); python-docx builds the others. Both give one XML."""
    names = ["  Lề trái", "Có\ttab", "Xuống\ndòng", "Dấu & <thẻ> \"ngoặc\"", "Cuối "]
    rows = [dataclasses.replace(r, unit=dataclasses.replace(r.unit, unit_name=names[i % len(names)] + str(i)))
            for i, r in enumerate(run.ranked["xa"])]
    odd = dataclasses.replace(run, ranked={**run.ranked, "xa": rows})
    fast = write_docx(odd, tmp_path / "fast.docx").read_bytes()
    monkeypatch.setattr(docx_report, "_plain", lambda _values: False)
    slow = write_docx(odd, tmp_path / "slow.docx").read_bytes()
    assert fast == slow


def test_a_glyph_the_font_lacks_draws_without_a_warning(run: Run) -> None:
    import warnings
    from decimal import Decimal

    bars = (("Xã ＝ 𝔘 \u4e00", "tot", Decimal(90)), ("Xã Hai", "kha", Decimal(75)))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        png = chart.draw(chart.Chart("totals", bars), run.criteria.file)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [w for w in seen if "Glyph" in str(w.message)]


def test_a_partial_self_assessment_is_not_compared(tmp_path: Path) -> None:
    # the 2022 demo's sheet self-scores II.1 only: every commune was listed «tự chấm 3,5 điểm (Yếu)» under a
    # heading that blamed an appraisal no one made
    from scoring.pipeline import run as run_all

    demo = Path(__file__).resolve().parents[1] / "inputs" / "yen_the_2022"
    path = docx_report.write_docx(run_all(demo, year=2022), tmp_path / "bc.docx")
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    assert not any("sau thẩm định" in t for t in texts)
    assert not any(t.startswith("- ") and "tự chấm 3,5 điểm" in t for t in texts)
    assert any(t.endswith("đơn vị chỉ tự chấm một phần các tiêu chí: không so sánh xếp loại.") for t in texts)


def test_a_unit_without_data_has_no_points_in_the_word_report(tmp_path: Path) -> None:
    # a registered unit that sent nothing showed «0» points, «—» on the console; and «xếp loại Không xếp loại»
    import shutil

    from scoring.pipeline import run as run_all

    demo = tmp_path / "in"
    shutil.copytree(Path(__file__).resolve().parents[1] / "inputs" / "yen_the_2023", demo)
    gone = next((demo / "co_quan").iterdir())
    gone.unlink()
    result = run_all(demo, year=2023)
    (absent,) = [r for r in result.results if not r.unit.has_data]
    path = docx_report.write_docx(result, tmp_path / "bc.docx")
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert any(t.endswith("Kết quả: không có số liệu và điểm tự chấm, không xếp loại, không xếp hạng.") for t in texts)
    assert not any("xếp loại Không xếp loại" in t for t in texts)
    rows = [[c.text for c in row.cells] for table in document.tables for row in table.rows
            if any(c.text == absent.unit.unit_name for c in row.cells)]
    summary = [row for row in rows if len(row) == len(docx_report.SUMMARY_HEAD)]
    assert summary and all(row[3] == row[5] == "—" for row in summary)  # theo số liệu, kết quả
