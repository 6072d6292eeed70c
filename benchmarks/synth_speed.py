"""How fast ``exitmatch synth`` writes a data set, and how much memory it needs.

Scenario: a cold process generates ``--subjects`` removal cases (default 20,000) and
``--travellers`` ordinary exit records (default 1,000,000) as CSV into a temporary folder
(or ``--out``), with the default realism settings. The target on a 2-core machine is under
60 s and under 1 GB peak RSS. Prints one line:

    synth_speed subjects=N travellers=N format=F rows=N wall_s=S rows_per_s=R peak_rss_mb=M

``rows`` counts every input row written (inventory, land, air, entries); peak RSS is the
process's own high-water mark (``getrusage``), name-pool building included.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from exitmatch.synth.config import SynthConfig
from exitmatch.synth.generate import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=20_000)
    parser.add_argument("--travellers", type=int, default=1_000_000)
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="keep the files here")
    args = parser.parse_args(argv)
    config = SynthConfig(
        subjects=args.subjects, travellers=args.travellers, seed=args.seed, format=args.format
    )
    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch)
        started = time.perf_counter()
        summary = generate(config, out)
        wall = time.perf_counter() - started
    rows = sum(n for name, n in summary.files.items() if "/" not in name)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        f"synth_speed subjects={args.subjects} travellers={args.travellers} "
        f"format={args.format} rows={rows} wall_s={wall:.2f} "
        f"rows_per_s={rows / wall:.0f} peak_rss_mb={peak_mb:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
