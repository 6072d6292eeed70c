"""What the last run decided, kept case by case, so that a night of cases alone decides
again only the cases it touches.

A case's decisions (``decide.outcomes.decide``) read its own row, its scored pairs and its
standing rejections, and one thing of other cases: their strong exit links to the records
it strongly links, which can make its links ambiguous (``decide.bands.mark_ambiguity``).
A night that counts no record and keeps the scores of the pairs it did not change
(``score.stored.weigh``) therefore changes the decisions of these cases alone: those whose
pairs it weighed again, whose row or standing rejections differ from what they were decided
on, and those with a strong exit link to a record one of these links strongly, before the
night or after. The others' rows are the ones deciding every case would give, so they are
kept (``kept_outcomes_but``). Any other night decides every case and keeps all its rows.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from exitmatch import __version__, decide
from exitmatch.decide.outcomes import OUTCOME_FRAMES, Outcomes
from exitmatch.score.stored import SCORED, SCORED_BY
from exitmatch.settings import Settings
from exitmatch.store.store import Store

DECIDED_BY = "decided_by"
# The columns of a case's row that say where and when it was read, not what it is.
_PROVENANCE = ("_file", "_row", "updated_run")


@dataclass(frozen=True)
class Scope:
    """What a run decides: the cases (``case_ids``; None for every case), and every
    case's digest of what it is decided on, to keep with the rows."""

    case_ids: pl.Series | None
    digests: pl.DataFrame


def decided_by(store: Store, settings: Settings) -> str:
    """What rows decided now are noted as decided by: the settings, the kept scores,
    and this way of deciding (``deciding_code``): rows decided another way are not kept."""
    scores = store.meta(SCORED_BY) or ""
    return f"{settings.fingerprint()}/{scores}/{deciding_code()}"


@functools.cache
def deciding_code() -> str:
    """A digest of the code that decides (the ``exitmatch.decide`` package, as written)
    and of the versions of exitmatch and polars that run it."""
    digest = hashlib.sha256()
    for source in sorted(Path(decide.__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return f"{digest.hexdigest()[:16]}/exitmatch {__version__}/polars {pl.__version__}"


def strong_records(store: Store, case_ids: pl.Series, strong: float) -> pl.Series:
    """The records (``seq``) that the cases ``case_ids`` link to as exits at ``strong`` or
    above, by the ``scores`` table as it stands."""
    return _strongly_linked(store, case_ids.cast(pl.Utf8).rename("case_id"), "seq", strong)


def _strongly_linked(store: Store, these: pl.Series, other: str, strong: float) -> pl.Series:
    """The ``other`` side (``seq`` or ``case_id``) of every exit link at ``strong`` or
    above whose side named as ``these`` is one of them, by the ``scores`` table."""
    if these.is_empty():
        return store.frame(f"SELECT {other} FROM {SCORED} LIMIT 0")[other]
    with store.registered("__these", these.to_frame()):
        return store.frame(
            f"""SELECT DISTINCT {other} FROM {SCORED} SEMI JOIN __these USING ({these.name})
                WHERE NOT entry AND match_probability >= ?""",
            [strong],
        )[other]


def scope(
    store: Store,
    settings: Settings,
    rejected: pl.DataFrame,
    *,
    kept_scores: bool,
    weighed: pl.Series,
    linked_before: pl.Series,
) -> Scope:
    """The cases a run decides: every case, unless the scores of the pairs it did not
    weigh stood (``kept_scores``) and the rows kept were decided as this run decides;
    then the cases whose pairs it weighed (``weighed``), those whose row or standing
    ``rejected`` pairs changed, and those strongly linked to a record one of these links
    strongly now or linked before it was weighed again (``linked_before``)."""
    digests = _digests(store, rejected)
    if not kept_scores or store.meta(DECIDED_BY) != decided_by(store, settings):
        return Scope(None, digests)
    kept = store.frame("SELECT case_id, digest FROM decided_cases")
    touched = pl.concat(
        [weighed.cast(pl.Utf8), digests.join(kept, on=["case_id", "digest"], how="anti")["case_id"]]
    ).unique()
    strong = settings.thresholds.strong
    seqs = pl.concat([linked_before, strong_records(store, touched, strong)]).unique()
    rivals = _strongly_linked(store, seqs.rename("seq"), "case_id", strong)
    return Scope(pl.concat([touched, rivals]).unique().sort(), digests)


def kept_outcomes_but(store: Store, deciding: pl.Series) -> Outcomes:
    """The rows kept of every case but those ``deciding``."""
    cases = pl.DataFrame({"case_id": deciding}, {"case_id": pl.Utf8})
    with store.registered("__deciding", cases):
        return Outcomes(
            **{
                name: store.frame(
                    f"SELECT * FROM decided_{name} ANTI JOIN __deciding USING (case_id)"
                )
                for name in OUTCOME_FRAMES
            }
        )


def store_outcomes(store: Store, settings: Settings, decided: Outcomes, scope: Scope) -> None:
    """Keep the rows of the cases the run decided (``decided``, of the cases in
    ``scope``) in place of theirs, and what every case was decided on."""
    for name in OUTCOME_FRAMES:
        table = f"decided_{name}"
        if scope.case_ids is None:
            store.connection.execute(f"DELETE FROM {table}")
        else:
            store.delete_keys(table, "case_id", scope.case_ids)
        store.insert(table, getattr(decided, name))
    store.connection.execute("DELETE FROM decided_cases")
    store.insert("decided_cases", scope.digests)
    store.set_meta(DECIDED_BY, decided_by(store, settings))


def _digests(store: Store, rejected: pl.DataFrame) -> pl.DataFrame:
    """Each case's digest of what its decisions read: its row as the store keeps it (the
    identity's lists by their written-out digest) and its standing rejections."""
    cases = store.frame("SELECT * FROM cases")
    # The plain columns, written out; the lists (names, dates, documents) are in the
    # identity's digest, which is one of them.
    plain = [
        name
        for name, dtype in cases.schema.items()
        if not dtype.is_nested() and name not in _PROVENANCE and name != "case_id"
    ]
    refused = rejected.group_by("case_id").agg(
        refused=pl.concat_str("kind", "record_id", separator="/").sort().str.join("|")
    )
    fields = [pl.col(name).cast(pl.Utf8) for name in plain]
    return (
        cases.join(refused, on="case_id", how="left")
        .select(
            "case_id",
            digest=pl.concat_str(
                [field.fill_null("\x00") for field in [*fields, pl.col("refused")]],
                separator="\x1f",
            ),
        )
        .sort("case_id")
    )
