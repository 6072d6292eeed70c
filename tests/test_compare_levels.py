"""Table-driven cases for every comparison level, and the symmetry of name and date
comparisons."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exitmatch.compare.dates import dob_comparison
from exitmatch.compare.demographics import nationality_comparison, sex_comparison
from exitmatch.compare.documents import document_comparison, one_edit_feature
from exitmatch.compare.levels import Comparison
from exitmatch.compare.names import given_comparison, pair_features, surname_comparison
from exitmatch.normalize.encodings import encode_names


def _level(comparison: Comparison, frame: pl.DataFrame) -> str:
    gamma = frame.select(comparison.gamma()).item()
    return comparison.levels[gamma].name


def _names_level(comparison: Comparison, prefix: str, a: str | None, b: str | None) -> str:
    encodings = encode_names(pl.Series([a, b], dtype=pl.Utf8))
    ids = dict(zip(encodings["name"].to_list(), encodings["name_id"].to_list(), strict=True))
    left = pl.Series([ids.get(a) if a else None], dtype=pl.UInt32)
    right = pl.Series([ids.get(b) if b else None], dtype=pl.UInt32)
    features = pair_features(left, right, encodings)
    return _level(comparison, features.rename({c: f"{prefix}_{c}" for c in features.columns}))


@pytest.mark.parametrize(
    ("case", "record", "level"),
    [
        ("SMITH", "Smith", "exact"),
        ("DELA CRUZ", "DELACRUZ", "exact"),
        ("al-Hassan", "HASSAN", "exact"),
        ("Abdel Rahman", "ABDULRAHMAN", "exact"),
        ("MOHAMED", "MUHAMMAD", "variant"),
        ("ZHANG", "CHANG", "variant"),
        ("XU", "HSU", "variant"),
        ("GARCIA LOPEZ", "GARCIA", "one_of_two"),
        ("SHCHERBAKOV", "SHERBAKOV", "phonetic"),
        ("TSYUTSYURA", "TSIUTSIURA", "phonetic"),
        ("KOWALCZYK", "KOWALCYZK", "close"),
        ("WASHINGTON", "WASHBURN", "similar"),
        ("ALVAREZ", "NGUYEN", "else"),
        (None, "SMITH", "missing"),
    ],
)
def test_surname_levels(case: str | None, record: str, level: str) -> None:
    assert _names_level(surname_comparison(), "sur", case, record) == level


@pytest.mark.parametrize(
    ("case", "record", "level"),
    [
        ("ALI HASSAN", "ALI HASSAN", "exact"),
        ("ALI HASSAN", "ALI", "first_exact"),
        ("MARIE CHRISTINE ALEXANDRA", "MARIE CHRISTI", "first_exact"),
        ("IURII", "YURIY", "variant"),
        ("XIAOMING", "HSIAO-MING", "variant"),
        ("YEDITA", "EDYTA", "phonetic"),
        ("JONATHAN", "JONATAHN", "close"),
        ("J", "JOHN", "initial"),
        ("PETER", "FATIMA", "else"),
    ],
)
def test_given_name_levels(case: str, record: str, level: str) -> None:
    assert _names_level(given_comparison(), "giv", case, record) == level


def _dob_frame(case: tuple[int | None, ...], record: tuple[int | None, ...]) -> pl.DataFrame:
    parts = ("year", "month", "day")
    columns = {f"c_dob_{p}": [v] for p, v in zip(parts, case, strict=True)}
    columns |= {f"r_dob_{p}": [v] for p, v in zip(parts, record, strict=True)}
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.Int16))


@pytest.mark.parametrize(
    ("case", "record", "level"),
    [
        ((1984, 3, 7), (1984, 3, 7), "exact"),
        ((1984, 1, 1), (1984, 1, 1), "exact_placeholder"),
        ((1984, None, None), (1984, 5, 5), "partial"),
        ((1984, 7, None), (1984, 7, 30), "partial"),
        ((1984, 3, 7), (1984, 7, 3), "swap"),
        ((1984, 1, 1), (1984, 5, 17), "placeholder_one_side"),
        ((1984, 3, 7), (1984, 3, 8), "one_digit"),
        ((1984, 3, 7), (1985, 3, 7), "one_digit"),
        ((1989, 3, 7), (1990, 3, 7), "year_off"),
        ((1984, 3, 7), (1984, 11, 20), "same_year"),
        ((1984, 3, 7), (1950, 11, 20), "else"),
        ((None, None, None), (1950, 11, 20), "missing"),
    ],
)
def test_date_of_birth_levels(
    case: tuple[int | None, ...], record: tuple[int | None, ...], level: str
) -> None:
    assert _level(dob_comparison(), _dob_frame(case, record)) == level


@pytest.mark.parametrize(
    ("numbers", "ocr", "issuers", "number", "number_ocr", "issuer", "level"),
    [
        (["G123"], ["G123"], ["MEX"], "G123", "G123", "MEX", "exact"),
        (["S1038459"], ["51038459"], ["IND"], "5IO3B459", "51038459", "IND", "ocr"),
        (["A045"], ["A045"], ["NGA"], "B507", "8507", "NGA", "renewal"),
        (["4173804"], ["4173804"], ["AUS"], "4178304", "4178304", "AUS", "keying"),
        (["2211117"], ["2211117"], ["AUS"], "2211171", "2211171", "AUS", "keying"),
        (["2211117"], ["2211117"], ["AUS"], "2211171", "2211171", "NZL", "else"),
        (["L123"], ["1123"], ["LBN"], "F999", "F999", "FRA", "else"),
        (["L123"], ["1123"], ["LBN"], "L123", "1123", "FRA", "else"),  # another country's
        ([], [], [], "F999", "F999", "FRA", "missing"),
        (["L123"], ["1123"], ["LBN"], None, None, None, "missing"),
    ],
)
def test_document_levels(
    numbers: list[str],
    ocr: list[str],
    issuers: list[str],
    number: str | None,
    number_ocr: str | None,
    issuer: str | None,
    level: str,
) -> None:
    def key(i: str | None, n: str | None) -> str | None:
        return f"{i}/{n}" if i and n else None

    frame = pl.DataFrame(
        {
            "c_doc_numbers": [numbers],
            "c_doc_ocr": [ocr],
            "c_doc_issuers": [issuers],
            "c_doc_keys": [[key(i, n) for i, n in zip(issuers, numbers, strict=True)]],
            "c_doc_ocr_keys": [[key(i, n) for i, n in zip(issuers, ocr, strict=True)]],
            "r_doc_number": [number],
            "r_doc_ocr": [number_ocr],
            "r_doc_issuer": [issuer],
            "r_doc_key": [key(issuer, number)],
            "r_doc_ocr_key": [key(issuer, number_ocr)],
        },
        schema={
            "c_doc_numbers": pl.List(pl.Utf8),
            "c_doc_ocr": pl.List(pl.Utf8),
            "c_doc_issuers": pl.List(pl.Utf8),
            "c_doc_keys": pl.List(pl.Utf8),
            "c_doc_ocr_keys": pl.List(pl.Utf8),
            "r_doc_number": pl.Utf8,
            "r_doc_ocr": pl.Utf8,
            "r_doc_issuer": pl.Utf8,
            "r_doc_key": pl.Utf8,
            "r_doc_ocr_key": pl.Utf8,
        },
    )
    frame = frame.with_columns(one_edit_feature(frame))
    assert _level(document_comparison(), frame) == level


@pytest.mark.parametrize(
    ("citizenships", "issuers", "nationality", "doc_issuer", "level"),
    [
        (["SYR"], [], "SYR", None, "same"),
        (["LBN", "FRA"], ["LBN"], "FRA", "FRA", "same"),
        (["MEX"], [], "USA", "USA", "else"),
        (["NGA"], ["NGA"], "NGA", "NGA", "missing"),  # counted with the document issuer
        ([], [], "USA", None, "missing"),
    ],
)
def test_nationality_levels(
    citizenships: list[str],
    issuers: list[str],
    nationality: str,
    doc_issuer: str | None,
    level: str,
) -> None:
    frame = pl.DataFrame(
        {
            "c_citizenships": [citizenships],
            "c_doc_issuers": [issuers],
            "r_nationality": [nationality],
            "r_doc_issuer": [doc_issuer],
        },
        schema={
            "c_citizenships": pl.List(pl.Utf8),
            "c_doc_issuers": pl.List(pl.Utf8),
            "r_nationality": pl.Utf8,
            "r_doc_issuer": pl.Utf8,
        },
    )
    assert _level(nationality_comparison(), frame) == level


@pytest.mark.parametrize(
    ("case", "record", "level"),
    [("M", "M", "same"), ("F", "M", "else"), ("X", "M", "missing"), (None, "F", "missing")],
)
def test_sex_levels(case: str | None, record: str, level: str) -> None:
    frame = pl.DataFrame(
        {"c_sex": [case], "r_sex": [record]}, schema={"c_sex": pl.Utf8, "r_sex": pl.Utf8}
    )
    assert _level(sex_comparison(), frame) == level


_NAME = st.text(alphabet="ABCDEFGHIJKLMNOPRSTUVYZ -'", min_size=1, max_size=14)


@settings(max_examples=60, deadline=None)
@given(_NAME, _NAME)
def test_name_comparisons_are_symmetric(a: str, b: str) -> None:
    for comparison, prefix in ((surname_comparison(), "sur"), (given_comparison(), "giv")):
        assert _names_level(comparison, prefix, a, b) == _names_level(comparison, prefix, b, a)


_PART = st.one_of(st.none(), st.integers(1, 12))


@settings(max_examples=80, deadline=None)
@given(st.integers(1950, 2000), _PART, _PART, st.integers(1950, 2000), _PART, _PART)
def test_date_comparison_is_symmetric(
    y1: int, m1: int | None, d1: int | None, y2: int, m2: int | None, d2: int | None
) -> None:
    d1 = d1 if m1 is not None else None
    d2 = d2 if m2 is not None else None
    forward = _level(dob_comparison(), _dob_frame((y1, m1, d1), (y2, m2, d2)))
    backward = _level(dob_comparison(), _dob_frame((y2, m2, d2), (y1, m1, d1)))
    assert forward == backward
