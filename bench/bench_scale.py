"""Benchmark at province and national scale; prints wall time, peak memory and a per-stage split.

    python bench/bench_scale.py                      # every scenario below, each in its own process
    python bench/bench_scale.py --only consolidated-csv --units 10600

Scenarios (issue 6), each beside the floor it is compared with, measured in the same run:
  forms-250, forms-2500   per-unit forms end to end (read, evaluate, rank, JSON document)
                          floor: python-calamine alone reading every sheet of the same files
  consolidated-csv/xlsx   one consolidated sheet of N units (default 10,600: every commune before 2025),
                          read, evaluated, ranked and reported (the four files of `qd274 report`)
                          floor: pandas alone reading the same file
  linear                  the consolidated CSV at 1×, 4×, 16× of --base units (cost should be linear)
  history                 ten years of the 10,600-unit run recorded in SQLite, then a two-year comparison
  help                    `qd274 --help` wall time (goal < 0.5 s)
  cli-score, cli-score-json, cli-report
                          `qd274 score` (console), `score --json`, `report` (four files and the history) on the
                          10,600-unit CSV, each as its own process: wall time and its peak RSS
Peak memory is the scenario process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_consolidated(path: Path, units: int, seed: int = 1) -> Path:
    """A consolidated sheet of communes (xa) with every indicator of the scheme, as people fill it."""
    from scoring import load_criteria
    from scoring.forms.consolidated_template import consolidated_columns
    from tests.strategies import random_value

    criteria = load_criteria()
    columns = [c for c, _ in consolidated_columns(criteria, "xa") if ":" not in c] + ["tu_cham:II.1"]
    rnd = random.Random(seed)
    rows = []
    for n in range(units):
        row: dict[str, object] = {"ma_don_vi": f"X{n:06d}", "ten_don_vi": f"Xã Số {n}", "doi_tuong": "xa",
                                  "nam": 2023, "tu_cham:II.1": "3,5"}
        for c in columns[4:-1]:
            ind = criteria.indicators[c]
            v = False if c == "khong_nop_ho_so" else random_value(ind.type, ind.choices, rnd)
            row[c] = (("Có" if v else "Không") if isinstance(v, bool) else
                      v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else v)
        rows.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=columns)
            w.writeheader()
            w.writerows(rows)
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Tổng hợp")
        ws.append(columns)
        for row in rows:
            ws.append([row.get(c) for c in columns])
        wb.save(path)
    return path


def scenario_consolidated(units: int, kind: str, report: bool = True) -> dict[str, float]:
    from scoring.pipeline import run
    from scoring.reports.json_doc import dumps

    with tempfile.TemporaryDirectory(prefix="qd274_scale_") as tmp:
        src = write_consolidated(Path(tmp) / "in" / f"tong_hop.{kind}", units)
        figures: dict[str, float] = {"bytes": src.stat().st_size}
        import pandas as pd

        t = time.perf_counter()
        if kind == "csv":
            pd.read_csv(src, dtype=str)
        else:
            pd.read_excel(src, engine="calamine", dtype=str)
        figures["floor_pandas_s"] = time.perf_counter() - t
        base_rss = _rss_mb()
        t0 = time.perf_counter()
        result = run(src.parent, year=2023)
        t1 = time.perf_counter()
        figures["read_evaluate_rank_s"] = t1 - t0
        assert len(result.results) == units, (len(result.results), result.problems[:3])
        text = dumps(result)
        t2 = time.perf_counter()
        figures["json_document_s"] = t2 - t1
        figures["json_mb"] = len(text.encode()) / 1e6
        del text
        if report:
            from scoring.history import connect, record_run
            from scoring.reports import docx_report, html_report, trace_json, xlsx_report

            out = Path(tmp) / "out"
            for name, fn, target in (("xlsx", xlsx_report.write_xlsx, "kq.xlsx"),
                                     ("docx", docx_report.write_docx, "bc.docx"),
                                     ("html", html_report.write_html, "bc.html"),
                                     ("trace_json", trace_json.write_trace, "tv.json")):
                t = time.perf_counter()
                path = fn(result, out / target)
                figures[f"{name}_s"] = time.perf_counter() - t
                figures[f"{name}_mb"] = path.stat().st_size / 1e6
            t = time.perf_counter()
            record_run(connect(Path(tmp) / "h.sqlite3"), result)
            figures["history_s"] = time.perf_counter() - t
        figures["total_s"] = time.perf_counter() - t0
        figures["peak_rss_mb"] = _rss_mb()
        figures["rss_before_run_mb"] = base_rss
    return figures


def scenario_forms(count: int) -> dict[str, float]:
    from bench_read import calamine_floor, generate

    from scoring import load_criteria
    from scoring.pipeline import run
    from scoring.reports.json_doc import dumps

    criteria = load_criteria()
    share = {"huyen": 0.04, "co_quan": 0.124}
    counts = {"huyen": max(1, round(count * share["huyen"])), "co_quan": max(1, round(count * share["co_quan"]))}
    counts["xa"] = count - counts["huyen"] - counts["co_quan"]
    with tempfile.TemporaryDirectory(prefix="qd274_forms_") as tmp:
        folder = Path(tmp)
        generate(folder, criteria, counts, random.Random(1))
        files = sorted(folder.rglob("*.xlsx"))
        t = time.perf_counter()
        calamine_floor(files)
        floor = time.perf_counter() - t
        t0 = time.perf_counter()
        result = run(folder, year=2023)
        dumps(result)
        total = time.perf_counter() - t0
        assert len(result.results) == count
    return {"floor_calamine_s": floor, "end_to_end_s": total, "ratio": total / floor, "peak_rss_mb": _rss_mb()}


def _tree(pid: int) -> list[int]:
    """The process and its descendants (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:  # ended meanwhile
            continue
        for task in tasks:
            try:
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
            except OSError:  # that thread ended meanwhile: its siblings' children still count
                pass
    return out


def _pss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def scenario_cli(units: int, command: str) -> dict[str, float]:
    """The command people run, as a separate process: wall time, the peak RSS of its largest process, and the
    peak memory of it and every process it starts (the readers' and the chart worker), sampled every 50 ms
    as the sum of their proportional set sizes: pages shared after a fork are counted once, not per process."""
    import threading

    with tempfile.TemporaryDirectory(prefix="qd274_cli_") as tmp:
        src = write_consolidated(Path(tmp) / "in" / "tong_hop.csv", units)
        args = {"report": ["report", str(src.parent), "--out", str(Path(tmp) / "out"), "--nam", "2023",
                           "--db", str(Path(tmp) / "h.sqlite3")],
                "score-json": ["score", str(src.parent), "--nam", "2023", "--json"],
                "score": ["score", str(src.parent), "--nam", "2023"]}[command]
        peak_tree = [0.0]
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "scoring", *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=os.environ | {"COLUMNS": "120"})

        def sample() -> None:
            while proc.poll() is None:
                peak_tree[0] = max(peak_tree[0], sum(_pss_mib(p) for p in _tree(proc.pid)))
                time.sleep(0.05)  # reading smaps_rollup walks the page tables: often, it slows the process read

        sampler = threading.Thread(target=sample, daemon=True)
        if os.path.isdir("/proc"):
            sampler.start()
        stdout, stderr = proc.communicate()
        wall = time.perf_counter() - t
        if sampler.is_alive():
            sampler.join()
        assert proc.returncode in (0, 1), stderr[-2000:]  # 1: the random data has warnings/errors
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall_s": wall, "peak_rss_mib": peak, "peak_tree_pss_mib": peak_tree[0], "stdout_mb": len(stdout) / 1e6}


