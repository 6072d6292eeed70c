"""Latin-script names as travel documents print them (ICAO Doc 9303 Part 3, section 6).

Use :func:`icao_latin` for the passport spelling of a name with diacritics, and
:func:`plain_upper` for the way a keyboard without accents writes it.
"""

from __future__ import annotations

import re
import unicodedata

# Doc 9303 Part 3 Table A: letters whose ICAO spelling is not just the bare letter.
# Germany, Austria, Switzerland, Scandinavia use the two-letter forms; others may
# print the bare letter, which is why both spellings occur for one person.
_ICAO_MULTI = {
    "Ä": "AE",
    "Ö": "OE",
    "Ü": "UE",
    "Å": "AA",
    "Æ": "AE",
    "Ø": "OE",
    "ẞ": "SS",
    "ß": "SS",
    "Þ": "TH",
    "Œ": "OE",
    "Ĳ": "IJ",
}
_ICAO_SINGLE = {"Ł": "L", "Đ": "D", "Ð": "D", "Ħ": "H", "Ŀ": "L", "ı": "I", "İ": "I"}
_NOT_NAME = re.compile(r"[^A-Z' -]")
_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    """Letters without their diacritics (Ñ -> N, Ş -> S, É -> E), case kept."""
    text = "".join(_ICAO_SINGLE.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def plain_upper(text: str) -> str:
    """Upper case, diacritics dropped, other characters kept (hyphen, apostrophe)."""
    upper = strip_accents(text.upper().replace("ß", "SS"))
    return _SPACES.sub(" ", _NOT_NAME.sub("", upper)).strip()


def icao_latin(text: str, *, expand: bool = True) -> str:
    """The passport spelling: Ü -> UE (``expand``) or U, ß -> SS, Ñ -> N, upper case."""
    upper = text.upper()
    if expand:
        upper = "".join(_ICAO_MULTI.get(ch, ch) for ch in upper)
    return plain_upper(upper)


def has_diacritics(text: str) -> bool:
    return strip_accents(text) != text or "ß" in text
