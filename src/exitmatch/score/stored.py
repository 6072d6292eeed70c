"""Weighing the kept comparisons where they are kept: in the store, in SQL.

A night's comparisons, new and kept, are trained on and weighed inside DuckDB over the
``vectors`` table, so a night holds in memory only the pairs it decides on, however long
the history. Use ``count_patterns`` for what training needs (the level patterns of each
pair's best-agreeing identity, with their counts), ``weigh`` to score every kept pair
into the store's ``scores`` table, and then ``decidable`` to bring in the pairs a
decision can use.

The weights are those of a ``MatchModel``: each level's log2(m/u), and for a level
adjusted for term frequency log2(m / f), f being the share of travellers carrying the
agreed value (``score.frequencies``). The frequencies are looked up in the kept counts
by the terms kept for each compared record (``record_terms``). Each pair keeps its best
identity by match weight (the first by name and date number on a tie), and the match
probability adds the model's prior.

The scores are kept from run to run with the model they were weighed by. A run that
counts no record (a night of cases alone, say) and weighs by that same model weighs
again only the pairs of the cases whose comparisons it changed: a search of new cases
against the history, with the last night's model, costs the new cases' pairs alone.
"""

from __future__ import annotations

from typing import NamedTuple

import duckdb
import polars as pl

from exitmatch.compare.levels import Comparison
from exitmatch.score.best import keep_best
from exitmatch.score.frequencies import ANY_NATIONALITY, MIN_GROUP
from exitmatch.score.model import MatchModel
from exitmatch.store.store import Store

# The store's table of every kept pair's best identity and score (``weigh``), kept from
# run to run, and the meta key naming the model it was weighed by.
SCORED = "scores"
SCORED_BY = "scores_model"
# Raised with any change to how a pair is weighed (the SQL below, ``score.best``): kept
# scores are reused only when weighed by the same model, version and DuckDB.
WEIGHING_VERSION = 1


class Weighed(NamedTuple):
    """What ``weigh`` did: how many pairs are scored in all, how many it weighed this
    time, and whether the kept scores of the other pairs stood (``kept``)."""

    compared: int
    weighed: int
    kept: bool


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
    store: Store,
    comparisons: tuple[Comparison, ...],
    model: MatchModel,
    *,
    changed: pl.Series | None = None,
) -> Weighed:
    """Score every kept pair into the ``scores`` table: what the candidate pairs' file
    shows of each pair (its case, its record's number, source and id, passes, weight and
    probability, and whether the record is an entry). ``decidable`` then brings in the
    pairs a decision can use.

    ``changed``, where given, says that the run counted no record, so that the term
    frequencies are those the kept scores were weighed against, and that the comparisons
    of only these cases changed since they were. A pair's score depends on its own
    comparisons, the frequencies and the model alone: where the kept scores are of this
    model, only the pairs of these cases are weighed again, and the table is the one
    weighing every pair would give."""
    model.check_against(comparisons)
    again = changed is not None and store.meta(SCORED_BY) == _weighed_by(model)
    cases = pl.DataFrame({"case_id": changed.unique() if changed is not None else []})
    with store.registered("__changed", cases.cast(pl.Utf8)):
        weighed: int | None = None  # every pair, where not told otherwise
        if again:
            weighed = _score_changed(store, comparisons, model)
        else:
            _score_pairs(store, comparisons, model)
    compared = int(str(store.scalar(f"SELECT count(*) FROM {SCORED}")))
    return Weighed(compared, compared if weighed is None else weighed, again)


def _weighed_by(model: MatchModel) -> str:
    """What the kept scores are noted as weighed by: the model, this way of weighing, and
    the DuckDB that computed them."""
    return f"{model.fingerprint()}/{WEIGHING_VERSION}/duckdb {duckdb.__version__}"


class Within(NamedTuple):
    """The cases a decision is made for (``case_ids``), and the probability at which
    another case's exit link puts one of theirs in doubt (``strong``)."""

    case_ids: pl.Series
    strong: float


def decidable(
    store: Store,
    comparisons: tuple[Comparison, ...],
    model: MatchModel,
    floor: float,
    within: Within | None = None,
) -> pl.DataFrame:
    """The pairs a decision can use, from the ``scores`` that ``weigh`` left: the exits
    at or above ``floor``, and every entry of a case with such an exit (an entry on a
    departure's own document counts however weakly it links), each weighed level by
    level again, with its best identity's levels, the weight of each, ``match_weight``
    and ``match_probability``.

    ``within``, where given, brings in those of its cases alone, and beside them every
    other case's strong exit links to the records theirs strongly link: what their
    ambiguity is judged against (``decide.bands.mark_ambiguity``).

    It follows ``weigh`` in the same transaction: it looks up the term frequencies of
    the records ``weigh`` did not (``record_tf``, made there), then drops them.
    """
    connection = store.connection
    cases = pl.DataFrame({"case_id": within.case_ids if within else []}, {"case_id": pl.Utf8})
    try:
        with store.registered("__deciding", cases):
            connection.execute(f"CREATE OR REPLACE TEMP TABLE __chosen AS {_chosen(floor, within)}")
        return _weighed_chosen(store, comparisons, model)
    finally:
        connection.execute("DROP TABLE IF EXISTS __chosen")
        connection.execute("DROP TABLE IF EXISTS record_tf")


