"""JSON Schemas of every input and output, generated from the models.

``exitmatch schemas --out schemas/`` writes them; a test compares the committed files with
what the models produce now.
"""

from __future__ import annotations

import json
from pathlib import Path

from exitmatch.contract.inputs import INPUT_MODELS
from exitmatch.contract.outputs import OUTPUT_MODELS


def render_schemas() -> dict[str, str]:
    """File name -> JSON text, for every contract model."""
    rendered: dict[str, str] = {}
    for group, models in (("input", INPUT_MODELS), ("output", OUTPUT_MODELS)):
        for name, model in models.items():
            schema = model.model_json_schema(mode="validation")
            text = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
            rendered[f"{group}.{name}.schema.json"] = text
    return rendered


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema into ``directory``; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_schemas().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
