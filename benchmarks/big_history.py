"""A history of up to 100 million records, built night by night from Parquet, and what a
night costs against it.

Scenario: chunk 0 is a synthetic night from ``exitmatch synth`` (``--cases`` subjects and
``--chunk`` ordinary travellers, seed 0); chunks 1 to K-1 are ordinary travellers alone
(seeds 1 to K-1), their record ids prefixed with the chunk's number so that they stay
unique. K is as many chunks as it takes to reach ``--records``. Each chunk is written once as
Parquet into ``--data-dir`` and reused. Night 1 delivers the inventory but its last
``--new`` cases, with chunk 0; night k+1 delivers chunk k; the last night delivers only
the held-back cases, searched against the whole history. Each night is ``exitmatch
reconcile`` in its own process against one store (``--out``, DuckDB's memory bounded by
``--store-memory``); nights already run there are not run again (``progress.jsonl``), so
a long build can be resumed, and the search night runs only with ``--search`` (once the
machine is quiet). Per night it prints

    BIG_HISTORY night=N kept_records=.. new_records=.. new_cases=.. wall_s=..
        peak_rss_mb=.. store_gb=..

(``kept_records``: the store's records before the night) and, after the last night, one
``TARGET`` line for each of the throughput issue's two history targets: every night's
peak memory at most 4 GB as the history grows to the size built, and the held-back
cases searched in at most 10 s, with the recall of their expected closures.

``--search-again N`` runs the search night N more times on a store built so, each time
taken back first to where it stood before it (the held-back cases, their comparisons,
scores, candidates and alerts, and the ledger entry of their file deleted), so that a
later version's search is measured on the same history without building it again. Each
run prints a ``BIG_HISTORY_SEARCH`` line with its stages, and each ``TARGET`` line is the
median run's. ``--search-by`` says how the search night weighs: ``retrain`` (the model
trained again on every kept comparison, as any night without ``--model``),
``last-model`` (``--model`` with the model of the last night that brought records, as
the store keeps it: the kept scores stand and only the new cases' pairs are weighed;
before each timed run, one untimed run by that model leaves the kept scores as the last
night would have, and is taken back) or ``both``, in turn, with a ``BIG_HISTORY_RATIO``
line for the two. With ``--baseline SRC`` (the ``src`` folder of another checkout, one
that keeps the same store layout) each run is also made by that code, in turn, and a
``BIG_HISTORY_RATIO`` line gives the ratio of the median wall times. ``--decide-every``
also runs the search by the last model with the store's kept decisions set aside
(``store.decided``: every case decided, as before they were kept), in turn, with a
``BIG_HISTORY_RATIO`` line against the search that decides only the cases it touches.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from history_search import recall_of, timed_run

SOURCES = ("land", "air", "entries")
MEMORY_TARGET_MB = 4 * 1024
SEARCH_TARGET_S = 10.0


def chunk(root: Path, number: int, cases: int, travellers: int) -> Path:
    """Chunk ``number``'s files (generated the first time they are asked for)."""
    folder = root / f"chunk{number:03d}_s{cases}_t{travellers}"
    if (folder / "done").exists():
        return folder
    from exitmatch.synth.config import SynthConfig
    from exitmatch.synth.generate import generate

    config = SynthConfig(
        subjects=cases if number == 0 else 0, travellers=travellers, seed=number, format="parquet"
    )
    generate(config, folder)
    if number:
        for source in SOURCES:
            path = folder / f"{source}.parquet"
            if path.exists():
                frame = pl.read_parquet(path)
                prefixed = pl.format("c{}-{}", pl.lit(number), pl.col("record_id"))
                frame.with_columns(record_id=prefixed).write_parquet(path)
        (folder / "inventory.parquet").unlink(missing_ok=True)
    (folder / "done").touch()
    return folder


def reconcile(out: Path, memory: float, inventory: Path | None, folder: Path | None) -> list[str]:
    argv = [sys.executable, "-m", "exitmatch", "reconcile", "--out", str(out)]
    argv += ["--store-memory", str(memory)]
    if inventory is not None:
        argv += ["--inventory", str(inventory)]
    if folder is not None:
        for source in SOURCES:
            if (folder / f"{source}.parquet").exists():
                argv += [f"--{source}", str(folder / f"{source}.parquet")]
    return argv


def store_figures(out: Path) -> dict[str, Any]:
    report = json.loads((out / "run_report.json").read_text())
    store = report["store"]
    return {
        "kept_records": store["records"] - store["new_records"],
        "new_records": store["new_records"],
        "new_cases": store["new_or_changed_cases"],
        "store_gb": _size(out / "exitmatch.duckdb") / 2**30,
    }


def _size(store: Path) -> int:
    """Bytes of the store's file and of its blocking keys' runs beside it."""
    keys = Path(f"{store}.keys")
    runs = sum(path.stat().st_size for path in keys.iterdir()) if keys.exists() else 0
    return store.stat().st_size + runs


