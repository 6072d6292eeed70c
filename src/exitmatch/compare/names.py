"""Name comparisons: surname and given names, in either order.

Pair features are computed once per distinct pair of names (never per row), from the
encodings of ``exitmatch.normalize.names``; the levels are conditions over those features.
A record may carry the names in the other order (Chinese names, a single name filed as a
surname): ``name_order`` chooses the orientation that agrees best and says so.
"""

from __future__ import annotations

import polars as pl

from exitmatch.compare.levels import Comparison, Level, else_level
from exitmatch.compare.similarity import jaro_winkler_pairs

_FEATURES = (
    "exact",
    "variant",
    "subset",
    "phon",
    "first",
    "first_variant",
    "first_phon",
    "initial",
    "jw",
    "first_jw",
)


def pair_features(left: pl.Series, right: pl.Series, encodings: pl.DataFrame) -> pl.DataFrame:
    """Agreement features of ``left[i]`` against ``right[i]``, one row per input row.

    ``encodings`` is ``encode_names`` over every name that can appear on either side.
    """
    pairs = pl.DataFrame({"a": left, "b": right})
    distinct = pairs.unique().drop_nulls()
    a = encodings.rename(lambda c: f"a_{c}" if c != "name" else "a")
    b = encodings.rename(lambda c: f"b_{c}" if c != "name" else "b")
    distinct = distinct.join(a, on="a", how="inner").join(b, on="b", how="inner")
    shorter = pl.min_horizontal(pl.col("a_tokens").list.len(), pl.col("b_tokens").list.len())
    common = pl.col("a_tokens").list.set_intersection(pl.col("b_tokens")).list.len()
    features = distinct.select(
        "a",
        "b",
        exact=(pl.col("a_joined") == pl.col("b_joined")) | (pl.col("a_full") == pl.col("b_full")),
        variant=(pl.col("a_vkey") == pl.col("b_vkey"))
        | (pl.col("a_vtokens").list.sort() == pl.col("b_vtokens").list.sort())
        | (pl.col("a_roman") == pl.col("b_roman")).fill_null(False),
        # One of two family names (a Spanish double surname with one dropped), or a
        # middle name present on one side only: every token of the shorter name is there.
        subset=(common == shorter) & (shorter >= 1),
        phon=pl.col("a_phon") == pl.col("b_phon"),
        first=pl.col("a_first") == pl.col("b_first"),
        # Pinyin against Wade-Giles (XIAOMING, HSIAO MING): the whole given name meets.
        first_variant=(pl.col("a_first_vkey") == pl.col("b_first_vkey"))
        | (pl.col("a_first_roman") == pl.col("b_first_roman")).fill_null(False)
        | (pl.col("a_roman") == pl.col("b_roman")).fill_null(False),
        first_phon=pl.col("a_first_phon") == pl.col("b_first_phon"),
        initial=(
            (pl.col("a_first").str.len_chars() == 1) | (pl.col("b_first").str.len_chars() == 1)
        )
        & (pl.col("a_first").str.slice(0, 1) == pl.col("b_first").str.slice(0, 1)),
        jw=pl.Series(
            jaro_winkler_pairs(distinct["a_joined"].to_list(), distinct["b_joined"].to_list())
        ),
        first_jw=pl.Series(
            jaro_winkler_pairs(distinct["a_first"].to_list(), distinct["b_first"].to_list())
        ),
    )
    return pairs.join(features, on=["a", "b"], how="left", nulls_equal=False).select(_FEATURES)


def _f(prefix: str, feature: str) -> pl.Expr:
    return pl.col(f"{prefix}_{feature}")


def surname_comparison(prefix: str = "sur", name: str = "surname") -> Comparison:
    """Family names: whole name, variant spellings, one of two, sound, then edit bands."""
    return Comparison(
        name,
        (
            Level("missing", "not on both records", _f(prefix, "exact").is_null(), is_missing=True),
            Level("exact", "same", _f(prefix, "exact"), tf_column="tf_surname"),
            Level("variant", "variant spelling", _f(prefix, "variant")),
            Level("one_of_two", "one of two family names", _f(prefix, "subset")),
            Level("phonetic", "sounds alike", _f(prefix, "phon")),
            Level("close", "close spelling", _f(prefix, "jw") >= 0.92),
            Level("similar", "similar spelling", _f(prefix, "jw") >= 0.80),
            else_level(),
        ),
    )


def given_comparison(prefix: str = "giv", name: str = "given_names") -> Comparison:
    """Given names: all of them, then the first one (middle names come and go)."""
    return Comparison(
        name,
        (
            Level("missing", "not on both records", _f(prefix, "exact").is_null(), is_missing=True),
            Level("exact", "same", _f(prefix, "exact"), tf_column="tf_given"),
            Level("first_exact", "same first name", _f(prefix, "first") | _f(prefix, "subset")),
            Level("variant", "variant spelling", _f(prefix, "first_variant")),
            Level("phonetic", "sounds alike", _f(prefix, "first_phon")),
            Level("close", "close spelling", _f(prefix, "first_jw") >= 0.92),
            Level("similar", "similar spelling", _f(prefix, "first_jw") >= 0.80),
            Level("initial", "initial agrees", _f(prefix, "initial")),
            else_level(),
        ),
    )
