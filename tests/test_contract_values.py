"""Table-driven cases for the contract's value rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from exitmatch.contract.countries import canonical_country, is_country_code
from exitmatch.contract.values import (
    check_date,
    check_document,
    check_partial_date,
    check_sex,
    parse_timestamp,
    split_list,
)


@pytest.mark.parametrize(
    "text",
    ["1984-07-03", "1984-07-00", "1984-00-00", "2000-02-29", " 1990-12-31 "],
)
def test_partial_dates_accepted(text: str) -> None:
    assert check_partial_date(text) == text.strip()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1945-04-93", "beyond the end of the month"),
        ("1945-04-31", "beyond the end of the month"),
        ("1900-02-29", "beyond the end of the month"),
        ("1984-13-01", "month above 12"),
        ("1984-00-05", "day given without a month"),
        ("1850-01-01", "year outside"),
        ("84-07-03", "not a date"),
        ("03/07/1984", "not a date"),
        ("", "not a date"),
    ],
)
def test_impossible_dates_rejected_with_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_partial_date(text)


def test_order_dates_must_be_full() -> None:
    assert check_date("2021-06-30") == "2021-06-30"
    for bad in ("2021-06-00", "2021-02-30", "yesterday"):
        with pytest.raises(ValueError):
            check_date(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01T14:05:00Z", datetime(2024, 3, 1, 14, 5, tzinfo=UTC)),
        ("2024-03-01T14:05:00+02:00", datetime(2024, 3, 1, 12, 5, tzinfo=UTC)),
        ("2024-03-01T14:05:00-0500", datetime(2024, 3, 1, 19, 5, tzinfo=UTC)),
        ("2024-03-01T14:05+01", datetime(2024, 3, 1, 13, 5, tzinfo=UTC)),
        ("2024-03-01 14:05:00", datetime(2024, 3, 1, 14, 5, tzinfo=UTC)),
        ("2024-03-01T14:05:00.250Z", datetime(2024, 3, 1, 14, 5, 0, 250000, tzinfo=UTC)),
    ],
)
def test_timestamps_parse_to_utc(text: str, expected: datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    "text", ["2024-02-30T10:00:00Z", "2024-03-01", "01/03/2024 10:00", "2024-03-01T25:00Z"]
)
def test_bad_timestamps_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(text)


@pytest.mark.parametrize(
    ("code", "known", "canonical"),
    [
        ("CAN", True, "CAN"),
        ("can", True, "CAN"),
        ("D", True, "DEU"),
        ("DEU", True, "DEU"),
        ("XXA", True, "XXA"),
        ("UNK", True, "UNK"),
        ("GBD", True, "GBR"),
        ("ZZZ", False, None),
        ("QQ", False, None),
    ],
)
def test_icao_country_codes(code: str, known: bool, canonical: str | None) -> None:
    assert is_country_code(code) is known
    assert canonical_country(code) == canonical


def test_documents_sex_and_lists() -> None:
    assert check_document("p/mex/g12345678") == "P/MEX/G12345678"
    assert check_document("P/D/C01X00T47") == "P/D/C01X00T47"
    for bad in ("P/ZZZ/123", "P-MEX-123", "P/MEX/", "PASSPORT123"):
        with pytest.raises(ValueError):
            check_document(bad)
    assert check_sex(" f ") == "F"
    with pytest.raises(ValueError):
        check_sex("Q")
    assert split_list("A, B| |C, D ") == ["A, B", "C, D"]
    assert split_list(["X", " "]) == ["X"]
    assert split_list(None) == []
