"""The HTML report: self-contained, escaped, deterministic, well-formed, and showing every unit's result; a
province- or country-sized run summarised within the limits, with notes saying where the rest is."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scoring.errors import InputError, Location
from scoring.numbers import format_vi
from scoring.pipeline import Run, run
from scoring.reports import html_report
from scoring.reports.html_report import render_html, write_html
from tests.report_fixtures import BIG_HUYEN, BIG_XA, big_run, build_inputs, small_run

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr", "source", "area", "base", "embed", "param",
        "track"}
# Every element the reporter writes; an input that smuggled in markup would show up as something else.
OWN_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "div", "strong",
            "nav", "a", "section", "table", "thead", "tbody", "tr", "th", "td", "span", "b", "br", "figure",
            "figcaption", "svg", "line", "text", "rect", "details", "summary", "ul", "li", "dl", "dt", "dd",
            "footer", "script"}


class Page(HTMLParser):
    """Collects what a test needs to look at, and checks that every element is closed where it was opened."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []  # text nodes outside <style> and <script>, unescaped
        self.raw: dict[str, list[str]] = {"style": [], "script": []}
        self.svg_text: list[str] = []
        self.rows: list[tuple[str, list[str]]] = []  # (table class, cell texts) of every body row
        self._tables: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self._tables.append(dict(attrs).get("class") or "")
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'} at {self.getpos()}")
            return
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append((self._tables[-1] if self._tables else "", self._row))
            self._row = None
        elif tag == "table":
            self._tables.pop()

    def handle_data(self, data: str) -> None:
        where = self.stack[-1] if self.stack else ""
        if where in self.raw:
            self.raw[where].append(data)
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if "svg" in self.stack:
            self.svg_text.append(data)

    def error(self, message: str) -> None:  # older parsers call this; keep it as a failure, not an exception
        self.errors.append(message)


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


@pytest.fixture(scope="module")
def the_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return small_run(tmp_path_factory.mktemp("inputs"))


@pytest.fixture(scope="module")
def page_text(the_run: Run) -> str:
    return render_html(the_run)


@pytest.fixture(scope="module")
def page(page_text: str) -> Page:
    return parse(page_text)


def test_parses_without_errors_and_every_element_closes(page_text: str, page: Page) -> None:
    assert page_text.startswith("<!DOCTYPE html>\n<html lang=\"vi\">")
    assert page.errors == []
    assert page.stack == []
    assert {t for t, _ in page.tags} <= OWN_TAGS
    assert ("meta", {"charset": "utf-8"}) in page.tags


def test_self_contained_no_network(page_text: str, page: Page) -> None:
    for tag, attrs in page.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed", "base", "audio", "video", "source")
        assert "src" not in attrs and "srcset" not in attrs, (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)  # no event handlers: only the one inline script runs
            low = (value or "").lower()
            assert "http:" not in low and "https:" not in low and "//" not in low, (tag, name, value)
            assert "url(" not in low and "javascript:" not in low, (tag, name, value)
        if tag == "a":
            assert (attrs.get("href") or "").startswith("#"), attrs
    style = "".join(page.raw["style"]).lower()
    script = "".join(page.raw["script"]).lower()
    for needle in ("@import", "url(", "http", "//"):
        assert needle not in style
    for needle in ("http", "fetch", "xmlhttprequest", "import(", "src"):
        assert needle not in script
    assert "@import" not in page_text
    assert "<link" not in page_text.lower()
    # Addresses may appear only as text (the decision's source, a hostile unit name), never as something loaded.
    text = "".join(page.text)
    for scheme in ("http://", "https://"):
        assert page_text.count(scheme) == text.count(scheme)
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp


def test_hostile_names_appear_only_as_text(the_run: Run, page_text: str, page: Page) -> None:
    assert page_text.count("<script") == 1  # the report's own print helper, nothing from inputs
    assert "Phòng Tư pháp &lt;script&gt;" in page_text
    assert '=HYPERLINK(&quot;http://x&quot;)' in page_text
    assert '=HYPERLINK("http://x")' not in page_text
    text = "".join(page.text)
    assert "Phòng Tư pháp <script>" in text
    assert '=HYPERLINK("http://x")' in text
    svg = "".join(page.svg_text)
    assert "Phòng Tư pháp <script>" in svg and '=HYPERLINK("http://x")' in svg  # chart labels are escaped too
    assert not any(tag == "a" and "http" in (a.get("href") or "") for tag, a in page.tags)


