"""Names to a comparable form: Latin letters, upper case, punctuation-free tokens.

Use ``fold`` on every name before comparing or blocking; ``core_tokens`` drops particles
(AL, EL, BIN, DE, VAN ...) that one record carries and another drops; ``variant_keys``
maps a token to its classes of cross-transliteration spellings (MOHAMED ~ MUHAMMAD,
IURII ~ YURIY, ZHANG ~ CHANG) from ``data/name_variants.csv``.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

import polars as pl

from exitmatch.normalize.chinese import romanisation_key
from exitmatch.normalize.phonetics import phonetic_key, skeleton
from exitmatch.normalize.transliterate import to_latin

# Longest name field of a passport's machine-readable zone (ICAO 9303, TD3 line 1 after
# the document code and issuing state): names longer than this are cut on the document.
MRZ_NAME_LENGTH = 39

_APOSTROPHES = re.compile(r"['\u2019\u2018`\u02bc\u02bb]")
_NOT_LETTER = re.compile(r"[^A-Z]+")


@lru_cache(maxsize=262144)
def fold(text: str) -> str:
    """Upper-case ASCII letters in single-space-separated tokens.

    Apostrophes join (O'BRIEN -> OBRIEN); hyphens, MRZ fillers (<) and every other
    non-letter separate (ABDEL-RAHMAN -> ABDEL RAHMAN). Idempotent.
    """
    latin = to_latin(text).upper()
    latin = _APOSTROPHES.sub("", latin)
    return _NOT_LETTER.sub(" ", latin).strip()


def tokens(text: str) -> list[str]:
    """Tokens of a folded name."""
    return fold(text).split()


@cache
def particles() -> frozenset[str]:
    """Particles that records carry or drop (``data/particles.txt``)."""
    text = resources.files("exitmatch.normalize").joinpath("data/particles.txt").read_text()
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


# Arabic theophoric names (servant of ...): ABD AL RAHMAN, ABDEL RAHMAN, ABDUL-RAHMAN and
# ABDULRAHMAN are one name; they are joined into one token with one spelling of the prefix.
_ABD_PREFIX = re.compile(r"^ABD(?:OU|U|E|A)?L")
_ABD_ALONE = frozenset({"ABD", "ABDEL", "ABDUL", "ABDOUL", "ABDAL"})
_ABD_LINK = frozenset({"AL", "EL", "UL", "OL"})


def join_theophoric(name_tokens: list[str]) -> list[str]:
    joined: list[str] = []
    index = 0
    while index < len(name_tokens):
        token = name_tokens[index]
        rest = name_tokens[index + 1 :]
        if token in _ABD_ALONE and rest:
            skip = 1 if token == "ABD" and rest[0] in _ABD_LINK and len(rest) > 1 else 0
            joined.append("ABDUL" + rest[skip])
            index += 2 + skip
            continue
        joined.append(_ABD_PREFIX.sub("ABDUL", token) if len(token) > 5 else token)
        index += 1
    return joined


def core_tokens(name_tokens: list[str]) -> list[str]:
    """Tokens without particles, theophoric names joined (ABD AL KARIM -> ABDULKARIM);
    a name made only of particles is kept whole."""
    name_tokens = join_theophoric(name_tokens)
    core = [t for t in name_tokens if t not in particles()]
    return core or name_tokens


@cache
def _variant_table() -> dict[str, frozenset[str]]:
    text = resources.files("exitmatch.normalize").joinpath("data/name_variants.csv").read_text()
    table: dict[str, set[str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        spellings = [s.strip() for s in line.split(",") if s.strip()]
        for spelling in spellings:
            table.setdefault(spelling, set()).add(spellings[0])
    return {spelling: frozenset(keys) for spelling, keys in table.items()}


def variant_keys(token: str) -> frozenset[str]:
    """The variant classes a folded token belongs to; itself when it is in none."""
    return _variant_table().get(token, frozenset({token}))


def same_variant(a: str, b: str) -> bool:
    """True when two folded tokens are spellings of one name per the variant table."""
    return a == b or bool(variant_keys(a) & variant_keys(b))


def is_mrz_truncation(short: str, long: str) -> bool:
    """True when ``short`` is ``long`` cut at the machine-readable zone's name length."""
    joined_short, joined_long = short.replace(" ", ""), long.replace(" ", "")
    return (
        len(joined_long) > len(joined_short)
        and len(short) >= MRZ_NAME_LENGTH - 2
        and joined_long.startswith(joined_short)
    )


def variant_key(token: str) -> str:
    """One representative spelling of the token's variant class (stable: the smallest key)."""
    return min(variant_keys(token))


# Columns of ``encode_names``; a pair of sides is compared column against column.
NAME_ENCODING: dict[str, pl.DataType] = {
    "folded": pl.Utf8(),
    "joined": pl.Utf8(),
    "full": pl.Utf8(),
    "vkey": pl.Utf8(),
    "phon": pl.Utf8(),
    "first": pl.Utf8(),
    "first_vkey": pl.Utf8(),
    "first_phon": pl.Utf8(),
    "core": pl.Utf8(),
    "vsorted": pl.Utf8(),
    "ntokens": pl.UInt8(),
    "roman": pl.Utf8(),
    "first_roman": pl.Utf8(),
    "initial": pl.Utf8(),
}


def encode_name(text: str) -> dict[str, object]:
    """Every comparable form of one name; see ``NAME_ENCODING``."""
    every = join_theophoric(tokens(text))
    core = core_tokens(every)
    vtokens = [variant_key(t) for t in core]
    phons = [phonetic_key(t) for t in vtokens]
    return {
        "folded": fold(text),
        "joined": "".join(core),
        # With particles, written together: DELA CRUZ and DELACRUZ meet here.
        "full": "".join(every),
        "vkey": " ".join(vtokens),
        "phon": " ".join(phons),
        "first": core[0] if core else "",
        "first_vkey": vtokens[0] if core else "",
        "first_phon": phons[0] if core else "",
        "core": " ".join(core),
        "vsorted": " ".join(sorted(vtokens)),
        "ntokens": min(len(core), 255),
        "roman": romanisation_key("".join(core)),
        "first_roman": romanisation_key(core[0]) if core else None,
        "initial": initial(core[0], vtokens[0]) if core else "",
    }


def initial(token: str, vkey: str) -> str:
    """First letter of a token as spelled in every romanisation: Wade-Giles for Chinese
    syllables (JUN and CHUN are both C), else the transliteration skeleton of its variant
    class (YURIY and IURII are both U)."""
    roman = romanisation_key(token)
    return (roman or skeleton(vkey))[:1]
