"""Chinese names romanised as PRC passports (Hanyu Pinyin) and Taiwan records (Wade-Giles).

Use :func:`pinyin` and :func:`wade_giles` for one name written in Hanzi. Wraps ``pypinyin``.
PRC passports write ü as YU (吕 -> LYU); other records write LU or LV. Wade-Giles keeps
apostrophes and hyphenates given names in Taiwan (CH'EN, CHIH-CHIANG); documents drop the
apostrophe.
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def _syllables(hanzi: str, style: Style) -> list[str]:
    return [s for s in lazy_pinyin(hanzi, style=style, errors="ignore") if s.strip()]


def pinyin(hanzi: str, *, umlaut: str = "YU") -> str:
    """Pinyin, syllables joined, ü written as ``umlaut`` (passport: YU)."""
    return "".join(_syllables(hanzi, Style.NORMAL)).upper().replace("V", umlaut)


def pinyin_spaced(hanzi: str) -> str:
    """Pinyin with syllables apart, as a clerk may key a given name (ZHI QIANG)."""
    return " ".join(_syllables(hanzi, Style.NORMAL)).upper().replace("V", "U")


def wade_giles(hanzi: str, *, hyphen: bool) -> str:
    """Wade-Giles without apostrophes; syllables hyphenated (given names) or joined."""
    syllables = [
        s.replace("'", "").upper().replace("V", "U") for s in _syllables(hanzi, Style.WADEGILES)
    ]
    return ("-" if hyphen else "").join(syllables)


def surname_forms(hanzi: str) -> list[tuple[str, str]]:
    pairs = [("pinyin", pinyin(hanzi)), ("pinyin_u", pinyin(hanzi, umlaut="U"))]
    pairs.append(("wade_giles", wade_giles(hanzi, hyphen=False)))
    return _dedupe(pairs)


def given_forms(hanzi: str) -> list[tuple[str, str]]:
    pairs = [("pinyin", pinyin(hanzi)), ("pinyin_spaced", pinyin_spaced(hanzi))]
    pairs.append(("wade_giles", wade_giles(hanzi, hyphen=True)))
    return _dedupe(pairs)


def _dedupe(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out = []
    for system, form in pairs:
        if form and form not in seen:
            seen.add(form)
            out.append((system, form))
    return out
