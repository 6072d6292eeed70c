"""Cyrillic names romanised the ways Russian and Ukrainian names really are.

Use :func:`russian_forms` / :func:`ukrainian_forms` for one name's spellings by system.
The passport system comes first. Wraps ``iuliia`` for Russian; Ukrainian passports follow
the national 2010 table (KMU resolution 55), written out here because iuliia has none.
"""

from __future__ import annotations

from collections.abc import Iterable

import iuliia

from exitmatch.synth.names.latin import plain_upper

# Russian: ICAO 9303 on passports since 2013 (IURII); MVD 310 on older passports and many
# case files (YURIY); BGN/PCGN in North American records; Wikipedia-style common spelling.
_RUSSIAN_SCHEMAS = (
    ("icao_9303", iuliia.ICAO_DOC_9303),
    ("mvd_310", iuliia.MVD_310),
    ("bgn_pcgn", iuliia.BGN_PCGN),
    ("wikipedia", iuliia.WIKIPEDIA),
)

# KMU 2010, Ukraine's passport standard: first letter of a word / elsewhere.
_KMU_FIRST = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_KMU = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "'": "", "’": "", "ʼ": "",
}  # fmt: skip
# Ukrainian letters as a Russian-trained clerk keys them, before a Russian system.
_UKRAINIAN_TO_RUSSIAN = str.maketrans(
    {"і": "и", "ї": "йи", "є": "е", "ґ": "г", "І": "И", "Ї": "Йи", "Є": "Е", "Ґ": "Г"}
)


def _plain(text: str) -> str:
    return plain_upper(text.replace("'", "").replace("’", ""))


def russian_forms(name: str) -> list[tuple[str, str]]:
    """(system, SPELLING) pairs, passport system first, duplicates kept out."""
    return _dedupe((system, _plain(schema.translate(name))) for system, schema in _RUSSIAN_SCHEMAS)


def kmu_2010(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        low = ch.lower()
        start = i == 0 or not name[i - 1].isalpha()
        if start and low in _KMU_FIRST:
            out.append(_KMU_FIRST[low])
        elif low == "г" and i > 0 and name[i - 1].lower() == "з":
            out.append("gh")  # "зг" is written "zgh" so it does not read as "zh"
        else:
            out.append(_KMU.get(low, low))
    return _plain("".join(out))


def ukrainian_forms(name: str) -> list[tuple[str, str]]:
    """Passport (KMU 2010) first, then the spellings of a Russian-style romanisation."""
    russified = name.translate(_UKRAINIAN_TO_RUSSIAN)
    pairs = [("kmu_2010", kmu_2010(name))]
    pairs += [(s, f) for s, f in russian_forms(russified)]
    return _dedupe(pairs)


def _dedupe(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for system, form in pairs:
        if form and form not in seen:
            seen.add(form)
            out.append((system, form))
    return out
