"""The ``exitmatch`` command line: a thin layer over the library (typer, on click)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from exitmatch import __version__

app = typer.Typer(
    name="exitmatch",
    help="Entry/exit record reconciliation for IRPR 240(3) removal-order closures.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def version() -> None:
    """Print the exitmatch version."""
    typer.echo(__version__)


@app.command()
def schemas(
    out: Annotated[Path, typer.Option(help="Folder to write the JSON Schemas into")] = Path(
        "schemas"
    ),
) -> None:
    """Write JSON Schemas of every input and output file, generated from the models."""
    from exitmatch.contract.schemas import write_schemas

    for path in write_schemas(out):
        typer.echo(str(path))
