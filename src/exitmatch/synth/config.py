"""What ``exitmatch synth`` should produce: sizes, seed, formats and realism knobs.

Use :class:`SynthConfig` to describe a synthetic data set; it is plain data (JSON round-trip,
written into ``truth/manifest.json``) and knows nothing of how the data is made.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Scenarios(BaseModel):
    """What happens to each subject (mutually exclusive; the rest never left Canada)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    left_qualifying: float = Field(
        0.34, ge=0, le=1, description="Left once, on or after the order became enforceable"
    )
    left_before_order: float = Field(
        0.04, ge=0, le=1, description="Left before the removal order was made"
    )
    left_before_enforceable: float = Field(
        0.05, ge=0, le=1, description="Left after the order but before it was enforceable"
    )
    left_and_returned: float = Field(
        0.05, ge=0, le=1, description="Left once qualifying, then entered Canada again"
    )
    closed: float = Field(0.06, ge=0, le=1, description="Case already closed (may have an exit)")
    stayed: float = Field(0.05, ge=0, le=1, description="Removal stayed (may have an exit)")
    land_share: float = Field(
        0.55, ge=0, le=1, description="Share of subject departures that are by land (rest: air)"
    )
    namesake: float = Field(
        0.01,
        ge=0,
        le=1,
        description="Another traveller with the same name and date of birth also left; "
        "the share over all subjects, concentrated on common names as real look-alikes are",
    )
    prior_entry: float = Field(
        0.10, ge=0, le=1, description="The subject's arrival into Canada before the order"
    )

    @model_validator(mode="after")
    def _fits(self) -> Scenarios:
        total = (
            self.left_qualifying
            + self.left_before_order
            + self.left_before_enforceable
            + self.left_and_returned
            + self.closed
            + self.stayed
        )
        if total > 1:
            raise ValueError(f"scenario fractions add up to {total:.3f} > 1")
        return self


class Variations(BaseModel):
    """How a subject's exit record differs from the case file (independent draws)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    other_romanisation: float = Field(
        0.75,
        ge=0,
        le=1,
        description="Non-Latin-script name: case file uses another romanisation than the passport",
    )
    name_order_swap: float = Field(
        0.25, ge=0, le=1, description="Chinese names: surname and given name swapped on the case"
    )
    diacritics_kept: float = Field(
        0.5, ge=0, le=1, description="Case file keeps diacritics the passport strips (ICAO 9303)"
    )
    one_surname_only: float = Field(
        0.5, ge=0, le=1, description="Spanish double surname: the document carries only the first"
    )
    middle_name_differs: float = Field(
        0.25, ge=0, le=1, description="Middle names on one side only"
    )
    typo: float = Field(0.05, ge=0, le=1, description="A keying error in the exit record's name")
    long_name: float = Field(
        0.02, ge=0, le=1, description="Long full name, truncated to the 39-character MRZ field"
    )
    alias: float = Field(0.2, ge=0, le=1, description="Case lists aliases")
    alias_used: float = Field(
        0.03, ge=0, le=1, description="The subject leaves under one of the case's aliases"
    )
    dob_placeholder: float = Field(
        0.08, ge=0, le=1, description="Case records 1 January as a placeholder date of birth"
    )
    dob_day_month_swap: float = Field(
        0.03, ge=0, le=1, description="Day and month swapped on one side"
    )
    dob_year_off: float = Field(0.03, ge=0, le=1, description="Year of birth off by one")
    dob_partial: float = Field(
        0.03, ge=0, le=1, description="Case records a partial date (1984-00-00, 1984-07-00)"
    )
    alt_dob: float = Field(
        0.05, ge=0, le=1, description="Case records a wrong date, the true one in alternates"
    )
    no_document: float = Field(0.15, ge=0, le=1, description="Case file lists no travel document")
    renewed_passport: float = Field(
        0.15, ge=0, le=1, description="Leaves on a renewed passport: new number, same issuer"
    )
    second_passport: float = Field(
        0.04, ge=0, le=1, description="Dual national leaves on the other country's passport"
    )
    ocr_confusion: float = Field(
        0.03, ge=0, le=1, description="Document number read with O/0, I/1, S/5 or B/8 swapped"
    )
    placeholder_dob_travellers: float = Field(
        0.02, ge=0, le=1, description="Ordinary travellers whose documents say 1 January"
    )


class SynthConfig(BaseModel):
    """Everything ``exitmatch synth`` needs to produce one reproducible data set."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subjects: int = Field(2000, ge=0, description="People with removal cases (inventory rows)")
    travellers: int = Field(
        100_000, ge=0, description="Ordinary exit records (land and air) besides the subjects'"
    )
    seed: int = Field(0, ge=0, description="Same seed and settings give byte-identical files")
    format: Literal["csv", "parquet"] = Field("csv", description="File format of the inputs")
    paxlst: bool = Field(False, description="Also write the air manifests as PAXLST (.edi)")
    history_start: date = Field(date(2019, 1, 1), description="First day of exit history")
    history_end: date = Field(date(2025, 12, 31), description="Last day of exit history")
    land_share: float = Field(
        0.55, ge=0, le=1, description="Share of ordinary exit records that are by land"
    )
    traveller_entry_rate: float = Field(
        0.1, ge=0, le=1, description="Share of ordinary travellers also seen entering Canada"
    )
    dirty_rate: float = Field(
        0.001, ge=0, le=0.5, description="Share of rows with a deliberately bad or unusable value"
    )
    scenarios: Scenarios = Field(default_factory=Scenarios, description="Subject outcomes")
    variations: Variations = Field(
        default_factory=Variations, description="How records of one person differ"
    )
    chunk_rows: int = Field(
        200_000, ge=1000, description="Ordinary records generated and written per chunk"
    )

    @model_validator(mode="after")
    def _window(self) -> SynthConfig:
        if self.history_end <= self.history_start:
            raise ValueError("history_end must be after history_start")
        return self
