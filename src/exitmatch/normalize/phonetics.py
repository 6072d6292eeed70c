"""Phonetic keys of name tokens, behind one typed function (jellyfish's Metaphone).

Reach for ``phonetic_key`` when two spellings that sound alike must meet: blocking keys and
the phonetic comparison level both use it. Before Metaphone, a token is reduced to a
transliteration skeleton, so that the spellings different romanisation tables give one
sound meet too (ICAO IURII, BGN YURIY; TSIUTSIURA, TSYUTSYURA; KHALID, HALID).
"""

from __future__ import annotations

import re
from functools import lru_cache

import jellyfish

# Ordered rewrites: digraphs first, then the letters romanisation tables disagree on.
_SKELETON = (
    (re.compile(r"SHCH|SCH"), "SH"),
    (re.compile(r"DZH|DJ|DZ"), "J"),
    (re.compile(r"ZH"), "J"),
    (re.compile(r"KH|GH"), "H"),
    (re.compile(r"PH"), "F"),
    (re.compile(r"TZ|TS"), "C"),
    (re.compile(r"OU|OO"), "U"),
    (re.compile(r"EE"), "I"),
    (re.compile(r"Q"), "K"),
    (re.compile(r"W"), "V"),
    (re.compile(r"^[IY]E"), "E"),
    (re.compile(r"Y"), "I"),
    (re.compile(r"I([AEOU])"), r"\1"),
    (re.compile(r"(.)\1+"), r"\1"),
)


@lru_cache(maxsize=262144)
def skeleton(token: str) -> str:
    """The token with spelling choices of romanisation tables folded away."""
    reduced = token
    for pattern, replacement in _SKELETON:
        reduced = pattern.sub(replacement, reduced)
    return reduced or token


@lru_cache(maxsize=262144)
def phonetic_key(token: str) -> str:
    """Metaphone key of one folded token's skeleton (empty for an empty token)."""
    return str(jellyfish.metaphone(skeleton(token))) if token else ""
