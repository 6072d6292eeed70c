"""A reconciliation run against the store: the one code path of nightly and streaming runs.

Use ``run_reconcile`` with the files that arrived. In one store transaction it ingests the
files it has not seen (by content digest), upserts the cases and appends the records,
compares what is new (new records against every case, new or changed cases against the
whole retained history), trains on and weighs every kept comparison in the store against
today's term counts (or, where it counts no record and is given the model the kept scores
were weighed by, weighs only the changed cases' pairs: ``score.stored.weigh``), and
decides on the pairs that can matter (after such a night, for the cases it touches alone,
keeping the others' decisions: ``store.decided``). Only after the commit are
the output files replaced, each atomically, from what the store now holds: a run killed at
any point leaves either the old state or the new one, and running again converges on the
same outputs.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from exitmatch import __version__
from exitmatch.block.passes import (
    NightKeys,
    Pass,
    case_keys,
    lost_pairs,
    pairs_from_keys,
    record_keys,
)
from exitmatch.compare.vectors import comparisons
from exitmatch.contract.codes import Source
from exitmatch.contract.outputs import RunReport
from exitmatch.decide.outcomes import Outcomes, combined, decide, of_cases, readable_floor
from exitmatch.errors import ContractError
from exitmatch.ingest.load import Ingested, ingest
from exitmatch.link import (
    MATCH_LAYOUT,
    Linked,
    Population,
    case_search_keys,
    case_side,
    compared_terms,
    linked_from_store,
    population,
    random_comparisons,
    records_of_pairs,
    sample_size,
    stable_keyed,
    train,
    vectors_for,
)
from exitmatch.normalize.features import travel_records
from exitmatch.normalize.transliterate import prepare as prepare_romanisation
from exitmatch.output.files import write_json
from exitmatch.output.results import write_results
from exitmatch.score.frequencies import TermCounts
from exitmatch.score.model import MatchModel
from exitmatch.score.stored import Within, count_patterns, decidable, weigh
from exitmatch.settings import Settings
from exitmatch.store.background import BackgroundWrites
from exitmatch.store.comparisons import (
    broad_keys_of,
    broad_suspects,
    clear_pass,
    cleared_before,
    replace_comparisons,
)
from exitmatch.store.decided import (
    Scope,
    kept_outcomes_but,
    scope,
    store_outcomes,
    strong_records,
)
from exitmatch.store.history import (
    compared_records,
    known_record_ids,
    load_term_counts,
    needed_records,
    no_record_keys,
    no_records,
    replace_term_counts,
    retained_sample,
    sampled_records,
)
from exitmatch.store.rejections import standing_rejections
from exitmatch.store.state import (
    changed_cases,
    common_before_night,
    common_cap_raised,
    count_common,
    forget_matching,
    ingested_digests,
    known_common_keys,
    layout_changed,
    load_cases,
    load_records,
    matching_record_keys,
    note_common,
    number_records,
    record_run,
    remember_files,
    remember_layout,
    store_record_keys,
    store_records,
    stored_key_count,
    upsert_cases,
)
from exitmatch.store.store import Store

STORE_FILE = "exitmatch.duckdb"

# New records normalised, keyed and compared at a time: bounds the memory of a night's
# population, blocking keys (about 16 a record) and comparisons whatever its size.
RECORD_SLICE = 1_000_000

# The column that marks a slice's records to be counted, keyed and compared (``_slices``).
FRESH = "__fresh"


@dataclass
class Received:
    """What a run took in: ingestion results per source, and what is new."""

    run_id: int
    loaded: dict[Source, Ingested]
    changed_cases: pl.Series
    # This run's records and the retained ones it needs, until the population takes them
    # (``take_records``); how many are new, and the first of their numbers (``seq``).
    new_records: pl.DataFrame
    history: pl.DataFrame
    new_count: int
    first_new_seq: int
    # Every case.
    cases: pl.DataFrame
    # The store's blocking keys are to be rebuilt whole (none yet, or another layout):
    # every retained record is read, and counted again.
    rekey: bool
    # The term counts of the retained records before this run (None where they are
    # counted again), the records drawn for u (``seq``), and the retained records' keys
    # that the new or changed cases share.
    counted: TermCounts | None
    sampled: pl.Series
    history_keys: pl.DataFrame
    # The night's broadest-pass keys, counted as its slices are keyed, against the keys
    # common before it.
    night: NightKeys
    # The store's writes under way in the background (the new records first): nothing
    # else may use the store until they are done (``stored``).
    writes: BackgroundWrites
    # How many records the store held before the run (the history read may be none).
    kept_records: int

    def stored(self) -> None:
        self.writes.wait()

    def is_new(self) -> pl.Expr:
        """Whether a record (by ``seq``) arrived in this run."""
        return (pl.col("seq") >= self.first_new_seq) if self.new_count else pl.lit(False)

    def take_records(self) -> pl.DataFrame:
        """The records the run works on: the retained ones it read from the store, then
        this run's (the same rows and types as reading them back). The frames are let go,
        so that a night's records are not held twice."""
        history = self.history
        new = self.new_records.select(
            pl.col(name).cast(dtype) for name, dtype in history.schema.items()
        )
        self.history, self.new_records = history.clear(), self.new_records.clear()
        return pl.concat([history, new])


