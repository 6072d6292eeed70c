"""The kept comparisons: written as they are made, and which of them a common key touches.

Use ``replace_comparisons`` for a night's new comparison vectors, with the terms their
records' frequencies are looked up by (``score.frequencies.record_terms``) and the records
themselves;
``broad_suspects`` with ``broad_keys_of`` for what ``block.passes.lost_pairs`` needs to
tell which kept pairs blocking today would no longer find, and ``clear_pass`` to take
that pass from them. The comparisons are weighed where they are kept (``score.stored``).

A key that has become too common stays so, so a pair that lost the broadest pass keeps
it lost: the store's comparisons are those one run over the whole history would make,
and a night only looks at the pairs of the keys that became common with it. A store
whose lost pairs were not cleared yet (meta ``broad_cleared``) is looked at whole once.
"""

from __future__ import annotations

import polars as pl

from exitmatch.store.store import Store


def replace_comparisons(
    store: Store,
    changed: pl.Series,
    vectors: pl.DataFrame,
    terms: pl.DataFrame,
    records: pl.DataFrame,
) -> None:
    """Drop the comparisons of changed cases (their identities are renumbered), add the
    newly made ones, and keep the terms of the records they point to and the records
    themselves (``records``, with at least the columns kept), where not kept yet."""
    store.delete_keys("vectors", "case_id", changed)
    store.insert("vectors", vectors)
    kept = store.frame("SELECT * FROM compared_records LIMIT 0").columns
    for table, rows in (("record_terms", terms), ("compared_records", records.select(kept))):
        if rows.is_empty():
            continue
        columns = ", ".join(f'"{c}"' for c in rows.columns)
        with store.registered("__rows", rows):
            store.connection.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM __rows t "
                f"ANTI JOIN {table} r ON r.seq = t.seq"
            )


def broad_suspects(store: Store, broad: int, common: pl.Series) -> pl.DataFrame:
    """case_id and seq of the kept pairs found by the broadest pass (``broad``, its bit)
    whose record carries one of its ``common`` keys: the only pairs that pass can have
    lost."""
    if common.is_empty():
        return pl.DataFrame(schema={"case_id": pl.Utf8, "seq": pl.Int64})
    with store.registered("__common", pl.DataFrame({"key": common})):
        return store.frame(
            f"""
            SELECT DISTINCT case_id, seq FROM vectors
            WHERE (passes & {broad}) <> 0 AND seq IN (
                SELECT seq FROM broad_keys WHERE "key" IN (SELECT "key" FROM __common))
            ORDER BY case_id, seq
            """
        )


def clear_pass(store: Store, pairs: pl.DataFrame, bit: int) -> None:
    """Take the pass ``bit`` from the comparisons of ``pairs`` (case_id, seq), and drop
    those left with none; note that the store's lost pairs are cleared."""
    store.set_meta("broad_cleared", "1")
    if pairs.is_empty():
        return
    with store.registered("__lost", pairs.select("case_id", "seq")):
        store.connection.execute(
            f"UPDATE vectors v SET passes = (v.passes & {255 - bit})::UTINYINT FROM __lost l "
            "WHERE v.case_id = l.case_id AND v.seq = l.seq"
        )
    store.connection.execute("DELETE FROM vectors WHERE passes = 0")


def cleared_before(store: Store) -> bool:
    """True when the store's lost pairs have been cleared as keys became common."""
    return store.meta("broad_cleared") is not None


def broad_keys_of(store: Store, broad: int, seqs: pl.Series) -> pl.DataFrame:
    """The kept broadest-pass keys (seq, pass_bit, key, no_year) of the records ``seqs``."""
    with store.registered("__seqs", pl.DataFrame({"seq": seqs.unique()})):
        return store.frame(
            f'SELECT r.seq, {broad}::UTINYINT AS pass_bit, r."key", r.no_year FROM broad_keys r '
            "SEMI JOIN __seqs s ON s.seq = r.seq"
        )
