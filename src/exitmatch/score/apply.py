"""Turning comparison vectors into match weights and probabilities.

Use ``score`` after ``comparison_vectors``: it weighs every level (term-frequency
adjusted where the level says so), keeps each case's best identity per record, and adds
``match_weight`` (log2 Bayes factor) and ``match_probability`` (with the model's prior).
"""

from __future__ import annotations

import polars as pl

from exitmatch.compare.levels import Comparison
from exitmatch.score.model import MatchModel


def weight_column(comparison: Comparison) -> str:
    return f"w_{comparison.name}"


def _weight(comparison: Comparison, model: MatchModel) -> pl.Expr:
    gamma = pl.col(comparison.gamma_column)
    expr: pl.Expr = pl.lit(0.0)
    for index, level in enumerate(comparison.levels):
        params = model.level(comparison.name, index)
        weight: pl.Expr = pl.lit(params.weight)
        if level.tf_column is not None and params.tf_adjusted and params.m > 0:
            # Value-specific u: agreeing on a value shared by 1% of travellers is worth
            # log2(m / 0.01), whatever the average u of the level.
            weight = (pl.lit(params.m) / pl.col(level.tf_column)).log(2)
        expr = pl.when(gamma == index).then(weight).otherwise(expr)
    return expr.alias(weight_column(comparison))


def score(
    vectors: pl.DataFrame, comparisons: tuple[Comparison, ...], model: MatchModel
) -> pl.DataFrame:
    """Best identity per (case_idx, rec), with per-comparison weights and the totals."""
    weights = [_weight(c, model) for c in comparisons]
    scored = vectors.with_columns(weights).with_columns(
        match_weight=pl.sum_horizontal(weight_column(c) for c in comparisons)
    )
    best = scored.sort(
        ["case_idx", "rec", "match_weight", "ident"], descending=[False, False, True, False]
    ).unique(["case_idx", "rec"], keep="first", maintain_order=True)
    log_odds = pl.lit(model.prior_log2_odds) + pl.col("match_weight")
    return best.with_columns(match_probability=1.0 / (1.0 + (2.0 ** (-log_odds))))
