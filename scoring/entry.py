"""The `qd274` command's entry point: Ctrl+C while the program is still loading ends it quietly, exit 130."""

from __future__ import annotations

import sys
from typing import NoReturn

_STOPPED = "Đã dừng theo yêu cầu (Ctrl+C) trước khi bắt đầu: chưa đọc hay ghi tệp nào.\n"


def main() -> NoReturn:
    try:  # typer, rich and the commands' modules take a few tenths of a second to import (more on a slow PC)
        from .cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write(_STOPPED)
        raise SystemExit(130) from None  # 128 + SIGINT (cli.EXIT_INTERRUPTED, whose import was interrupted)
    run()
