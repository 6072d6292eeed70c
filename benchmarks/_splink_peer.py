"""Splink (DuckDB backend) as a peer of exitmatch, set up as a careful user would.

Use ``splink_tables`` to turn exitmatch's accepted rows into Splink's two input tables,
``predict_links`` to train and predict, ``decide`` to apply the same IRPR 240(3) rules
exitmatch applies, and ``write_outcomes`` to write them in the contract's CSV shapes, so
``exitmatch.evaluate.metrics.evaluate`` scores both tools alike.

The user's preparation: names transliterated to ASCII (anyascii), upper-cased, stripped of
punctuation; forename = first given name; every alias and alternate date of birth of a
case, and every document on it, exploded into rows (one row per combination); Soundex of
each name's first token for blocking. Nothing of exitmatch's own normalisation is used.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import jellyfish
import polars as pl
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from anyascii import anyascii
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from exitmatch.contract.codes import Band, Priority, WarrantStatus
from exitmatch.decide.timing import Timing, departure_timing, is_worked
from exitmatch.settings import Settings, Thresholds

CASE_PREFIX = "C|"
RECORD_PREFIX = "R|"
BAND_RANK = {Band.CONFIRMED.value: 0, Band.PROBABLE.value: 1, Band.POSSIBLE.value: 2}
SPLINK_COLUMNS = (
    "unique_id",
    "forename",
    "surname",
    "forename_sdx",
    "surname_sdx",
    "dob",
    "dob_year",
    "document_number",
    "nationalities",
    "sex",
)


@dataclass(frozen=True)
class SplinkTables:
    """Splink's inputs (``cases``, ``records``) and how their rows map back to ours."""

    cases: pl.DataFrame
    records: pl.DataFrame
    case_rows: pl.DataFrame  # unique_id -> case_id
    record_rows: pl.DataFrame  # unique_id -> kind, record_id, at, place


@dataclass(frozen=True)
class PeerOutcomes:
    pairs: pl.DataFrame
    closures: pl.DataFrame
    warrants: pl.DataFrame
    alerts: pl.DataFrame


# --- preparation ----------------------------------------------------------------------


def clean_names(names: pl.Series) -> pl.Series:
    """ASCII, upper case, letters and single spaces only (once per distinct value)."""
    distinct = names.drop_nulls().unique().to_list()
    cleaned = {}
    for name in distinct:
        text = anyascii(name).upper().replace("-", " ")
        text = "".join(ch for ch in text if ch.isalpha() or ch == " ")
        cleaned[name] = " ".join(text.split()) or None
    return names.replace_strict(cleaned, default=None, return_dtype=pl.Utf8)


def _soundex(names: pl.Series) -> pl.Series:
    first = names.str.split(" ").list.first()
    codes = {n: jellyfish.soundex(n) for n in first.drop_nulls().unique().to_list() if n}
    return first.replace_strict(codes, default=None, return_dtype=pl.Utf8)


