"""Encoding many names at once gives, name for name, what encoding each one alone gives."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from exitmatch.normalize.encodings import CODED_FORMS, encode_names
from exitmatch.normalize.names import NAME_ENCODING, encode_name

HARD = [
    "Abd al-Rahman",
    "ABDEL RAHMAN",
    "abdul-rahman",
    "ABD",
    "Ибрагимов",
    "张 小明",
    "Hsiao-Ming",
    "XIAOMING",
    "O'Brien",
    "N'Diaye `X`",
    "de la Cruz",
    "van der BERG",
    "Al",
    "Müller-Lüdenscheidt",
    "Çelik",
    "SMITH<<JOHN<PAUL",
    "",
    " - ",
    "ZHANG WEI",
    "CHANG",
]

NAME_PARTS = st.sampled_from(
    ["ABD", "AL", "EL", "DE", "LA", "MOHAMED", "ZHANG", "XIAO", "MING", "IURII", "O'", "-", "é"]
)


def _one_by_one(names: list[str]) -> pl.DataFrame:
    distinct = sorted(set(names))
    rows = [encode_name(name) for name in distinct]
    frame = pl.DataFrame(rows, schema=NAME_ENCODING, orient="row")
    return (
        frame.with_columns(pl.Series("name", distinct, dtype=pl.Utf8))
        .filter(pl.col("joined") != "")
        .drop("name")
    )


def _together(names: list[str]) -> pl.DataFrame:
    return encode_names(pl.Series(names, dtype=pl.Utf8)).select(*NAME_ENCODING)


def test_hard_names_encode_alike_together_and_alone() -> None:
    assert _together(HARD).equals(_one_by_one(HARD))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=20),
            st.lists(NAME_PARTS, min_size=1, max_size=5).map(" ".join),
        ),
        max_size=12,
    )
)
def test_any_names_encode_alike_together_and_alone(names: list[str]) -> None:
    assert _together(names).equals(_one_by_one(names))


def test_codes_are_equal_exactly_where_forms_are() -> None:
    encoded = encode_names(pl.Series(HARD * 2, dtype=pl.Utf8))
    for form in CODED_FORMS:
        pairs = encoded.join(encoded, how="cross", suffix="_b").filter(
            pl.col(form).is_not_null() & pl.col(f"{form}_b").is_not_null()
        )
        same_form = pairs[form] == pairs[f"{form}_b"]
        same_code = pairs[f"{form}_code"] == pairs[f"{form}_code_b"]
        assert same_form.equals(same_code), form
