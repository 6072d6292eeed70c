"""When people cross: daily and hourly traffic shapes over the history window.

Use :class:`TravelCalendar` to draw departure days and times. Land traffic collapses while
the border was closed to discretionary travel (21 March 2020 to 8 November 2021); air
exit data only exists from 25 June 2020; both peak in summer and at year end.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl

from exitmatch.synth.rng import ColumnRng, Cumulative

BORDER_CLOSED = (date(2020, 3, 21), date(2021, 11, 8))
AIR_DATA_FROM = date(2020, 6, 25)
EPOCH = datetime(1970, 1, 1)

# Share of crossings by local hour, 0..23: daytime heavy.
_LOCAL_HOURS = (1, 1, 0.5, 0.5, 0.5, 1, 2, 4, 6, 7, 7, 7, 7, 7, 7, 7, 7, 6, 5, 4, 3, 2, 2, 1)
# The same by UTC hour: most traffic crosses on Eastern time (UTC-5).
HOURS_UTC = tuple(_LOCAL_HOURS[(h - 5) % 24] for h in range(24))


def _season(day: date) -> float:
    if day.month in (7, 8) or (day.month == 12 and day.day > 18):
        return 1.5
    if day.month in (1, 2, 3):
        return 0.85
    return 1.0


class TravelCalendar:
    """Day and time-of-day weights for one kind of exit."""

    def __init__(self, start: date, end: date, kind: str) -> None:
        first = max(start, AIR_DATA_FROM) if kind == "air" else start
        if first > end:
            first = start
        self.first = first
        days = (end - first).days + 1
        weights = []
        for i in range(days):
            day = first + timedelta(days=i)
            weight = _season(day)
            if BORDER_CLOSED[0] <= day < BORDER_CLOSED[1]:
                weight *= 0.08 if kind == "land" else 0.3
            weights.append(weight)
        self.days = Cumulative(weights)
        self.hours = Cumulative(HOURS_UTC)
        self._first_s = int((datetime(first.year, first.month, first.day) - EPOCH).total_seconds())

    def day_seconds(self, rng: ColumnRng, n: int) -> pl.Series:
        """Epoch seconds of the start of ``n`` drawn days."""
        return self.days.draw(rng.uniform(n)) * 86_400 + self._first_s

    def moments(self, rng: ColumnRng, n: int) -> pl.Series:
        """``n`` drawn moments (epoch seconds, UTC) over the window."""
        hour = self.hours.draw(rng.uniform(n))
        within = rng.integers(n, 3600)
        return self.day_seconds(rng, n) + hour * 3600 + within


def to_timestamp_text(seconds: pl.Expr) -> pl.Expr:
    """Epoch seconds as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return pl.from_epoch(seconds, time_unit="s").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
