"""Finding input files and reading each into a raw frame of text, exactly as written.

Reach for this when a path given on the command line has to become rows: ``find_inputs``
expands folders, ``read_raw`` reads one file into a frame whose every column is text
(``pl.Utf8``) plus the provenance columns ``_file`` and ``_row``. Nothing is judged here
beyond "can this file be read at all"; the rules of the contract are applied afterwards,
column-wise, by ``exitmatch.ingest.validate``. A file that cannot be read raises
``ContractError`` naming the file and what is wrong, so the loader can record it and go on.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from exitmatch.contract.codes import Source
from exitmatch.contract.inputs import INPUT_MODELS
from exitmatch.contract.values import LIST_SEPARATOR
from exitmatch.errors import ContractError
from exitmatch.ingest.paxlst import read_paxlst

if TYPE_CHECKING:
    from polars._typing import PolarsDataType

# Longest suffix first, so ``x.csv.gz`` is not taken for plain gzip.
FORMATS: dict[str, str] = {
    ".csv.gz": "csv.gz",
    ".jsonl.gz": "jsonl.gz",
    ".ndjson.gz": "jsonl.gz",
    ".csv": "csv",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".edi": "paxlst",
    ".paxlst": "paxlst",
}

# The raw line of a JSON Lines row rides along under this name so quarantine can show it.
RAW_LINE = "_raw"
PROVENANCE = ("_file", "_row")
_RESERVED = frozenset({*PROVENANCE, RAW_LINE})

# Columns a file of each source must carry in its header (the rest may be absent), and the
# identity columns of which at least one must be there for any row to be usable.
_IDENTITY: dict[Source, tuple[str, ...]] = {
    Source.INVENTORY: ("surname", "given_names"),
    Source.LAND: ("surname", "given_name", "document_number"),
    Source.AIR: ("surname", "given_names", "document_number"),
    Source.ENTRIES: ("surname", "given_names", "document_number"),
}


def required_columns(source: Source) -> tuple[str, ...]:
    """Columns without which no row of ``source`` can be accepted (from the contract models)."""
    model = INPUT_MODELS[source.value]
    return tuple(name for name, field in model.model_fields.items() if field.is_required())


def contract_columns(source: Source) -> tuple[str, ...]:
    """Every column the contract defines for ``source``, in the contract's order."""
    return tuple(INPUT_MODELS[source.value].model_fields)


@dataclass(frozen=True)
class RawFile:
    """One file as read: text columns in file order plus ``_file``/``_row``.

    ``columns`` is the file's own column order (used to show a quarantined row as read);
    ``rejected`` holds rows the reader itself could not turn into columns (PAXLST segments),
    with columns row, reason, raw.
    """

    path: Path
    format: str
    sha256: str
    frame: pl.DataFrame
    columns: tuple[str, ...]
    rejected: pl.DataFrame

    @property
    def name(self) -> str:
        return str(self.path)


def file_format(path: Path) -> str | None:
    """The format a file name says it holds, or None when it is not an input file."""
    name = path.name.lower()
    for suffix, fmt in FORMATS.items():
        if name.endswith(suffix):
            return fmt
    return None


def find_inputs(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their input files (sorted by name, for the same order every run).

    A path that is a file is taken as given, whatever its name, so that a typo in an
    extension shows up as a read error rather than as a silently skipped file.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    (p for p in path.iterdir() if p.is_file() and file_format(p) is not None),
                    key=lambda p: p.name,
                )
            )
        else:
            found.append(path)
    return found


def read_raw(path: Path, source: Source) -> RawFile:
    """Read one input file into text columns; raise ``ContractError`` if it cannot be read."""
    raw = read_new(path, source, skip=frozenset())
    assert raw is not None  # nothing is skipped
    return raw