@dataclass(frozen=True)
class Found:
    """What blocking found: the pairs not compared before, the cases whose kept
    comparisons they replace, and every case's keys."""

    pairs: pl.DataFrame
    changed: pl.Series
    case_keys: pl.DataFrame


def run_reconcile(
    inputs: Mapping[Source, Sequence[Path]],
    out: Path,
    settings: Settings,
    model: MatchModel | None = None,
    *,
    db: Path | str | None = None,
    wait_s: float = 0.0,
    store_memory_gb: float | None = None,
    command: str = "reconcile",
    progress: Callable[[str], None] | None = None,
) -> RunReport:
    """Take in the files given, reconcile, and write every output into ``out``.

    ``db`` is the store (default ``out/exitmatch.duckdb``; ``:memory:`` for none kept);
    ``store_memory_gb`` bounds the memory DuckDB takes (``Store.open``). ``progress`` is
    told each stage as it starts, for a display.
    """
    stage = progress or (lambda _: None)
    started_at = datetime.now(UTC)
    path = db if db is not None else out / STORE_FILE
    with Store.open(path, wait_s=wait_s, memory_gb=store_memory_gb) as store:
        run_id = store.next_run_id()
        timings: dict[str, float] = {}
        clock = time.perf_counter()
        with store.transaction():
            stage("reading and checking the files")
            received = _receive(store, inputs, run_id, settings, training=model is None)
            try:
                timings["read"] = round(time.perf_counter() - clock, 3)
                if received.cases.is_empty():
                    raise ContractError("the store holds no removal cases yet: give --inventory")
                if not received.kept_records and received.new_records.is_empty():
                    raise ContractError("the store holds no exit records yet: give --land or --air")
                linked, deciding = _link(store, received, settings, model, timings, stage)
            finally:
                received.stored()  # before the transaction ends, whatever happened
            clock = time.perf_counter()
            stage("deciding (IRPR 240(3))")
            outcomes = _decide(store, linked, settings, deciding)
            timings["decide"] = round(time.perf_counter() - clock, 3)
            report = _report(run_id, store, received, linked, outcomes, settings, timings, deciding)
            report = report.model_copy(update={"command": command, "started_at": started_at})
            record_run(store, run_id, report, linked.model, outcomes)
            stage("committing to the store")
            clock = time.perf_counter()
        report.timings_s["commit"] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
        stage("writing the outputs")
        written = write_results(out, store, linked.model, outcomes)
        report.timings_s["write"] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
        stage("merging the runs of blocking keys")
        store.key_runs.compact()
        report.timings_s["merge_keys"] = round(time.perf_counter() - clock, 3)
        report = report.model_copy(update={"outputs": written})
    write_json(report, out / "run_report.json")
    return report


# The sources of a run, read and checked two at a time.
_READING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="exitmatch-read")

# The random comparisons behind u, computed while the candidate pairs are found.
_SAMPLING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="exitmatch-sample")

# The accepted rows' name columns, of every source.
_NAME_COLUMNS = ("surname", "given_names", "given_name", "middle_names", "aliases")