def _hostile(base: Run) -> Run:
    nasty_name = '"><img src=x onerror=alert(1)></text></svg><script>alert(2)</script>&amp;'
    nasty_id = "X'\"><b>"
    ranked = {}
    for subject, rows in base.ranked.items():
        new = []
        for i, r in enumerate(rows):
            unit = dataclasses.replace(r.unit, unit_name=f"{nasty_name} {i}", unit_id=f"{nasty_id}{subject}{i}",
                                       source="<i>tệp</i>.xlsx")
            new.append(dataclasses.replace(r, unit=unit))
        ranked[subject] = new
    problem = InputError("X<y>", Location(file="<a href='http://evil'>f</a>", cell="A1", field="<u>"),
                         "</td></tr></table><script>alert(3)</script>", "warning<", "<b>id")
    return dataclasses.replace(base, ranked=ranked, problems=[*base.problems, problem])


def test_any_input_text_is_escaped_everywhere(the_run: Run) -> None:
    hostile = _hostile(the_run)
    text = render_html(hostile)
    page = parse(text)
    assert page.errors == [] and page.stack == []
    assert {t for t, _ in page.tags} <= OWN_TAGS
    assert text.count("<script") == 1
    assert not any(name.startswith("on") for _, a in page.tags for name in a)
    assert not any("http" in (v or "") for _, a in page.tags for v in a.values())
    shown = "".join(page.text)
    assert '"><img src=x onerror=alert(1)></text></svg><script>alert(2)</script>&amp; 0' in shown
    assert "</td></tr></table><script>alert(3)</script>" in shown
    bars = [a for t, a in page.tags if t == "rect" and a.get("class") == "bar"]
    assert {a["data-unit"] for a in bars} == {r.unit.unit_id for r in hostile.results}


def test_every_unit_in_its_ranking_row_with_vietnamese_total(the_run: Run, page: Page) -> None:
    rows = [cells for table, cells in page.rows if table == "rank"]
    heads = [cells for cells in rows if cells and cells[0] == "Hạng"]
    assert heads and all(h == ["Hạng", "Mã", "Đơn vị", "Tự chấm", "Theo số liệu", "Thẩm định", "Kết quả",
                               "Xếp loại"] for h in heads)
    body = [cells for cells in rows if cells and cells[0] != "Hạng"]
    assert len(body) == len(the_run.results) == 7
    for r in the_run.results:
        row = next(c for c in body if c[1] == r.unit.unit_id)
        assert row[2] == r.unit.unit_name
        assert row[0] == str(r.rank)
        assert row[6] == format_vi(r.total)
        assert row[7].startswith(r.grade_name)
    # Vietnamese format: a decimal comma, never a decimal point (the fixture's totals have decimals).
    fractional = [r for r in the_run.results if r.total != r.total.to_integral_value()]
    assert fractional
    for r in fractional:
        row = next(c for c in body if c[1] == r.unit.unit_id)
        assert "," in row[6] and "." not in row[6]


def test_one_bar_per_unit_coloured_by_grade(the_run: Run, page: Page) -> None:
    bars = [a for t, a in page.tags if t == "rect" and a.get("class") == "bar"]
    assert len(bars) == len(the_run.results)
    assert [a["data-unit"] for a in bars] == [r.unit.unit_id for r in the_run.results]  # ranking order
    colour = {r.unit.unit_id: r.grade_id for r in the_run.results}
    by_grade: dict[str, set[str | None]] = {}
    for a in bars:
        by_grade.setdefault(colour[a["data-unit"] or ""], set()).add(a["fill"])
    assert all(len(fills) == 1 for fills in by_grade.values())  # one colour per grade
    assert len({next(iter(f)) for f in by_grade.values()}) == len(by_grade)  # and different grades differ
    for subject, rows in the_run.ranked.items():  # longer bar ⇔ higher total, within a chart
        widths = {a["data-unit"]: float(a["width"] or 0) for a in bars}
        ordered = [widths[r.unit.unit_id] for r in rows]
        assert ordered == sorted(ordered, reverse=True), subject
    dist = [a for t, a in page.tags if t == "rect" and a.get("class") == "dist-bar"]
    grades = len(the_run.criteria.file.grades) + 1
    assert len(dist) == grades * len([s for s in the_run.ranked if the_run.ranked[s]])
    text = "".join(page.text)
    cf = the_run.criteria.file
    for name in [g.name for g in cf.grades] + [cf.ungraded.name]:
        assert name in text


def test_same_run_same_text_and_only_the_run_time_varies(tmp_path: Path, the_run: Run, page_text: str) -> None:
    assert render_html(the_run) == page_text
    folder = build_inputs(tmp_path / "in")
    first, second = run(folder, year=2023), run(folder, year=2023)
    second = dataclasses.replace(second, started=first.started)
    assert render_html(first) == render_html(second)
    assert first.manifest()["generated_at"] in render_html(first)


