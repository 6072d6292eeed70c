"""IRPR 240(3) timing of a departure against the order's dates, read cautiously across
Canada's time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from exitmatch.decide.timing import departure_timing


@pytest.mark.parametrize(
    ("departed", "order", "enforceable", "status", "timing"),
    [
        # 05:00 UTC on 1 March is 1 March in Newfoundland but still 29 February on the
        # Pacific coast: not surely before the order, not surely enforceable either, so an
        # officer looks.
        (
            datetime(2024, 3, 1, 5, 0, tzinfo=UTC),
            date(2024, 3, 1),
            date(2024, 3, 1),
            "wanted",
            "before_enforceable",
        ),
        # 09:00 UTC is 1 March everywhere in Canada.
        (
            datetime(2024, 3, 1, 9, 0, tzinfo=UTC),
            date(2024, 3, 1),
            date(2024, 3, 1),
            "wanted",
            "qualifying",
        ),
        # 23:00 UTC on 29 February is 29 February even in Newfoundland: before the order.
        (
            datetime(2024, 2, 29, 23, 0, tzinfo=UTC),
            date(2024, 3, 1),
            date(2024, 3, 1),
            "wanted",
            "before_order",
        ),
        # 02:00 UTC on 1 March is still 29 February in Newfoundland too.
        (
            datetime(2024, 3, 1, 2, 0, tzinfo=UTC),
            date(2024, 3, 1),
            date(2024, 3, 1),
            "wanted",
            "before_order",
        ),
        (
            datetime(2024, 6, 1, 12, 0, tzinfo=UTC),
            date(2024, 3, 1),
            None,
            "wanted",
            "before_enforceable",
        ),
        (
            datetime(2024, 6, 1, 12, 0, tzinfo=UTC),
            date(2024, 3, 1),
            date(2024, 4, 1),
            "stayed",
            "while_stayed",
        ),
        (
            datetime(2024, 1, 1, 12, 0, tzinfo=UTC),
            date(2024, 3, 1),
            date(2024, 4, 1),
            "stayed",
            "before_order",
        ),
        (
            datetime(2024, 6, 1, 12, 0, tzinfo=UTC),
            date(2024, 3, 1),
            date(2024, 4, 1),
            "deferred",
            "qualifying",
        ),
    ],
)
def test_departure_timing(
    departed: datetime, order: date, enforceable: date | None, status: str, timing: str
) -> None:
    frame = pl.DataFrame(
        {"at": [departed], "order": [order], "enforceable": [enforceable], "status": [status]},
        schema={
            "at": pl.Datetime("us", "UTC"),
            "order": pl.Date,
            "enforceable": pl.Date,
            "status": pl.Utf8,
        },
    )
    got = frame.select(
        departure_timing(pl.col("at"), pl.col("order"), pl.col("enforceable"), pl.col("status"))
    ).item()
    assert got == timing
