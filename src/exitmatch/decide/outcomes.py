"""Closure candidates, warrant cancellations, re-entry alerts and early departures.

Use ``decide`` on the ``Linked`` result of a run (``exitmatch.reconcile``). Per case it keeps the
best-supported qualifying departure (band first, then weight, then the earliest); a later
Canadian entry by the same person turns that candidate into a re-entry alert; an active
warrant is proposed for cancellation only on a closure in ``Settings.warrant_bands``
(confirmed, by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from exitmatch.compare.vectors import comparisons
from exitmatch.contract.codes import Band, OrderType, Priority, WarrantStatus
from exitmatch.decide.bands import (
    BAND_RANK,
    CORROBORATING_DOCUMENT,
    band,
    contradiction,
    mark_ambiguity,
)
from exitmatch.decide.evidence import evidence
from exitmatch.decide.timing import Timing, departure_timing, is_worked, latest_local_date
from exitmatch.link import Linked
from exitmatch.settings import Settings, Thresholds

# IRPR 224(2): a departure order not complied with within 30 days after it became
# enforceable becomes a deportation order (days in detention or under a stay are not
# counted; the inventory does not carry them, so the plain 30 days is used).
DEPARTURE_ORDER_GRACE = timedelta(days=30)
# IRPR 225(1): an exclusion order requires authorization to return within one year
# (five years for misrepresentation, which the inventory does not say).
EXCLUSION_BAR = timedelta(days=365)

_CASE_COLUMNS = (
    "case_idx",
    "case_id",
    "uci",
    "order_type",
    "order_date",
    "enforceable_date",
    "inventory_status",
    "priority",
    "warrant_id",
    "warrant_status",
    "region",
)
_IDENTITY_COLUMNS = {
    "surname": "c_surname",
    "given": "c_given",
    "dob_year": "c_dob_year",
    "dob_month": "c_dob_month",
    "dob_day": "c_dob_day",
    "sex": "c_sex",
    "citizenships": "c_citizenships",
    "doc_numbers": "c_doc_numbers",
    "name_no": "name_no",
    "dob_no": "dob_no",
}
_RECORD_COLUMNS = {
    "kind": "kind",
    "record_id": "record_id",
    "at": "at",
    "place": "place",
    "surname": "r_surname",
    "given": "r_given",
    "dob_year": "r_dob_year",
    "dob_month": "r_dob_month",
    "dob_day": "r_dob_day",
    "sex": "r_sex",
    "nationality": "r_nationality",
    "doc_number": "r_doc_number",
    "doc_ocr": "r_doc_ocr",
}


@dataclass(frozen=True)
class Outcomes:
    """Every decision of a run, as frames ready to write, each in its order
    (``in_order``). Every row belongs to one case (``case_id``)."""

    closures: pl.DataFrame
    warrants: pl.DataFrame
    alerts: pl.DataFrame
    early: pl.DataFrame


# Each frame's order: one row per case, but a case's early departures by time and record.
_ORDER = {
    "closures": ("case_id",),
    "warrants": ("case_id",),
    "alerts": ("case_id",),
    "early": ("case_id", "departed_at", "exit_source", "exit_record_id"),
}
OUTCOME_FRAMES = tuple(_ORDER)


def in_order(outcomes: Outcomes) -> Outcomes:
    """``outcomes`` with each frame sorted as it is written."""
    return Outcomes(**{name: getattr(outcomes, name).sort(*_ORDER[name]) for name in _ORDER})


def of_cases(outcomes: Outcomes, case_ids: pl.Series) -> Outcomes:
    """The rows of ``outcomes`` that belong to the cases ``case_ids``."""
    wanted = pl.col("case_id").is_in(case_ids.implode())
    return Outcomes(**{name: getattr(outcomes, name).filter(wanted) for name in _ORDER})


def combined(kept: Outcomes, fresh: Outcomes) -> Outcomes:
    """The rows of ``kept`` and of ``fresh`` (of other cases) together, in order, with
    ``fresh``'s columns and types."""

    def both(name: str) -> pl.DataFrame:
        new: pl.DataFrame = getattr(fresh, name)
        old: pl.DataFrame = getattr(kept, name)
        return pl.concat([old.select(pl.col(c).cast(t) for c, t in new.schema.items()), new])

    return in_order(Outcomes(**{name: both(name) for name in _ORDER}))


