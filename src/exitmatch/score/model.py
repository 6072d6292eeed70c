"""The match model: m and u per comparison level, the prior, saved as JSON.

A saved model can be reused without retraining (``MatchModel.load``); its fingerprint
goes into every run report so a result can be traced to the parameters that made it.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from exitmatch.compare.levels import Comparison
from exitmatch.errors import SettingsError

MODEL_FORMAT = 1


class LevelParameters(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    label: str
    m: float = Field(ge=0.0, le=1.0, description="P(level | same person)")
    u: float = Field(ge=0.0, le=1.0, description="P(level | different people)")
    tf_adjusted: bool = Field(False, description="Weight uses the agreed value's frequency")

    @property
    def weight(self) -> float:
        """log2 Bayes factor of this level (0 for the missing level)."""
        if self.m <= 0.0 or self.u <= 0.0:
            return 0.0
        return math.log2(self.m / self.u)


class ComparisonParameters(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    levels: list[LevelParameters]


class MatchModel(BaseModel):
    """Fellegi-Sunter parameters learned from one night's candidate pairs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: int = MODEL_FORMAT
    comparisons: list[ComparisonParameters]
    prior: float = Field(gt=0.0, lt=1.0, description="P(a random case-record pair matches)")
    trained_on: dict[str, int] = Field(default_factory=dict, description="Counts it saw")
    em_iterations: int = 0

    def fingerprint(self) -> str:
        """A digest of the parameters, the same for a model saved and loaded again (its
        counts are saved with their keys sorted)."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def level(self, comparison: str, index: int) -> LevelParameters:
        for params in self.comparisons:
            if params.name == comparison:
                return params.levels[index]
        raise KeyError(comparison)

    @property
    def prior_log2_odds(self) -> float:
        return math.log2(self.prior / (1.0 - self.prior))

    def check_against(self, comparisons: tuple[Comparison, ...]) -> None:
        """Refuse a saved model whose comparisons are not the ones this version computes."""
        saved = [(c.name, [lv.name for lv in c.levels]) for c in self.comparisons]
        current = [(c.name, c.level_names()) for c in comparisons]
        if saved != current:
            raise SettingsError(
                "the saved model's comparisons differ from this version's; retrain it"
            )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(
            json.dumps(self.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
        )
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path) -> MatchModel:
        try:
            return cls.model_validate_json(path.read_text())
        except (OSError, ValueError) as e:
            raise SettingsError(f"{path}: not a usable exitmatch model ({e})") from e
