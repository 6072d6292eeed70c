"""The review queue benchmark fails on a slow tail, not only on a slow median."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
review_queue = importlib.import_module("review_queue")


def test_a_slow_maximum_fails_the_target_though_the_median_is_fast() -> None:
    figures = review_queue.summary([50.0] * 39 + [900.0])
    assert figures["median"] == 50.0 and figures["max"] == 900.0
    assert figures["p95"] >= 50.0
    assert not review_queue.within_target(figures)


def test_a_slow_95th_percentile_fails_the_target() -> None:
    figures = review_queue.summary([50.0] * 30 + [250.0] * 10)
    assert figures["median"] == 50.0 and figures["p95"] == 250.0
    assert not review_queue.within_target(figures)


def test_fast_requests_meet_the_target() -> None:
    assert review_queue.within_target(review_queue.summary([40.0, 60.0, 80.0, 120.0]))
    # One request in 40 over 200 ms (but under 500 ms) leaves the 95th percentile fast.
    assert review_queue.within_target(review_queue.summary([50.0] * 39 + [300.0]))
