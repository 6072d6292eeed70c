"""Travel document numbers to comparable forms, as polars expressions.

Use ``canonical_number`` for equality (upper case, separators gone) and ``ocr_form`` when
a keying or OCR slip must not hide a match: O/0, I/1, S/5 and B/8 (and the lookalikes
Q/0, L/1, Z/2) collapse to one character. ``icao_check_digit`` is the ICAO 9303
check digit (weights 7, 3, 1), for numbers read from a machine-readable zone.
"""

from __future__ import annotations

import polars as pl

# Characters an OCR engine or a keyer confuses, mapped to the digit they are taken for.
OCR_CONFUSABLE = {"O": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8"}

_MRZ_WEIGHTS = (7, 3, 1)


def canonical_number(column: pl.Expr) -> pl.Expr:
    """Upper case with every character other than A-Z and 0-9 removed; empty -> null."""
    cleaned = column.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    return pl.when(cleaned.str.len_chars() > 0).then(cleaned).otherwise(None)


def ocr_form(canonical: pl.Expr) -> pl.Expr:
    """The canonical number with OCR-confusable letters replaced by their digits."""
    return canonical.str.replace_many(list(OCR_CONFUSABLE), list(OCR_CONFUSABLE.values()))


def icao_check_digit(text: str) -> int:
    """ICAO 9303 check digit of an MRZ field: digits count as themselves, A-Z as 10-35,
    the filler < as 0, weighted 7, 3, 1 repeating, modulo 10."""
    total = 0
    for position, char in enumerate(text.upper()):
        if char.isdigit():
            value = int(char)
        elif "A" <= char <= "Z":
            value = ord(char) - ord("A") + 10
        elif char == "<":
            value = 0
        else:
            raise ValueError("MRZ fields hold only A-Z, 0-9 and <")
        total += value * _MRZ_WEIGHTS[position % 3]
    return total % 10


def has_valid_check_digit(number_with_digit: str) -> bool:
    """True when the last character is the ICAO 9303 check digit of the rest."""
    body, digit = number_with_digit[:-1], number_with_digit[-1:]
    return bool(body) and digit.isdigit() and icao_check_digit(body) == int(digit)
