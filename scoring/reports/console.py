"""The console reporter (rich): ranking tables, grade counts, problems, one unit's derivation, criteria tree."""

from __future__ import annotations

from collections import Counter

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ..criteria import Criteria, Criterion
from ..criteria.models import SOURCE_STATUS_VI as STATUS_DOC
from ..errors import SEVERITY_RANK, SEVERITY_VI, InputError, by_severity
from ..evaluate import UnitResult
from ..numbers import format_or_dash as _num
from ..numbers import format_vi, show_value
from ..pipeline import Run
from ..plan import BASE_ID, TOTAL_ID
from ..ranking import edges
from ..rules import MISSING
from ..trace import LEAF, STATUS_VI, TraceRecord, kind_vi

GRADE_STYLE = {"tot": "bold green", "kha": "cyan", "trung_binh": "yellow", "yeu": "bold red"}
CONSOLE_LIMIT, CONSOLE_EDGE = 300, 50  # rows a terminal table is worth reading; beyond, the first and last 50
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}
# `check` lists this many problems of each code: a sheet of 20,000 unknown units printed 104,000 lines (15 s) and
# buried every other code; per code rather than overall, so that each kind of problem still shows.
CHECK_PER_CODE = 20


def notice(console: Console, criteria: Criteria) -> None:
    if criteria.status != "official":
        console.print(Panel(Text(criteria.file.notice, style="bold"), title="LƯU Ý", border_style="red"))


def _markers(r: UnitResult) -> str:
    marks = []
    leaves = r.leaves()
    if any("tu_cham_cao_hon" in x.flags for x in leaves):
        marks.append("tự chấm cao")
    if any("tham_dinh_khac" in x.flags for x in leaves):
        marks.append("có thẩm định")
    missing = sum(1 for x in leaves if x.status in (MISSING, "chua_cham"))
    if missing and r.unit.has_data:
        marks.append(f"thiếu {missing} số liệu")
    if not r.unit.has_data:
        marks.append("không có số liệu")
    elif r.overrides:
        marks.append("bị hạ loại")  # which condition: `qd274 explain`
    return ", ".join(marks)


def ranking(console: Console, run: Run) -> None:
    for subject in run.criteria.subjects:
        rows = run.ranked.get(subject)
        if not rows:
            continue
        scheme = run.criteria.scheme(subject)
        # Light box, no outer edge padding: the nine columns must fit a 100-column terminal without cropping.
        table = Table(title=f"Xếp hạng: {scheme.name} ({format_vi(len(rows))} đơn vị)", title_justify="left",
                      header_style="bold", show_lines=False, expand=False, box=box.SIMPLE_HEAVY, pad_edge=False)
        table.add_column("Hạng", justify="right")
        table.add_column("Mã", overflow="fold")
        table.add_column("Đơn vị", overflow="fold")
        for head in ("Tự chấm", "Theo số liệu", "Thẩm định", "Kết quả"):
            table.add_column(head, justify="right")
        table.add_column("Xếp loại")
        table.add_column("Ghi chú", overflow="fold")
        for r in edges(rows, CONSOLE_LIMIT, CONSOLE_EDGE):  # a province or the country: the ends, and a pointer
            if r is None:
                table.add_row("…", "", Text(f"{format_vi(len(rows) - 2 * CONSOLE_EDGE)} đơn vị nữa: xem đủ bằng "
                                            "qd274 report (tệp Excel) hoặc --json", style="italic"), *[""] * 6)
                continue
            tot = r.record(TOTAL_ID)
            has = r.unit.has_data  # a unit without data has no points to show, only "Không xếp loại"
            table.add_row(str(r.rank) if r.rank is not None else "—", Text(r.unit.unit_id), Text(r.unit.unit_name),
                          _num(tot.self_score), _num(tot.computed if has else None), _num(tot.appraised),
                          Text(_num(r.total if has else None), style="bold"),
                          Text(r.grade_name, style=GRADE_STYLE.get(r.grade_id, "")), _markers(r))
        console.print(table)
        counts = Counter(r.grade_name for r in rows)
        order = [name for _, name in run.criteria.file.grade_order()]
        console.print("  Số đơn vị theo xếp loại: " + "; ".join(f"{g}: {counts.get(g, 0)}" for g in order))
        console.print()
    # Plain words, no symbols: some terminals draw symbols such as ✎ two cells wide and break the columns.
    console.print("[dim]Ghi chú: «tự chấm cao» = tự chấm cao hơn số liệu ở ít nhất một tiêu chí; «bị hạ loại» = "
                  "một điều kiện xếp loại đã hạ loại (xem qd274 explain).[/dim]")


