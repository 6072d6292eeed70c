"""Vectorised validation: what is accepted, set aside or quarantined, and why; the
validate command's output files."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from exitmatch.contract.codes import Source
from exitmatch.contract.inputs import INPUT_MODELS
from exitmatch.contract.outputs import DataIssue, QuarantineRow, RunReport
from exitmatch.ingest.frames import CANONICAL
from exitmatch.ingest.load import ingest, run_validate, sort_rows
from exitmatch.ingest.validate import COLUMNS, WHITESPACE, validate

LAND = ["record_id", "surname", "given_name", "date_of_birth", "sex", "nationality"]
LAND += ["document_type", "document_number", "document_country", "crossed_at", "port"]


def _land(*rows: dict[str, str | None], file: str = "land.csv") -> pl.DataFrame:
    frame = pl.DataFrame(
        [{c: r.get(c) for c in LAND} for r in rows], schema=dict.fromkeys(LAND, pl.Utf8)
    )
    return frame.with_columns(
        pl.lit(file).alias("_file"),
        pl.Series("_row", [str(i) for i in range(1, len(rows) + 1)]),
    )


def _ok(**values: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "record_id": "L1",
        "surname": "Smith",
        "crossed_at": "2024-03-01T14:05:00Z",
        "port": "Lacolle",
    }
    row.update(values)
    return row


def _issues(result: Any) -> list[tuple[str, str, str]]:
    return [(i["column"], i["value"], i["reason"]) for i in result.issues.to_dicts()]


def test_whitespace_is_what_python_strips() -> None:
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    assert set(WHITESPACE) == set(every)


@pytest.mark.parametrize("source", list(Source), ids=lambda s: s.value)
def test_columns_are_the_contract_models_fields(source: Source) -> None:
    # Same columns; the order here is CONTRACT.md's (the models list inherited fields first).
    names = [c.name for c in COLUMNS[source]]
    assert sorted(names) == sorted(INPUT_MODELS[source.value].model_fields)
    assert names == [c for c in CANONICAL[source] if c in names]
    required = {n for n, f in INPUT_MODELS[source.value].model_fields.items() if f.is_required()}
    assert {c.name for c in COLUMNS[source] if c.required} == required


@pytest.mark.parametrize("source", list(Source), ids=lambda s: s.value)
def test_accepted_frame_is_canonical_even_when_empty(source: Source) -> None:
    names = [c.name for c in COLUMNS[source]]
    raw = pl.DataFrame(schema=dict.fromkeys([*names, "_file", "_row"], pl.Utf8))
    result = validate(source, raw)
    assert result.frame.schema == pl.Schema(CANONICAL[source])
    assert result.quarantine.columns == list(QuarantineRow.model_fields)
    assert result.issues.columns == list(DataIssue.model_fields)


def test_clean_row_canonical_values() -> None:
    raw = _land(
        _ok(
            record_id="  L1 ",
            surname=" Smith\x1f",
            date_of_birth="1984-07-00",
            sex=" f ",
            nationality="deu",
            document_country="d",
            crossed_at="2024-03-01 09:05:30.1234567-05",
        )
    )
    result = validate(Source.LAND, raw)
    assert result.quarantine.height == 0 and result.issues.height == 0
    row = result.frame.row(0, named=True)
    assert row["record_id"] == "L1" and row["surname"] == "Smith"
    assert (row["date_of_birth"], row["dob_year"], row["dob_month"], row["dob_day"]) == (
        "1984-07-00",
        1984,
        7,
        None,
    )
    assert (row["sex"], row["nationality"], row["document_country"]) == ("F", "DEU", "D")
    assert row["crossed_at"] == dt.datetime(2024, 3, 1, 14, 5, 30, 123456, tzinfo=dt.UTC)
    assert row["given_name"] is None  # absent column: null, not an error


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2024-03-01T14:05:00Z", dt.datetime(2024, 3, 1, 14, 5)),
        ("2024-03-01T14:05", dt.datetime(2024, 3, 1, 14, 5)),
        ("2024-03-01 14:05:00+05:30", dt.datetime(2024, 3, 1, 8, 35)),
        ("2024-03-01T14:05+0530", dt.datetime(2024, 3, 1, 8, 35)),
        ("2024-03-01T23:05-04", dt.datetime(2024, 3, 2, 3, 5)),
        ("2024-02-29T00:00:00.5Z", dt.datetime(2024, 2, 29, 0, 0, 0, 500000)),
        ("2024-03-01T14:05:07+0530", dt.datetime(2024, 3, 1, 8, 35, 7)),
        ("2024-03-01T14:05:07.12-0100", dt.datetime(2024, 3, 1, 15, 5, 7, 120000)),
        ("2024-03-01T14:05:07.1234567", dt.datetime(2024, 3, 1, 14, 5, 7, 123456)),
        ("1890-01-01T00:00:00+0530", dt.datetime(1889, 12, 31, 18, 30)),
    ],
)
def test_timestamps_to_utc(text: str, utc: dt.datetime) -> None:
    result = validate(Source.LAND, _land(_ok(crossed_at=text)))
    assert result.frame["crossed_at"].to_list() == [utc.replace(tzinfo=dt.UTC)]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("01/03/2024 14:05", "crossed_at: not an ISO 8601 timestamp"),
        ("2024-03-01", "crossed_at: not an ISO 8601 timestamp"),
        ("2024-03-01T14:05z", "crossed_at: not an ISO 8601 timestamp"),
        ("2023-02-29T14:05", "crossed_at: not a valid date and time"),
        ("2024-03-01T24:00", "crossed_at: not a valid date and time"),
        ("2024-03-01T14:05+24:00", "crossed_at: not a valid date and time"),
        ("0001-01-01T00:00+01:00", "crossed_at: not a valid date and time"),
        ("", "missing required value: crossed_at"),
    ],
)
def test_unusable_timestamps_are_quarantined(text: str, reason: str) -> None:
    result = validate(Source.LAND, _land(_ok(crossed_at=text)))
    assert result.frame.height == 0
    assert result.quarantine["reason"].to_list() == [reason]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"date_of_birth": "1945-04-93"}, ("date_of_birth", "1945-04-93", "day beyond")),
        ({"date_of_birth": "1900-02-29"}, ("date_of_birth", "1900-02-29", "day beyond")),
        ({"date_of_birth": "1984-00-07"}, ("date_of_birth", "1984-00-07", "without a month")),
        ({"date_of_birth": "1889-01-01"}, ("date_of_birth", "1889-01-01", "year outside")),
        ({"date_of_birth": "7/3/1984"}, ("date_of_birth", "7/3/1984", "YYYY-MM-DD")),
        ({"sex": "Q"}, ("sex", "Q", "sex must be M, F or X")),
        ({"nationality": "ZZZ"}, ("nationality", "ZZZ", "ICAO 9303")),
        ({"document_country": " xx "}, ("document_country", "xx", "ICAO 9303")),
    ],
)
def test_bad_optional_values_are_set_aside_and_the_row_kept(
    values: dict[str, str], expected: tuple[str, str, str]
) -> None:
    result = validate(Source.LAND, _land(_ok(**values)))
    assert result.frame.height == 1 and result.quarantine.height == 0
    [(column, value, reason)] = _issues(result)
    assert (column, value) == expected[:2] and expected[2] in reason
    assert result.frame[column].to_list() == [None]
    if column == "date_of_birth":
        assert result.frame.select("dob_year", "dob_month", "dob_day").row(0) == (None,) * 3


def test_feb_29_and_partial_dates_of_birth() -> None:
    rows = [
        _ok(record_id=f"L{i}", date_of_birth=dob)
        for i, dob in enumerate(["2000-02-29", "1984-00-00", "1984-02-00"])
    ]
    result = validate(Source.LAND, _land(*rows))
    assert result.issues.height == 0
    assert result.frame.select("dob_year", "dob_month", "dob_day").rows() == [
        (2000, 2, 29),
        (1984, None, None),
        (1984, 2, None),
    ]


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"surname": " ", "given_name": None}, "no surname, given name or document number"),
        ({"record_id": None}, "missing required value: record_id"),
        (
            {"record_id": "", "crossed_at": "soon", "port": None, "surname": None},
            "missing required value: record_id; crossed_at: not an ISO 8601 timestamp; "
            "missing required value: port; no surname, given name or document number",
        ),
    ],
)
def test_rows_that_cannot_be_used_are_quarantined_with_every_reason(
    values: dict[str, str | None], reason: str
) -> None:
    result = validate(Source.LAND, _land(_ok(**values)))
    assert result.frame.height == 0
    assert result.quarantine["reason"].to_list() == [reason]


def test_a_document_number_alone_identifies_a_traveller() -> None:
    result = validate(Source.LAND, _land(_ok(surname=None, document_number="G123")))
    assert result.frame.height == 1


def test_quarantine_shows_the_row_as_read() -> None:
    raw = _land(_ok(surname='Doe, "J"', crossed_at=" never "))
    result = validate(Source.LAND, raw, {"land.csv": ["record_id", "surname", "crossed_at"]})
    assert result.quarantine["raw"].to_list() == ['L1,"Doe, ""J""", never ']


