"""Training a ``MatchModel`` on one night: u from random pairs, m by EM, the prior.

Use ``train_model`` when no saved model is given; ``stored.weigh`` scores with its result.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from exitmatch.compare.levels import Comparison, agreement
from exitmatch.score.em import (
    expectation_maximisation,
    m_from_anchor,
    match_posterior,
    u_from_random_pairs,
)
from exitmatch.score.model import ComparisonParameters, LevelParameters, MatchModel


def random_pairs(n_cases: int, recs: pl.Series, count: int, seed: int) -> pl.DataFrame:
    """Distinct (case_idx, rec) pairs, about ``count`` of them: each of ``recs`` (a
    sample of records, in order) with as many cases drawn uniformly, reproducibly from
    ``seed``, as it takes."""
    per_record = -(-count // max(recs.len(), 1))
    rng = np.random.default_rng(seed)
    cases = rng.integers(0, max(n_cases, 1), (recs.len(), per_record), dtype=np.uint32)
    return pl.DataFrame(
        {
            "case_idx": cases.reshape(-1),
            "rec": np.repeat(recs.cast(pl.UInt32).to_numpy(), per_record),
        }
    ).unique(maintain_order=True)


def best_identity(vectors: pl.DataFrame, comparisons: tuple[Comparison, ...]) -> pl.DataFrame:
    """One row per (case_idx, rec): the identity whose levels agree best (each comparison
    scores from 1 for its best level down to 0 for 'else' or missing)."""
    return marked_best(vectors, comparisons).filter("best").drop("best")


def marked_best(vectors: pl.DataFrame, comparisons: tuple[Comparison, ...]) -> pl.DataFrame:
    """``vectors`` with ``best``: whether the row is its (case_idx, rec)'s best-agreeing
    identity (``best_identity``). It depends on the levels alone, so the store keeps it
    with each comparison and counts the patterns training needs without a model."""
    return (
        vectors.with_columns(__agreement=agreement(comparisons))
        .sort(["case_idx", "rec", "__agreement", "ident"], descending=[False, False, True, False])
        .with_columns(best=pl.struct("case_idx", "rec").is_first_distinct())
        .drop("__agreement")
    )


# Rounds of re-counting u without the random pairs that look like matches.
U_REFINEMENTS = 1

# Fewest pairs sharing a document number for their field agreement to stand as m.
MIN_ANCHOR_PAIRS = 50
ANCHOR_COMPARISON = "document"
ANCHOR_LEVEL = 1  # same document number


def _anchored_m(
    counted: pl.DataFrame, comparisons: tuple[Comparison, ...]
) -> dict[str, list[float]]:
    """m of every comparison but the document one, counted on pairs that share a document
    number: these are the same person, so how often their names, dates, sex and
    nationality disagree is how often records of one person disagree. Plain EM would
    take namesakes (same name and date, another person) for matches and learn that a
    differing sex costs little. Too few such pairs: no anchor, plain EM for all."""
    anchor_column = f"g_{ANCHOR_COMPARISON}"
    anchor = counted.filter(pl.col(anchor_column) == ANCHOR_LEVEL)
    if anchor["n"].sum() < MIN_ANCHOR_PAIRS:
        return {}
    others = tuple(c for c in comparisons if c.name != ANCHOR_COMPARISON)
    return m_from_anchor(anchor, others)


def train_model(
    comparisons: tuple[Comparison, ...],
    candidates: pl.DataFrame,
    random_vectors: pl.DataFrame,
    *,
    n_cases: int,
    n_records: int,
    em_iterations: int,
) -> MatchModel:
    """Learn u on ``random_vectors``, m and the match share on ``candidates``: the level
    patterns of the candidate pairs with their counts (``stored.count_patterns``).

    Both are of each pair's best-agreeing identity (``best_identity``; the candidates'
    are counted so): scoring keeps the best identity too, and an alias that is not the
    name travelled under would otherwise count as the same person disagreeing.
    """
    compared = int(candidates["n"].sum())
    random_vectors = best_identity(random_vectors, comparisons)
    anchored = _anchored_m(candidates, comparisons)
    pairs = max(n_cases * n_records, 1)
    u = u_from_random_pairs(random_vectors, comparisons)
    for _ in range(U_REFINEMENTS):
        m, share, _ = expectation_maximisation(
            candidates, comparisons, u, iterations=em_iterations, fixed_m=anchored
        )
        prior = min(max(share * compared / pairs, 1e-12), 0.5)
        # A random pair is a match about once in 1/prior draws: negligible among millions of
        # travellers, not among a few thousand. Count u again on the pairs as non-matches.
        posterior = match_posterior(random_vectors, comparisons, m, u, prior)
        u = u_from_random_pairs(random_vectors, comparisons, weights=1.0 - posterior)
    m, share, iterations = expectation_maximisation(
        candidates, comparisons, u, iterations=em_iterations, fixed_m=anchored
    )
    prior = min(max(share * compared / pairs, 1e-12), 0.5)
    params = [
        ComparisonParameters(
            name=c.name,
            levels=[
                LevelParameters(
                    name=level.name,
                    label=level.label,
                    m=0.0 if level.is_missing else m[c.name][i],
                    u=0.0 if level.is_missing else u[c.name][i],
                    tf_adjusted=level.tf_column is not None,
                )
                for i, level in enumerate(c.levels)
            ],
        )
        for c in comparisons
    ]
    return MatchModel(
        comparisons=params,
        prior=prior,
        trained_on={
            "candidate_vectors": compared,
            "random_vectors": random_vectors.height,
            "cases": n_cases,
            "records": n_records,
        },
        em_iterations=iterations,
    )
