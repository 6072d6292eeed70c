"""Subjects as people: who they truly are, and how a case file and an exit record each
write them.

Use :func:`draw_person` for a subject (or a look-alike), then :func:`render_names`,
:func:`render_dates` and :func:`render_documents` to get the case-file and exit-record
versions, each with the tags of the variations applied. Per-subject Python: a few tens of
thousands of calls at most.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from exitmatch.contract.countries import canonical_country
from exitmatch.synth import variations as vary
from exitmatch.synth import world
from exitmatch.synth.config import Variations
from exitmatch.synth.names.pools import NameForm, NameTable, build_pools

_NON_LATIN = ("cyrillic", "cyrillic_uk", "chinese", "chinese_tw", "arabic")
_FAMILY_FIRST = ("chinese", "chinese_tw", "japanese", "vietnamese")


@dataclass
class Person:
    origin: world.Origin
    table: NameTable
    sex: str
    surname: NameForm
    given: NameForm
    middle: NameForm | None
    extra_given: list[NameForm]
    dob: date
    passport: str


@dataclass
class Rendered:
    """One person as the case file has them and as their exit record has them."""

    case: dict[str, str | None] = field(default_factory=dict)
    exit: dict[str, str | None] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    alt_dobs: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    citizenships: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


# Cumulative weights per name table, keyed by identity: hashing a table of thousands of
# names on every draw would cost more than the draw. The table is kept alive alongside.
_CUMULATIVE: dict[int, tuple[tuple[NameForm, ...], list[float]]] = {}


def _cum(forms: tuple[NameForm, ...]) -> list[float]:
    hit = _CUMULATIVE.get(id(forms))
    if hit is None or hit[0] is not forms:
        hit = (forms, list(accumulate(f.weight for f in forms)))
        _CUMULATIVE[id(forms)] = hit
    return hit[1]


def pick(rng: random.Random, forms: tuple[NameForm, ...]) -> NameForm:
    return rng.choices(forms, cum_weights=_cum(forms))[0]


def number_like(rng: random.Random, pattern: str) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return "".join(
        rng.choice(letters) if c == "L" else str(rng.randrange(10)) if c == "#" else c
        for c in pattern
    )


def draw_person(
    rng: random.Random, origin: world.Origin, on: date, *, long_name: bool = False
) -> Person:
    """A person of ``origin``, adult on date ``on``."""
    table = build_pools()[origin.locale]
    sex = "F" if rng.random() < 0.4 else "M"  # removal inventories skew male
    givens = table.given_f if sex == "F" else table.given_m
    middles = table.middle_f if sex == "F" else table.middle_m
    has_middle = table.family in ("cyrillic", "cyrillic_uk") or rng.random() < table.middle_rate
    age_days = int((18 + 45 * rng.random() ** 1.5) * 365.25)
    extra = [pick(rng, givens) for _ in range(rng.randint(2, 3))] if long_name else []
    dob = on - timedelta(days=age_days)
    if rng.random() < 0.04:  # documents issued with 1 January when the day was unknown
        dob = date(dob.year, 1, 1)
    return Person(
        origin=origin,
        table=table,
        sex=sex,
        surname=pick(rng, table.surnames),
        given=pick(rng, givens),
        middle=pick(rng, middles) if has_middle else None,
        extra_given=extra,
        dob=dob,
        passport=number_like(rng, origin.doc_pattern),
    )


def _variant(form: NameForm, kinds: tuple[str, ...]) -> tuple[str, str] | None:
    for kind, spelling in form.variants:
        if kind in kinds:
            return kind, spelling
    return None


def _case_spelling(
    rng: random.Random, form: NameForm, family: str, v: Variations, tags: set[str]
) -> str:
    """How the case file spells one name the passport spells ``form.doc``."""
    if family in _NON_LATIN and form.variants and rng.random() < v.other_romanisation:
        tags.add("name_romanisation")
        return rng.choice(form.variants)[1]
    if (hit := _variant(form, ("diacritics",))) and rng.random() < v.diacritics_kept:
        tags.add("name_diacritics")
        return hit[1]
    if (hit := _variant(form, ("icao_single",))) and rng.random() < 0.5:
        tags.add("name_umlaut")
        return hit[1]
    if hit := _variant(form, ("punctuation",)):
        tags.add("name_punctuation")
        return hit[1]
    return form.doc


def render_names(rng: random.Random, p: Person, v: Variations, out: Rendered) -> None:
    """Case-file and exit-record names, with their variation tags."""
    tags: set[str] = set()
    family = p.table.family
    doc_given = " ".join([p.given.doc] + [g.doc for g in p.extra_given])
    # Patronymics are not on Russian or Ukrainian passports; other middle names are.
    doc_middle = None if p.middle is None or family.startswith("cyrillic") else p.middle.doc
    case_surname = _case_spelling(rng, p.surname, family, v, tags)
    case_given = " ".join(
        _case_spelling(rng, g, family, v, tags) for g in [p.given, *p.extra_given]
    )
    case_middle = None if p.middle is None else _case_spelling(rng, p.middle, family, v, tags)
    if family.startswith("cyrillic") and rng.random() >= v.middle_name_differs:
        case_middle = None  # the case file left the patronymic out too
    elif not family.startswith("cyrillic") and rng.random() < v.middle_name_differs:
        if doc_middle is not None:
            doc_middle = None if rng.random() < 0.5 else doc_middle
            case_middle = None if doc_middle is not None else case_middle
        else:
            case_middle = pick(rng, p.table.given_f if p.sex == "F" else p.table.given_m).doc
    if (case_middle is None) != (doc_middle is None):
        tags.add("middle_name_differs")
    exit_surname = p.surname.doc
    if (hit := _variant(p.surname, ("one_surname",))) and rng.random() < v.one_surname_only:
        tags.add("name_one_surname")
        exit_surname = hit[1]
    exit_given_all = " ".join(x for x in (doc_given, doc_middle) if x)
    short_surname, short_given = vary.mrz_truncate(exit_surname, exit_given_all)
    if (short_surname, short_given) != (exit_surname, exit_given_all):
        tags.add("name_truncated")
        exit_surname, exit_given_all = short_surname, short_given
    if rng.random() < v.typo:
        tags.add("name_typo")
        if rng.random() < 0.6:
            exit_surname = vary.typo(rng, exit_surname)
        else:
            exit_given_all = vary.typo(rng, exit_given_all)
    if family in _FAMILY_FIRST and rng.random() < v.name_order_swap:
        tags.add("name_order_swap")
        case_surname, case_given = case_given, case_surname
    case_given_all = " ".join(x for x in (case_given, case_middle) if x)
    if rng.random() < 0.3:  # officers often key names in mixed case
        case_surname, case_given_all = case_surname.title(), case_given_all.title()
    out.case.update(surname=case_surname, given_names=case_given_all or None)
    first, _, rest = exit_given_all.partition(" ")
    out.exit.update(surname=exit_surname, given_name=first or None, middle_names=rest or None)
    out.tags.extend(sorted(tags))


def add_aliases(rng: random.Random, p: Person, v: Variations, out: Rendered) -> None:
    """Other names on the case; with ``alias_used`` the exit record carries one of them."""
    if rng.random() >= v.alias:
        return
    givens = p.table.given_f if p.sex == "F" else p.table.given_m
    aliases = []
    for _ in range(rng.randint(1, 2)):
        surname = pick(rng, p.table.surnames).doc if rng.random() < 0.6 else p.surname.doc
        aliases.append(f"{surname}, {pick(rng, givens).doc}")
    if (
        p.table.family in ("cyrillic", "cyrillic_uk", "chinese", "chinese_tw")
        and rng.random() < 0.3
    ):
        # The name as written in its own script, e.g. from a foreign identity document.
        aliases.append(f"{p.surname.native.upper()}, {p.given.native.upper()}")
        out.tags.append("alias_native_script")
    out.aliases = aliases
    out.tags.append("case_aliases")
    if rng.random() < v.alias_used / max(v.alias, 1e-9):
        surname, given = aliases[0].split(", ")
        out.exit.update(surname=surname, given_name=given, middle_names=None)
        out.tags.append("alias_used")


def render_dates(rng: random.Random, p: Person, v: Variations, out: Rendered) -> None:
    """The exit record has the true date; the case file may not."""
    true = p.dob.isoformat()
    out.exit["date_of_birth"] = true
    case: str | None = true
    draw = rng.random()
    edges = list(
        accumulate(
            (v.dob_placeholder, v.dob_day_month_swap, v.dob_year_off, v.dob_partial, v.alt_dob)
        )
    )
    if draw < edges[0] and (p.dob.month, p.dob.day) != (1, 1):
        case, tag = f"{p.dob.year:04d}-01-01", "dob_placeholder"
    elif draw < edges[1] and (swapped := vary.swap_day_month(p.dob)):
        case, tag = swapped, "dob_day_month_swap"
    elif draw < edges[2]:
        case, tag = vary.year_off(rng, p.dob), "dob_year_off"
    elif draw < edges[3]:
        case, tag = vary.partial(rng, p.dob), "dob_partial"
    elif draw < edges[4]:
        wrong = p.dob + timedelta(days=rng.randint(40, 900))
        case, tag = wrong.isoformat(), "dob_alt"
        out.alt_dobs = [true]
    else:
        tag = ""
    if tag:
        out.tags.append(tag)
    elif (p.dob.month, p.dob.day) == (1, 1):
        out.tags.append("dob_jan1_both")
    out.case["date_of_birth"] = case


def render_documents(rng: random.Random, p: Person, v: Variations, out: Rendered) -> None:
    """Case documents and citizenships, and the document the person leaves on."""
    issuer = p.origin.code
    nationality = canonical_country(issuer) or issuer
    out.citizenships = [nationality]
    number, doc_issuer, doc_nat = p.passport, issuer, issuer
    if rng.random() < v.no_document:
        out.tags.append("no_document_on_case")
    else:
        out.documents = [f"P/{issuer}/{p.passport}"]
    draw = rng.random()
    if draw < v.second_passport:
        doc_issuer, pattern = rng.choice(world.SECOND_PASSPORTS)
        doc_nat = doc_issuer
        number = number_like(rng, pattern)
        out.tags.append("doc_second_passport")
        if rng.random() < 0.5:
            out.citizenships.append(canonical_country(doc_issuer) or doc_issuer)
    elif draw < v.second_passport + v.renewed_passport and out.documents:
        number = number_like(rng, p.origin.doc_pattern)
        out.tags.append("doc_renewed")
    if rng.random() < v.ocr_confusion and (misread := vary.ocr_confuse(rng, number)):
        number = misread
        out.tags.append("doc_ocr")
    out.exit.update(
        sex=p.sex,
        nationality=doc_nat,
        document_type="P",
        document_number=number,
        document_country=doc_issuer,
    )