def problems(console: Console, items: list[InputError], limit: int | None = None, *, per_code: int | None = None,
             see_all: str = "--tat-ca hoặc --json") -> None:
    """The problems as a table: the first `limit` of them, at most `per_code` of each code (None: no cap), and a
    line for what was left out, saying how to see it all (`see_all`: the command's options for that)."""
    if not items:
        console.print("[green]Không phát hiện lỗi hoặc cảnh báo trong dữ liệu đầu vào.[/green]")
        return
    counts = Counter(p.severity for p in items)  # every problem, as report, the workbook and the exit code count
    merged = Counter(p.code for p in items if p.code in _FOLDED)
    items = by_severity(_fold(items))
    title = "Kiểm tra dữ liệu: " + ", ".join(f"{SEVERITY_VI[s].lower()} {format_vi(counts[s])}" for s in SEVERITY_RANK
                                              if counts[s])
    table = Table(title=title, title_justify="left", header_style="bold", expand=False, box=box.SIMPLE_HEAVY,
                  pad_edge=False)
    table.add_column("Mức")
    table.add_column("Mã lỗi")
    table.add_column("Vị trí", overflow="fold", max_width=44)
    table.add_column("Nội dung", overflow="fold", ratio=1)
    shown = items if limit is None else items[:limit]
    over: Counter[str] = Counter()  # per code, the problems left out by per_code
    if per_code is not None:
        listed: Counter[str] = Counter()
        kept = []
        for p in shown:
            listed[p.code] += 1
            if listed[p.code] <= per_code:
                kept.append(p)
            else:
                over[p.code] += 1
        shown = kept
    for p in shown:
        label, style = SEVERITY_VI.get(p.severity, p.severity), SEVERITY_STYLE.get(p.severity, "")
        table.add_row(Text(label, style=style), p.code, Text(str(p.location)), Text(p.message))  # user text: no markup
    console.print(table)
    rows = Counter(p.code for p in items if p.code in _FOLDED)
    for code, n in merged.items():  # the title counts each of them: say why the table holds fewer rows
        if rows[code] < n:
            console.print(f"[dim]{format_vi(n)} mục {code} được gộp thành {format_vi(rows[code])} dòng, một dòng mỗi "
                          "đơn vị.[/dim]")
    for code, n in over.items():
        console.print(f"[dim]… và {format_vi(n)} mục {code} khác (xem đủ với {see_all}).[/dim]")
    if len(shown) + sum(over.values()) < len(items):
        console.print(f"[dim]… và {len(items) - len(shown) - sum(over.values())} mục khác (xem đủ với {see_all})."
                      "[/dim]")


_FOLDED = {"MISSING_VALUE": "thiếu số liệu {n} chỉ tiêu (các tiêu chí liên quan tính 0 điểm): {ids}. Bổ sung số "
                            "liệu rồi chạy lại.",
           "OVERRIDE_DATA_MISSING": "thiếu số liệu để xét điều kiện xếp loại: {ids}; điều kiện được coi là không "
                                    "xảy ra."}


def _fold(items: list[InputError]) -> list[InputError]:
    """One row per unit for the per-indicator notices that would otherwise fill the screen (JSON keeps all)."""
    groups: dict[tuple[str, str | None], list[InputError]] = {}
    out = []
    for p in items:
        if p.code in _FOLDED:
            groups.setdefault((p.code, p.unit_id), []).append(p)
        else:
            out.append(p)
    for (code, unit_id), group in groups.items():
        ids = ", ".join(p.location.field or "?" for p in group)
        first = group[0]
        out.append(InputError(code, type(first.location)(file=first.location.file, field=unit_id),
                              _FOLDED[code].format(n=len(group), ids=ids), first.severity, unit_id))
    return out


def _columns(rec: TraceRecord) -> Text:
    text = Text()
    ref = rec.computed if rec.computed is not None else rec.self_score
    for label, value in (("tự chấm", rec.self_score), ("số liệu", rec.computed), ("thẩm định", rec.appraised)):
        style = "bold magenta" if value is not None and ref is not None and value != ref else ""
        text.append(f"{label} {_num(value)}", style=style)
        text.append("  ")
    text.append(f"→ {format_vi(rec.points)}/{format_vi(rec.max)} điểm", style="bold")
    return text


