"""The one error root of exitmatch.

Reach for these when a caller must be able to tell what went wrong and where: every
message names the file, the row and the value at fault, never more personal data than
that. Errors from engines (polars, duckdb) are wrapped with ``raise ... from e``.
"""

from __future__ import annotations


class ExitmatchError(Exception):
    """Base class of every error exitmatch raises on purpose."""


class ContractError(ExitmatchError):
    """An input does not follow CONTRACT.md in a way that stops a whole file from loading."""

    def __init__(self, message: str, *, file: str | None = None) -> None:
        self.file = file
        super().__init__(f"{file}: {message}" if file else message)


class SettingsError(ExitmatchError):
    """Settings or a saved model that cannot be used."""


class SynthError(ExitmatchError):
    """Synthetic data generation was asked for something it cannot produce."""
