"""Weighing the kept comparisons where they are kept: in the store, in SQL.

A night's comparisons, new and kept, are trained on and weighed inside DuckDB over the
``vectors`` table, so a night holds in memory only the pairs it decides on, however long
the history. Use ``count_patterns`` for what training needs (the level patterns of each
pair's best-agreeing identity, with their counts), and ``weigh`` to score every kept pair
into the run's ``scored`` table and bring in the pairs a decision can use.

The weights are those of a ``MatchModel``: each level's log2(m/u), and for a level
adjusted for term frequency log2(m / f), f being the share of travellers carrying the
agreed value (``score.frequencies``). The frequencies are looked up in the kept counts
by the terms kept for each compared record (``record_terms``). Each pair keeps its best
identity by match weight (the first by name and date number on a tie), and the match
probability adds the model's prior.
"""

from __future__ import annotations

import polars as pl

from exitmatch.compare.levels import Comparison
from exitmatch.score.best import keep_best
from exitmatch.score.frequencies import ANY_NATIONALITY, MIN_GROUP
from exitmatch.score.model import MatchModel
from exitmatch.store.store import Store

# The temporary table a run's scored pairs are kept in, until its outputs are written.
SCORED = "scored"


def weight_column(comparison: Comparison) -> str:
    """The column of a scored pair holding one comparison's weight."""
    return f"w_{comparison.name}"


def count_patterns(store: Store, comparisons: tuple[Comparison, ...]) -> pl.DataFrame:
    """The gamma patterns of the kept pairs' best-agreeing identities, with their counts
    (``n``), as ``score.em`` trains on them."""
    columns = ", ".join(c.gamma_column for c in comparisons)
    return store.frame(
        f"SELECT {columns}, count(*) AS n FROM vectors WHERE best GROUP BY ALL ORDER BY ALL"
    )


def weigh(
    store: Store, comparisons: tuple[Comparison, ...], model: MatchModel, floor: float
) -> tuple[int, pl.DataFrame]:
    """Score every kept pair into the ``scored`` table, and bring in those a decision
    can use: how many pairs there are, and those pairs (the exits at or above ``floor``,
    and every entry of a case with such an exit: an entry on a departure's own document
    counts however weakly it links), each with its best identity's levels, the weight of
    each, ``match_weight`` and ``match_probability``.

    ``scored`` keeps what the candidate pairs' file shows of each pair (its case and
    record number, passes, weight and probability, and whether the record is an entry;
    the file takes the record's source and id from ``compared_records``): only the pairs
    brought in are weighed level by level into the same weights again."""
    model.check_against(comparisons)
    connection = store.connection
    connection.execute(f"CREATE OR REPLACE TEMP TABLE record_tf AS {_frequencies()}")
    try:
        _score_pairs(store, comparisons, model)
        keys = "case_id, seq, name_no, dob_no"
        decidable = store.frame(
            f"""
            WITH exits AS (
                SELECT {keys} FROM {SCORED}
                WHERE NOT entry AND match_probability >= ?
            ),
            chosen AS (
                SELECT * FROM exits
                UNION ALL
                SELECT {keys} FROM {SCORED}
                WHERE entry AND case_id IN (SELECT case_id FROM exits)
            ),
            picked AS (
                SELECT v.* FROM vectors v SEMI JOIN chosen c ON c.case_id = v.case_id
                    AND c.seq = v.seq AND c.name_no = v.name_no AND c.dob_no = v.dob_no
            ),
            {_weighed("picked", comparisons, model)}
            SELECT * FROM weighed ORDER BY case_id, seq
            """,
            [floor],
        )
    finally:
        connection.execute("DROP TABLE IF EXISTS record_tf")
    return int(str(store.scalar(f"SELECT count(*) FROM {SCORED}"))), decidable


def _score_pairs(store: Store, comparisons: tuple[Comparison, ...], model: MatchModel) -> None:
    """Create the ``scored`` table: each kept pair's best identity (``score.best``) with
    its match probability."""
    keep_best(
        store.connection,
        SCORED,
        "vectors",
        lambda source: _weighed(source, comparisons, model),
        f"{_probability(model)} AS match_probability",
    )


def _probability(model: MatchModel) -> str:
    """SQL for a comparison's match probability from its ``match_weight``."""
    prior = _double(model.prior_log2_odds)
    return f"1 / (1 + pow(2::DOUBLE, -({prior} + match_weight)))"


