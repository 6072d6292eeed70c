"""Name tables per locale, built once: every name with its passport spelling and others.

Use :func:`build_pools` (cached) to get a :class:`NameTable` per locale. Names come from
Faker for each locale (drawn many times, so Faker's own frequencies show), Arabic names from
the curated table, and every distinct name is transliterated once. Tables are sorted and
drawn with a fixed seed: the pools are the same on every run.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from faker import Faker

from exitmatch.synth.names import arabic, chinese, cyrillic
from exitmatch.synth.names.latin import has_diacritics, icao_latin, plain_upper

POOL_SEED = 20_240_625  # fixed: name tables do not depend on the data set's seed
DRAWS = 2500


@dataclass(frozen=True)
class NameForm:
    """One name: its passport spelling, how it is written natively, and other spellings."""

    doc: str
    native: str
    variants: tuple[tuple[str, str], ...]  # (system or kind, SPELLING), never == doc
    weight: float


@dataclass(frozen=True)
class NameTable:
    """The names of one locale (naming tradition), as drawn for people of that origin."""

    locale: str
    family: str  # cyrillic, chinese, arabic, spanish, portuguese, latin, japanese, ...
    surnames: tuple[NameForm, ...]
    given_m: tuple[NameForm, ...]
    given_f: tuple[NameForm, ...]
    middle_m: tuple[NameForm, ...]  # second given names, patronymics or maternal surnames
    middle_f: tuple[NameForm, ...]
    middle_rate: float  # share of documents of this origin that carry a middle name


# locale -> (family, share of documents with a middle name)
LOCALES: dict[str, tuple[str, float]] = {
    "en_US": ("latin", 0.45),
    "en_CA": ("latin", 0.45),
    "en_GB": ("latin", 0.4),
    "fr_FR": ("latin", 0.35),
    "fr_CA": ("latin", 0.45),
    "de_DE": ("german", 0.3),
    "pl_PL": ("latin", 0.2),
    "tr_TR": ("latin", 0.1),
    "pt_BR": ("portuguese", 0.3),
    "es_MX": ("spanish", 0.35),
    "es_CO": ("spanish", 0.4),
    "es_ES": ("spanish", 0.2),
    "vi_VN": ("vietnamese", 0.8),
    "en_IN": ("latin", 0.2),
    "fil_PH": ("filipino", 0.85),
    "ja_JP": ("japanese", 0.0),
    "en_NG": ("latin", 0.5),
    "ru_RU": ("cyrillic", 0.0),
    "uk_UA": ("cyrillic_uk", 0.0),
    "zh_CN": ("chinese", 0.0),
    "zh_TW": ("chinese_tw", 0.0),
    "ar": ("arabic", 0.6),
}


def _seed(locale: str, what: str) -> int:
    return zlib.crc32(f"{POOL_SEED}/{locale}/{what}".encode())


def _draw(fake: Faker, locale: str, what: str, method: Callable[[], str]) -> Counter[str]:
    fake.seed_instance(_seed(locale, what))
    return Counter(method() for _ in range(DRAWS))


def _zipf(counts: Counter[str], locale: str, what: str) -> list[tuple[str, float]]:
    """Names with weights: Faker's frequency times a Zipf factor, so some names are common
    (as real surnames are) and common-name collisions happen."""
    names = sorted(counts)
    order = sorted(names, key=lambda n: zlib.crc32(f"{locale}/{what}/{n}".encode()))
    rank = {name: i for i, name in enumerate(order)}
    return [(n, counts[n] / (1.0 + rank[n]) ** 0.35) for n in names]


def _latin_form(native: str, weight: float, *, expand: bool) -> NameForm:
    doc = icao_latin(native.replace("-", " ").replace("'", "").replace("’", ""), expand=expand)
    variants: list[tuple[str, str]] = []
    if expand and has_diacritics(native):
        variants.append(("icao_single", plain_upper(native.replace("-", " ").replace("'", ""))))
    if has_diacritics(native):
        variants.append(("diacritics", native.upper()))
    if any(ch in native for ch in "-'’"):
        variants.append(("punctuation", plain_upper(native)))
        joined = plain_upper(native.replace("-", "").replace("'", "").replace("’", ""))
        variants.append(("punctuation", joined))
    return NameForm(doc, native, _clean(doc, variants), weight)


def _clean(doc: str, variants: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    seen = {doc}
    out = []
    for kind, spelling in variants:
        if spelling and spelling not in seen:
            seen.add(spelling)
            out.append((kind, spelling))
    return tuple(out)


def _system_forms(native: str, weight: float, forms: list[tuple[str, str]]) -> NameForm:
    doc = forms[0][1]
    return NameForm(doc, native, _clean(doc, forms[1:]), weight)


def _forms(locale: str, family: str, names: list[tuple[str, float]], kind: str) -> list[NameForm]:
    out = []
    for native, weight in names:
        if family == "cyrillic":
            out.append(_system_forms(native, weight, cyrillic.russian_forms(native)))
        elif family == "cyrillic_uk":
            out.append(_system_forms(native, weight, cyrillic.ukrainian_forms(native)))
        elif family in ("chinese", "chinese_tw"):
            forms = (
                chinese.surname_forms(native) if kind == "surname" else chinese.given_forms(native)
            )
            if family == "chinese_tw":  # Taiwan documents use Wade-Giles
                forms = sorted(forms, key=lambda f: f[0] != "wade_giles")
            out.append(_system_forms(native, weight, forms))
        else:
            out.append(_latin_form(native, weight, expand=family == "german"))
    return [f for f in out if f.doc]


def _double_surnames(
    singles: list[tuple[str, float]], locale: str, keep_last: bool
) -> list[NameForm]:
    """Spanish (father's, mother's) or Portuguese (mother's, father's) double surnames; the
    one a short document keeps is listed as variant ``one_surname``."""
    ranked = sorted(singles, key=lambda nw: -nw[1])[:400]
    out = []
    for i, (first, w1) in enumerate(ranked):
        for j in range(3):
            second, w2 = ranked[(i * 7 + j * 31 + 1) % len(ranked)]
            if second == first:
                continue
            native = f"{first} {second}"
            base = _latin_form(native, w1 * w2, expand=False)
            kept = icao_latin(second if keep_last else first)
            variants = (("one_surname", kept), *base.variants)
            out.append(NameForm(base.doc, native, _clean(base.doc, variants), base.weight))
    return out


# Surnames with apostrophes and hyphens that Faker rarely or never draws; documents print
# them without the apostrophe and with a space for the hyphen (the MRZ filler).
PUNCTUATED_SURNAMES: dict[str, tuple[str, ...]] = {
    "en_CA": ("O'Brien", "O'Connor", "O'Neill", "O'Reilly", "MacDonald", "D'Souza"),
    "en_US": ("O'Brien", "O'Connor", "O'Neal", "D'Angelo", "DiMaggio"),
    "en_GB": ("O'Brien", "O'Sullivan", "Smith-Jones", "Bowes-Lyon"),
    "en_IN": ("D'Souza", "D'Cruz", "D'Mello", "D'Costa"),
    "fr_CA": ("D'Amours", "L'Heureux", "St-Pierre", "St-Onge", "D'Aoust", "Ste-Marie"),
    "fr_FR": ("D'Arcy", "L'Hermite", "Le Goff", "D'Alembert"),
    "en_NG": ("Adeyemi-Bello", "Okafor-Obi"),
}


def _weighted_extra(
    extra: tuple[str, ...], base: list[tuple[str, float]]
) -> list[tuple[str, float]]:
    """Extra names, each as common as a middling name of the base table."""
    weights = sorted(w for _, w in base)
    typical = weights[len(weights) // 2] if weights else 1.0
    return [(name, typical) for name in extra if name not in dict(base)]


def _compounds(names: list[tuple[str, float]], head: str) -> list[tuple[str, float]]:
    """French compound given names (Jean-Marc, Marie-Claude): on the case with the hyphen,
    on documents read from the MRZ with a space."""
    common = sorted(names, key=lambda nw: -nw[1])[:12]
    return [(f"{head}-{name}", 0.3 * w) for name, w in common if name != head and " " not in name]


def _arabic(rows: tuple[tuple[int, str], ...]) -> list[NameForm]:
    """Each spelling of a row is a name of its own (documents really differ), weighted by
    position: the first spelling is the most common."""
    out = []
    for weight, row in rows:
        spellings = arabic.spellings(row)
        for k, doc in enumerate(spellings):
            others = [("spelling", s) for s in spellings if s != doc]
            out.append(NameForm(doc, doc, _clean(doc, others), weight / (1.0 + k) ** 1.3))
    return out


def _faker_table(locale: str, family: str, middle_rate: float) -> NameTable:
    fake = Faker(locale)
    roman = family == "japanese"

    def names(what: str, method: Callable[[], str]) -> list[tuple[str, float]]:
        return _zipf(_draw(fake, locale, what, method), locale, what)

    last = names("last", fake.last_romanized_name if roman else fake.last_name)
    male = names("male", fake.first_romanized_name_male if roman else fake.first_name_male)
    female = names("female", fake.first_romanized_name_female if roman else fake.first_name_female)
    last += _weighted_extra(PUNCTUATED_SURNAMES.get(locale, ()), last)
    if locale.startswith("fr_"):
        male += _compounds(male, "Jean")
        female += _compounds(female, "Marie")
    if family == "spanish":
        surnames = _double_surnames(last, locale, keep_last=False)
    elif family == "portuguese":
        surnames = _double_surnames(last, locale, keep_last=True)
    else:
        surnames = _forms(locale, family, last, "surname")
    given_m = _forms(locale, family, male, "given")
    given_f = _forms(locale, family, female, "given")
    middle_m, middle_f = given_m, given_f
    if family in ("cyrillic", "cyrillic_uk"):  # patronymics
        middle_m = _forms(locale, family, names("pat_m", fake.middle_name_male), "given")
        middle_f = _forms(locale, family, names("pat_f", fake.middle_name_female), "given")
    elif family == "vietnamese":
        middle_m = middle_f = _forms(locale, family, names("middle", fake.middle_name), "given")
    elif family == "filipino":  # the mother's maiden surname
        middle_m = middle_f = surnames
    return NameTable(
        locale,
        family,
        tuple(surnames),
        tuple(given_m),
        tuple(given_f),
        tuple(middle_m),
        tuple(middle_f),
        middle_rate,
    )


@cache
def build_pools() -> dict[str, NameTable]:
    """Every locale's name table, keyed by locale (sorted)."""
    tables: dict[str, NameTable] = {}
    for locale, (family, middle_rate) in sorted(LOCALES.items()):
        if family == "arabic":
            given_m, given_f = _arabic(arabic.MALE_GIVEN), _arabic(arabic.FEMALE_GIVEN)
            tables[locale] = NameTable(
                locale,
                family,
                tuple(_arabic(arabic.SURNAMES)),
                tuple(given_m),
                tuple(given_f),
                tuple(given_m),  # middle: the father's name
                tuple(given_m),
                middle_rate,
            )
        else:
            tables[locale] = _faker_table(locale, family, middle_rate)
    return tables