def test_notice_only_while_not_official(the_run: Run, page_text: str) -> None:
    cf = the_run.criteria.file
    assert cf.status != "official"
    assert 'class="notice"' in page_text
    assert page_text.index(cf.notice) < page_text.index("Xếp hạng:")  # before any result
    official = dataclasses.replace(the_run.criteria, file=cf.model_copy(update={"status": "official"}))
    text = render_html(dataclasses.replace(the_run, criteria=official))
    assert 'class="notice"' not in text and cf.notice not in text


def test_unit_details_list_every_criterion(the_run: Run, page_text: str, page: Page) -> None:
    details = [a for t, a in page.tags if t == "details"]
    assert len(details) == len(the_run.results)
    crit_rows = [cells for table, cells in page.rows if table == "crit" and cells[0] != "Mã"]
    assert len(crit_rows) == sum(len(r.records) for r in the_run.results)
    r = the_run.results[0]
    rec = r.record("II.1")
    row = next(c for c in crit_rows[: len(r.records)] if c[0] == "II.1")  # the first unit's table comes first
    assert row[2] == format_vi(rec.max)
    assert rec.sentence in row[8]
    if rec.reason:
        assert rec.reason in row[8]
    # Depth shows as indentation.
    pads = {a.get("style") for t, a in page.tags if t == "td" and a.get("class") == "title"}
    assert len(pads) >= 3


def test_problems_and_manifest(the_run: Run, page: Page) -> None:
    text = "".join(page.text)
    assert the_run.problems
    problem_rows = [cells for table, cells in page.rows if table == "problems" and cells[0] != "Mức"]
    assert len(problem_rows) == len(the_run.problems)
    for p in the_run.problems:
        assert p.message in text
    m = the_run.manifest()
    assert m["criteria"]["sha256"] in text and m["criteria"]["file"] in text
    assert m["engine"]["version"] in text
    for f in m["inputs"]:
        assert f["sha256"] in text and f["file"] in text


def test_write_html_is_atomic_utf8(tmp_path: Path, the_run: Run, page_text: str) -> None:
    target = tmp_path / "bao_cao" / "ket_qua.html"
    assert write_html(the_run, target) == target
    assert target.read_bytes() == page_text.encode("utf-8")
    assert [p.name for p in target.parent.iterdir()] == ["ket_qua.html"]  # no temporary file left behind


def test_a_run_without_units_still_renders(tmp_path: Path) -> None:
    (tmp_path / "trong").mkdir()
    text = render_html(run(tmp_path / "trong", year=2023))
    page = parse(text)
    assert page.errors == [] and page.stack == []
    assert "Không có đơn vị nào để xếp hạng." in text
    assert not any(t == "rect" for t, _ in page.tags)


# ---- a province-sized run: the limits in html_report hold, small runs are untouched ------------------------

POINTER = "xem đầy đủ trong tệp Excel ket_qua_cham_diem.xlsx, sheet «Tổng hợp»"


def _big_run() -> Run:
    """Two errors at the end of the problems, where a cut taken in input order would drop them."""
    return big_run([InputError("LOI_CUOI", Location(file=f"z{i}.xlsx"), f"lỗi cuối danh sách {i}", "error",
                               "xa_00007") for i in range(2)])


@pytest.fixture(scope="module")
def big() -> Run:
    run = _big_run()
    assert len(run.ranked["xa"]) > html_report.TABLE_LIMIT and len(run.ranked["xa"]) > html_report.CHART_LIMIT
    assert len(run.ranked["huyen"]) <= html_report.CHART_LIMIT and len(run.results) > html_report.DETAIL_LIMIT
    assert len(run.problems) > html_report.PROBLEM_LIMIT
    return run


@pytest.fixture(scope="module")
def big_text(big: Run) -> str:
    return render_html(big)


@pytest.fixture(scope="module")
def big_page(big_text: str) -> Page:
    return parse(big_text)


def test_big_page_is_well_formed_small_and_deterministic(big: Run, big_text: str, big_page: Page) -> None:
    assert big_page.errors == [] and big_page.stack == []
    assert {t for t, _ in big_page.tags} <= OWN_TAGS
    assert len(big_text.encode("utf-8")) < 1_000_000
    assert render_html(big) == big_text
    ids = {a["id"] for _, a in big_page.tags if a.get("id")}
    links = {(a.get("href") or "")[1:] for t, a in big_page.tags if t == "a"}
    assert links <= ids  # no link to details that are not on the page


