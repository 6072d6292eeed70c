"""Travel document comparison: the record's document against every one on the case.

A different number is no evidence against on its own: the passport on file is often
expired by the time of exit, so the level says whether a renewal is plausible (same
issuing country) or the traveller used another country's passport.
"""

from __future__ import annotations

import polars as pl

from exitmatch.compare.levels import Comparison, Level, else_level


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
                "renewal",
                "different number, same issuer (renewal plausible)",
                pl.col(f"{left}_doc_issuers").list.contains(pl.col(f"{right}_doc_issuer")),
            ),
            else_level("different number and issuer (another passport?)"),
        ),
    )
