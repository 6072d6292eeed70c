"""The committed JSON Schemas are exactly what the models produce."""

from __future__ import annotations

from pathlib import Path

from exitmatch.contract.schemas import render_schemas

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


def test_committed_schemas_match_the_models() -> None:
    rendered = render_schemas()
    committed = {p.name: p.read_text(encoding="utf-8") for p in SCHEMAS.glob("*.json")}
    assert set(committed) == set(rendered), "run `make schemas` and commit schemas/"
    drifted = sorted(name for name, text in rendered.items() if committed[name] != text)
    assert not drifted, f"schemas drifted from the models: {drifted}; run `make schemas`"


def test_every_contract_file_has_a_schema() -> None:
    names = set(render_schemas())
    for kind in ("inventory", "land", "air", "entries"):
        assert f"input.{kind}.schema.json" in names
    for out in (
        "closure_candidates",
        "warrant_cancellations",
        "reentry_alerts",
        "quarantine",
        "data_issues",
        "run_report",
    ):
        assert f"output.{out}.schema.json" in names
