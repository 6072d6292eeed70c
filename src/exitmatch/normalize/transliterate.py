"""Any script to Latin letters, behind one typed function so the engines can change.

Cyrillic follows ICAO Doc 9303 (the table on machine-readable passports since 2013, via
iuliia), Han characters become Hanyu Pinyin syllables (pypinyin), everything else goes
through anyascii's per-character tables. Call ``to_latin``; nothing else in exitmatch
imports these libraries for names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import cache, lru_cache
from typing import Any

import iuliia
import polars as pl
from anyascii import anyascii

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_HAN = re.compile(r"[\u3400-\u4DBF\u4E00-\u9FFF]")
# The same characters for polars' regular expressions.
_HAN_COLUMN = r"[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}]"

_AHEAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="exitmatch-pinyin")


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


@cache
def _pinyin() -> tuple[Callable[..., list[str]], Any]:
    """pypinyin's ``lazy_pinyin`` and ``Style``, imported when Han characters are first
    met: the import takes a fifth of a second, and most nights have none."""
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin, Style


def prepare(names: Iterable[pl.Series]) -> None:
    """Start importing pypinyin in the background where some of ``names`` hold Han
    characters (a column of text, or of lists of it), so that the import is done by the
    time they are romanised."""
    texts = (c.explode() if isinstance(c.dtype, pl.List) else c for c in names)
    if any(column.str.contains(_HAN_COLUMN).any() for column in texts):
        _AHEAD.submit(_pinyin)


def _han_words(text: str) -> list[str]:
    lazy_pinyin, style = _pinyin()
    words = []
    for chunk in text.split():
        if _HAN.search(chunk):
            words.append("".join(lazy_pinyin(chunk, style=style.NORMAL, v_to_u=False)))
        else:
            words.append(chunk)
    return words


def wade_giles(text: str) -> str:
    """Wade-Giles rendering of Han characters (Taiwan and older Hong Kong documents)."""
    lazy_pinyin, style = _pinyin()
    return " ".join(
        "".join(lazy_pinyin(chunk, style=style.WADEGILES)).replace("v", "u")
        for chunk in text.split()
    )
