"""Training a ``MatchModel`` on one night: u from random pairs, m by EM, the prior.

Use ``train_model`` when no saved model is given; pass its result to ``apply.score``.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from exitmatch.compare.levels import Comparison
from exitmatch.score.em import expectation_maximisation, u_from_random_pairs
from exitmatch.score.model import ComparisonParameters, LevelParameters, MatchModel


def random_pairs(n_cases: int, n_records: int, count: int, seed: int) -> pl.DataFrame:
    """``count`` (case_idx, rec) pairs drawn uniformly, reproducibly from ``seed``."""
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "case_idx": rng.integers(0, n_cases, count, dtype=np.uint32),
            "rec": rng.integers(0, n_records, count, dtype=np.uint32),
        }
    ).unique(maintain_order=True)


def train_model(
    comparisons: tuple[Comparison, ...],
    candidate_vectors: pl.DataFrame,
    random_vectors: pl.DataFrame,
    *,
    n_cases: int,
    n_identities: int,
    n_records: int,
    em_iterations: int,
) -> MatchModel:
    """Learn u on ``random_vectors``, m and the match share on ``candidate_vectors``."""
    u = u_from_random_pairs(random_vectors, comparisons)
    m, share, iterations = expectation_maximisation(
        candidate_vectors, comparisons, u, iterations=em_iterations
    )
    # Matching identity pairs among all identity pairs, turned into matching case-record
    # pairs among all case-record pairs: a case with k identities is compared k times.
    identities_per_case = n_identities / max(n_cases, 1)
    matches = share * candidate_vectors.height / identities_per_case
    prior = min(max(matches / max(n_cases * n_records, 1), 1e-12), 0.5)
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
            "candidate_vectors": candidate_vectors.height,
            "random_vectors": random_vectors.height,
            "cases": n_cases,
            "records": n_records,
        },
        em_iterations=iterations,
    )
