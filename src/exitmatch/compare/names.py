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


def _sides(encodings: pl.DataFrame, ids: pl.Series, prefix: str) -> pl.DataFrame:
    """For each ``name_id`` of ``ids`` (row numbers of ``encodings``, as ``encode_names``
    gives them): the integer codes of the forms compared for equality, the token count and
    the forms read as text, each column named with ``prefix``."""
    forms = encodings.select("ntokens", *_TEXT, *(f"{form}_code" for form in CODED_FORMS))
    return forms[ids].rename(lambda c: f"{prefix}_{c}")


# Two name ids packed in one integer: distinct pairs are found and joined back on it.
_PACK = 1 << 32


def pair_features(
    left: pl.Series,
    right: pl.Series,
    encodings: pl.DataFrame,
    similarity: tuple[str, ...] = ("jw", "first_jw"),
) -> pl.DataFrame:
    """Agreement features of name ``left[i]`` against ``right[i]`` (``name_id`` values of
    ``encodings``), one row per input row; computed once per distinct pair. Of the
    similarities (``jw``, ``first_jw``), only those in ``similarity``."""
    packed = left.cast(pl.UInt64) * _PACK + right.cast(pl.UInt64)
    pairs = pl.DataFrame({"__pair": packed})
    found = pairs.drop_nulls().unique()["__pair"]
    a, b = (found // _PACK).cast(pl.UInt32), (found % _PACK).cast(pl.UInt32)
    distinct = pl.concat(
        [found.to_frame(), _sides(encodings, a, "a"), _sides(encodings, b, "b")],
        how="horizontal",
    )

    def same(form: str) -> pl.Expr:
        return pl.col(f"a_{form}_code") == pl.col(f"b_{form}_code")

    a_shorter = pl.col("a_ntokens") <= pl.col("b_ntokens")
    shorter = pl.when(a_shorter).then(pl.col("a_core")).otherwise(pl.col("b_core"))
    longer = pl.when(a_shorter).then(pl.col("b_core")).otherwise(pl.col("a_core"))
    features = distinct.select(
        "__pair",
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
    )
    # Similarity only where it can still decide the level: where no earlier level of the
    # surname (``jw``) or given-name (``first_jw``) comparison holds; null elsewhere.
    # Only the similarities asked for: the surname comparison reads ``jw``, the given
    # names' ``first_jw``.
    forms = {"jw": "joined", "first_jw": "first"}
    features = features.with_columns(
        pl.Series(name, jaro_winkler_pairs(*_texts(distinct, forms[name]))) for name in similarity
    )
    wanted = [f for f in _FEATURES if f in features.columns]
    return pairs.join(features, on="__pair", how="left").select(wanted)


def _texts(distinct: pl.DataFrame, form: str) -> tuple[list[str], list[str]]:
    return distinct[f"a_{form}"].to_list(), distinct[f"b_{form}"].to_list()


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
