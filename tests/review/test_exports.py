"""Exports open safely in a spreadsheet: text that would start a formula is quoted."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from exitmatch.review import exports
from exitmatch.review.accounts import get_user
from exitmatch.review.decisions import Action, decide
from exitmatch.store.store import Store


@pytest.mark.parametrize(
    "note",
    ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_formula_text_is_quoted_in_exports(db: Path, note: str) -> None:
    with Store.open(db) as store:
        olivia = get_user(store, "olivia")
        assert olivia is not None
        decide(store, olivia, "RC-0116", Action.REJECT, 0, "other", note)
        text = exports.decisions(store)
    row = pl.read_csv(text.encode(), infer_schema=False).row(0, named=True)
    assert row["note"] == "'" + note.strip()
    # Values the export writes itself stay as they are.
    assert row["case_id"] == "RC-0116" and row["proposed_at"].endswith("Z")
    assert not row["match_probability"].startswith("'")


def test_plain_text_is_left_alone(db: Path) -> None:
    with Store.open(db) as store:
        olivia = get_user(store, "olivia")
        assert olivia is not None
        decide(store, olivia, "RC-0116", Action.REJECT, 0, "other", "seen in person, 2 - 3 May")
        text = exports.decisions(store)
    row = pl.read_csv(text.encode(), infer_schema=False).row(0, named=True)
    assert row["note"] == "seen in person, 2 - 3 May"
