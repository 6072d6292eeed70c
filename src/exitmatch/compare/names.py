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
from exitmatch.normalize.encodings import CODED_FORMS

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


# Forms read as text (similarity, containment, length).
_TEXT = ("joined", "first", "core")


def _sides(encodings: pl.DataFrame) -> pl.DataFrame:
    """Per ``name_id``: the integer codes of the forms compared for equality, the token
    count and the forms read as text."""
    return encodings.select("name_id", "ntokens", *_TEXT, *(f"{form}_code" for form in CODED_FORMS))


def pair_features(left: pl.Series, right: pl.Series, encodings: pl.DataFrame) -> pl.DataFrame:
    """Agreement features of name ``left[i]`` against ``right[i]`` (``name_id`` values of
    ``encodings``), one row per input row; computed once per distinct pair."""
    pairs = pl.DataFrame({"a": left, "b": right}, schema={"a": pl.UInt32, "b": pl.UInt32})
    distinct = pairs.unique().drop_nulls()
    forms = _sides(encodings)
    a = forms.rename(lambda c: f"a_{c}" if c != "name_id" else "a")
    b = forms.rename(lambda c: f"b_{c}" if c != "name_id" else "b")
    distinct = distinct.join(a, on="a", how="inner").join(b, on="b", how="inner")

    def same(form: str) -> pl.Expr:
        return pl.col(f"a_{form}_code") == pl.col(f"b_{form}_code")

    a_shorter = pl.col("a_ntokens") <= pl.col("b_ntokens")
    shorter = pl.when(a_shorter).then(pl.col("a_core")).otherwise(pl.col("b_core"))
    longer = pl.when(a_shorter).then(pl.col("b_core")).otherwise(pl.col("a_core"))
    features = distinct.select(
        "a",
        "b",
        exact=same("joined") | same("full"),
        variant=same("vkey") | same("vsorted") | same("roman").fill_null(False),
        # One of two family names (a Spanish double surname with one dropped), or a
        # middle name present on one side only: the shorter name, whole words, in order,
        # inside the longer.
        subset=pl.concat_str(pl.lit(" "), longer, pl.lit(" ")).str.contains(
            pl.concat_str(pl.lit(" "), shorter, pl.lit(" ")), literal=True
        ),
        phon=same("phon"),
        first=same("first"),
        # Pinyin against Wade-Giles (XIAOMING, HSIAO MING): the whole given name meets.
        first_variant=same("first_vkey")
        | same("first_roman").fill_null(False)
        | same("roman").fill_null(False),
        first_phon=same("first_phon"),
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
