"""The Word report: NĐ 30 layout (header table, title), a summary row per unit, the reconstruction notice, the
appendix, plain-text unit names, byte-reproducible (also across processes), atomic, opened by LibreOffice."""

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

from scoring.evaluate import TOTAL_ID
from scoring.grading import band_for
from scoring.numbers import format_vi
from scoring.pipeline import Run
from scoring.reports import chart
from scoring.reports.docx_report import DETAIL_HEAD, SUMMARY_HEAD, write_docx
from scoring.reports.package import FIXED_TIME
from tests.report_fixtures import small_run
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
    changed = [r for r in run.results if r.record(TOTAL_ID).self_score is not None
               and band_for(cf, r.record(TOTAL_ID).self_score).id != r.grade_id]
    assert changed  # the fixture has some: the test would prove nothing otherwise
    for r in changed:
        assert any(t.startswith(f"- {r.unit.unit_name}: tự chấm {format_vi(r.record(TOTAL_ID).self_score)}")
                   for t in texts)
    unchanged_subjects = [s for s in run.criteria.subjects if run.ranked.get(s)
                          and not any(r.unit.subject == s for r in changed)]
    assert texts.count("c) Đơn vị thay đổi xếp loại sau thẩm định: Không có.") == len(unchanged_subjects)


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

    monkeypatch.setattr(chart, "total_chart", broken)
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
