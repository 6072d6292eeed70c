"""Resident memory of a running process, sampled from /proc by the benchmarks."""

from __future__ import annotations

import os
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_mb(pid: int) -> float:
    """Resident set size of ``pid`` in MiB (0 once it has gone)."""
    try:
        with Path(f"/proc/{pid}/statm").open() as statm:
            return int(statm.read().split()[1]) * PAGE / 2**20
    except (OSError, IndexError, ValueError):
        return 0.0
