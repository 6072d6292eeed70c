"""The terminal summary an operator reads after a run (rich tables, no personal data)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from exitmatch.contract.outputs import RunReport


def print_summary(report: RunReport, out: Path, console: Console | None = None) -> None:
    """Counts per source, files that could not be read, outputs and timings."""
    console = console or Console(stderr=False)
    table = Table(title=f"exitmatch {report.command}: {out}", title_justify="left")
    for column in ("source", "read", "accepted", "quarantined", "data issues"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for source in report.sources:
        table.add_row(
            source.source,
            f"{source.read:,}",
            f"{source.accepted:,}",
            f"{source.quarantined:,}",
            f"{source.data_issues:,}",
        )
    console.print(table)
    for source in report.sources:
        for file in source.files:
            if file.error:
                console.print(f"[red]could not read[/red] {file.file}: {file.error}")
    if report.bands:
        bands = ", ".join(f"{band} {count:,}" for band, count in report.bands.items())
        console.print(f"candidates: {bands}")
    if report.outputs:
        console.print("outputs: " + ", ".join(f"{k} {v:,}" for k, v in report.outputs.items()))
    if report.store:
        sizes = {k: v for k, v in report.store.items() if k != "path"}
        console.print(
            "store: "
            + ", ".join(
                f"{k.replace('_', ' ')} {v:,}" for k, v in sizes.items() if isinstance(v, int)
            )
        )
    if report.timings_s:
        stages = ", ".join(f"{k} {v:.2f}s" for k, v in report.timings_s.items())
        console.print(f"timings: {stages}")
