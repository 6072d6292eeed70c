"""Learning m and u without labels.

u, the chance of each level between two different people, is counted on random
(identity, record) pairs: almost none of them match. m, the chance of each level for the
same person, is learned by expectation-maximisation over the candidate pairs with u held
fixed, as Splink does. The work runs over distinct gamma patterns with their counts (the
gamma columns and ``n``, however many pairs show each), not over rows: the store counts
the kept comparisons' patterns without bringing them into memory
(``score.stored.count_patterns``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from exitmatch.compare.levels import Comparison

# Add-one smoothing floor: a level never seen among random pairs gets this much of a count.
_SMOOTHING = 0.5


def u_from_random_pairs(
    vectors: pl.DataFrame,
    comparisons: tuple[Comparison, ...],
    weights: npt.NDArray[np.float64] | None = None,
) -> dict[str, list[float]]:
    """Share of each level among random pairs (missing pairs left out of the share).

    ``weights`` (one per pair, e.g. the chance it is not a match) discount random pairs
    that happen to be matches: in a small population they are not negligible."""
    result = {}
    for comparison in comparisons:
        counts = _level_counts(vectors[comparison.gamma_column], len(comparison.levels), weights)
        observed = counts[1:] + _SMOOTHING
        result[comparison.name] = [0.0, *(observed / observed.sum()).tolist()]
    return result


def _level_counts(
    gamma: pl.Series, levels: int, weights: npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.float64]:
    values = gamma.to_numpy().astype(np.int64)
    return np.bincount(values, weights=weights, minlength=levels).astype(np.float64)[:levels]


def match_posterior(
    vectors: pl.DataFrame,
    comparisons: tuple[Comparison, ...],
    m: dict[str, list[float]],
    u: dict[str, list[float]],
    prior: float,
) -> npt.NDArray[np.float64]:
    """Chance that each pair matches, from its levels, m, u and the prior."""
    log_odds = np.full(vectors.height, np.log(prior / (1.0 - prior)))
    for comparison in comparisons:
        gamma = vectors[comparison.gamma_column].to_numpy().astype(np.int64)
        mk = np.maximum(np.asarray(m[comparison.name]), 1e-12)
        uk = np.maximum(np.asarray(u[comparison.name]), 1e-12)
        ratio = np.where(gamma > 0, mk[gamma] / uk[gamma], 1.0)
        log_odds += np.log(ratio)
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(log_odds, -700, 700))), dtype=np.float64)


def initial_m(comparison: Comparison) -> list[float]:
    """A starting guess: the same person mostly agrees well; 'else' is rare."""
    levels = len(comparison.levels) - 1
    raw = np.array([0.5**i for i in range(levels)], dtype=np.float64)
    raw[-1] = 0.01
    return [0.0, *(raw / raw.sum()).tolist()]


def expectation_maximisation(
    counted: pl.DataFrame,
    comparisons: tuple[Comparison, ...],
    u: dict[str, list[float]],
    *,
    iterations: int = 40,
    tolerance: float = 1e-6,
    fixed_m: dict[str, list[float]] | None = None,
) -> tuple[dict[str, list[float]], float, int]:
    """m per level, the share of matches among the pairs counted (gamma patterns with
    ``n``), and the iterations run.

    Comparisons named in ``fixed_m`` keep those m values; EM learns the others.
    """
    fixed_m = fixed_m or {}
    columns = [c.gamma_column for c in comparisons]
    summed = counted.group_by(columns).agg(pl.col("n").sum()).sort(columns)
    gamma = summed.select(columns).to_numpy().astype(np.int64)
    counts = summed["n"].to_numpy().astype(np.float64)
    m = {c.name: np.array(fixed_m.get(c.name) or initial_m(c)) for c in comparisons}
    u_arrays = {name: np.array(values) for name, values in u.items()}
    share = 0.05
    iteration = 0
    for iteration in range(1, iterations + 1):  # noqa: B007 - reported back
        log_odds = np.full(len(counts), np.log(share / (1.0 - share)))
        for k, comparison in enumerate(comparisons):
            g = gamma[:, k]
            ratio = np.ones_like(counts)
            present = g > 0
            mk, uk = m[comparison.name], u_arrays[comparison.name]
            ratio[present] = np.maximum(mk[g[present]], 1e-12) / uk[g[present]]
            log_odds += np.log(ratio)
        posterior = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -700, 700)))
        weighted = posterior * counts
        new_share = float(weighted.sum() / counts.sum())
        change = abs(new_share - share)
        for k, comparison in enumerate(comparisons):
            if comparison.name in fixed_m:
                continue
            g = gamma[:, k]
            totals = np.bincount(g, weights=weighted, minlength=len(comparison.levels))
            totals[0] = 0.0
            fresh = totals / max(totals.sum(), 1e-12)
            fresh[1:] = np.maximum(fresh[1:], 1e-6)
            fresh[1:] /= fresh[1:].sum()
            change = max(change, float(np.abs(fresh - m[comparison.name]).max()))
            m[comparison.name] = fresh
        share = min(max(new_share, 1e-9), 1 - 1e-9)
        if change < tolerance:
            break
    return {name: values.tolist() for name, values in m.items()}, share, iteration


def m_from_anchor(
    anchor: pl.DataFrame, comparisons: tuple[Comparison, ...]
) -> dict[str, list[float]]:
    """m per level counted on pairs already known to match (the anchor, as gamma patterns
    with ``n``), smoothed."""
    result = {}
    weights = anchor["n"].to_numpy().astype(np.float64)
    for comparison in comparisons:
        gamma, levels = anchor[comparison.gamma_column], len(comparison.levels)
        counts = _level_counts(gamma, levels, weights)
        observed = counts[1:] + _SMOOTHING
        result[comparison.name] = [0.0, *(observed / observed.sum()).tolist()]
    return result
