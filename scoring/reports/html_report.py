"""The HTML report: one self-contained page (inline CSS, SVG charts, no network) of a run's results."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
from collections import Counter
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

from ..atomic import write_bytes_atomic
from ..criteria.models import SOURCE_STATUS_VI as STATUS_DOC
from ..errors import SEVERITY_RANK, SEVERITY_VI, InputError, by_severity
from ..evaluate import UnitResult
from ..numbers import format_or_dash as _num
from ..numbers import format_vi
from ..pipeline import Run
from ..plan import TOTAL_ID
from ..ranking import edges
from ..trace import GROUP, LEAF, STATUS_VI, TOTAL, TraceRecord
from .chart import UNGRADED_COLOUR, grade_colours
from .writer import TRACE, XLSX

KIND_VI = {"form": "biểu mẫu", "consolidated": "bảng tổng hợp", "registry": "danh sách đơn vị",
           "unreadable": "không đọc được", "output": "tệp kết quả của qd274 (không đọc)"}
LABEL_CHARS = 34  # unit names longer than this are cut in the chart (the full name is in the bar's tooltip)

# A province or the whole country (up to ~10,600 communes) in one page: past these sizes the page would weigh
# hundreds of megabytes and no browser would open it, so it shows a summary and says where the rest is (the
# workbook and the trace hold every unit). Runs within the limits render exactly as before.
TABLE_LIMIT = 500  # ranking rows per subject type; above it only the head and tail of the ranking are listed
TABLE_EDGE = 50  # ranked units listed at each end of a shortened ranking table
CHART_LIMIT = 60  # bars in a totals chart; above it only the chart of units per grade is drawn
DETAIL_LIMIT = 300  # units in the whole page with a criteria table; above it a note says where the detail is
PROBLEM_LIMIT = 1000  # rows of the data-check table (errors first); the rest are counted

# Browsers without ::details-content cannot print a closed <details>; open them all just before printing.
SCRIPT = "addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(" \
         "function(d){d.open=true})});"
# The policy forbids every fetch, so even a hostile input that slipped through escaping could not load anything.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
       "script-src 'sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode() + "'")

CSS = """
:root{--ink:#1d2430;--muted:#5b6472;--line:#d5dae1;--soft:#f3f5f8;--accent:#1f5fae}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:24px 28px 48px;color:var(--ink);background:#fff;
 font:14px/1.45 "Segoe UI","Noto Sans","DejaVu Sans",Arial,sans-serif}
