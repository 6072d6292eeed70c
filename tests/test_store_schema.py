"""The store's layout: migrations bring an older store up to date, a newer one is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from exitmatch.contract.codes import Source
from exitmatch.reconcile import STORE_FILE, run_reconcile
from exitmatch.settings import Settings
from exitmatch.store import key_runs
from exitmatch.store.schema import MIGRATIONS, SCHEMA_VERSION
from exitmatch.store.store import Store, StoreError
from exitmatch.synth.config import SynthConfig
from exitmatch.synth.generate import generate

DECISIONS = ("closure_candidates.csv", "warrant_cancellations.csv", "reentry_alerts.csv")


def _with_document_keys_on_records(connection: duckdb.DuckDBPyConnection) -> None:
    """Put back on the records what they kept before layout 11: their document keys."""
    for key, number in (("doc_key", "doc_number"), ("doc_ocr_key", "doc_ocr")):
        connection.execute(f"ALTER TABLE records ADD COLUMN {key} TEXT")
        connection.execute(f"UPDATE records SET {key} = doc_issuer || '/' || {number}")


def _without_kept_scores(connection: duckdb.DuckDBPyConnection) -> None:
    """Take from a store what layouts 10 to 12 changed: the kept scores, the records
    without their document keys, and the kept decisions."""
    _with_document_keys_on_records(connection)
    connection.execute("DROP TABLE scores")
    for name in ("cases", "closures", "warrants", "alerts", "early"):
        connection.execute(f"DROP TABLE decided_{name}")
    connection.execute("DELETE FROM meta WHERE key IN ('scores_model', 'decided_by')")


def _keys_back_in_a_table(out: Path) -> pl.DataFrame:
    """Put the store's blocking keys back as layout 8 kept them (``record_keys``), and
    return them."""
    with Store.open(out / STORE_FILE) as store:
        keys = store.key_runs.every_key()
    connection = duckdb.connect(str(out / STORE_FILE))
    _without_kept_scores(connection)
    connection.register("__keys", keys.to_arrow())
    connection.execute("CREATE TABLE record_keys AS SELECT * FROM __keys")
    connection.execute("DROP TABLE key_runs")
    connection.execute("DROP TABLE broad_keys")
    connection.execute("UPDATE meta SET value = '8' WHERE key = 'schema_version'")
    connection.close()
    shutil.rmtree(out / (STORE_FILE + ".keys"))
    return keys


def test_a_new_store_has_the_latest_layout(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        assert store.version() == SCHEMA_VERSION
        tables = set(store.frame("SELECT table_name FROM information_schema.tables")["table_name"])
    assert {"ledger", "cases", "records", "vectors", "audit", "broad_keys", "key_runs"} <= tables


def test_an_older_store_with_data_is_migrated_and_gives_the_same_outputs(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    generate(SynthConfig(subjects=150, travellers=2000, seed=5), data)
    inputs = {s: [data / f"{s.value}.csv"] for s in Source}
    current = tmp_path / "current"
    run_reconcile(inputs, current, Settings())
    # The same store as the first layout would have left it: no kept record keys, and
    # records without sequence numbers.
    old = tmp_path / "old"
    run_reconcile(inputs, old, Settings())
    connection = duckdb.connect(str(old / STORE_FILE))
    _without_kept_scores(connection)
    for table in ("key_runs", "broad_keys"):
        connection.execute(f"DROP TABLE {table}")
    connection.execute("ALTER TABLE records DROP COLUMN seq")
    # ... nor anything of the review layout (4).
    for table in ("alerts", "users", "reviews", "rejections"):
        connection.execute(f"DROP TABLE {table}")
    for column in ("departed_at", "departure_place", "match_weight"):
        connection.execute(f"ALTER TABLE candidates DROP COLUMN {column}")
    # ... nor the term counts (5).
    for table in ("name_counts", "nationality_counts", "dob_counts", "common_keys", "u_sample"):
        connection.execute(f"DROP TABLE {table}")
    connection.execute("DELETE FROM meta WHERE key IN ('u_sample', 'common_cap')")
    # ... nor what the store weighs its comparisons by (6).
    connection.execute("DROP TABLE record_terms")
    connection.execute("DROP INDEX vectors_case")
    connection.execute("ALTER TABLE vectors DROP COLUMN best")
    connection.execute("ALTER TABLE vectors DROP COLUMN seq")
    connection.execute("CREATE INDEX vectors_case ON vectors (case_id)")
    # ... nor the compared records (7).
    connection.execute("DROP TABLE compared_records")
    connection.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    connection.close()
    for name in DECISIONS:
        (old / name).unlink()
    run_reconcile(inputs, old, Settings())  # nothing new: only the migration and re-keying
    with Store.open(old / STORE_FILE) as store:
        assert store.version() == SCHEMA_VERSION
        assert store.key_runs.count() > 0
        # The migrated store's candidates carry what the review queue shows.
        assert store.scalar("SELECT count(*) FROM candidates WHERE departed_at IS NULL") == 0
        # Its records no longer keep their document keys; the compared ones do.
        assert "doc_key" not in store.frame("SELECT * FROM records LIMIT 0").columns
        assert "doc_key" in store.frame("SELECT * FROM compared_records LIMIT 0").columns
    for name in DECISIONS:
        assert (old / name).read_bytes() == (current / name).read_bytes(), name


def test_a_store_without_its_compared_records_gets_them_from_the_history(
    tmp_path: Path,
) -> None:
    """A store of layout 6 keeps its comparisons (the matching layout is the same): the
    records a run decides on are then read from those the migration copies."""
    data = tmp_path / "data"
    generate(SynthConfig(subjects=150, travellers=2000, seed=5), data)
    inputs = {s: [data / f"{s.value}.csv"] for s in Source}
    out = tmp_path / "out"
    run_reconcile(inputs, out, Settings())
    before = {name: (out / name).read_bytes() for name in DECISIONS}
    _keys_back_in_a_table(out)
    connection = duckdb.connect(str(out / STORE_FILE))
    kept = connection.execute("SELECT count(*) FROM compared_records").fetchone()
    connection.execute("DROP TABLE compared_records")
    connection.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    connection.close()
    for name in DECISIONS:
        (out / name).unlink()
    run_reconcile(inputs, out, Settings())  # nothing new: the migration alone
    with Store.open(out / STORE_FILE) as store:
        assert store.scalar("SELECT count(*) FROM compared_records") == kept[0] > 0
        assert store.scalar("SELECT count(*) FROM runs") == 2
    for name in DECISIONS:
        assert (out / name).read_bytes() == before[name], name
    assert "confirmed" in before["closure_candidates.csv"].decode()


def test_a_store_with_its_keys_in_a_table_gets_them_in_runs_and_the_same_outputs(
    tmp_path: Path,
) -> None:
    """A store of layout 8 kept every blocking key in ``record_keys``: the migration
    sorts them into runs (a search then seeks in them), and keeps the broadest pass's."""
    data = tmp_path / "data"
    generate(SynthConfig(subjects=150, travellers=2000, seed=5), data)
    inputs = {s: [data / f"{s.value}.csv"] for s in Source}
    out = tmp_path / "out"
    run_reconcile(inputs, out, Settings())
    with Store.open(out / STORE_FILE) as store:
        broad = store.frame("SELECT * FROM broad_keys ORDER BY ALL")
    keys = _keys_back_in_a_table(out)
    # Two records' worth of keys a run, none merged: the migration writes many.
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(key_runs, "MIGRATION_RUN", 2 * keys.height // keys["seq"].n_unique())
    monkeypatch.setattr(key_runs, "LARGEST_RUN", 0)
    # A run's files left by a night that failed are not listed: they go.
    (out / (STORE_FILE + ".keys")).mkdir()
    (out / (STORE_FILE + ".keys") / "run-1-2-3.key.npy").write_bytes(b"")
    before = {name: (out / name).read_bytes() for name in DECISIONS}
    try:
        run_reconcile(inputs, out, Settings())  # nothing new: the migration alone
    finally:
        monkeypatch.undo()
    with Store.open(out / STORE_FILE) as store:
        assert store.key_runs.every_key().equals(keys)
        assert store.frame("SELECT * FROM broad_keys ORDER BY ALL").equals(broad)
        assert store.scalar("SELECT count(*) FROM key_runs") > 100
        tables = store.frame("SELECT table_name FROM information_schema.tables")["table_name"]
        assert "record_keys" not in tables.to_list()
    assert not (out / (STORE_FILE + ".keys") / "run-1-2-3.key.npy").exists()
    for name in DECISIONS:
        assert (out / name).read_bytes() == before[name], name


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store.open(path):
        pass
    connection = duckdb.connect(str(path))
    connection.execute(
        "UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(len(MIGRATIONS) + 1)]
    )
    connection.close()
    with pytest.raises(StoreError, match="newer than this exitmatch"):
        Store.open(path)


def test_the_store_keeps_to_the_memory_it_is_given(tmp_path: Path) -> None:
    query = "SELECT current_setting('memory_limit')"
    with Store.open(tmp_path / "s.duckdb", memory_gb=1.5) as store:
        # 1.5e9 bytes, as DuckDB shows it.
        assert store.scalar(query) == "1.3 GiB"
    with Store.open(tmp_path / "s.duckdb") as store:
        assert store.scalar(query) != "1.3 GiB"
