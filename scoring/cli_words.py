"""typer's own words in Vietnamese: help panels, usage line, --help, usage errors; the console commands print to.

typer prints usage errors through `typer.rich_utils.rich_format_error`, in English and with click's wording.
The officers who mistype a command read Vietnamese, so that function is replaced by one that says the same
things in Vietnamese: the usage line, where to find help, and what is wrong. The exception classes are
recognised by name, because typer ≥ 0.29 carries its own copy of click while older versions use click's:
an error this module does not know keeps typer's English message (never hidden, never a crash). The
command classes below give the help screens a Vietnamese usage line and --help description.
"""

from __future__ import annotations

import re
import shlex
import sys
from typing import Any

from typer.core import TyperCommand, TyperGroup

_QUOTED = re.compile(r"'([^']*)'")
_LAST_PARENS = re.compile(r"\(([^()]*)\)\s*$")
# pydantic's error types, which typer ≥ 0.29 converts values with; older typer goes through click's types
_EXPECTED = {"int": "cần một số nguyên (ví dụ 2023).", "float": "cần một số.", "bool": "cần có hoặc không."}


OPTIONS_METAVAR = "[TÙY_CHỌN]"
COMMAND_METAVAR = "LỆNH [THAM_SỐ]..."
HELP_OPTION = "Hiện hướng dẫn này rồi thoát."
ERRORS_TITLE = "Lỗi"


def console(stderr: bool = False) -> Any:
    """The console every command (and every usage error) prints to."""
    from rich.console import Console

    # emoji off: a unit named "Phòng :warning: Nội vụ" is shown as typed, not as "Phòng ⚠ Nội vụ"
    return Console(stderr=stderr, highlight=False, emoji=False)


_REQUIRED_ARG = re.compile(r"\{([^{}\s]+)\}")


def _usage(text: str) -> str:
    # typer ≥ 0.29 writes a required argument as {name}; the officers' usage lines name it plainly
    return _REQUIRED_ARG.sub(r"\1", text.replace("Usage:", "Cách dùng:", 1))


def _help_option(option: Any) -> Any:
    if option is not None:
        option.help = HELP_OPTION
    return option


# The value each parameter's help shows, by type, where its declaration names none: typer writes PATH,
# INTEGER, TEXT (click's types) or <path>, <int>, <str> (≥ 0.29, which also gives a flag, taking no value, <bool>).
_METAVARS = {"path": "ĐƯỜNG_DẪN", "integer": "SỐ", "int": "SỐ", "text": "CHỮ", "str": "CHỮ"}


def _metavar(param: Any, ctx: Any) -> None:
    if getattr(param, "default", 0) is None and getattr(param, "show_default", None) is not None:
        param.show_default = False  # typer < 0.29 writes "[default: None]" for an option with no default
    if getattr(param, "param_type_name", "") == "argument":
        # named by its declared metavar (ĐƯỜNG_DẪN) in the usage line, its panel and errors alike; typer ≥ 0.29
        # would add its type ("<path>") beside the name in the panel
        if param.metavar is not None and hasattr(param, "display_type_rich"):
            param.display_type_rich = lambda ctx: None
        return
    if param.metavar is not None:
        return
    if getattr(param, "is_flag", False):
        param.metavar = ""
        return
    kind = getattr(getattr(param, "type", None), "name", None)  # click's type
    if kind is None and hasattr(param, "display_type"):  # typer ≥ 0.29: "<path>", "<int>", "<str>"
        try:
            kind = str(param.display_type(ctx)).strip("<>")
        except (AttributeError, TypeError, ValueError):  # a label only: typer's own stays
            kind = None
    kind = str(kind or "").lower()
    if kind.startswith("list[") and kind.endswith("]"):  # an option given several times (--nam 2022 --nam 2023)
        kind = kind[5:-1]
    param.metavar = _METAVARS.get(kind)


class _Words:
    """A help screen whose usage line, value names and --help description are in Vietnamese."""

    def get_usage(self, ctx: Any) -> str:
        return _usage(super().get_usage(ctx))  # type: ignore[misc]

    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))  # type: ignore[misc]

    def get_params(self, ctx: Any) -> Any:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            _metavar(param, ctx)
        return params


class Command(_Words, TyperCommand):
    """Each qd274 command."""


class Group(_Words, TyperGroup):
    """The qd274 command itself."""


_WINDOWS_SPECIAL = frozenset(" \t&()[]{}^=;!'+,`~|<>@")


def shell_arg(path: object) -> str:
    """A path as it must be typed in a command line shown to copy. Windows (cmd.exe, PowerShell): in double
    quotes when it holds a space or a character either would take for syntax (C:\\Users\\Nguyễn Văn A\\…); a
    `%` or `$` in a Windows path cannot be protected for both and is left as it is. Elsewhere: as the shell needs
    it (shlex.quote: single quotes)."""
    text = str(path)
    if sys.platform != "win32":
        return shlex.quote(text)
    return f'"{text}"' if not text or any(ch in _WINDOWS_SPECIAL for ch in text) else text


