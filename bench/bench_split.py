"""Would a second process meet the `report` goal? The four files written in one process, or with truy_vet.json
written by a forked child while this process writes the others (Linux only: os.fork).

    python bench/bench_split.py [--units 10600]

Prints, for each way, the time after the inputs are read and scored, the whole in-process time (interpreter
start and imports not included: add `qd274 --help`'s time) and the peak memory of this process and its child
together (the sum of their proportional set sizes, sampled every 50 ms). A fork shares the heap only until
a page is written, and CPython writes a reference count into every object it touches: the child's walk over
the results copies most of them.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def measure(src: Path, out: Path, split: bool) -> dict[str, float]:
    from bench_scale import _pss_mib

    from scoring.pipeline import run
    from scoring.reports import docx_report, html_report, trace_json, xlsx_report
    from scoring.trace import sentence_pass

    children: list[int] = []
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _pss_mib(os.getpid()) + sum(_pss_mib(c) for c in children))
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    t0 = time.perf_counter()
    result = run(src.parent, year=2023)
    t1 = time.perf_counter()
    gc.disable()
    if split:
        gc.freeze()  # the collector would otherwise write to every tracked object's header too
        pid = os.fork()
        if pid == 0:  # the child never returns into this function: its exit must not run the parent's cleanups
            code = 1
            try:
                trace_json.write_trace(result, out / "truy_vet.json")
                code = 0
            finally:
                os._exit(code)
        children.append(pid)
    with sentence_pass():
        xlsx_report.write_xlsx(result, out / "kq.xlsx")
        docx_report.write_docx(result, out / "bc.docx")
        html_report.write_html(result, out / "bc.html")
        if split:
            status = os.waitpid(children[0], 0)[1]
            if os.waitstatus_to_exitcode(status) != 0:  # a failed child is no faster way
                raise RuntimeError(f"the trace's process failed: status {status}")
        else:
            trace_json.write_trace(result, out / "truy_vet.json")
    t2 = time.perf_counter()
    done.set()
    return {"read_score_s": t1 - t0, "writers_s": t2 - t1, "total_s": t2 - t0, "peak_pss_mib": peak[0]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=10_600)
    ap.add_argument("--way", choices=("one", "split"))
    args = ap.parse_args()
    if args.way:  # one way per process: the peak memory of one does not carry into the other
        with tempfile.TemporaryDirectory(prefix="qd274_split_") as tmp:
            from bench_scale import write_consolidated

            src = write_consolidated(Path(tmp) / "in" / "tong_hop.csv", args.units)
            (Path(tmp) / "out").mkdir()
            print(json.dumps(measure(src, Path(tmp) / "out", args.way == "split")))
        return
    import subprocess

    print(f"{args.units:,} units; {os.cpu_count()} cores")
    for way in ("one", "split", "one", "split"):
        out = subprocess.run([sys.executable, __file__, "--units", str(args.units), "--way", way],
                             capture_output=True, text=True, check=True)
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{way:6}", ", ".join(f"{k} {v:,.2f}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
