"""Each pair's best identity among its weighed comparisons, in SQL.

A pair (case, record) has a comparison per identity of the case (name and date number);
its best identity is the one of highest match weight, the lowest name number and then
date number on a tie. Use ``best_identities`` for the query that keeps that comparison of
every pair into a table, with columns of its own (``keep_best``).

The choice is a max over one integer per comparison that orders as (match_weight,
-name_no, -dob_no) does: the weight times 2**WEIGHT_BITS, which is an integer, exactly,
for every weight in ``EXACT_RANGE``, and below it the identity's numbers, then the pair's
passes and whether its record is an entry, which the max carries along. A max of a
number is a plain aggregate; an arg_max ordered by a struct, with the strings of the
pair's keys in its value, took four times as long over five million pairs. A pair with a
weight outside the range (none in practice; a zero, say) is taken by that struct instead,
so the choice is the same for every pair.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

WEIGHT_BITS = 76
# Below the weight: name number (16 bits), date number (16), passes (8), entry (1).
LOW_BITS = 41
# A weight at least 2**-24 in size has no bits below 2**-76, and one under 2**8 keeps
# the key under 2**126 (a HUGEINT holds 2**127). Zero is left out so that -0.0 keeps
# its sign.
EXACT_RANGE = (2.0**-24, 2.0**8)
_OFFSET_BITS = 84  # the scaled weight plus 2**84 is never negative

# What a best identity carries, as the ``scores`` table keeps it.
COLUMNS = "case_id, seq, name_no, dob_no, passes, entry, match_weight"


def keep_best(
    connection: duckdb.DuckDBPyConnection,
    into: str,
    source: str,
    weighed: Callable[[str], str],
    extra: str,
    *,
    join: str = "",
    temporary: bool = True,
) -> None:
    """Create the table ``into`` (a temporary one unless ``temporary`` is false): each
    pair of the comparisons in ``source`` (rows as ``vectors`` keeps them) with its best
    identity's ``COLUMNS``, ``exact`` (true where the packed key chose it) and ``extra``
    (SQL over those columns and those ``join`` brings, a join onto the pairs as ``b``:
    ``expr AS name``). ``weighed(s)`` is the SQL of the named queries ending in
    ``weighed``: the comparisons of ``s`` with their ``match_weight``."""
    kind = "TEMP TABLE" if temporary else "TABLE"
    connection.execute(
        f"""
        CREATE OR REPLACE {kind} {into} AS
        WITH {weighed(source)}
        SELECT b.*, {extra} FROM ({best_identities("weighed")}) b {join}
        """
    )
    inexact = f"SELECT case_id, seq FROM {into} WHERE NOT exact"
    counted = connection.sql(f"SELECT count(*) FROM ({inexact})").fetchall()
    if not counted[0][0]:
        return
    pairs = (
        f"(SELECT v.* FROM {source} v SEMI JOIN ({inexact}) p "
        "ON p.case_id = v.case_id AND p.seq = v.seq)"
    )
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE __by_struct AS
        WITH {weighed(pairs)}
        SELECT b.*, false AS exact, {extra} FROM ({best_by_struct("weighed")}) b {join}
        """
    )
    connection.execute(f"DELETE FROM {into} WHERE NOT exact")
    connection.execute(f"INSERT INTO {into} BY NAME SELECT * FROM __by_struct")
    connection.execute("DROP TABLE __by_struct")


def best_identities(source: str) -> str:
    """SQL for each pair of ``source`` (weighed comparisons, as ``score.stored`` makes
    them) with its best identity: ``COLUMNS`` and ``exact``; where ``exact`` is false,
    the other columns are null, for ``best_by_struct`` to fill."""
    low, high = EXACT_RANGE
    scale = f"{2**WEIGHT_BITS}::DOUBLE"
    offset = f"{2**_OFFSET_BITS}::HUGEINT"
    low_part = (
        "((65535 - name_no)::BIGINT << 25) | ((65535 - dob_no)::BIGINT << 9)"
        " | (passes::BIGINT << 1) | (kind = 'entry')::BIGINT"
    )
    key = f"((((match_weight * {scale})::HUGEINT + {offset}) << {LOW_BITS}) | ({low_part}))"
    exact = f"coalesce(abs(match_weight) >= {low!r} AND abs(match_weight) < {high!r}, false)"
    low_mask = 2**LOW_BITS - 1
    return f"""
        SELECT case_id, seq,
            (65535 - ((low >> 25) & 65535))::USMALLINT AS name_no,
            (65535 - ((low >> 9) & 65535))::USMALLINT AS dob_no,
            ((low >> 1) & 255)::UTINYINT AS passes,
            CASE WHEN exact THEN (low & 1) = 1 END AS entry,
            ((k >> {LOW_BITS}) - {offset})::DOUBLE / {scale} AS match_weight,
            exact
        FROM (
            SELECT *, (k & {low_mask}::HUGEINT)::BIGINT AS low
            FROM (
                SELECT case_id, seq, max(CASE WHEN exact THEN {key} END) AS k,
                    bool_and(exact) AS exact
                FROM (SELECT *, {exact} AS exact FROM {source})
                GROUP BY case_id, seq
            )
        )
        """


def best_by_struct(source: str) -> str:
    """SQL for each pair of ``source`` (weighed comparisons) with its best identity
    (``COLUMNS``), chosen by an arg_max ordered by a struct."""
    return f"""
        SELECT case_id, seq, unnest(arg_max(
            struct_pack(name_no, dob_no, passes, entry := kind = 'entry', match_weight),
            struct_pack(match_weight, n := -name_no::INTEGER, d := -dob_no::INTEGER)))
        FROM {source} GROUP BY case_id, seq
        """
