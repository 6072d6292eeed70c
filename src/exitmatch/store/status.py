"""What the store holds, for ``exitmatch status``: no personal data, only sizes and states."""

from __future__ import annotations

from exitmatch.store.store import Store


def store_status(store: Store) -> dict[str, object]:
    """History size, open cases, the last run, pending candidates per band, ledger size."""

    def count(sql: str) -> int:
        return int(str(store.scalar(sql)))

    last = store.frame(
        "SELECT run_id, command, started_at, finished_at FROM runs ORDER BY run_id DESC LIMIT 1"
    )
    bands = store.frame("SELECT band, count(*) AS n FROM candidates GROUP BY band ORDER BY band")
    records = store.frame("SELECT kind, count(*) AS n FROM records GROUP BY kind ORDER BY kind")
    return {
        "store": store.path,
        "schema_version": store.version(),
        "cases": count("SELECT count(*) FROM cases"),
        "open_cases": count(
            "SELECT count(*) FROM cases WHERE inventory_status NOT IN ('closed', 'stayed')"
        ),
        "records": dict(zip(records["kind"].to_list(), records["n"].to_list(), strict=True)),
        "compared_pairs": count("SELECT count(*) FROM vectors"),
        "files_ingested": count("SELECT count(*) FROM ledger"),
        "runs": count("SELECT count(*) FROM runs"),
        "last_run": {key: str(value) for key, value in last.row(0, named=True).items()}
        if last.height
        else None,
        "pending_candidates": dict(zip(bands["band"].to_list(), bands["n"].to_list(), strict=True)),
        "audit_entries": count("SELECT count(*) FROM audit"),
    }
