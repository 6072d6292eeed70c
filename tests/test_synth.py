"""exitmatch synth: reproducible files in contract shape, with truth that follows the rules."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from pydantic import ValidationError

from exitmatch.contract.codes import Source
from exitmatch.contract.values import parse_timestamp
from exitmatch.ingest.load import ingest
from exitmatch.synth.config import Scenarios, SynthConfig
from exitmatch.synth.generate import generate
from exitmatch.synth.writer import contract_columns

SMALL = SynthConfig(subjects=600, travellers=6000, seed=7, dirty_rate=0.005, chunk_rows=2500)
INPUTS = {
    Source.INVENTORY: "inventory.csv",
    Source.LAND: "land.csv",
    Source.AIR: "air.csv",
    Source.ENTRIES: "entries.csv",
}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    generate(SMALL, out)
    return out


def _csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def _tags(column: pl.Series) -> set[str]:
    return {t for cell in column.drop_nulls().to_list() for t in cell.split("|") if t}


def test_same_seed_gives_identical_bytes(made: Path, tmp_path: Path) -> None:
    generate(SMALL, tmp_path)
    files = sorted(p.relative_to(made) for p in made.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    for rel in files:
        assert (made / rel).read_bytes() == (tmp_path / rel).read_bytes(), rel


def test_another_seed_gives_other_data(made: Path, tmp_path: Path) -> None:
    generate(SMALL.model_copy(update={"seed": 8}), tmp_path)
    assert (made / "land.csv").read_bytes() != (tmp_path / "land.csv").read_bytes()


@pytest.mark.parametrize("source", list(INPUTS))
def test_headers_are_the_contract_columns(made: Path, source: Source) -> None:
    header = (made / INPUTS[source]).read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == contract_columns(source)


@pytest.mark.parametrize("source", list(INPUTS))
def test_ingest_rejects_exactly_what_truth_says(made: Path, source: Source) -> None:
    loaded = ingest(source, [made / INPUTS[source]])
    quarantine = _csv(made / "truth" / "expected_quarantine.csv").filter(
        pl.col("source") == source.value
    )
    issues = _csv(made / "truth" / "expected_data_issues.csv").filter(
        pl.col("source") == source.value
    )
    assert len(loaded.quarantine) == len(quarantine)
    assert len(loaded.issues) == len(issues)
    read = sum(f.read for f in loaded.files)
    assert read == len(_csv(made / INPUTS[source]))


def test_counts_in_manifest(made: Path) -> None:
    manifest = json.loads((made / "truth" / "manifest.json").read_text())
    assert manifest["seed"] == SMALL.seed
    assert manifest["counts"]["land.csv"] == len(_csv(made / "land.csv"))
    assert SynthConfig.model_validate(manifest["config"]) == SMALL


def _departed(stamp: str, zone: str = "UTC") -> date:
    """The departure's date in ``zone``: the rules read a moment's date in Canada
    cautiously, between the Pacific (earliest) and Newfoundland (latest)."""
    return parse_timestamp(stamp).astimezone(ZoneInfo(zone)).date()


EARLIEST, LATEST = "America/Vancouver", "America/St_Johns"


def test_truth_follows_the_240_3_rules(made: Path) -> None:
    truth = made / "truth"
    inventory = {r["case_id"]: r for r in _csv(made / "inventory.csv").iter_rows(named=True)}
    links = {
        (r["exit_source"], r["exit_record_id"]): r["uci"]
        for r in _csv(truth / "exit_links.csv").iter_rows(named=True)
    }
    exits = {
        ("land", r["record_id"]): r["crossed_at"]
        for r in _csv(made / "land.csv").iter_rows(named=True)
    } | {
        ("air", r["record_id"]): r["departed_at"]
        for r in _csv(made / "air.csv").iter_rows(named=True)
    }
    closures = _csv(truth / "expected_closure_candidates.csv")
    assert len(closures) > 50
    assert closures["case_id"].is_unique().all()
    for row in closures.iter_rows(named=True):
        key = (row["exit_source"], row["exit_record_id"])
        case = inventory[row["case_id"]]
        assert links[key] == case["uci"] == row["uci"]
        assert parse_timestamp(exits[key]) == parse_timestamp(row["departed_at"])
        assert row["departed_at"].endswith("Z")
        assert case["inventory_status"] not in ("closed", "stayed")
        assert case["enforceable_date"] is not None
        day = _departed(row["departed_at"], EARLIEST)
        assert day >= date.fromisoformat(case["order_date"])
        assert day >= date.fromisoformat(case["enforceable_date"])

    early = _csv(truth / "expected_early_departures.csv")
    assert set(early["reason"]) == {"before_order", "before_enforceable", "while_stayed"}
    for row in early.iter_rows(named=True):
        case = inventory[row["case_id"]]
        latest = _departed(row["departed_at"], LATEST)
        earliest = _departed(row["departed_at"], EARLIEST)
        if row["reason"] == "before_order":
            assert latest < date.fromisoformat(case["order_date"])
        elif row["reason"] == "while_stayed":
            assert case["inventory_status"] == "stayed"
            assert latest >= date.fromisoformat(case["order_date"])
        else:
            enforceable = case["enforceable_date"]
            assert enforceable is None or earliest < date.fromisoformat(enforceable)

    entry_links = {
        r["entry_record_id"]: r["uci"]
        for r in _csv(truth / "entry_links.csv").iter_rows(named=True)
    }
    entries = {r["record_id"]: r for r in _csv(made / "entries.csv").iter_rows(named=True)}
    alerts = _csv(truth / "expected_reentry_alerts.csv")
    assert len(alerts) > 5
    assert not set(alerts["case_id"]) & set(closures["case_id"])
    for row in alerts.iter_rows(named=True):
        assert entry_links[row["entry_record_id"]] == row["uci"]
        entered = parse_timestamp(entries[row["entry_record_id"]]["entered_at"])
        assert entered == parse_timestamp(row["entered_at"])
        assert row["entered_at"] > row["departed_at"]

    warrants = _csv(truth / "expected_warrant_cancellations.csv")
    expected_warrants = {
        c["case_id"]
        for c in closures.iter_rows(named=True)
        if inventory[c["case_id"]]["warrant_status"] == "active"
    }
    assert set(warrants["case_id"]) == expected_warrants
    for row in warrants.iter_rows(named=True):
        case = inventory[row["case_id"]]
        assert row["warrant_id"] == case["warrant_id"]
        serious = case["priority"] == "serious_inadmissibility"
        assert row["needs_supervisor"] == str(serious).lower()


def test_some_subject_land_records_are_in_local_time(made: Path) -> None:
    linked = _csv(made / "truth" / "exit_links.csv").filter(pl.col("exit_source") == "land")
    land = _csv(made / "land.csv").filter(
        pl.col("record_id").is_in(linked["exit_record_id"].to_list())
    )
    assert land["crossed_at"].str.ends_with(":00").any()
    assert land["crossed_at"].str.ends_with("Z").any()


def test_closed_and_stayed_cases_get_nothing(made: Path) -> None:
    inventory = _csv(made / "inventory.csv")
    quiet = set(inventory.filter(pl.col("inventory_status").is_in(["closed", "stayed"]))["case_id"])
    closed = set(inventory.filter(pl.col("inventory_status") == "closed")["case_id"])
    assert quiet
    for name in (
        "expected_closure_candidates",
        "expected_reentry_alerts",
        "expected_warrant_cancellations",
    ):
        assert not quiet & set(_csv(made / "truth" / f"{name}.csv")["case_id"]), name
    # A stayed case's departure is shown to an officer as an early departure; a closed
    # case's is not shown at all.
    early = _csv(made / "truth" / "expected_early_departures.csv")
    assert not closed & set(early["case_id"])
    cases = _csv(made / "truth" / "cases.csv")
    quiet_with_exit = cases.filter(
        pl.col("case_id").is_in(list(quiet)) & pl.col("scenarios").str.contains("exit_")
    )
    assert len(quiet_with_exit) > 0  # some of them did leave, and still get nothing


def test_every_scenario_appears(made: Path) -> None:
    tags = _tags(_csv(made / "truth" / "cases.csv")["scenarios"])
    assert {
        "left_qualifying",
        "left_before_order",
        "left_before_enforceable",
        "left_and_returned",
        "never_left",
        "closed",
        "stayed",
        "exit_land",
        "exit_air",
        "namesake",
        "prior_entry",
        "boundary_day",
    } <= tags


def test_variations_appear(made: Path) -> None:
    tags = _tags(_csv(made / "truth" / "exit_links.csv")["variations"])
    assert {
        "name_romanisation",
        "name_order_swap",
        "name_diacritics",
        "name_one_surname",
        "middle_name_differs",
        "name_typo",
        "case_aliases",
        "dob_placeholder",
        "dob_day_month_swap",
        "dob_year_off",
        "dob_partial",
        "dob_alt",
        "no_document_on_case",
        "doc_renewed",
        "doc_second_passport",
        "doc_ocr",
    } <= tags


def test_case_side_variations_are_recorded(made: Path) -> None:
    tags = _tags(_csv(made / "truth" / "cases.csv")["variations"])
    assert {"case_aliases", "alias_native_script", "dob_placeholder", "no_document_on_case"} <= tags


def test_statuses_orders_and_warrants_mix(made: Path) -> None:
    inventory = _csv(made / "inventory.csv")
    assert set(inventory["order_type"]) == {"departure", "exclusion", "deportation"}
    assert set(inventory["inventory_status"]) == {
        "wanted",
        "working",
        "monitoring",
        "stayed",
        "deferred",
        "suspended",
        "closed",
    }
    assert set(inventory["warrant_status"].drop_nulls()) == {"active", "executed", "cancelled"}
    assert inventory["warrant_id"].null_count() > 0


def test_planted_namesakes_are_listed_and_unlinked(made: Path) -> None:
    truth = made / "truth"
    decoys = _csv(truth / "decoy_exits.csv")
    namesake_cases = _csv(truth / "cases.csv").filter(pl.col("scenarios").str.contains("namesake"))
    assert len(decoys) == len(namesake_cases) > 0
    assert not set(decoys["exit_record_id"]) & set(_csv(truth / "exit_links.csv")["exit_record_id"])


def test_namesakes_look_alike_but_are_not_linked(tmp_path: Path) -> None:
    made = tmp_path
    scenarios = Scenarios(namesake=0.5)
    generate(SynthConfig(subjects=300, travellers=2000, seed=4, scenarios=scenarios), made)
    linked = set(_csv(made / "truth" / "exit_links.csv")["exit_record_id"])
    land = _csv(made / "land.csv")
    subjects = land.filter(pl.col("record_id").is_in(list(linked)))
    others = land.filter(~pl.col("record_id").is_in(list(linked)))
    twins = subjects.join(others, on=["surname", "date_of_birth"], suffix="_other")
    assert len(twins) > 0
    assert (twins["document_number"] != twins["document_number_other"]).all()


def test_parquet_output(tmp_path: Path) -> None:
    config = SynthConfig(subjects=80, travellers=800, seed=1, format="parquet")
    summary = generate(config, tmp_path)
    inventory = pl.read_parquet(tmp_path / "inventory.parquet")
    assert inventory.columns == contract_columns(Source.INVENTORY)
    assert inventory.schema["citizenships"] == pl.List(pl.Utf8)
    land = pl.read_parquet(tmp_path / "land.parquet")
    assert land.columns == contract_columns(Source.LAND)
    assert summary.files["land.parquet"] == len(land)
    loaded = ingest(Source.INVENTORY, [tmp_path / "inventory.parquet"])
    assert len(loaded.frame) + len(loaded.quarantine) == config.subjects


def test_paxlst_output_reads_back(tmp_path: Path) -> None:
    config = SynthConfig(subjects=50, travellers=1000, seed=2, paxlst=True, dirty_rate=0)
    summary = generate(config, tmp_path)
    edi = sorted((tmp_path / "air_paxlst").glob("*.edi"))
    assert edi
    loaded = ingest(Source.AIR, [tmp_path / "air_paxlst"])
    assert len(loaded.frame) == summary.files["air.csv"]


def test_config_is_strict() -> None:
    with pytest.raises(ValidationError):
        SynthConfig.model_validate({"subjects": 10, "unknown": 1})
    with pytest.raises(ValidationError):
        Scenarios(left_qualifying=0.9, closed=0.2)
    with pytest.raises(ValidationError):
        SynthConfig(history_start=date(2025, 1, 1), history_end=date(2024, 1, 1))
    config = SynthConfig(subjects=3, format="parquet")
    assert SynthConfig.model_validate_json(config.model_dump_json()) == config


def test_progress_is_reported(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    generate(
        SynthConfig(subjects=10, travellers=100, seed=4),
        tmp_path,
        lambda stage, done, total: seen.append((stage, done, total)),
    )
    assert {s for s, _, _ in seen} >= {"subjects", "land", "air"}
    assert all(done <= total for _, done, total in seen)
