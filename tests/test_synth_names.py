"""Name spellings and record distortions used by exitmatch synth are the real ones."""

from __future__ import annotations

import random
from datetime import date

import pytest

from exitmatch.synth import variations as vary
from exitmatch.synth.config import Scenarios, SynthConfig
from exitmatch.synth.names import arabic, chinese, cyrillic
from exitmatch.synth.names.latin import icao_latin, plain_upper
from exitmatch.synth.names.pools import build_pools
from exitmatch.synth.scenarios import make_subject


def test_cyrillic_passport_and_case_file_spellings_differ() -> None:
    forms = dict(cyrillic.russian_forms("Юрий"))
    assert forms["icao_9303"] == "IURII"
    assert forms["mvd_310"] == "YURIY"
    assert "YURY" in forms.values()
    assert cyrillic.russian_forms("Юрий")[0] == ("icao_9303", "IURII")  # passport first


def test_ukrainian_passports_follow_kmu_2010() -> None:
    assert cyrillic.kmu_2010("Юрій") == "YURII"
    assert cyrillic.kmu_2010("Євгенія") == "YEVHENIIA"
    assert cyrillic.kmu_2010("Згурський") == "ZGHURSKYI"
    spellings = [f for _, f in cyrillic.ukrainian_forms("Юрій")]
    assert spellings[0] == "YURII" and "YURIY" in spellings


@pytest.mark.parametrize(
    ("hanzi", "pinyin", "wade_giles"),
    [("张", "ZHANG", "CHANG"), ("徐", "XU", "HSU"), ("周", "ZHOU", "CHOU"), ("陈", "CHEN", "CHEN")],
)
def test_chinese_pinyin_versus_wade_giles(hanzi: str, pinyin: str, wade_giles: str) -> None:
    forms = dict(chinese.surname_forms(hanzi))
    assert forms["pinyin"] == pinyin
    assert forms.get("wade_giles", pinyin) == wade_giles


def test_chinese_u_umlaut_and_given_names() -> None:
    assert chinese.pinyin("吕") == "LYU"  # PRC passports
    assert dict(chinese.surname_forms("吕"))["pinyin_u"] == "LU"
    assert chinese.wade_giles("志强", hyphen=True) == "CHIH-CHIANG"
    assert chinese.pinyin_spaced("志强") == "ZHI QIANG"


def test_arabic_rows_hold_real_variants() -> None:
    rows = {arabic.spellings(r)[0]: set(arabic.spellings(r)) for _, r in arabic.MALE_GIVEN}
    assert {"MOHAMMED", "MUHAMMAD", "MOHAMED", "MOHAMAD"} <= rows["MOHAMMED"]
    assert {"ABDEL RAHMAN", "ABDULRAHMAN", "ABD AL RAHMAN"} <= rows["ABDEL RAHMAN"]
    assert {"HUSSEIN", "HUSAIN", "HUSSAIN"} <= rows["HUSSEIN"]


def test_icao_latin_transliteration() -> None:
    assert icao_latin("Müller") == "MUELLER"
    assert plain_upper("Müller") == "MULLER"
    assert icao_latin("Straße") == "STRASSE"
    assert icao_latin("Peña", expand=False) == "PENA"
    assert icao_latin("Łukasz", expand=False) == "LUKASZ"
    assert plain_upper("O'Brien") == "O'BRIEN"


def test_pools_are_built_once_and_sorted() -> None:
    pools = build_pools()
    assert pools is build_pools()
    assert list(pools) == sorted(pools)
    for table in pools.values():
        assert table.surnames and table.given_m and table.given_f
        for form in table.surnames[:50]:
            assert form.doc == form.doc.upper()
            assert all(spelling != form.doc for _, spelling in form.variants)


def test_spanish_double_surname_keeps_one_on_short_documents() -> None:
    table = build_pools()["es_MX"]
    form = table.surnames[0]
    first = dict(form.variants)["one_surname"]
    assert form.doc.startswith(first + " ")


def test_mrz_truncation_holds_39_characters() -> None:
    surname, given = vary.mrz_truncate("ABDEL RAHMAN AL-HASHIMI", "MOHAMMED AHMED YOUSSEF HASSAN")
    assert len(surname) + 2 + len(given) <= vary.MRZ_NAME_LENGTH
    assert surname == "ABDEL RAHMAN AL-HASHIMI" and given.startswith("MOHAMMED")
    assert vary.mrz_truncate("LI", "NA") == ("LI", "NA")


def test_ocr_and_typos_change_one_thing() -> None:
    rng = random.Random(1)
    misread = vary.ocr_confuse(rng, "G10058")
    assert misread is not None and misread != "G10058" and len(misread) == 6
    assert vary.ocr_confuse(rng, "2222") is None
    for _ in range(20):
        assert vary.typo(rng, "GONZALEZ") != "GONZALEZ"


def test_dates_slip_the_known_ways() -> None:
    rng = random.Random(2)
    assert vary.swap_day_month(date(1984, 7, 3)) == "1984-03-07"
    assert vary.swap_day_month(date(1984, 7, 23)) is None
    assert vary.year_off(rng, date(1984, 7, 3)) in ("1983-07-03", "1985-07-03")
    assert vary.partial(rng, date(1984, 7, 3)) in ("1984-00-00", "1984-07-00")


def test_namesake_shares_name_and_birth_date_but_not_document() -> None:
    config = SynthConfig(
        scenarios=Scenarios(
            left_qualifying=1.0,
            left_before_order=0,
            left_before_enforceable=0,
            left_and_returned=0,
            closed=0,
            stayed=0,
            namesake=1.0,
        ),
        variations=SynthConfig().variations.model_copy(
            update={"typo": 0, "alias_used": 0, "name_order_swap": 0, "one_surname_only": 0}
        ),
    )
    rng = random.Random(5)
    checked = 0
    for i in range(200):
        subject = make_subject(rng, i, config)
        if not subject.exits or "name_truncated" in subject.exits[0][1]["_vtags"]:
            continue
        if not subject.decoys:  # look-alikes go with common names, so not every subject
            continue
        (_, mine), (_, twin) = subject.exits[0], subject.decoys[0]
        assert twin["surname"] == mine["surname"]
        assert twin["date_of_birth"] == mine["date_of_birth"]
        assert twin["document_number"] != mine["document_number"]
        checked += 1
    assert checked > 10
