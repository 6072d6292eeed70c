"""The kept comparisons: written as they are made, and which of them a common key touches.

Use ``replace_comparisons`` for a night's new comparison vectors, with the terms their
records' frequencies are looked up by (``score.frequencies.record_terms``), and
``broad_suspects`` with ``broad_keys_of`` for what ``block.passes.lost_pairs`` needs to
tell which kept pairs blocking today would no longer find. The comparisons are weighed
where they are kept (``score.stored``).
"""

from __future__ import annotations

import polars as pl

from exitmatch.store.store import Store


def replace_comparisons(
    store: Store, changed: pl.Series, vectors: pl.DataFrame, terms: pl.DataFrame
) -> None:
    """Drop the comparisons of changed cases (their identities are renumbered), add the
    newly made ones, and keep the terms of the records they point to that are not kept
    yet."""
    store.delete_keys("vectors", "case_id", changed)
    store.insert("vectors", vectors)
    if terms.is_empty():
        return
    columns = ", ".join(f'"{c}"' for c in terms.columns)
    with store.registered("__terms", terms):
        store.connection.execute(
            f"INSERT INTO record_terms ({columns}) SELECT {columns} FROM __terms t "
            "ANTI JOIN record_terms r ON r.seq = t.seq"
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
                SELECT seq FROM record_keys
                WHERE pass_bit = {broad} AND "key" IN (SELECT "key" FROM __common))
            ORDER BY case_id, seq
            """
        )


def broad_keys_of(store: Store, broad: int, seqs: pl.Series) -> pl.DataFrame:
    """The kept broadest-pass keys (seq, pass_bit, key, no_year) of the records ``seqs``."""
    with store.registered("__seqs", pl.DataFrame({"seq": seqs.unique()})):
        return store.frame(
            f'SELECT r.seq, r.pass_bit, r."key", r.no_year FROM record_keys r '
            f"SEMI JOIN __seqs s ON s.seq = r.seq WHERE r.pass_bit = {broad}"
        )
