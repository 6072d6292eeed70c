"""Every comparable form of many names at once, as one frame (``encode_names``).

The same forms as ``names.encode_name`` gives one name, computed column-wise: ASCII names
are folded with string expressions, and the per-token work (variant class, sound,
romanisation, initial) is done once per distinct token and joined back, so the cost
grows with the number of distinct tokens, not of names. Only what needs a whole name in
Python is done per name: folding non-ASCII text, joining Arabic theophoric names, and the
romanisation key of the whole name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from exitmatch.normalize.chinese import romanisation_key, syllable_pattern
from exitmatch.normalize.names import (
    NAME_ENCODING,
    fold,
    initial,
    join_theophoric,
    particles,
    variant_key,
)
from exitmatch.normalize.phonetics import phonetic_key

# Forms compared for equality only: each gets a dense integer code (``<form>_code``; equal
# codes, equal forms; null stays null), so comparisons never compare their text.
CODED_FORMS = (
    "joined",
    "full",
    "vkey",
    "vsorted",
    "roman",
    "phon",
    "first",
    "first_vkey",
    "first_roman",
    "first_phon",
)

_THEOPHORIC = r"(?:^| )ABD"


def encode_names(values: pl.Series) -> pl.DataFrame:
    """Encode each distinct non-empty name once: a frame keyed by ``name`` (the input
    text) and by ``name_id`` (UInt32, for joins on integers), with the columns of
    ``NAME_ENCODING`` and a code per form of ``CODED_FORMS``."""
    names = pl.DataFrame({"name": values.drop_nulls().unique().sort()}, schema={"name": pl.Utf8})
    every = _folded(names).with_columns(
        every=pl.col("folded").str.split(" ").list.eval(pl.element().filter(pl.element() != ""))
    )
    every = _in_python(
        every,
        pl.col("folded").str.contains(_THEOPHORIC),
        "every",
        lambda row: join_theophoric(list(row)),
        pl.List(pl.Utf8),
    )
    # The particles as a plain list: an imploded Series here is re-read for every name.
    stop = sorted(particles())
    kept = pl.col("every").list.eval(pl.element().filter(~pl.element().is_in(stop)))
    cored = every.with_columns(
        core=pl.when(kept.list.len() > 0).then(kept).otherwise("every")
    ).with_row_index("__n")
    tokens = _token_forms(cored["core"].explode().drop_nulls().unique())
    positions = (
        cored.select("__n", "core")
        .explode("core")
        .with_columns(__pos=pl.int_range(pl.len()).over("__n"))
        .join(tokens, left_on="core", right_on="token", how="left")
        .sort("__n", "__pos")
        .group_by("__n", maintain_order=True)
        .agg(*_TOKEN_FORMS[1:])
    )
    frame = cored.join(positions, on="__n", how="left")
    core = pl.col("core")
    encoded = frame.select(
        "name",
        "folded",
        joined=core.list.join(""),
        full=pl.col("every").list.join(""),
        vkey=pl.col("vkey_token").list.join(" "),
        phon=pl.col("phon_token").list.join(" "),
        first=core.list.first().fill_null(""),
        first_vkey=pl.col("vkey_token").list.first().fill_null(""),
        first_phon=pl.col("phon_token").list.first().fill_null(""),
        core=core.list.join(" "),
        vsorted=pl.col("vkey_token").list.sort().list.join(" "),
        ntokens=core.list.len().clip(upper_bound=255).cast(pl.UInt8),
        first_roman=pl.col("roman_token").list.first(),
        initial=pl.col("initial_token").list.first().fill_null(""),
    ).filter(pl.col("joined") != "")
    romans = _romanised(encoded["joined"].unique().sort(), "joined", "roman")
    encoded = encoded.join(romans, on="joined", how="left")
    return (
        encoded.select("name", *NAME_ENCODING)
        .sort("name")
        .with_row_index("name_id")
        .with_columns(pl.col(form).rank("dense").alias(f"{form}_code") for form in CODED_FORMS)
        .select("name_id", *NAME_ENCODING, "name", *(f"{f}_code" for f in CODED_FORMS))
    )


def _folded(names: pl.DataFrame) -> pl.DataFrame:
    """``names.fold`` of each name: with string expressions for ASCII text (nothing to
    transliterate), in Python for the rest."""
    name = pl.col("name")
    folded = names.with_columns(
        folded=name.str.to_uppercase()
        .str.replace_all(r"['`]", "")
        .str.replace_all(r"[^A-Z]+", " ")
        .str.strip_chars(" ")
    )
    return _in_python(
        folded, ~name.str.contains(r"^[\x00-\x7F]*$"), "folded", fold, pl.Utf8, source="name"
    )


def _in_python(
    frame: pl.DataFrame,
    where: pl.Expr,
    column: str,
    function: Callable[[Any], Any],
    dtype: pl.DataType | type[pl.DataType],
    *,
    source: str | None = None,
) -> pl.DataFrame:
    """``column`` replaced by ``function(source)`` on the rows ``where`` holds (the rare
    rows that need Python), row order kept."""
    frame = frame.with_row_index("__row")
    chosen = frame.filter(where)
    if chosen.is_empty():
        return frame.drop("__row")
    values = [function(v) for v in chosen[source or column].to_list()]
    replaced = chosen.with_columns(pl.Series(column, values, dtype=dtype))
    return pl.concat([frame.filter(~where), replaced]).sort("__row").drop("__row")


def _romanised(distinct: pl.Series, key: str, value: str) -> pl.DataFrame:
    """``romanisation_key`` of each distinct text, looked for only in the texts made of
    syllables (a regular expression screens them all at once)."""
    candidates = distinct.filter(distinct.str.contains(syllable_pattern())).to_list()
    return pl.DataFrame(
        {key: candidates, value: [romanisation_key(text) for text in candidates]},
        schema={key: pl.Utf8, value: pl.Utf8},
    )


_TOKEN_FORMS = ("token", "vkey_token", "phon_token", "roman_token", "initial_token")


def _token_forms(distinct: pl.Series) -> pl.DataFrame:
    """Per distinct core token: its variant key, the sound of that key, its romanisation
    key and its initial."""
    rows = []
    for token in distinct.sort().to_list():
        vkey = variant_key(token)
        rows.append(
            (token, vkey, phonetic_key(vkey), romanisation_key(token), initial(token, vkey))
        )
    return pl.DataFrame(
        rows,
        schema=dict.fromkeys(_TOKEN_FORMS, pl.Utf8),
        orient="row",
    )
