"""A night against the retained exit history: how long a run takes when the inventory
brings cases the store has never seen (``--new``), or the exchange brings a night's new
records (``--new-records``), against everything kept before.

Scenario: a synthetic night from ``exitmatch synth`` (``--cases`` subjects, ``--travellers``
ordinary travellers, seed 0; generated once into ``--data-dir`` and reused), split in two.
Night 1 delivers every travel record but the last ``--new-records`` (taken from each
source in proportion) and all cases but the last ``--new`` of the inventory; night 2
delivers only what was held back. Each night is ``exitmatch reconcile`` in its own
process against one store on disk; night 2 is the figure: its wall time, its peak memory
(sampled from /proc every 50 ms), and the recall of the held-back cases' expected closures
(they can only be found by searching the history). Prints

    HISTORY_SEARCH history_records=N new_cases=K new_records=R wall_s=.. peak_rss_mb=..
        recall_new=..

and the night-1 figures for comparison. The issue's target is 1,000 new cases against a
100 million-record history in 10 s; this measures the sizes given.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

from _process import resident_mb

SOURCES = ("land", "air", "entries")


def timed_run(argv: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run ``argv`` (in ``env``, where given); its wall time and sampled peak resident
    memory."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, resident_mb(proc.pid))
        time.sleep(0.05)
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 3):
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(argv[:3])} failed ({proc.returncode}): {stderr[-2000:]}")
    return {"wall_s": wall, "peak_rss_mb": peak}


def dataset(root: Path, cases: int, travellers: int, seed: int) -> Path:
    data = root / f"synth_s{cases}_t{travellers}_seed{seed}"
    if not (data / "truth" / "manifest.json").exists():
        from exitmatch.synth.config import SynthConfig
        from exitmatch.synth.generate import generate

        generate(SynthConfig(subjects=cases, travellers=travellers, seed=seed), data)
    return data


def reconcile(inventory: Path, travel: list[Path], out: Path) -> list[str]:
    argv = [sys.executable, "-m", "exitmatch", "reconcile", "--inventory", str(inventory)]
    for path in travel:
        argv += [f"--{path.stem}", str(path)]
    return [*argv, "--out", str(out)]


def split_travel(travel: list[Path], held_back: int, work: Path) -> tuple[list[Path], list[Path]]:
    """Each source's files for night 1 and night 2: the last ``held_back`` records, shared
    among the sources by their sizes, arrive on night 2."""
    if held_back <= 0:
        return travel, []
    frames = {path: pl.read_csv(path, infer_schema=False) for path in travel}
    total = sum(frame.height for frame in frames.values())
    first: list[Path] = []
    second: list[Path] = []
    for path, frame in frames.items():
        late = round(held_back * frame.height / total)
        for night, part, files in ((1, frame.head(-late), first), (2, frame.tail(late), second)):
            if part.height:
                (work / f"night{night}").mkdir(exist_ok=True)
                part.write_csv(work / f"night{night}" / path.name)
                files.append(work / f"night{night}" / path.name)
    return first, second


def recall_of(held_back: pl.DataFrame, data: Path, out: Path) -> float:
    """Recall of the held-back cases' expected closures, or of them all where no case was
    held back."""
    expected = pl.read_csv(data / "truth" / "expected_closure_candidates.csv")
    if not held_back.is_empty():
        expected = expected.join(held_back.select("case_id"), on="case_id")
    if expected.is_empty():
        return float("nan")
    found = pl.read_csv(out / "closure_candidates.csv", infer_schema=False)
    hits = expected.join(found, on=["case_id", "exit_source", "exit_record_id"], how="semi")
    return hits.height / expected.height


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--travellers", type=float, default=1e6)
    parser.add_argument("--new", type=int, default=1_000, help="cases held back for night 2")
    parser.add_argument(
        "--new-records", type=int, default=0, help="travel records held back for night 2"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=None, help="keep generated data here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        root = args.data_dir or Path(temp)
        data = dataset(root, args.cases, int(args.travellers), args.seed)
        inventory = pl.read_csv(data / "inventory.csv", infer_schema=False)
        first = inventory.head(inventory.height - args.new)
        held_back = inventory.tail(args.new)
        work = Path(temp)
        first.write_csv(work / "inventory_night1.csv")
        held_back.write_csv(work / "inventory_night2.csv")
        travel = [data / f"{source}.csv" for source in SOURCES if (data / f"{source}.csv").exists()]
        night1_travel, night2_travel = split_travel(travel, args.new_records, work)
        out = work / "out"
        night1 = timed_run(reconcile(work / "inventory_night1.csv", night1_travel, out))
        night2 = timed_run(reconcile(work / "inventory_night2.csv", night2_travel, out))
        report: dict[str, Any] = json.loads((out / "run_report.json").read_text())
        history = report["store"]["records"] - report["store"]["new_records"]
        recall = recall_of(held_back, data, out)
    print(
        f"night 1: {first.height:,} cases and {history:,} records, "
        f"{night1['wall_s']:.1f} s, {night1['peak_rss_mb']:.0f} MB"
    )
    print(
        f"HISTORY_SEARCH history_records={history} new_cases={held_back.height} "
        f"new_records={report['store']['new_records']} "
        f"wall_s={night2['wall_s']:.2f} peak_rss_mb={night2['peak_rss_mb']:.0f} "
        f"recall_new={recall:.4f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