h1{font-size:24px;margin:0 0 6px}
h2{font-size:19px;margin:34px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--accent)}
h3{font-size:16px;margin:22px 0 8px}
p{margin:6px 0}
.decision{font-size:15px}
.meta,.note{color:var(--muted);font-size:13px}
.notice{margin:16px 0;padding:12px 16px;border:2px solid #c0392b;border-left-width:8px;background:#fdecea;
 color:#7b1d14;font-size:15px}
.notice strong{letter-spacing:.04em}
nav{margin:14px 0;padding:8px 12px;background:var(--soft);border-radius:4px;font-size:13px}
nav a{margin-right:14px;white-space:nowrap;display:inline-block}
a{color:var(--accent)}
table{border-collapse:collapse;margin:8px 0 12px;font-size:13px}
th,td{border:1px solid var(--line);padding:4px 8px;vertical-align:top;text-align:left}
thead th{background:#e8edf4;font-weight:600}
tbody tr:nth-child(even) td{background:#fafbfc}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.total{font-weight:700}
.code{font-family:"DejaVu Sans Mono",Consolas,monospace;font-size:12px}
.hash{font-family:"DejaVu Sans Mono",Consolas,monospace;font-size:11px;word-break:break-all}
.sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px;
 -webkit-print-color-adjust:exact;print-color-adjust:exact}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;margin:6px 0 10px;max-width:750px}
.charts{display:flex;flex-wrap:wrap;gap:18px 28px;align-items:flex-start}
.charts figure{margin:0}
figcaption{font-size:13px;font-weight:600;margin-bottom:4px}
svg{max-width:100%;height:auto;font-family:"Segoe UI","Noto Sans","DejaVu Sans",Arial,sans-serif}
svg text{fill:var(--ink)}
svg .axis{fill:var(--muted);font-size:10px}
svg .grid{stroke:#e4e7ec;stroke-width:1}
svg .band{stroke:#7a8391;stroke-width:1;stroke-dasharray:4 3}
.flagged{font-size:12px;color:#7b1d14}
details.unit{border:1px solid var(--line);border-radius:4px;margin:8px 0;padding:0 10px}
details.unit>summary{cursor:pointer;padding:7px 0;font-weight:600}
details.unit[open]>summary{border-bottom:1px solid var(--line);margin-bottom:6px}
table.crit{width:100%}
table.crit td.crit-id,table.crit td.status{white-space:nowrap}
table.crit td.title{min-width:15em}
table.crit tr.group td{background:#eef2f8;font-weight:600}
table.crit tr.total td{background:#e3e9f2;font-weight:700;border-top:2px solid #9aa7b8}
.reason{display:block;color:#6a3d9a;font-style:italic}
.mark{color:#a0332a;font-weight:700}
table.problems td:first-child,table.problems th{white-space:nowrap}
.sev-error{color:#b3261e;font-weight:700}
.sev-warning{color:#8a5a00;font-weight:600}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:8px 0}
dl.kv dt{font-weight:600}
dl.kv dd{margin:0}
footer{margin-top:36px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:8px}
@media print{
 @page{size:A4 landscape;margin:12mm}
 body{max-width:none;padding:0;font-size:11px}
 nav{display:none}
 a{color:inherit;text-decoration:none}
 h2{break-after:avoid}
 h3{break-after:avoid}
 tr,figure,.notice{break-inside:avoid}
 thead{display:table-header-group}
 tbody tr:nth-child(even) td{background:none}
 details.unit{border:none;padding:0;break-before:page}
 h3.units+details.unit,#chi-tiet>p.note+h3.units{break-before:auto}
 h3.units{break-before:page}
 details.unit>summary{list-style:none;font-size:14px}
 details.unit>summary::-webkit-details-marker{display:none}
 .notice,.sw,svg,table.crit tr.group td,table.crit tr.total td{-webkit-print-color-adjust:exact;
  print-color-adjust:exact}
}
@media print{details::details-content{content-visibility:visible;display:block}}
"""


def _e(value: object) -> str:
    """Every text taken from inputs or the criteria file goes through here: text and attribute values alike."""
    return html.escape(str(value), quote=True)


def _n(value: float) -> str:
    """An SVG coordinate: short and the same on every platform (no float repr noise)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


class _Grades:
    """The grade bands in the criteria file's order, plus the ungraded label, with their colours."""

    def __init__(self, run: Run) -> None:
        cf = run.criteria.file
        colours = grade_colours(cf)  # the Word chart's colours: a grade looks the same in every report
        self.order = [(gid, name, colours[gid]) for gid, name in cf.grade_order()]  # id, name, colour
        self.colour = {gid: colour for gid, _, colour in self.order}
        self.ranges = {g.id: (f"≥ {format_vi(g.min)}" if g.below is None
                              else f"{format_vi(g.min)} – dưới {format_vi(g.below)}") for g in cf.grades}
        self.thresholds = [(g.min, g.name) for g in cf.grades if g.min > cf.score_range.min]

    def swatch(self, grade_id: str) -> str:
        return f'<span class="sw" style="background:{self.colour.get(grade_id, UNGRADED_COLOUR)}"></span>'

    def legend(self) -> str:
        items = []
        for gid, name, _ in self.order:
            band = self.ranges.get(gid)
            items.append(f"<span>{self.swatch(gid)}{_e(name)}{f' ({_e(band)})' if band else ''}</span>")
        return f'<div class="legend" aria-label="Chú giải màu xếp loại">{"".join(items)}</div>'


def _ticks(lo: Decimal, hi: Decimal) -> list[Decimal]:
    span = hi - lo
    if span <= 0:
        return [lo]
    step = Decimal(1)
    for k in range(-2, 6):
        step = next((m * Decimal(10) ** k for m in (1, 2, 5) if span / (m * Decimal(10) ** k) <= 10), Decimal(0))
        if step:
            break
    first = (lo / step).to_integral_value(rounding=ROUND_CEILING) * step
    out = []
    v = first
    while v <= hi:
        out.append(v)
        v += step
    return out


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rstrip() + "…"


def _totals_chart(run: Run, rows: list[UnitResult], grades: _Grades, caption_id: str) -> str:
    """Horizontal bars of the final totals, one per unit in ranking order, coloured by grade."""
    sr = run.criteria.file.score_range
    lo, hi = min(sr.min, Decimal(0)), max([sr.max, *[r.total for r in rows]])
    label_w, plot_w, value_w, row_h, top, bottom = 250, 440, 60, 24, 30, 26
    width, height = label_w + plot_w + value_w, top + row_h * len(rows) + bottom

    def x(v: Decimal) -> float:
        return label_w + float((v - lo) / (hi - lo)) * plot_w

    parts = [f'<svg class="chart totals" role="img" '
             f'aria-labelledby="{caption_id}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for t in _ticks(lo, hi):
        parts.append(f'<line class="grid" x1="{_n(x(t))}" y1="{top - 4}" x2="{_n(x(t))}" '
                     f'y2="{height - bottom + 2}"/>'
                     f'<text class="axis" x="{_n(x(t))}" y="{height - bottom + 15}" text-anchor="middle">'
                     f'{format_vi(t)}</text>')
    for value, name in grades.thresholds:
        parts.append(f'<line class="band" x1="{_n(x(value))}" y1="{top - 10}" x2="{_n(x(value))}" '
                     f'y2="{height - bottom + 2}"/>'
                     f'<text class="axis" x="{_n(x(value))}" y="{top - 14}" text-anchor="middle">'
                     f'{_e(name)} ≥ {format_vi(value)}</text>')
    zero = x(max(lo, Decimal(0)))
    for i, r in enumerate(rows):
        y = top + i * row_h
        end = x(r.total)
        left, w = min(zero, end), abs(end - zero)
        colour = grades.colour.get(r.grade_id, UNGRADED_COLOUR)
        tip = f"{r.unit.unit_name} ({r.unit.unit_id}): {format_vi(r.total)} điểm — {r.grade_name}"
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="12">'
                     f'{_e(_short(r.unit.unit_name))}</text>'
                     f'<rect class="bar" data-unit="{_e(r.unit.unit_id)}" x="{_n(left)}" y="{y + 4}" '
                     f'width="{_n(max(w, 1.0))}" height="{row_h - 8}" rx="2" fill="{colour}">'
                     f'<title>{_e(tip)}</title></rect>'
                     f'<text x="{_n(max(end, zero) + 5)}" y="{y + 16}" font-size="12" font-weight="600">'
                     f'{format_vi(r.total)}</text>')
    parts.append(f'<line x1="{_n(zero)}" y1="{top - 4}" x2="{_n(zero)}" y2="{height - bottom + 2}" '
                 f'stroke="#5b6472"/></svg>')
    return "".join(parts)


def _distribution_chart(counts: Counter[str], grades: _Grades, caption_id: str) -> str:
    """Small horizontal bars: how many units fall in each grade (every grade shown, zero included)."""
    label_w, plot_w, value_w, row_h, pad = 120, 170, 40, 22, 6
    width, height = label_w + plot_w + value_w, pad * 2 + row_h * len(grades.order)
    most = max([*counts.values(), 1])
    parts = [f'<svg class="chart dist" role="img" '
             f'aria-labelledby="{caption_id}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for i, (gid, name, colour) in enumerate(grades.order):
        y = pad + i * row_h
        n = counts.get(gid, 0)
        w = plot_w * n / most
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" font-size="12">{_e(name)}</text>'
                     f'<rect class="dist-bar" x="{label_w}" y="{y + 4}" width="{_n(w)}" height="{row_h - 8}" '
                     f'rx="2" fill="{colour}"><title>{_e(name)}: {format_vi(n)} đơn vị</title></rect>'
                     f'<text x="{_n(label_w + w + 5)}" y="{y + 15}" font-size="12" font-weight="600">'
                     f'{format_vi(n)}</text>')
    parts.append(f'<line x1="{label_w}" y1="{pad}" x2="{label_w}" y2="{height - pad}" stroke="#5b6472"/></svg>')
    return "".join(parts)


def _flags(r: UnitResult, grades: _Grades) -> str:
    """A note under the grade only when a condition changed it: conditions that cap a grade the unit is
    below anyway fire for most units, and listing them all would bury the ones that matter."""
    if not r.overrides or r.points_grade_id is None or r.points_grade_id == r.grade_id:
        return ""
    by_points = next((name for gid, name, _ in grades.order if gid == r.points_grade_id), r.points_grade_id)
    why = "; ".join(o.title for o in r.overrides)
    return f'<br><span class="flagged">⚑ theo điểm: {_e(by_points)}; điều kiện: {_e(why)}</span>'


def _subject_section(run: Run, k: int, subject: str, rows: list[UnitResult], grades: _Grades,
                     anchors: dict[int, str]) -> str:
    """`anchors`: the id of each unit's details, by id(result); a unit without one is named without a link."""
    scheme = run.criteria.scheme(subject)
    out = [f'<section id="xh-{k}"><h2>Xếp hạng: {_e(scheme.name)} ({format_vi(len(rows))} đơn vị)</h2>',
           f'<p class="meta">{_e(scheme.annex)}; tổng điểm cơ bản tối đa {format_vi(scheme.total)} điểm.</p>',
           '<table class="rank"><thead><tr><th class="n">Hạng</th><th>Mã</th><th>Đơn vị</th>'
           '<th class="n">Tự chấm</th><th class="n">Theo số liệu</th><th class="n">Thẩm định</th>'
           '<th class="n">Kết quả</th><th>Xếp loại</th></tr></thead><tbody>']
    for r in edges(rows, TABLE_LIMIT, TABLE_EDGE):
        if r is None:  # the ranks left out: every unit is in the workbook
            out.append(f'<tr><td colspan="8" class="note">… ({format_vi(len(rows) - 2 * TABLE_EDGE)} đơn vị, xem '
                       f'đầy đủ trong tệp Excel {XLSX}, sheet «Tổng hợp»)</td></tr>')
            continue
        tot = r.record(TOTAL_ID)
        anchor = anchors.get(id(r))
        name = f'<a href="#{anchor}">{_e(r.unit.unit_name)}</a>' if anchor else _e(r.unit.unit_name)
        out.append(f'<tr><td class="n">{r.rank if r.rank is not None else "—"}</td>'
                   f'<td class="code">{_e(r.unit.unit_id)}</td>'
                   f'<td>{name}</td>'
                   f'<td class="n">{_num(tot.self_score)}</td><td class="n">{_num(tot.computed)}</td>'
                   f'<td class="n">{_num(tot.appraised)}</td><td class="n total">{format_vi(r.total)}</td>'
                   f'<td>{grades.swatch(r.grade_id)}{_e(r.grade_name)}{_flags(r, grades)}</td></tr>')
    out.append("</tbody></table>")
    counts = Counter(r.grade_id for r in rows)
    dist_rows = "".join(
        f'<tr><td>{grades.swatch(gid)}{_e(name)}</td><td class="n">{format_vi(counts.get(gid, 0))}</td>'
        f'<td class="n">{format_vi(Decimal(100 * counts.get(gid, 0)) / len(rows), 1)} %</td></tr>'
        for gid, name, _ in grades.order)
    if len(rows) > CHART_LIMIT:
        # Thousands of bars are unreadable and weigh megabytes: the chart of units per grade says what they would.
        out.append(f'<p class="note">Biểu đồ tổng điểm theo đơn vị chỉ vẽ khi có không quá {CHART_LIMIT} đơn vị; '
                   f'tổng điểm của từng đơn vị có trong tệp Excel {XLSX}, sheet «Tổng hợp».</p>{grades.legend()}')
        totals = ""
    else:
        totals = (f'<figure><figcaption id="ct-{k}">Tổng điểm theo đơn vị (điểm)</figcaption>'
                  f'{_totals_chart(run, rows, grades, f"ct-{k}")}{grades.legend()}</figure>')
    out.append(
        f'<div class="charts">{totals}'
        f'<figure><figcaption id="cd-{k}">Số đơn vị theo xếp loại</figcaption>'
        f'{_distribution_chart(counts, grades, f"cd-{k}")}'
        '<table class="dist"><thead><tr><th>Xếp loại</th><th class="n">Số đơn vị</th><th class="n">Tỷ lệ</th>'
        f'</tr></thead><tbody>{dist_rows}</tbody></table></figure></div>')
    out.append("</section>")
    return "".join(out)


def _cell(value: Decimal | None, mark: str = "", why: str = "") -> str:
    extra = f' <span class="mark" title="{_e(why)}">{mark}</span>' if mark else ""
    return f'<td class="n">{_num(value)}{extra}</td>'


def _criteria_row(rec: TraceRecord) -> str:
    cls = {GROUP: ' class="group"', TOTAL: ' class="total"'}.get(rec.level, "")
    indent = f"{0.2 + 1.3 * rec.depth:.1f}em"
    ident = f'<b class="code">{_e(rec.criterion_id)}</b> ' if rec.level != TOTAL else ""
    high = "tu_cham_cao_hon" in rec.flags
    differs = "tham_dinh_khac" in rec.flags
    reason = f'<span class="reason">Lý do thẩm định: {_e(rec.reason)}</span>' if rec.level == LEAF and rec.reason \
        else ""
    # A total's status is not derived from its parts (it stays "ok"); showing it would claim complete data.
    status = "" if rec.level == TOTAL else _e(STATUS_VI.get(rec.status, rec.status))
    return (f'<tr{cls}><td class="crit-id" style="padding-left:{indent}">{ident}</td>'
            f'<td class="title" style="padding-left:{indent}">{_e(rec.title)}</td>'
            f'<td class="n">{format_vi(rec.max)}</td>'
            f'{_cell(rec.self_score, "▲" if high else "", "tự chấm cao hơn số liệu")}'
            f'{_cell(rec.computed)}'
            f'{_cell(rec.appraised, "✎" if differs else "", "điểm thẩm định khác tự chấm/số liệu")}'
            f'<td class="n total">{format_vi(rec.points)}</td>'
            f'<td class="status">{status}</td>'
            f'<td>{_e(rec.sentence)}{reason}</td></tr>')


def _unit_details(r: UnitResult, anchor: str, grades: _Grades, mine: int) -> str:
    """`mine`: how many data problems name this unit."""
    rank = f" · hạng {r.rank}" if r.rank is not None else ""
    out = [f'<details class="unit" id="{anchor}"><summary><span class="code">{_e(r.unit.unit_id)}</span> '
           f'{_e(r.unit.unit_name)} — {format_vi(r.total)} điểm · {grades.swatch(r.grade_id)}{_e(r.grade_name)}'
           f'{rank}</summary>',
           f'<p class="meta">Năm {_e(r.unit.year)} · nguồn: {_e(r.unit.source or "—")} · cơ bản '
           f'{format_vi(r.base)}, thưởng {format_vi(r.bonus)}, trừ {format_vi(r.deduction)}.</p>',
           '<table class="crit"><thead><tr><th>Mã</th><th>Tiêu chí</th><th class="n">Tối đa</th>'
           '<th class="n">Tự chấm</th><th class="n">Theo số liệu</th><th class="n">Thẩm định</th>'
           '<th class="n">Kết quả</th><th>Tình trạng</th><th>Diễn giải</th></tr></thead><tbody>']
    out.extend(_criteria_row(rec) for rec in r.records)
    out.append("</tbody></table>")
    for o in r.overrides:
        out.append(f'<p class="flagged">⚑ Điều kiện «{_e(o.title)}»: {_e(o.sentence)}</p>')
    ng = r.next_grade
    if ng is not None and ng.points_needed > 0:
        items = "".join(f"<li>{_e(cid)} {_e(title)}: còn {format_vi(p)} điểm</li>" for cid, title, p in
                        ng.open_criteria)
        out.append(f"<p>Điểm cần thêm để lên loại {_e(ng.grade_name)}: <b>{format_vi(ng.points_needed)}</b> điểm."
                   f"{' Các tiêu chí còn nhiều điểm nhất:' if items else ''}</p>{f'<ul>{items}</ul>' if items else ''}")
    if ng is not None and ng.capped_by:
        out.append(f'<p class="note">Xếp loại bị giới hạn bởi: {_e("; ".join(ng.capped_by))}</p>')
    if mine:
        out.append(f'<p class="note">{mine} lỗi/cảnh báo dữ liệu của đơn vị này: xem '
                   '<a href="#kiem-tra">Kiểm tra dữ liệu</a>.</p>')
    out.append("</details>")
    return "".join(out)


def _problems(items: list[InputError], unit_anchor: dict[str, str]) -> str:
    """`unit_anchor`: a unit id's details, when the page has them (a unit without is named without a link)."""
    if not items:
        return "<p>Không phát hiện lỗi hoặc cảnh báo trong dữ liệu đầu vào.</p>"
    items = by_severity(items)
    counts = Counter(p.severity for p in items)
    summary = ", ".join(f"{SEVERITY_VI.get(s, s).lower()} {format_vi(counts[s])}"
                        for s in sorted(counts, key=lambda s: (SEVERITY_RANK.get(s, 3), s)))
    out = [f"<p>Tổng cộng {format_vi(len(items))} mục: {_e(summary)}.</p>",
           '<table class="problems"><thead><tr><th>Mức</th><th>Mã lỗi</th><th>Đơn vị</th><th>Vị trí</th>'
           "<th>Nội dung</th></tr></thead><tbody>"]
    # Errors come first in the sort, so a cut never hides an error behind warnings (unless errors alone fill it).
    for p in items[:PROBLEM_LIMIT]:
        unit = "—"
        if p.unit_id:
            anchor = unit_anchor.get(p.unit_id)
            unit = f'<a href="#{anchor}">{_e(p.unit_id)}</a>' if anchor else _e(p.unit_id)
        out.append(f'<tr><td class="sev-{_e(p.severity)}">{_e(SEVERITY_VI.get(p.severity, p.severity))}</td>'
                   f'<td class="code">{_e(p.code)}</td><td class="code">{unit}</td>'
                   f"<td>{_e(p.location) or '—'}</td><td>{_e(p.message)}</td></tr>")
    out.append("</tbody></table>")
    if len(items) > PROBLEM_LIMIT:
        out.append(f'<p class="note">Bảng chỉ hiện {format_vi(PROBLEM_LIMIT)} mục đầu (lỗi trước, rồi cảnh báo, ghi '
                   f'chú); còn {format_vi(len(items) - PROBLEM_LIMIT)} mục nữa, xem đầy đủ trong tệp Excel {XLSX}, '
                   f'sheet «Kiểm tra» hoặc tệp {TRACE}.</p>')
    return "".join(out)


def _manifest(run: Run) -> str:
    m = run.manifest()
    c = m["criteria"]
    rows = [("Phần mềm", f'{_e(m["engine"]["name"])} phiên bản {_e(m["engine"]["version"])}'),
            ("Bộ tiêu chí", f'{_e(c["file"])} (mã {_e(c["id"])}, phiên bản {_e(c["version"])}, '
                            f'{_e(STATUS_DOC.get(c["status"], c["status"]))})'),
            ("Căn cứ", f'Quyết định {_e(c["decision"])}'),
            ("SHA-256 bộ tiêu chí", f'<span class="hash">{_e(c["sha256"])}</span>'),
            ("Danh sách đơn vị", _e(m["registry"] or "—")),
            ("Năm đánh giá", _e(m["year"] if m["year"] is not None else "—")),
            ("Thời điểm lập", _e(m["generated_at"]))]
    out = ['<dl class="kv">', *[f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows], "</dl>"]
    if m["inputs"]:
        out.append(f'<h3>Tệp đầu vào ({len(m["inputs"])} tệp)</h3><table class="inputs"><thead><tr>'
                   '<th class="n">#</th><th>Tệp</th><th>Loại</th><th class="n">Dung lượng (byte)</th>'
                   "<th>SHA-256</th></tr></thead><tbody>")
        for i, f in enumerate(m["inputs"], 1):
            out.append(f'<tr><td class="n">{i}</td><td>{_e(f["file"])}</td>'
                       f'<td>{_e(KIND_VI.get(f["kind"], f["kind"]))}</td><td class="n">{format_vi(f["bytes"])}</td>'
                       f'<td class="hash">{_e(f["sha256"])}</td></tr>')
        out.append("</tbody></table>")
    else:
        out.append("<p>Không có tệp đầu vào nào được đọc.</p>")
    return "".join(out)


def _when(started: dt.datetime) -> str:
    return f"{started:%H:%M} ngày {started:%d/%m/%Y}"


def render_html(run: Run) -> str:
    """The whole report as one HTML document; the same run gives the same text, the run's time apart."""
    cf = run.criteria.file
    d = cf.decision
    grades = _Grades(run)
    year = f" năm {run.year}" if run.year else ""
    title = f"Kết quả chấm điểm, xếp loại công tác dân vận chính quyền{year}"
    subjects = [(k, s, run.ranked[s]) for k, s in enumerate(run.criteria.subjects, 1) if run.ranked.get(s)]
    total_units = sum(len(rows) for _, _, rows in subjects)
    details = total_units <= DETAIL_LIMIT
    # Anchors by display position, never by unit id: ids come from inputs and may hold anything. None without
    # the details they would point at.
    anchors: dict[int, str] = {}
    unit_anchor: dict[str, str] = {}
    n = 0
    for _, _, rows in subjects if details else ():
        for r in rows:
            n += 1
            anchors[id(r)] = f"dv-{n}"
            unit_anchor.setdefault(r.unit.unit_id, f"dv-{n}")
    errors = sum(1 for p in run.problems if p.severity == "error")
    warnings = sum(1 for p in run.problems if p.severity == "warning")

    out = ['<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n',
           '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
           f'<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">\n',
           '<meta name="referrer" content="no-referrer">\n',
           f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header>\n",
           f"<h1>{_e(title)}</h1>\n",
           f'<p class="decision">Theo Quyết định số {_e(d.number)} ngày {d.date:%d/%m/%Y} của {_e(d.issuer)} '
           f"{_e(d.title[:1].lower() + d.title[1:])}.</p>\n",
           f'<p class="meta">Bộ tiêu chí {_e(cf.id)}, phiên bản {_e(cf.version)}, tình trạng: '
           f"{_e(STATUS_DOC.get(cf.status, cf.status))}. Lập lúc {_e(_when(run.started))} bằng qd274.</p>\n</header>\n"]
    if cf.status != "official":
        out.append(f'<div class="notice" role="note"><strong>LƯU Ý:</strong> {_e(cf.notice)}</div>\n')
    nav = "".join(f'<a href="#xh-{k}">{_e(run.criteria.scheme(s).name)}</a>' for k, s, _ in subjects)
    out.append(f'<nav aria-label="Mục lục">{nav}<a href="#chi-tiet">Chi tiết từng đơn vị</a>'
               '<a href="#kiem-tra">Kiểm tra dữ liệu</a><a href="#ban-ghi">Thông tin lần chạy</a></nav>\n')
    out.append(f"<p>Số đơn vị được chấm: <b>{format_vi(total_units)}</b>"
               + "".join(f" · {_e(run.criteria.scheme(s).name)}: {format_vi(len(rows))}" for _, s, rows in subjects)
               + f". Kiểm tra dữ liệu: {format_vi(errors)} lỗi, {format_vi(warnings)} cảnh báo.</p>\n")
    if not subjects:
        out.append("<p>Không có đơn vị nào để xếp hạng.</p>\n")
    for k, s, rows in subjects:
        out.append(_subject_section(run, k, s, rows, grades, anchors) + "\n")
    out.append('<section id="chi-tiet"><h2>Chi tiết điểm từng đơn vị</h2>')
    if details:
        out.append('<p class="note">Bấm vào tên đơn vị để mở bảng điểm. Ký hiệu: ▲ tự chấm cao hơn số liệu · '
                   "✎ điểm thẩm định khác tự chấm/số liệu · ⚑ điều kiện xếp loại đã áp dụng. "
                   "Khi in, mọi bảng điểm đều được mở.</p>\n")
        # Counted once: a scan of every problem per unit is quadratic (minutes for a province).
        per_unit = Counter(p.unit_id for p in run.problems if p.unit_id)
        for _, s, rows in subjects:
            out.append(f'<h3 class="units">{_e(run.criteria.scheme(s).name)}</h3>\n')
            out.extend(_unit_details(r, anchors[id(r)], grades, per_unit[r.unit.unit_id]) + "\n" for r in rows)
    else:
        # A criteria table per unit is ~24 KB: thousands of them make a page no browser opens.
        out.append(f'<p class="note">Trang có {format_vi(total_units)} đơn vị (nhiều hơn {format_vi(DETAIL_LIMIT)}) '
                   "nên không kèm bảng điểm chi tiết của từng đơn vị. Điểm tự chấm, điểm theo số liệu, điểm thẩm "
                   f"định và kết quả theo từng tiêu chí của mọi đơn vị có trong tệp Excel {XLSX}, sheet «Đối chiếu»; "
                   f"diễn giải và căn cứ của từng điểm có trong tệp {TRACE}; diễn giải một đơn vị: lệnh "
                   '<span class="code">qd274 explain THƯ_MỤC --don-vi "tên hoặc mã đơn vị"</span>.</p>\n')
    out.append("</section>\n")
    out.append(f'<section id="kiem-tra"><h2>Kiểm tra dữ liệu</h2>{_problems(run.problems, unit_anchor)}'
               "</section>\n")
    out.append(f'<section id="ban-ghi"><h2>Thông tin lần chạy</h2>{_manifest(run)}</section>\n')
    out.append(f"<footer>Căn cứ: Quyết định số {_e(d.number)} ngày {d.date:%d/%m/%Y} của {_e(d.issuer)}. "
               f"Nguồn văn bản: {_e(d.url)}. Báo cáo do qd274 tạo; mọi số liệu lấy từ các tệp đầu vào ghi ở "
               "mục Thông tin lần chạy.</footer>\n")
    out.append(f"<script>{SCRIPT}</script>\n</body>\n</html>\n")
    return "".join(out)


def write_html(run: Run, target: Path) -> Path:
    """Write the report to `target` atomically (a reader never sees half a page)."""
    return write_bytes_atomic(Path(target), render_html(run).encode("utf-8"))
