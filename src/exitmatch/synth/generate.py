"""``exitmatch synth``: write a synthetic data set and its ground truth to a folder.

Use :func:`generate` (the CLI calls it). Subjects are made one by one (a few tens of
thousands); ordinary travellers are made a chunk at a time with column operations and
streamed to disk, so memory stays flat however many are asked for.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from exitmatch import __version__
from exitmatch.contract.codes import Source
from exitmatch.errors import SynthError
from exitmatch.synth import bulk as bulk_mod
from exitmatch.synth.config import SynthConfig
from exitmatch.synth.dirty import Spoiled, spoil, spoil_cases
from exitmatch.synth.rng import ColumnRng, sub_seed
from exitmatch.synth.scenarios import Subject, make_subject
from exitmatch.synth.truth import Link, expected_outputs
from exitmatch.synth.writer import LIST_COLUMNS, TableWriter, contract_columns, write_csv

Progress = Callable[[str, int, int], None]
_TIME = {"land": "crossed_at", "air": "departed_at", "entries": "entered_at"}
_NAMES = {
    "land": ("surname", "given_name", "middle_names"),
    "air": ("surname", "given_names"),
    "entries": ("surname", "given_names"),
}
_PREFIX = {"land": "L", "air": "A", "entries": "E"}


@dataclass
class SynthSummary:
    """Rows written per file (paths relative to the output folder)."""

    files: dict[str, int] = field(default_factory=dict)


class _Stream:
    """One input file being written: ids, dirt, and the subjects' record ids."""

    def __init__(self, source: str, out: Path, config: SynthConfig, log: Spoiled) -> None:
        self.source = source
        ext = config.format
        self.writer = TableWriter(
            out / f"{source}.{ext}", contract_columns(Source(source)), config.format
        )
        self.rng = ColumnRng(sub_seed(config.seed, "dirt", source))
        self.config = config
        self.log = log
        self.next_id = 1
        self.links: dict[int, list[Link]] = {}
        self.decoys: list[tuple[int, str]] = []  # (subject index, record id) of look-alikes
        self.vtags: dict[str, str] = {}

    def write(self, frame: pl.DataFrame, shuffle: ColumnRng) -> pl.DataFrame:
        n = len(frame)
        frame = frame.with_columns(shuffle.uniform(n).alias("_k")).sort("_k")
        ids = pl.Series(
            [f"{_PREFIX[self.source]}{i:011d}" for i in range(self.next_id, self.next_id + n)]
        )
        self.next_id += n
        frame = frame.with_columns(ids.alias("record_id"))
        planted = frame.filter(pl.col("_sid") <= -2)
        self.decoys.extend(
            zip((-2 - planted["_sid"]).to_list(), planted["record_id"].to_list(), strict=True)
        )
        mine = frame.filter(pl.col("_sid") >= 0)
        for sid, rid, at, tags in zip(
            mine["_sid"].to_list(),
            mine["record_id"].to_list(),
            mine["_at"].to_list(),
            mine["_vtags"].to_list(),
            strict=True,
        ):
            self.links.setdefault(sid, []).append(Link(self.source, rid, at, _utc(at)))
            self.vtags[rid] = tags or ""
        frame = spoil(
            frame,
            self.rng,
            source=self.source,
            rate=self.config.dirty_rate,
            time_column=_TIME[self.source],
            name_columns=_NAMES[self.source],
            log=self.log,
        )
        self.writer.write(frame)
        return frame


def _subject_frame(rows: list[dict[str, Any]], columns: list[str]) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = dict.fromkeys(columns, pl.Utf8())
    schema.update(_at=pl.Int64(), _sid=pl.Int64(), _vtags=pl.Utf8())
    return pl.DataFrame([{k: r.get(k) for k in schema} for r in rows], schema=schema, orient="row")


def _split(frame: pl.DataFrame, parts: int, rng: ColumnRng) -> list[pl.DataFrame]:
    """``frame`` in ``parts`` slices, rows shuffled first so that where a subject's record
    lands in the file (its record id) says nothing about which case it belongs to."""
    frame = frame.with_columns(rng.uniform(len(frame)).alias("_k")).sort("_k").drop("_k")
    size = math.ceil(len(frame) / parts) if len(frame) else 0
    return [frame.slice(i * size, size) for i in range(parts)]


def _tag(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(-1, pl.Int64).alias("_sid"), pl.lit(None, pl.Utf8).alias("_vtags")
    )


