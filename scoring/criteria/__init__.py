"""The criteria file: strict models, semantic checks, loading."""

from .load import DEFAULT_CRITERIA, SCHEMA_PATH, Criteria, json_schema, load_criteria, parse_criteria, write_schema
from .models import CriteriaFile, Criterion, Indicator, Scheme

__all__ = [
           "DEFAULT_CRITERIA",
           "SCHEMA_PATH",
           "Criteria",
           "CriteriaFile",
           "Criterion",
           "Indicator",
           "Scheme",
           "json_schema",
           "load_criteria",
           "parse_criteria",
           "write_schema",
]
