"""Loading a source's files end to end: find, read, validate, count.

Reach for ``ingest`` to turn the paths given for one source into canonical accepted rows,
quarantined rows and data issues, with per-file counts in which read = accepted +
quarantined always holds. ``run_validate`` does that for every source given and writes
``quarantine.csv``, ``data_issues.csv`` and ``run_report.json`` (the ``validate`` command).

A file that cannot be read at all is recorded with its error and the other files still
load: one bad file in a night's delivery must not hold up the rest.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from exitmatch import __version__
from exitmatch.contract.codes import Source
from exitmatch.contract.outputs import (
    DataIssue,
    FileCounts,
    QuarantineRow,
    RunReport,
    SourceCounts,
)
from exitmatch.errors import ContractError, ExitmatchError
from exitmatch.ingest.formats import (
    PROVENANCE,
    RawFile,
    contract_columns,
    file_format,
    find_inputs,
    read_new,
)
from exitmatch.ingest.validate import ISSUES_SCHEMA, QUARANTINE_SCHEMA, KnownIds, validate
from exitmatch.output.files import write_json, write_model_csv

QUARANTINE_FILE = "quarantine.csv"
DATA_ISSUES_FILE = "data_issues.csv"
RUN_REPORT_FILE = "run_report.json"


@dataclass(frozen=True)
class Ingested:
    """One source, loaded: accepted rows (``frames.CANONICAL[source]``), quarantined rows,
    data issues and what happened to each file."""

    source: Source
    frame: pl.DataFrame
    quarantine: pl.DataFrame
    issues: pl.DataFrame
    files: list[FileCounts]
    timings_s: dict[str, float] = field(default_factory=dict)

    def counts(self) -> SourceCounts:
        """Counts in and out for the run report (sums of the per-file counts)."""
        return SourceCounts(
            source=self.source.value,
            read=sum(f.read for f in self.files),
            accepted=sum(f.accepted for f in self.files),
            quarantined=sum(f.quarantined for f in self.files),
            data_issues=sum(f.data_issues for f in self.files),
            files=self.files,
        )


def ingest(
    source: Source,
    paths: Sequence[Path],
    *,
    known: KnownIds | None = None,
    skip: frozenset[str] = frozenset(),
) -> Ingested:
    """Read and validate every file given for ``source`` (folders expanded, sorted by name).

    ``known``: which record ids were received in earlier runs (their repeats are
    duplicates); ``skip``:
    sha256 digests of files already ingested, which are not read again.
    """
    started = time.perf_counter()
    raws: list[RawFile] = []
    failed: dict[str, FileCounts] = {}
    order: list[str] = []
    for path in paths:
        if path.is_dir() and not find_inputs([path]):
            failed[str(path)] = FileCounts(
                file=str(path), format="folder", error="the folder holds no input files"
            )
            order.append(str(path))
    read_now: set[str] = set()
    for path in find_inputs(paths):
        if str(path) in order:
            continue  # the same file given twice (or via its folder) is read once
        try:
            new = read_new(path, source, skip | read_now)
        except ContractError as e:
            order.append(str(path))
            failed[str(path)] = _failed(path, e)
            continue
        # None: the same bytes were delivered before, or under another name in this run;
        # they are counted once, where they were read.
        if new is not None:
            order.append(str(path))
            raws.append(new)
            read_now.add(new.sha256)
    read_s = time.perf_counter() - started

    started = time.perf_counter()
    raw = _combine(source, raws)
    checked = validate(source, raw, {r.name: r.columns for r in raws}, known)
    rejected = [
        r.rejected.select(
            pl.lit(source.value, pl.Utf8).alias("source"),
            pl.lit(r.name, pl.Utf8).alias("file"),
            "row",
            "reason",
            "raw",
        )
        for r in raws
        if r.rejected.height
    ]
    quarantine = sort_rows(pl.concat([checked.quarantine, *rejected]))
    issues = sort_rows(checked.issues)
    validate_s = time.perf_counter() - started

    files = _file_counts(raws, failed, order, checked.frame, quarantine, issues)
    expected = raw.height + sum(r.rejected.height for r in raws)
    if checked.frame.height + quarantine.height != expected:
        # The promise of the contract: nothing dropped silently. Fail loudly if broken.
        raise ExitmatchError(
            f"{source.value}: {expected} rows read but {checked.frame.height} accepted and "
            f"{quarantine.height} quarantined"
        )
    return Ingested(
        source=source,
        frame=checked.frame,
        quarantine=quarantine,
        issues=issues,
        files=files,
        timings_s={f"read:{source.value}": read_s, f"validate:{source.value}": validate_s},
    )


def file_digest(path: Path) -> str | None:
    """sha256 of a file's bytes, or None when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _failed(path: Path, error: ContractError) -> FileCounts:
    message = str(error).removeprefix(f"{error.file}: ") if error.file else str(error)
    return FileCounts(
        file=str(path),
        format=file_format(path) or "unknown",
        sha256=file_digest(path),
        error=message,
    )


