"""Chinese romanisations brought to one form: Hanyu Pinyin and Wade-Giles.

The same name is XU on a mainland passport and HSU on a Taiwanese one, XIAOMING and
HSIAO-MING, RUI and JUI. ``romanisation_key`` segments a folded token into Pinyin or
Wade-Giles syllables and writes each in Wade-Giles without apostrophes, so both spellings
meet. The syllable tables are derived once from pypinyin's readings of every CJK unified
ideograph, not typed by hand. Tokens that are not made only of syllables get no key.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources

_LONGEST_SYLLABLE = 6  # "ZHUANG", "CHUANG", "HSIUNG"


SYLLABLES_FILE = "data/syllables.csv"


@cache
def _syllables() -> dict[str, str]:
    """Upper-case Pinyin and Wade-Giles syllables -> Wade-Giles without apostrophes, as
    ``derive_syllables`` writes them to ``data/syllables.csv`` (read in a millisecond
    rather than derived again in every run; a test keeps the file equal to the derivation)."""
    text = resources.files("exitmatch.normalize").joinpath(SYLLABLES_FILE).read_text()
    rows = (line.split(",", 1) for line in text.splitlines()[1:] if line)
    return {row[0]: row[1] for row in rows}


def derive_syllables() -> dict[str, str]:
    """The syllable table from pypinyin's readings of every CJK unified ideograph."""
    # Imported here: a run reads the table from its file, and pypinyin takes a fifth
    # of a second to import.
    from pypinyin import Style, pinyin
    from pypinyin.style.wadegiles import to_wade_glides

    table: dict[str, str] = {}
    readings: set[str] = set()
    for code in range(0x4E00, 0x9FA6):
        readings.update(pinyin(chr(code), style=Style.NORMAL, heteronym=True)[0])
    for reading in sorted(readings):
        plain = reading.replace("ü", "v")
        if not plain.isascii() or not plain.isalpha():
            continue
        wade = to_wade_glides(plain).replace("'", "").replace("v", "u").upper()
        table.setdefault(wade, wade)
        # Ü is written U, V (LV) or YU (LYU, passports since 2012) in romanised names.
        for spelling in {plain.replace("v", "u"), plain, plain.replace("v", "yu")}:
            table.setdefault(spelling.upper(), wade)
    return table


def syllables_csv(table: dict[str, str]) -> str:
    """The text of ``data/syllables.csv`` for ``table``, by spelling."""
    return "spelling,wade_giles\n" + "".join(f"{s},{table[s]}\n" for s in sorted(table))


@cache
def syllable_pattern() -> str:
    """A regular expression matching exactly the tokens made only of syllables (those
    ``romanisation_key`` gives a key), for screening many names at once."""
    syllables = sorted(_syllables(), key=lambda s: (-len(s), s))
    return "^(?:" + "|".join(syllables) + ")+$"


@lru_cache(maxsize=65536)
def romanisation_key(token: str) -> str | None:
    """Wade-Giles form of a token made only of Pinyin or Wade-Giles syllables, else None."""
    parts = _segment(token)
    return "".join(parts) if parts else None


@lru_cache(maxsize=262144)
def _segment(token: str) -> tuple[str, ...] | None:
    """Longest-first segmentation into syllables, backtracking where needed (each tail is
    segmented once: names share their endings)."""
    table = _syllables()
    if not token:
        return None
    for size in range(min(_LONGEST_SYLLABLE, len(token)), 0, -1):
        head = token[:size]
        if head in table:
            if size == len(token):
                return (table[head],)
            rest = _segment(token[size:])
            if rest is not None:
                return (table[head], *rest)
    return None
