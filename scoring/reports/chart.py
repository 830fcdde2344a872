"""The Word report's bar charts as byte-reproducible PNGs: total points per unit coloured by grade, or, for a
subject type with too many units for one bar each, the number of units per grade."""

from __future__ import annotations

import io
import unicodedata
import warnings
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from ..criteria.models import CriteriaFile
from ..numbers import format_vi

if TYPE_CHECKING:
    from ..evaluate import UnitResult

# The colours of a grade in every report (the HTML page uses them too); they stay apart for
# colour-blind readers and in greyscale print.
GRADE_COLOURS = {"tot": "#1b7f3b", "kha": "#1f5fae", "trung_binh": "#d98a00", "yeu": "#c0392b",
                 "khong_xep_loai": "#8c8c8c"}
SPARE_COLOURS = ("#6a3d9a", "#008080", "#b15928", "#cc79a7", "#4d4d4d")  # grades other criteria files name
UNGRADED_COLOUR = "#8c8c8c"
MAX_BARS = 30  # more than this would not fit one page at a readable size: callers split the units
LABEL_CHARS = 38  # longer unit names are cut here (the table beside the chart has the full name)
WIDTH_IN = 16 / 2.54  # the chart is placed 16 cm wide: drawn at that size, its 8 pt text prints as 8 pt
DPI = 200
FONT = "DejaVu Sans"  # ships with matplotlib (Vietnamese glyphs included): the same pixels on every machine


def grade_colours(cf: CriteriaFile) -> dict[str, str]:
    spare = iter(SPARE_COLOURS)
    out = {g.id: GRADE_COLOURS.get(g.id) or next(spare, "#4d4d4d") for g in cf.grades}
    out[cf.ungraded.id] = UNGRADED_COLOUR
    return out


def short(name: str) -> str:
    """A one-line label: control characters (no glyph in any font) become spaces, long names are cut."""
    name = " ".join("".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in name).split())
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rstrip() + "…"


class Chart(NamedTuple):
    """One chart as plain data (what a worker process is handed): "totals" bars are (unit name, grade id,
    total), "grades" bars (grade id, grade name, count)."""

    kind: str
    bars: tuple[tuple[str, str, Decimal | int], ...]


def totals(rows: Sequence[UnitResult]) -> Chart:
    return Chart("totals", tuple((r.unit.unit_name, r.grade_id, r.total) for r in rows))


def prepare() -> None:
    """Import matplotlib: most of the first chart's time (reports.aside does it ahead, on another core)."""
    import matplotlib.backends.backend_agg
    import matplotlib.figure
    import matplotlib.patches
    import matplotlib.style
    import matplotlib.ticker  # noqa: F401


def draw(job: Chart, cf: CriteriaFile) -> bytes:
    with warnings.catch_warnings():
        # A character the bundled font lacks (a full-width ＝ in a name) is drawn as a box; matplotlib's warning
        # about it would print a Python file path on the officer's console
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        if job.kind == "totals":
            return _draw_totals(job.bars, cf)  # type: ignore[arg-type]
        return grade_chart(job.bars, cf)  # type: ignore[arg-type]


def draw_all(jobs: Sequence[Chart], cf: CriteriaFile) -> list[bytes]:
    return [draw(job, cf) for job in jobs]


def total_chart(rows: Sequence[UnitResult], cf: CriteriaFile) -> bytes:
    """Horizontal bars of the final totals in the given (ranking) order, grade thresholds marked.

    The PNG has a fixed size and dpi and no metadata chunk (no software version, no time): the same
    rows give the same bytes.
    """
    return draw(totals(rows), cf)