def _date_columns(text: pl.Expr) -> list[pl.Expr]:
    """Full dates as ``YYYY-MM-DD`` (partial ones as null) and the year alone."""
    full = text.str.contains(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
    year = text.str.slice(0, 4)
    return [
        pl.when(full).then(text).alias("dob"),
        pl.when(year.str.contains(r"^\d{4}$") & (year != "0000")).then(year).alias("dob_year"),
    ]


def _finish(frame: pl.DataFrame) -> pl.DataFrame:
    frame = frame.with_columns(
        surname=clean_names(frame["surname"]), forename=clean_names(frame["forename"])
    )
    frame = frame.with_columns(
        forename=pl.col("forename").str.split(" ").list.first(),
        document_number=pl.col("document_number")
        .str.to_uppercase()
        .str.replace_all(r"[^A-Z0-9]", "")
        .replace("", None),
        nationalities=pl.when(pl.col("nationalities").list.len() > 0).then("nationalities"),
        sex=pl.when(pl.col("sex").is_in(["M", "F", "X"])).then("sex"),
    )
    frame = frame.with_columns(
        surname_sdx=_soundex(frame["surname"]), forename_sdx=_soundex(frame["forename"])
    )
    return frame.select(SPLINK_COLUMNS)


def case_table(inventory: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per (name, date of birth, document) a case carries; and uid -> case_id."""
    names = inventory.select(
        "case_id",
        name=pl.concat_list(
            pl.concat_str(
                pl.col("surname").fill_null(""), pl.col("given_names").fill_null(""), separator=","
            ),
            pl.col("aliases").fill_null([]),
        ),
    ).explode("name")
    names = names.filter(pl.col("name").is_not_null()).with_columns(
        surname=pl.col("name").str.split_exact(",", 1).struct.field("field_0").str.strip_chars(),
        forename=pl.col("name").str.split_exact(",", 1).struct.field("field_1").str.strip_chars(),
    )
    dobs = inventory.select(
        "case_id",
        text=pl.concat_list(pl.col("date_of_birth"), pl.col("alt_dates_of_birth").fill_null([])),
    ).explode("text")
    dobs = dobs.with_columns(_date_columns(pl.col("text"))).unique(["case_id", "dob", "dob_year"])
    numbers = inventory.select(
        "case_id", number=pl.col("documents").list.eval(pl.element().struct.field("number"))
    ).explode("number")  # a case without documents has no row here (empty lists vanish)
    docs = inventory.select(
        "case_id", "sex", nationalities=pl.col("citizenships").fill_null([])
    ).join(numbers.select("case_id", document_number="number"), on="case_id", how="left")
    rows = (
        names.select("case_id", "surname", "forename")
        .unique()
        .join(dobs.select("case_id", "dob", "dob_year"), on="case_id")
        .join(docs, on="case_id")
        .sort("case_id", "surname", "forename", "dob", "dob_year", "document_number")
        .with_columns(
            unique_id=pl.lit(CASE_PREFIX)
            + pl.col("case_id")
            + "|"
            + pl.int_range(pl.len()).cast(str)
        )
    )
    return _finish(rows), rows.select("unique_id", "case_id")


def record_table(frames: dict[str, pl.DataFrame]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Land, air and entries in one table; and uid -> kind, record_id, at, place."""
    parts = []
    for kind, frame in frames.items():
        given = "given_name" if kind == "land" else "given_names"
        at = {"land": "crossed_at", "air": "departed_at", "entries": "entered_at"}[kind]
        place = (
            pl.concat_str("departure_airport", "carrier", "flight_number", separator=" ")
            if kind == "air"
            else pl.col("port")
        )
        parts.append(
            frame.select(
                unique_id=pl.lit(f"{RECORD_PREFIX}{kind}|") + pl.col("record_id"),
                kind=pl.lit("entry" if kind == "entries" else kind),
                record_id="record_id",
                at=pl.col(at),
                place=place,
                surname="surname",
                forename=pl.col(given),
                text="date_of_birth",
                document_number="document_number",
                nationalities=pl.concat_list("nationality").list.drop_nulls(),
                sex="sex",
            )
        )
    rows = pl.concat(parts).with_columns(_date_columns(pl.col("text")))
    return _finish(rows), rows.select("unique_id", "kind", "record_id", "at", "place")


def splink_tables(
    inventory: pl.DataFrame,
    land: pl.DataFrame | None,
    air: pl.DataFrame | None,
    entries: pl.DataFrame | None,
) -> SplinkTables:
    cases, case_rows = case_table(inventory)
    given = {"land": land, "air": air, "entries": entries}
    records, record_rows = record_table({k: f for k, f in given.items() if f is not None})
    return SplinkTables(cases, records, case_rows, record_rows)


# --- the model ------------------------------------------------------------------------


def settings(identity_only: bool = False) -> SettingsCreator:
    """The model; ``identity_only`` keeps names, date of birth and document number."""
    dob = cl.CustomComparison(
        comparison_levels=[
            cll.NullLevel("dob_year"),
            cll.ExactMatchLevel("dob"),
            cll.LevenshteinLevel("dob", 1),
            cll.LevenshteinLevel("dob", 2),
            cll.ExactMatchLevel("dob_year"),
            cll.ElseLevel(),
        ],
        output_column_name="dob",
    )
    demographics = [cl.ArrayIntersectAtSizes("nationalities", 1), cl.ExactMatch("sex")]
    return SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("forename", [0.92, 0.8]).configure(
                term_frequency_adjustments=True
            ),
            cl.JaroWinklerAtThresholds("surname", [0.92, 0.8]).configure(
                term_frequency_adjustments=True
            ),
            dob,
            cl.LevenshteinAtThresholds("document_number", 1),
            *([] if identity_only else demographics),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("dob", "substr(surname, 1, 2)"),
            block_on("dob", "substr(forename, 1, 2)"),
            block_on("document_number"),
            block_on("surname_sdx", "forename_sdx", "dob_year"),
            block_on("surname", "forename"),
        ],
        retain_matching_columns=True,
    )


