"""Pydantic models of the criteria file: strict (extra keys forbidden), frozen, Decimal numbers."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

# Bounds on every number of a criteria file. Points, thresholds, counts and percentages are small; a number at
# or beyond 10^15, or written with more than 20 decimals, is a typo (often an «e» exponent). Refusing it before any
# arithmetic matters: Decimal keeps 1e999999999 exactly, and then a sum overflows its context, int() of it or a
# quantize runs for minutes, and a 5,000-digit integer literal is beyond what int() may convert.
NUMBER_MAX_ADJUSTED = 14  # |x| < 10^15
NUMBER_MAX_DECIMALS = 20
NUMBER_BOUNDS_VI = (f"mọi số trong bộ tiêu chí phải nhỏ hơn 10^{NUMBER_MAX_ADJUSTED + 1} (về giá trị tuyệt đối) và "
                    f"có không quá {NUMBER_MAX_DECIMALS} chữ số thập phân")


def out_of_range_message(shown: str, where: str) -> str:
    """NUMBER_OUT_OF_RANGE's text, the same for the JSON file and its Excel copy: `shown` is the number as the
    user wrote it (cut to a readable length), `where` names what to fix («số này», «ô này»)."""
    return (f"{shown} nằm ngoài khoảng hợp lý: {NUMBER_BOUNDS_VI}. Sửa lại {where} (thường do gõ thừa chữ số hoặc "
            "nhầm số mũ «e»)")


def out_of_range(value: int | Decimal) -> bool:
    """True for a number no criteria file can mean (see the bounds above); decided without converting it,
    so it is instant whatever the exponent. Not-a-number and infinities are the caller's to refuse."""
    if isinstance(value, int):
        return bool(abs(value) >= 10 ** (NUMBER_MAX_ADJUSTED + 1))
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):  # NaN, Infinity: not a range question
        return False
    return exponent < -NUMBER_MAX_DECIMALS or value.adjusted() > NUMBER_MAX_ADJUSTED


def _number_only(value: Any) -> Any:
    # JSON is read with parse_float=Decimal, so a real number arrives as int or Decimal; a string "3"
    # or a bool is a typo in the file, and lax coercion would hide it.
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise ValueError("cần một số (không đặt trong dấu nháy)")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError("NaN và Infinity không phải là số; ghi một số cụ thể")
    if out_of_range(value):  # loading refuses these first; this keeps every other way in (model_validate) safe
        raise ValueError(f"số nằm ngoài khoảng hợp lý: {NUMBER_BOUNDS_VI}")
    return Decimal(value)


# The schema says "number" for every Decimal: that is what the file must hold (strings are refused), and it
# keeps criteria/schema.json independent of how a pydantic release chooses to describe Decimal.
_NUMBER = WithJsonSchema({"type": "number"})
Number = Annotated[Decimal, BeforeValidator(_number_only), _NUMBER]
Points = Annotated[Decimal, BeforeValidator(_number_only), Field(ge=0),
                  WithJsonSchema({"type": "number", "minimum": 0})]
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
CriterionId = Annotated[str, Field(pattern=r"^[A-Z]+(\.[0-9a-z]+)*$")]
Text = Annotated[str, Field(min_length=1, pattern=r"\S")]  # a title or note of spaces only is as empty


def _date_text(value: Any) -> Any:
    # JSON has no dates: one is written "2017-05-26". Lax coercion would read the number 0 as 01/01/1970 and
    # "2017-05-26T00:00:00" as a date; both are typos in a criteria file.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        raise ValueError('cần ngày dạng YYYY-MM-DD trong dấu nháy, ví dụ "2023-12-31"')
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
Date = Annotated[dt.date, BeforeValidator(_date_text)]
StrictFlag = Annotated[bool, Field(strict=True)]  # true/false only: lax mode would read "yes" or 1 as true
DayMonth = Annotated[str, Field(pattern=r"^(0[1-9]|[12][0-9]|3[01])/(0[1-9]|1[0-2])$")]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Source(Frozen):
    """Where a criterion's content comes from; required on every criterion."""

    annex: Text
    section: Text
    status: Literal["official", "reconstructed"]
    note: Text

    def citation(self) -> str:
        return f"QĐ 274/QĐ-UBND, {self.annex}, mục {self.section}"


class Indicator(Frozen):
    id: Ident
    type: Literal["bool", "int", "date", "choice"]
    label: Text
    choices: tuple[Text, ...] | None = None
    # A value that a unit's own submitted form implies (e.g. "did not submit" is false for a unit that did):
    # the form does not ask for it, and reading a form sets it, citing the form.
    implied_by_form: StrictFlag | None = None


# ---- the ten rule kinds (parameters only; the computation lives in scoring.rules) ----------------

class YesNo(Frozen):
    kind: Literal["yes_no"]
    input: Ident


class ChecklistItem(Frozen):
    input: Ident
    points: Points


class Checklist(Frozen):
    kind: Literal["checklist"]
    items: tuple[ChecklistItem, ...] = Field(min_length=1)


class DateTier(Frozen):
    by: DayMonth
    points: Points


class DateTiers(Frozen):
    kind: Literal["date_tiers"]
    input: Ident
    tiers: tuple[DateTier, ...] = Field(min_length=1)
    later: Points


class RatioLinear(Frozen):
    kind: Literal["ratio_linear"]
    numerator: Ident
    denominator: Ident | Annotated[Decimal, BeforeValidator(_number_only), Field(gt=0),
                                   WithJsonSchema({"type": "number", "exclusiveMinimum": 0})]
    no_cases: Literal["full", "zero"]


