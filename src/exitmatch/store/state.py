"""What a run reads from and writes to the store, table by table.

Each function is one step of a run (see ``exitmatch.reconcile``) and runs inside its
transaction. Cases are upserted (the latest row for a case_id wins); records are kept as
first received; comparison vectors are replaced for cases whose identity changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import polars as pl

from exitmatch.block.passes import Pass, pairable
from exitmatch.contract.outputs import RunReport
from exitmatch.decide.outcomes import Outcomes
from exitmatch.ingest.frames import INVENTORY
from exitmatch.ingest.load import Ingested
from exitmatch.normalize.features import document_keys
from exitmatch.score.model import MatchModel
from exitmatch.store.history import no_records
from exitmatch.store.store import Store


def ingested_digests(store: Store) -> frozenset[str]:
    digests = store.frame("SELECT sha256 FROM ledger")["sha256"]
    return frozenset(digests.drop_nulls().to_list())


def remember_files(store: Store, loaded: Iterable[Ingested], run_id: int) -> None:
    """Ledger every file read this run (unreadable ones too: the same bytes would fail
    the same way), so a redelivery is not counted twice."""
    rows = [
        {
            "sha256": counts.sha256,
            "source": result.source.value,
            "file": counts.file,
            "format": counts.format,
            "read": counts.read,
            "accepted": counts.accepted,
            "quarantined": counts.quarantined,
            "data_issues": counts.data_issues,
            "run_id": run_id,
        }
        for result in loaded
        for counts in result.files
        if counts.sha256
    ]
    if rows:
        store.insert("ledger", pl.DataFrame(rows).unique("sha256", keep="first"))
    for result in loaded:
        store.insert("quarantine", result.quarantine.with_columns(run_id=pl.lit(run_id)))
        store.insert("data_issues", result.issues.with_columns(run_id=pl.lit(run_id)))


def _identity_digest() -> pl.Expr:
    """What the matcher compares, written out: stable across library versions (a hash
    would change with the library and make every case look changed after an upgrade)."""
    document = pl.concat_str(
        pl.element().struct.field("type"),
        pl.element().struct.field("issuer"),
        pl.element().struct.field("number"),
        separator="/",
    )
    parts = [
        pl.col("surname"),
        pl.col("given_names"),
        pl.col("aliases").list.join("|"),
        pl.col("date_of_birth"),
        pl.col("alt_dates_of_birth").list.join("|"),
        pl.col("sex"),
        pl.col("citizenships").list.join("|"),
        pl.col("documents").list.eval(document).list.join("|"),
    ]
    return pl.concat_str([part.fill_null("") for part in parts], separator="\x1f")


def changed_cases(store: Store, cases: pl.DataFrame) -> pl.Series:
    """case_ids of ``cases`` that are new or whose identity differs from the stored one."""
    incoming = cases.select("case_id", digest=_identity_digest())
    stored = store.frame("SELECT case_id, identity_digest AS digest FROM cases")
    same = incoming.join(stored, on=["case_id", "digest"], how="semi")
    return incoming.join(same, on="case_id", how="anti")["case_id"].sort()


def upsert_cases(store: Store, cases: pl.DataFrame, run_id: int) -> None:
    store.delete_keys("cases", "case_id", cases["case_id"])
    store.insert(
        "cases", cases.with_columns(identity_digest=_identity_digest(), updated_run=pl.lit(run_id))
    )


def load_cases(store: Store) -> pl.DataFrame:
    columns = ", ".join(f'"{c}"' for c in INVENTORY)
    return store.frame(f"SELECT {columns} FROM cases ORDER BY case_id")


def number_records(store: Store, records: pl.DataFrame) -> pl.DataFrame:
    """``records`` (new to the store) numbered in order of arrival (``seq``, after every
    retained record; by kind and record_id within a run)."""
    last = store.scalar("SELECT max(seq) FROM records")
    first = int(str(last)) + 1 if last is not None else 1
    # Sorted even when in order already: the sort copies the rows out of the frames they
    # were read into, which can then be let go (as they were, a night of 1.65 million
    # records peaked 0.9 GB higher).
    ordered = records.drop("seq", strict=False).sort("kind", "record_id")
    numbered = ordered.with_row_index("seq", offset=first)
    return numbered.with_columns(pl.col("seq").cast(pl.Int64))


def store_records(store: Store, numbered: pl.DataFrame, run_id: int) -> None:
    """Keep ``numbered`` records (``number_records``), received in run ``run_id``."""
    kept = numbered.drop(*document_keys())  # made again as they are read
    store.insert("records", kept.with_columns(received_run=pl.lit(run_id)))


def load_records(store: Store) -> pl.DataFrame:
    read = store.frame("SELECT * EXCLUDE (received_run) FROM records ORDER BY kind, record_id")
    return read.with_columns(**document_keys()).select(no_records(store).columns)


def record_run(
    store: Store, run_id: int, report: RunReport, model: MatchModel, outcomes: Outcomes
) -> None:
    """The run, its model, the candidates it proposes, and what changed since the last."""
    now = datetime.now(UTC)
    store.connection.execute(
        "INSERT INTO runs VALUES (?, ?, ?, ?, ?)",
        [run_id, report.started_at, now, report.command, report.model_dump_json()],
    )
    store.connection.execute(
        "INSERT INTO models VALUES (?, ?, ?)",
        [run_id, model.fingerprint(), model.model_dump_json()],
    )
    current = outcomes.closures.select(
        "case_id",
        "exit_source",
        "exit_record_id",
        "band",
        "match_probability",
        "evidence",
        "departure_place",
        "match_weight",
        departed_at=_utc("departed_at"),
        run_id=pl.lit(run_id),
    )
    before = store.frame("SELECT * FROM candidates")
    store.insert("audit", _changes(before, current, run_id, now))
    store.connection.execute("DELETE FROM candidates")
    store.insert("candidates", current)
    # What the review queue shows of re-entry alerts; they are not closures.
    store.connection.execute("DELETE FROM alerts")
    store.insert(
        "alerts",
        outcomes.alerts.select(
            "case_id",
            "exit_source",
            "exit_record_id",
            "entry_record_id",
            "match_probability",
            "arc_required",
            "arc_reason",
            departed_at=_utc("departed_at"),
            entered_at=_utc("entered_at"),
            run_id=pl.lit(run_id),
        ),
    )


def _utc(column: str) -> pl.Expr:
    return pl.col(column).str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC")


def _summary() -> pl.Expr:
    return pl.format("{} {}/{} p={}", "band", "exit_source", "exit_record_id", "match_probability")


def _changes(
    before: pl.DataFrame, current: pl.DataFrame, run_id: int, now: datetime
) -> pl.DataFrame:
    """Audit rows: candidates proposed, changed or withdrawn by this run."""
    old = before.select("case_id", old=_summary())
    new = current.select("case_id", new=_summary())
    joined = old.join(new, on="case_id", how="full", coalesce=True)
    changed = joined.filter(pl.col("old").ne_missing(pl.col("new")))
    action = (
        pl.when(pl.col("old").is_null())
        .then(pl.lit("proposed"))
        .when(pl.col("new").is_null())
        .then(pl.lit("withdrawn"))
        .otherwise(pl.lit("changed"))
    )
    return changed.sort("case_id").select(
        at=pl.lit(now, dtype=pl.Datetime("us", "UTC")),
        run_id=pl.lit(run_id),
        actor=pl.lit(f"exitmatch run {run_id}"),
        entity=pl.lit("candidate"),
        key="case_id",
        action=action,
        before="old",
        after="new",
    )


def store_record_keys(store: Store, keys: pl.DataFrame, records: pl.DataFrame, broad: int) -> None:
    """Keep the blocking keys of ``records`` (keys by ``rec``; ``records`` with ``seq``, in
    ``rec`` order from 0, as ``link.population`` numbers them): every one in a run of
    ``store.key_runs``, and those of the broadest pass (``broad``, its bit), which each
    night counts, in ``broad_keys`` too."""
    numbered = keys.select(
        seq=records["seq"].gather(keys["rec"]), pass_bit="pass_bit", key="key", no_year="no_year"
    )
    store.key_runs.write(numbered)
    store.insert("broad_keys", numbered.filter(pl.col("pass_bit") == broad).drop("pass_bit"))


def stored_key_count(store: Store) -> int:
    return store.key_runs.count()


def common_before_night(store: Store, cap: int) -> pl.Series:
    """Keys of the broadest pass shared by more than ``cap`` retained records, before a
    night keeps any.

    A key once common stays common (records are only added), so the store keeps them
    (``common_keys``) and a night adds those that became common with it
    (``count_common``); the whole history is counted again only where the cap has
    changed (a higher cap makes the store be re-keyed first: ``common_cap_raised``)."""
    counted_cap = store.meta("common_cap")
    if counted_cap is None or int(counted_cap) != cap:
        store.connection.execute("DELETE FROM common_keys")
        store.connection.execute(
            'INSERT INTO common_keys SELECT "key" FROM broad_keys '
            'GROUP BY "key" HAVING count(*) > ?',
            [cap],
        )
        store.set_meta("common_cap", str(cap))
    return known_common_keys(store)


def count_common(store: Store, cap: int, keys: pl.Series) -> pl.Series:
    """Of ``keys`` (the broadest pass's keys of a night's records, not common before it),
    those that more than ``cap`` retained records share now that the night is kept:
    noted as common, and returned. One count over the kept keys, for the whole night."""
    if keys.is_empty():
        return keys
    with store.registered("__night", pl.DataFrame({"key": keys})):
        newly = store.frame(
            'SELECT "key" FROM broad_keys WHERE "key" IN (SELECT "key" FROM __night) '
            'GROUP BY "key" HAVING count(*) > ?',
            [cap],
        )["key"]
    return note_common(store, newly)


def note_common(store: Store, keys: pl.Series) -> pl.Series:
    """Note ``keys`` (of the broadest pass) as common from now on; returned sorted."""
    newly = keys.cast(pl.UInt64).sort()
    store.insert("common_keys", newly.to_frame("key"))
    return newly


def common_cap_raised(store: Store, cap: int) -> bool:
    """True when the common keys were counted at a lower cap than ``cap``: keys common
    then are not now, and the records that carried one were never paired by it."""
    counted_cap = store.meta("common_cap")
    return counted_cap is not None and int(counted_cap) < cap


def known_common_keys(store: Store) -> pl.Series:
    """The broadest pass's keys the store counted common, on the last run that counted."""
    return store.frame('SELECT "key" FROM common_keys')["key"].cast(pl.UInt64).sort()


