"""The vectorised validator and the pydantic row models agree, on generated rows.

For every source: the model accepts a raw row iff the validator accepts it with no data
issues; when the validator keeps a row with issues, the model accepts the row once the
set-aside values are blanked (and produces the same canonical values); when the validator
quarantines a row, the model rejects it. Values mix valid and nasty ones: partial dates,
Feb 29, 00 parts, offsets, lowercase codes, white space, empty strings, bad codes.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from exitmatch.contract.codes import Source
from exitmatch.contract.inputs import INPUT_MODELS
from exitmatch.contract.values import split_list
from exitmatch.ingest.formats import RAW_LINE, read_raw
from exitmatch.ingest.validate import COLUMNS, Column, Kind, validate

Row = dict[str, str | None]

# White space Python strips, including the separators Unicode does not call white space.
_SPACE = st.sampled_from(["", "", "", " ", "  ", "\t", "\x1f", "\u3000", "\xa0", "\n"])


def _padded(core: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda a, v, b: a + v + b, _SPACE, core, _SPACE)


def _maybe(core: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    blank = st.one_of(st.none(), st.sampled_from(["", " ", "\t"]))
    return st.integers(0, 5).flatmap(lambda n: blank if n == 0 else _padded(core))


_NAME = st.text(
    alphabet=st.sampled_from([*"abcXYZ-' éßıſﬁ,", "\u0130", "\u212a", "Ю"]),
    min_size=1,
    max_size=8,
)
_YEAR = st.one_of(
    st.sampled_from([1889, 1890, 1900, 1984, 2000, 2024, 2099, 2100, 1000, 2999]),
    st.integers(1000, 2999),
)
_MONTH = st.integers(0, 13)
_DAY = st.integers(0, 32)


@st.composite
def _date_text(draw: st.DrawFn) -> str:
    y, m, d = draw(_YEAR), draw(_MONTH), draw(_DAY)
    if draw(st.integers(0, 9)) == 0:
        return draw(
            st.sampled_from([f"{y}-{m}-{d}", f"{y}{m:02}{d:02}", "abcd-ef-gh", "0000-01-01"])
        )
    if draw(st.booleans()):
        d = 29 if draw(st.booleans()) else d
        m = 2 if d == 29 else m
    return f"{y:04}-{m:02}-{d:02}"


@st.composite
def _timestamp_text(draw: st.DrawFn) -> str:
    day = draw(_date_text())
    sep = draw(st.sampled_from(["T", " ", "T", "t", "x"]))
    hour, minute = draw(st.integers(0, 25)), draw(st.integers(0, 61))
    text = f"{day}{sep}{hour:02}:{minute:02}"
    if draw(st.booleans()):
        text += f":{draw(st.integers(0, 61)):02}"
        if draw(st.booleans()):
            text += "." + "".join(
                draw(st.lists(st.sampled_from("0123456789"), min_size=1, max_size=10))
            )
    offset = draw(
        st.sampled_from(
            [
                "",
                "",
                "Z",
                "z",
                "+05:30",
                "+0530",
                "+05",
                "-04:00",
                "-24:00",
                "+23:59",
                "+05:3",
                "+05:60",
            ]
        )
    )
    return text + offset


_CODES = ["MEX", "mex", "D", "d", "DEU", "XXA", "uNk", "GBD", "CAN", "ZZZ", "XX", "de", "ǅ", "ß"]
_COUNTRY = st.sampled_from(_CODES)
_SEX = st.sampled_from(["M", "m", "F", "f", "X", "x", "Q", "MF", "ß"])
_DOCUMENT = st.builds(
    lambda t, i, n, sep: f"{t}{sep}{i}{sep}{n}",
    st.sampled_from(["P", "p", "PR", "EDL", "NEXUS", "TOOLONG", ""]),
    _COUNTRY,
    st.text(alphabet=st.sampled_from(list("AZaz09< -ıſ_")), min_size=0, max_size=12),
    st.sampled_from(["/", "/", "/", "-"]),
)


def _list_of(item: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    joined = st.lists(st.one_of(_padded(item), st.sampled_from(["", " "])), max_size=4).map(
        "|".join
    )
    return st.one_of(st.none(), joined)


def _enum_value(values: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(values),
        st.sampled_from(values).map(str.upper),
        st.sampled_from(values).map(str.title),
        st.sampled_from(["bogus", "act ive", "wanted!"]),
    )


_VALID_DATE = st.dates(dt.date(1890, 1, 1), dt.date(2099, 12, 31)).map(dt.date.isoformat)
_VALID_PARTIAL = st.builds(
    lambda d, cut: d[:5] + "00-00" if cut == 2 else (d[:8] + "00" if cut == 1 else d),
    _VALID_DATE,
    st.integers(0, 4),
)
_VALID_TIMESTAMP = st.builds(
    lambda moment, sep, offset: moment.isoformat(sep=sep) + offset,
    st.datetimes(dt.datetime(1970, 1, 1), dt.datetime(2099, 12, 31)),
    st.sampled_from(["T", " "]),
    st.sampled_from(["", "Z", "+05:30", "-0400", "+01"]),
)
_VALID_DOCUMENT = st.builds(
    lambda t, i, n: f"{t}/{i}/{n}",
    st.sampled_from(["P", "pr", "EDL"]),
    st.sampled_from(["MEX", "d", "XXA"]),
    st.from_regex(r"[A-Z0-9]{1,9}", fullmatch=True),
)


def _mostly(valid: st.SearchStrategy[str], nasty: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    # Three in four values valid, so that clean rows, rows with issues and quarantined rows
    # all turn up often.
    return st.integers(0, 3).flatmap(lambda n: nasty if n == 0 else valid)


def _value(column: Column) -> st.SearchStrategy[str | None]:
    kind = column.kind
    if kind is Kind.TEXT:
        return _maybe(_NAME)
    if kind is Kind.NAMES:
        return _list_of(_NAME)
    if kind is Kind.PARTIAL_DATE:
        return _maybe(_mostly(_VALID_PARTIAL, _date_text()))
    if kind is Kind.PARTIAL_DATES:
        return _list_of(_mostly(_VALID_PARTIAL, _date_text()))
    if kind is Kind.DATE:
        return _maybe(_mostly(_VALID_DATE, _date_text()))
    if kind is Kind.TIMESTAMP:
        return _maybe(_mostly(_VALID_TIMESTAMP, _timestamp_text()))
    if kind is Kind.SEX:
        return _maybe(_mostly(st.sampled_from(["M", "f", "x"]), _SEX))
    if kind is Kind.COUNTRY:
        return _maybe(_mostly(st.sampled_from(["MEX", "deu", "D", "XXA"]), _COUNTRY))
    if kind is Kind.COUNTRIES:
        return _list_of(_mostly(st.sampled_from(["MEX", "deu", "D", "XXA"]), _COUNTRY))
    if kind is Kind.DOCUMENTS:
        return _list_of(_mostly(_VALID_DOCUMENT, _DOCUMENT))
    return _maybe(_mostly(st.sampled_from(column.values), _enum_value(column.values)))


def _rows(source: Source) -> st.SearchStrategy[list[Row]]:
    columns = COLUMNS[source]
    row = st.fixed_dictionaries({c.name: _value(c) for c in columns})

    def unique_keys(rows: list[Row]) -> list[Row]:
        # Keys made unique so that every row is judged on its own values; duplicates have
        # their own tests. Blank keys stay blank.
        key = "case_id" if source is Source.INVENTORY else "record_id"
        for i, r in enumerate(rows):
            value = r[key]
            if value is not None and value.strip():
                r[key] = f"{value}#{i}"
        return rows

    return st.lists(row, min_size=1, max_size=12).map(unique_keys)


def _frame(source: Source, rows: list[Row]) -> pl.DataFrame:
    names = [c.name for c in COLUMNS[source]]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.Utf8), orient="row")
    return frame.with_columns(
        pl.lit("gen.csv").alias("_file"),
        pl.Series("_row", [str(i) for i in range(1, len(rows) + 1)]),
    )


def _model(source: Source, row: Row) -> BaseModel | None:
    try:
        return INPUT_MODELS[source.value].model_validate(row)
    except ValidationError:
        return None


def _blanked(source: Source, row: Row, issues: list[dict[str, Any]]) -> Row:
    kinds = {c.name: c.kind for c in COLUMNS[source]}
    out = dict(row)
    for issue in issues:
        column = issue["column"]
        if kinds[column] in (Kind.NAMES, Kind.PARTIAL_DATES, Kind.COUNTRIES, Kind.DOCUMENTS):
            kept = [item for item in split_list(out[column]) if item != issue["value"]]
            out[column] = "|".join(kept)
        else:
            out[column] = None
    return out


def _same_values(source: Source, model: BaseModel, accepted: dict[str, Any]) -> None:
    for column in COLUMNS[source]:
        expected = getattr(model, column.name)
        got = accepted[column.name]
        if column.kind is Kind.DATE and got is not None:
            got = got.isoformat()
        if column.kind is Kind.DOCUMENTS:
            got = ["/".join((d["type"], d["issuer"], d["number"])) for d in got]
        if column.kind is Kind.TIMESTAMP:
            assert isinstance(expected, dt.datetime)
        assert got == expected, column.name
    if "date_of_birth" in accepted and accepted["date_of_birth"] is not None:
        y, m, d = (int(p) for p in accepted["date_of_birth"].split("-"))
        assert (accepted["dob_year"], accepted["dob_month"], accepted["dob_day"]) == (
            y,
            m or None,
            d or None,
        )


def _check_agreement(source: Source, rows: list[Row]) -> None:
    result = validate(source, _frame(source, rows))
    accepted = {r["_row"]: r for r in result.frame.to_dicts()}
    quarantined = set(result.quarantine["row"].to_list())
    issues: dict[str, list[dict[str, Any]]] = {}
    for issue in result.issues.to_dicts():
        issues.setdefault(issue["row"], []).append(issue)
    assert len(accepted) + len(quarantined) == len(rows)
    for i, row in enumerate(rows, start=1):
        key = str(i)
        model = _model(source, row)
        if key in quarantined:
            assert model is None, f"validator quarantined, model accepted: {row}"
        elif key in issues:
            assert model is None, f"validator set aside values, model accepted: {row}"
            repaired = _model(source, _blanked(source, row, issues[key]))
            assert repaired is not None, f"model rejects the blanked row: {row} {issues[key]}"
            _same_values(source, repaired, accepted[key])
        else:
            assert model is not None, f"validator accepted, model rejected: {row}"
            _same_values(source, model, accepted[key])


_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("source", list(Source), ids=lambda s: s.value)
def test_validator_agrees_with_models(source: Source) -> None:
    @_SETTINGS
    @given(_rows(source))
    def check(rows: list[Row]) -> None:
        _check_agreement(source, rows)

    check()


# Two cases the contract once got wrong (any script's digits matched \d; an offset carrying
# a time past year 1 raised OverflowError instead of rejecting the row): both sides agree now.


def test_non_ascii_digits_in_a_date_of_birth() -> None:
    row: Row = {"record_id": "r1", "surname": "A", "crossed_at": "2024-01-01T00:00Z", "port": "P"}
    row["date_of_birth"] = "١٩٨٤-٠٧-٠٣"
    _check_agreement(Source.LAND, [row])


@pytest.mark.parametrize("moment", ["0001-01-01T00:00+01:00", "9999-12-31T23:59-00:01"])
def test_timestamp_carried_past_the_calendar_by_its_offset(moment: str) -> None:
    row: Row = {"record_id": "r1", "surname": "A", "port": "P", "crossed_at": moment}
    _check_agreement(Source.LAND, [row])


# The readers lose nothing: any text written by a standard CSV or JSON writer reads back
# exactly (CSV cannot tell an empty value from a missing one; both read as missing).

_CELL = st.one_of(
    st.none(),
    st.text(
        alphabet=st.sampled_from([*"aZ09 ,;|\"'\t\n\r-/:", "é", "Ю", "中", "\u3000", "\x1f"]),
        max_size=8,
    ),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_CELL, _CELL, _CELL), min_size=1, max_size=8))
def test_csv_reads_back_what_a_csv_writer_wrote(
    tmp_path_factory: pytest.TempPathFactory, cells: list[tuple[str | None, ...]]
) -> None:
    path = tmp_path_factory.mktemp("csv") / "land.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["record_id", "surname", "crossed_at", "port"])
        writer.writerows([(str(i), *row) for i, row in enumerate(cells)])
    frame = read_raw(path, Source.LAND).frame
    assert frame["record_id"].to_list() == [str(i) for i in range(len(cells))]
    for j, name in enumerate(["surname", "crossed_at", "port"]):
        assert frame[name].to_list() == [row[j] or None for row in cells]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_CELL, _CELL, _CELL), min_size=1, max_size=8))
def test_json_lines_read_back_what_a_json_writer_wrote(
    tmp_path_factory: pytest.TempPathFactory, cells: list[tuple[str | None, ...]]
) -> None:
    path = tmp_path_factory.mktemp("jsonl") / "land.jsonl.gz"
    names = ["surname", "crossed_at", "port"]
    lines = [
        json.dumps({"record_id": str(i), **dict(zip(names, row, strict=True))})
        for i, row in enumerate(cells)
    ]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8")))
    frame = read_raw(path, Source.LAND).frame
    assert frame[RAW_LINE].to_list() == lines
    for j, name in enumerate(names):
        assert frame[name].to_list() == [row[j] for row in cells]