def test_big_ranking_lists_the_head_and_tail(big: Run, big_page: Page) -> None:
    edge = html_report.TABLE_EDGE
    body = [cells for table, cells in big_page.rows if table == "rank" and cells[0] != "Hạng"]
    assert len(body) == BIG_HUYEN + 2 * edge + 1  # the district table whole, the communes' cut
    gap = [i for i, cells in enumerate(body) if len(cells) == 1]
    assert [body[i] for i in gap] == [[f"… ({format_vi(BIG_XA - 2 * edge)} đơn vị, {POINTER})"]]
    xa = big.ranked["xa"]
    communes = body[BIG_HUYEN:]
    assert [c[1] for c in communes[:edge]] == [r.unit.unit_id for r in xa[:edge]]
    assert [c[1] for c in communes[edge + 1:]] == [r.unit.unit_id for r in xa[-edge:]]
    assert [c[1] for c in body[:BIG_HUYEN]] == [r.unit.unit_id for r in big.ranked["huyen"]]
    text = "".join(big_page.text)
    assert f"Xếp hạng: UBND xã, phường, thị trấn ({format_vi(BIG_XA)} đơn vị)" in text


def test_big_charts_fall_back_to_the_grade_distribution(big: Run, big_page: Page) -> None:
    bars = [a["data-unit"] for t, a in big_page.tags if t == "rect" and a.get("class") == "bar"]
    assert bars == [r.unit.unit_id for r in big.ranked["huyen"]]  # per unit only where there are few
    dist = [a for t, a in big_page.tags if t == "rect" and a.get("class") == "dist-bar"]
    assert len(dist) == 2 * (len(big.criteria.file.grades) + 1)
    text = "".join(big_page.text)
    assert f"Biểu đồ tổng điểm theo đơn vị chỉ vẽ khi có không quá {html_report.CHART_LIMIT} đơn vị" in text
    counts = [cells for table, cells in big_page.rows if table == "dist" and cells[0] != "Xếp loại"]
    assert sum(int(c[1].replace(".", "")) for c in counts) == BIG_XA + BIG_HUYEN


def test_big_page_has_no_unit_details_and_says_where_they_are(big: Run, big_text: str, big_page: Page) -> None:
    assert not any(t == "details" for t, _ in big_page.tags)
    assert not any(table == "crit" for table, _ in big_page.rows)
    text = "".join(big_page.text)
    assert f"Trang có {format_vi(len(big.results))} đơn vị (nhiều hơn {html_report.DETAIL_LIMIT})" in text
    for where in ("ket_qua_cham_diem.xlsx, sheet «Đối chiếu»", "truy_vet.json", "qd274 explain THƯ_MỤC --don-vi"):
        assert where in text
    assert "Bấm vào tên đơn vị để mở bảng điểm" not in text


def test_big_problems_are_capped_errors_first(big: Run, big_page: Page) -> None:
    limit = html_report.PROBLEM_LIMIT
    rows = [cells for table, cells in big_page.rows if table == "problems" and cells[0] != "Mức"]
    assert len(rows) == limit
    assert [r[1] for r in rows[:2]] == ["LOI_CUOI", "LOI_CUOI"] and rows[2][0] == "Cảnh báo"
    assert rows[0][2] == "xa_00007"  # named, not linked: the page has no details to link to
    text = "".join(big_page.text)
    assert f"Tổng cộng {format_vi(len(big.problems))} mục" in text
    assert f"còn {format_vi(len(big.problems) - limit)} mục nữa, xem đầy đủ trong tệp Excel " \
           "ket_qua_cham_diem.xlsx, sheet «Kiểm tra» hoặc tệp truy_vet.json." in text


def test_limits_apply_just_past_them(the_run: Run, page_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The small run with the limits set at and just below its sizes: the same switch the big run takes."""
    xa = the_run.ranked["xa"]
    assert len(xa) == 4
    for name, value in (("TABLE_LIMIT", len(xa)), ("CHART_LIMIT", len(xa)), ("DETAIL_LIMIT", len(the_run.results)),
                        ("PROBLEM_LIMIT", len(the_run.problems))):
        monkeypatch.setattr(html_report, name, value)
    assert render_html(the_run) == page_text  # at the limits: exactly as before
    for name, value in (("TABLE_LIMIT", len(xa) - 1), ("TABLE_EDGE", 1), ("CHART_LIMIT", len(xa) - 1),
                        ("DETAIL_LIMIT", len(the_run.results) - 1), ("PROBLEM_LIMIT", 1)):
        monkeypatch.setattr(html_report, name, value)
    page = parse(render_html(the_run))
    assert page.errors == [] and page.stack == []
    body = [cells for table, cells in page.rows if table == "rank" and cells[0] != "Hạng"]
    assert [f"… (2 đơn vị, {POINTER})"] in body
    ids = {r.unit.unit_id for r in xa}
    assert [c[1] for c in body if len(c) > 1 and c[1] in ids] == [xa[0].unit.unit_id, xa[-1].unit.unit_id]
    assert not any(t == "details" for t, _ in page.tags)
    bars = [a for t, a in page.tags if t == "rect" and a.get("class") == "bar"]
    assert {a["data-unit"] for a in bars}.isdisjoint(ids)
    assert len([cells for table, cells in page.rows if table == "problems" and cells[0] != "Mức"]) == 1