def _inventory(**values: str | None) -> pl.DataFrame:
    row: dict[str, str | None] = {
        "case_id": "C1",
        "uci": "U1",
        "surname": "Garcia",
        "order_type": " Departure",
        "order_date": "2020-02-29",
        "inventory_status": "WANTED",
        "priority": "Serious_Inadmissibility",
    }
    row.update(values)
    names = [c.name for c in COLUMNS[Source.INVENTORY]]
    frame = pl.DataFrame([{c: row.get(c) for c in names}], schema=dict.fromkeys(names, pl.Utf8))
    return frame.with_columns(_file=pl.lit("inv.csv"), _row=pl.lit("1"))


def test_inventory_enums_lists_and_documents() -> None:
    raw = _inventory(
        aliases=" GARCIA LOPEZ, JUAN | |GARCIA, J ",
        alt_dates_of_birth="1984-07-00|1984-13-01",
        citizenships="mex|ZZZ|d",
        documents="p/mex/g12345678|P/ZZZ/1|nonsense",
        warrant_status="Active",
        enforceable_date="2020-02-30",
    )
    result = validate(Source.INVENTORY, raw)
    row = result.frame.row(0, named=True)
    assert (row["order_type"], row["inventory_status"], row["priority"]) == (
        "departure",
        "wanted",
        "serious_inadmissibility",
    )
    assert row["order_date"] == dt.date(2020, 2, 29)
    assert row["aliases"] == ["GARCIA LOPEZ, JUAN", "GARCIA, J"]
    assert row["alt_dates_of_birth"] == ["1984-07-00"]
    assert row["citizenships"] == ["MEX", "D"]
    assert row["documents"] == [{"type": "P", "issuer": "MEX", "number": "G12345678"}]
    assert row["warrant_status"] == "active"
    assert row["enforceable_date"] is None
    assert [(c, v) for c, v, _ in _issues(result)] == [
        ("alt_dates_of_birth", "1984-13-01"),
        ("citizenships", "ZZZ"),
        ("documents", "P/ZZZ/1"),
        ("documents", "nonsense"),
        ("enforceable_date", "2020-02-30"),
    ]


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"order_type": "removal"}, "order_type: not one of departure, exclusion, deportation"),
        ({"order_date": "2019-02-29"}, "order_date: not a calendar date of the form YYYY-MM-DD"),
        ({"surname": None, "given_names": ""}, "neither surname nor given_names"),
        ({"uci": "  "}, "missing required value: uci"),
    ],
)
def test_inventory_quarantine(values: dict[str, str | None], reason: str) -> None:
    result = validate(Source.INVENTORY, _inventory(**values))
    assert result.quarantine["reason"].to_list() == [reason]


