"""Blocking: each pass finds the pairs it is for, and keys kept per record give the same
pairs as blocking everything at once."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from exitmatch.block.passes import (
    Pass,
    candidate_pairs,
    case_keys,
    common_keys,
    pairs_from_keys,
    record_keys,
)
from exitmatch.contract.codes import Source
from exitmatch.ingest.load import ingest
from exitmatch.link import Population, population, vectors_for
from exitmatch.normalize.features import travel_records
from exitmatch.synth.config import SynthConfig
from exitmatch.synth.generate import generate


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> Population:
    data = tmp_path_factory.mktemp("data")
    generate(SynthConfig(subjects=300, travellers=5000, seed=13), data)
    frames = {s: ingest(s, [data / f"{s.value}.csv"]).frame for s in Source}
    records = travel_records(frames[Source.LAND], frames[Source.AIR], frames[Source.ENTRIES])
    return population(frames[Source.INVENTORY], records)


def test_blocking_in_parts_equals_blocking_at_once(people: Population) -> None:
    whole = candidate_pairs(people.identities, people.records, cap=5)
    halves = people.records.with_columns(half=pl.col("rec") % 2)
    keys = record_keys(people.records)
    common = common_keys(keys, 5)
    parts = [
        pairs_from_keys(case_keys(people.identities), record_keys(part.drop("half")), common)
        for _, part in halves.group_by("half", maintain_order=True)
    ]
    joined = pl.concat(parts).sort("case_idx", "rec")
    assert joined.equals(whole)


def test_every_pass_finds_pairs(people: Population) -> None:
    pairs = candidate_pairs(people.identities, people.records)
    seen = pairs.select(pl.col("passes").bitwise_or()).item()
    for found_by in Pass:
        if found_by is not Pass.NAME_ONLY:  # needs a side without a birth year: below
            assert seen & int(found_by), found_by.name


def test_names_alone_block_where_one_side_has_no_birth_year(people: Population) -> None:
    case = people.identities.filter(
        pl.col("sur_phon1").is_not_null() & pl.col("giv_phon1").is_not_null()
    ).head(1)
    undated = case.with_columns(pl.lit(None, dtype=pl.Int16).alias("dob_year"))
    record = people.records.head(1).with_columns(
        sur_phon1=case["giv_phon1"], giv_phon1=case["sur_phon1"], dob_year=pl.lit(1970)
    )
    found = candidate_pairs(undated, record)
    assert found.height == 1 and found["passes"][0] & int(Pass.NAME_ONLY)
    # With a birth year on both sides 40 years apart, names alone do not block.
    dated = case.with_columns(dob_year=pl.lit(1930, dtype=pl.Int16))
    assert candidate_pairs(dated, record).is_empty()


def test_a_keying_error_in_the_document_still_blocks(people: Population) -> None:
    case = people.identities.filter(pl.col("doc_ocr").list.len() > 0).head(1)
    number = case["doc_ocr"][0][0]
    typo = number[:-2] + number[-1] + number[-2]  # two last characters swapped
    record = people.records.head(1).with_columns(
        doc_ocr=pl.lit(typo),
        doc_issuer=pl.lit(case["doc_issuers"][0][0]),
        dob_year=case["dob_year"],
    )
    pairs = candidate_pairs(case, record)
    assert pairs.height == 1
    assert pairs["passes"][0] & int(Pass.NEAR_DOCUMENT)


def _vectors_of_one_pair(
    people: Population, *, month: int, day: int, same_given_sound: bool = False
) -> tuple[int, int]:
    """The passes that pair one case identity with a record made to meet it in the
    broadest pass (the case's surname sound, birth year and given-name initial; no
    document), and how many comparison vectors the pair gets, with the record's date of
    birth set to the year and ``month`` and ``day``."""
    case = people.identities.filter(
        (pl.col("dob_month") > 2)
        & (pl.col("dob_day") > 2)
        & pl.col("sur_phon1").is_not_null()
        & pl.col("giv_phon1").is_not_null()
        & pl.col("giv_initial").is_not_null()
    ).head(1)
    schema = people.records.schema
    record = people.records.head(1).with_columns(
        sur_phon1=case["sur_phon1"],
        sur_initial=case["sur_initial"],
        giv_phon1=case["giv_phon1"] if same_given_sound else pl.lit("QQQQ"),
        giv_initial=case["giv_initial"],
        dob_year=case["dob_year"].cast(schema["dob_year"]),
        dob_month=pl.lit(month).cast(schema["dob_month"]),
        dob_day=pl.lit(day).cast(schema["dob_day"]),
        doc_number=pl.lit(None, dtype=schema["doc_number"]),
        doc_ocr=pl.lit(None, dtype=schema["doc_ocr"]),
    )
    pairs = candidate_pairs(case, record)
    assert pairs.height == 1
    vectors = vectors_for(dataclasses.replace(people, identities=case, records=record), pairs)
    return pairs["passes"][0], vectors.height


def test_broadest_pass_alone_is_not_compared_where_the_date_of_birth_contradicts(
    people: Population,
) -> None:
    # 2 February against a case date after February: the same year and nothing else.
    assert _vectors_of_one_pair(people, month=2, day=2) == (int(Pass.ONE_NAME_YEAR), 0)
    # A 1 January placeholder does not contradict: the pair is compared.
    assert _vectors_of_one_pair(people, month=1, day=1) == (int(Pass.ONE_NAME_YEAR), 1)
    # Found by another pass as well, the pair is compared whatever the date.
    passes, vectors = _vectors_of_one_pair(people, month=2, day=2, same_given_sound=True)
    assert passes & int(Pass.NAME_YEAR) and vectors == 1