def matching_record_keys(store: Store, wanted: pl.DataFrame, common: pl.Series) -> pl.DataFrame:
    """The kept record keys a case key of ``wanted`` (pass_bit, key, no_year) pairs with
    (``block.passes.pairable``; ``common`` the broadest pass's keys too common): seq,
    pass_bit, key, no_year, found by seeking in the sorted runs of ``store.key_runs``.

    The keys too common are not sought, and a name-only key of cases that all have a
    birth year seeks only the records without one: the two are most of what a search
    would find and drop (nine in ten keys found at 100 million records)."""
    too_common = (pl.col("pass_bit") == int(Pass.ONE_NAME_YEAR)) & pl.col("key").is_in(
        common.implode()
    )
    sought = wanted.filter(~too_common)
    year_free = ((pl.col("pass_bit") == int(Pass.NAME_ONLY)) & ~pl.col("no_year")).alias("only")
    # Looked up by the key alone (each pass hashes with its own seed); the pass is
    # checked on what is found.
    found = store.key_runs.find(sought["key"], sought.select(year_free)["only"])
    return pairable(found, sought, common)


def layout_changed(store: Store, layout: int) -> bool:
    """True when the store's keys and vectors were made by another matching layout."""
    value = store.meta("match_layout")
    return value is not None and int(value) != layout


def forget_matching(store: Store) -> None:
    """Drop every kept key, comparison (with its record and its terms) and common key (they are
    rebuilt from the cases and records; the term counts are replaced whole by every run,
    and u's sample does not depend on the matching layout)."""
    for table in ("broad_keys", "vectors", "record_terms", "compared_records", "common_keys"):
        store.connection.execute(f"DELETE FROM {table}")
    store.key_runs.forget()
    store.forget_meta("common_cap")


def remember_layout(store: Store, layout: int) -> None:
    store.set_meta("match_layout", str(layout))
