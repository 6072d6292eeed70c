"""Comparable frames for both sides of the join: case identities and travel records.

Use ``case_identities`` on the accepted inventory and ``travel_records`` on accepted land,
air and entry rows. A case fans out into one identity per recorded name (its own and each
alias) and date of birth (its own and each alternate); a record stays one row. The stable
integer keys (``case_idx``, ``rec``) are given once, by ``exitmatch.link.population``.
"""

from __future__ import annotations

import polars as pl

from exitmatch.contract.countries import ICAO_ONLY_CODES
from exitmatch.normalize.documents import canonical_number, ocr_form

# ICAO codes that stand for an ISO country (D -> DEU); others stay as they are.
_ICAO_TO_ISO = {code: iso for code, iso in ICAO_ONLY_CODES.items() if iso}


def canonical_country(column: pl.Expr) -> pl.Expr:
    """ICAO code to the ISO alpha-3 it stands for (D -> DEU, GBD -> GBR)."""
    return column.replace(_ICAO_TO_ISO)


def travel_records(
    land: pl.DataFrame | None, air: pl.DataFrame | None, entries: pl.DataFrame | None
) -> pl.DataFrame:
    """Land exits, air exits and Canadian entries in one frame of comparable columns.

    ``kind`` is land, air or entry; ``at`` the crossing, departure or entry time; ``place``
    the port, or airport and flight (``YUL AC0870``).
    """
    # In the order of ``kind`` (air, entry, land): records that arrive in record_id order
    # are then in the order the store numbers them, and a night's population is not
    # sorted again.
    sources: list[tuple[pl.DataFrame | None, str, pl.Expr, str, pl.Expr]] = [
        (
            air,
            "air",
            pl.col("given_names"),
            "departed_at",
            pl.concat_str(["departure_airport", pl.lit(" "), "carrier", "flight_number"]),
        ),
        (entries, "entry", pl.col("given_names"), "entered_at", pl.col("port")),
        (
            land,
            "land",
            pl.concat_str(["given_name", "middle_names"], separator=" ", ignore_nulls=True),
            "crossed_at",
            pl.col("port"),
        ),
    ]
    parts = [
        frame.select(
            kind=pl.lit(kind),
            record_id="record_id",
            surname="surname",
            given=given,
            at=at,
            place=place,
            **_identity_columns(),
        )
        for frame, kind, given, at, place in sources
        if frame is not None
    ]
    if not parts:
        raise ValueError("no travel records given")
    records = pl.concat(parts, how="vertical").with_columns(
        given=pl.when(pl.col("given") == "").then(None).otherwise(pl.col("given")),
        doc_ocr=ocr_form(pl.col("doc_number")),
    )
    return records.with_columns(**document_keys()).select(*_RECORD_COLUMNS)


def document_keys() -> dict[str, pl.Expr]:
    """A travel record's document keys (``doc_key``, ``doc_ocr_key``): its issuer and
    document number, as read and in OCR form; null where either is."""
    return {
        "doc_key": pl.concat_str("doc_issuer", pl.lit("/"), "doc_number"),
        "doc_ocr_key": pl.concat_str("doc_issuer", pl.lit("/"), "doc_ocr"),
    }


_RECORD_COLUMNS = (
    "kind",
    "record_id",
    "surname",
    "given",
    "at",
    "place",
    "dob_year",
    "dob_month",
    "dob_day",
    "sex",
    "nationality",
    "doc_type",
    "doc_number",
    "doc_ocr",
    "doc_issuer",
    "doc_key",
    "doc_ocr_key",
)


def _identity_columns() -> dict[str, pl.Expr]:
    """The identity fields of one source; the document's OCR form and keys are derived
    once the sources are together."""
    return {
        "dob_year": pl.col("dob_year"),
        "dob_month": pl.col("dob_month"),
        "dob_day": pl.col("dob_day"),
        "sex": pl.col("sex"),
        "nationality": canonical_country(pl.col("nationality")),
        "doc_type": pl.col("document_type").str.to_uppercase(),
        "doc_number": canonical_number(pl.col("document_number")),
        "doc_issuer": canonical_country(pl.col("document_country")),
    }


_PARTIAL_DATE = r"^(\d{4})-(\d{2})-(\d{2})$"