def read_new(path: Path, source: Source, skip: Collection[str]) -> RawFile | None:
    """``read_raw``, or None when the file's sha256 is in ``skip`` (delivered before).

    The digest is taken from the bytes read for parsing, so a file is read once either way.
    """
    name = str(path)
    fmt = file_format(path)
    if fmt is None:
        raise ContractError(
            "not an input file: expected .csv, .csv.gz, .parquet, .jsonl, .ndjson "
            "(optionally .gz), or .edi/.paxlst for air manifests",
            file=name,
        )
    if not path.is_file():
        raise ContractError("no such file", file=name)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ContractError(f"cannot be read ({e.strerror})", file=name) from e
    digest = hashlib.sha256(data).hexdigest()
    if digest in skip:
        return None
    if fmt == "paxlst":
        return _read_paxlst(path, source, digest)
    if fmt.endswith(".gz"):
        data = _gunzip(data, name)
    if fmt.startswith("csv"):
        frame = _read_csv(data, name)
    elif fmt.startswith("jsonl"):
        frame = _read_jsonl(data, name)
    else:
        frame = _read_parquet(data, name)
    columns = tuple(c for c in frame.columns if c not in (RAW_LINE, "_row"))
    _check_header(columns, source, name)
    frame = frame.with_columns(pl.lit(name, pl.Utf8).alias("_file"))
    return RawFile(path, fmt, digest, frame, columns, _no_rejects())


def _no_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema={"row": pl.Utf8, "reason": pl.Utf8, "raw": pl.Utf8})


def _gunzip(data: bytes, name: str) -> bytes:
    try:
        return gzip.decompress(data)
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise ContractError(f"not a complete gzip file ({e})", file=name) from e


def _check_utf8(data: bytes, name: str) -> bytes:
    """Strict UTF-8, naming the line of the first bad byte; a leading BOM is dropped."""
    if data.isascii():
        return data  # ASCII is UTF-8, and has no BOM: nothing to decode
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ContractError(
            f"not UTF-8 text: invalid byte 0x{data[e.start]:02x} on line {line}", file=name
        ) from e
    return data.removeprefix(b"\xef\xbb\xbf")


