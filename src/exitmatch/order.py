"""Frames put in order only where they are not in it already.

Records mostly arrive in order (a file's record ids count up), and a night's records are
numbered in the order the store keeps. Checking that order is a pass over the key
columns; sorting moves every column of every row. ``sorted_once`` checks first.
"""

from __future__ import annotations

import polars as pl


def in_order(frame: pl.DataFrame, by: tuple[str, ...]) -> bool:
    """Whether each row of ``frame`` comes after the one before it by ``by``, compared
    column by column (a null anywhere: not known to be, so no)."""
    after = pl.lit(False)
    tied = pl.lit(True)
    for name in by:
        value, before = pl.col(name), pl.col(name).shift(1)
        after = after | (tied & (before < value))
        tied = tied & (before == value)
    ordered = (after | tied).slice(1).fill_null(False).all()
    return frame.height < 2 or bool(frame.select(ordered).item())


def sorted_once(frame: pl.DataFrame, *by: str) -> pl.DataFrame:
    """``frame`` sorted by ``by``: as it is, where it is in that order already."""
    return frame if in_order(frame, by) else frame.sort(*by)
