"""qd274: score "dân vận chính quyền" under QĐ 274/QĐ-UBND from criteria kept as data.

The public API: load the criteria, describe a unit, evaluate it, rank the results.

    >>> from scoring import load_criteria, UnitInput, Reading, evaluate, rank
"""

from .criteria import Criteria, load_criteria
from .errors import CriteriaError, InputError, Location, Qd274Error
from .evaluate import UnitResult, evaluate, evaluate_all
from .inputs import Reading, Score, UnitInput
from .ranking import rank
from .trace import TraceRecord

__version__ = "0.1.0"

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
