"""Travel document comparison: the record's document against every one on the case.

A different number is no evidence against on its own: the passport on file is often
expired by the time of exit, so the level says whether a renewal is plausible (same
issuing country) or the traveller used another country's passport.
"""

from __future__ import annotations

import polars as pl

from exitmatch.compare.levels import Comparison, Level, else_level
from exitmatch.compare.similarity import keying_distance_pairs

# Numbers shorter than this are too short for one edit to mean a keying error.
MIN_KEYED_LENGTH = 6


def one_edit_feature(frame: pl.DataFrame, left: str = "c", right: str = "r") -> pl.Series:
    """``doc_one_edit``: the record's number is one keying error away from one of the case's
    numbers from the same issuer (or from any, where the record does not say its issuer)."""
    exploded = (
        frame.select(
            __pair=pl.int_range(pl.len(), dtype=pl.UInt32),
            number=pl.col(f"{left}_doc_numbers"),
            issuer=pl.col(f"{left}_doc_issuers"),
            r_number=pl.col(f"{right}_doc_number"),
            r_issuer=pl.col(f"{right}_doc_issuer"),
        )
        .filter(pl.col("r_number").str.len_chars() >= MIN_KEYED_LENGTH)
        .explode("number", "issuer")
        .filter(
            (pl.col("number").str.len_chars() >= MIN_KEYED_LENGTH)
            & (pl.col("r_issuer").is_null() | (pl.col("issuer") == pl.col("r_issuer")))
        )
    )
    distances = keying_distance_pairs(exploded["number"].to_list(), exploded["r_number"].to_list())
    close = (
        exploded.select("__pair")
        .with_columns(distance=pl.Series(distances))
        .filter(pl.col("distance") == 1)
        .select("__pair")
        .unique()
    )
    flags = pl.DataFrame({"__pair": pl.int_range(frame.height, eager=True, dtype=pl.UInt32)})
    return (
        flags.join(close.with_columns(hit=pl.lit(True)), on="__pair", how="left")
        .sort("__pair")["hit"]
        .fill_null(False)
        .alias("doc_one_edit")
    )


def document_comparison(left: str = "c", right: str = "r") -> Comparison:
    """``c_doc_numbers`` / ``c_doc_issuers`` and ``c_doc_keys`` / ``c_doc_ocr_keys``
    (ISSUER/NUMBER, lists) against the record's ``r_doc_number``, ``r_doc_issuer``,
    ``r_doc_key`` and ``r_doc_ocr_key``. A number matches only from the same issuer (or a
    record that does not say its issuer): numbering schemes of different countries
    overlap."""
    numbers = pl.col(f"{left}_doc_numbers")
    no_issuer = pl.col(f"{right}_doc_issuer").is_null()
    return Comparison(
        "document",
        (
            Level(
                "missing",
                "not on both records",
                numbers.is_null()
                | (numbers.list.len() == 0)
                | pl.col(f"{right}_doc_number").is_null(),
                is_missing=True,
            ),
            Level(
                "exact",
                "same number",
                pl.col(f"{left}_doc_keys").list.contains(pl.col(f"{right}_doc_key"))
                | (no_issuer & numbers.list.contains(pl.col(f"{right}_doc_number"))),
            ),
            Level(
                "ocr",
                "same number but for OCR-confusable characters",
                pl.col(f"{left}_doc_ocr_keys").list.contains(pl.col(f"{right}_doc_ocr_key"))
                | (no_issuer & pl.col(f"{left}_doc_ocr").list.contains(pl.col(f"{right}_doc_ocr"))),
            ),
            Level(
                "keying",
                "one keying error in the number (a character wrong, or two swapped)",
                pl.col("doc_one_edit"),
            ),
            Level(
                "renewal",
                "different number, same issuer (renewal plausible)",
                pl.col(f"{left}_doc_issuers").list.contains(pl.col(f"{right}_doc_issuer")),
            ),
            else_level("different number and issuer (another passport?)"),
        ),
    )
