"""Writes every file of `qd274 report` into one folder, each atomically (temp file, then rename)."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import remove_stale_temps, together
from ..batch import gc_paused
from ..pipeline import Run
from ..safe_paths import nearest_existing, real_path
from ..trace import sentence_pass

if TYPE_CHECKING:
    from .aside import ChartWorker

XLSX, DOCX, HTML, TRACE = "ket_qua_cham_diem.xlsx", "bao_cao_ket_qua.docx", "bao_cao.html", "truy_vet.json"
NAMES = (XLSX, DOCX, HTML, TRACE)


def out_problem(out: Path, source: Path) -> str | None:
    """Why the files cannot go to `out`, in Vietnamese, worked out before any input is read; None when they can.

    The input folder is refused, and any folder inside it: nothing is ever written there, and the next run
    would read the workbook back as an input."""
    if str(out) == "-":  # the usual name for standard output: report writes four files, never to the screen
        return ("«-» (màn hình) không dùng được: report ghi bốn tệp vào một thư mục. Ghi tên thư mục, ví dụ "
                "--out ket_qua.")
    existing = nearest_existing(out)
    if existing.exists() and not existing.is_dir():
        return f"«{existing}» là một tệp, không phải thư mục. Chọn một thư mục (chưa có thì qd274 tạo)."
    if _within(out, source):
        return (f"thư mục kết quả «{out}» nằm trong thư mục đầu vào «{source}»: qd274 không ghi gì vào thư mục "
                "đầu vào (lần chạy sau sẽ đọc lại tệp kết quả như số liệu). Chọn thư mục bên ngoài, ví dụ "
                f"«{real_path(source).parent / 'ket_qua'}».")
    for name in NAMES:
        if (out / name).exists() and not (out / name).is_file():
            return (f"«{out / name}» đã có nhưng không phải tệp thường (là thư mục, FIFO hoặc thiết bị): đổi tên "
                    "hoặc xóa nó, hoặc chọn thư mục khác.")
    return None


def db_problem(db: Path, source: Path) -> str | None:
    """Why the history cannot be kept in `db`, in Vietnamese; None when it can. Inside the input folder it cannot:
    qd274 writes nothing there (as for --out)."""
    if _within(db, source):
        return (f"tệp lịch sử «{db}» nằm trong thư mục đầu vào «{source}»: qd274 không ghi gì vào thư mục đầu vào. "
                f"Chọn tệp bên ngoài, ví dụ «{real_path(source).parent / 'lich_su.sqlite3'}», hoặc bỏ --db để dùng "
                "tệp mặc định.")
    if _is_link_loop(db):  # exists() says False: SQLite would fail to open it only after all the work
        return f"«{db}» là một vòng liên kết (symlink trỏ vòng về chính nó): --db cần tên một tệp thật."
    if db.is_dir():
        return f"«{db}» là một thư mục: --db cần tên một tệp, ví dụ «{db / 'lich_su.sqlite3'}»."
    if db.exists() and not db.is_file():  # a FIFO would make SQLite wait for a writer for ever
        return f"«{db}» không phải tệp thường (là FIFO, thiết bị hoặc socket): --db cần tên một tệp."
    return None


def _is_link_loop(path: Path) -> bool:
    try:
        path.stat()
    except OSError as exc:  # Windows says ERROR_CANT_RESOLVE_FILENAME (1921) for a loop
        return exc.errno == errno.ELOOP or getattr(exc, "winerror", None) == 1921
    return False


def _within(target: Path, source: Path) -> bool:
    """Whether `target` is the input folder `source` or inside it (links followed: a link to it is it)."""
    if not source.is_dir():
        return False
    inputs, resolved = real_path(source), real_path(target)
    return resolved == inputs or inputs in resolved.parents


def write_all(run: Run, out: Path, charts: ChartWorker | None = None) -> list[Path]:
    """`charts`: a worker (reports.aside.chart_worker) to draw the Word report's charts while the workbook is
    written; without one the Word writer draws them."""
    from .docx_report import chart_jobs, write_docx
    from .html_report import write_html
    from .trace_json import write_trace
    from .xlsx_report import write_xlsx

    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out, list(NAMES))
    # gc paused: hundreds of thousands of short-lived acyclic dicts and strings (see scoring.batch); one
    # sentence pass: the workbook, the page and the trace render each branch sentence once between them.
    # together(): the four files replace the previous four at the end, all of them or (a full disk, Ctrl+C)
    # none: a folder never holds a workbook of this run beside the trace of the last
    with gc_paused(), sentence_pass(), together():
        drawn = charts.draw(chart_jobs(run), run.criteria.file) if charts else None
        xlsx = write_xlsx(run, out / XLSX)
        written = [xlsx, write_docx(run, out / DOCX, charts=drawn() if drawn else None),
                   write_html(run, out / HTML), write_trace(run, out / TRACE)]
    return written
