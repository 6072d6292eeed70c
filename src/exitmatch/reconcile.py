"""One-shot reconciliation: ingest, link, decide, write every output file.

Use ``run_reconcile`` for a night given as files (the ``reconcile`` command). It writes
the contract's outputs into ``out`` (each atomically), plus ``early_departures.csv``,
``model.json`` and ``candidate_pairs.parquet`` (every scored pair, for evaluation and
review), and returns the run report.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from exitmatch import __version__
from exitmatch.contract.codes import Source
from exitmatch.contract.outputs import (
    ClosureCandidate,
    DataIssue,
    QuarantineRow,
    ReentryAlert,
    RunReport,
    WarrantCancellation,
)
from exitmatch.decide.outcomes import Outcomes, decide
from exitmatch.errors import ContractError
from exitmatch.ingest.load import Ingested, ingest, sort_rows
from exitmatch.ingest.validate import ISSUES_SCHEMA, QUARANTINE_SCHEMA
from exitmatch.link import Linked, link
from exitmatch.output.files import atomic_path, model_columns, write_csv, write_json
from exitmatch.score.model import MatchModel
from exitmatch.settings import Settings

CLOSURES_FILE = "closure_candidates.csv"
WARRANTS_FILE = "warrant_cancellations.csv"
ALERTS_FILE = "reentry_alerts.csv"
EARLY_FILE = "early_departures.csv"
MODEL_FILE = "model.json"
PAIRS_FILE = "candidate_pairs.parquet"

# Optional columns added after the contract's own (the contract allows additions).
CLOSURE_EXTRAS = ("priority", "region")
ALERT_EXTRAS = ("order_type", "arc_required", "arc_reason")
EARLY_COLUMNS = (
    "case_id",
    "uci",
    "exit_source",
    "exit_record_id",
    "departed_at",
    "reason",
    "match_probability",
    "band",
    "evidence",
)


def run_reconcile(
    inputs: Mapping[Source, Sequence[Path]],
    out: Path,
    settings: Settings,
    model: MatchModel | None = None,
) -> RunReport:
    """Reconcile one night given as files; write every output into ``out``."""
    started_at = datetime.now(UTC)
    if Source.INVENTORY not in inputs:
        raise ContractError("reconcile needs --inventory")
    if Source.LAND not in inputs and Source.AIR not in inputs:
        raise ContractError("reconcile needs --land or --air (or both)")
    clock = time.perf_counter()
    loaded = {source: ingest(source, paths) for source, paths in inputs.items()}
    timings = {"read": round(time.perf_counter() - clock, 3)}

    def frame(source: Source) -> pl.DataFrame | None:
        return loaded[source].frame if source in loaded else None

    linked = link(
        loaded[Source.INVENTORY].frame,
        frame(Source.LAND),
        frame(Source.AIR),
        frame(Source.ENTRIES),
        settings,
        model,
    )
    timings.update(linked.timings_s)
    clock = time.perf_counter()
    outcomes = decide(linked, settings)
    timings["decide"] = round(time.perf_counter() - clock, 3)
    clock = time.perf_counter()
    written = write_outputs(out, loaded.values(), linked, outcomes)
    timings["write"] = round(time.perf_counter() - clock, 3)

    sources = [result.counts() for result in loaded.values()]
    report = RunReport(
        exitmatch_version=__version__,
        command="reconcile",
        started_at=started_at,
        sources=sources,
        unreadable_files=sum(1 for s in sources for f in s.files if f.error),
        bands={
            band: int((outcomes.closures["band"] == band).sum())
            for band in ("confirmed", "probable", "possible")
        },
        outputs=written,
        timings_s=timings,
        settings_fingerprint=settings.fingerprint(),
        model_fingerprint=linked.model.fingerprint(),
        settings=settings.model_dump(mode="json"),
    )
    write_json(report, out / "run_report.json")
    return report


def write_outputs(
    out: Path, loaded: Iterable[Ingested], linked: Linked, outcomes: Outcomes
) -> dict[str, int]:
    """Write every output file; returns rows written per file."""
    results = list(loaded)
    quarantine = sort_rows(
        pl.concat([pl.DataFrame(schema=QUARANTINE_SCHEMA), *(r.quarantine for r in results)])
    )
    issues = sort_rows(
        pl.concat([pl.DataFrame(schema=ISSUES_SCHEMA), *(r.issues for r in results)])
    )
    written = {
        CLOSURES_FILE: write_csv(
            outcomes.closures,
            out / CLOSURES_FILE,
            [*model_columns(ClosureCandidate), *CLOSURE_EXTRAS],
        ),
        WARRANTS_FILE: write_csv(
            outcomes.warrants, out / WARRANTS_FILE, model_columns(WarrantCancellation)
        ),
        ALERTS_FILE: write_csv(
            outcomes.alerts, out / ALERTS_FILE, [*model_columns(ReentryAlert), *ALERT_EXTRAS]
        ),
        EARLY_FILE: write_csv(outcomes.early, out / EARLY_FILE, EARLY_COLUMNS),
        "quarantine.csv": write_csv(
            quarantine, out / "quarantine.csv", model_columns(QuarantineRow)
        ),
        "data_issues.csv": write_csv(issues, out / "data_issues.csv", model_columns(DataIssue)),
    }
    linked.model.save(out / MODEL_FILE)
    pairs = candidate_pairs_frame(linked)
    with atomic_path(out / PAIRS_FILE) as temp:
        pairs.write_parquet(temp)
    written[PAIRS_FILE] = pairs.height
    return written


def candidate_pairs_frame(linked: Linked) -> pl.DataFrame:
    """Every scored pair by its contract keys: case, record source and id, passes, score."""
    return (
        linked.scored.join(linked.cases.select("case_idx", "case_id"), on="case_idx")
        .join(linked.records.select("rec", "kind", "record_id"), on="rec")
        .select(
            "case_id",
            pl.col("kind").alias("source"),
            "record_id",
            "passes",
            pl.col("match_weight").round(3),
            pl.col("match_probability").round(6),
        )
        .sort("case_id", "source", "record_id")
    )
