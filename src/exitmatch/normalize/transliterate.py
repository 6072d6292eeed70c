"""Any script to Latin letters, behind one typed function so the engines can change.

Cyrillic follows ICAO Doc 9303 (the table on machine-readable passports since 2013, via
iuliia), Han characters become Hanyu Pinyin syllables (pypinyin), everything else goes
through anyascii's per-character tables. Call ``to_latin``; nothing else in exitmatch
imports these libraries for names.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import iuliia
from anyascii import anyascii
from pypinyin import Style, lazy_pinyin

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_HAN = re.compile(r"[\u3400-\u4DBF\u4E00-\u9FFF]")


@lru_cache(maxsize=65536)
def to_latin(text: str) -> str:
    """Latin-letter rendering of ``text`` (case kept where the script has case)."""
    text = unicodedata.normalize("NFKC", text)
    if _CYRILLIC.search(text):
        text = iuliia.ICAO_DOC_9303.translate(text)
    if _HAN.search(text):
        # One syllable per character, separated so a given name of two characters reads
        # as one token ("XIAOMING"), and the surname stays its own token.
        text = " ".join(_han_words(text))
    return anyascii(text)


def _han_words(text: str) -> list[str]:
    words = []
    for chunk in text.split():
        if _HAN.search(chunk):
            words.append("".join(lazy_pinyin(chunk, style=Style.NORMAL, v_to_u=False)))
        else:
            words.append(chunk)
    return words


def wade_giles(text: str) -> str:
    """Wade-Giles rendering of Han characters (Taiwan and older Hong Kong documents)."""
    return " ".join(
        "".join(lazy_pinyin(chunk, style=Style.WADEGILES)).replace("v", "u")
        for chunk in text.split()
    )
