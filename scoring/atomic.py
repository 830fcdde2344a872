"""Atomic file output: write beside the target, then rename; a failure leaves no half-written file."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

Writer = Callable[[Path], object]
_batch: ContextVar[list[tuple[Path, Path]] | None] = ContextVar("qd274_atomic_batch", default=None)
_STALE_SECONDS = 3600  # a temp file untouched this long belongs to no live run, whatever its process id says
# The temp files this process has made and not yet moved or removed: what sweep() removes when the command is
# interrupted (an interrupt between two steps of the cleanup below would otherwise leave one behind).
_live: set[Path] = set()


class NotAFileError(OSError):
    """The target exists and is not a regular file (a folder, a device, a FIFO): never replaced."""

    def __init__(self, target: Path) -> None:
        super().__init__(f"«{target}» đã có nhưng không phải tệp thường (là thư mục, thiết bị hoặc FIFO): qd274 không "
                         "ghi đè lên nó. Chọn tên tệp khác.")
        self.target = target


def check_target(target: Path) -> None:
    """Raise NotAFileError when `target` exists and is not a regular file (a link to one is followed). Renaming a
    file onto /dev/null, a device or a FIFO would replace that node itself."""
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return
    except OSError:  # a dangling link, a component that is a file: the write itself will say what is wrong
        return
    if not stat.S_ISREG(mode):
        raise NotAFileError(target)


def write_atomic(target: Path, write: Writer) -> Path:
    """Call `write(tmp_path)` and move the result onto `target` in one rename; inside `together()`, the rename
    waits for the block's end, with the other files' renames."""
    tmp = stage(target, write)
    batch = _batch.get()
    if batch is not None:
        batch.append((tmp, target))
    else:
        commit([(tmp, target)])
    return target


@contextlib.contextmanager
def together() -> Iterator[None]:
    """The files written atomically in this block replace their targets together at its end, or, on an error or
    an interrupt anywhere in it, none of them does: `qd274 report`'s four files always come from one run."""
    batch: list[tuple[Path, Path]] = []
    outer = _batch.get()
    try:  # set inside the try: an interrupt right after setting it must not leave every later write batched
        _batch.set(batch)
        yield
    except BaseException:
        discard(batch)
        raise
    finally:
        _batch.set(outer)
    commit(batch)


def write_bytes_atomic(target: Path, data: bytes) -> Path:
    def write(path: Path) -> None:
        path.write_bytes(data)

    return write_atomic(target, write)


def via_memory(save: Callable[[io.BytesIO], object]) -> Writer:
    """A writer for a library that saves a zip to a path and leaves it open when a write fails (python-docx and
    openpyxl on a full disk: the half-closed file is finalised later, with a traceback): it saves into memory
    (a report or form is at most a few MB), then the bytes go to the file in one closed write."""
    def write(path: Path) -> None:
        buffer = io.BytesIO()
        save(buffer)
        path.write_bytes(buffer.getbuffer())

    return write


def stage(target: Path, write: Writer) -> Path:
    """Call `write(tmp_path)` on a temp file beside `target` and return it, complete, not yet in place (see commit);
    on any failure the temp file is removed. Its name carries this process's id (see remove_stale_temps)."""
    check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_path: Path | None = None
    try:
        # An interrupt is held while the file is made: one that came between its creation and our knowing its
        # name (a signal arrives during the open() call and Python acts on it at the next instruction, inside
        # mkstemp) left it behind, with nothing to remove it. Delivered here, it finds the name to remove.
        with _signals_held():
            try:
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
            except OSError as exc:
                exc.filename = str(target)  # the user knows the file they asked for, not our temp name
                raise
            os.close(fd)
            tmp_path = Path(tmp)
            _live.add(tmp_path)
        write(tmp_path)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes the file private; outputs are ordinary files
    except OSError as exc:
        if tmp_path is not None:
            _remove(tmp_path)
            if exc.filename == str(tmp_path):  # the user knows the file they asked for, not our temp name
                exc.filename = str(target)
        raise
    except BaseException:
        if tmp_path is not None:
            _remove(tmp_path)
        raise
    return tmp_path


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    _live.discard(path)


def sweep() -> None:
    """Remove every temp file this process still has (the command was interrupted), with interrupts held: the
    last step before the process ends, so a folder is left as it was found."""
    with _signals_held():
        for path in sorted(_live):
            try:
                _remove(path)
            except OSError:  # gone with its folder, or not ours to remove any more: the next run clears it
                _live.discard(path)


