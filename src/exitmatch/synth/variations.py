"""Small, real-world distortions of one value: typos, OCR confusions, MRZ truncation,
date slips.

Use these from the subject generator when an exit record or a case file must differ from
the truth in one known way. Each function takes a ``random.Random`` so draws stay seeded.
"""

from __future__ import annotations

import random
from datetime import date

MRZ_NAME_LENGTH = 39  # TD3 passport MRZ: SURNAME<<GIVEN<NAMES in 39 characters
_OCR = {"0": "O", "O": "0", "1": "I", "I": "1", "5": "S", "S": "5", "8": "B", "B": "8"}
_NEIGHBOURS = "QWERTYUIOPASDFGHJKLZXCVBNM"


def typo(rng: random.Random, name: str) -> str:
    """One keying error: adjacent letters swapped, a letter dropped, doubled or replaced."""
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    if len(letters) < 3:
        return name + name[-1:]
    i = rng.choice(letters[1:-1])
    kind = rng.randrange(4)
    if kind == 0 and name[i + 1].isalpha() and name[i + 1] != name[i]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == 1:
        return name[:i] + name[i + 1 :]
    if kind == 2:
        return name[:i] + name[i] + name[i:]
    k = _NEIGHBOURS.find(name[i])
    repl = _NEIGHBOURS[(k + 1) % len(_NEIGHBOURS)] if k >= 0 else "E"
    return name[:i] + repl + name[i + 1 :]


def ocr_confuse(rng: random.Random, number: str) -> str | None:
    """The number with one O/0, I/1, S/5 or B/8 misread; None if it has no such character."""
    spots = [i for i, ch in enumerate(number) if ch in _OCR]
    if not spots:
        return None
    i = rng.choice(spots)
    return number[:i] + _OCR[number[i]] + number[i + 1 :]


def mrz_truncate(surname: str, given: str) -> tuple[str, str]:
    """Surname and given names as they survive the 39-character MRZ name field."""
    if len(surname) + 2 + len(given) <= MRZ_NAME_LENGTH:
        return surname, given
    if len(surname) >= MRZ_NAME_LENGTH - 3:
        return surname[: MRZ_NAME_LENGTH - 3], given[:1]
    room = MRZ_NAME_LENGTH - len(surname) - 2
    return surname, given[:room].rstrip()


def iso(d: date) -> str:
    return d.isoformat()


def swap_day_month(d: date) -> str | None:
    if d.day > 12 or d.day == d.month:
        return None
    return f"{d.year:04d}-{d.day:02d}-{d.month:02d}"


def year_off(rng: random.Random, d: date) -> str:
    year = d.year + rng.choice((-1, 1))
    day = min(d.day, 28) if d.month == 2 else d.day
    return f"{year:04d}-{d.month:02d}-{day:02d}"


def partial(rng: random.Random, d: date) -> str:
    return f"{d.year:04d}-00-00" if rng.random() < 0.5 else f"{d.year:04d}-{d.month:02d}-00"