def _draw_totals(bars: Sequence[tuple[str, str, Decimal]], cf: CriteriaFile) -> bytes:
    if not bars or len(bars) > MAX_BARS:
        raise ValueError(f"biểu đồ cần từ 1 đến {MAX_BARS} đơn vị, nhận {len(bars)}")
    # Imported here: only the Word report draws, and matplotlib takes a noticeable time to import.
    import matplotlib
    import matplotlib.style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    colours = grade_colours(cf)
    lo = float(min(cf.score_range.min, Decimal(0)))
    hi = float(max([cf.score_range.max, *[total for _, _, total in bars]]))
    # The built-in defaults, not the user's matplotlibrc, so the bytes do not depend on the machine;
    # parse_math off so a "$" in a unit name is printed, not read as a formula.
    with matplotlib.style.context("default"), matplotlib.rc_context(
            {"font.family": [FONT], "font.size": 8, "text.parse_math": False, "axes.unicode_minus": False}):
        height = 0.95 + 0.26 * len(bars)
        fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ys = list(range(len(bars)))
        values = [float(total) for _, _, total in bars]
        ax.barh(ys, values, height=0.62, color=[colours.get(gid, UNGRADED_COLOUR) for _, gid, _ in bars],
                zorder=3)
        for y, (_, _, total), v in zip(ys, bars, values, strict=True):
            ax.text(v + (hi - lo) * 0.008, y, format_vi(total), va="center", ha="left", fontsize=7.5,
                    fontweight="bold", zorder=4)
        ax.set_yticks(ys, labels=[short(name) for name, _, _ in bars])
        ax.invert_yaxis()  # rank 1 on top, as in the table
        ax.set_ylim(len(bars) - 0.5, -0.5)
        thresholds = sorted({b.min for b in cf.grades if lo < b.min < hi})
        ticks = sorted({Decimal(int(lo)), *thresholds, cf.score_range.max})
        ax.set_xticks([float(t) for t in ticks], labels=[format_vi(t) for t in ticks])
        ax.set_xlim(lo, hi + (hi - lo) * 0.07)  # room for the value printed after a full bar
        for t in thresholds:
            ax.axvline(float(t), color="#5b6472", linewidth=0.7, linestyle=(0, (3, 2)), zorder=2)
        ax.grid(False)
        ax.spines[["top", "right"]].set_visible(False)
        ax.spines["bottom"].set_bounds(lo, hi)  # the axis ends at the maximum score, not in the label room
        ax.set_xlabel("Tổng điểm")
        present = {gid for _, gid, _ in bars}
        handles = [Patch(color=colours[gid], label=name) for gid, name in cf.grade_order()
                   if gid in present or gid != cf.ungraded.id]
        fig.legend(handles=handles, loc="outside upper center", ncols=len(handles), frameon=False,
                   handlelength=1.2, columnspacing=1.4)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def grade_chart(counts: Sequence[tuple[str, str, int]], cf: CriteriaFile) -> bytes:
    """Horizontal bars of the number of units per grade, (grade id, name, count) in the order given.

    For a subject type with more units than one bar each could show; fixed size, no metadata, as above.
    """
    if not counts:
        raise ValueError("biểu đồ cần ít nhất một xếp loại")
    import matplotlib
    import matplotlib.style
    import matplotlib.ticker
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    colours = grade_colours(cf)
    total = sum(n for _, _, n in counts)
    most = max([n for _, _, n in counts] + [1])
    with matplotlib.style.context("default"), matplotlib.rc_context(
            {"font.family": [FONT], "font.size": 8, "text.parse_math": False, "axes.unicode_minus": False}):
        fig = Figure(figsize=(WIDTH_IN, 0.8 + 0.34 * len(counts)), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ys = list(range(len(counts)))
        ax.barh(ys, [n for _, _, n in counts], height=0.62,
                color=[colours.get(gid, UNGRADED_COLOUR) for gid, _, _ in counts], zorder=3)
        for y, (_, _, n) in zip(ys, counts, strict=True):
            share = format_vi(Decimal(100 * n) / total, 1) if total else "0"
            ax.text(n + most * 0.01, y, f"{format_vi(n)} ({share} %)", va="center", ha="left", fontsize=7.5,
                    fontweight="bold", zorder=4)
        ax.set_yticks(ys, labels=[short(name) for _, name, _ in counts])
        ax.set_ylim(len(counts) - 0.5, -0.5)  # the best grade on top, as in the criteria file
        ax.set_xlim(0, most * 1.22)  # room for the count printed after the longest bar
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: format_vi(int(v))))
        ax.grid(axis="x", color="#e4e7ec", linewidth=0.6, zorder=0)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_xlabel("Số đơn vị")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()