def scenario_history(units: int, years: int) -> dict[str, float]:
    from scoring.history import compare, connect, latest_run, record_run
    from scoring.pipeline import run

    with tempfile.TemporaryDirectory(prefix="qd274_hist_") as tmp:
        src = write_consolidated(Path(tmp) / "in" / "tong_hop.csv", units)
        result = run(src.parent, year=2023)
        conn = connect(Path(tmp) / "h.sqlite3")
        t = time.perf_counter()
        for y in range(2014, 2014 + years):
            result.year = y  # the same figures recorded as ten evaluation years
            record_run(conn, result)
        record_s = time.perf_counter() - t
        t = time.perf_counter()
        changes = compare(conn, latest_run(conn, 2022) or 0, latest_run(conn, 2023) or 0)
        compare_s = time.perf_counter() - t
        size = (Path(tmp) / "h.sqlite3").stat().st_size / 1e6
        conn.close()
        assert len(changes) == units
    return {"record_per_year_s": record_s / years, "compare_s": compare_s, "db_mb": size, "peak_rss_mb": _rss_mb()}


def scenario_help() -> dict[str, float]:
    times = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "scoring", "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return {"help_best_s": min(times), "help_median_s": sorted(times)[2]}


SCENARIOS = {
    "help": lambda a: scenario_help(),
    "forms-250": lambda a: scenario_forms(250),
    "forms-2500": lambda a: scenario_forms(2500),
    "consolidated-csv": lambda a: scenario_consolidated(a.units, "csv"),
    "consolidated-xlsx": lambda a: scenario_consolidated(a.units, "xlsx"),
    "linear-1x": lambda a: scenario_consolidated(a.base, "csv", report=False),
    "linear-4x": lambda a: scenario_consolidated(4 * a.base, "csv", report=False),
    "linear-16x": lambda a: scenario_consolidated(16 * a.base, "csv", report=False),
    "history": lambda a: scenario_history(a.units, 10),
    "cli-score": lambda a: scenario_cli(a.units, "score"),
    "cli-score-json": lambda a: scenario_cli(a.units, "score-json"),
    "cli-report": lambda a: scenario_cli(a.units, "report"),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=sorted(SCENARIOS))
    ap.add_argument("--units", type=int, default=10_600)
    ap.add_argument("--base", type=int, default=1_000)
    args = ap.parse_args()
    if args.only:
        print(json.dumps(SCENARIOS[args.only](args)))
        return
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}")
    for name in SCENARIOS:
        cmd = [sys.executable, __file__, "--only", name, "--units", str(args.units), "--base", str(args.base)]
        t = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t
        if out.returncode != 0:
            print(f"{name:18} FAILED: {out.stderr.strip().splitlines()[-1] if out.stderr else out.returncode}")
            continue
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        shown = ", ".join(f"{k} {v:,.3f}" if isinstance(v, float) else f"{k} {v:,}" for k, v in figures.items())
        print(f"{name:18} ({wall:5.1f} s in all) {shown}")


if __name__ == "__main__":
    main()