def commit(staged: Sequence[tuple[Path, Path]]) -> None:
    """Move every staged temp file onto its target, all or none: each target's previous file is kept aside (a
    hard link, else a copy) until every rename has succeeded, and put back if one fails (on Windows a file open
    in Word or Excel cannot be replaced). Ctrl+C and SIGTERM wait until the end, and a second qd274 committing
    into the same folder waits for this one (POSIX: a lock on the folder). The temp files are removed whatever
    happens."""
    kept: list[tuple[Path, Path | None]] = []  # (target, its previous file kept aside, or None: it had none)
    try:
        for _, target in staged:
            check_target(target)
        with _folder_lock(staged[0][1].parent if staged else None), _signals_held():
            try:
                for tmp, target in staged:
                    kept.append((target, _keep_aside(target)))
                    os.replace(tmp, target)
                    _live.discard(tmp)
            except BaseException:
                _put_back(kept)
                raise
            finally:  # here, interrupts held: the cleanup is not cut short
                _clean_up(staged, kept)
    except BaseException:  # a check or the lock failed before the block above (after it, removing again is harmless)
        _clean_up(staged, kept)
        raise


def _clean_up(staged: Sequence[tuple[Path, Path]], kept: list[tuple[Path, Path | None]]) -> None:
    for tmp, _ in staged:
        _remove(tmp)  # already moved: nothing there any more
    for _, aside in kept:
        if aside is not None:
            _remove(aside)


def _keep_aside(target: Path) -> Path | None:
    """The target's current file under a temp name (its stale-temp pattern, so a killed run's copy is cleared
    later), or None when there is none. A hard link costs nothing; a file system without them gets a copy."""
    if not target.exists():
        return None
    aside = target.with_name(f".{target.name}.{os.getpid()}.previous.tmp")
    aside.unlink(missing_ok=True)
    _live.add(aside)  # before it exists: an interrupt right after it is made still finds it in sweep()
    try:
        try:
            os.link(target, aside)
        except OSError:  # FAT, exFAT (USB sticks), some network shares: no hard links
            import shutil

            shutil.copyfile(target, aside)
    except BaseException:  # a copy cut short (a full disk) is not left beside the target
        _remove(aside)
        raise
    return aside


def _put_back(kept: list[tuple[Path, Path | None]]) -> None:
    """Undo the renames done so far: each target gets its previous file back, or is removed if it had none."""
    for target, aside in reversed(kept):
        try:
            if aside is not None:
                os.replace(aside, target)
            else:
                target.unlink(missing_ok=True)
        except OSError:  # the one that failed may not be undone either: the others still are
            pass


def discard(staged: Sequence[tuple[Path, Path]]) -> None:
    with _signals_held():  # an interrupt while removing them would leave the rest
        for tmp, _ in staged:
            _remove(tmp)


@contextlib.contextmanager
def _folder_lock(folder: Path | None) -> Iterator[None]:
    if folder is None or sys.platform == "win32":  # Windows: no lock on a folder without a file of our own in it
        yield
        return
    import fcntl

    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # a folder we may write into but not open: commit unlocked rather than fail
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:  # a file system without locks (some network shares): commit unlocked rather than fail
            pass
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl+C, SIGTERM, SIGHUP (the terminal closed) and SIGBREAK (Windows) held back while the renames run, then
    delivered: a set of files is never left half replaced by an interrupt. Python handles signals on the main
    thread whichever thread the system picks, so the handlers are swapped for ones that only take note (a
    thread's signal mask would not be enough). SIGHUP and SIGBREAK are held only when a Python handler is set for
    them (qd274's: it ends the run as Ctrl+C does)."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    pending: list[int] = []
    held = [s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None
            and signal.getsignal(s) is not None]  # None: a handler set outside Python, left as it is
    for name in ("SIGHUP", "SIGBREAK"):  # the terminal closed (POSIX), Ctrl+Break or the console closed (Windows)
        extra = getattr(signal, name, None)
        if extra is not None and callable(signal.getsignal(extra)):  # not SIG_DFL: then it still ends us at once
            held.append(extra)
    previous: dict[int, Any] = {}
    try:
        for s in held:  # inside the try: a signal between two swaps still finds every swapped handler restored
            previous[s] = signal.signal(s, lambda signum, _frame: pending.append(signum))
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if pending:
            signal.raise_signal(pending[0])  # now, to the handler that was there (Ctrl+C: KeyboardInterrupt)


def remove_stale_temps(folder: Path, names: list[str]) -> None:
    """Temp files left by a run that was killed outright (no cleanup possible): removed by the next run. A temp
    file of a run still writing (another qd274 into the same folder) is left alone: its process is alive (POSIX)
    and it is fresh."""
    if not folder.is_dir():
        return
    now = time.time()
    for name in names:
        for temp in folder.glob(f".{name}.*.tmp"):
            try:
                age = now - temp.stat().st_mtime
            except OSError:  # removed meanwhile by its own run
                continue
            if age > _STALE_SECONDS or not _alive(_writer_pid(temp, name)):
                temp.unlink(missing_ok=True)


def _writer_pid(temp: Path, name: str) -> int | None:
    """The process id in a temp file's name (.NAME.PID.random.tmp); None for a name without one (older runs)."""
    pid = temp.name[len(name) + 2:].split(".", 1)[0]
    return int(pid) if pid.isdigit() and len(pid) < 10 else None


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill would end the process there: trust the age alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, another user's
        return True
    return True
