"""The building blocks of a comparison: levels and the comparison that orders them.

A ``Level`` is a condition over the pair frame plus a label. A ``Comparison`` evaluates
its levels in order and gives each pair the index of the first level that holds (the
comparison vector value, gamma). Level 0 is always "missing": the field is absent on one
side, and such a pair neither gains nor loses weight on this field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl


@dataclass(frozen=True)
class Level:
    """One outcome of comparing a field.

    ``tf_column`` names the pair-frame column holding the relative frequency of the agreed
    value among travellers, when this level's weight is adjusted for how common the value
    is (an exact surname match on a common name is worth less than on a rare one).
    """

    name: str
    label: str
    condition: pl.Expr = field(compare=False)
    is_missing: bool = False
    tf_column: str | None = None


@dataclass(frozen=True)
class Comparison:
    """An ordered list of levels for one field; the first level that holds wins."""

    name: str
    levels: tuple[Level, ...]

    def __post_init__(self) -> None:
        if not self.levels or not self.levels[0].is_missing:
            raise ValueError(f"{self.name}: level 0 must be the missing level")
        names = [level.name for level in self.levels]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: level names repeat: {names}")

    @property
    def gamma_column(self) -> str:
        return f"g_{self.name}"

    def gamma(self) -> pl.Expr:
        """Index of the first level that holds, as UInt8; the last level is 'else'."""
        expr: pl.Expr = pl.lit(len(self.levels) - 1, dtype=pl.UInt8)
        for index in range(len(self.levels) - 2, -1, -1):
            condition = self.levels[index].condition.fill_null(False)
            expr = pl.when(condition).then(pl.lit(index, dtype=pl.UInt8)).otherwise(expr)
        return expr.alias(self.gamma_column)

    def level_names(self) -> list[str]:
        return [level.name for level in self.levels]


def else_level(label: str = "differs") -> Level:
    """The catch-all last level."""
    return Level("else", label, pl.lit(True))


def gammas(comparisons: Sequence[Comparison]) -> list[pl.Expr]:
    """The gamma expressions of every comparison, for one ``with_columns`` call."""
    return [comparison.gamma() for comparison in comparisons]


def agreement(comparisons: Sequence[Comparison]) -> pl.Expr:
    """How well a pair's levels agree, without weights: each comparison scores from 1 for
    its best level down to 0 for 'else' or missing. For choices made before there is a
    model: which name order, which of a case's identities."""
    return pl.sum_horizontal(
        pl.when(pl.col(c.gamma_column) == 0)
        .then(0.0)
        .otherwise(
            (len(c.levels) - 1 - pl.col(c.gamma_column).cast(pl.Float64)) / (len(c.levels) - 2)
        )
        for c in comparisons
    )
