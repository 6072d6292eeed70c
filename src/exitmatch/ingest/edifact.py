"""UN/EDIFACT syntax: decoding an interchange, its service characters, its segments.

Reach for this under a message reader (``ingest.paxlst``): ``decode`` turns the bytes into
text (UTF-8 first, else the character set the UNB declares), ``service_advice`` reads the
UNA (or takes the ISO 9735 defaults), and ``tokenize`` splits the interchange into a frame
of segments with their positions and raw text, release characters handled.
"""

from __future__ import annotations

import codecs
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from exitmatch.errors import ContractError

# ISO 9735 syntax identifiers that are not UTF-8. UTF-8 is tried first whatever the file
# declares, because carriers often declare UNOA/UNOC and send UTF-8.
_CHARSETS = {"UNOC": "latin-1"} | {
    f"UNO{letter}": f"iso8859-{part}"
    for letter, part in zip("DEFGHIJK", (2, 5, 7, 3, 4, 6, 8, 9), strict=True)
}


@dataclass(frozen=True)
class Syntax:
    """Service characters, from the UNA service string advice or the ISO 9735 defaults."""

    component: str = ":"
    data: str = "+"
    release: str | None = "?"
    terminator: str = "'"


@dataclass(frozen=True)
class Tokens:
    """Every segment of the file as a frame: ``i`` (1-based, UNB = 1), ``tag``, ``el`` (data
    elements, escaped characters still as placeholders) and ``raw`` (as sent)."""

    segments: pl.DataFrame
    syntax: Syntax
    to_value: dict[str, str]

    def unescaped(self, text: pl.Expr) -> pl.Expr:
        """Placeholders back to the characters they stand for; empty text as missing."""
        for placeholder, char in self.to_value.items():
            text = text.str.replace_all(placeholder, char, literal=True)
        return pl.when(text != "").then(text)

    def component(self, element: int, component: int) -> pl.Expr:
        parts = pl.col("el").list.get(element, null_on_oob=True)
        return self.unescaped(parts.list.get(component, null_on_oob=True))

    def components(self, parts: list[str]) -> list[str]:
        """One element's components unescaped, in Python, for the few service and
        flight-level segments."""
        if not self.to_value:
            return parts
        table = str.maketrans(self.to_value)
        return [part.translate(table) for part in parts]


def decode(path: Path, name: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ContractError(f"cannot be read ({e.strerror})", file=name) from e
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = re.search(rb"UNB.(UNO[A-Z])", data[:300])
    charset = _CHARSETS.get(declared.group(1).decode() if declared else "", "latin-1")
    try:
        return data.decode(charset)
    except UnicodeDecodeError as e:
        raise ContractError(f"not valid {charset} text at byte {e.start}", file=name) from e


def service_advice(text: str, name: str) -> tuple[Syntax, str]:
    """The separators (UNA, else defaults) and the text after the UNA."""
    text = text.lstrip()
    if text.startswith("UNA"):
        chars = text[3:9]
        if len(chars) < 6:
            raise ContractError("the UNA service string advice is cut short", file=name)
        # UNA: component, data, decimal mark, release, reserved, terminator.
        component, data, release, terminator = chars[0], chars[1], chars[3], chars[5]
        # A space as release character means the interchange uses none (ISO 9735).
        syntax = Syntax(component, data, None if release == " " else release, terminator)
        distinct = len({component, data, terminator} - {" "}) == 3
        if not distinct or release in (component, data, terminator):
            raise ContractError(f"the UNA separators {chars!r} are not distinct", file=name)
        text = text[9:]
    else:
        syntax = Syntax()
    # Line breaks are not EDIFACT, but carriers add them after segments or wrap long lines.
    for brk in "\r\n":
        if brk not in (syntax.component, syntax.data, syntax.release, syntax.terminator):
            text = text.replace(brk, "")
    if not text.lstrip().startswith("UNB" + syntax.data):
        raise ContractError(
            "not an EDIFACT interchange: it does not start with UNA or UNB", file=name
        )
    return syntax, text


def _placeholders(body: str, count: int) -> list[str]:
    """``count`` private-use characters that do not occur in ``body``."""
    unused = (chr(code) for code in itertools.count(0xE000) if chr(code) not in body)
    return list(itertools.islice(unused, count))


def tokenize(body: str, syntax: Syntax, name: str) -> Tokens:
    """Split the interchange into segments and data elements.

    Escaped service characters are first swapped for private-use placeholders, so that
    every split after that is a plain split (in C, or in polars); values get their
    characters back when they are read, and raw texts their release characters.
    """
    release = syntax.release
    swap: dict[str, str] = {}
    if release is not None and release in body:
        services = (syntax.component, syntax.data, syntax.terminator, release)
        swap = dict(zip(services, _placeholders(body, 4), strict=True))
        pair = re.compile(f"{re.escape(release)}(.)", re.DOTALL)
        # A release before any other character is dropped, from the raw text as well. One
        # dangling at the very end stays in the tail and makes the file "truncated".
        body = pair.sub(lambda m: swap.get(m.group(1), m.group(1)), body)
    texts = body.split(syntax.terminator)
    if texts.pop().strip():
        raise ContractError("the last segment has no terminator: the file is truncated", file=name)
    raw = pl.col("text")
    for char, placeholder in swap.items():
        raw = raw.str.replace_all(placeholder, f"{release}{char}", literal=True)
    segments = (
        pl.DataFrame({"text": texts}, schema={"text": pl.Utf8})
        .with_columns(pl.col("text").str.strip_chars_start(" \t"))
        .filter(pl.col("text") != "")  # two terminators in a row carry nothing
        .with_row_index("i", offset=1)
        .select(
            pl.col("i").cast(pl.Int64),
            pl.col("text").str.split(syntax.data).alias("el"),
            (raw + syntax.terminator).alias("raw"),
        )
        # The tag is the first element unsplit, so that "NEILL:PATRICK" is seen as no tag;
        # then every element is split into its components once.
        .with_columns(
            pl.col("el").list.first().alias("tag"),
            pl.col("el").list.eval(pl.element().str.split(syntax.component)),
        )
    )
    return Tokens(segments, syntax, {p: c for c, p in swap.items()})
