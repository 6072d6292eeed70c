"""Where a departure falls against the removal order.

A departure before the order was made enforces nothing; one after the order but before it
became enforceable (stayed, under appeal, or no enforceable date yet) is not a clean
enforcement and goes to an officer as an early departure. Only a departure on or after the
enforceable date qualifies under IRPR 240(3). Closed and stayed cases are not worked.
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl

from exitmatch.contract.codes import InventoryStatus


class Timing(StrEnum):
    BEFORE_ORDER = "before_order"
    BEFORE_ENFORCEABLE = "before_enforceable"
    QUALIFYING = "qualifying"


NOT_WORKED = (InventoryStatus.CLOSED.value, InventoryStatus.STAYED.value)


def departure_timing(departed_at: pl.Expr, order_date: pl.Expr, enforceable: pl.Expr) -> pl.Expr:
    """Timing of a departure (UTC timestamp) against the order's dates."""
    day = departed_at.dt.date()
    return (
        pl.when(day < order_date)
        .then(pl.lit(Timing.BEFORE_ORDER.value))
        .when(enforceable.is_null() | (day < enforceable))
        .then(pl.lit(Timing.BEFORE_ENFORCEABLE.value))
        .otherwise(pl.lit(Timing.QUALIFYING.value))
    )


def is_worked(status: pl.Expr) -> pl.Expr:
    """True for cases whose departures are looked for (not closed, not stayed)."""
    return ~status.is_in(NOT_WORKED)
