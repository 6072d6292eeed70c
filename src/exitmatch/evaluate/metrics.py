"""Precision, recall and F1 of closures, warrants and alerts, blocking recall, and the
false links and misses broken down by cause.

Use ``evaluate`` with the folder a reconcile run wrote and the ``truth`` folder that
``exitmatch synth`` wrote. A closure is right when its case was expected to close and
the departure it cites is one of that person's own exit records.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

BANDS = ("confirmed", "probable", "possible")


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 5) if denominator else None


def _f1(precision: float | None, recall: float | None) -> float | None:
    if not precision or not recall:
        return None
    return round(2 * precision * recall / (precision + recall), 5)


def evaluate(results: Path, truth: Path) -> dict[str, Any]:
    """Every figure, as a JSON-ready dict."""
    cases = _read(truth / "cases.csv")
    owners = _read(truth / "exit_links.csv").select(
        exit_source="exit_source",
        exit_record_id="exit_record_id",
        owner="uci",
        variations="variations",
    )
    expected = _read(truth / "expected_closure_candidates.csv")
    predicted = _read(results / "closure_candidates.csv")
    judged = (
        predicted.join(owners, on=["exit_source", "exit_record_id"], how="left")
        .join(expected.select("case_id", expected_exit="exit_record_id"), on="case_id", how="left")
        .with_columns(
            right=(pl.col("owner") == pl.col("uci")) & pl.col("expected_exit").is_not_null()
        )
        .with_columns(pl.col("right").fill_null(False))
    )
    figures: dict[str, Any] = {"expected_closures": expected.height}
    figures["closures"] = _closure_figures(judged, expected.height)
    figures["false_closures_by_cause"] = _false_causes(judged, cases)
    figures["missed_closures_by_cause"] = _miss_causes(judged, expected, owners, cases)
    figures["blocking_recall"] = _blocking_recall(results, expected)
    figures["warrants"] = _warrant_figures(results, truth, owners, expected.height)
    figures["alerts"] = _alert_figures(results, truth)
    return figures


def _closure_figures(judged: pl.DataFrame, expected: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    right_all = int(judged["right"].sum())
    precision = _ratio(right_all, judged.height)
    recall = _ratio(right_all, expected)
    out["all"] = {
        "predicted": judged.height,
        "right": right_all,
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
    }
    for band in BANDS:
        rows = judged.filter(pl.col("band") == band)
        right = int(rows["right"].sum())
        out[band] = {
            "predicted": rows.height,
            "right": right,
            "wrong": rows.height - right,
            "precision": _ratio(right, rows.height),
            "coverage": _ratio(right, expected),
        }
    strong = judged.filter(pl.col("band").is_in(["confirmed", "probable"]))
    out["confirmed_and_probable"] = {
        "predicted": strong.height,
        "precision": _ratio(int(strong["right"].sum()), strong.height),
        "recall": _ratio(int(strong["right"].sum()), expected),
    }
    return out


def _false_causes(judged: pl.DataFrame, cases: pl.DataFrame) -> dict[str, dict[str, int]]:
    wrong = judged.filter(~pl.col("right")).join(
        cases.select("case_id", "scenarios"), on="case_id", how="left"
    )
    cause = (
        pl.when(pl.col("owner").is_null())
        .then(pl.lit("exit of a traveller who is not a subject"))
        .when(pl.col("owner") != pl.col("uci"))
        .then(pl.lit("exit of another subject"))
        .otherwise(pl.lit("right person, but the case was not expected to close"))
    )
    counts = wrong.with_columns(cause=cause).group_by("cause", "band", "scenarios").len()
    result: dict[str, dict[str, int]] = {}
    for row in counts.sort("cause", "band", "scenarios").iter_rows(named=True):
        key = f"{row['cause']} [{row['scenarios']}]"
        result.setdefault(key, {})[row["band"]] = row["len"]
    return result


def _miss_causes(
    judged: pl.DataFrame, expected: pl.DataFrame, owners: pl.DataFrame, cases: pl.DataFrame
) -> dict[str, int]:
    found = judged.filter(pl.col("right")).select("case_id")
    missed = (
        expected.join(found, on="case_id", how="anti")
        .join(owners, on=["exit_source", "exit_record_id"], how="left")
        .join(cases.select("case_id", "scenarios"), on="case_id", how="left")
    )
    counts = (
        missed.with_columns(
            cause=pl.concat_str(
                pl.col("scenarios").fill_null("?"),
                pl.lit(" / "),
                pl.col("variations").fill_null(""),
            )
        )
        .group_by("cause")
        .len()
        .sort("len", "cause", descending=[True, False])
    )
    return dict(zip(counts["cause"].to_list(), counts["len"].to_list(), strict=True))


def _blocking_recall(results: Path, expected: pl.DataFrame) -> float | None:
    path = results / "candidate_pairs.parquet"
    if not path.exists():
        return None
    pairs = pl.read_parquet(path).select(
        "case_id", exit_source="source", exit_record_id="record_id"
    )
    found = expected.join(pairs, on=["case_id", "exit_source", "exit_record_id"], how="semi")
    return _ratio(found.height, expected.height)


def _warrant_figures(
    results: Path, truth: Path, owners: pl.DataFrame, expected_closures: int
) -> dict[str, Any]:
    expected = _read(truth / "expected_warrant_cancellations.csv")
    predicted = _read(results / "warrant_cancellations.csv").join(
        owners, on=["exit_source", "exit_record_id"], how="left"
    )
    right = predicted.join(expected.select("warrant_id"), on="warrant_id", how="semi").filter(
        pl.col("owner") == pl.col("uci")
    )
    wrong = predicted.height - right.height
    precision = _ratio(right.height, predicted.height)
    return {
        "expected": expected.height,
        "predicted": predicted.height,
        "wrong": wrong,
        "precision": precision,
        "recall": _ratio(right.height, expected.height),
        "wrong_per_expected_closure": _ratio(wrong, expected_closures),
    }


def _alert_figures(results: Path, truth: Path) -> dict[str, Any]:
    expected = _read(truth / "expected_reentry_alerts.csv")
    predicted = _read(results / "reentry_alerts.csv")
    entry_owner = _read(truth / "entry_links.csv")
    right = (
        predicted.join(entry_owner.rename({"uci": "entry_owner"}), on="entry_record_id", how="left")
        .filter(pl.col("entry_owner") == pl.col("uci"))
        .join(expected.select("case_id"), on="case_id", how="semi")
    )
    precision = _ratio(right.height, predicted.height)
    recall = _ratio(right.height, expected.height)
    return {
        "expected": expected.height,
        "predicted": predicted.height,
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
    }


def write_evaluation(figures: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def headline(figures: dict[str, Any]) -> str:
    """The figures an analyst looks at first, on a few lines."""
    closures = figures["closures"]
    strong = closures["confirmed_and_probable"]
    return "\n".join(
        [
            f"closures: recall (any band) {closures['all']['recall']}, "
            f"precision {closures['all']['precision']} of {figures['expected_closures']} expected",
            f"confirmed: precision {closures['confirmed']['precision']}, "
            f"covers {closures['confirmed']['coverage']} of expected closures",
            f"confirmed + probable: precision {strong['precision']}",
            f"warrants wrong per expected closure: "
            f"{figures['warrants']['wrong_per_expected_closure']}; "
            f"alerts precision {figures['alerts']['precision']}, "
            f"recall {figures['alerts']['recall']}",
            f"blocking recall: {figures['blocking_recall']}",
        ]
    )