def rewind(out: Path, held_back: pl.DataFrame, inventory: Path) -> None:
    """Take the store in ``out`` back to where it stood before the search night."""
    import duckdb

    digest = hashlib.sha256(inventory.read_bytes()).hexdigest()
    connection = duckdb.connect(str(out / "exitmatch.duckdb"))
    try:
        connection.register("__held", held_back.select("case_id").to_arrow())
        tables = ["cases", "vectors", "candidates", "alerts"]
        kept = connection.execute("SELECT table_name FROM information_schema.tables").fetchall()
        tables += [name for (name,) in kept if name == "scores"]  # layout 10 on
        tables += [name for (name,) in kept if name.startswith("decided_")]  # layout 12 on
        for table in tables:
            connection.execute(f"DELETE FROM {table} WHERE case_id IN (SELECT case_id FROM __held)")
        connection.execute("DELETE FROM ledger WHERE sha256 = ?", [digest])
        # The held-back file's rows set aside or flagged, read again by the next run.
        for table in ("quarantine", "data_issues"):
            connection.execute(f"DELETE FROM {table} WHERE file = ?", [str(inventory)])
        connection.execute("CHECKPOINT")
    finally:
        connection.close()


def forget_decisions(out: Path) -> None:
    """Set aside the store's kept decisions: its next run decides every case."""
    import duckdb

    from exitmatch.store.decided import DECIDED_BY

    connection = duckdb.connect(str(out / "exitmatch.duckdb"))
    try:
        connection.execute("DELETE FROM meta WHERE key = ?", [DECIDED_BY])
    finally:
        connection.close()


def last_night_model(out: Path) -> Path:
    """The model of the last night that brought records, as the store keeps it, written
    beside the store: what a search of new cases by the last night's model is given."""
    import duckdb

    connection = duckdb.connect(str(out / "exitmatch.duckdb"), read_only=True)
    try:
        row = connection.execute(
            """SELECT m.model FROM models m JOIN runs r USING (run_id)
            WHERE (r.report->'store'->>'new_records')::BIGINT > 0
            ORDER BY run_id DESC LIMIT 1"""
        ).fetchone()
    finally:
        connection.close()
    if row is None:
        raise SystemExit(f"{out}: no night with records to take a model from")
    path = out / "last_night_model.json"
    path.write_text(str(row[0]))
    return path


@dataclass(frozen=True)
class Way:
    """One way of running the search night: whose code (``env``), with what more
    arguments, and whether the store's kept scores are first made by its model, as the
    night before would have left them (``primed``)."""

    env: dict[str, str] | None = None
    extra: tuple[str, ...] = ()
    primed: bool = False
    # Whether the store's kept decisions are set aside, so that every case is decided.
    decide_every: bool = False


