"""Linking: from the store's cases and records to scored (case, record) pairs.

A ``Population`` is what a run works on: every case and the retained records it needs
(``exitmatch.store.history``), normalised, with integer keys in a stable order
(``case_idx`` by case_id, ``ident`` per case identity, ``rec`` by source and record_id),
and the term counts of every retained record. Only what is new is blocked and compared
(``exitmatch.reconcile`` keeps the keys and vectors in the store); every kept vector is
trained on and weighed again each night of records in the store (``score.stored``; a
night of cases alone by a given model weighs only theirs, to the same scores), so N nights give
what one run over the same data gives, and ``linked_from_store`` brings in the pairs to decide on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from exitmatch.block.passes import case_keys
from exitmatch.compare.vectors import comparison_vectors, comparisons
from exitmatch.normalize.encodings import encode_names
from exitmatch.normalize.features import case_identities
from exitmatch.order import sorted_once
from exitmatch.score.frequencies import TermCounts, record_terms, term_counts
from exitmatch.score.model import MatchModel
from exitmatch.score.train import marked_best, random_pairs, train_model
from exitmatch.settings import Settings

# What the kept blocking keys and comparison vectors were made with. Raise it when a
# change to normalisation, blocking or comparison makes them stale: a store made with
# another layout is re-keyed and re-compared whole on its next run.
MATCH_LAYOUT = 5

# Candidate pairs compared at a time: bounds the memory of the wide comparison frame
# (both sides' fields and every name feature) whatever the night's size.
COMPARE_CHUNK = 1_000_000

# Random cases each sampled record is paired with, for u.
U_PAIRS_PER_RECORD = 3

# Columns that identify a comparison vector across runs.
VECTOR_KEYS = ("case_id", "name_no", "dob_no", "kind", "record_id")


@dataclass(frozen=True)
class Population:
    """Every case and the retained records a run needs, normalised and keyed, with the
    term counts of every retained record."""

    cases: pl.DataFrame
    identities: pl.DataFrame
    records: pl.DataFrame
    encodings: pl.DataFrame
    counts: TermCounts


@dataclass(frozen=True)
class Linked:
    """What a run decides on: every case and identity, the scored pairs a decision can use
    (``score.stored.decidable``: of every case, or of the cases it decides with the other
    cases' strong links to their records) with their records, the model that scored them, how many
    pairs are scored in all, and how many of them the run weighed."""

    cases: pl.DataFrame
    identities: pl.DataFrame
    records: pl.DataFrame
    scored: pl.DataFrame
    model: MatchModel
    compared: int
    weighed: int
    timings_s: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseSide:
    """Every case numbered (``case_idx`` by case_id) and its identities: what each
    population of a run shares."""

    cases: pl.DataFrame
    identities: pl.DataFrame


def case_side(cases: pl.DataFrame) -> CaseSide:
    """Number ``cases`` (accepted inventory rows) and fan them out into identities."""
    cases = _numbered(cases, "case_idx", "case_id")
    return CaseSide(cases, case_identities(cases))


def population(
    cases: pl.DataFrame | CaseSide,
    records: pl.DataFrame,
    counted: TermCounts | None = None,
    uncounted: pl.Expr | None = None,
) -> Population:
    """Normalise ``cases`` (accepted inventory rows, or their ``case_side`` when several
    populations share them) and ``records`` (travel records as
    ``normalize.features.travel_records`` makes them, in any order).

    ``counted`` are the term counts of the retained records counted before (none where
    not given) and ``uncounted`` picks those of ``records`` they do not count yet (all
    where not given): the records' frequencies are taken from the two together.
    """
    side = cases if isinstance(cases, CaseSide) else case_side(cases)
    cases, identities = side.cases, side.identities
    records = _numbered(records, "rec", "kind", "record_id")
    names = pl.concat(
        [identities["surname"], identities["given"], records["surname"], records["given"]]
    )
    encodings = encode_names(names)
    identities = _with_sounds(identities, encodings)
    records = _with_sounds(records, encodings)
    fresh = records if uncounted is None else records.filter(uncounted)
    counts = (counted or TermCounts.empty()).plus(term_counts(fresh, encodings))
    return Population(cases, identities, records, encodings, counts)


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
    """``vectors_for``'s vectors under their stable keys (``VECTOR_KEYS``), each marked
    whether it is its pair's best-agreeing identity, as the store keeps them."""
    return (
        marked_best(vectors, comparisons())
        .join(people.identities.select("ident", "case_id", "name_no", "dob_no"), on="ident")
        .join(people.records.select("rec", "kind", "record_id", "seq"), on="rec")
        .select(*VECTOR_KEYS, "passes", *_gamma_columns(), "name_swapped", "seq", "best")
    )


def records_of_pairs(people: Population, vectors: pl.DataFrame) -> pl.DataFrame:
    """The records ``vectors`` point to, as the population holds them."""
    return people.records.join(vectors.select("rec").unique(), on="rec", how="semi")


def compared_terms(people: Population, compared: pl.DataFrame) -> pl.DataFrame:
    """The terms (``score.frequencies.record_terms``) of ``compared`` records."""
    return record_terms(compared, people.encodings)


def linked_from_store(
    people: Population,
    scored: pl.DataFrame,
    records: pl.DataFrame,
    model: MatchModel,
    compared: int,
    weighed: int,
) -> Linked:
    """What a run decides on, from the pairs scored in the store (``VECTOR_KEYS`` and
    ``seq``) and their ``records`` as the store keeps them: each under today's
    ``case_idx`` and ``ident``, and ``rec`` numbering ``records`` by source and id."""
    records = _numbered(records, "rec", "kind", "record_id")
    keyed = (
        scored.join(
            people.identities.select("ident", "case_idx", "case_id", "name_no", "dob_no"),
            on=["case_id", "name_no", "dob_no"],
        )
        .join(records.select("rec", "seq"), on="seq")
        .drop("case_id", "name_no", "dob_no", "kind", "record_id", "seq")
        .sort("case_idx", "rec")
    )
    return Linked(people.cases, people.identities, records, keyed, model, compared, weighed)


def sample_size(settings: Settings) -> int:
    """Records drawn for u: each is paired with ``U_PAIRS_PER_RECORD`` random cases."""
    return -(-settings.random_pairs // U_PAIRS_PER_RECORD)


def random_comparisons(people: Population, sampled: pl.Series, settings: Settings) -> pl.DataFrame:
    """Comparison vectors of random (case, record) pairs: the records ``sampled`` (their
    ``seq``, drawn from every retained record, ``store.history.sampled_records``), each
    with random cases. Nearly all are non-matches, what u is counted on. They depend on
    the population alone, so they can be computed while the candidate pairs are found."""
    recs = people.records.join(sampled.to_frame("seq"), on="seq", how="semi")["rec"].sort()
    sample = random_pairs(people.cases.height, recs, settings.random_pairs, settings.seed)
    return comparison_vectors(sample, people.identities, people.records, people.encodings)


def case_search_keys(cases: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """The blocking keys of ``cases`` alone (pass_bit, key, no_year), to find the retained
    records they can pair with before the records are read (``no_year``: some identity
    with the key has no birth year)."""
    identities = case_identities(cases.with_row_index("case_idx"))
    names = pl.concat([identities["surname"], identities["given"]])
    keys = case_keys(
        _with_sounds(identities, encode_names(names)), broad_years=settings.broad_years
    )
    return keys.group_by("pass_bit", "key").agg(pl.col("no_year").any()).sort("pass_bit", "key")


def train(
    people: Population, patterns: pl.DataFrame, settings: Settings, random_vectors: pl.DataFrame
) -> MatchModel:
    """u from ``random_vectors`` (``random_comparisons``), m and the prior from the level
    ``patterns`` of the candidate pairs (``score.stored.count_patterns``)."""
    return train_model(
        comparisons(),
        patterns,
        random_vectors,
        n_cases=people.cases.height,
        n_records=people.counts.records,
        em_iterations=settings.em_iterations,
    )


def _numbered(frame: pl.DataFrame, column: str, *by: str) -> pl.DataFrame:
    """``frame`` sorted by ``by`` and numbered from 0 in ``column`` (UInt32)."""
    numbered = sorted_once(frame, *by).with_row_index(column)
    return numbered.with_columns(pl.col(column).cast(pl.UInt32))


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
