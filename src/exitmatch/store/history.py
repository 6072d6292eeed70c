"""What a run reads of the retained history: the records it needs, never all of them.

A store keeps every record received, far more than a night brings. A run reads, beside
its own records, only those a new or changed case finds by blocking key and a sample for
u; what it needs of the rest (how common a name or date of birth is) it reads from term
counts kept as records arrive. The kept comparisons are weighed in the store
(``score.stored``), and only the records of the links a run decides on are read, after.
"""

from __future__ import annotations

import duckdb
import polars as pl

from exitmatch.contract.codes import Source
from exitmatch.normalize.features import document_keys
from exitmatch.score.frequencies import TermCounts
from exitmatch.store.key_runs import FOUND_SCHEMA
from exitmatch.store.store import Store

# The kind of travel record each source brings.
KIND = {Source.LAND: "land", Source.AIR: "air", Source.ENTRIES: "entry"}

# Where each part of ``TermCounts`` is kept.
TERM_TABLES = {"names": "name_counts", "nationalities": "nationality_counts", "dates": "dob_counts"}


def known_record_ids(store: Store, source: Source, ids: pl.Series) -> pl.Series:
    """Those of ``ids`` that retained records of ``source`` already carry."""
    with store.registered("__ids", pl.DataFrame({"record_id": ids})):
        frame = store.frame(
            "SELECT record_id FROM records WHERE kind = ? "
            "AND record_id IN (SELECT record_id FROM __ids)",
            [KIND[source]],
        )
    return frame["record_id"]


def load_term_counts(store: Store) -> TermCounts:
    empty = TermCounts.empty()
    parts = {
        part: store.frame(f"SELECT * FROM {table}").select(
            pl.col(name).cast(dtype) for name, dtype in getattr(empty, part).schema.items()
        )
        for part, table in TERM_TABLES.items()
    }
    return TermCounts(**parts)


def replace_term_counts(store: Store, counts: TermCounts) -> None:
    for part, table in TERM_TABLES.items():
        store.connection.execute(f"DELETE FROM {table}")
        store.insert(table, getattr(counts, part))


def sampled_records(store: Store, new: pl.DataFrame, size: int, seed: int) -> pl.Series:
    """``seq`` of the ``size`` records, among those retained and ``new`` (numbered
    records, as ``state.number_records`` makes them), whose hash of kind, record_id and
    ``seed`` is smallest: a uniform sample that depends on which records are retained,
    not on the order they came in.

    The sample is kept whole (``u_sample``; ``retained_sample`` reads it): the smallest
    of all retained records are the smallest of the kept sample and the new records. It
    is drawn from every record again where it was drawn otherwise (another size, seed or
    hash function)."""
    drawn = f"{size}/{seed}/duckdb {duckdb.__version__}"
    kept = store.meta("u_sample")
    if new.is_empty() and kept == drawn:
        return store.frame("SELECT seq FROM u_sample ORDER BY seq")["seq"]  # as it stands
    retained = "records" if kept != drawn else "u_sample"
    connection = store.connection
    # Drawn by kind and record_id alone; the records drawn are then taken whole: the new
    # ones from ``new`` (few of them, not handed to the store whole), the retained ones
    # as a run reads them (``needed_records``) where drawn from every record again.
    with store.registered("__new", new.select("seq", "kind", "record_id")):
        hashes = store.frame(
            "SELECT seq, h FROM "
            f"(SELECT seq, kind, record_id, hash(kind, record_id, ?::BIGINT) AS h FROM "
            f"(SELECT seq, kind, record_id FROM {retained} UNION ALL "
            "SELECT seq, kind, record_id FROM __new)) ORDER BY h, kind, record_id LIMIT ?",
            [seed, size],
        )
    empty = no_records(store)
    with store.registered("__sample", hashes):
        if retained == "records":
            connection.execute("DELETE FROM u_sample")
            drawn_retained = needed_records(store, hashes["seq"])
        else:  # those still drawn stay where they are
            connection.execute("DELETE FROM u_sample WHERE seq NOT IN (SELECT seq FROM __sample)")
            drawn_retained = empty
    for taken in (drawn_retained, new):
        store.insert("u_sample", taken.join(hashes, on="seq").select(*empty.columns, "h"))
    store.set_meta("u_sample", drawn)
    return store.frame("SELECT seq FROM u_sample ORDER BY seq")["seq"]


def retained_sample(store: Store, before: int | None) -> pl.DataFrame:
    """The records drawn for u (``sampled_records``) numbered below ``before`` (every one
    where None): those retained before the run, in the order of ``state.load_records``."""
    bound = "WHERE seq < ?" if before is not None else ""
    return store.frame(
        f"SELECT * EXCLUDE (h) FROM u_sample {bound} ORDER BY kind, record_id",
        [before] if before is not None else None,
    )


def needed_records(store: Store, seqs: pl.Series) -> pl.DataFrame:
    """The retained records numbered ``seqs``, in the order of ``state.load_records``,
    their document keys made again from the columns they are made of (the records table
    does not keep them)."""
    read = _numbered(store, "(SELECT * EXCLUDE (received_run) FROM records)", seqs)
    return read.with_columns(**document_keys()).select(no_records(store).columns)


def compared_records(store: Store, seqs: pl.Series) -> pl.DataFrame:
    """The retained records numbered ``seqs``, each of which some kept comparison points
    to, in the order of ``state.load_records``: read from those records alone."""
    return _numbered(store, "compared_records", seqs)


def _numbered(store: Store, source: str, seqs: pl.Series) -> pl.DataFrame:
    """The rows of ``source`` (records as ``state.load_records`` reads them) numbered
    ``seqs``, in that order."""
    if seqs.is_empty():
        return no_records(store)
    with store.registered("__wanted", pl.DataFrame({"seq": seqs.cast(pl.Int64)})):
        # A filter on the scan, not a join after it: the scan skips what the filter
        # leaves out of each vector (twice as fast as a semi join on a long history).
        return store.frame(
            f"SELECT * FROM {source} WHERE seq IN (SELECT seq FROM __wanted) "
            "ORDER BY kind, record_id"
        )


def no_records(store: Store) -> pl.DataFrame:
    """No records, with the columns and types of ``state.load_records``: those of the
    compared records, which are kept whole (the records table leaves out the document
    keys)."""
    return store.frame("SELECT * FROM compared_records LIMIT 0")


def no_record_keys(store: Store) -> pl.DataFrame:
    """No record keys, with the columns and types of ``state.matching_record_keys``."""
    return pl.DataFrame(schema=FOUND_SCHEMA)
