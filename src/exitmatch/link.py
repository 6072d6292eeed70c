"""Linking: from the store's cases and records to scored (case, record) pairs.

A ``Population`` is everything known at the time of a run: every case and every retained
record, normalised, with stable integer keys (``case_idx`` by case_id, ``ident`` per case
identity, ``rec`` by source and record_id) so the same data gives the same keys whatever
night it arrived. Only what is new is blocked and compared (``exitmatch.reconcile`` keeps
the keys and vectors in the store); ``train`` and ``scored`` re-weigh every kept vector
against today's population, so N nights give what one run over the same data gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from exitmatch.compare.vectors import comparison_vectors, comparisons
from exitmatch.normalize.encodings import encode_names
from exitmatch.normalize.features import case_identities
from exitmatch.score.apply import score
from exitmatch.score.frequencies import attach_term_frequencies, with_term_frequencies
from exitmatch.score.model import MatchModel
from exitmatch.score.train import random_pairs, train_model
from exitmatch.settings import Settings

# What the kept blocking keys and comparison vectors were made with. Raise it when a
# change to normalisation, blocking or comparison makes them stale: a store made with
# another layout is re-keyed and re-compared whole on its next run.
MATCH_LAYOUT = 3

# Candidate pairs compared at a time: bounds the memory of the wide comparison frame
# (both sides' fields and every name feature) whatever the night's size.
COMPARE_CHUNK = 1_000_000

# Columns that identify a comparison vector across runs.
VECTOR_KEYS = ("case_id", "name_no", "dob_no", "kind", "record_id")


@dataclass(frozen=True)
class Population:
    """Every case and retained record, normalised and keyed."""

    cases: pl.DataFrame
    identities: pl.DataFrame
    records: pl.DataFrame
    encodings: pl.DataFrame


@dataclass(frozen=True)
class Linked:
    """The population, the scored candidate pairs and the model that scored them."""

    cases: pl.DataFrame
    identities: pl.DataFrame
    records: pl.DataFrame
    scored: pl.DataFrame
    model: MatchModel
    timings_s: dict[str, float] = field(default_factory=dict)


def population(cases: pl.DataFrame, records: pl.DataFrame) -> Population:
    """Normalise ``cases`` (accepted inventory rows) and ``records`` (travel records as
    ``normalize.features.travel_records`` makes them, in any order)."""
    cases = (
        cases.sort("case_id")
        .with_row_index("case_idx")
        .with_columns(pl.col("case_idx").cast(pl.UInt32))
    )
    identities = case_identities(cases)
    records = (
        records.sort("kind", "record_id")
        .with_row_index("rec")
        .with_columns(pl.col("rec").cast(pl.UInt32))
    )
    names = pl.concat(
        [identities["surname"], identities["given"], records["surname"], records["given"]]
    )
    encodings = encode_names(names)
    identities = _with_sounds(identities, encodings)
    records = with_term_frequencies(_with_sounds(records, encodings), encodings)
    return Population(cases, identities, records, encodings)


def vectors_for(people: Population, pairs: pl.DataFrame) -> pl.DataFrame:
    """Comparison vectors of ``pairs`` (case_idx, ident, rec), with the blocking passes
    that found each pair: the form ``indexed`` gives stored vectors."""
    return pl.concat(
        [
            comparison_vectors(
                pairs.select("case_idx", "rec", "passes").slice(start, COMPARE_CHUNK),
                people.identities,
                people.records,
                people.encodings,
            )
            for start in range(0, max(pairs.height, 1), COMPARE_CHUNK)
        ]
    )


def stable_keyed(people: Population, vectors: pl.DataFrame) -> pl.DataFrame:
    """``vectors_for``'s vectors under their stable keys (``VECTOR_KEYS``), as the store
    keeps them."""
    return (
        vectors.join(people.identities.select("ident", "case_id", "name_no", "dob_no"), on="ident")
        .join(people.records.select("rec", "kind", "record_id"), on="rec")
        .select(*VECTOR_KEYS, "passes", *_gamma_columns(), "name_swapped")
    )


def indexed(people: Population, stored: pl.DataFrame) -> pl.DataFrame:
    """Stored vectors (``VECTOR_KEYS``) with today's ``case_idx``, ``ident`` and ``rec``."""
    return (
        stored.join(
            people.identities.select("ident", "case_idx", "case_id", "name_no", "dob_no"),
            on=["case_id", "name_no", "dob_no"],
        )
        .join(people.records.select("rec", "kind", "record_id"), on=["kind", "record_id"])
        .select("case_idx", "ident", "rec", "passes", *_gamma_columns(), "name_swapped")
    )


def random_comparisons(people: Population, settings: Settings) -> pl.DataFrame:
    """Comparison vectors of random (case, record) pairs of the whole population: nearly
    all non-matches, what u is counted on. They depend on the population alone, so they
    can be computed while the candidate pairs are found."""
    sample = random_pairs(
        people.cases.height, people.records.height, settings.random_pairs, settings.seed
    )
    return comparison_vectors(sample, people.identities, people.records, people.encodings)


def train(
    people: Population, vectors: pl.DataFrame, settings: Settings, random_vectors: pl.DataFrame
) -> MatchModel:
    """u from ``random_vectors`` (``random_comparisons``), m and the prior from
    ``vectors``."""
    return train_model(
        comparisons(),
        vectors,
        random_vectors,
        n_cases=people.cases.height,
        n_records=people.records.height,
        em_iterations=settings.em_iterations,
    )


def scored(people: Population, vectors: pl.DataFrame, model: MatchModel) -> pl.DataFrame:
    """Best identity per (case, record) with weights, match weight and probability."""
    model.check_against(comparisons())
    return score(attach_term_frequencies(vectors, people.records), comparisons(), model)


def _gamma_columns() -> list[str]:
    return [c.gamma_column for c in comparisons()]


def _with_sounds(frame: pl.DataFrame, encodings: pl.DataFrame) -> pl.DataFrame:
    """Attach each name's id in ``encodings`` and its first-token sound and initial (the
    blocking keys' name part)."""
    keys = encodings.select("name", "name_id", "first_phon", "initial")

    def side(column: str, prefix: str) -> pl.DataFrame:
        return keys.rename(
            {
                "name": column,
                "name_id": f"{prefix}_id",
                "first_phon": f"{prefix}_phon1",
                "initial": f"{prefix}_initial",
            }
        )

    return frame.join(side("surname", "sur"), on="surname", how="left").join(
        side("given", "giv"), on="given", how="left"
    )