def decide(linked: Linked, settings: Settings, rejected: pl.DataFrame | None = None) -> Outcomes:
    """``rejected`` (case_id, kind, record_id): pairs an officer rejected, with no new
    evidence since; they are not proposed again (the case's next-best departure may be)."""
    thresholds = settings.thresholds
    links = _readable_links(linked, floor=readable_floor(settings))
    exits = mark_ambiguity(links.filter(pl.col("kind") != "entry"), thresholds.strong)
    exits = exits.with_columns(band=band(thresholds)).filter(
        pl.col("band").is_not_null() & is_worked(pl.col("inventory_status"))
    )
    exits = exits.with_columns(
        timing=departure_timing(
            pl.col("at"),
            pl.col("order_date"),
            pl.col("enforceable_date"),
            pl.col("inventory_status"),
        ),
        evidence=evidence(comparisons()),
    )

    qualifying = exits.filter(pl.col("timing") == Timing.QUALIFYING.value)
    if rejected is not None:
        qualifying = qualifying.join(rejected, on=["case_id", "kind", "record_id"], how="anti")
    best = _best_per_case(qualifying)
    alerts = _reentries(best, links, thresholds, settings.reentry_after_days)
    closures = best.join(alerts.select("case_idx"), on="case_idx", how="anti")
    warrants = closures.filter(
        (pl.col("warrant_status") == WarrantStatus.ACTIVE.value)
        & pl.col("warrant_id").is_not_null()
        & pl.col("band").is_in([band.value for band in settings.warrant_bands])
    )
    early = exits.filter(
        (pl.col("timing") != Timing.QUALIFYING.value)
        & pl.col("band").is_in([Band.CONFIRMED.value, Band.PROBABLE.value])
    )
    return in_order(
        Outcomes(
            closures=_closure_rows(closures),
            warrants=_warrant_rows(warrants),
            alerts=_alert_rows(alerts),
            early=_early_rows(early),
        )
    )


def readable_floor(settings: Settings) -> float:
    """The match probability below which an exit can neither be a candidate nor a rival."""
    return min(settings.thresholds.possible, settings.thresholds.strong)


def _readable_links(linked: Linked, floor: float) -> pl.DataFrame:
    """Scored pairs with the case's and record's fields, for the decisions. Exits below
    ``floor`` can neither be a candidate nor a rival; an entry on the departure's own
    document counts however weakly it links, so every entry is kept."""
    worth_reading = linked.scored.filter(
        (pl.col("match_probability") >= floor) | (pl.col("rec").is_in(_entries(linked)))
    )
    identities = linked.identities.select(
        "ident", *(pl.col(k).alias(v) for k, v in _IDENTITY_COLUMNS.items())
    )
    records = linked.records.select(
        "rec", *(pl.col(k).alias(v) for k, v in _RECORD_COLUMNS.items())
    )
    return (
        worth_reading.join(linked.cases.select(_CASE_COLUMNS), on="case_idx")
        .join(identities, on="ident")
        .join(records, on="rec")
    )


def _entries(linked: Linked) -> pl.Series:
    return linked.records.filter(pl.col("kind") == "entry")["rec"].implode()


def _best_per_case(candidates: pl.DataFrame) -> pl.DataFrame:
    ranked = candidates.with_columns(
        band_rank=pl.col("band").replace_strict(BAND_RANK, return_dtype=pl.UInt8)
    )
    return ranked.sort(
        ["case_idx", "band_rank", "match_weight", "at", "kind", "record_id"],
        descending=[False, False, True, False, False, False],
    ).unique("case_idx", keep="first", maintain_order=True)


def _reentries(
    departures: pl.DataFrame, links: pl.DataFrame, thresholds: Thresholds, after_days: int
) -> pl.DataFrame:
    """The first strong entry after each case's departure, by the same traveller.

    The entry must travel on the departure's own document (same number, OCR slips
    allowed), or link to the case as a probable closure would (probability, and no
    contradicting field unless the document corroborates). Either way it must not
    contradict the departure record: one traveller's exit and entry carry the same date
    of birth (or its day/month swap) and the same sex.
    """
    strong_link = (pl.col("match_probability") >= thresholds.probable) & (
        pl.col("g_document").is_in(CORROBORATING_DOCUMENT) | ~contradiction()
    )
    entries = links.filter(pl.col("kind") == "entry").select(
        "case_idx",
        entry_record_id="record_id",
        entered_at="at",
        entry_probability="match_probability",
        e_year="r_dob_year",
        e_month="r_dob_month",
        e_day="r_dob_day",
        e_sex="r_sex",
        e_doc="r_doc_ocr",
        e_strong=strong_link,
    )
    same_document = (pl.col("e_doc") == pl.col("r_doc_ocr")).fill_null(False)
    joined = departures.join(entries, on="case_idx").filter(
        (same_document | pl.col("e_strong"))
        & (pl.col("entered_at") > pl.col("at"))
        & (pl.col("entered_at") >= pl.col("at") + pl.duration(days=after_days))
        & _same_traveller()
    )
    first = joined.sort("case_idx", "entered_at", "entry_record_id").unique(
        "case_idx", keep="first", maintain_order=True
    )
    # On the departure's own document, the entry is as sure as the departure.
    first = first.with_columns(
        entry_probability=pl.when(same_document)
        .then(pl.col("match_probability"))
        .otherwise(pl.col("entry_probability"))
    )
    return first.with_columns(_authorization_to_return())


