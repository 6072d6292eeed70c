"""Where a departure falls against the removal order.

A departure before the order was made enforces nothing; one after the order but before it
became enforceable (under appeal, or no enforceable date yet), or while the removal is
stayed, is not a clean enforcement and goes to an officer as an early departure. Only a
departure on or after the enforceable date of a case that is not stayed qualifies under
IRPR 240(3). Closed cases are not worked at all.

Order dates are Canadian calendar dates; a departure is an instant. Without the place's
time zone, the departure's local date is only known to lie between its date on the
Pacific coast (the earliest) and in Newfoundland (the latest). The rules are read
cautiously: a departure is before the order only if it was so everywhere in Canada, and
qualifies only if it was on or after the enforceable date everywhere in Canada; a
departure that falls either way by time zone goes to an officer as ``before_enforceable``.
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl

from exitmatch.contract.codes import InventoryStatus


class Timing(StrEnum):
    BEFORE_ORDER = "before_order"
    WHILE_STAYED = "while_stayed"
    BEFORE_ENFORCEABLE = "before_enforceable"
    QUALIFYING = "qualifying"


NOT_WORKED = (InventoryStatus.CLOSED.value,)

# Canada's westernmost and easternmost time zones: a moment's local date in Canada lies
# between its dates in these two.
WESTERNMOST = "America/Vancouver"
EASTERNMOST = "America/St_Johns"


def earliest_local_date(moment: pl.Expr) -> pl.Expr:
    return moment.dt.convert_time_zone(WESTERNMOST).dt.date()


def latest_local_date(moment: pl.Expr) -> pl.Expr:
    return moment.dt.convert_time_zone(EASTERNMOST).dt.date()


def departure_timing(
    departed_at: pl.Expr,
    order_date: pl.Expr,
    enforceable: pl.Expr,
    status: pl.Expr | None = None,
) -> pl.Expr:
    """Timing of a departure (UTC timestamp) against the order's dates and, when given,
    the case's inventory status (read cautiously across time zones: see the module)."""
    stayed = pl.lit(False) if status is None else status == InventoryStatus.STAYED.value
    return (
        pl.when(latest_local_date(departed_at) < order_date)
        .then(pl.lit(Timing.BEFORE_ORDER.value))
        .when(stayed)
        .then(pl.lit(Timing.WHILE_STAYED.value))
        .when(enforceable.is_null() | (earliest_local_date(departed_at) < enforceable))
        .then(pl.lit(Timing.BEFORE_ENFORCEABLE.value))
        .otherwise(pl.lit(Timing.QUALIFYING.value))
    )


def is_worked(status: pl.Expr) -> pl.Expr:
    """True for cases whose departures are looked for (all but closed ones)."""
    return ~status.is_in(NOT_WORKED)
