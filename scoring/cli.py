"""The qd274 command (typer): score, explain, check, criteria, template. Exit codes 0 / 1 / 2 / 3.

Heavy imports happen inside the commands so that `qd274 --help` answers at once.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from . import cli_words
from .atomic import NotAFileError, sweep

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl+C

cli_words.install()  # typer's own words (help panels, usage errors) in Vietnamese

app = typer.Typer(
    name="qd274",
    cls=cli_words.Group,
    options_metavar=cli_words.OPTIONS_METAVAR,
    subcommand_metavar=cli_words.COMMAND_METAVAR,
    help="Chấm điểm, xếp loại công tác dân vận chính quyền theo Quyết định 274/QĐ-UBND (Bắc Giang).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
_state = {"debug": False, "stop_said": False}  # stop_said: a command said it was interrupted (guarded)
# Armed by main(): what the commands read and worked out, left for the process's end to drop (see main)
_kept: list[Any] | None = None
command = functools.partial(app.command, cls=cli_words.Command, options_metavar=cli_words.OPTIONS_METAVAR)
F = TypeVar("F", bound=Callable[..., Any])

PathArg = Annotated[Path, typer.Argument(help="Thư mục (hoặc tệp) chứa biểu đã điền và/hoặc bảng tổng hợp.",
                                         metavar="ĐƯỜNG_DẪN", show_default=False)]
YEAR_MIN, YEAR_MAX = 2000, 2100  # QĐ 274 dates from 2017: a year outside these is a typo (0, -1, 20233)


def _year(value: Any) -> Any:
    """--nam (one year, or a list of them) within YEAR_MIN..YEAR_MAX: a usage error otherwise, before any work."""
    for year in value if isinstance(value, list) else [value]:
        if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
            raise cli_words.bad_parameter(f"{year} không phải năm đánh giá (từ {YEAR_MIN} đến {YEAR_MAX}), "
                                          "ví dụ --nam 2023", param_hint="--nam")
    return value


YearOpt = Annotated[int | None, typer.Option("--nam", help="Năm đánh giá (bỏ qua biểu của năm khác).",
                                             callback=_year)]
SubjectOpt = Annotated[str | None, typer.Option("--doi-tuong", help="Chỉ một đối tượng của bộ tiêu chí (bộ mặc "
                                                "định: huyen, xa, co_quan).")]
CriteriaOpt = Annotated[Path | None, typer.Option("--tieu-chi", help="Tệp tiêu chí JSON khác tệp mặc định.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Thiếu số liệu cũng là lỗi (mã thoát 1).")]
RegistryOpt = Annotated[Path | None, typer.Option("--danh-sach", help="Danh sách đơn vị (don_vi.csv/.xlsx); "
                                                  "mặc định: don_vi.csv trong thư mục đầu vào.")]


_console = cli_words.console


_OS_WHY = {errno.ENAMETOOLONG: "tên tệp hoặc thư mục quá dài ", errno.ENOSPC: "ổ đĩa hết chỗ trống ",
           errno.EACCES: "không có quyền ", errno.EPERM: "không có quyền ", errno.EROFS: "ổ đĩa chỉ cho đọc ",
           errno.ENOENT: "không tìm thấy ", errno.ENOTDIR: "một phần của đường dẫn là tệp, không phải thư mục ",
           errno.EISDIR: "là thư mục, không phải tệp "}


def guarded(func: F) -> F:
    """Expected errors: a Vietnamese message, exit 1. Anything else is our bug: exit 3 (traceback with --debug)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .errors import Qd274Error

        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.BadParameter):
            raise  # usage errors are typer's to report (exit 2)
        except KeyboardInterrupt:  # Ctrl+C, a kill, the terminal closed: the writers removed their temp files,
            sweep()  # and whatever an interrupt between two of their steps left is removed now
            _state["stop_said"] = True
            _console(stderr=True).print("Đã dừng theo yêu cầu: tệp đang ghi dở đã được xóa, không tệp kết quả nào bị "
                                        "thay dở dang.", markup=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except (Qd274Error, NotAFileError) as exc:  # NotAFileError: qd274's own refusal, not the system's
            if _state["debug"]:
                raise
            from rich.markup import escape

            # the message quotes the user's own text (file names, cell values): never read it as markup
            _console(stderr=True).print(f"[bold red]Lỗi:[/bold red] {escape(str(exc))}", highlight=False)
            raise typer.Exit(EXIT_PROBLEMS) from None
        except BrokenPipeError:  # the reader went away (qd274 … | head): nothing more to tell it, and no traceback
            _quiet_stdout()
            raise typer.Exit(EXIT_PROBLEMS) from None
        except OSError as exc:  # the machine's refusal (a name too long, a full disk, no permission): not a bug
            if _state["debug"]:
                raise
            from rich.markup import escape

            where = f" «{exc.filename}»" if exc.filename else ""
            why = _OS_WHY.get(exc.errno or 0, "")
            _console(stderr=True).print(f"[bold red]Lỗi:[/bold red] hệ điều hành từ chối đọc hoặc ghi{escape(where)}: "
                                        f"{why}({escape(exc.strerror or str(exc))}). Kiểm tra đường dẫn, quyền và chỗ "
                                        "trống trên ổ đĩa rồi chạy lại.", highlight=False)
            raise typer.Exit(EXIT_PROBLEMS) from None
        except Exception as exc:
            if _state["debug"]:
                raise
            from rich.markup import escape

            _console(stderr=True).print(f"[bold red]Lỗi nội bộ của qd274[/bold red] ({type(exc).__name__}: "
                                        f"{escape(str(exc))}). Chạy lại với --debug để xem chi tiết và gửi "
                                        "cho nhóm phát triển.")
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def main_options(debug: Annotated[bool, typer.Option("--debug", help="Hiện traceback khi có lỗi.")] = False) -> None:
    _state["debug"] = debug


def _check_subject(subject: str | None, criteria: Any) -> None:
    """--doi-tuong names one of the criteria file's subject types (they are data: a corrected file may add one)."""
    if subject is not None and subject not in criteria.subjects:
        from .errors import one_of

        raise cli_words.bad_parameter(f"cần {one_of(criteria.subjects)} (các đối tượng của bộ tiêu chí)",
                                 param_hint="--doi-tuong")


def _criteria(path: Path | None, subject: str | None) -> Any:
    """The criteria file (the default one without --tieu-chi), with --doi-tuong checked against its subjects."""
    from .criteria import load_criteria

    criteria = load_criteria(path)
    _check_subject(subject, criteria)
    return criteria


def _run(path: Path, year: int | None, subject: str | None, criteria_path: Path | None, registry: Path | None,
         quiet: bool = False) -> Any:
    result = _run_now(path, year, subject, criteria_path, registry, quiet)
    if _kept is not None:
        _kept.append(result)
    return result


def _run_now(path: Path, year: int | None, subject: str | None, criteria_path: Path | None, registry: Path | None,
             quiet: bool) -> Any:
    from .pipeline import run

    criteria = _criteria(criteria_path, subject)
    if quiet or not sys.stderr.isatty():
        return run(path, criteria=criteria, year=year, subject=subject, registry=registry)
    from rich.progress import Progress

    with Progress(transient=True, console=_console(stderr=True)) as bar:
        task = bar.add_task("Đọc biểu", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return run(path, criteria=criteria, year=year, subject=subject, registry=registry, progress=progress)


def _exit_code(result: Any, strict: bool) -> int:
    if result.errors():
        return EXIT_PROBLEMS
    if strict and any(p.code in ("MISSING_VALUE", "NO_DATA", "NO_FORM") for p in result.problems):
        return EXIT_PROBLEMS
    return EXIT_OK


@command("score")
@guarded
def score(path: PathArg, nam: YearOpt = None, doi_tuong: SubjectOpt = None,
          strict: StrictOpt = False,
          as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON (xem README).")] = False,
          tat_ca: Annotated[bool, typer.Option("--tat-ca", help="Hiện mọi cảnh báo, không rút gọn.")] = False,
          tieu_chi: CriteriaOpt = None, danh_sach: RegistryOpt = None) -> None:
    """Chấm điểm, xếp loại, xếp hạng các đơn vị từ biểu đã điền."""
    result = _run(path, nam, doi_tuong, tieu_chi, danh_sach, quiet=as_json)
    if as_json:
        from .reports.json_doc import write_document

        write_document(result, sys.stdout)
    else:
        from .reports import console as rc

        con = _console()
        rc.notice(con, result.criteria)
        if not result.results:
            con.print("[yellow]Không có đơn vị nào để chấm.[/yellow]")
        rc.ranking(con, result)
        rc.problems(con, result.problems, limit=None if tat_ca else 60)
    raise typer.Exit(_exit_code(result, strict))


@command("explain")
@guarded
def explain(path: PathArg,
            don_vi: Annotated[str, typer.Option("--don-vi", help="Tên hoặc mã đơn vị cần diễn giải.")],
            nam: YearOpt = None, tieu_chi: CriteriaOpt = None, danh_sach: RegistryOpt = None) -> None:
    """Diễn giải từng điểm của một đơn vị: số liệu, ô nguồn, quy tắc, căn cứ."""
    from .reports import console as rc

    result = _run(path, nam, None, tieu_chi, danh_sach, quiet=True)
    found = result.find(don_vi)
    con = _console()
    if not found:
        from rich.markup import escape

        hints = result.suggest(don_vi)
        if hints:
            ask = " hoặc ".join(f"«{r.unit.unit_name}» ({r.unit.unit_id})" for r in hints)
            con.print(f"[red]Không tìm thấy đơn vị «{escape(don_vi)}».[/red] Có phải {escape(ask)}? Gõ đúng tên có "
                      "dấu hoặc mã đơn vị.")
        else:
            names = ", ".join(f"{r.unit.unit_name} ({r.unit.unit_id})" for r in result.results[:8])
            con.print(f"[red]Không tìm thấy đơn vị «{escape(don_vi)}».[/red] Một số đơn vị có: {escape(names)}")
        raise typer.Exit(EXIT_PROBLEMS)
    rc.notice(con, result.criteria)
    for r in found:
        rc.explain(con, result, r)


@command("check")
@guarded
def check(path: PathArg, nam: YearOpt = None, doi_tuong: SubjectOpt = None,
          strict: StrictOpt = False,
          tat_ca: Annotated[bool, typer.Option("--tat-ca", help="Liệt kê mọi lỗi, không rút gọn.")] = False,
          tieu_chi: CriteriaOpt = None, danh_sach: RegistryOpt = None) -> None:
    """Chỉ kiểm tra dữ liệu đầu vào, không chấm điểm: liệt kê các lỗi (20 dòng mỗi mã lỗi; --tat-ca: tất cả)."""
    from .reports import console as rc

    result = _run(path, nam, doi_tuong, tieu_chi, danh_sach)
    con = _console()
    rc.notice(con, result.criteria)
    con.print(f"Đã đọc {len(result.read.files)} tệp, {len(result.read.units)} đơn vị.", markup=False)
    # Capped per code, not overall as score does: checking is for fixing, and every kind of problem must show.
    # The title's counts and the exit code still count every problem.
    rc.problems(con, result.problems, per_code=None if tat_ca else rc.CHECK_PER_CODE, see_all="--tat-ca")
    raise typer.Exit(_exit_code(result, strict))


@command("criteria")
@guarded
def criteria_cmd(doi_tuong: SubjectOpt = None,
                 xuat: Annotated[Path | None, typer.Option("--xuat", help="Xuất bộ tiêu chí ra Excel để sửa.")] = None,
                 nhap: Annotated[Path | None, typer.Option("--nhap", help="Nhập tệp Excel đã sửa vào tệp JSON "
                                                            "(sau khi kiểm tra đầy đủ).")] = None,
                 tieu_chi: CriteriaOpt = None,
                 ghi_de: Annotated[bool, typer.Option("--ghi-de", help="Với --xuat: ghi đè lên tệp Excel đã có. Với "
                                                      "--nhap: nhập cả khi tệp JSON đã đổi sau lần xuất (các thay "
                                                      "đổi đó bị thay bằng nội dung bản Excel).")] = False) -> None:
    """Xem bộ tiêu chí (cây tiêu chí, điểm tối đa, nguồn); xuất/nhập Excel để sửa mà không cần lập trình."""
    from .criteria import DEFAULT_CRITERIA

    con = _console()
    if xuat and nhap:
        raise cli_words.bad_parameter("chỉ dùng một trong --xuat, --nhap")
    if (xuat or nhap) and doi_tuong:  # an export of one subject could not be imported back (MISSING_ROW)
        raise cli_words.bad_parameter("--doi-tuong không dùng cùng --xuat hoặc --nhap: bản Excel luôn chứa mọi đối "
                                      "tượng của bộ tiêu chí; bỏ --doi-tuong.", param_hint="--doi-tuong")
    if nhap:
        from .criteria.excel import import_excel

        target = tieu_chi or DEFAULT_CRITERIA
        changed = import_excel(nhap, target, overwrite=ghi_de)
        con.print(f"Đã kiểm tra và ghi {target} ({changed} thay đổi). Muốn sửa tiếp: xuất lại bằng qd274 criteria "
                  "--xuat, vì bản Excel này nay cũ hơn tệp JSON." if changed else
                  f"Đã kiểm tra: 0 thay đổi, giữ nguyên {target} (không ghi lại).", markup=False)
        return
    if xuat:  # said at once, before the criteria are read: the criteria file or an edited export is never lost
        from .criteria.writeback import export_target_problem

        if problem := export_target_problem(xuat, tieu_chi or DEFAULT_CRITERIA, ghi_de):
            raise cli_words.bad_parameter(problem, param_hint="--xuat")
    criteria = _criteria(tieu_chi, doi_tuong)
    if xuat:
        from .criteria.excel import export_excel

        export_excel(criteria, xuat)
        again = f" --tieu-chi {cli_words.shell_arg(tieu_chi)}" if tieu_chi else ""  # names the file exported
        con.print(f"Đã xuất bộ tiêu chí ra {xuat}. Sửa các ô màu vàng rồi nhập lại bằng: "
                  f"qd274 criteria --nhap {cli_words.shell_arg(xuat)}{again}", markup=False)
        return
    from .reports.console import criteria_tree

    criteria_tree(con, criteria, doi_tuong)


@command("template")
@guarded
def template(out: Annotated[Path, typer.Option("--out", help="Tệp (hoặc thư mục khi dùng --don-vi) cần tạo.")],
             doi_tuong: SubjectOpt = None,
             don_vi: Annotated[Path | None, typer.Option("--don-vi", help="Danh sách đơn vị: tạo một biểu điền "
                                                         "sẵn cho mỗi đơn vị.")] = None,
             nam: Annotated[int, typer.Option("--nam", help="Năm đánh giá.", callback=_year)] = 2023,
             tong_hop: Annotated[bool, typer.Option("--tong-hop", help="Tạo bảng tổng hợp (một dòng một đơn vị).")]
             = False,
             ghi_de: Annotated[bool, typer.Option("--ghi-de", help="Ghi đè lên biểu đã có (mặc định: không ghi đè, "
                                                  "vì có thể là biểu đã điền).")] = False,
             tieu_chi: CriteriaOpt = None) -> None:
    """Tạo biểu Excel để các đơn vị điền (hoặc bảng tổng hợp) từ bộ tiêu chí."""
    from rich.markup import escape

    from .forms.generate import template_out_problem, unit_problems, write_form

    # said at once, before the criteria are read: a folder, a device or a FIFO is never replaced by a form
    if problem := template_out_problem(out, folder=don_vi is not None and not tong_hop, consolidated=tong_hop):
        raise cli_words.bad_parameter(problem, param_hint="--out")
    if (tong_hop or don_vi is None) and not ghi_de:
        _refuse_existing([out])
    criteria = _criteria(tieu_chi, doi_tuong)
    con = _console()
    if tong_hop:
        from .forms.consolidated_template import write_consolidated_template

        if don_vi is not None:
            con.print("[yellow]--don-vi không dùng cho bảng tổng hợp (--tong-hop): bảng để trống, mỗi đơn vị "
                      "một dòng.[/yellow]")
        write_consolidated_template(out, criteria, nam, doi_tuong)
        con.print(f"Đã tạo bảng tổng hợp {out}.", markup=False)
        return
    if don_vi is not None:
        from .registry import load_registry

        registry, problems = load_registry(don_vi, subjects=criteria.subjects)
        if problems:
            from .reports.console import problems as show

            show(con, problems)
            raise typer.Exit(EXIT_PROBLEMS)
        from .safe_paths import name_clashes, unique_paths

        units = [u for u in registry.units if doi_tuong is None or u.subject == doi_tuong]
        if refused := unit_problems(units):  # a form qd274 check would refuse is not handed out
            for line in refused:
                con.print(f"[red]Lỗi:[/red] {escape(line)}")
            raise typer.Exit(EXIT_PROBLEMS)
        items = [(u.subject, u.code) for u in units]
        paths = unique_paths(out, items)  # codes come from a user's file: they never choose where a form goes
        if not ghi_de:
            _refuse_existing(paths)
        for done, (u, path) in enumerate(zip(units, paths, strict=True)):
            try:
                write_form(path, criteria, u.subject, nam, u)
            except OSError:  # a full disk part way: say what is there, then the error itself (guarded)
                if done:
                    _console(stderr=True).print(
                        f"Đã tạo {done}/{len(units)} biểu trong {out} trước khi lỗi (các biểu này dùng được; biểu "
                        f"đang ghi dở không để lại gì). Khắc phục lỗi dưới đây rồi chạy lại với --ghi-de.",
                        markup=False)
                raise
        con.print(f"Đã tạo {len(units)} biểu trong {out}.", markup=False)
        for line in name_clashes(out, items, paths):
            con.print(f"[yellow]Lưu ý:[/yellow] {escape(line)}")
        return
    if doi_tuong is None:
        from .errors import one_of

        raise cli_words.bad_parameter(f"cần --doi-tuong ({one_of(criteria.subjects)})", param_hint="--doi-tuong")
    write_form(out, criteria, doi_tuong, nam)
    con.print(f"Đã tạo biểu {out} ({criteria.scheme(doi_tuong).name}, năm {nam}).", markup=False)


def _refuse_existing(paths: list[Path]) -> None:
    """A usage error naming the files that already exist: a form there may have been filled in already, and
    writing a blank one over it would lose that work. --ghi-de says to overwrite."""
    existing = [p for p in paths if p.exists()]
    if existing:
        shown = ", ".join(f"«{p}»" for p in existing[:5]) + (f" và {len(existing) - 5} tệp khác"
                                                             if len(existing) > 5 else "")
        raise cli_words.bad_parameter(f"đã có {shown}: qd274 không ghi đè (có thể là biểu đã điền). Chọn thư mục hoặc "
                                      "tên khác, hoặc thêm --ghi-de nếu muốn thay bằng biểu trống.", param_hint="--out")


DbOpt = Annotated[Path | None, typer.Option("--db", help="Tệp lịch sử SQLite (mặc định: thư mục dữ liệu của "
                                           "người dùng).")]


@command("report")
@guarded
def report(path: PathArg,
           out: Annotated[Path, typer.Option("--out", help="Thư mục ghi các tệp kết quả.")],
           nam: YearOpt = None, doi_tuong: SubjectOpt = None, db: DbOpt = None,
           khong_luu: Annotated[bool, typer.Option("--khong-luu", help="Không ghi vào lịch sử.")] = False,
           tieu_chi: CriteriaOpt = None, danh_sach: RegistryOpt = None) -> None:
    """Ghi các tệp gửi đi: bảng tổng hợp Excel, báo cáo Word, trang HTML, tệp truy vết JSON; lưu lịch sử."""
    from .errors import OutputError
    from .reports.aside import chart_worker
    from .reports.writer import db_problem, out_problem, write_all

    if problem := out_problem(out, path):  # said at once, not after the inputs are read and scored
        raise cli_words.bad_parameter(problem, param_hint="--out")
    if db is not None and not khong_luu and (problem := db_problem(db, path)):
        raise cli_words.bad_parameter(problem, param_hint="--db")
    if not khong_luu:  # a file that is not a qd274 history, or a newer one's: said now, not after the whole run
        from .history import default_db, open_history

        with open_history(db or default_db(), write=False):
            pass
    with chart_worker() as charts:  # started first: it prepares matplotlib while the inputs are read
        result = _run(path, nam, doi_tuong, tieu_chi, danh_sach)
        if not _from_files(result):  # a mistyped folder or year: no report of only the registry's units (all
            _nothing_to_report(path, result, nam, doi_tuong)  # «không có biểu») to send on, or kept for ever
        try:
            written = write_all(result, out, charts)  # the history is written only once every file is
        except NotAFileError:
            raise  # said as it is (guarded): a FIFO or folder where one of the files should go
        except OSError as exc:  # a full disk, no permission, a folder that cannot be made
            raise OutputError(str(out), exc.strerror or type(exc).__name__) from exc
    con = _console()
    for f in written:
        con.print(f"Đã ghi {f}", markup=False)
    if not khong_luu:
        from dataclasses import replace

        from .errors import HistoryError
        from .history import default_db, open_history, record_run

        target = db or default_db()
        try:
            with open_history(target) as conn:
                run_id = record_run(conn, result)
        except HistoryError as exc:  # the files are written: say so, and how to run without the history
            raise replace(exc, files_written=True) from exc
        con.print(f"Đã lưu lần chạy số {run_id} vào lịch sử {target}.", markup=False)
    errors = result.errors()
    warnings = sum(1 for p in result.problems if p.severity == "warning")
    if errors or warnings:  # a unit missing 29 figures is a warning: said here too, not only inside the files
        from .numbers import format_vi

        said = ", ".join(f"{format_vi(n)} {what}" for n, what in ((len(errors), "lỗi dữ liệu"), (warnings, "cảnh báo"))
                         if n)
        con.print(f"[yellow]Có {said}: xem sheet «Kiểm tra» hoặc chạy qd274 check.[/yellow]")
    raise typer.Exit(_exit_code(result, False))


def _from_files(result: Any) -> int:
    """How many units were read from an input file: the others are the registry's units with no form (NO_FORM)."""
    no_form = {p.unit_id for p in result.problems if p.code == "NO_FORM"}
    return sum(1 for r in result.results if r.unit.unit_id not in no_form)


def _nothing_to_report(path: Path, result: Any, nam: int | None, doi_tuong: str | None) -> NoReturn:
    from rich.markup import escape

    from .reports import console as rc

    con = _console(stderr=True)
    said = "không ghi tệp kết quả, không lưu lịch sử."
    read = [f for f in result.read.files if f.kind in ("form", "consolidated")]
    if not read:
        head = f"[red]Không đọc được đơn vị nào từ {escape(str(path))}: {said}[/red] "
        if result.errors():
            why = "Sửa các lỗi dưới đây rồi chạy lại."
        elif result.read.registry is not None:  # early in the season: the registry, and no form yet
            why = ("Ở đó mới có danh sách đơn vị, chưa có biểu nào. Xem đơn vị nào chưa gửi biểu bằng "
                   f"«qd274 score {escape(cli_words.shell_arg(path))}».")
        else:
            why = ("Ở đó không có biểu chấm điểm (.xlsx) hay bảng tổng hợp (.xlsx, .csv) nào: kiểm tra đường dẫn rồi "
                   "chạy lại.")
    else:  # units were read, then left out: a year or subject asked for that the files do not hold
        chosen = " ".join(o for o in (f"--nam {nam}" if nam else "", f"--doi-tuong {doi_tuong}" if doi_tuong else "")
                          if o)
        head = f"[red]Đã đọc {len(read)} tệp ở {escape(str(path))} nhưng không có đơn vị nào để báo cáo: {said}[/red] "
        why = (f"Không đơn vị nào khớp {escape(chosen)}: kiểm tra tùy chọn này" if chosen else "Kiểm tra các tệp") + \
            (" và các lỗi, cảnh báo dưới đây." if result.problems else ".")
    con.print(head + why)
    if result.problems:
        rc.problems(con, result.problems, limit=60)
    raise typer.Exit(EXIT_PROBLEMS)


@command("lich-su")
@guarded
def history_cmd(db: DbOpt = None) -> None:
    """Liệt kê các lần chạy đã lưu (lệnh report)."""
    from rich.table import Table
    from rich.text import Text

    from .criteria.models import SOURCE_STATUS_VI
    from .history import default_db, list_runs, open_history

    target = db or default_db()
    with open_history(target, write=False) as conn:  # read only: never created, migrated or locked for writing
        runs = list_runs(conn)
    con = _console()
    if not runs:
        con.print(f"Chưa có lần chạy nào trong {target}.", markup=False)
        return
    table = Table(title=f"Lịch sử chấm điểm ({target})", title_justify="left")
    for head in ("Lần", "Thời điểm", "Năm", "Số đơn vị", "Số tệp", "Bộ tiêu chí"):
        table.add_column(head)
    for r in runs:  # the status as people read it: «tái dựng», not «reconstructed»
        table.add_row(str(r.id), _local_time(r.created_at), str(r.year or "—"), str(r.units), str(r.inputs),
                      Text(SOURCE_STATUS_VI.get(r.criteria_status, r.criteria_status)))
    con.print(table)


COMPARE_ROWS = 300  # as the console's ranking: above this many units, the largest changes and the counts


@command("so-sanh")
@guarded
def compare_cmd(nam: Annotated[list[int], typer.Option("--nam", help="Hai năm cần so sánh: --nam 2022 --nam 2023.",
                                                       callback=_year)],
                lan: Annotated[list[int] | None, typer.Option("--lan", help="Số lần chạy cụ thể cho từng năm "
                                                             "(mặc định: lần mới nhất).")] = None,
                db: DbOpt = None,
                tat_ca: Annotated[bool, typer.Option("--tat-ca", help="Hiện mọi đơn vị (mặc định: trên "
                                                     f"{COMPARE_ROWS} đơn vị chỉ hiện các đơn vị thay đổi nhiều "
                                                     "nhất).")] = False) -> None:
    """So sánh điểm, xếp loại, hạng của từng đơn vị giữa hai năm."""
    from rich.table import Table
    from rich.text import Text

    from .history import compare, default_db, open_history, runs_for
    from .numbers import format_vi

    if len(nam) != 2:
        raise cli_words.bad_parameter("cần đúng hai --nam", param_hint="--nam")
    if len(lan or []) not in (0, 2):  # before the history is opened: a usage error reads nothing
        raise cli_words.bad_parameter("cần hai --lan (một cho mỗi năm) hoặc không dùng", param_hint="--lan")
    if nam[0] == nam[1] and (not lan or lan[0] == lan[1]):
        raise cli_words.bad_parameter(f"hai lần so sánh là một: cần hai năm khác nhau, hoặc hai --lan khác nhau của "
                                      f"năm {nam[0]} (xem số lần bằng qd274 lich-su)", param_hint="--nam")
    if nam[0] > nam[1]:  # the older year first, whichever order they were given in: a rise reads as a rise
        nam = [nam[1], nam[0]]
        lan = [lan[1], lan[0]] if lan else lan
    with open_history(db or default_db(), write=False) as conn:
        runs = runs_for(conn, nam, lan or None)  # each run checked against its year; every problem said at once
        changes = compare(conn, runs[0], runs[1])
    con = _console()
    title = f"So sánh năm {nam[0]} (lần {runs[0]}) và năm {nam[1]} (lần {runs[1]})"
    if len(changes) > COMPARE_ROWS and not tat_ca:  # a national table: 10,600 rows took 8 s to draw, unread
        con.print(_compare_summary(changes), markup=False)
        for line in _without_data(changes, nam):  # not among the largest changes: named here, not only counted
            con.print(line, markup=False)
        changes = _largest_changes(changes, COMPARE_ROWS // 10)
        title += (f": {len(changes)} đơn vị thay đổi điểm nhiều nhất (tăng và giảm); xem đủ với --tat-ca")
    table = Table(title=title, title_justify="left")
    for head in ("Đối tượng", "Mã", "Đơn vị", f"Điểm {nam[0]}", f"Điểm {nam[1]}", "Chênh lệch",
                 f"Xếp loại {nam[0]}", f"Xếp loại {nam[1]}", f"Hạng {nam[0]}", f"Hạng {nam[1]}"):
        table.add_column(head)
    for c in changes:
        points_a, grade_a, rank_a = _side(c.before, c.before_has_data)
        points_b, grade_b, rank_b = _side(c.after, c.after_has_data)
        delta = c.delta  # None for a unit without data in either year: «—», no sign
        table.add_row(Text(c.subject), Text(c.unit_id), Text(c.unit_name), points_a, points_b,
                      ("+" if delta and delta > 0 else "") + format_vi(delta) if delta is not None else "—",
                      grade_a, grade_b, rank_a, rank_b)
    con.print(table)



def _compare_summary(changes: list[Any]) -> str:
    # A unit without data in one of the years has no change (its 0 points are not a score) and its «Không xếp
    # loại» is no regrading: it is counted apart, and the counts add up to the units.
    up = sum(1 for c in changes if c.delta is not None and c.delta > 0)
    down = sum(1 for c in changes if c.delta is not None and c.delta < 0)
    same = sum(1 for c in changes if c.delta == 0)
    regraded = sum(1 for c in changes if c.before and c.after and not c.no_data and c.before[1] != c.after[1])
    no_data = sum(1 for c in changes if c.no_data)
    one_side = len(changes) - up - down - same - no_data
    return (f"{len(changes)} đơn vị: tăng điểm {up}, giảm {down}, không đổi {same}, đổi xếp loại {regraded}"
            + (f", chỉ có ở một năm {one_side}" if one_side else "")
            + (f", không có số liệu ở một trong hai năm {no_data}" if no_data else "") + ".")


def _without_data(changes: list[Any], years: list[int], shown: int = 10) -> list[str]:
    """Per year, the units that sent no data that year (and had a result in the other), the first `shown` named."""
    lines = []
    for year, side in zip(years, ("before_has_data", "after_has_data"), strict=True):
        units = [c for c in changes if c.no_data and not getattr(c, side)]
        if units:
            names = ", ".join(f"{c.unit_name} ({c.unit_id})" for c in units[:shown])
            more = f" và {len(units) - shown} đơn vị khác (xem đủ với --tat-ca)" if len(units) > shown else ""
            lines.append(f"Không có số liệu năm {year}: {names}{more}.")
    return lines


def _largest_changes(changes: list[Any], each: int) -> list[Any]:
    """The `each` largest rises and `each` largest falls, in the table's order (subject, code). A unit without
    data in either year has no delta: it is neither."""
    moved = [c for c in changes if c.delta]
    rises = sorted((c for c in moved if c.delta > 0), key=lambda c: (-c.delta, c.subject, c.unit_id))[:each]
    falls = sorted((c for c in moved if c.delta < 0), key=lambda c: (c.delta, c.subject, c.unit_id))[:each]
    chosen = {id(c) for c in rises + falls}
    return [c for c in changes if id(c) in chosen]


def _local_time(stamp: str) -> str:
    """A run's time as an officer reads it, on this computer's clock: 26/11/2026 21:14. The history keeps ISO 8601
    in UTC; a stamp that is not one (a file edited by hand) is shown as it is."""
    import datetime as dt

    try:
        when = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return str(stamp)
    return (when.astimezone() if when.tzinfo else when).strftime("%d/%m/%Y %H:%M")


def _side(year: Any, has_data: bool = True) -> tuple[str, str, str]:
    """One year's (points, grade, rank) of a unit as the comparison table shows them; dashes when absent. A unit
    without data that year has no points or rank to show (as `score` and the Word report), only its grade."""
    from .numbers import format_or_dash

    if not year:
        return "—", "—", "—"
    if not has_data:
        return "—", year[1], "—"
    return format_or_dash(year[0]), year[1], str(year[2] or "—")


def _terminate(signum: int, frame: object) -> None:
    # A kill (Task Manager, Ctrl+Break, `kill`) unwinds like Ctrl+C: atomic writers remove their temp files.
    raise KeyboardInterrupt


def main() -> NoReturn:
    """Console entry point: typer's own usage errors exit 2.

    Once the command has finished (its files closed, its output printed), the process ends at once, as mypy
    does: a national run is 1.5 million objects, and freeing them one by one costs 0.16 s for nothing
    (bench/bench_scale.py, cli-report). A command's crash still unwinds normally, with its traceback."""
    import signal

    global _kept
    signal.signal(signal.SIGTERM, _terminate)
    for name in ("SIGHUP", "SIGBREAK"):  # the terminal closed (POSIX); Ctrl+Break, the console closed (Windows)
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _terminate)
    _kept = []  # the run stays referenced, so it is not freed when the command's frame unwinds
    if "" in sys.argv[1:]:  # an unset variable in a batch file: Path("") is the current folder, never what was meant
        position = sys.argv.index("", 1)
        print(f"Lỗi: đối số thứ {position} rỗng (\"\"), thường do một biến chưa có giá trị trong tệp lệnh. Ghi "
              "đường dẫn hoặc giá trị cụ thể (xem «qd274 --help»).", file=sys.stderr)
        _end(EXIT_USAGE)
    try:
        app()
        code = EXIT_OK
    except SystemExit as exc:  # how typer ends every command, success included
        code = _exit_status(exc.code)
    except KeyboardInterrupt:  # typer setting up, before it parses the line
        code = EXIT_INTERRUPTED
    if code == EXIT_INTERRUPTED and not _state["stop_said"]:  # typer turns Ctrl+C while parsing into a silent 130
        print("Đã dừng theo yêu cầu (Ctrl+C).", file=sys.stderr)
    _end(code)


def _exit_status(code: object) -> int:
    """SystemExit's code as the interpreter turns it into a status: None is 0, a text is printed, then 1."""
    if code is None:
        return EXIT_OK
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return EXIT_PROBLEMS


def _quiet_stdout() -> None:
    """Standard output pointed at the null device: its buffer, written to a closed pipe, would fail again at
    exit (Python's own advice for BrokenPipeError)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (a test runner's capture): nothing to redirect
        pass


def _end(code: int) -> NoReturn:
    # Every file was closed and every worker joined by the commands themselves (with blocks); only the standard
    # streams still hold text.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (qd274 … | head): nothing more to tell it
            pass
    os._exit(code)
