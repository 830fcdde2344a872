"""The command's entry point: the package loads its engine on first use, and Ctrl+C while the program is still
loading or parsing its command line ends it with a Vietnamese line and exit 130, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import scoring

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def test_importing_the_package_loads_no_engine_module_until_a_name_is_used() -> None:
    out = _python("""
        import sys
        import scoring
        before = sorted(m for m in ("pydantic", "scoring.criteria", "scoring.evaluate") if m in sys.modules)
        from scoring import load_criteria, evaluate
        print(before, "scoring.criteria" in sys.modules, load_criteria.__module__, evaluate.__module__)
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[]", "True", "scoring.criteria.load", "scoring.evaluate"]


def test_a_public_name_stays_itself_after_its_submodule_is_imported() -> None:
    # Importing scoring.evaluate (the module) records it on the package; `from scoring import evaluate` must
    # still give the function (it gave the module, and 977 tests failed in a full run: found by review).
    out = _python("""
        import scoring.pipeline, scoring.evaluate
        from scoring import evaluate, evaluate_all, load_criteria
        import scoring.criteria
        from scoring import Criteria
        print(type(evaluate).__name__, type(evaluate_all).__name__, type(load_criteria).__name__,
              type(Criteria).__name__, type(scoring.evaluate).__name__)
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["function", "function", "function", "type", "function"]


def test_a_submodule_is_reached_from_the_package_as_before() -> None:
    out = _python("""
        import scoring
        print(type(scoring.errors).__name__, scoring.criteria.load_criteria.__name__)
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["module", "load_criteria"]


def test_every_public_name_resolves_and_an_unknown_one_is_an_attribute_error() -> None:
    for name in scoring.__all__:
        assert getattr(scoring, name) is not None
    assert set(scoring.__all__) <= set(dir(scoring))
    with pytest.raises(AttributeError, match="no_such_name"):
        scoring.no_such_name  # noqa: B018


def test_ctrl_c_while_the_command_is_still_loading_exits_130_without_a_traceback() -> None:
    # KeyboardInterrupt raised where the signal would land: inside the import of the command's modules (typer).
    out = _python("""
        import builtins
        real = builtins.__import__
        def interrupted(name, *args, **kwargs):
            if name == "typer":
                raise KeyboardInterrupt
            return real(name, *args, **kwargs)
        builtins.__import__ = interrupted
        from scoring.entry import main
        main()
    """)
    assert out.returncode == 130, out.stderr
    assert "Traceback" not in out.stderr and "Đã dừng theo yêu cầu (Ctrl+C)" in out.stderr


@pytest.mark.parametrize("where", ["typer setting up", "typer parsing the line"])
def test_ctrl_c_before_the_command_runs_exits_130_with_a_line_and_no_traceback(where: str) -> None:
    # Setting up, the interrupt reaches cli.main; while parsing (here inside the --nam option's check), typer
    # itself turns it into a silent exit 130.
    out = _python(f"""
        import sys
        from scoring import cli, cli_words
        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt
        if {where!r} == "typer setting up":
            cli.app = interrupted
        else:
            cli_words.bad_parameter = interrupted
        sys.argv = ["qd274", "score", ".", "--nam", "1999"]
        cli.main()
    """)
    assert out.returncode == 130, out.stderr
    assert "Traceback" not in out.stderr and "Đã dừng theo yêu cầu (Ctrl+C)." in out.stderr, out.stderr


def test_the_installed_command_goes_through_the_entry_point() -> None:
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    assert 'qd274 = "scoring.entry:main"' in text
    assert "from .entry import main" in (ROOT / "scoring" / "__main__.py").read_text("utf-8")
