"""Phonetic keys of name tokens, behind one typed function (jellyfish's Metaphone).

Reach for ``phonetic_key`` when two spellings that sound alike must meet: blocking keys and
the phonetic comparison level both use it.
"""

from __future__ import annotations

from functools import lru_cache

import jellyfish


@lru_cache(maxsize=262144)
def phonetic_key(token: str) -> str:
    """Metaphone key of one folded token (empty for an empty token)."""
    return str(jellyfish.metaphone(token)) if token else ""