def case_identities(cases: pl.DataFrame) -> pl.DataFrame:
    """One row per (case, recorded name, recorded date of birth), for ``cases`` that carry
    their ``case_idx``.

    ``name_no`` / ``dob_no`` say whether the name is the case's own (0) or an alias, and
    the date its own (0) or an alternate, for the evidence line.
    """
    docs = pl.col("documents")
    base = cases.select(
        pl.col("case_idx").cast(pl.UInt32),
        "case_id",
        "uci",
        "sex",
        citizenships=pl.col("citizenships").list.eval(canonical_country(pl.element())),
        doc_numbers=docs.list.eval(canonical_number(pl.element().struct.field("number"))),
        doc_issuers=docs.list.eval(canonical_country(pl.element().struct.field("issuer"))),
    ).with_columns(doc_ocr=pl.col("doc_numbers").list.eval(ocr_form(pl.element())))
    issuer = canonical_country(pl.element().struct.field("issuer"))
    number = canonical_number(pl.element().struct.field("number"))
    keys = cases.select(
        doc_keys=docs.list.eval(pl.concat_str(issuer, pl.lit("/"), number)),
        doc_ocr_keys=docs.list.eval(pl.concat_str(issuer, pl.lit("/"), ocr_form(number))),
    )
    base = pl.concat([base, keys], how="horizontal")
    names = _case_names(cases)
    dobs = _case_dates(cases)
    identities = base.join(names, on="case_idx").join(dobs, on="case_idx", how="left")
    # A case with no usable date of birth still has an identity: date number 0, no date.
    identities = identities.with_columns(pl.col("dob_no").fill_null(0))
    identities = identities.sort("case_idx", "name_no", "dob_no")
    return identities.with_row_index("ident").with_columns(pl.col("ident").cast(pl.UInt32))


def _case_names(cases: pl.DataFrame) -> pl.DataFrame:
    own = cases.select("case_idx", "surname", given="given_names", name_no=pl.lit(0, pl.UInt16))
    aliases = (
        cases.select("case_idx", alias="aliases")
        .explode("alias")
        .drop_nulls("alias")
        .with_columns(name_no=(pl.int_range(pl.len()).over("case_idx") + 1).cast(pl.UInt16))
        .with_columns(parts=pl.col("alias").str.splitn(",", 2))
        .select(
            "case_idx",
            surname=pl.col("parts").struct.field("field_0").str.strip_chars(),
            given=pl.col("parts").struct.field("field_1").str.strip_chars(),
            name_no="name_no",
        )
    )
    names = pl.concat(
        [
            own.with_columns(pl.col("case_idx").cast(pl.UInt32)),
            aliases.with_columns(pl.col("case_idx").cast(pl.UInt32)),
        ]
    )
    blank = pl.col("surname").is_null() & pl.col("given").is_null()
    return names.with_columns(
        pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
        for c in ("surname", "given")
    ).filter(~blank)


def _case_dates(cases: pl.DataFrame) -> pl.DataFrame:
    own = cases.select(
        pl.col("case_idx").cast(pl.UInt32),
        "dob_year",
        "dob_month",
        "dob_day",
        dob_no=pl.lit(0, pl.UInt16),
    ).filter(pl.col("dob_year").is_not_null())
    alternates = (
        cases.select(pl.col("case_idx").cast(pl.UInt32), date="alt_dates_of_birth")
        .explode("date")
        .drop_nulls("date")
        .with_columns(dob_no=(pl.int_range(pl.len()).over("case_idx") + 1).cast(pl.UInt16))
        .with_columns(parts=pl.col("date").str.extract_groups(_PARTIAL_DATE))
        .select(
            "case_idx",
            dob_year=pl.col("parts").struct.field("1").cast(pl.Int16),
            dob_month=_unknown_as_null(pl.col("parts").struct.field("2")).cast(pl.Int8),
            dob_day=_unknown_as_null(pl.col("parts").struct.field("3")).cast(pl.Int8),
            dob_no="dob_no",
        )
    )
    return pl.concat([own, alternates])


def _unknown_as_null(part: pl.Expr) -> pl.Expr:
    number = part.cast(pl.Int16)
    return pl.when(number == 0).then(None).otherwise(number)
