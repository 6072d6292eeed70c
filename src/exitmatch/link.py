"""Linking: from accepted rows to scored (case, record) pairs.

Use ``link`` between ingestion and the 240(3) decisions. It normalises both sides,
blocks, compares, trains the model when none is given, and scores. Everything is keyed
by integers (``case_idx``, ``ident``, ``rec``) into the frames it returns.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import polars as pl

from exitmatch.block.passes import candidate_pairs
from exitmatch.compare.vectors import comparison_vectors, comparisons
from exitmatch.normalize.features import case_identities, travel_records
from exitmatch.normalize.names import encode_names
from exitmatch.score.apply import score
from exitmatch.score.frequencies import with_term_frequencies
from exitmatch.score.model import MatchModel
from exitmatch.score.train import random_pairs, train_model
from exitmatch.settings import Settings


@dataclass(frozen=True)
class Linked:
    """Both sides as compared, the scored candidate pairs and the model that scored them."""

    cases: pl.DataFrame
    identities: pl.DataFrame
    records: pl.DataFrame
    scored: pl.DataFrame
    model: MatchModel
    timings_s: dict[str, float] = field(default_factory=dict)


def link(
    cases: pl.DataFrame,
    land: pl.DataFrame | None,
    air: pl.DataFrame | None,
    entries: pl.DataFrame | None,
    settings: Settings,
    model: MatchModel | None = None,
) -> Linked:
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    cases = (
        cases.sort("case_id")
        .with_row_index("case_idx")
        .with_columns(pl.col("case_idx").cast(pl.UInt32))
    )
    identities = case_identities(cases.drop("case_idx"))
    records = travel_records(land, air, entries)
    names = pl.concat(
        [identities["surname"], identities["given"], records["surname"], records["given"]]
    )
    encodings = encode_names(names)
    identities = _with_sounds(identities, encodings)
    records = with_term_frequencies(_with_sounds(records, encodings), encodings)
    lap("normalise")

    pairs = candidate_pairs(identities, records, cap=settings.block_cap)
    lap("block")

    chosen = comparisons()
    vectors = comparison_vectors(pairs, identities, records, encodings)
    lap("compare")
    if model is None:
        sample = random_pairs(cases.height, records.height, settings.random_pairs, settings.seed)
        random_vectors = comparison_vectors(sample, identities, records, encodings)
        model = train_model(
            chosen,
            vectors,
            random_vectors,
            n_cases=cases.height,
            n_records=records.height,
            em_iterations=settings.em_iterations,
        )
        lap("train")
    else:
        model.check_against(chosen)
    scored = score(vectors, chosen, model).join(pairs, on=["case_idx", "rec"], how="left")
    lap("score")
    return Linked(cases, identities, records, scored, model, timings)


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