def test_bad_warrant_status_is_set_aside() -> None:
    result = validate(Source.INVENTORY, _inventory(warrant_status="pending"))
    assert result.frame["warrant_status"].to_list() == [None]
    assert _issues(result) == [
        ("warrant_status", "pending", "not one of active, executed, cancelled")
    ]


def test_duplicates_across_files_keep_the_first() -> None:
    first = _land(_ok(record_id="L1"), _ok(record_id="L2"), file="a.csv")
    second = _land(_ok(record_id=" L1"), _ok(record_id="L3"), _ok(record_id="L1"), file="b.csv")
    result = validate(Source.LAND, pl.concat([first, second]))
    assert result.frame["record_id"].to_list() == ["L1", "L2", "L3"]
    assert result.frame["_file"].to_list() == ["a.csv", "a.csv", "b.csv"]
    quarantined = result.quarantine.sort("row")
    assert quarantined.select("file", "row", "reason").rows() == [
        ("b.csv", "1", "duplicate record_id, first seen at a.csv row 1"),
        ("b.csv", "3", "duplicate record_id, first seen at a.csv row 1"),
    ]


def test_a_quarantined_first_occurrence_does_not_shadow_a_good_one() -> None:
    raw = _land(_ok(record_id="L1", crossed_at="bad"), _ok(record_id="L1"))
    result = validate(Source.LAND, raw)
    assert result.frame["_row"].to_list() == ["2"]
    assert result.quarantine["reason"].to_list() == ["crossed_at: not an ISO 8601 timestamp"]


