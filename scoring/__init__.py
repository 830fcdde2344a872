"""qd274: score "dân vận chính quyền" under QĐ 274/QĐ-UBND from criteria kept as data.

The public API: load the criteria, describe a unit, evaluate it, rank the results.

    >>> from scoring import load_criteria, UnitInput, Reading, evaluate, rank

The names are loaded on first use (PEP 562): the `qd274` command imports this package before anything else,
and the engine's imports (pydantic models, the criteria loader) would delay `qd274 --help` and leave Ctrl+C
pressed meanwhile to Python's traceback (scoring.entry). Only underscored helpers live here besides the API:
`dir(scoring)` is the API (tests/test_public_api.py).
"""

import sys as _sys
import types as _types
import typing as _typing
from importlib import import_module as _import_module

if _typing.TYPE_CHECKING:
    from .criteria import Criteria, load_criteria
    from .errors import CriteriaError, InputError, Location, Qd274Error
    from .evaluate import UnitResult, evaluate, evaluate_all
    from .inputs import Reading, Score, UnitInput
    from .ranking import rank
    from .trace import TraceRecord

__version__ = "0.1.0"

_HOME = {
    "Criteria": ".criteria", "load_criteria": ".criteria",
    "CriteriaError": ".errors", "InputError": ".errors", "Location": ".errors", "Qd274Error": ".errors",
    "UnitResult": ".evaluate", "evaluate": ".evaluate", "evaluate_all": ".evaluate",
    "Reading": ".inputs", "Score": ".inputs", "UnitInput": ".inputs",
    "rank": ".ranking",
    "TraceRecord": ".trace",
}

__all__ = [
    "Criteria",
    "CriteriaError",
    "InputError",
    "Location",
    "Qd274Error",
    "Reading",
    "Score",
    "TraceRecord",
    "UnitInput",
    "UnitResult",
    "__version__",
    "evaluate",
    "evaluate_all",
    "load_criteria",
    "rank",
]


if not _typing.TYPE_CHECKING:  # for mypy the names are the imports above: a misspelt one is still an error

    def __getattr__(name: str) -> object:
        home = _HOME.get(name)
        if home is not None:
            value = getattr(_import_module(home, __name__), name)
            globals()[name] = value  # once: later lookups find it without this function
            return value
        if not name.startswith("_"):  # scoring.errors after `import scoring`, as when everything was imported
            try:
                return _import_module(f"{__name__}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{__name__}.{name}":  # the submodule exists and lacks one of its own imports
                    raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(_types.ModuleType):
    def __setattr__(self, name: str, value: object) -> None:
        # Importing a submodule records it on its package: scoring.evaluate = <module scoring.evaluate>, which
        # would hide the function of the same name. The public name stays the function, as when this file
        # imported everything at once.
        if name in _HOME and isinstance(value, _types.ModuleType) and value.__name__ == f"{__name__}.{name}":
            value = getattr(value, name)
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package
