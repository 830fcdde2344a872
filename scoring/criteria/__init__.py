"""The criteria file: strict models, semantic checks, loading."""

from .load import DEFAULT_CRITERIA, Criteria, json_schema, load_criteria, parse_criteria
from .models import CriteriaFile, Criterion, Indicator, Scheme

__all__ = ["DEFAULT_CRITERIA", "Criteria", "CriteriaFile", "Criterion", "Indicator", "Scheme", "json_schema",
           "load_criteria", "parse_criteria"]