def _combine(source: Source, raws: Sequence[RawFile]) -> pl.DataFrame:
    if not raws:
        names = [*contract_columns(source), *PROVENANCE]
        return pl.DataFrame(schema=dict.fromkeys(names, pl.Utf8))
    # Files of one source may differ in optional columns; the union is taken, absent = null.
    return pl.concat([r.frame for r in raws], how="diagonal")


def _per_file(frame: pl.DataFrame, column: str) -> dict[str, int]:
    if frame.height == 0:
        return {}
    counts = frame.group_by(column).len()
    return dict(zip(counts[column].to_list(), counts["len"].to_list(), strict=True))


def _file_counts(
    raws: Sequence[RawFile],
    failed: Mapping[str, FileCounts],
    order: Sequence[str],
    accepted: pl.DataFrame,
    quarantine: pl.DataFrame,
    issues: pl.DataFrame,
) -> list[FileCounts]:
    kept = _per_file(accepted, "_file")
    held = _per_file(quarantine, "file")
    noted = _per_file(issues, "file")
    read = {r.name: r for r in raws}
    counts: list[FileCounts] = []
    for name in order:
        if name in failed:
            counts.append(failed[name])
            continue
        raw = read[name]
        counts.append(
            FileCounts(
                file=name,
                format=raw.format,
                sha256=raw.sha256,
                read=kept.get(name, 0) + held.get(name, 0),
                accepted=kept.get(name, 0),
                quarantined=held.get(name, 0),
                data_issues=noted.get(name, 0),
            )
        )
    return counts


def sort_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Sort quarantine or data-issue rows by source, file and row, rows in number order
    (``2`` before ``10``; PAXLST ``message/segment`` by both numbers). Stable, so several
    issues of one row keep their column order."""
    parts = pl.col("row").str.split("/")
    first = parts.list.get(0, null_on_oob=True).cast(pl.Int64, strict=False)
    second = parts.list.get(1, null_on_oob=True).cast(pl.Int64, strict=False)
    return (
        frame.with_columns(first.alias("__r1"), second.alias("__r2"))
        .sort(["source", "file", "__r1", "__r2", "row"], maintain_order=True, nulls_last=True)
        .drop("__r1", "__r2")
    )


def run_validate(inputs: Mapping[Source, Sequence[Path]], out: Path) -> RunReport:
    """Ingest every source given, write quarantine.csv, data_issues.csv and run_report.json
    into ``out`` (each atomically), and return the report."""
    started_at = datetime.now(UTC)
    loaded = [ingest(source, paths) for source, paths in inputs.items()]
    timings: dict[str, float] = {}
    for result in loaded:
        timings.update(result.timings_s)

    started = time.perf_counter()
    quarantine = sort_rows(
        pl.concat([pl.DataFrame(schema=QUARANTINE_SCHEMA), *(r.quarantine for r in loaded)])
    )
    issues = sort_rows(pl.concat([pl.DataFrame(schema=ISSUES_SCHEMA), *(r.issues for r in loaded)]))
    outputs = {
        QUARANTINE_FILE: write_model_csv(quarantine, out / QUARANTINE_FILE, QuarantineRow),
        DATA_ISSUES_FILE: write_model_csv(issues, out / DATA_ISSUES_FILE, DataIssue),
    }
    timings["write"] = time.perf_counter() - started

    sources = [r.counts() for r in loaded]
    report = RunReport(
        exitmatch_version=__version__,
        command="validate",
        started_at=started_at,
        sources=sources,
        unreadable_files=sum(1 for s in sources for f in s.files if f.error),
        outputs=outputs,
        timings_s={stage: round(seconds, 6) for stage, seconds in timings.items()},
    )
    write_json(report, out / RUN_REPORT_FILE)
    return report
