"""Seeded random columns for the vectorised bulk, without numpy.

Use :class:`ColumnRng` wherever a whole column of random draws is needed. Bits come from
Python's Mersenne Twister (stable across versions and platforms), turned into Arrow arrays
without copying, so the same seed gives the same columns everywhere.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence

import polars as pl
import pyarrow as pa

_TWO_53 = float(1 << 53)


def sub_seed(seed: int, *labels: object) -> int:
    """A seed for one named stream, so adding a stream does not shift the others."""
    text = "/".join(str(label) for label in (seed, *labels))
    return zlib.crc32(text.encode()) | (seed << 32)


class ColumnRng:
    """Random columns as polars Series, from one seeded Mersenne Twister."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    @property
    def py(self) -> random.Random:
        """The underlying generator, for the few scalar draws."""
        return self._random

    def bits(self, n: int) -> pl.Series:
        """``n`` uniform unsigned 64-bit integers."""
        buffer = pa.py_buffer(self._random.randbytes(8 * n))
        return pl.Series(pa.Array.from_buffers(pa.uint64(), n, [None, buffer]))

    def uniform(self, n: int) -> pl.Series:
        """``n`` floats in [0, 1)."""
        bits = self.bits(n) // 2048  # top 53 bits
        return (bits.cast(pl.Float64) / _TWO_53).alias("u")

    def integers(self, n: int, high: int) -> pl.Series:
        """``n`` integers in [0, high)."""
        return (self.uniform(n) * high).floor().cast(pl.Int64).clip(0, max(high - 1, 0))

    def bernoulli(self, n: int, p: float) -> pl.Series:
        return self.uniform(n) < p

    def choice(self, n: int, weights: Sequence[float]) -> pl.Series:
        """``n`` indices into ``weights``, drawn in proportion to them."""
        return Cumulative(weights).draw(self.uniform(n))


class Cumulative:
    """Cumulative weights of a table, for drawing rows by a uniform column."""

    def __init__(self, weights: Sequence[float]) -> None:
        total = 0.0
        bounds = []
        for weight in weights:
            total += float(weight)
            bounds.append(total)
        if total <= 0:
            raise ValueError("weights add up to zero")
        self.total = total
        self.bounds = pl.Series("bounds", [b / total for b in bounds], dtype=pl.Float64)

    def draw(self, uniform: pl.Series) -> pl.Series:
        """Index of the row each uniform value falls into."""
        index = self.bounds.search_sorted(uniform, side="right").cast(pl.Int64)
        return index.clip(0, len(self.bounds) - 1)

    def draw_one(self, u: float) -> int:
        return int(self.draw(pl.Series([u], dtype=pl.Float64))[0])
