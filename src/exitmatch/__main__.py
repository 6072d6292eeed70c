"""``python -m exitmatch``: the command line."""

from exitmatch.cli import app

app()