class PctTier(Frozen):
    min_pct: Annotated[Decimal, BeforeValidator(_number_only), Field(ge=0, le=100),
                       WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100})]
    points: Points


class RatioTiers(Frozen):
    kind: Literal["ratio_tiers"]
    numerator: Ident
    denominator: Ident | Annotated[Decimal, BeforeValidator(_number_only), Field(gt=0),
                                   WithJsonSchema({"type": "number", "exclusiveMinimum": 0})]
    no_cases: Literal["full", "zero"]
    tiers: tuple[PctTier, ...] = Field(min_length=1)
    else_: Points = Field(alias="else")


class CountTier(Frozen):
    min: Annotated[int, Field(ge=0, strict=True)]
    points: Points


class CountTiers(Frozen):
    kind: Literal["count_tiers"]
    input: Ident
    tiers: tuple[CountTier, ...] = Field(min_length=1)
    else_: Points = Field(alias="else")


class EventTerm(Frozen):
    input: Ident
    points_each: Points


class PerEvent(Frozen):
    kind: Literal["per_event"]
    terms: tuple[EventTerm, ...] = Field(min_length=1)
    cap: Points


class DeductPerEvent(Frozen):
    kind: Literal["deduct_per_event"]
    terms: tuple[EventTerm, ...] = Field(min_length=1)


class Choice(Frozen):
    kind: Literal["choice"]
    input: Ident
    points: dict[Text, Points] = Field(min_length=1)


class Judgement(Frozen):
    kind: Literal["judgement"]
    step: Annotated[Decimal, BeforeValidator(_number_only), Field(gt=0),
                    WithJsonSchema({"type": "number", "exclusiveMinimum": 0})]


Rule = Annotated[
    YesNo | Checklist | DateTiers | RatioLinear | RatioTiers | CountTiers | PerEvent | DeductPerEvent
    | Choice | Judgement,
    Field(discriminator="kind"),
]
RULE_KINDS = ("yes_no", "checklist", "date_tiers", "ratio_linear", "ratio_tiers", "count_tiers",
              "per_event", "deduct_per_event", "choice", "judgement")


class Criterion(Frozen):
    """A group (top level, with `group`), a parent (with `children`) or a leaf (with `rule`)."""

    id: CriterionId
    title: Text
    max: Points
    source: Source
    group: Literal["base", "bonus", "deduction"] | None = None
    rule: Rule | None = None
    children: tuple[Criterion, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return self.rule is not None


class Scheme(Frozen):
    """One subject type's table of criteria (one annex)."""

    name: Text
    annex: Text
    total: Points  # the sum of the base groups' maxima (100 in QĐ 274)
    criteria: tuple[Criterion, ...] = Field(min_length=1)


class GradeBand(Frozen):
    id: Ident
    name: Text
    min: Number  # inclusive
    below: Number | None  # exclusive upper bound; None for the best band (up to the maximum score)


class Ungraded(Frozen):
    id: Ident
    name: Text


class IndicatorCondition(Frozen):
    indicator: Ident
    op: Literal["gt", "ge", "lt", "le", "eq", "ne"]
    value: bool | Annotated[int, Field(strict=True)]


class NoDataCondition(Frozen):
    no_data: Literal[True]


class Override(Frozen):
    """An overriding condition: when any condition holds, the grade is capped (or the unit not graded)."""

    id: Ident
    title: Text
    when: tuple[IndicatorCondition | NoDataCondition, ...] = Field(min_length=1)
    at_most: Ident | None = None
    ungraded: StrictFlag = False
    source: Source


class Rounding(Frozen):
    places: Annotated[int, Field(ge=0, le=6, strict=True)]
    mode: Literal["half_up"]


class ScoreRange(Frozen):
    min: Number
    max: Number


class Ranking(Frozen):
    method: Literal["competition"]
    order: Literal["desc"]
    tie_break: Literal["vi_name"]


class Consistency(Frozen):
    stated_pct_tolerance: Annotated[Decimal, BeforeValidator(_number_only), Field(ge=0),
                                    WithJsonSchema({"type": "number", "minimum": 0})]


class Verification(Frozen):
    on: Date
    by: Text
    note: Text


class Decision(Frozen):
    number: Text
    issuer: Text
    date: Date
    title: Text
    status: Literal["official", "reconstructed"]
    url: Text
    last_verified: Verification


SOURCE_STATUS_VI = {"reconstructed": "tái dựng", "official": "chính thức"}  # a file's or a source's status, for people


class CriteriaFile(Frozen):
    """The whole criteria file: decision, mechanics, indicator catalogue and one scheme per subject."""

    format: Literal["qd274.criteria/1"]
    id: Ident
    version: Text
    status: Literal["official", "reconstructed"]
    notice: Text
    decision: Decision
    rounding: Rounding
    score_range: ScoreRange
    grades: tuple[GradeBand, ...] = Field(min_length=1)
    ungraded: Ungraded
    overrides: tuple[Override, ...] = ()
    ranking: Ranking
    consistency: Consistency
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    schemes: dict[Ident, Scheme] = Field(min_length=1)

    def grade_order(self) -> list[tuple[str, str]]:
        """(id, name) of every grade, best first, then the ungraded one: the order every report lists them in."""
        return [(g.id, g.name) for g in self.grades] + [(self.ungraded.id, self.ungraded.name)]
