"""Document numbers: canonical form, OCR-confusable form, ICAO 9303 check digits."""

from __future__ import annotations

import polars as pl
import pytest

from exitmatch.normalize.documents import (
    canonical_number,
    has_valid_check_digit,
    icao_check_digit,
    ocr_form,
)


@pytest.mark.parametrize(
    ("raw", "canonical", "ocr"),
    [
        ("g12-345 678", "G12345678", "G12345678"),
        ("GI2345678", "GI2345678", "G12345678"),
        ("AB<12", "AB12", "A812"),
        ("O0S5", "O0S5", "0055"),
        ("  ", None, None),
    ],
)
def test_number_forms(raw: str, canonical: str | None, ocr: str | None) -> None:
    frame = pl.DataFrame({"n": [raw]}).select(c=canonical_number(pl.col("n")))
    frame = frame.with_columns(o=ocr_form(pl.col("c")))
    assert frame.row(0) == (canonical, ocr)


def test_ocr_slips_meet_in_ocr_form() -> None:
    frame = pl.DataFrame({"n": ["B1O5SI", "81055I", "810551"]})
    forms = frame.select(ocr_form(canonical_number(pl.col("n")))).to_series().to_list()
    assert len(set(forms)) == 1


@pytest.mark.parametrize(
    ("field", "digit"),
    # Examples from ICAO Doc 9303 Part 3 and the specimen passport of Part 4.
    [("L898902C3", 6), ("740812", 2), ("120415", 9), ("D23145890", 7), ("<<<<<<<<<", 0)],
)
def test_icao_check_digit(field: str, digit: int) -> None:
    assert icao_check_digit(field) == digit
    assert has_valid_check_digit(field + str(digit))
    assert not has_valid_check_digit(field + str((digit + 1) % 10))


def test_check_digit_rejects_other_characters() -> None:
    with pytest.raises(ValueError):
        icao_check_digit("AB-12")
