"""Pairs an officer rejected, and whether new evidence has arrived since.

Use ``standing_rejections`` before deciding a run: a (case, exit record) pair an officer
rejected is not proposed again while its comparison vector is what the officer saw and no
record compared with the case has arrived since. ``pair_digest`` is what the review app
keeps at rejection time, so the two sides agree on what "the same evidence" means.
"""

from __future__ import annotations

import polars as pl

from exitmatch.store.store import Store

# The comparison levels of every identity pair between a case and a record, in a stable
# order: the evidence a rejection was made on.
_DIGEST = """
    string_agg(
        concat_ws(',', name_no, dob_no, g_surname, g_given_names, g_date_of_birth,
                  g_document, g_nationality, g_sex, name_swapped),
        ';' ORDER BY name_no, dob_no)
"""


def pair_digest(store: Store, case_id: str, kind: str, record_id: str) -> str | None:
    """The comparison vector of one pair as text (None when the pair was never compared)."""
    value = store.scalar(
        f"SELECT {_DIGEST} FROM vectors WHERE case_id = ? AND kind = ? AND record_id = ?",
        [case_id, kind, record_id],
    )
    return None if value is None else str(value)


def latest_run(store: Store) -> int:
    value = store.scalar("SELECT max(run_id) FROM runs")
    return int(value) if isinstance(value, int) else 0


def standing_rejections(store: Store) -> pl.DataFrame:
    """case_id, kind, record_id of rejected pairs with no new evidence: the pair's vector is
    unchanged and no record compared with the case arrived after the rejection."""
    return store.frame(
        f"""
        WITH now AS (
            SELECT v.case_id, v.kind, v.record_id, {_DIGEST} AS digest
            FROM vectors v SEMI JOIN rejections r
              ON v.case_id = r.case_id AND v.kind = r.exit_source
             AND v.record_id = r.exit_record_id
            GROUP BY v.case_id, v.kind, v.record_id
        )
        SELECT r.case_id, r.exit_source AS kind, r.exit_record_id AS record_id
        FROM rejections r
        JOIN now ON now.case_id = r.case_id AND now.kind = r.exit_source
                AND now.record_id = r.exit_record_id
        WHERE now.digest = r.vector_digest
          AND NOT EXISTS (
              SELECT 1 FROM vectors v
              JOIN records x ON x.kind = v.kind AND x.record_id = v.record_id
              WHERE v.case_id = r.case_id AND x.received_run > r.seen_run)
        ORDER BY 1, 2, 3
        """
    )