def explain(console: Console, run: Run, r: UnitResult) -> None:
    scheme = run.criteria.scheme(r.unit.subject)
    # Text, not markup: rich's escape() cannot protect a name ending in backslashes that a tag follows
    head = Text.assemble((r.unit.unit_name, "bold"), f" ({r.unit.unit_id}) · {scheme.name} · năm {r.unit.year}\n"
                         f"Nguồn: {r.unit.source or '—'}")
    console.print(Panel(head, title="Diễn giải điểm"))
    tree = Tree(f"[bold]{scheme.annex}[/bold]")

    def add(parent: Tree, node: Criterion) -> None:
        rec = r.record(node.id)
        head = Text.assemble((f"{node.id} ", "bold"), node.title, "  ", _columns(rec))
        lines: list[Text | str] = [head, Text(rec.sentence, style="italic")]
        if rec.level == LEAF:
            readings = r.unit.values
            for i in rec.inputs(readings):
                where = str(i.origin) if i.origin else "—"
                value = "trống (thiếu số liệu)" if i.value is None else show_value(i.value)
                lines.append(Text(f"  • {i.indicator} = {value}  [{where}]", style="dim"))
                evidence = i.evidence
                if evidence:  # the document the unit cites for this figure: what an auditor asks for next
                    lines.append(Text(f"    tài liệu kiểm chứng: {evidence}", style="dim"))
            if rec.reason:
                lines.append(Text(f"  Lý do thẩm định: {rec.reason}", style="magenta"))
            lines.append(Text(f"  Căn cứ: {rec.citation} · {STATUS_VI.get(rec.status, rec.status)}", style="dim"))
        branch = parent.add(Group(*lines))
        for child in node.children:
            add(branch, child)

    for group in scheme.criteria:
        add(tree, group)
    console.print(tree)
    console.print(f"[bold]Điểm cơ bản:[/bold] {escape(r.record(BASE_ID).sentence)}")
    console.print(f"[bold]Tổng điểm:[/bold] {escape(r.record(TOTAL_ID).sentence)}")
    grade = Text.assemble(("Xếp loại: ", "bold"), (r.grade_name, GRADE_STYLE.get(r.grade_id, "bold")))
    console.print(grade)
    for o in r.overrides:
        console.print(Text(f"  Điều kiện «{o.title}»: {o.sentence}"))
    if r.rank is not None:
        console.print(Text(f"Hạng trong {scheme.name}: {r.rank}"))
    ng = r.next_grade
    if ng is not None and ng.points_needed > 0:
        console.print(Text.assemble((f"Điểm cần thêm để lên loại {ng.grade_name}:", "bold"),
                                    f" {format_vi(ng.points_needed)} điểm. Các tiêu chí còn nhiều điểm nhất:"))
        for cid, title, open_points in ng.open_criteria:
            console.print(Text(f"  • {cid} {title}: còn {format_vi(open_points)} điểm"))
    if ng is not None and ng.capped_by:
        console.print(Text(f"  Lưu ý: xếp loại bị giới hạn bởi: {'; '.join(ng.capped_by)}"))
    mine = [p for p in run.problems if p.unit_id == r.unit.unit_id]
    if mine:
        problems(console, mine)


def criteria_tree(console: Console, criteria: Criteria, subject: str | None) -> None:
    notice(console, criteria)
    cf = criteria.file
    console.print(f"[bold]Quyết định {escape(cf.decision.number)}[/bold] ngày {cf.decision.date:%d/%m/%Y} của "
                  f"{escape(cf.decision.issuer)}: {escape(cf.decision.title)}")
    console.print(Text(f"Bộ tiêu chí {cf.id}, phiên bản {cf.version}, tình trạng "
                       f"{STATUS_DOC.get(cf.status, cf.status)}; kiểm tra lần cuối "
                       f"{cf.decision.last_verified.on:%d/%m/%Y} ({cf.decision.last_verified.by})."))
    for s in [subject] if subject else criteria.subjects:
        scheme = criteria.scheme(s)
        tree = Tree(f"[bold]{scheme.annex}: {scheme.name}[/bold] (mã {s}, tổng {format_vi(scheme.total)} điểm)")

        def add(parent: Tree, node: Criterion) -> None:
            kind = f" · {kind_vi(node.rule.kind)}" if node.rule else ""
            label = {"bonus": " (điểm thưởng, tối đa)", "deduction": " (điểm trừ, tối đa)"}.get(node.group or "", "")
            branch = parent.add(Text.assemble((f"{node.id} ", "bold"), node.title,
                                              (f" — {format_vi(node.max)} điểm{label}{kind}", "cyan"),
                                              (f"  [{node.source.annex}, mục {node.source.section}, "
                                               f"{STATUS_DOC.get(node.source.status, node.source.status)}]", "dim")))
            for c in node.children:
                add(branch, c)

        for g in scheme.criteria:
            add(tree, g)
        console.print(tree)
    bands = "; ".join(f"{g.name} ≥ {format_vi(g.min)}" for g in cf.grades)
    console.print(Text(f"Xếp loại: {bands}. Điều kiện: " + " · ".join(o.title for o in cf.overrides)))