def _receive(
    store: Store,
    inputs: Mapping[Source, Sequence[Path]],
    run_id: int,
    settings: Settings,
    *,
    training: bool,
) -> Received:
    """Take in the files, keep what is new, and read the history the run needs: the
    records the new or changed cases share a key with, and where the run trains
    (``training``), every record drawn for u."""
    skip = ingested_digests(store)
    kept_records = int(str(store.scalar("SELECT count(*) FROM records")))
    asking = threading.Lock()  # the store answers one source at a time

    def known_ids(source: Source, ids: pl.Series) -> pl.Series:
        with asking:
            return known_record_ids(store, source, ids)

    # The sources are read and checked side by side: one alone leaves a core idle for
    # much of it. Their results are taken in the order given.
    reading = {
        source: _READING.submit(
            ingest,
            source,
            paths,
            # A store that holds no record has received none of these before.
            known=(
                None
                if source is Source.INVENTORY or not kept_records
                else functools.partial(known_ids, source)
            ),
            skip=skip,
        )
        for source, paths in inputs.items()
    }
    loaded = {source: future.result() for source, future in reading.items()}
    remember_files(store, loaded.values(), run_id)
    prepare_romanisation(
        result.frame[column]
        for result in loaded.values()
        for column in _NAME_COLUMNS
        if column in result.frame.columns
    )
    changed = pl.Series("case_id", [], dtype=pl.Utf8)
    if Source.INVENTORY in loaded:
        # Files are read in order: a case's row in a later file is an update, as it would
        # be on a later night.
        cases = loaded[Source.INVENTORY].frame.unique("case_id", keep="last", maintain_order=True)
        changed = changed_cases(store, cases)
        upsert_cases(store, cases, run_id)

    def frame(source: Source) -> pl.DataFrame | None:
        return loaded[source].frame if source in loaded else None

    travel = [frame(s) for s in (Source.LAND, Source.AIR, Source.ENTRIES)]
    new_records = number_records(
        store,
        travel_records(*travel) if any(f is not None for f in travel) else no_records(store),
    )
    # The rows are in new_records now; only the counts are still needed.
    counts_only = {source: _counts_only(result) for source, result in loaded.items()}
    cases = load_cases(store)
    rekey = (
        layout_changed(store, MATCH_LAYOUT)
        or stored_key_count(store) == 0
        or common_cap_raised(store, settings.block_cap)
    )
    # Numbered in order from the first (``number_records``).
    first_new_seq = int(new_records.item(0, "seq")) if new_records.height else 0
    sampled = sampled_records(store, new_records, sample_size(settings), settings.seed)
    if rekey:
        history, history_keys, counted = load_records(store), no_record_keys(store), None
    else:
        searched = cases.filter(pl.col("case_id").is_in(changed.implode()))
        history_keys = no_record_keys(store)
        if searched.height:
            wanted = case_search_keys(searched, settings)
            history_keys = matching_record_keys(store, wanted, known_common_keys(store))
        found_seqs = history_keys["seq"].unique()
        if training:
            # Records the cases found that were not drawn for u, and those that were.
            not_drawn = found_seqs.filter(~found_seqs.is_in(sampled.implode()))
            history = pl.concat(
                [
                    needed_records(store, not_drawn),
                    retained_sample(store, first_new_seq if new_records.height else None),
                ]
            ).sort("kind", "record_id")
        else:
            history = needed_records(store, found_seqs)
        counted = load_term_counts(store)
    # What blocking needs of the store is taken now, before the store writes anything in
    # the background: blocking then never waits for those writes. A store re-keyed whole
    # forgets its keys and comparisons first.
    if rekey:
        forget_matching(store)
    remember_layout(store, MATCH_LAYOUT)
    night = NightKeys(common_before_night(store, settings.block_cap), settings.block_cap)
    # The store writes the new records while names are normalised and keyed.
    writes = BackgroundWrites()
    writes.submit(store_records, store, new_records, run_id)
    return Received(
        run_id,
        counts_only,
        changed,
        new_records,
        history,
        new_records.height,
        first_new_seq,
        cases,
        rekey,
        counted,
        sampled,
        history_keys,
        night,
        writes,
        kept_records,
    )


def _counts_only(result: Ingested) -> Ingested:
    return dataclasses.replace(
        result,
        frame=result.frame.clear(),
        quarantine=result.quarantine.clear(),
        issues=result.issues.clear(),
    )


