"""Ordinary travellers, generated a chunk at a time with column operations only.

Use :func:`land_chunk`, :func:`air_chunk` and :func:`entries_for` from the generator. No
Python loop runs per row: names are drawn from the pooled tables (:mod:`.tokens`), every
other value from seeded uniform columns, and values are assembled with polars expressions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from exitmatch.synth import world
from exitmatch.synth.calendar_model import TravelCalendar, to_timestamp_text
from exitmatch.synth.rng import ColumnRng, Cumulative
from exitmatch.synth.tokens import Tokens, tokens

_LETTERS = pl.Series(list("ABCDEFGHJKLMNPRSTUVWXYZ"))  # no I, O, Q on documents
_DIGITS = pl.Series(list("0123456789"))
_DOC_LEN = 10


@dataclass(frozen=True)
class Bulk:
    """Tables compiled once per run for the vectorised draws."""

    tokens: Tokens
    land_origins: Cumulative
    air_origins: Cumulative
    origin_code: pl.Series
    origin_locale: pl.Series
    origin_pattern: pl.Series
    land_cal: TravelCalendar
    air_cal: TravelCalendar
    ports: Cumulative
    airports: Cumulative
    routes: pl.DataFrame
    route_weights: Cumulative
    entry_ports: Cumulative
    placeholder_dob: float


def compile_bulk(start: date, end: date, placeholder_dob: float) -> Bulk:
    tok = tokens()
    routes = [
        (carrier, dest, lo, hi, weight / len(dests))
        for carrier, dests, lo, hi, weight in world.CARRIERS
        for dest in dests
    ]
    return Bulk(
        tokens=tok,
        land_origins=Cumulative([o.land for o in world.ORIGINS]),
        air_origins=Cumulative([o.air for o in world.ORIGINS]),
        origin_code=pl.Series([o.code for o in world.ORIGINS]),
        origin_locale=pl.Series([tok.locale_index(o.locale) for o in world.ORIGINS]),
        origin_pattern=pl.Series([o.doc_pattern for o in world.ORIGINS]),
        land_cal=TravelCalendar(start, end, "land"),
        air_cal=TravelCalendar(start, end, "air"),
        ports=Cumulative([w for _, w in world.LAND_PORTS]),
        airports=Cumulative([w for _, w in world.AIRPORTS]),
        routes=pl.DataFrame(
            {
                "carrier": [r[0] for r in routes],
                "destination": [r[1] for r in routes],
                "lo": [r[2] for r in routes],
                "hi": [r[3] for r in routes],
            }
        ),
        route_weights=Cumulative([r[4] for r in routes]),
        entry_ports=Cumulative([w for _, w in world.ENTRY_PORTS]),
        placeholder_dob=placeholder_dob,
    )


def document_numbers(rng: ColumnRng, patterns: pl.Series) -> pl.Series:
    """A number per row following its pattern (L letter, # digit, other chars literal)."""
    n = len(patterns)
    frame = pl.DataFrame({"p": patterns})
    parts = []
    for pos in range(_DOC_LEN):
        letter = _LETTERS.gather(rng.integers(n, len(_LETTERS)))
        digit = _DIGITS.gather(rng.integers(n, 10))
        frame = frame.with_columns(letter.alias("l"), digit.alias("d"))
        ch = pl.col("p").str.slice(pos, 1)
        parts.append(
            pl.when(ch == "L")
            .then(pl.col("l"))
            .when(ch == "#")
            .then(pl.col("d"))
            .otherwise(ch)
            .alias(f"c{pos}")
        )
        frame = frame.with_columns(parts[-1])
    return frame.select(
        pl.concat_str([pl.col(f"c{i}") for i in range(_DOC_LEN)], ignore_nulls=True)
    ).to_series()


def _identity(bulk: Bulk, rng: ColumnRng, origin: pl.Series, moment: pl.Series) -> pl.DataFrame:
    """Names, sex, date of birth and nationality of ``len(origin)`` travellers."""
    n = len(origin)
    tok = bulk.tokens
    locale = bulk.origin_locale.gather(origin)
    female = rng.bernoulli(n, 0.5)
    has_middle = rng.uniform(n) < tok.middle_rate.gather(locale)
    # Age at travel: a tenth are children, adults skewed young.
    child = rng.bernoulli(n, 0.1)
    age_days = (
        pl.when(child)
        .then(rng.uniform(n) * 18 * 365.25)
        .otherwise((18 + 64 * rng.uniform(n) ** 1.4) * 365.25)
    )
    placeholder = rng.bernoulli(n, bulk.placeholder_dob)
    frame = pl.DataFrame(
        {
            "surname": tok.surname.draw(locale, rng.uniform(n)),
            "_gm": tok.given_m.draw(locale, rng.uniform(n)),
            "_gf": tok.given_f.draw(locale, rng.uniform(n)),
            "_mm": tok.middle_m.draw(locale, rng.uniform(n)),
            "_mf": tok.middle_f.draw(locale, rng.uniform(n)),
            "_female": female,
            "_middle": has_middle,
            "_moment": moment,
            "_age": pl.select(age_days).to_series(),
            "_placeholder": placeholder,
            "_x": rng.bernoulli(n, 0.002),
            "nationality": bulk.origin_code.gather(origin),
        }
    )
    birth = (pl.from_epoch("_moment", time_unit="s") - pl.duration(days=pl.col("_age"))).dt.date()
    return frame.select(
        "surname",
        pl.when("_female").then("_gf").otherwise("_gm").alias("given"),
        pl.when(pl.col("_middle"))
        .then(pl.when("_female").then("_mf").otherwise("_mm"))
        .alias("middle"),
        pl.when("_placeholder")
        .then(birth.dt.strftime("%Y-01-01"))
        .otherwise(birth.dt.strftime("%Y-%m-%d"))
        .alias("date_of_birth"),
        pl.when("_x")
        .then(pl.lit("X"))
        .when("_female")
        .then(pl.lit("F"))
        .otherwise(pl.lit("M"))
        .alias("sex"),
        "nationality",
        "_moment",
    )


def _documents(
    bulk: Bulk, rng: ColumnRng, origin: pl.Series, nationality: pl.Series, kind: str
) -> pl.DataFrame:
    n = len(origin)
    u = rng.uniform(n)
    nat = pl.col("nationality")
    if kind == "land":
        doc_type = (
            pl.when(nat == "CAN")
            .then(
                pl.when(pl.col("u") < 0.55)
                .then(pl.lit("P"))
                .when(pl.col("u") < 0.8)
                .then(pl.lit("NEXUS"))
                .otherwise(pl.lit("EDL"))
            )
            .when(nat == "USA")
            .then(
                pl.when(pl.col("u") < 0.6)
                .then(pl.lit("P"))
                .when(pl.col("u") < 0.8)
                .then(pl.lit("PC"))
                .when(pl.col("u") < 0.9)
                .then(pl.lit("NEXUS"))
                .otherwise(pl.lit("EDL"))
            )
            .otherwise(pl.when(pl.col("u") < 0.7).then(pl.lit("P")).otherwise(pl.lit("PR")))
        )
    else:
        doc_type = pl.when(pl.col("u") < 0.99).then(pl.lit("P")).otherwise(pl.lit("PR"))
    frame = pl.DataFrame(
        {"nationality": nationality, "u": u, "pattern": bulk.origin_pattern.gather(origin)}
    ).with_columns(doc_type.alias("document_type"))
    typed = pl.col("document_type")
    frame = frame.with_columns(
        pl.when(typed == "P")
        .then("pattern")
        .when(typed == "PR")
        .then(pl.lit("PA#######"))
        .when(typed == "PC")
        .then(pl.lit("C########"))
        .when(typed == "NEXUS")
        .then(pl.lit("#########"))
        .otherwise(pl.lit("LL#######"))
        .alias("pattern"),
        pl.when(typed == "PR")
        .then(pl.lit("CAN"))
        .when(typed == "NEXUS")
        .then(pl.lit("USA"))
        .otherwise(nat)
        .alias("document_country"),
    )
    numbers = document_numbers(rng, frame["pattern"])
    return frame.select("document_type", "document_country").with_columns(
        numbers.alias("document_number")
    )


def land_chunk(bulk: Bulk, rng: ColumnRng, n: int) -> pl.DataFrame:
    """``n`` ordinary land exits in contract columns (record_id left empty)."""
    origin = bulk.land_origins.draw(rng.uniform(n))
    moment = bulk.land_cal.moments(rng, n)
    who = _identity(bulk, rng, origin, moment)
    docs = _documents(bulk, rng, origin, who["nationality"], "land")
    port_index = bulk.ports.draw(rng.uniform(n))
    port = pl.Series([p for p, _ in world.LAND_PORTS]).gather(port_index)
    # Some land records carry the port's local time with its UTC offset: same instant.
    offset = pl.Series([world.port_offset_hours(p) for p, _ in world.LAND_PORTS]).gather(port_index)
    local = rng.bernoulli(n, 0.25)
    crossed = (
        pl.when(pl.lit(local))
        .then(
            pl.concat_str(
                pl.from_epoch(pl.col("_moment") + pl.lit(offset) * 3600, time_unit="s").dt.strftime(
                    "%Y-%m-%dT%H:%M:%S"
                ),
                pl.format("-{}:00", pl.lit(-offset).cast(pl.Utf8).str.zfill(2)),
            )
        )
        .otherwise(to_timestamp_text(pl.col("_moment")))
    )
    return pl.concat([who, docs], how="horizontal").select(
        pl.lit(None, pl.Utf8).alias("record_id"),
        "surname",
        pl.col("given").alias("given_name"),
        pl.col("middle").alias("middle_names"),
        "date_of_birth",
        "sex",
        "nationality",
        "document_type",
        "document_number",
        "document_country",
        crossed.alias("crossed_at"),
        port.alias("port"),
        pl.col("_moment").alias("_at"),
    )


def air_chunk(bulk: Bulk, rng: ColumnRng, n: int) -> pl.DataFrame:
    """``n`` ordinary air exits; passengers share flights (about 150 to a flight)."""
    flights = max(1, n // 150)
    route = bulk.route_weights.draw(rng.uniform(flights))
    table = bulk.routes[route].with_columns(
        (pl.col("lo") + (rng.uniform(flights) * (pl.col("hi") - pl.col("lo") + 1)).floor())
        .cast(pl.Int64)
        .cast(pl.Utf8)
        .alias("flight_number"),
        pl.Series(
            "departure_airport",
            [a for a, _ in world.AIRPORTS],
        ).gather(bulk.airports.draw(rng.uniform(flights))),
        # Departures on the quarter hour.
        (bulk.air_cal.day_seconds(rng, flights) + rng.integers(flights, 96) * 900).alias("_at"),
    )
    seat = rng.integers(n, flights)
    legs = table[seat]
    origin = bulk.air_origins.draw(rng.uniform(n))
    who = _identity(bulk, rng, origin, legs["_at"])
    docs = _documents(bulk, rng, origin, who["nationality"], "air")
    return pl.concat([who.drop("_moment"), docs, legs], how="horizontal").select(
        pl.lit(None, pl.Utf8).alias("record_id"),
        "surname",
        pl.concat_str(["given", "middle"], separator=" ", ignore_nulls=True).alias("given_names"),
        "date_of_birth",
        "sex",
        "nationality",
        "document_type",
        "document_number",
        "document_country",
        "carrier",
        "flight_number",
        "departure_airport",
        to_timestamp_text(pl.col("_at")).alias("departed_at"),
        pl.col("destination").alias("destination_airport"),
        "_at",
    )


def entries_for(bulk: Bulk, rng: ColumnRng, exits: pl.DataFrame, rate: float) -> pl.DataFrame:
    """Returns to Canada of some ordinary travellers, 1 to 60 days after they left."""
    n = len(exits)
    chosen = exits.filter(rng.bernoulli(n, rate))
    m = len(chosen)
    given = (
        pl.concat_str(["given_name", "middle_names"], separator=" ", ignore_nulls=True)
        if "given_name" in chosen.columns
        else pl.col("given_names")
    )
    at = pl.col("_at") + rng.integers(m, 60 * 86_400) + 86_400
    port = pl.Series([p for p, _ in world.ENTRY_PORTS]).gather(
        bulk.entry_ports.draw(rng.uniform(m))
    )
    return chosen.select(
        pl.lit(None, pl.Utf8).alias("record_id"),
        "surname",
        given.alias("given_names"),
        "date_of_birth",
        "sex",
        "nationality",
        "document_type",
        "document_number",
        "document_country",
        to_timestamp_text(at).alias("entered_at"),
        port.alias("port"),
        at.alias("_at"),
    )
