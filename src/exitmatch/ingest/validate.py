"""Vectorised validation: raw text columns in, canonical accepted rows, quarantine and data
issues out.

Reach for ``validate`` once the files of a source have been read into one raw frame of text
(``exitmatch.ingest.formats``). It applies exactly the value rules of
``exitmatch.contract.values`` and the row models of ``exitmatch.contract.inputs``, but as
polars expressions over whole columns: no Python runs per row. A property test keeps this
module and the pydantic models in agreement.

What happens to a row:
- a required value missing or invalid, or no identity at all: the row is quarantined with
  every problem listed, ``"; "``-joined, each naming its column;
- a bad value in an optional column: the value becomes null, the row is kept and the value
  is reported as a data issue (for lists: each bad item, the good items kept);
- a repeated case_id/record_id: the first occurrence is kept, later ones quarantined.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

import polars as pl
import polars.selectors as cs

from exitmatch.contract.codes import InventoryStatus, OrderType, Priority, Source, WarrantStatus
from exitmatch.ingest.formats import RAW_LINE
from exitmatch.ingest.frames import CANONICAL
from exitmatch.ingest.rules import (
    LIST_KINDS,
    WHITESPACE,
    Kind,
    Rule,
    clean,
    field,
    judge_text,
    list_items,
    rule,
)

__all__ = ["COLUMNS", "IDENTITY", "KEY", "WHITESPACE", "Column", "Kind", "Validated", "validate"]

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.Utf8(),
    "file": pl.Utf8(),
    "row": pl.Utf8(),
    "reason": pl.Utf8(),
    "raw": pl.Utf8(),
}
ISSUES_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.Utf8(),
    "file": pl.Utf8(),
    "row": pl.Utf8(),
    "column": pl.Utf8(),
    "value": pl.Utf8(),
    "reason": pl.Utf8(),
}


class Column(NamedTuple):
    name: str
    kind: Kind
    required: bool = False
    values: tuple[str, ...] = ()  # the allowed values of an ENUM column


def _enum(name: str, enum: type[Enum], *, required: bool) -> Column:
    return Column(name, Kind.ENUM, required, tuple(str(m.value) for m in enum))


_TRAVELLER = (
    Column("date_of_birth", Kind.PARTIAL_DATE),
    Column("sex", Kind.SEX),
    Column("nationality", Kind.COUNTRY),
    Column("document_type", Kind.TEXT),
    Column("document_number", Kind.TEXT),
    Column("document_country", Kind.COUNTRY),
)
_AIR_NAMES = (
    Column("record_id", Kind.TEXT, required=True),
    Column("surname", Kind.TEXT),
    Column("given_names", Kind.TEXT),
)

COLUMNS: dict[Source, tuple[Column, ...]] = {
    Source.INVENTORY: (
        Column("case_id", Kind.TEXT, required=True),
        Column("uci", Kind.TEXT, required=True),
        Column("surname", Kind.TEXT),
        Column("given_names", Kind.TEXT),
        Column("aliases", Kind.NAMES),
        Column("date_of_birth", Kind.PARTIAL_DATE),
        Column("alt_dates_of_birth", Kind.PARTIAL_DATES),
        Column("sex", Kind.SEX),
        Column("citizenships", Kind.COUNTRIES),
        Column("documents", Kind.DOCUMENTS),
        _enum("order_type", OrderType, required=True),
        Column("order_date", Kind.DATE, required=True),
        Column("enforceable_date", Kind.DATE),
        _enum("inventory_status", InventoryStatus, required=True),
        _enum("priority", Priority, required=True),
        Column("warrant_id", Kind.TEXT),
        _enum("warrant_status", WarrantStatus, required=False),
        Column("region", Kind.TEXT),
    ),
    Source.LAND: (
        Column("record_id", Kind.TEXT, required=True),
        Column("surname", Kind.TEXT),
        Column("given_name", Kind.TEXT),
        Column("middle_names", Kind.TEXT),
        *_TRAVELLER,
        Column("crossed_at", Kind.TIMESTAMP, required=True),
        Column("port", Kind.TEXT, required=True),
    ),
    Source.AIR: (
        *_AIR_NAMES,
        *_TRAVELLER,
        Column("carrier", Kind.TEXT, required=True),
        Column("flight_number", Kind.TEXT, required=True),
        Column("departure_airport", Kind.TEXT, required=True),
        Column("departed_at", Kind.TIMESTAMP, required=True),
        Column("destination_airport", Kind.TEXT),
    ),
    Source.ENTRIES: (
        *_AIR_NAMES,
        *_TRAVELLER,
        Column("entered_at", Kind.TIMESTAMP, required=True),
        Column("port", Kind.TEXT, required=True),
    ),
}

# A row needs at least one of these; the reason is the contract model's own wording.
IDENTITY: dict[Source, tuple[tuple[str, ...], str]] = {
    Source.INVENTORY: (("surname", "given_names"), "neither surname nor given_names"),
    Source.LAND: (
        ("surname", "given_name", "document_number"),
        "no surname, given name or document number",
    ),
    Source.AIR: (
        ("surname", "given_names", "document_number"),
        "no surname, given names or document number",
    ),
    Source.ENTRIES: (
        ("surname", "given_names", "document_number"),
        "no surname, given names or document number",
    ),
}

KEY: dict[Source, str] = {
    Source.INVENTORY: "case_id",
    Source.LAND: "record_id",
    Source.AIR: "record_id",
    Source.ENTRIES: "record_id",
}


@dataclass(frozen=True)
class Validated:
    """Accepted rows (``frames.CANONICAL[source]``), quarantined rows and data issues."""

    frame: pl.DataFrame
    quarantine: pl.DataFrame
    issues: pl.DataFrame


# --- the pass over a whole source ------------------------------------------------------


def _t(name: str) -> str:
    return f"__t_{name}"  # cleaned text


def _v(name: str) -> str:
    return f"__v_{name}"  # canonical value


def _p(name: str) -> str:
    return f"__p_{name}"  # problem (scalar) or bad items (list)


def _x(name: str) -> str:
    return f"__x_{name}"  # parsed parts


def _checked(source: Source, raw: pl.DataFrame) -> pl.DataFrame:
    """The raw frame plus cleaned, canonical and problem columns for every contract column,
    and ``__reason`` (why the row cannot be accepted, null when it can).

    Each step is its own ``with_columns`` so that what a later step reads many times (the
    parsed parts) is computed once and stored.
    """
    columns = COLUMNS[source]
    absent = [c.name for c in columns if c.name not in raw.columns]
    frame = raw.with_columns(pl.lit(None, pl.Utf8).alias(name) for name in absent)
    frame = frame.with_columns(
        (
            list_items(pl.col(c.name).cast(pl.Utf8))
            if c.kind in LIST_KINDS
            else clean(pl.col(c.name).cast(pl.Utf8))
        ).alias(_t(c.name))
        for c in columns
    )
    judged = [c for c in columns if _judged(c)]
    parsed, refined, problems, values = [], [], [], []
    for c in judged:
        parse, judge, refine = _rule(c)
        parts, text = pl.col(_x(c.name)), pl.col(_t(c.name))
        if c.kind in LIST_KINDS:
            problem, value = judge(pl.element())
            parsed.append(text.list.eval(parse(pl.element())).alias(_x(c.name)))
            bad = parts.list.filter(problem.is_not_null()).list.eval(field(pl.element(), "text"))
            good = parts.list.filter(problem.is_null()).list.eval(value)
            problems.append(bad.alias(_p(c.name)))
            values.append(good.alias(_v(c.name)))
            continue
        problem, value = judge(parts)
        parsed.append(parse(text).alias(_x(c.name)))
        if refine is not None:
            refined.append(refine(parts).alias(_x(c.name)))
        problems.append(pl.when(text.is_not_null()).then(problem).alias(_p(c.name)))
        fine = text.is_not_null() & pl.col(_p(c.name)).is_null()
        values.append(pl.when(fine).then(value).alias(_v(c.name)))
        if c.kind is Kind.PARTIAL_DATE:
            # Year, month and day of the date of birth; 00 parts are unknown (null).
            year, month, day = (field(parts, p) for p in ("year", "month", "day"))
            values.append(pl.when(fine).then(year).cast(pl.Int16).alias("__dob_year"))
            values.append(
                pl.when(fine & (month > 0)).then(month).cast(pl.Int8).alias("__dob_month")
            )
            values.append(pl.when(fine & (day > 0)).then(day).cast(pl.Int8).alias("__dob_day"))
    frame = frame.with_columns(parsed)
    if refined:
        frame = frame.with_columns(refined)
    frame = frame.with_columns(problems).with_columns(values)

    reasons: list[pl.Expr] = []
    for c in columns:
        if c.required:
            missing = pl.lit(f"missing required value: {c.name}")
            invalid = pl.lit(f"{c.name}: ") + pl.col(_p(c.name)) if c in judged else None
            reasons.append(pl.when(pl.col(_t(c.name)).is_null()).then(missing).otherwise(invalid))
    names, no_identity = IDENTITY[source]
    reasons.append(
        pl.when(pl.all_horizontal(pl.col(_t(n)).is_null() for n in names)).then(pl.lit(no_identity))
    )
    joined = pl.concat_str(reasons, separator="; ", ignore_nulls=True)
    frame = frame.with_columns(pl.when(joined.str.len_bytes() > 0).then(joined).alias("__reason"))
    return frame


def _kept_columns(source: Source, offset: int) -> list[pl.Expr]:
    """What a checked slice keeps: where each row came from (``__at``, its row in the raw
    frame), its reason, and per column the canonical value, the problem and, for a
    scalar column with a problem, the text (the data issue's value)."""
    kept = [
        pl.col("_file"),
        pl.col("_row"),
        pl.col("__reason"),
        (pl.int_range(pl.len(), dtype=pl.UInt32) + offset).alias("__at"),
        cs.starts_with("__dob_"),
    ]
    for c in COLUMNS[source]:
        if not _judged(c):
            kept.append(pl.col(_t(c.name)))
            continue
        kept += [pl.col(_v(c.name)), pl.col(_p(c.name))]
        if c.kind not in LIST_KINDS:
            problem = pl.col(_p(c.name)).is_not_null()
            kept.append(pl.when(problem).then(pl.col(_t(c.name))).alias(_t(c.name)))
    return kept


def _csv_field(expr: pl.Expr) -> pl.Expr:
    """A value as a CSV writer writes it: quoted when it holds a comma, quote or newline."""
    text = expr.cast(pl.Utf8)
    needs_quotes = text.str.contains(r"[,\"\r\n]")
    quoted = pl.lit('"') + text.str.replace_all('"', '""', literal=True) + pl.lit('"')
    return pl.when(text.is_null()).then(pl.lit("")).when(needs_quotes).then(quoted).otherwise(text)


def _raw_text(
    rows: pl.DataFrame, file_columns: Mapping[str, Sequence[str]], default: Sequence[str]
) -> pl.Series:
    """Each row as it was read: the JSON line when there is one, else its values in the
    file's own column order, CSV-encoded. One expression per file, not per row."""
    parts: list[pl.DataFrame] = []
    indexed = rows.with_row_index("__i")
    for file, group in indexed.group_by("_file", maintain_order=True):
        columns = [c for c in file_columns.get(str(file[0]), default) if c in group.columns]
        encoded = pl.concat_str([_csv_field(pl.col(c)) for c in columns], separator=",")
        if RAW_LINE in group.columns:
            encoded = pl.coalesce(pl.col(RAW_LINE), encoded)
        parts.append(group.select("__i", encoded.alias("raw")))
    if not parts:
        return pl.Series("raw", [], pl.Utf8)
    return pl.concat(parts).sort("__i")["raw"]


def _quarantine(
    source: Source,
    rows: pl.DataFrame,
    file_columns: Mapping[str, Sequence[str]],
    default: Sequence[str],
) -> pl.DataFrame:
    raw = _raw_text(rows, file_columns, default)
    return rows.select(
        pl.lit(source.value, pl.Utf8).alias("source"),
        pl.col("_file").alias("file"),
        pl.col("_row").alias("row"),
        pl.col("__reason").alias("reason"),
    ).with_columns(raw.alias("raw"))


def _mark_duplicates(source: Source, checked: pl.DataFrame) -> pl.DataFrame:
    """Flag ``__dup`` on usable rows whose key an earlier usable row already has, and give
    them their reason. A row quarantined for other reasons does not shadow a later good one.

    A case_id repeated within one inventory file is a duplicate; in a later file it is an
    update (the latest row of a case wins, as across runs), so inventory keys are per file.
    """
    key = pl.col(_t(KEY[source]))
    scope = ["_file"] if source is Source.INVENTORY else []
    usable = pl.col("__reason").is_null()
    # One pass: keys of unusable rows are nulled so they neither count nor repeat.
    first = pl.when(usable).then(key).is_first_distinct()
    checked = checked.with_columns(
        (usable & ~(first.over(scope) if scope else first)).alias("__dup")
    )
    if not checked["__dup"].any():
        return checked
    on = [_t(KEY[source]), *scope]
    repeated = checked.filter("__dup").select(on).unique()
    seen = (
        checked.filter(usable & ~pl.col("__dup"))
        .select(*on, pl.col("_file").alias("__ff"), pl.col("_row").alias("__fr"))
        .join(repeated, on=on, how="semi")
    )
    why = pl.lit(f"duplicate {KEY[source]}, first seen at ") + pl.col("__ff") + pl.lit(" row ")
    return (
        checked.join(seen, on=on, how="left", maintain_order="left")
        .with_columns(
            pl.when("__dup").then(why + pl.col("__fr")).otherwise("__reason").alias("__reason")
        )
        .drop("__ff", "__fr")
    )


# Given record ids, those received in earlier runs.
KnownIds = Callable[[pl.Series], pl.Series]


def _mark_known(source: Source, checked: pl.DataFrame, known: KnownIds) -> pl.DataFrame:
    """Give usable rows whose key was received in an earlier run their reason."""
    key = pl.col(_t(KEY[source]))
    asked = checked.filter(pl.col("__reason").is_null()).select(key.unique())
    repeated = known(asked.to_series()) if asked.height else asked.to_series()
    repeat = pl.col("__reason").is_null() & key.is_in(repeated.implode())
    why = pl.lit(f"duplicate {KEY[source]}, already received in an earlier run")
    return checked.with_columns(pl.when(repeat).then(why).otherwise("__reason").alias("__reason"))


def _rule(column: Column) -> Rule:
    return rule(column.kind, column.values)


def _judged(column: Column) -> bool:
    return _rule(column).judge is not judge_text


def _issues(source: Source, kept: pl.DataFrame) -> pl.DataFrame:
    """One row per value set aside in a kept row (per bad item for list columns)."""
    frames: list[pl.DataFrame] = []
    where = pl.col("_file").alias("file"), pl.col("_row").alias("row")
    for c in COLUMNS[source]:
        if c.required or not _judged(c):
            continue
        if c.kind in LIST_KINDS:
            # Only the few bad items are exploded; their reason is worked out again here.
            bad = kept.select(*where, pl.col(_p(c.name)).alias("value")).explode("value")
            bad = bad.filter(pl.col("value").is_not_null())
            parse, judge, _ = _rule(c)
            bad = bad.with_columns(parse(pl.col("value")).alias("__parts"))
            bad = bad.with_columns(judge(pl.col("__parts"))[0].alias("__reason"))
        else:
            bad = kept.filter(pl.col(_p(c.name)).is_not_null()).select(
                *where, pl.col(_t(c.name)).alias("value"), pl.col(_p(c.name)).alias("__reason")
            )
        if bad.height:
            frames.append(
                bad.select(
                    pl.lit(source.value, pl.Utf8).alias("source"),
                    "file",
                    "row",
                    pl.lit(c.name, pl.Utf8).alias("column"),
                    "value",
                    pl.col("__reason").alias("reason"),
                )
            )
    if not frames:
        return pl.DataFrame(schema=ISSUES_SCHEMA)
    return pl.concat(frames)


def _accepted(source: Source, kept: pl.DataFrame) -> pl.DataFrame:
    judged = {c.name for c in COLUMNS[source] if _judged(c)}
    exprs: list[pl.Expr] = []
    for name, dtype in CANONICAL[source].items():
        if name in ("_file", "_row"):
            exprs.append(pl.col(name).cast(dtype))
        elif name.startswith("dob_"):
            exprs.append(pl.col(f"__{name}").cast(dtype).alias(name))
        else:
            value = pl.col(_v(name) if name in judged else _t(name))
            exprs.append(value.cast(dtype).alias(name))
    return kept.select(exprs)


# Rows checked at a time.
CHECK_SLICE = 250_000


def validate(
    source: Source,
    raw: pl.DataFrame,
    file_columns: Mapping[str, Sequence[str]] | None = None,
    known: KnownIds | None = None,
) -> Validated:
    """Validate the raw text rows of one source (all its files, in reading order).

    ``raw`` holds text columns plus ``_file`` and ``_row`` (and ``_raw`` for JSON lines);
    ``file_columns`` gives each file's own column order, to show quarantined rows as read.
    ``known`` tells which record ids were already received in earlier runs: a row
    repeating one is a duplicate like one repeated within these files.
    """
    default = [c for c in raw.columns if not c.startswith("_")]
    # Row by row, in slices: the working columns of a whole night at once would take
    # several times the memory of its rows. Each slice keeps only what the accepted rows,
    # the data issues and the duplicate checks read; the text as read stays in ``raw``
    # and is taken back for the quarantined rows alone.
    checked = pl.concat(
        [
            _checked(source, raw.slice(start, CHECK_SLICE)).select(_kept_columns(source, start))
            for start in range(0, max(raw.height, 1), CHECK_SLICE)
        ]
    )
    checked = _mark_duplicates(source, checked)
    if known is not None:
        checked = _mark_known(source, checked, known)
    accepted = pl.col("__reason").is_null()
    candidates = checked.filter(accepted)
    refused = checked.filter(~accepted).select("__at", "__reason")
    as_read = [c for c in raw.columns if not c.startswith("__")]
    rejected = raw.select(as_read)[refused["__at"]].with_columns(refused["__reason"])
    quarantine = _quarantine(source, rejected, file_columns or {}, default)
    return Validated(
        frame=_accepted(source, candidates),
        quarantine=quarantine.select(
            pl.col(name).cast(dtype) for name, dtype in QUARANTINE_SCHEMA.items()
        ),
        issues=_issues(source, candidates).select(
            pl.col(name).cast(dtype) for name, dtype in ISSUES_SCHEMA.items()
        ),
    )