def bad_parameter(message: str, param_hint: str | None = None) -> Exception:
    """typer's BadParameter carrying qd274's own (Vietnamese) words, told apart from typer's English ones."""
    import typer

    exc = typer.BadParameter(message, param_hint=param_hint)
    exc.qd274_words = True  # type: ignore[attr-defined]
    return exc


def install() -> None:
    """typer's help panels in Vietnamese, and its usage errors routed through `render` (at import of the CLI)."""
    from typer import rich_utils

    rich_utils.OPTIONS_PANEL_TITLE = "Tùy chọn"
    rich_utils.COMMANDS_PANEL_TITLE = "Lệnh"
    rich_utils.ARGUMENTS_PANEL_TITLE = "Tham số"
    rich_utils.ERRORS_PANEL_TITLE = ERRORS_TITLE
    rich_utils.ABORTED_TEXT = "Đã dừng."
    rich_utils.DEFAULT_STRING = "[mặc định: {}]"
    rich_utils.REQUIRED_LONG_STRING = "[bắt buộc]"
    if getattr(rich_utils.rich_format_error, "__module__", "") != __name__:
        setattr(rich_utils, "rich_format_error", render)  # noqa: B010  (a deliberate replacement, typed loosely)


def render(exc: Any) -> None:
    """Print a usage error as typer would, in Vietnamese. The help screen for a bare command is typer's."""
    from rich.panel import Panel
    from rich.text import Text

    err = console(stderr=True)
    if type(exc).__name__ == "NoArgsIsHelpError":  # `qd274 report` alone: the help text is the answer
        err.print(Text(exc.format_message()))
        return
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:  # its usage line is Vietnamese already (Command.get_usage); _usage for any other command
        err.print(Text(_usage(ctx.get_usage())), style="bold")
        err.print(Text(f"Xem «{ctx.command_path} --help» để biết các tham số và tùy chọn."), style="dim")
    err.print(Panel(Text(message(exc)), border_style="red", title=ERRORS_TITLE, title_align="left"))


def message(exc: Any) -> str:
    """What is wrong, in Vietnamese; typer's own words for an error this module does not know."""
    kind = type(exc).__name__
    raw = str(getattr(exc, "message", "") or "")
    text: str | None = None
    if kind == "NoSuchOption":
        text = f"không có tùy chọn {exc.option_name}."
        if getattr(exc, "possibilities", None):
            text += " Có phải: " + ", ".join(sorted(exc.possibilities)) + "?"
    elif kind == "MissingParameter":
        param = getattr(exc, "param", None)
        if param is not None and getattr(param, "param_type_name", "") == "option":
            text = f"thiếu tùy chọn {'/'.join(param.opts)} (bắt buộc)."
        elif param is not None:
            text = f"thiếu tham số «{getattr(param, 'metavar', None) or param.name}» (bắt buộc)."
    elif kind == "BadParameter":
        text = f"giá trị không hợp lệ cho {_hint(exc)}: {raw if getattr(exc, 'qd274_words', False) else _expected(exc)}"
    elif raw.startswith("No such command"):
        names = _QUOTED.findall(raw)
        if names:
            text = f"không có lệnh «{names[0]}»." + (f" Có phải «{names[1]}»?" if len(names) > 1 else "")
    elif kind == "BadOptionUsage" and "requires an argument" in raw:
        text = f"tùy chọn {exc.option_name} cần một giá trị ngay sau nó."
    elif kind == "BadOptionUsage" and "does not take a value" in raw:
        text = f"tùy chọn {exc.option_name} không nhận giá trị: chỉ ghi {exc.option_name}."
    elif "unexpected extra argument" in raw:
        extra = _LAST_PARENS.search(raw)
        text = (f"thừa tham số: {extra.group(1) if extra else raw}. Đường dẫn có dấu cách cần đặt trong ngoặc "
                'kép ("…").')
    if text is None:
        return str(exc.format_message())
    return text[0].upper() + text[1:]


def _hint(exc: Any) -> str:
    hint = getattr(exc, "param_hint", None)
    if isinstance(hint, str) and hint:
        return hint.strip("'")  # click quotes it: '--nam'
    param = getattr(exc, "param", None)
    opts = getattr(param, "opts", None)
    return "/".join(opts) if opts else "tham số"


def _expected(exc: Any) -> str:
    """The Vietnamese for typer's English conversion errors, from the parameter's type."""
    cause = exc.__cause__
    kind = ""
    if hasattr(cause, "errors"):
        try:
            kind = str(cause.errors()[0]["type"])
        except (TypeError, LookupError, AttributeError):
            kind = ""
    if not kind:
        kind = str(getattr(getattr(getattr(exc, "param", None), "type", None), "name", "") or "")
    kind = kind.lower()
    for key, words in _EXPECTED.items():
        if key in kind:
            return words
    return "giá trị không đọc được."
