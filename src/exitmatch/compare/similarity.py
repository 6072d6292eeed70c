"""String similarity behind typed functions of ours.

rapidfuzz (Jaro-Winkler and optimal string alignment, element-wise over whole columns,
multi-threaded) is called from here only, so the engine can be swapped without touching a
caller.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler


def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity in 0..1 (1 = same)."""
    return float(JaroWinkler.normalized_similarity(a, b))


def jaro_winkler_pairs(left: Sequence[str], right: Sequence[str]) -> npt.NDArray[np.float64]:
    """Jaro-Winkler similarity of ``left[i]`` with ``right[i]`` for every i."""
    if not left:
        return np.zeros(0, dtype=np.float64)
    scores = process.cpdist(
        left, right, scorer=JaroWinkler.normalized_similarity, workers=-1, dtype=np.float64
    )
    return np.asarray(scores, dtype=np.float64)


def keying_distance_pairs(left: Sequence[str], right: Sequence[str]) -> npt.NDArray[np.int64]:
    """Edits between ``left[i]`` and ``right[i]``: a character changed, added, dropped, or two
    neighbours swapped each count one (optimal string alignment)."""
    if not left:
        return np.zeros(0, dtype=np.int64)
    distances = process.cpdist(left, right, scorer=OSA.distance, workers=-1, dtype=np.int64)
    return np.asarray(distances, dtype=np.int64)
