"""Reading input files: every format, gzip, folders, and files that cannot be read at all."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
from pathlib import Path

import polars as pl
import pytest

from exitmatch.contract.codes import Source
from exitmatch.errors import ContractError
from exitmatch.ingest.formats import RAW_LINE, file_format, find_inputs, read_raw
from exitmatch.ingest.load import ingest

LAND_HEADER = "record_id,surname,given_name,date_of_birth,crossed_at,port\n"
LAND_ROWS = (
    "L1,Smith,John,1980-01-02,2024-03-01T14:05:00Z,Lacolle\n"
    'L2,"O\'Brien, Jr",Ann,1945-04-93,2024-03-01 09:05-05:00,Lacolle\n'
)


def _write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _land_jsonl() -> str:
    rows = [
        {"record_id": "J1", "surname": "Smith", "crossed_at": "2024-03-01T14:05:00Z", "port": "P"},
        {"record_id": 2, "surname": "Lee", "crossed_at": "2024-03-01T14:05:00Z", "port": "P"},
    ]
    return "".join(json.dumps(r) + "\n" for r in rows)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.csv", "csv"),
        ("A.CSV.GZ", "csv.gz"),
        ("a.parquet", "parquet"),
        ("a.jsonl", "jsonl"),
        ("a.ndjson", "jsonl"),
        ("a.jsonl.gz", "jsonl.gz"),
        ("a.ndjson.gz", "jsonl.gz"),
        ("a.edi", "paxlst"),
        ("a.paxlst", "paxlst"),
        ("a.txt", None),
        ("a.gz", None),
    ],
)
def test_file_format_by_extension(name: str, expected: str | None) -> None:
    assert file_format(Path(name)) == expected


def test_csv_reads_every_value_as_text_with_provenance(tmp_path: Path) -> None:
    path = _write(tmp_path / "land.csv", LAND_HEADER + LAND_ROWS)
    raw = read_raw(path, Source.LAND)
    assert raw.format == "csv"
    assert raw.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert all(dtype == pl.Utf8 for dtype in raw.frame.dtypes)
    assert raw.frame["_row"].to_list() == ["1", "2"]
    assert raw.frame["_file"].unique().to_list() == [str(path)]
    assert raw.frame["surname"].to_list() == ["Smith", "O'Brien, Jr"]
    assert raw.columns == (
        "record_id",
        "surname",
        "given_name",
        "date_of_birth",
        "crossed_at",
        "port",
    )


def test_csv_header_ignores_case_and_space_and_a_bom(tmp_path: Path) -> None:
    text = "\ufeff Record_ID ,SURNAME,crossed_at,port\nL1,Smith,2024-03-01T14:05:00Z,P\n"
    raw = read_raw(_write(tmp_path / "land.csv", text), Source.LAND)
    assert raw.columns == ("record_id", "surname", "crossed_at", "port")


def test_gzip_csv_digest_is_of_the_compressed_bytes(tmp_path: Path) -> None:
    path = _write(tmp_path / "land.csv.gz", gzip.compress((LAND_HEADER + LAND_ROWS).encode()))
    raw = read_raw(path, Source.LAND)
    assert raw.frame.height == 2
    assert raw.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", ["land.jsonl", "land.ndjson", "land.jsonl.gz", "land.ndjson.gz"])
def test_json_lines_keep_the_original_line(tmp_path: Path, name: str) -> None:
    text = _land_jsonl()
    data = gzip.compress(text.encode()) if name.endswith(".gz") else text.encode()
    raw = read_raw(_write(tmp_path / name, data), Source.LAND)
    assert raw.frame["record_id"].to_list() == ["J1", "2"]  # a number read as text
    assert raw.frame[RAW_LINE].to_list() == text.splitlines()
    assert raw.frame["_row"].to_list() == ["1", "2"]


def test_json_lines_blank_lines_skipped_rows_keep_their_line_number(tmp_path: Path) -> None:
    lines = _land_jsonl().splitlines()
    raw = read_raw(_write(tmp_path / "a.jsonl", f"{lines[0]}\n\n{lines[1]}\n"), Source.LAND)
    assert raw.frame["_row"].to_list() == ["1", "3"]


def test_json_lines_real_lists_are_joined(tmp_path: Path) -> None:
    row = {
        "case_id": "C1",
        "uci": "U1",
        "surname": "A",
        "citizenships": ["MEX", "USA"],
        "order_type": "departure",
        "order_date": "2020-01-01",
        "inventory_status": "wanted",
        "priority": "other",
    }
    raw = read_raw(_write(tmp_path / "inv.jsonl", json.dumps(row) + "\n"), Source.INVENTORY)
    assert raw.frame["citizenships"].to_list() == ["MEX|USA"]


def test_parquet_typed_columns_become_text(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "record_id": [1, 2],
            "surname": ["A", None],
            "date_of_birth": [dt.date(1980, 1, 2), None],
            "crossed_at": [
                dt.datetime(2024, 3, 1, 14, 5, 0, 250000, tzinfo=dt.UTC),
                dt.datetime(2024, 3, 1, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
            ],
            "port": ["P", "Q"],
            "aliases": [["X, Y", "Z"], []],
        }
    )
    path = tmp_path / "land.parquet"
    frame.write_parquet(path)
    raw = read_raw(path, Source.LAND)
    assert all(dtype == pl.Utf8 for dtype in raw.frame.dtypes)
    assert raw.frame["record_id"].to_list() == ["1", "2"]
    assert raw.frame["date_of_birth"].to_list() == ["1980-01-02", None]
    assert raw.frame["crossed_at"].to_list() == [
        "2024-03-01T14:05:00.250+00:00",
        "2024-03-01T14:05:00+00:00",
    ]
    assert raw.frame["aliases"].to_list() == ["X, Y|Z", ""]


def test_parquet_documents_as_structs_read_back_as_type_issuer_number(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {"documents": [[{"type": "P", "issuer": "MEX", "number": "G1"}]], "surname": ["A"]}
    )
    frame = frame.with_columns(
        case_id=pl.lit("C1"),
        uci=pl.lit("U1"),
        order_type=pl.lit("departure"),
        order_date=pl.lit(dt.date(2020, 1, 1)),
        inventory_status=pl.lit("wanted"),
        priority=pl.lit("other"),
    )
    path = tmp_path / "inv.parquet"
    frame.write_parquet(path)
    raw = read_raw(path, Source.INVENTORY)
    assert raw.frame["documents"].to_list() == ["P/MEX/G1"]


def test_folder_holds_every_input_file_sorted_by_name(tmp_path: Path) -> None:
    for name in ["b.csv", "a.jsonl.gz", "c.parquet", "notes.txt", "d.ndjson"]:
        _write(tmp_path / "in" / name, "")
    (tmp_path / "in" / "sub.csv").mkdir()
    found = find_inputs([tmp_path / "in"])
    assert [p.name for p in found] == ["a.jsonl.gz", "b.csv", "c.parquet", "d.ndjson"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("latin1.csv", LAND_HEADER.encode() + "L1,Müller,,,x,P\n".encode("latin-1"), "UTF-8"),
        ("empty.csv", b"", "empty file"),
        ("blank.jsonl", b"\n\n", "empty file"),
        ("semicolon.csv", b"record_id;surname;crossed_at;port\nL1;A;x;P\n", "delimiter ','"),
        ("tabs.csv", b"record_id\tsurname\tcrossed_at\tport\nL1\tA\tx\tP\n", "delimiter ','"),
        ("no_port.csv", b"record_id,surname,crossed_at\nL1,A,x\n", "missing required column"),
        ("no_names.csv", b"record_id,crossed_at,port\nL1,x,P\n", "identity columns"),
        ("twice.csv", b"record_id,surname,Surname,crossed_at,port\n", "appears twice"),
        ("same.csv", b"record_id,port,surname,crossed_at,port\n", "'port' appears twice"),
        ("reserved.csv", b"record_id,surname,crossed_at,port,_row\n", "'_row' is reserved"),
        ("reserved.jsonl", b'{"record_id": "1", "surname": "A", "__t_port": "x"}\n', "reserved"),
        ("ragged.csv", LAND_HEADER.encode() + b"L1,A,B,C,D,E,F,G\n", "not a readable CSV"),
        ("bad.jsonl", b'{"record_id": "1"}\n{"record_id": \n', "line 2 is not valid JSON"),
        ("array.jsonl", b'{"record_id": "1"}\n[1, 2]\n', "line 2"),
        ("bad.parquet", b"PAR1 not really", "Parquet"),
        ("land.txt", b"record_id\n", "not an input file"),
    ],
)
def test_unreadable_files_raise_contract_error_naming_the_file(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = _write(tmp_path / name, data)
    with pytest.raises(ContractError, match=message) as info:
        read_raw(path, Source.LAND)
    assert info.value.file == str(path)
    assert "Müller" not in str(info.value)  # no personal data in the message


def test_truncated_gzip_is_a_file_error(tmp_path: Path) -> None:
    whole = gzip.compress((LAND_HEADER + LAND_ROWS * 50).encode())
    path = _write(tmp_path / "land.csv.gz", whole[: len(whole) // 2])
    with pytest.raises(ContractError, match="gzip"):
        read_raw(path, Source.LAND)


def test_missing_file_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="no such file"):
        read_raw(tmp_path / "absent.csv", Source.LAND)


def test_paxlst_only_for_air(tmp_path: Path) -> None:
    path = _write(tmp_path / "m.edi", "UNA:+.? '")
    with pytest.raises(ContractError, match="air"):
        read_raw(path, Source.LAND)


def test_a_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    folder = tmp_path / "land"
    _write(folder / "a.csv", LAND_HEADER + LAND_ROWS)
    _write(folder / "b.csv", LAND_HEADER.encode() + b"L9,M\xfcller,,,2024-01-01T00:00Z,P\n")
    whole = gzip.compress(_land_jsonl().encode())
    _write(folder / "c.jsonl.gz", whole[:-12])
    _write(folder / "d.jsonl", _land_jsonl())
    loaded = ingest(Source.LAND, [folder])
    by_name = {Path(f.file).name: f for f in loaded.files}
    assert list(by_name) == ["a.csv", "b.csv", "c.jsonl.gz", "d.jsonl"]
    assert by_name["b.csv"].error is not None and "UTF-8" in by_name["b.csv"].error
    assert by_name["c.jsonl.gz"].error is not None and "gzip" in by_name["c.jsonl.gz"].error
    assert by_name["b.csv"].sha256 is not None and by_name["b.csv"].read == 0
    assert (by_name["a.csv"].read, by_name["a.csv"].accepted) == (2, 2)
    assert by_name["a.csv"].data_issues == 1  # 1945-04-93
    assert (by_name["d.jsonl"].read, by_name["d.jsonl"].accepted) == (2, 2)
    counts = loaded.counts()
    assert counts.read == counts.accepted + counts.quarantined == 4
    assert loaded.frame.height == 4


def test_an_empty_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    loaded = ingest(Source.LAND, [tmp_path / "nothing"])
    assert loaded.frame.height == 0
    assert [f.error for f in loaded.files] == ["the folder holds no input files"]


def test_the_same_file_given_twice_is_read_once(tmp_path: Path) -> None:
    path = _write(tmp_path / "land" / "a.csv", LAND_HEADER + LAND_ROWS)
    loaded = ingest(Source.LAND, [path, tmp_path / "land"])
    assert [f.read for f in loaded.files] == [2]
    assert loaded.quarantine.height == 0


def test_paxlst_manifests_load_as_air_with_counts_that_add_up() -> None:
    folder = Path(__file__).parent.parent / "fixtures" / "paxlst"
    loaded = ingest(Source.AIR, [folder])
    assert {f.format for f in loaded.files} == {"paxlst"}
    for f in loaded.files:
        assert f.read == f.accepted + f.quarantined
    counts = loaded.counts()
    assert counts.read == counts.accepted + counts.quarantined
    assert loaded.frame.height == counts.accepted > 0
    assert all("/" in row for row in loaded.quarantine["row"].to_list())  # message/segment


def test_files_delivered_before_are_skipped_by_digest(tmp_path: Path) -> None:
    old = _write(tmp_path / "land" / "a.csv", LAND_HEADER + LAND_ROWS)
    _write(tmp_path / "land" / "b.jsonl", _land_jsonl())
    digest = hashlib.sha256(old.read_bytes()).hexdigest()
    loaded = ingest(Source.LAND, [tmp_path / "land"], skip=frozenset({digest}))
    assert [Path(f.file).name for f in loaded.files] == ["b.jsonl"]
    assert loaded.frame["_file"].unique().to_list() == [str(tmp_path / "land" / "b.jsonl")]
