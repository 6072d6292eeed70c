"""Streaming: reconcile files as they land in an inbox, through the nightly run's engine.

Files go into ``INBOX/<source>/`` (``inventory``, ``land``, ``air``, ``entries``). A file is
picked up once complete: names starting with ``.`` or ending ``.tmp`` / ``.part`` are still
being written (write, then rename), and any other file must keep the same size and
modification time over two looks at least ``interval`` apart. Each look that finds
complete files runs one micro-batch through ``run_reconcile`` (one code path with the
nightly job) and then moves the files to ``INBOX/processed/<source>/``, their names prefixed
with the run number so that a sender reusing a name never overwrites an earlier delivery.
A batch that fails (land files before any inventory, say) is reported and its files stay
in the inbox for the next look. Killed between the run and the move, the
next start finds the files again: the store's ledger knows them by digest and the run
changes nothing. Latency is measured from a file landing (its modification time) to the
outputs being replaced.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from exitmatch.contract.codes import Source
from exitmatch.contract.outputs import RunReport
from exitmatch.errors import ExitmatchError
from exitmatch.ingest.formats import file_format
from exitmatch.reconcile import run_reconcile
from exitmatch.score.model import MatchModel
from exitmatch.settings import Settings

PROCESSED = "processed"
_IN_PROGRESS = (".tmp", ".part")


@dataclass(frozen=True)
class Batch:
    """One micro-batch: the files it took, the run's report, and how long it took from the
    newest file landing to the outputs being written."""

    files: list[Path]
    report: RunReport
    latency_s: float


@dataclass
class _Sightings:
    """Size and modification time of each file at the last look."""

    seen: dict[Path, tuple[int, float]] = field(default_factory=dict)

    def complete(self, path: Path) -> bool:
        stat = path.stat()
        now = (stat.st_size, stat.st_mtime)
        before = self.seen.get(path)
        self.seen[path] = now
        return before == now


def inbox_folders(inbox: Path) -> dict[Source, Path]:
    """The folder each source's files land in (created if missing)."""
    folders = {source: inbox / source.value for source in Source}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return folders


def _landed(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file()
        and not path.name.startswith(".")
        and not path.name.endswith(_IN_PROGRESS)
        and file_format(path) is not None
    )


def watch(
    inbox: Path,
    out: Path,
    settings: Settings,
    *,
    db: Path | None = None,
    model: MatchModel | None = None,
    interval_s: float = 2.0,
    once: bool = False,
    max_batches: int | None = None,
    on_batch: Callable[[Batch], None] | None = None,
    on_error: Callable[[ExitmatchError], None] | None = None,
) -> list[Batch]:
    """Process files as they land until stopped (or, with ``once``, until the inbox holds
    nothing more that is complete; with ``max_batches``, after that many batches)."""
    folders = inbox_folders(inbox)
    sightings = _Sightings()
    batches: list[Batch] = []
    while max_batches is None or len(batches) < max_batches:
        landed = {source: _landed(folder) for source, folder in folders.items()}
        ready = {
            source: [p for p in paths if sightings.complete(p)] for source, paths in landed.items()
        }
        ready = {source: paths for source, paths in ready.items() if paths}
        waiting = any(landed.values())
        if ready:
            try:
                batch = _run_batch(inbox, out, settings, ready, db, model)
            except ExitmatchError as error:
                if on_error is None:
                    raise
                on_error(error)
                if once:
                    break
            else:
                batches.append(batch)
                if on_batch is not None:
                    on_batch(batch)
        elif once and not waiting:
            break
        time.sleep(interval_s)
    return batches


def _run_batch(
    inbox: Path,
    out: Path,
    settings: Settings,
    ready: dict[Source, list[Path]],
    db: Path | None,
    model: MatchModel | None,
) -> Batch:
    files = [path for paths in ready.values() for path in paths]
    landed_at = max(path.stat().st_mtime for path in files)
    report = run_reconcile(ready, out, settings, model, db=db, command="watch")
    latency = time.time() - landed_at
    run = report.store.get("run_id", "run")
    for source, paths in ready.items():
        done = inbox / PROCESSED / source.value
        done.mkdir(parents=True, exist_ok=True)
        for path in paths:
            path.replace(done / f"{run}-{path.name}")
    return Batch(files, report, round(latency, 3))
