"""PAXLST manifests: the hand-written fixtures read to exact rows, broken files are refused,
and what the writer writes the reader reads back unchanged."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from exitmatch.contract.inputs import AirRecord
from exitmatch.errors import ContractError, SynthError
from exitmatch.ingest.paxlst import AIR_COLUMNS, read_paxlst
from exitmatch.synth.paxlst_writer import write_paxlst

FIXTURES = Path(__file__).parent.parent / "fixtures" / "paxlst"

Flight = tuple[str, str, str, str, str | None]

AC0856: Flight = ("AC", "0856", "YYZ", "2026-03-14T18:00:00Z", "LHR")
TS0710: Flight = ("TS", "0710", "YUL", "2026-07-02T22:15:00Z", "CDG")
WS0016: Flight = ("WS", "0016", "YYC", "2026-07-02T19:45:00Z", "LGW")
AC0870: Flight = ("AC", "0870", "YUL", "2026-11-01T07:35:00Z", "CDG")
F8501: Flight = ("F8", "501", "YVR", "2026-08-15T10:00:00Z", "YHZ")
WS0002: Flight = ("WS", "0002", "YYZ", "2026-09-20T15:30:00Z", "DUB")
PD0123: Flight = ("PD", "0123", "YTZ", "2026-12-05T08:00:00Z", "EWR")

# Per file: the flight, then per passenger "record_id|surname|given_names|date_of_birth|sex|
# nationality|document_type|document_number|document_country|_row" (empty = missing).
EXPECTED_ROWS: dict[str, list[tuple[Flight, str]]] = {
    "one_message.edi": [
        (AC0856, "AC0856-001|SINGH|HARPREET KAUR|1985-04-12|F|CAN|P|HJ482913|CAN|1/10"),
        (
            AC0856,
            "AC0856-002|TREMBLAY|JEAN-FRANCOIS MARIE JOSEPH|1963-01-01|M|CAN|P|GA190376|CAN|1/20",
        ),
        (AC0856, "AC0856-003|NGUYEN|MINH ANH|2015-07-30|F|VNM||||1/28"),
        (AC0856, "AC0856-004|OKAFOR|CHIDI|2026-03-01|M|NGA|P|A07733125|NGA|1/33"),
    ],
    "multi_message.edi": [
        (TS0710, "TS0710-17A|GAGNON|LUC|1926-08-01|M|CAN|P|AB123456|CAN|1/7"),
        (TS0710, "TRANSAT/TS26070201/M1/2|GAGNON|EMMA|2026-06-15|F|CAN|P|AB654321|CAN|1/14"),
        (TS0710, "TS0710-03C|BOUCHARD|MARIE THERESE|1948-02-29|F|CAN|P|HB300217|CAN|2/11"),
        (WS0016, "WS0016-22F|KOWALSKI|PIOTR|1979-09-23|M|POL|P|EM5501234|POL|3/7"),
    ],
    "release_character.edi": [
        (AC0870, "AC0870-R'01|O'BRIEN|SIOBHAN|1991-02-14|F|IRL|P|PX1234567|IRL|1/7"),
        (AC0870, "AC0870-R?02|MACDONALD+MACLEOD|ANGUS|1957-06-30|M|GBR|P|512345678|GBR|1/14"),
        (AC0870, "AC0870-R03|DUPONT|MARIE:CLAIRE ANNE|2000-01-01|F|FRA|P|18AB12345|FRA|1/21"),
    ],
    "custom_una.edi": [
        (F8501, "F8501-09|O'BRIEN|DECLAN|1982-01-01|M|CAN|P|GB112233|CAN|1/7"),
        (F8501, "F8501-10~A|ANDERSEN*LUND|KARI ÅSE|1993-05-17|F|NOR|P|36998877|NOR|1/14"),
    ],
    "malformed_segment.edi": [
        (WS0002, "WS0002-11A|MURPHY|AOIFE|1999-03-08|F|IRL|P|PK9081726|IRL|1/7"),
        (WS0002, "WS0002-14D|SOKOLOVA|IRINA|1981-11-30|F|UKR|P|FE123987|UKR|1/29"),
    ],
    "bad_flight.edi": [
        (PD0123, "PORTER/PD26120501/1/1|CHEN|WEI|1990-01-01|M|CHN|P|E12345678|CHN|1/7"),
    ],
}

BAD_FLIGHT = (
    "passenger not loaded: flight-level data unusable: departure time '05DEC261030' "
    "is not YYMMDDHHMM (201) or CCYYMMDDHHMM (203)"
)
EXPECTED_QUARANTINE: dict[str, list[tuple[str, str, str]]] = {
    "malformed_segment.edi": [
        (
            "1/15",
            "passenger at 1/14 not loaded: segment 1/15 is not a segment (its tag is not three "
            "capital letters): an unescaped terminator in the segment before can cause this",
            "NEILL:PATRICK'",
        ),
        (
            "1/24",
            "passenger at 1/22 not loaded: segment 1/24 has 2 data elements where DTM has at "
            "most 1: an unescaped data separator in a value?",
            "DTM+329:680827+1968'",
        ),
    ],
    "bad_flight.edi": [
        (
            "2/7",
            BAD_FLIGHT,
            "NAD+FL+++PATEL:RAVI'ATT+2++M'DTM+329:870412'NAT+2+IND'RFF+ABO:PD0125-04A'"
            "DOC+P:110:111+Z1234567'LOC+91+IND'",
        ),
        (
            "2/14",
            BAD_FLIGHT,
            "NAD+FL+++PATEL:ANJALI'ATT+2++F'DTM+329:890909'NAT+2+IND'RFF+ABO:PD0125-04B'",
        ),
    ],
}


def _expected_frame(rows: list[tuple[Flight, str]]) -> pl.DataFrame:
    records = []
    for flight, text in rows:
        *person, row = (value or None for value in text.split("|"))
        records.append((*person, *flight, row))
    return pl.DataFrame(
        records, schema=dict.fromkeys((*AIR_COLUMNS, "_row"), pl.Utf8), orient="row"
    )


@pytest.mark.parametrize("name", sorted(EXPECTED_ROWS))
def test_fixture_reads_to_exact_rows_and_quarantine(name: str) -> None:
    rows, quarantine = read_paxlst(FIXTURES / name)
    assert_frame_equal(rows, _expected_frame(EXPECTED_ROWS[name]))
    assert quarantine.columns == ["row", "reason", "raw"]
    assert quarantine.rows() == EXPECTED_QUARANTINE.get(name, [])


def test_air_columns_are_the_contract_columns() -> None:
    assert set(AIR_COLUMNS) == set(AirRecord.model_fields)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.edi", "the last segment has no terminator"),
        ("no_trailer.edi", "no UNZ interchange trailer"),
        ("not_edifact.edi", "not an EDIFACT interchange"),
    ],
)
def test_broken_fixture_raises_naming_the_file(name: str, message: str) -> None:
    path = FIXTURES / name
    with pytest.raises(ContractError, match=message) as caught:
        read_paxlst(path)
    assert caught.value.file == str(path)
    assert str(path) in str(caught.value)


# --- small interchanges written inline ---------------------------------------------------

FLIGHT_LEVEL = "TDT+20+AC0856+++AC'LOC+125+YYZ'DTM+189:2603141800:201'LOC+87+LHR'"


def _interchange(*messages: str, count: int | None = None, una: str = "") -> str:
    body = "".join(
        f"UNH+{i}+PAXLST:D:05B:UN:IATA'BGM+745'{m}UNT+9+{i}'" for i, m in enumerate(messages, 1)
    )
    n = len(messages) if count is None else count
    return f"{una}UNB+UNOA:4+AC:ZZ+CBSA:ZZ+260314:1700+REF1'{body}UNZ+{n}+REF1'"


def _read_text(tmp_path: Path, text: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    path = tmp_path / "manifest.edi"
    path.write_text(text, encoding="utf-8")
    return read_paxlst(path)


@pytest.mark.parametrize(
    ("dtm", "expected"),
    [
        ("DTM+329:850412'", "1985-04-12"),
        ("DTM+329:260301'", "2026-03-01"),  # born two weeks before the flight
        ("DTM+329:260314'", "2026-03-14"),  # born the day of the flight
        ("DTM+329:260315'", "1926-03-15"),  # a day later would be after departure
        ("DTM+329:000229'", "2000-02-29"),
        ("DTM+329:19260315:102'", "1926-03-15"),
        ("DTM+329:20010101:102'", "2001-01-01"),
        ("DTM+329:840000'", "1984-00-00"),  # partial dates keep their zeros
        ("DTM+329:850231'", "1985-02-31"),  # not a date: the validator sets it aside
        ("DTM+329:85O412'", "85O412"),  # not digits: passed on as sent
    ],
)
def test_century_of_two_digit_birth_years(tmp_path: Path, dtm: str, expected: str) -> None:
    rows, _ = _read_text(tmp_path, _interchange(f"{FLIGHT_LEVEL}NAD+FL+++DOE:JANE'{dtm}"))
    assert rows["date_of_birth"].to_list() == [expected]


@pytest.mark.parametrize(
    ("name", "surname", "given_names"),
    [
        ("NAD+FL+++O?'BRIEN:SEAN'", "O'BRIEN", "SEAN"),
        ("NAD+FL+++A?+B:C?:D:E'", "A+B", "C:D E"),
        ("NAD+FL+++QUE????:X?''", "QUE??", "X'"),
        ("NAD+FL+++:ANNA'", None, "ANNA"),
        ("NAD+FL+++DOE::JOHN::PAUL'", "DOE", "JOHN PAUL"),
        ("NAD+FL'", None, None),
    ],
)
def test_release_character_and_name_components(
    tmp_path: Path, name: str, surname: str | None, given_names: str | None
) -> None:
    rows, _ = _read_text(tmp_path, _interchange(FLIGHT_LEVEL + name))
    assert rows.select("surname", "given_names").rows() == [(surname, given_names)]


def test_una_separators_and_release_character(tmp_path: Path) -> None:
    # "!" is the release character here, so "?" is plain text.
    text = _interchange(f"{FLIGHT_LEVEL}NAD+FL+++D!'ARCY!+X?:Y!!Z'", una="UNA:+.! '")
    rows, _ = _read_text(tmp_path, text)
    assert rows.select("surname", "given_names").rows() == [("D'ARCY+X?", "Y!Z")]


def test_flight_level_variants(tmp_path: Path) -> None:
    # No carrier element in TDT; DTM+189 with the TDT and in CCYYMMDDHHMM; two legs.
    flight = "TDT+20+WS0016'DTM+189:202607021945:203'LOC+125+YVR'LOC+87+YYC'LOC+125+YYC'LOC+87+LGW'"
    rows, _ = _read_text(tmp_path, _interchange(f"{flight}NAD+FL+++DOE:JANE'RFF+ABO:R1'"))
    assert rows.select(AIR_COLUMNS[-5:]).rows() == [
        ("WS", "0016", "YYC", "2026-07-02T19:45:00Z", "LGW")
    ]


def test_crew_and_second_document_are_not_taken_for_the_passenger(tmp_path: Path) -> None:
    passenger = (
        "NAD+FL+++DOE:JANE'DOC+P:110:111+P1'LOC+91+CAN'DOC+V:110:111+V1'LOC+91+GBR'"
        "NAD+FM+++CREW:CARL'ATT+2++M'NAT+2+GBR'DOC+P:110:111+C1'"
    )
    rows, quarantine = _read_text(tmp_path, _interchange(FLIGHT_LEVEL + passenger))
    assert rows.select("surname", "sex", "nationality", "document_number").rows() == [
        ("DOE", None, None, "P1")
    ]
    assert rows["document_country"].to_list() == ["CAN"]
    assert quarantine.is_empty()


def test_message_level_problems_are_quarantined(tmp_path: Path) -> None:
    good = f"{FLIGHT_LEVEL}NAD+FL+++GOOD:ONE'"
    text = _interchange(good, count=3).replace(
        "UNZ+3",
        "NAD+FL+++STRAY'"  # outside any message
        "UNH+X+CUSRES:D:05B:UN'BGM+962'UNT+3+X'"  # not PAXLST
        f"UNH+Y+PAXLST:D:05B:UN:IATA'{good.replace('GOOD', 'CUT')}"  # no UNT
        "UNZ+3",
    )
    rows, quarantine = _read_text(tmp_path, text)
    assert rows["surname"].to_list() == ["GOOD"]
    assert quarantine.select("row", "raw").rows() == [
        ("0/10", "NAD+FL+++STRAY'"),
        ("2/1", "UNH+X+CUSRES:D:05B:UN'"),
        ("3/6", "NAD+FL+++CUT:ONE'"),
    ]
    assert "not PAXLST" in quarantine["reason"][1]
    assert "no UNT trailer" in quarantine["reason"][2]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not an EDIFACT interchange"),
        ("UNA:+", "UNA service string advice is cut short"),
        ("UNA::.? 'UNB+UNOA:4+A+B+1+R'UNZ+0+R'", "not distinct"),
        (_interchange(FLIGHT_LEVEL, count=2), "UNZ counts '2'"),
        (_interchange(FLIGHT_LEVEL).replace("UNZ+1+REF1", "UNZ+1+REF2"), "does not match"),
        (_interchange(FLIGHT_LEVEL) + "UNB+UNOA:4+A+B+1+R'", "segments follow the UNZ"),
        (_interchange(FLIGHT_LEVEL)[:-1] + "?", "no terminator"),
        ("UNB+UNOA:4+A:ZZ+B:ZZ+260314:1700'UNZ+0+'", "no interchange control reference"),
    ],
)
def test_broken_interchange_raises_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ContractError, match=message) as caught:
        _read_text(tmp_path, text)
    assert caught.value.file == str(tmp_path / "manifest.edi")


def test_latin1_declared_unoc_is_decoded(tmp_path: Path) -> None:
    text = _interchange(f"{FLIGHT_LEVEL}NAD+FL+++MÜLLER:JOSÉ'").replace("UNOA", "UNOC")
    path = tmp_path / "manifest.edi"
    path.write_bytes(text.encode("latin-1"))
    rows, _ = read_paxlst(path)
    assert rows.select("surname", "given_names").rows() == [("MÜLLER", "JOSÉ")]


# --- writer ------------------------------------------------------------------------------

NAME = st.text(alphabet="ABCÉŁ'+:? -", min_size=1, max_size=12)
CODE = st.sampled_from(["CAN", "GBR", "D", "X'Y"])
DOB = st.one_of(
    st.none(),
    st.dates(min_value=datetime(1900, 1, 1).date(), max_value=datetime(2030, 12, 31).date()).map(
        str
    ),
    st.sampled_from(["1984-00-00", "1984-07-00", "1945-04-93", "UNKNOWN"]),
)
DEPARTED = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=UTC)
)


@st.composite
def air_rows(draw: st.DrawFn) -> pl.DataFrame:
    flights = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["AC", "WS", "F8"]),
                st.from_regex(r"\d{1,4}", fullmatch=True),
                st.sampled_from(["YYZ", "YUL"]),
                DEPARTED,
                st.sampled_from(["LHR", "CDG", None]),
            ),
            min_size=1,
            max_size=3,
        )
    )
    count = draw(st.integers(min_value=0, max_value=12))
    records = []
    for i in range(count):
        carrier, number, airport, departed, destination = draw(st.sampled_from(flights))
        records.append(
            {
                "record_id": f"{i}-{draw(NAME)}",
                "surname": draw(st.none() | NAME),
                "given_names": draw(st.none() | NAME),
                "date_of_birth": draw(DOB),
                "sex": draw(st.sampled_from(["M", "F", "X", None])),
                "nationality": draw(st.none() | CODE),
                "document_type": draw(st.sampled_from(["P", "I", None])),
                "document_number": draw(st.none() | NAME),
                "document_country": draw(st.none() | CODE),
                "carrier": carrier,
                "flight_number": number,
                "departure_airport": airport,
                "departed_at": departed,
                "destination_airport": destination,
            }
        )
    schema = dict.fromkeys(AIR_COLUMNS, pl.Utf8) | {"departed_at": pl.Datetime("us", "UTC")}
    return pl.DataFrame(records, schema=schema)


@settings(max_examples=150, deadline=None)
@given(rows=air_rows(), per_message=st.integers(min_value=1, max_value=5))
def test_writer_then_reader_gives_the_rows_back(rows: pl.DataFrame, per_message: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "out.edi"
        write_paxlst(rows, path, interchange_ref="RT1", passengers_per_message=per_message)
        read, quarantine = read_paxlst(path)
    expected = rows.with_columns(pl.col("departed_at").dt.strftime("%Y-%m-%dT%H:%M:00Z"))
    assert quarantine.is_empty()
    assert_frame_equal(read.select(AIR_COLUMNS).sort("record_id"), expected.sort("record_id"))


def _flight_rows(n: int, departed: object) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "record_id": [f"R{i:03d}" for i in range(n)],
            "surname": ["O'BRIEN"] * n,
            "given_names": ["MARY ANN"] * n,
            "carrier": ["AC"] * n,
            "flight_number": ["0856"] * n,
            "departure_airport": ["YYZ"] * n,
            "departed_at": [departed] * n,
        }
    )


def test_writer_splits_flights_counts_segments_and_is_deterministic(tmp_path: Path) -> None:
    rows = _flight_rows(250, datetime(2026, 3, 14, 18, 0, tzinfo=UTC))
    first, second, text = tmp_path / "a.edi", tmp_path / "b.edi", tmp_path / "c.edi"
    write_paxlst(rows, first, interchange_ref="AC1")
    write_paxlst(rows, second, interchange_ref="AC1")
    as_text = rows.with_columns(pl.lit("2026-03-14T18:00:00Z").alias("departed_at"))
    write_paxlst(as_text, text, interchange_ref="AC1")
    assert first.read_bytes() == second.read_bytes() == text.read_bytes()

    lines = first.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "UNA:+.? '"
    assert lines[1] == "UNB+UNOA:4+EXITMATCH:ZZ+CBSAAPI:ZZ+260314:1800+AC1'"
    assert lines[-1] == "UNZ+3+AC1'"
    assert [ln for ln in lines if ln.startswith("CNT")] == ["CNT+42:100'"] * 2 + ["CNT+42:50'"]
    assert "NAD+FL+++O?'BRIEN:MARY:ANN'" in lines
    start = 0
    for i, line in enumerate(lines):
        if line.startswith("UNH"):
            start = i
        if line.startswith("UNT"):
            assert line.split("+")[1] == str(i - start + 1)
    read, _ = read_paxlst(first)
    assert read["_row"].to_list()[:2] == ["1/6", "1/8"]
    assert read["record_id"].to_list() == rows["record_id"].to_list()


def test_writer_leaves_rows_without_a_flight_for_the_reader_to_quarantine(tmp_path: Path) -> None:
    rows = _flight_rows(5, "2026-03-14T18:00:00Z").with_columns(
        pl.Series("carrier", ["AC", None, "AC", "AC", "AC"]),
        pl.Series("flight_number", ["0856", "0856", None, "0856", "0856"]),
        pl.Series("departure_airport", ["YYZ", "YYZ", "YYZ", None, "YYZ"]),
        pl.Series("departed_at", ["2026-03-14T18:00:00Z"] * 4 + ["2026-02-30T18:00:00Z"]),
    )
    path = tmp_path / "x.edi"
    write_paxlst(rows, path, interchange_ref="R")
    read, quarantine = read_paxlst(path)
    assert read["record_id"].to_list() == ["R000"]
    reasons = dict(
        zip(quarantine["raw"].str.extract(r"ABO:(R\d+)"), quarantine["reason"], strict=True)
    )
    assert sorted(reasons) == ["R001", "R002", "R003", "R004"]
    assert "no carrier" in reasons["R001"]
    assert "no flight" in reasons["R002"]
    assert "no departure airport" in reasons["R003"]
    assert "departure time '2026-02-30T18:00:00Z'" in reasons["R004"]


def test_writer_refuses_what_cannot_make_an_interchange(tmp_path: Path) -> None:
    rows = _flight_rows(2, datetime(2026, 3, 14, 18, 0, tzinfo=UTC))
    with pytest.raises(SynthError, match="lack column"):
        write_paxlst(rows.drop("departed_at"), tmp_path / "x.edi", interchange_ref="R")
    with pytest.raises(SynthError, match="Datetime or text"):
        write_paxlst(
            rows.with_columns(pl.lit(3).alias("departed_at")),
            tmp_path / "x.edi",
            interchange_ref="R",
        )
    with pytest.raises(SynthError, match="passengers_per_message"):
        write_paxlst(rows, tmp_path / "x.edi", interchange_ref="R", passengers_per_message=0)
    with pytest.raises(SynthError, match="interchange_ref"):
        write_paxlst(rows, tmp_path / "x.edi", interchange_ref="R" * 15)


def test_damaged_flight_level_quarantines_every_passenger(tmp_path: Path) -> None:
    # An unescaped apostrophe in the sender's contact name leaves a fragment at segment 4.
    text = _interchange(f"NAD+MS+++O'HARE DESK'{FLIGHT_LEVEL}NAD+FL+++A:B'NAD+FL+++C:D'")
    rows, quarantine = _read_text(tmp_path, text)
    assert rows.is_empty()
    assert quarantine["row"].to_list() == ["1/9", "1/10"]
    assert quarantine["reason"].str.contains("flight-level data unusable: segment 1/4 ").all()


def test_writer_with_no_rows_writes_an_empty_interchange(tmp_path: Path) -> None:
    path = tmp_path / "empty.edi"
    write_paxlst(_flight_rows(0, None).cast(pl.Utf8), path, interchange_ref="E1")
    assert path.read_text(encoding="utf-8").splitlines()[-1] == "UNZ+0+E1'"
    rows, quarantine = read_paxlst(path)
    assert rows.is_empty() and quarantine.is_empty()


@pytest.mark.parametrize(
    ("passenger", "row", "reason"),
    [
        ("NAD+FL+++A:B:C:D:E:F:G'", "1/7", "has 7 components in element 4 where at most 6"),
        ("NAD+FL+++A:B'XYZ+1'", "1/8", "has tag XYZ, which is not a PAXLST segment"),
        ("NAD+FL+++A:B'BGM+745'", "1/8", "is a BGM segment, which does not belong here"),
        ("NAD+FL+++A:B'RFF+ABO:1+2'", "1/8", "has 2 data elements where RFF has at most 1"),
    ],
)
def test_structural_problems_quarantine_only_their_passenger(
    tmp_path: Path, passenger: str, row: str, reason: str
) -> None:
    text = _interchange(f"{FLIGHT_LEVEL}{passenger}NAD+FL+++NEXT:ONE'")
    rows, quarantine = _read_text(tmp_path, text)
    assert rows["surname"].to_list() == ["NEXT"]
    assert quarantine["row"].to_list() == [row]
    assert reason in quarantine["reason"][0]