def _link(
    store: Store,
    received: Received,
    settings: Settings,
    model: MatchModel | None,
    timings: dict[str, float],
    stage: Callable[[str], None],
) -> tuple[Linked, Deciding]:
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(timings.get(stage, 0.0) + now - clock, 3)
        clock = now

    cases = case_side(received.cases)
    sampling = None
    counted = received.counted
    every_case: pl.DataFrame | None = None
    for first, part in _slices(received, received.take_records()):
        stage(f"normalising names, dates and documents ({part.height:,} records)")
        # Each record is counted, keyed and compared once: in the slice it is fresh in.
        people = population(cases, part, counted, pl.col(FRESH))
        counted = people.counts
        if first and model is None:
            # u's random comparisons need only this population (it holds the records
            # drawn for u): computed meanwhile.
            sampling = _SAMPLING.submit(random_comparisons, people, received.sampled, settings)
        lap("normalise")
        stage("blocking")
        found = _new_pairs(store, people, received, settings, first=first, every_case=every_case)
        every_case = found.case_keys  # keys of names' text forms: the same for every slice
        lap("block")
        stage(f"comparing {found.pairs.height:,} new candidate pairs")
        fresh = vectors_for(people, found.pairs)
        # The store's copy is put under stable keys on the writer's thread.
        received.writes.submit(_store_vectors, store, people, found.changed, fresh)
        lap("compare")
    if received.counted is None or received.new_count:
        # A night of cases alone counts no record: the kept counts stand as they are.
        received.writes.submit(replace_term_counts, store, people.counts)
    received.stored()  # every comparison is in the store from here on
    broad = int(Pass.ONE_NAME_YEAR)
    if received.kept_records:
        newly_common = count_common(store, settings.block_cap, received.night.not_known())
    else:  # in a store that held no record, the night's counts of its keys are the store's
        newly_common = note_common(store, received.night.crowded())
    lost = _clear_lost_pairs(store, people, found.case_keys, newly_common, broad)
    lap("compare")
    if sampling is not None:
        stage("training the model (u from random pairs, m by EM)")
        patterns = count_patterns(store, comparisons())
        model = train(people, patterns, settings, sampling.result())
        lap("train")
    assert model is not None  # given, or trained just above
    stage("scoring every comparison in the store")
    # A run that counts no record changes the comparisons of its changed cases and of
    # those whose pairs lost a pass, and no others: the kept scores of the rest stand.
    counts_kept = not received.new_count and not received.rekey
    changed = pl.concat([received.changed_cases, lost["case_id"]]) if counts_kept else None
    strong = settings.thresholds.strong
    # The records the cases weighed again linked strongly to: their rivals there are
    # decided again, as these links may be gone.
    weighed_cases = changed if changed is not None else received.changed_cases.clear()
    before = strong_records(store, weighed_cases, strong)
    weighed = weigh(store, comparisons(), model, changed=changed)
    rejected = standing_rejections(store)
    in_scope = scope(
        store,
        settings,
        rejected,
        kept_scores=weighed.kept,
        weighed=weighed_cases,
        linked_before=before,
    )
    within = None if in_scope.case_ids is None else Within(in_scope.case_ids, strong)
    pairs = decidable(store, comparisons(), model, readable_floor(settings), within)
    records = compared_records(store, pairs["seq"].unique())
    result = linked_from_store(people, pairs, records, model, weighed.compared, weighed.weighed)
    lap("score")
    return dataclasses.replace(result, timings_s=timings), Deciding(in_scope, rejected)


@dataclass(frozen=True)
class Deciding:
    """The cases a run decides (``store.decided``), and the pairs an officer rejected
    that stand."""

    scope: Scope
    rejected: pl.DataFrame


def _decide(store: Store, linked: Linked, settings: Settings, deciding: Deciding) -> Outcomes:
    """Decide the cases in scope, keep their rows, and give every case's: the kept rows
    of those out of scope beside them."""
    decided = decide(linked, settings, rejected=deciding.rejected)
    case_ids = deciding.scope.case_ids
    if case_ids is not None:  # the other cases linked beside them are decided elsewhere
        decided = of_cases(decided, case_ids)
    store_outcomes(store, settings, decided, deciding.scope)
    return decided if case_ids is None else combined(kept_outcomes_but(store, case_ids), decided)


def _slices(received: Received, records: pl.DataFrame) -> Iterator[tuple[bool, pl.DataFrame]]:
    """The records a run works on, ``RECORD_SLICE`` new records at a time (every record,
    when re-keying), each slice with whether it is the first and its records marked
    ``FRESH`` (to be counted, keyed and compared). The first slice also holds, not fresh,
    the retained records the run read and every record drawn for u."""
    fresh = pl.lit(True) if received.rekey else received.is_new()
    new = records.filter(fresh)
    for start in range(0, max(new.height, 1), RECORD_SLICE):
        part = new.slice(start, RECORD_SLICE).with_columns(pl.lit(True).alias(FRESH))
        if start == 0:
            others = records.filter(~fresh) if not received.rekey else records.clear()
            drawn = new.join(received.sampled.to_frame("seq"), on="seq", how="semi").join(
                part.select("seq"), on="seq", how="anti"
            )
            extra = pl.concat([others, drawn]).with_columns(pl.lit(False).alias(FRESH))
            # The slice first: on a first night, the whole is then in order already.
            yield True, pl.concat([part, extra])
        else:
            yield False, part


def _store_vectors(
    store: Store, people: Population, changed: pl.Series, fresh: pl.DataFrame
) -> None:
    compared = records_of_pairs(people, fresh)
    terms = compared_terms(people, compared)
    replace_comparisons(store, changed, stable_keyed(people, fresh), terms, compared)


