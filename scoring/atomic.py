"""Atomic file output: write beside the target, then rename; a failure leaves no half-written file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomic(target: Path, write: Callable[[Path], object]) -> Path:
    """Call `write(tmp_path)` and move the result onto `target` in one rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes the file private; outputs are ordinary files
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return target


def write_bytes_atomic(target: Path, data: bytes) -> Path:
    def write(path: Path) -> None:
        path.write_bytes(data)

    return write_atomic(target, write)


def remove_stale_temps(folder: Path, names: list[str]) -> None:
    """Temp files left by a run that was killed outright (no cleanup possible): removed by the next run."""
    if folder.is_dir():
        for name in names:
            for stale in folder.glob(f".{name}.*.tmp"):
                stale.unlink(missing_ok=True)