def _paxlst() -> Callable[..., None]:
    try:
        from exitmatch.synth.paxlst_writer import write_paxlst
    except ImportError as e:
        raise SynthError(
            "PAXLST output was asked for but exitmatch.synth.paxlst_writer is not available"
        ) from e
    return write_paxlst


def generate(config: SynthConfig, out: Path, progress: Progress | None = None) -> SynthSummary:
    """Write inventory, land, air and entries files and ``truth/`` into ``out``."""
    report = progress or (lambda stage, done, total: None)
    write_paxlst = _paxlst() if config.paxlst else None
    out.mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(exist_ok=True)
    log = Spoiled()

    rng = random.Random(sub_seed(config.seed, "subjects"))
    subjects: list[Subject] = []
    for i in range(config.subjects):
        subjects.append(make_subject(rng, i, config))
        if i % 1000 == 999:
            report("subjects", i + 1, config.subjects)
    report("subjects", config.subjects, config.subjects)
    cases = [s.case for s in subjects]
    quarantined = spoil_cases(
        cases, random.Random(sub_seed(config.seed, "dirt", "inventory")), config.dirty_rate, log
    )
    summary = SynthSummary()
    inventory_columns = contract_columns(Source.INVENTORY)
    with TableWriter(out / f"inventory.{config.format}", inventory_columns, config.format) as w:
        if cases:
            w.write(
                pl.DataFrame(
                    [{c: _cell(case.get(c)) for c in inventory_columns} for case in cases],
                    schema={
                        c: pl.List(pl.Utf8) if c in LIST_COLUMNS else pl.Utf8
                        for c in inventory_columns
                    },
                    orient="row",
                )
            )
        summary.files[w.path.name] = w.rows

    compiled = bulk_mod.compile_bulk(
        config.history_start, config.history_end, config.variations.placeholder_dob_travellers
    )
    streams = {s: _Stream(s, out, config, log) for s in ("land", "air", "entries")}
    rows: dict[str, list[dict[str, Any]]] = {"land": [], "air": [], "entries": []}
    for s in subjects:
        for source, row in s.exits:
            rows[source].append({**row, "_sid": s.index})
        for source, row in s.decoys:
            rows[source].append({**row, "_sid": -2 - s.index})  # a look-alike, not them
        for row in s.entries:
            rows["entries"].append({**row, "_sid": s.index, "_vtags": ""})
    n_land = round(config.travellers * config.land_share)
    plan = {"land": n_land, "air": config.travellers - n_land}
    chunks = {k: max(1, math.ceil(n / config.chunk_rows)) for k, n in plan.items()}
    entry_parts = _split(
        _subject_frame(rows["entries"], streams["entries"].writer.columns),
        chunks["land"] + chunks["air"],
        ColumnRng(sub_seed(config.seed, "spread", "entries")),
    )
    make = {"land": bulk_mod.land_chunk, "air": bulk_mod.air_chunk}
    pax_dir = out / "air_paxlst"
    done = 0
    for source in ("land", "air"):
        stream = streams[source]
        data_rng = ColumnRng(sub_seed(config.seed, "bulk", source))
        shuffle = ColumnRng(sub_seed(config.seed, "shuffle", source))
        parts = _split(
            _subject_frame(rows[source], stream.writer.columns),
            chunks[source],
            ColumnRng(sub_seed(config.seed, "spread", source)),
        )
        for k in range(chunks[source]):
            size = min(config.chunk_rows, plan[source] - k * config.chunk_rows)
            frame = _tag(make[source](compiled, data_rng, max(size, 0)))
            frame = pl.concat([frame, parts[k]], how="vertical_relaxed")
            written = stream.write(frame, shuffle)
            back = bulk_mod.entries_for(
                compiled, data_rng, frame.filter(pl.col("_sid") == -1), config.traveller_entry_rate
            )
            mixed = pl.concat([_tag(back), entry_parts[done]], how="vertical_relaxed")
            streams["entries"].write(mixed, shuffle)
            if write_paxlst is not None:
                pax_dir.mkdir(exist_ok=True)
                if source == "air" and len(written):
                    # A passenger without a usable departure time cannot be put on a
                    # flight in PAXLST; those rows exist in air.csv only.
                    timed = written.filter(
                        pl.col("departed_at").str.contains(r"^\d{4}-\d{2}-\d{2}T")
                    )
                    pax_path = pax_dir / f"air_{k + 1:04d}.edi"
                    summary.files[f"air_paxlst/{pax_path.name}"] = len(timed)
                    write_paxlst(
                        timed.select(stream.writer.columns),
                        pax_path,
                        interchange_ref=f"{config.seed % 10**6:06d}{k + 1:04d}",
                    )
            done += 1
            report(source, min(plan[source], (k + 1) * config.chunk_rows), plan[source])
    for stream in streams.values():
        stream.writer.close()
        summary.files[stream.writer.path.name] = stream.writer.rows
    _write_truth(config, out, subjects, streams, quarantined, log, summary)
    return summary