def _clear_lost_pairs(
    store: Store, people: Population, case_keys: pl.DataFrame, newly_common: pl.Series, broad: int
) -> pl.DataFrame:
    """Take the broadest pass from the kept pairs blocking today would no longer find by
    it (``block.passes.lost_pairs``): those of the keys that became common with this run,
    or of every common key where the store's were never cleared. Returns those pairs
    (case_id, seq)."""
    common = known_common_keys(store)
    keys = newly_common if cleared_before(store) else common
    suspects = broad_suspects(store, broad, keys)
    lost = suspects
    if not suspects.is_empty():
        kept_keys = broad_keys_of(store, broad, suspects["seq"])
        by_case = suspects.join(people.cases.select("case_id", "case_idx"), on="case_id")
        lost = lost_pairs(by_case, case_keys, kept_keys, common)
    clear_pass(store, lost, broad)
    return lost


def _new_pairs(
    store: Store,
    people: Population,
    received: Received,
    settings: Settings,
    *,
    first: bool,
    every_case: pl.DataFrame | None,
) -> Found:
    """Pairs not compared before in a slice of the run's records, and what else blocking
    knows (``Found``).

    New records are keyed, kept, and blocked against every case in memory; new or changed
    cases are blocked (with the first slice) against the kept keys of the whole history
    in the store. A store whose keys were made by another matching layout (or has none
    yet) is re-keyed whole. The history's keys were read before the run wrote any.
    ``every_case`` are the cases' keys, where an earlier slice made them (none for the
    first). The store is not used here: its writes go on in the background meanwhile,
    this slice's keys queued behind them.
    """
    fresh = people.records.filter(FRESH)
    changed = received.changed_cases.clear()
    if first:
        changed = people.cases["case_id"] if received.rekey else received.changed_cases
    broad = int(Pass.ONE_NAME_YEAR)
    # The common keys are counted with the night's broadest-pass keys so far. A key that
    # becomes common with a later slice, or with the records kept before, takes that pass
    # from the pairs it found before (``lost_pairs``, once the night is kept).
    keys = record_keys(fresh)
    if every_case is None:
        every_case = case_keys(people.identities, broad_years=settings.broad_years)
    common = received.night.add(keys)
    by_seq = people.records.select("rec", "seq")
    found = []
    if first and not received.rekey and not changed.is_empty():
        # The retained records the changed cases share a key with (read with the history).
        changed_idx = people.cases.filter(pl.col("case_id").is_in(changed.implode()))["case_idx"]
        wanted = every_case.filter(pl.col("case_idx").is_in(changed_idx.implode()))
        history = received.history_keys.join(by_seq, on="seq")
        found.append(
            pairs_from_keys(wanted, history.select("rec", "pass_bit", "key", "no_year"), common)
        )
    found.append(pairs_from_keys(every_case, keys, common))
    received.writes.submit(store_record_keys, store, keys, people.records, broad)
    pairs = (
        pl.concat(found)
        .group_by("case_idx", "rec")
        .agg(pl.col("passes").bitwise_or())
        .sort("case_idx", "rec")
    )
    return Found(pairs, changed, every_case)


def _report(
    run_id: int,
    store: Store,
    received: Received,
    linked: Linked,
    outcomes: Outcomes,
    settings: Settings,
    timings: dict[str, float],
    deciding: Deciding,
) -> RunReport:
    sources = [result.counts() for result in received.loaded.values()]
    return RunReport(
        exitmatch_version=__version__,
        command="reconcile",
        started_at=datetime.now(UTC),
        sources=sources,
        unreadable_files=sum(1 for s in sources for f in s.files if f.error),
        bands={
            band: int((outcomes.closures["band"] == band).sum())
            for band in ("confirmed", "probable", "possible")
        },
        timings_s=timings,
        settings_fingerprint=settings.fingerprint(),
        model_fingerprint=linked.model.fingerprint(),
        settings=settings.model_dump(mode="json"),
        store={
            "path": store.path,
            "run_id": run_id,
            "cases": int(str(store.scalar("SELECT count(*) FROM cases"))),
            "records": int(str(store.scalar("SELECT count(*) FROM records"))),
            "compared_pairs": linked.compared,
            "weighed_pairs": linked.weighed,
            "new_records": received.new_count,
            "new_or_changed_cases": received.changed_cases.len(),
            "decided_cases": (
                received.cases.height
                if deciding.scope.case_ids is None
                else deciding.scope.case_ids.len()
            ),
        },
    )