def search_again(args: argparse.Namespace, held_back: pl.DataFrame, first: Path) -> int:
    """The search night, ``args.search_again`` times on the history built (``rewind``),
    in each of the ways asked for, one after the other."""
    last = args.out / "inventory_last.parquet"
    ways: dict[str, Way] = {}
    if args.baseline is not None:
        ways["baseline"] = Way(env=os.environ | {"PYTHONPATH": str(args.baseline.resolve())})
    if args.search_by in ("retrain", "both"):
        ways["this"] = Way()
    if args.search_by in ("last-model", "both"):
        model = ("--model", str(last_night_model(args.out)))
        ways["last_model"] = Way(extra=model, primed=True)
        if args.decide_every:
            ways["decide_every"] = Way(extra=model, primed=True, decide_every=True)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in ways}
    for number in range(1, args.search_again + 1):
        for name, way in ways.items():
            argv = reconcile(args.out, args.store_memory, last, None) + list(way.extra)
            rewind(args.out, held_back, last)
            if way.primed:
                # The history's scores as the last night, by this code, would have kept
                # them: weighed by its model (the held-back cases' own are taken back).
                timed_run(argv, way.env)
                rewind(args.out, held_back, last)
            if way.decide_every:
                forget_decisions(args.out)
            figures = timed_run(argv, way.env)
            report = json.loads((args.out / "run_report.json").read_text())
            figures |= store_figures(args.out) | {"recall": recall_of(held_back, first, args.out)}
            stages = " ".join(f"{k}_s={v:.2f}" for k, v in report["timings_s"].items())
            print(
                f"BIG_HISTORY_SEARCH run={number} code={name} "
                f"history_records={figures['kept_records']} "
                f"new_cases={figures['new_cases']} wall_s={figures['wall_s']:.2f} "
                f"peak_rss_mb={figures['peak_rss_mb']:.0f} {stages} "
                f"weighed_pairs={report['store'].get('weighed_pairs', 'all')} "
                f"decided_cases={report['store'].get('decided_cases', 'all')} "
                f"recall_new={figures['recall']:.4f}",
                flush=True,
            )
            runs[name].append(figures)
    walls = {name: statistics.median(run["wall_s"] for run in done) for name, done in runs.items()}
    history = next(iter(runs.values()))[0]["kept_records"]
    pairs = (("baseline", "this"), ("this", "last_model"), ("decide_every", "last_model"))
    for other, mine in pairs:
        if other in walls and mine in walls:
            print(
                f"BIG_HISTORY_RATIO history_records={history} compared={other}/{mine} "
                f"{other}_wall_s={walls[other]:.2f} {mine}_wall_s={walls[mine]:.2f} "
                f"speedup={walls[other] / walls[mine]:.2f}"
            )
    for name, target in (("this", "new_cases_search"), ("last_model", "new_cases_search_by_model")):
        if name in walls:
            print(
                f"TARGET name={target} history_records={history} "
                f"new_cases={runs[name][0]['new_cases']} wall_s={walls[name]:.2f} "
                f"target_s={SEARCH_TARGET_S} recall_new={runs[name][0]['recall']:.4f} "
                f"met={walls[name] <= SEARCH_TARGET_S and history >= 1e8}"
            )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=float, default=1e8, help="history to build")
    parser.add_argument("--chunk", type=float, default=5e6, help="travellers a night")
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--new", type=int, default=1_000, help="cases held back for the last")
    parser.add_argument("--data-dir", type=Path, required=True, help="chunks, kept and reused")
    parser.add_argument("--out", type=Path, required=True, help="the store and outputs")
    parser.add_argument("--store-memory", type=float, default=1.0, help="GB for DuckDB")
    parser.add_argument("--search", action="store_true", help="run the search night too")
    parser.add_argument(
        "--search-again", type=int, default=0, help="run the search night again N times"
    )
    parser.add_argument(
        "--baseline", type=Path, default=None, help="another checkout's src, run alternately"
    )
    parser.add_argument(
        "--decide-every",
        action="store_true",
        help="also search by the last model deciding every case, for the ratio",
    )
    parser.add_argument(
        "--search-by",
        choices=("retrain", "last-model", "both"),
        default="retrain",
        help="search nights that retrain, that weigh by the last night's model, or both",
    )
    args = parser.parse_args(argv)
    travellers = int(args.chunk)
    first = chunk(args.data_dir, 0, args.cases, travellers)
    per_chunk = sum(
        pl.scan_parquet(first / f"{s}.parquet").select(pl.len()).collect().item()
        for s in SOURCES
        if (first / f"{s}.parquet").exists()
    )
    chunks = max(1, math.ceil(args.records / per_chunk))
    inventory = pl.read_parquet(first / "inventory.parquet")
    held_back = inventory.tail(args.new)
    if args.search_again:
        return search_again(args, held_back, first)
    args.out.mkdir(parents=True, exist_ok=True)
    night1, last = args.out / "inventory_night1.parquet", args.out / "inventory_last.parquet"
    inventory.head(inventory.height - args.new).write_parquet(night1)
    held_back.write_parquet(last)
    progress = args.out / "progress.jsonl"
    lines = progress.read_text().splitlines() if progress.exists() else []
    done = [json.loads(line) for line in lines]
    nights = [(night1, first)] + [(None, None)] * (chunks - 1)
    nights += [(last, None)] if args.search else []
    for number, (cases, folder) in enumerate(nights, start=1):
        if number <= len(done):
            figures = done[number - 1]
        else:
            if 1 < number <= chunks:
                folder = chunk(args.data_dir, number - 1, 0, travellers)
            argv = reconcile(args.out, args.store_memory, cases, folder)
            figures = timed_run(argv) | store_figures(args.out)
            figures["night"] = number
            with progress.open("a") as handle:
                handle.write(json.dumps(figures) + "\n")
        print(
            f"BIG_HISTORY night={figures['night']} kept_records={figures['kept_records']} "
            f"new_records={figures['new_records']} new_cases={figures['new_cases']} "
            f"wall_s={figures['wall_s']:.2f} peak_rss_mb={figures['peak_rss_mb']:.0f} "
            f"store_gb={figures['store_gb']:.2f}",
            flush=True,
        )
        done[number - 1 : number] = [figures]
    if not args.search:
        return 0
    search = done[-1]
    peak = max(night["peak_rss_mb"] for night in done)
    history = search["kept_records"]
    recall = recall_of(held_back, first, args.out)
    print(
        f"TARGET name=history_memory history_records={history} peak_rss_mb={peak:.0f} "
        f"target_mb={MEMORY_TARGET_MB} met={peak <= MEMORY_TARGET_MB and history >= 1e8}"
    )
    print(
        f"TARGET name=new_cases_search history_records={history} new_cases={search['new_cases']} "
        f"wall_s={search['wall_s']:.2f} target_s={SEARCH_TARGET_S} recall_new={recall:.4f} "
        f"met={search['wall_s'] <= SEARCH_TARGET_S and history >= 1e8}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
