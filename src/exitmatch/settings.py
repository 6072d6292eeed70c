"""Settings of a reconciliation run: plain data, frozen, fingerprinted into every report.

The engine turns these into its plan; nothing here knows polars or duckdb. Load from JSON
with ``Settings.model_validate_json`` (unknown keys are refused), or take the defaults.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict, Field, model_validator

from exitmatch.contract.codes import Band


class Thresholds(BaseModel):
    """Probability cut-offs of the bands (the model's calibrated match probability)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    confirmed: float = Field(
        0.9999,
        gt=0.0,
        lt=1.0,
        description="At or above, with corroborating document evidence and no ambiguity: "
        "confirmed (nearly free of false links)",
    )
    probable: float = Field(
        0.98, gt=0.0, lt=1.0, description="At or above, and unambiguous: probable"
    )
    possible: float = Field(
        0.5, gt=0.0, lt=1.0, description="At or above: possible; below, no candidate at all"
    )
    strong: float = Field(
        0.9,
        gt=0.0,
        lt=1.0,
        description="A link this likely counts when looking for ambiguity (a second "
        "traveller for one case, a second case for one exit) and for re-entries",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if not self.possible <= self.probable <= self.confirmed:
            raise ValueError("thresholds must satisfy possible <= probable <= confirmed")
        return self


class Settings(BaseModel):
    """Everything that changes what a run produces."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int = Field(1, description="Seed of the random pairs that estimate u")
    random_pairs: int = Field(
        300_000, ge=1000, description="Random (case, record) pairs drawn to estimate u"
    )
    em_iterations: int = Field(60, ge=1, description="Most EM iterations when training m")
    block_cap: int = Field(
        200,
        ge=1,
        description="Broadest blocking pass (one name and birth year): keys shared by more "
        "records than this are skipped",
    )
    broad_years: int = Field(
        0,
        ge=0,
        le=2,
        description="Broadest blocking pass: birth years searched either side of the case's. "
        "0 (the same year) finds all but about 0.1% of departures that 1 finds, with less "
        "than half the comparisons",
    )
    thresholds: Thresholds = Field(default_factory=Thresholds, description="Band cut-offs")
    warrant_bands: tuple[Band, ...] = Field(
        (Band.CONFIRMED,),
        description="Bands whose closures propose cancelling the case's active warrant. "
        "A cancelled warrant frees a person who may still be in Canada, so by default only "
        "confirmed closures propose it; a probable one reaches the list once an officer "
        "accepts it. Possible is never allowed.",
    )
    reentry_after_days: int = Field(
        0,
        ge=0,
        description="An entry counts as a re-entry only this many days or more after the departure",
    )

    @model_validator(mode="after")
    def _no_possible_warrants(self) -> Settings:
        if Band.POSSIBLE in self.warrant_bands:
            raise ValueError("a possible link never cancels a warrant")
        return self

    def fingerprint(self) -> str:
        """Short digest of the settings' JSON, for run reports."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]