def _same_traveller() -> pl.Expr:
    """Exit and entry records do not contradict each other on date of birth or sex."""
    full = pl.all_horizontal(
        pl.col(c).is_not_null()
        for c in ("r_dob_year", "r_dob_month", "r_dob_day", "e_year", "e_month", "e_day")
    )
    same_year = pl.col("r_dob_year") == pl.col("e_year")
    same_date = (
        same_year
        & (pl.col("r_dob_month") == pl.col("e_month"))
        & (pl.col("r_dob_day") == pl.col("e_day"))
    )
    swapped = (
        same_year
        & (pl.col("r_dob_month") == pl.col("e_day"))
        & (pl.col("r_dob_day") == pl.col("e_month"))
    )
    dates_agree = ~full | same_date | swapped
    both_sexed = pl.col("r_sex").is_in(["M", "F"]) & pl.col("e_sex").is_in(["M", "F"])
    sexes_agree = ~both_sexed | (pl.col("r_sex") == pl.col("e_sex"))
    return dates_agree & sexes_agree


def _authorization_to_return() -> list[pl.Expr]:
    order = pl.col("order_type")
    # Whether it was more than 30 days, read to the person's cost (the latest local date):
    # an officer checks the ARC flag, a missed one is worse than a checked one.
    became_deportation = (order == OrderType.DEPARTURE.value) & (
        latest_local_date(pl.col("at")) > pl.col("enforceable_date") + DEPARTURE_ORDER_GRACE
    )
    within_exclusion = (order == OrderType.EXCLUSION.value) & (
        pl.col("entered_at") - pl.col("at") < EXCLUSION_BAR
    )
    reason = (
        pl.when(order == OrderType.DEPORTATION.value)
        .then(pl.lit("deportation order: authorization to return needed for life"))
        .when(became_deportation)
        .then(pl.lit("departure order became a deportation order (left after 30 days)"))
        .when(within_exclusion)
        .then(pl.lit("exclusion order: returned within one year"))
        .otherwise(None)
    )
    return [reason.is_not_null().alias("arc_required"), reason.alias("arc_reason")]


def _timestamp(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _exit_columns() -> list[pl.Expr]:
    return [
        pl.col("kind").alias("exit_source"),
        pl.col("record_id").alias("exit_record_id"),
        _timestamp("at").alias("departed_at"),
    ]


def _closure_rows(closures: pl.DataFrame) -> pl.DataFrame:
    return closures.select(
        "case_id",
        "uci",
        *_exit_columns(),
        pl.col("place").alias("departure_place"),
        pl.col("match_probability").round(6),
        pl.col("match_weight").round(2),
        "band",
        "evidence",
        pl.when(pl.col("warrant_status") == WarrantStatus.ACTIVE.value)
        .then(pl.col("warrant_id"))
        .alias("warrant_id"),
        "priority",
        "region",
    )


def _warrant_rows(warrants: pl.DataFrame) -> pl.DataFrame:
    return warrants.select(
        "warrant_id",
        "case_id",
        "uci",
        *_exit_columns(),
        pl.col("match_probability").round(6),
        "band",
        (pl.col("priority") == Priority.SERIOUS_INADMISSIBILITY.value).alias("needs_supervisor"),
    )


def _alert_rows(alerts: pl.DataFrame) -> pl.DataFrame:
    return alerts.select(
        "case_id",
        "uci",
        pl.col("kind").alias("exit_source"),
        pl.col("record_id").alias("exit_record_id"),
        _timestamp("at").alias("departed_at"),
        "entry_record_id",
        _timestamp("entered_at").alias("entered_at"),
        pl.min_horizontal("match_probability", "entry_probability")
        .round(6)
        .alias("match_probability"),
        "order_type",
        "arc_required",
        "arc_reason",
    )


def _early_rows(early: pl.DataFrame) -> pl.DataFrame:
    return early.select(
        "case_id",
        "uci",
        *_exit_columns(),
        pl.col("timing").alias("reason"),
        pl.col("match_probability").round(6),
        "band",
        "evidence",
    )