def _chosen(floor: float, within: Within | None) -> str:
    """SQL for the pairs a decision can use (``decidable``), by their comparisons' keys."""
    keys = "case_id, seq, name_no, dob_no"
    mine = "case_id IN (SELECT case_id FROM __deciding)"
    chosen = f"""
        WITH exits AS (
            SELECT {keys}, match_probability FROM {SCORED}
            WHERE NOT entry AND match_probability >= {_double(floor)}
            {f"AND {mine}" if within else ""}
        )
        SELECT {keys} FROM exits
        UNION ALL
        SELECT {keys} FROM {SCORED} WHERE entry AND case_id IN (SELECT case_id FROM exits)
        """
    if within is None:
        return chosen
    strong = _double(within.strong)
    return f"""{chosen}
        UNION ALL
        SELECT {keys} FROM {SCORED}
        WHERE NOT entry AND match_probability >= {strong} AND NOT {mine}
          AND seq IN (SELECT seq FROM exits WHERE match_probability >= {strong})
        """


def _weighed_chosen(
    store: Store, comparisons: tuple[Comparison, ...], model: MatchModel
) -> pl.DataFrame:
    """The pairs in ``__chosen`` weighed level by level; the term frequencies of their
    records are looked up where not yet."""
    connection = store.connection
    missing = "SELECT DISTINCT seq FROM __chosen c ANTI JOIN record_tf t USING (seq)"
    connection.execute(f"INSERT INTO record_tf {_frequencies(missing)}")
    return store.frame(
        f"""
        WITH picked AS (
            SELECT v.* FROM vectors v SEMI JOIN __chosen c ON c.case_id = v.case_id
                AND c.seq = v.seq AND c.name_no = v.name_no AND c.dob_no = v.dob_no
        ),
        {_weighed("picked", comparisons, model)}
        SELECT * FROM weighed ORDER BY case_id, seq
        """
    )


def _score_pairs(store: Store, comparisons: tuple[Comparison, ...], model: MatchModel) -> None:
    """Make the ``scores`` table afresh: each kept pair's best identity (``score.best``)
    with its match probability, noted as weighed by ``model``."""
    connection = store.connection
    seqs = "SELECT DISTINCT seq FROM vectors"
    connection.execute(f"CREATE OR REPLACE TEMP TABLE record_tf AS {_frequencies(seqs)}")
    _keep_best(connection, SCORED, "vectors", comparisons, model, temporary=False)
    store.set_meta(SCORED_BY, _weighed_by(model))


def _score_changed(store: Store, comparisons: tuple[Comparison, ...], model: MatchModel) -> int:
    """Weigh again the pairs of the cases in ``__changed`` into the ``scores`` table, in
    place of theirs; how many pairs."""
    connection = store.connection
    source = "(SELECT * FROM vectors SEMI JOIN __changed USING (case_id))"
    seqs = f"SELECT DISTINCT seq FROM {source}"
    connection.execute(f"CREATE OR REPLACE TEMP TABLE record_tf AS {_frequencies(seqs)}")
    _keep_best(connection, "__rescored", source, comparisons, model, temporary=True)
    connection.execute(f"DELETE FROM {SCORED} WHERE case_id IN (SELECT case_id FROM __changed)")
    connection.execute(f"INSERT INTO {SCORED} BY NAME SELECT * FROM __rescored")
    weighed = int(str(store.scalar("SELECT count(*) FROM __rescored")))
    connection.execute("DROP TABLE __rescored")
    return weighed


def _keep_best(
    connection: duckdb.DuckDBPyConnection,
    into: str,
    source: str,
    comparisons: tuple[Comparison, ...],
    model: MatchModel,
    *,
    temporary: bool,
) -> None:
    """The table ``into``: each pair of ``source`` with its best identity, match
    probability, and its record's source and id (by which the candidate pairs' file is
    ordered and read)."""
    keep_best(
        connection,
        into,
        source,
        lambda pairs: _weighed(pairs, comparisons, model),
        f"{_probability(model)} AS match_probability, r.kind AS source, r.record_id",
        join="JOIN compared_records r ON r.seq = b.seq",
        temporary=temporary,
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


def _frequencies(seqs: str) -> str:
    """SQL for the term frequencies of the compared records ``seqs`` (a query of their
    numbers), from the kept counts: the shares of each one's nationality (where it has
    ``MIN_GROUP`` records; of all records otherwise) carrying its surname and first given
    name, read either way round, and the share of all records born on its date. A value
    never counted gets the share of one record."""
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
            SEMI JOIN ({seqs}) v ON v.seq = t.seq
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