def _normalise_header(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """Column names compared without case or surrounding space; a repeat is an error."""
    names = [c.strip().lower() for c in frame.columns]
    for column in names:
        # The CSV reader renames a repeated header to <name>_duplicated_<n>.
        original, marker, _ = column.rpartition("_duplicated_")
        if marker and original in names:
            raise ContractError(f"column {original!r} appears twice in the header", file=name)
    seen: set[str] = set()
    for column in names:
        if column in _RESERVED or column.startswith("__"):
            # Provenance and working columns of the loader would be overwritten.
            raise ContractError(f"column name {column!r} is reserved", file=name)
        if column in seen:
            raise ContractError(f"column {column!r} appears twice in the header", file=name)
        seen.add(column)
    return frame.rename(dict(zip(frame.columns, names, strict=True)))


def _with_row_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_row_index("_row", offset=1).with_columns(pl.col("_row").cast(pl.Utf8))


def _read_csv(data: bytes, name: str) -> pl.DataFrame:
    data = _check_utf8(data, name)
    if not data.strip():
        raise ContractError("empty file: no header row", file=name)
    try:
        # Everything as text: the validator, not the CSV reader, decides what a value means.
        frame = pl.read_csv(data, infer_schema=False, encoding="utf8")
    except pl.exceptions.PolarsError as e:
        raise ContractError(f"not a readable CSV file ({_first_line(e)})", file=name) from e
    if frame.width == 1 and any(sep in frame.columns[0] for sep in (";", "\t", "|")):
        raise ContractError("the header reads as a single column; is the delimiter ','?", file=name)
    return _with_row_numbers(_normalise_header(frame, name))


def _read_jsonl(data: bytes, name: str) -> pl.DataFrame:
    data = _check_utf8(data, name)
    lines = data.decode("utf-8").split("\n")
    numbers = [i for i, line in enumerate(lines, start=1) if line.strip()]
    kept = [lines[i - 1].rstrip("\r") for i in numbers]
    if not kept:
        raise ContractError("empty file: no JSON lines", file=name)
    try:
        frame = pl.read_ndjson(
            io.BytesIO("\n".join(kept).encode("utf-8")), infer_schema_length=None
        )
    except pl.exceptions.PolarsError as e:
        raise ContractError(_json_problem(kept, numbers, e), file=name) from e
    if frame.height != len(kept):
        raise ContractError("some lines are not JSON objects", file=name)
    frame = _normalise_header(_as_text(frame), name)
    return frame.with_columns(
        pl.Series("_row", [str(n) for n in numbers], pl.Utf8),
        pl.Series(RAW_LINE, kept, pl.Utf8),
    )


def _json_problem(lines: Sequence[str], numbers: Sequence[int], error: Exception) -> str:
    # Only on the failure path: find the first line that is not a JSON object, by number.
    for number, line in zip(numbers, lines, strict=True):
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            return f"line {number} is not valid JSON"
        if not isinstance(value, dict):
            return f"line {number} is not a JSON object"
    return f"not readable as JSON Lines ({_first_line(error)})"


def _read_parquet(data: bytes, name: str) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except (pl.exceptions.PolarsError, OSError) as e:
        raise ContractError(f"not a readable Parquet file ({_first_line(e)})", file=name) from e
    return _with_row_numbers(_normalise_header(_as_text(frame), name))


def _read_paxlst(path: Path, source: Source, digest: str) -> RawFile:
    name = str(path)
    if source is not Source.AIR:
        raise ContractError("PAXLST manifests can only be given as air exits", file=name)
    try:
        frame, rejected = read_paxlst(path)
    except ContractError:
        raise
    except (ValueError, UnicodeError, pl.exceptions.PolarsError) as e:
        # A manifest the reader chokes on is one unreadable file, not a failed run.
        raise ContractError(f"not a readable PAXLST file ({_first_line(e)})", file=name) from e
    if not isinstance(frame, pl.DataFrame) or not isinstance(rejected, pl.DataFrame):
        raise ContractError("the PAXLST reader returned no frames", file=name)
    columns = tuple(c for c in frame.columns if c not in PROVENANCE)
    frame = frame.with_columns(pl.lit(name, pl.Utf8).alias("_file"))
    rejected = rejected.select(
        pl.col("row").cast(pl.Utf8), pl.col("reason").cast(pl.Utf8), pl.col("raw").cast(pl.Utf8)
    )
    return RawFile(path, "paxlst", digest, frame, columns, rejected)


def _check_header(columns: Sequence[str], source: Source, name: str) -> None:
    present = set(columns)
    missing = [c for c in required_columns(source) if c not in present]
    if missing:
        raise ContractError(f"missing required column(s): {', '.join(missing)}", file=name)
    identity = _IDENTITY[source]
    if not present.intersection(identity):
        raise ContractError(
            f"none of the identity columns is present ({', '.join(identity)})", file=name
        )


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column as text, the way a CSV writer would have written it."""
    return frame.with_columns(_text_expr(pl.col(c), frame.schema[c]) for c in frame.columns)


def _text_expr(expr: pl.Expr, dtype: PolarsDataType) -> pl.Expr:
    if dtype == pl.Utf8:
        return expr
    if isinstance(dtype, pl.Datetime):
        # An aware time carries its offset (shown in UTC); a naive one is written without,
        # which the contract reads as UTC.
        if dtype.time_zone is not None:
            return expr.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S%.f+00:00")
        return expr.dt.strftime("%Y-%m-%dT%H:%M:%S%.f")
    if dtype == pl.Date:
        return expr.dt.strftime("%Y-%m-%d")
    if isinstance(dtype, pl.Array):
        return _text_expr(expr.arr.to_list(), pl.List(dtype.inner))
    if isinstance(dtype, pl.List):
        inner = dtype.inner
        items = expr if inner == pl.Utf8 else expr.list.eval(_text_expr(pl.element(), inner))
        return items.list.join(LIST_SEPARATOR)
    if isinstance(dtype, pl.Struct):
        # A document as a struct {type, issuer, number} reads back as TYPE/ISSUER/NUMBER.
        return pl.concat_str(
            [_text_expr(expr.struct.field(f.name), f.dtype) for f in dtype.fields],
            separator="/",
        )
    return expr.cast(pl.Utf8, strict=False)
