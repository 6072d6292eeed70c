"""Output rows and the run report, as the contract defines them.

Field order is the column order of each CSV file. Writers take their header from these
models, so a renamed field would show up in the schema drift test.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from exitmatch.contract.codes import Band, ExitSource


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ClosureCandidate(_Out):
    """A case that exit evidence says may be closed under IRPR 240(3); one row per case."""

    case_id: str
    uci: str
    exit_source: ExitSource
    exit_record_id: str = Field(description="record_id of the departure in its source")
    departed_at: datetime
    departure_place: str = Field(description="Port, or airport and flight")
    match_probability: float = Field(ge=0.0, le=1.0)
    match_weight: float = Field(description="log2 Bayes factor of the evidence")
    band: Band
    evidence: str = Field(description="Which fields agreed, how, and what counted against")
    warrant_id: str | None = Field(None, description="The case's active warrant, if any")


class WarrantCancellation(_Out):
    """An active immigration warrant whose subject has left Canada."""

    warrant_id: str
    case_id: str
    uci: str
    exit_source: ExitSource
    exit_record_id: str
    departed_at: datetime
    match_probability: float = Field(ge=0.0, le=1.0)
    band: Band
    needs_supervisor: bool = Field(description="True for serious_inadmissibility cases")


class ReentryAlert(_Out):
    """A subject seen leaving Canada and then entering it again."""

    case_id: str
    uci: str
    exit_record_id: str
    departed_at: datetime
    entry_record_id: str
    entered_at: datetime
    match_probability: float = Field(ge=0.0, le=1.0)


class QuarantineRow(_Out):
    """An input row that was not accepted, with why."""

    source: str
    file: str
    row: str = Field(description="1-based data row, or message/segment for PAXLST")
    reason: str
    raw: str = Field(description="The row as it was read")


class DataIssue(_Out):
    """A value set aside in a row that was kept."""

    source: str
    file: str
    row: str
    column: str
    value: str
    reason: str


class FileCounts(_Out):
    """What happened to one input file."""

    file: str
    format: str
    sha256: str | None = Field(None, description="Digest of the file's bytes as read")
    read: int = 0
    accepted: int = 0
    quarantined: int = 0
    data_issues: int = 0
    error: str | None = Field(None, description="Why the file could not be read at all")


class SourceCounts(_Out):
    """Counts in and out for one source; read = accepted + quarantined."""

    source: str
    read: int = 0
    accepted: int = 0
    quarantined: int = 0
    data_issues: int = 0
    files: list[FileCounts] = Field(default_factory=list)


class RunReport(_Out):
    """run_report.json: what went in, what came out, how long it took, with what settings."""

    exitmatch_version: str
    command: str
    started_at: datetime
    sources: list[SourceCounts]
    unreadable_files: int = Field(0, description="Files that could not be read at all")
    bands: dict[str, int] = Field(default_factory=dict, description="Candidates per band")
    outputs: dict[str, int] = Field(default_factory=dict, description="Rows per output file")
    timings_s: dict[str, float] = Field(default_factory=dict, description="Seconds per stage")
    settings_fingerprint: str | None = None
    model_fingerprint: str | None = None
    settings: dict[str, object] = Field(default_factory=dict)
    store: dict[str, object] = Field(
        default_factory=dict, description="The store after the run: path and sizes"
    )


OUTPUT_MODELS: dict[str, type[BaseModel]] = {
    "closure_candidates": ClosureCandidate,
    "warrant_cancellations": WarrantCancellation,
    "reentry_alerts": ReentryAlert,
    "quarantine": QuarantineRow,
    "data_issues": DataIssue,
    "run_report": RunReport,
}
