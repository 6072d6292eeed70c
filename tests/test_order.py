"""A frame already in order is numbered without sorting it again: the check must agree
with sorting."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from exitmatch.order import in_order

_ROWS = st.lists(
    st.tuples(st.sampled_from(["air", "entry", "land", None]), st.text("AB1", max_size=3)),
    max_size=8,
)


@given(_ROWS)
def test_in_order_exactly_when_sorting_changes_nothing(rows: list[tuple[str | None, str]]) -> None:
    frame = pl.DataFrame(rows, schema={"kind": pl.Utf8, "record_id": pl.Utf8}, orient="row")
    by = ("kind", "record_id")
    has_null = frame["kind"].null_count() > 0
    if in_order(frame, by):
        assert frame.equals(frame.sort(*by, maintain_order=True))
    elif not has_null and frame.height > 1:
        assert not frame.equals(frame.sort(*by, maintain_order=True))