def test_duplicate_case_ids_in_the_inventory() -> None:
    raw = pl.concat([_inventory(), _inventory(uci="U2").with_columns(_row=pl.lit("2"))])
    result = validate(Source.INVENTORY, raw)
    assert result.frame.height == 1
    assert result.quarantine["reason"].to_list() == [
        "duplicate case_id, first seen at inv.csv row 1"
    ]


def test_sort_rows_orders_rows_by_number() -> None:
    frame = pl.DataFrame(
        {"source": ["air"] * 4, "file": ["m.edi"] * 4, "row": ["10", "2/14", "2/3", "9"]}
    )
    assert sort_rows(frame)["row"].to_list() == ["2/3", "2/14", "9", "10"]


def _write_land(folder: Path) -> None:
    folder.mkdir(parents=True)
    header = ",".join(LAND) + "\n"
    rows = [
        "L1,Smith,John,1945-04-93,Q,ZZZ,P,G1,MEX,2024-03-01T14:05:00Z,Lacolle",
        "L2,,,,,,,,,2024-03-01T14:05:00Z,Lacolle",
        "L3,Lee,,1980-01-01,M,CAN,P,X1,XYZ,not a time,Lacolle",
        "L1,Smith,John,,,,,,,2024-03-01T15:00:00Z,Lacolle",
    ] + [f"L{i},Name{i},,,,,,,,2024-03-01T14:05:00Z,P" for i in range(10, 22)]
    (folder / "a.csv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    (folder / "b.csv").write_bytes(header.encode() + b"L99,Gr\xfcn,,,,,,,,2024-03-01T14:05Z,P\n")


def test_run_validate_writes_outputs_and_report(tmp_path: Path) -> None:
    _write_land(tmp_path / "land")
    out = tmp_path / "out"
    report = run_validate({Source.LAND: [tmp_path / "land"]}, out)
    assert sorted(p.name for p in out.iterdir()) == [
        "data_issues.csv",
        "quarantine.csv",
        "run_report.json",
    ]
    with (out / "quarantine.csv").open(encoding="utf-8", newline="") as f:
        quarantine = list(csv.DictReader(f))
    assert list(quarantine[0]) == list(QuarantineRow.model_fields)
    assert [q["row"] for q in quarantine] == ["2", "3", "4"]
    assert quarantine[0]["raw"] == "L2,,,,,,,,,2024-03-01T14:05:00Z,Lacolle"
    with (out / "data_issues.csv").open(encoding="utf-8", newline="") as f:
        issues = list(csv.DictReader(f))
    assert list(issues[0]) == list(DataIssue.model_fields)
    assert [(i["row"], i["column"], i["value"]) for i in issues] == [
        ("1", "date_of_birth", "1945-04-93"),
        ("1", "sex", "Q"),
        ("1", "nationality", "ZZZ"),
    ]
    saved = RunReport.model_validate(json.loads((out / "run_report.json").read_text()))
    assert saved == report
    assert report.command == "validate"
    assert report.unreadable_files == 1
    [land] = report.sources
    assert (land.read, land.accepted, land.quarantined, land.data_issues) == (16, 13, 3, 3)
    assert land.read == land.accepted + land.quarantined
    assert [f.error is None for f in land.files] == [True, False]
    assert report.outputs == {"quarantine.csv": 3, "data_issues.csv": 3}
    assert {"read:land", "validate:land", "write"} <= set(report.timings_s)
    assert "Gr\xfcn" not in (out / "run_report.json").read_text(encoding="utf-8")


def test_run_validate_is_deterministic(tmp_path: Path) -> None:
    _write_land(tmp_path / "land")
    run_validate({Source.LAND: [tmp_path / "land"]}, tmp_path / "one")
    run_validate({Source.LAND: [tmp_path / "land"]}, tmp_path / "two")
    for name in ("quarantine.csv", "data_issues.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_ingest_counts_add_up_per_file(tmp_path: Path) -> None:
    _write_land(tmp_path / "land")
    loaded = ingest(Source.LAND, [tmp_path / "land"])
    for f in loaded.files:
        assert f.read == f.accepted + f.quarantined
    assert loaded.frame.schema == pl.Schema(CANONICAL[Source.LAND])