def _weighed(source: str, comparisons: tuple[Comparison, ...], model: MatchModel) -> str:
    """SQL for the named queries ending in ``weighed``: each comparison of ``source``
    (rows as ``vectors`` keeps them) with its record's term frequencies, the weight of
    each level, ``match_weight`` and ``match_probability``."""
    weights = ",\n".join(f"{_weight(c, model)} AS {weight_column(c)}" for c in comparisons)
    total = " + ".join(weight_column(c) for c in comparisons)
    return f"""
        found AS (
            SELECT v.* EXCLUDE (best),
                CASE WHEN v.name_swapped THEN t.tf_sur_x ELSE t.tf_sur END AS tf_surname,
                CASE WHEN v.name_swapped THEN t.tf_giv_x ELSE t.tf_giv END AS tf_given,
                t.tf_dob
            FROM {source} v JOIN record_tf t ON t.seq = v.seq
        ),
        levelled AS (SELECT *, {weights} FROM found),
        totalled AS (SELECT *, {total} AS match_weight FROM levelled),
        weighed AS (SELECT *, {_probability(model)} AS match_probability FROM totalled)
    """


def _frequencies() -> str:
    """Each compared record's term frequencies from the kept counts: the shares of its
    nationality (where it has ``MIN_GROUP`` records; of all records otherwise) carrying
    its surname and first given name, read either way round, and the share of all
    records born on its date. A value never counted gets the share of one record."""
    share = "greatest(least(coalesce({}, f), 1::DOUBLE), f)"
    names = [
        ("a", "sur_joined", "tf_sur"),
        ("b", "giv_first", "tf_giv"),
        ("c", "giv_joined", "tf_sur_x"),
        ("d", "sur_first", "tf_giv_x"),
    ]
    looked_up = ", ".join(share.format(f"{a}.share") + f" AS {name}" for a, _, name in names)
    joins = "\n".join(
        f"LEFT JOIN shares {a} ON {a}.grp = t.grp AND {a}.value = t.{column}"
        for a, column, _ in names
    )
    same_date = " AND ".join(
        f"x.{part} IS NOT DISTINCT FROM t.{part}" for part in ("dob_year", "dob_month", "dob_day")
    )
    everyone = f"'{ANY_NATIONALITY}'"
    return f"""
        WITH total AS (
            SELECT greatest(coalesce(max(n) FILTER (WHERE nationality = {everyone}), 0), 1)
                AS n FROM nationality_counts
        ),
        shares AS (
            SELECT c.nationality AS grp, c.value, c.n / s.n AS share
            FROM name_counts c JOIN nationality_counts s ON s.nationality = c.nationality
        ),
        terms AS (
            SELECT t.*, CASE WHEN s.n >= {MIN_GROUP} THEN t.nationality ELSE {everyone} END
                AS grp
            FROM record_terms t LEFT JOIN nationality_counts s ON s.nationality = t.nationality
            SEMI JOIN (SELECT DISTINCT seq FROM vectors) v ON v.seq = t.seq
        )
        SELECT t.seq, {looked_up}, {share.format("x.n / total.n")} AS tf_dob
        FROM terms t CROSS JOIN total CROSS JOIN (SELECT 1::DOUBLE / n AS f FROM total)
        {joins}
        LEFT JOIN dob_counts x ON {same_date}
    """


def _weight(comparison: Comparison, model: MatchModel) -> str:
    """A comparison's weight for each pair: its level's, or for a level adjusted for
    term frequency log2(m / f) of the agreed value."""
    cases = []
    for index, level in enumerate(comparison.levels):
        params = model.level(comparison.name, index)
        weight = _double(params.weight)
        if level.tf_column is not None and params.tf_adjusted and params.m > 0:
            weight = f"ln({_double(params.m)} / {level.tf_column}) / ln(2::DOUBLE)"
        cases.append(f"WHEN {index} THEN {weight}")
    return f"CASE {comparison.gamma_column} {' '.join(cases)} ELSE 0::DOUBLE END"


def _double(value: float) -> str:
    """A float as an exact SQL double (a plain decimal literal would be a DECIMAL)."""
    return f"CAST('{value!r}' AS DOUBLE)"
