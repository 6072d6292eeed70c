"""The review's exports, as CSV text: the final warrant-cancellation list (accepted
closures with an active warrant, each approved by a supervisor) and every decision.

Timestamps are ISO 8601 UTC with ``Z``, as in the run's output files. A text value
beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
leading ``'``, so a spreadsheet shows it as text instead of running it as a formula
(notes are typed by officers); numbers and timestamps the export writes are left as they
are.
"""

from __future__ import annotations

import polars as pl

from exitmatch.contract.outputs import WarrantCancellation
from exitmatch.output.files import model_columns
from exitmatch.store.store import Store

# The contract's columns of warrant_cancellations.csv, then who decided and approved.
WARRANT_COLUMNS = (
    *model_columns(WarrantCancellation),
    "proposed_by",
    "approved_by",
    "approved_at",
)
DECISION_COLUMNS = (
    "case_id",
    "uci",
    "exit_source",
    "exit_record_id",
    "departed_at",
    "band",
    "match_probability",
    "state",
    "reason",
    "note",
    "needs_approval",
    "proposed_by",
    "proposed_at",
    "approved_by",
    "approved_at",
    "warrant_id",
    "priority",
    "region",
)


FORMULA_START = r"^[=+\-@\t\r]"


def _as_text(column: str) -> pl.Expr:
    value = pl.col(column)
    return (
        pl.when(value.str.contains(FORMULA_START))
        .then(pl.lit("'") + value)
        .otherwise(value)
        .alias(column)
    )


def _csv(frame: pl.DataFrame) -> str:
    frame = frame.with_columns(
        _as_text(name) for name, dtype in frame.schema.items() if dtype == pl.String
    )
    timestamps = [
        pl.col(name).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime)
    ]
    return frame.with_columns(timestamps).write_csv()


def warrant_cancellations(store: Store) -> str:
    """Warrants to cancel: accepted closures whose case had an active warrant."""
    frame = store.frame(
        "SELECT r.warrant_id, r.case_id, k.uci, r.exit_source, r.exit_record_id, "
        "r.departed_at, round(r.match_probability, 6) AS match_probability, r.band, "
        "k.priority = 'serious_inadmissibility' AS needs_supervisor, r.proposed_by, "
        "r.approved_by, r.approved_at "
        "FROM reviews r JOIN cases k USING (case_id) "
        "WHERE r.state = 'accepted' AND r.warrant_id IS NOT NULL ORDER BY r.warrant_id"
    )
    return _csv(frame.select(WARRANT_COLUMNS))


def decisions(store: Store) -> str:
    """Every decision taken in review, one row per (case, exit record), latest state."""
    frame = store.frame(
        "SELECT r.case_id, k.uci, r.exit_source, r.exit_record_id, r.departed_at, r.band, "
        "round(r.match_probability, 6) AS match_probability, r.state, r.reason, r.note, "
        "r.needs_approval, r.proposed_by, r.proposed_at, r.approved_by, r.approved_at, "
        "r.warrant_id, k.priority, k.region "
        "FROM reviews r LEFT JOIN cases k USING (case_id) ORDER BY r.case_id, r.exit_record_id"
    )
    return _csv(frame.select(DECISION_COLUMNS))
