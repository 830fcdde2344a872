"""Decimal arithmetic helpers: exact parsing, half-up rounding, Vietnamese number format."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

ZERO = Decimal(0)
HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Excel's ROUND: half away from zero (for the non-negative points used here, half up)."""
    quantum = _CENT if places == 2 else Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def normalize(value: Decimal) -> Decimal:
    """Drop trailing zeros without turning 10 into 1E+1."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


@lru_cache(maxsize=1 << 16)  # points and counts repeat across units; equal values format alike
def format_vi(value: Decimal | int, places: int | None = None) -> str:
    """Vietnamese number format: '.' groups thousands, ',' marks decimals (1.234,5).

    With `places` the value is rounded half-up to that many decimals and trailing zeros kept;
    without, trailing zeros are dropped (4,74 · 6 · 1,5).
    """
    d = Decimal(value)
    if places is not None:
        d = round_half_up(d, places)
        text = f"{d:,.{places}f}"
    else:
        d = normalize(d)
        text = f"{d:,f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def show_value(value: object) -> str:
    """An input value for people: Có/Không, a Vietnamese number, a dd/mm/yyyy date, or the text itself."""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return format_vi(value)
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")  # type: ignore[no-any-return]
    return str(value)


def format_or_dash(value: Decimal | None) -> str:
    """A number for people, or "—" where there is none (no self-score, no appraisal yet)."""
    return "—" if value is None else format_vi(value)


def format_pct(value: Decimal) -> str:
    """A percentage for people: two decimals, half-up, Vietnamese format, with a spaced '%'."""
    return f"{format_vi(value, 2)} %"