def predict_links(
    tables: SplinkTables, u_pairs: float, *, identity_only: bool = False, seed: int = 1
) -> pl.DataFrame:
    """Train (lambda, u, two EM sessions) and score every blocked pair.

    Returns (case uid, record uid, match_probability, document_exact) per blocked pair.
    """
    db = DuckDBAPI()
    inputs = [
        db.register(tables.cases.to_arrow(), dataset_display_name="cases"),
        db.register(tables.records.to_arrow(), dataset_display_name="records"),
    ]
    linker = Linker(inputs, settings(identity_only), log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        ["l.document_number = r.document_number and l.dob = r.dob"], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))
    # No probability floor: every blocked pair is kept, so blocking recall can be measured
    # like exitmatch's (its candidate_pairs.parquet holds every scored pair); the 240(3)
    # rules below only look at pairs at or above the ``possible`` threshold.
    predicted = linker.inference.predict(warning_mode="never")
    frame: pl.DataFrame = (
        predicted.as_duckdbpyrelation()
        .select("unique_id_l, unique_id_r, match_probability, document_number_l, document_number_r")
        .pl()
    )
    case_left = pl.col("unique_id_l").str.starts_with(CASE_PREFIX)
    return frame.select(
        case_uid=pl.when(case_left).then("unique_id_l").otherwise("unique_id_r"),
        record_uid=pl.when(case_left).then("unique_id_r").otherwise("unique_id_l"),
        match_probability="match_probability",
        document_exact=(pl.col("document_number_l") == pl.col("document_number_r")).fill_null(
            False
        ),
    )


# --- the 240(3) rules -----------------------------------------------------------------


def band(thresholds: Thresholds) -> pl.Expr:
    p = pl.col("match_probability")
    return (
        pl.when((p >= thresholds.confirmed) & pl.col("document_exact"))
        .then(pl.lit(Band.CONFIRMED.value))
        .when(p >= thresholds.probable)
        .then(pl.lit(Band.PROBABLE.value))
        .when(p >= thresholds.possible)
        .then(pl.lit(Band.POSSIBLE.value))
    )


def case_pairs(links: pl.DataFrame, tables: SplinkTables) -> pl.DataFrame:
    """One row per (case, record): the best of its exploded rows' links."""
    return (
        links.join(tables.case_rows, left_on="case_uid", right_on="unique_id")
        .join(tables.record_rows, left_on="record_uid", right_on="unique_id")
        .group_by("case_id", "kind", "record_id", "at", "place")
        .agg(pl.col("match_probability").max(), pl.col("document_exact").any())
        .sort("case_id", "kind", "record_id")
    )


