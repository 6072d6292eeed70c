"""Name pools laid out as columns, for drawing names for a whole chunk at once.

Use :class:`Tokens` from the bulk generator. Every locale's names of one kind (surnames,
male given names, ...) sit in one Series; the cumulative weights of locale ``k`` are
scaled into ``[k, k + 1)``, so a single ``search_sorted`` of ``k + u`` draws each row's
name from its own locale's table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import polars as pl

from exitmatch.synth.names.pools import NameForm, NameTable, build_pools


@dataclass(frozen=True)
class TokenColumn:
    """One kind of name across all locales."""

    docs: pl.Series  # passport spelling
    bounds: pl.Series  # global cumulative bounds, locale k in [k, k + 1)

    def draw(self, locale: pl.Series, u: pl.Series) -> pl.Series:
        target = locale.cast(pl.Float64) + u * 0.999_999
        index = self.bounds.search_sorted(target, side="right").clip(0, len(self.docs) - 1)
        return self.docs.gather(index)


def _column(tables: list[tuple[NameForm, ...]]) -> TokenColumn:
    docs: list[str] = []
    bounds: list[float] = []
    for k, forms in enumerate(tables):
        total = sum(f.weight for f in forms)
        running = 0.0
        for form in forms:
            running += form.weight
            docs.append(form.doc)
            bounds.append(k + running / total)
    return TokenColumn(pl.Series("doc", docs, dtype=pl.Utf8), pl.Series(bounds, dtype=pl.Float64))


@dataclass(frozen=True)
class Tokens:
    locales: tuple[str, ...]
    tables: tuple[NameTable, ...]
    surname: TokenColumn
    given_m: TokenColumn
    given_f: TokenColumn
    middle_m: TokenColumn
    middle_f: TokenColumn
    middle_rate: pl.Series  # by locale index

    def locale_index(self, locale: str) -> int:
        return self.locales.index(locale)


@cache
def tokens() -> Tokens:
    pools = build_pools()
    tables = [pools[k] for k in sorted(pools)]
    return Tokens(
        locales=tuple(t.locale for t in tables),
        tables=tuple(tables),
        surname=_column([t.surnames for t in tables]),
        given_m=_column([t.given_m for t in tables]),
        given_f=_column([t.given_f for t in tables]),
        middle_m=_column([t.middle_m for t in tables]),
        middle_f=_column([t.middle_f for t in tables]),
        middle_rate=pl.Series([t.middle_rate for t in tables], dtype=pl.Float64),
    )
