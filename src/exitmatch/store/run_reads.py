"""Reading a few keys' entries out of a sorted run without mapping it.

A run's keys are sorted; its fences are every ``FENCE_EVERY``-th key (a page of keys),
small enough to hold whole. A key sought lies between two fences, so a search reads
that span of the run's files (``spans``, ``gather``) with one read a column, and
binary search runs in what was read. Nothing of the run is mapped into the process, so
its pages stay in the page cache (not the process's memory), and no page is read
ahead of the ones a search needs.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

# Keys between two fences: a 4 KiB page of keys.
FENCE_EVERY = 512

# Keys a fence is taken from at a time, when a run's fences are made from its file.
_FENCE_CHUNK = 64 * FENCE_EVERY * 1024


def fences(keys: np.ndarray, first: int = 0) -> np.ndarray:
    """The fences among ``keys``, the run's keys from position ``first`` on: those at a
    position that is a multiple of ``FENCE_EVERY``."""
    return np.ascontiguousarray(keys[(-first) % FENCE_EVERY :: FENCE_EVERY])


def fences_of_file(path: Path, offset: int, size: int) -> np.ndarray:
    """The fences of the ``size`` keys (uint64) stored at ``offset`` in ``path``, read a
    chunk at a time."""
    parts = []
    for start in range(0, size, _FENCE_CHUNK):
        count = min(_FENCE_CHUNK, size - start)
        keys = np.fromfile(path, dtype=np.uint64, count=count, offset=offset + start * 8)
        parts.append(fences(keys, start))
    return np.concatenate([np.empty(0, np.uint64), *parts])


def spans(fence: np.ndarray, wanted: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends (disjoint, in order) of the positions of a run of ``size`` keys
    with fences ``fence`` that hold every key equal to one of ``wanted`` (sorted).

    A key's entries start after the last fence below it and end before the first fence
    above it; spans that meet are read as one."""
    if not wanted.size:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    low = np.maximum(np.searchsorted(fence, wanted, side="left") - 1, 0) * FENCE_EVERY
    high = np.minimum(np.searchsorted(fence, wanted, side="right") * FENCE_EVERY, size)
    # Both grow with the key sought: a span starts where the one before ends short of it.
    new = np.ones(low.size, dtype=bool)
    new[1:] = low[1:] > high[:-1]
    first = np.flatnonzero(new)
    last = np.append(first[1:] - 1, low.size - 1)
    return low[first].astype(np.int64), high[last].astype(np.int64)


def gather(
    values: np.ndarray | None,
    path: Path | None,
    dtype: np.dtype[np.generic],
    offset: int,
    starts: np.ndarray,
    ends: np.ndarray,
) -> np.ndarray:
    """Positions ``starts[i]`` to ``ends[i]`` of a run's column, one after another: sliced
    from ``values`` held in memory, or read from the column's file at ``path`` (its data
    starting at ``offset``)."""
    if values is not None:
        lengths = ends - starts
        at = np.arange(lengths.sum()) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        taken: np.ndarray = values[at]
        return taken
    assert path is not None
    size = dtype.itemsize
    descriptor = os.open(path, os.O_RDONLY)
    try:
        read = b"".join(
            os.pread(descriptor, (end - start) * size, offset + start * size)
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True)
        )
    finally:
        os.close(descriptor)
    return np.frombuffer(read, dtype=dtype)