def decide(pairs: pl.DataFrame, inventory: pl.DataFrame, settings: Settings) -> PeerOutcomes:
    """Per case the best qualifying exit; a later strong entry makes it a re-entry alert;
    active warrants of closures in ``settings.warrant_bands`` are proposed for cancelling."""
    thresholds = settings.thresholds
    cases = inventory.select(
        "case_id",
        "uci",
        "order_date",
        "enforceable_date",
        "inventory_status",
        "priority",
        "warrant_id",
        "warrant_status",
    )
    exits = (
        pairs.filter(pl.col("kind") != "entry")
        .join(cases, on="case_id")
        .with_columns(band=band(thresholds))
        .filter(
            pl.col("band").is_not_null()
            & is_worked(pl.col("inventory_status"))
            & (
                departure_timing(
                    pl.col("at"),
                    pl.col("order_date"),
                    pl.col("enforceable_date"),
                    pl.col("inventory_status"),
                )
                == Timing.QUALIFYING.value
            )
        )
        .with_columns(rank=pl.col("band").replace_strict(BAND_RANK, return_dtype=pl.UInt8))
    )
    best = exits.sort(
        ["case_id", "rank", "match_probability", "at", "kind", "record_id"],
        descending=[False, False, True, False, False, False],
    ).unique("case_id", keep="first", maintain_order=True)
    entries = pairs.filter(
        (pl.col("kind") == "entry") & (pl.col("match_probability") >= thresholds.probable)
    ).select(
        "case_id",
        entry_record_id="record_id",
        entered_at="at",
        entry_probability="match_probability",
    )
    alerts = (
        best.join(entries, on="case_id")
        .filter(pl.col("entered_at") > pl.col("at"))
        .sort("case_id", "entered_at", "entry_record_id")
        .unique("case_id", keep="first", maintain_order=True)
    )
    closures = best.join(alerts.select("case_id"), on="case_id", how="anti")
    warrants = closures.filter(
        (pl.col("warrant_status") == WarrantStatus.ACTIVE.value)
        & pl.col("warrant_id").is_not_null()
        & pl.col("band").is_in([b.value for b in settings.warrant_bands])
    )
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    exit_columns = [
        pl.col("kind").alias("exit_source"),
        pl.col("record_id").alias("exit_record_id"),
        pl.col("at").dt.strftime(stamp).alias("departed_at"),
    ]
    return PeerOutcomes(
        pairs=pairs.select("case_id", source="kind", record_id="record_id"),
        closures=closures.select(
            "case_id",
            "uci",
            *exit_columns,
            departure_place="place",
            match_probability=pl.col("match_probability").round(6),
            band="band",
            warrant_id=pl.when(pl.col("warrant_status") == WarrantStatus.ACTIVE.value).then(
                "warrant_id"
            ),
        ).sort("case_id"),
        warrants=warrants.select(
            "warrant_id",
            "case_id",
            "uci",
            *exit_columns,
            pl.col("match_probability").round(6),
            "band",
            needs_supervisor=pl.col("priority") == Priority.SERIOUS_INADMISSIBILITY.value,
        ).sort("case_id"),
        alerts=alerts.select(
            "case_id",
            "uci",
            exit_record_id="record_id",
            departed_at=pl.col("at").dt.strftime(stamp),
            entry_record_id="entry_record_id",
            entered_at=pl.col("entered_at").dt.strftime(stamp),
            match_probability=pl.min_horizontal("match_probability", "entry_probability").round(6),
        ).sort("case_id"),
    )


def write_outcomes(outcomes: PeerOutcomes, out: Path) -> None:
    """The contract's CSV shapes, plus candidate_pairs.parquet, into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    outcomes.closures.write_csv(out / "closure_candidates.csv")
    outcomes.warrants.write_csv(out / "warrant_cancellations.csv")
    outcomes.alerts.write_csv(out / "reentry_alerts.csv")
    outcomes.pairs.write_parquet(out / "candidate_pairs.parquet")
