"""The review queue: closure candidates and re-entry alerts waiting for an officer,
ordered by band then removal priority, filtered and paged in SQL.

Use ``page`` for a screen of the queue and ``neighbours`` for the items before and after
one position (moving through the queue from a case). Alerts come first: the subject is
back in Canada. A proposal awaiting approval stays in the queue (``superseded``) when a
later run proposes another departure for its case, so a supervisor can still approve or
send back the pair that was proposed. A pair an officer rejected reads as open again
when a later run proposes it anew (new evidence arrived, see ``exitmatch.store.rejections``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

from exitmatch.contract.codes import Priority
from exitmatch.store.store import Store

PAGE_SIZE = 50
BANDS = ("alert", "confirmed", "probable", "possible")
PRIORITIES = tuple(p.value for p in Priority)
STATES = {
    "to_work": ("open", "deferred", "returned"),
    "awaiting_approval": ("awaiting_approval",),
    "decided": ("accepted", "rejected", "acknowledged"),
    "all": (),
}

# Each queue item with its case and its review state; "state" is what the officer sees.
ITEMS = """
WITH items AS (
    SELECT 'closure' AS item, case_id, exit_source, exit_record_id, band,
           match_probability, match_weight, departed_at, departure_place, run_id,
           FALSE AS superseded
    FROM candidates
    UNION ALL
    SELECT 'alert', a.case_id, a.exit_source, a.exit_record_id, 'alert', a.match_probability,
           NULL, a.departed_at, r.place, a.run_id, FALSE
    FROM alerts a LEFT JOIN records r ON r.kind = a.exit_source AND r.record_id = a.exit_record_id
    UNION ALL
    SELECT 'closure', p.case_id, p.exit_source, p.exit_record_id, p.band, p.match_probability,
           NULL, p.departed_at, NULL, NULL, TRUE
    FROM (SELECT * FROM reviews WHERE state = 'awaiting_approval') p
    ANTI JOIN candidates USING (case_id, exit_source, exit_record_id)
    ANTI JOIN alerts USING (case_id, exit_source, exit_record_id)
)
SELECT i.*, k.uci, k.surname, k.given_names, k.priority, k.region, k.order_type,
       CASE WHEN k.warrant_status = 'active' THEN k.warrant_id END AS warrant_id,
       CASE
           WHEN r.state IS NULL THEN 'open'
           WHEN r.state = 'rejected' AND i.run_id > j.seen_run THEN 'open'
           ELSE r.state
       END AS state,
       coalesce(r.version, 0) AS version,
       r.proposed_by, r.approved_by,
       list_position(['alert', 'confirmed', 'probable', 'possible'], i.band) AS band_rank,
       list_position(
           ['serious_inadmissibility', 'failed_irregular_migrant',
            'failed_refugee_claimant', 'other'], k.priority) AS priority_rank
FROM items i
JOIN cases k USING (case_id)
LEFT JOIN reviews r USING (case_id, exit_source, exit_record_id)
LEFT JOIN rejections j USING (case_id, exit_source, exit_record_id)
"""
ORDER = "band_rank, priority_rank, match_probability DESC, case_id"


@dataclass(frozen=True)
class Filters:
    """What the officer narrowed the queue to; empty strings mean no filter."""

    region: str = ""
    priority: str = ""
    band: str = ""
    warrant: str = ""  # "with", "without" or ""
    state: str = "to_work"
    date_from: str = ""
    date_to: str = ""

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        """From a request's query arguments; unknown values are dropped, not trusted."""
        given = {f.name: str(args.get(f.name, "") or "").strip() for f in fields(cls)}
        if given["band"] not in BANDS:
            given["band"] = ""
        if given["priority"] not in PRIORITIES:
            given["priority"] = ""
        if given["warrant"] not in ("with", "without"):
            given["warrant"] = ""
        if given["state"] not in STATES:
            given["state"] = "to_work"
        for name in ("date_from", "date_to"):
            try:
                date.fromisoformat(given[name])
            except ValueError:
                given[name] = ""
        return cls(**given)

    def as_args(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}

    def where(self) -> tuple[str, list[object]]:
        clauses: list[str] = []
        values: list[object] = []
        if self.region:
            clauses.append("region = ?")
            values.append(self.region)
        if self.priority:
            clauses.append("priority = ?")
            values.append(self.priority)
        if self.band:
            clauses.append("band = ?")
            values.append(self.band)
        if self.warrant == "with":
            clauses.append("warrant_id IS NOT NULL")
        elif self.warrant == "without":
            clauses.append("warrant_id IS NULL")
        if STATES[self.state]:
            marks = ", ".join("?" for _ in STATES[self.state])
            clauses.append(f"state IN ({marks})")
            values.extend(STATES[self.state])
        if self.date_from:
            clauses.append("CAST(departed_at AT TIME ZONE 'UTC' AS DATE) >= ?")
            values.append(date.fromisoformat(self.date_from))
        if self.date_to:
            clauses.append("CAST(departed_at AT TIME ZONE 'UTC' AS DATE) <= ?")
            values.append(date.fromisoformat(self.date_to))
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", values


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, object]]
    total: int
    number: int
    pages: int
    size: int

    @property
    def first_position(self) -> int:
        return (self.number - 1) * self.size + 1


def page(store: Store, filters: Filters, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """One page (1-based) of the filtered queue; a page past the end gives the last page."""
    where, values = filters.where()
    total = int(str(store.scalar(f"SELECT count(*) FROM ({ITEMS}) q {where}", values)))
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    frame = store.frame(
        f"SELECT * FROM ({ITEMS}) q {where} ORDER BY {ORDER} LIMIT {size} "
        f"OFFSET {(number - 1) * size}",
        values,
    )
    return Page(frame.to_dicts(), total, number, pages, size)


def at_position(store: Store, filters: Filters, position: int) -> dict[str, object] | None:
    """The item at a 1-based position of the filtered queue."""
    if position < 1:
        return None
    where, values = filters.where()
    frame = store.frame(
        f"SELECT case_id FROM ({ITEMS}) q {where} ORDER BY {ORDER} LIMIT 1 OFFSET {position - 1}",
        values,
    )
    return frame.row(0, named=True) if frame.height else None


def regions(store: Store) -> list[str]:
    frame = store.frame(
        "SELECT DISTINCT region FROM cases WHERE region IS NOT NULL ORDER BY region"
    )
    return [str(r) for r in frame["region"].to_list()]


def item(store: Store, case_id: str) -> dict[str, object] | None:
    """The queue item of one case (its candidate or its alert), whatever its state; a
    superseded proposal only when the run proposes nothing else for the case."""
    frame = store.frame(
        f"SELECT * FROM ({ITEMS}) q WHERE case_id = ? ORDER BY superseded LIMIT 1", [case_id]
    )
    return frame.row(0, named=True) if frame.height else None


def pair_item(
    store: Store, case_id: str, exit_source: str, exit_record_id: str
) -> dict[str, object] | None:
    """The queue item of one (case, exit record) pair, current or superseded."""
    frame = store.frame(
        f"SELECT * FROM ({ITEMS}) q WHERE case_id = ? AND exit_source = ? AND exit_record_id = ?",
        [case_id, exit_source, exit_record_id],
    )
    return frame.row(0, named=True) if frame.height else None


def superseded_proposals(store: Store, case_id: str) -> list[dict[str, object]]:
    """Proposals awaiting approval for a departure the run no longer proposes."""
    return store.frame(
        f"SELECT * FROM ({ITEMS}) q WHERE case_id = ? AND superseded "
        "ORDER BY exit_source, exit_record_id",
        [case_id],
    ).to_dicts()