def _utc(seconds: int) -> str:
    """Truth timestamps are always UTC with Z, whatever offset the input row was written in."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cell(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


_TRUTH_COLUMNS = {
    "expected_closure_candidates": [
        "case_id",
        "uci",
        "exit_source",
        "exit_record_id",
        "departed_at",
    ],
    "expected_warrant_cancellations": [
        "warrant_id",
        "case_id",
        "uci",
        "exit_source",
        "exit_record_id",
        "departed_at",
        "needs_supervisor",
    ],
    "expected_reentry_alerts": [
        "case_id",
        "uci",
        "exit_record_id",
        "departed_at",
        "entry_record_id",
        "entered_at",
    ],
    "expected_early_departures": [
        "case_id",
        "uci",
        "exit_source",
        "exit_record_id",
        "departed_at",
        "reason",
    ],
}


def _write_truth(
    config: SynthConfig,
    out: Path,
    subjects: list[Subject],
    streams: dict[str, _Stream],
    quarantined: set[int],
    log: Spoiled,
    summary: SynthSummary,
) -> None:
    truth = out / "truth"
    exits: dict[int, list[Link]] = {}
    for source in ("land", "air"):
        for sid, found in streams[source].links.items():
            exits.setdefault(sid, []).extend(found)
    entries = streams["entries"].links
    issue_tags: dict[str, list[str]] = {}
    for issue in log.issues:
        if issue["source"] == "inventory":
            issue_tags.setdefault(str(issue["record_id"]), []).append(f"dirty_{issue['column']}")
    cases = [
        {
            "case_id": s.case["case_id"],
            "uci": s.case["uci"],
            "scenarios": "|".join(
                [*s.tags, *issue_tags.get(s.case["case_id"], [])]
                + (["quarantined"] if s.index in quarantined else [])
            ),
            "variations": "|".join(s.variations),
        }
        for s in subjects
    ]
    links = [
        {
            "exit_source": link.source,
            "exit_record_id": link.record_id,
            "uci": subjects[sid].case["uci"],
            "variations": streams[link.source].vtags.get(link.record_id, ""),
        }
        for sid in sorted(exits)
        for link in exits[sid]
    ]
    entry_links = [
        {"entry_record_id": link.record_id, "uci": subjects[sid].case["uci"]}
        for sid in sorted(entries)
        for link in entries[sid]
    ]
    decoys = [
        {
            "exit_source": source,
            "exit_record_id": rid,
            "case_id": subjects[sid].case["case_id"],
            "uci": subjects[sid].case["uci"],
            "kind": "namesake",
        }
        for source in ("land", "air")
        for sid, rid in sorted(streams[source].decoys)
    ]
    expected = expected_outputs(subjects, exits, entries, quarantined)
    files: dict[str, tuple[list[str], list[dict[str, object]]]] = {
        "cases": (["case_id", "uci", "scenarios", "variations"], list(cases)),
        "exit_links": (["exit_source", "exit_record_id", "uci", "variations"], list(links)),
        "entry_links": (["entry_record_id", "uci"], list(entry_links)),
        "decoy_exits": (
            ["exit_source", "exit_record_id", "case_id", "uci", "kind"],
            list(decoys),
        ),
        "expected_closure_candidates": (
            _TRUTH_COLUMNS["expected_closure_candidates"],
            expected.closures,
        ),
        "expected_warrant_cancellations": (
            _TRUTH_COLUMNS["expected_warrant_cancellations"],
            expected.warrants,
        ),
        "expected_reentry_alerts": (_TRUTH_COLUMNS["expected_reentry_alerts"], expected.reentries),
        "expected_early_departures": (_TRUTH_COLUMNS["expected_early_departures"], expected.early),
        "expected_quarantine": (["source", "record_id", "reason"], log.quarantine),
        "expected_data_issues": (["source", "record_id", "column"], log.issues),
    }
    for name, (columns, rows) in files.items():
        count = write_csv(truth / f"{name}.csv", columns, rows)
        summary.files[f"truth/{name}.csv"] = count
    manifest = {
        "exitmatch_version": __version__,
        "seed": config.seed,
        "config": config.model_dump(mode="json"),
        "counts": summary.files,
    }
    (truth / "manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
