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
candidates and alerts, and the ledger entry of their file deleted), so that a later
version's search is measured on the same history without building it again. Each run
prints a ``BIG_HISTORY_SEARCH`` line with its stages, and the ``TARGET`` line is the
median run's. With ``--baseline SRC`` (the ``src`` folder of another checkout, one that
keeps the same store layout) each run is made twice, alternately by that code and this,
and a ``BIG_HISTORY_RATIO`` line gives the ratio of their median wall times.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import statistics
import sys
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
        for table in ("cases", "vectors", "candidates", "alerts"):
            connection.execute(f"DELETE FROM {table} WHERE case_id IN (SELECT case_id FROM __held)")
        connection.execute("DELETE FROM ledger WHERE sha256 = ?", [digest])
        # The held-back file's rows set aside or flagged, read again by the next run.
        for table in ("quarantine", "data_issues"):
            connection.execute(f"DELETE FROM {table} WHERE file = ?", [str(inventory)])
        connection.execute("CHECKPOINT")
    finally:
        connection.close()


def search_again(args: argparse.Namespace, held_back: pl.DataFrame, first: Path) -> int:
    """The search night, ``args.search_again`` times on the history built (``rewind``),
    alternately by ``args.baseline``'s code and this where one is given."""
    last = args.out / "inventory_last.parquet"
    codes: dict[str, dict[str, str] | None] = {"this": None}
    if args.baseline is not None:
        baseline = os.environ | {"PYTHONPATH": str(args.baseline.resolve())}
        codes = {"baseline": baseline, "this": None}
    runs: dict[str, list[dict[str, Any]]] = {code: [] for code in codes}
    for number in range(1, args.search_again + 1):
        for code, env in codes.items():
            rewind(args.out, held_back, last)
            figures = timed_run(reconcile(args.out, args.store_memory, last, None), env)
            report = json.loads((args.out / "run_report.json").read_text())
            figures |= store_figures(args.out) | {"recall": recall_of(held_back, first, args.out)}
            stages = " ".join(f"{k}_s={v:.2f}" for k, v in report["timings_s"].items())
            print(
                f"BIG_HISTORY_SEARCH run={number} code={code} "
                f"history_records={figures['kept_records']} "
                f"new_cases={figures['new_cases']} wall_s={figures['wall_s']:.2f} "
                f"peak_rss_mb={figures['peak_rss_mb']:.0f} {stages} "
                f"recall_new={figures['recall']:.4f}",
                flush=True,
            )
            runs[code].append(figures)
    mine = runs["this"]
    wall = statistics.median(run["wall_s"] for run in mine)
    history = mine[0]["kept_records"]
    if args.baseline is not None:
        theirs = statistics.median(run["wall_s"] for run in runs["baseline"])
        print(
            f"BIG_HISTORY_RATIO history_records={history} baseline_wall_s={theirs:.2f} "
            f"this_wall_s={wall:.2f} speedup={theirs / wall:.2f}"
        )
    print(
        f"TARGET name=new_cases_search history_records={history} "
        f"new_cases={mine[0]['new_cases']} wall_s={wall:.2f} target_s={SEARCH_TARGET_S} "
        f"recall_new={mine[0]['recall']:.4f} "
        f"met={wall <= SEARCH_TARGET_S and history >= 1e8}"
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
