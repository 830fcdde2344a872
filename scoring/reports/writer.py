"""Writes every file of `qd274 report` into one folder, each atomically (temp file, then rename)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import remove_stale_temps
from ..batch import gc_paused
from ..pipeline import Run
from ..trace import sentence_pass

if TYPE_CHECKING:
    from .aside import ChartWorker

XLSX, DOCX, HTML, TRACE = "ket_qua_cham_diem.xlsx", "bao_cao_ket_qua.docx", "bao_cao.html", "truy_vet.json"


def write_all(run: Run, out: Path, charts: ChartWorker | None = None) -> list[Path]:
    """`charts`: a worker (reports.aside.chart_worker) to draw the Word report's charts while the workbook is
    written; without one the Word writer draws them."""
    from .docx_report import chart_jobs, write_docx
    from .html_report import write_html
    from .trace_json import write_trace
    from .xlsx_report import write_xlsx

    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out, [XLSX, DOCX, HTML, TRACE])
    # gc paused: hundreds of thousands of short-lived acyclic dicts and strings (see scoring.batch); one
    # sentence pass: the workbook, the page and the trace render each branch sentence once between them
    with gc_paused(), sentence_pass():
        drawn = charts.draw(chart_jobs(run), run.criteria.file) if charts else None
        xlsx = write_xlsx(run, out / XLSX)
        return [xlsx, write_docx(run, out / DOCX, charts=drawn() if drawn else None), write_html(run, out / HTML),
                write_trace(run, out / TRACE)]
