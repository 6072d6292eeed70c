"""Tables of the store and their versioned migrations.

Each migration is a list of SQL statements (and steps that move data SQL alone cannot)
applied once, in order; ``meta`` holds the
version reached. A store written by an older version opens in a newer one by running the
migrations it lacks; a store newer than this version is refused.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from exitmatch.store.key_runs import KeyRuns, runs_from_table

# A statement, or a step that moves data where SQL alone cannot.
Step = str | Callable[[duckdb.DuckDBPyConnection, KeyRuns], None]

MIGRATIONS: tuple[tuple[Step, ...], ...] = (
    # 1: the first layout.
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
        # Files ingested, by content digest: the same file delivered twice counts once.
        """CREATE TABLE ledger (
            sha256 TEXT PRIMARY KEY, source TEXT, file TEXT, format TEXT, read BIGINT,
            accepted BIGINT, quarantined BIGINT, data_issues BIGINT, run_id BIGINT)""",
        # Removal cases as last received; identity_digest changes when anything the
        # matcher compares changes.
        """CREATE TABLE cases (
            case_id TEXT PRIMARY KEY, uci TEXT, surname TEXT, given_names TEXT,
            aliases TEXT[], date_of_birth TEXT, dob_year SMALLINT, dob_month TINYINT,
            dob_day TINYINT, alt_dates_of_birth TEXT[], sex TEXT, citizenships TEXT[],
            documents STRUCT(type TEXT, issuer TEXT, number TEXT)[], order_type TEXT,
            order_date DATE, enforceable_date DATE, inventory_status TEXT, priority TEXT,
            warrant_id TEXT, warrant_status TEXT, region TEXT, _file TEXT, _row TEXT,
            identity_digest TEXT, updated_run BIGINT)""",
        # Retained exit and entry history, one row per record as first received.
        """CREATE TABLE records (
            kind TEXT, record_id TEXT, surname TEXT, given TEXT, "at" TIMESTAMPTZ, place TEXT,
            dob_year SMALLINT, dob_month TINYINT, dob_day TINYINT, sex TEXT,
            nationality TEXT, doc_type TEXT, doc_number TEXT, doc_ocr TEXT, doc_issuer TEXT,
            doc_key TEXT, doc_ocr_key TEXT, received_run BIGINT,
            PRIMARY KEY (kind, record_id))""",
        # Comparison vectors of every candidate pair: what the field comparisons found.
        # They depend on the two records only, so they are kept and re-weighed each night.
        """CREATE TABLE vectors (
            case_id TEXT, name_no USMALLINT, dob_no USMALLINT, kind TEXT, record_id TEXT,
            passes UTINYINT, g_surname UTINYINT, g_given_names UTINYINT,
            g_date_of_birth UTINYINT, g_document UTINYINT, g_nationality UTINYINT,
            g_sex UTINYINT, name_swapped BOOLEAN)""",
        "CREATE INDEX vectors_case ON vectors (case_id)",
        """CREATE TABLE quarantine (
            source TEXT, file TEXT, "row" TEXT, reason TEXT, raw TEXT, run_id BIGINT)""",
        """CREATE TABLE data_issues (
            source TEXT, file TEXT, "row" TEXT, "column" TEXT, value TEXT, reason TEXT,
            run_id BIGINT)""",
        """CREATE TABLE runs (
            run_id BIGINT PRIMARY KEY, started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ,
            command TEXT, report JSON)""",
        "CREATE TABLE models (run_id BIGINT PRIMARY KEY, fingerprint TEXT, model JSON)",
        # The decisions of the latest run, as written to the output files.
        """CREATE TABLE candidates (
            case_id TEXT PRIMARY KEY, exit_source TEXT, exit_record_id TEXT,
            band TEXT, match_probability DOUBLE, evidence TEXT, run_id BIGINT)""",
        # Append-only: who or what changed which candidate, when, from what to what.
        """CREATE TABLE audit (
            "at" TIMESTAMPTZ, run_id BIGINT, actor TEXT, entity TEXT, "key" TEXT,
            "action" TEXT, "before" TEXT, "after" TEXT)""",
    ),
    # 2: blocking keys of the retained records, kept as records arrive, so that a new or
    # changed case is searched against the whole history by key.
    (
        """CREATE TABLE record_keys (
            kind TEXT, record_id TEXT, pass_bit UTINYINT, "key" UBIGINT, no_year BOOLEAN)""",
        'CREATE INDEX record_keys_key ON record_keys ("key")',
    ),
    # 3: records get a sequence number in order of arrival, and their blocking keys refer
    # to it (not to kind and record_id, repeated for each of a record's keys). Neither
    # table keeps an index: keys are only ever hash-joined, and record ids are checked
    # for repeats as files are read (an index cost more than the rest of the commit).
    # The matching layout changes with this, so the keys are rebuilt on the next run.
    (
        """CREATE TABLE numbered_records AS SELECT *,
            row_number() OVER (ORDER BY received_run, kind, record_id) AS seq
            FROM records""",
        "DROP TABLE records",
        "ALTER TABLE numbered_records RENAME TO records",
        "DROP TABLE record_keys",
        """CREATE TABLE record_keys (
            seq BIGINT, pass_bit UTINYINT, "key" UBIGINT, no_year BOOLEAN)""",
    ),
    # 4: officer review. What the queue shows of each candidate, the re-entry alerts,
    # accounts, review decisions (a version per row for optimistic concurrency), and the
    # pairs officers rejected (with what the pair looked like then, so new evidence
    # brings the pair back).
    (
        "ALTER TABLE candidates ADD COLUMN departed_at TIMESTAMPTZ",
        "ALTER TABLE candidates ADD COLUMN departure_place TEXT",
        "ALTER TABLE candidates ADD COLUMN match_weight DOUBLE",
        """CREATE TABLE alerts (
            case_id TEXT PRIMARY KEY, exit_source TEXT, exit_record_id TEXT,
            departed_at TIMESTAMPTZ, entry_record_id TEXT, entered_at TIMESTAMPTZ,
            match_probability DOUBLE, arc_required BOOLEAN, arc_reason TEXT, run_id BIGINT)""",
        """CREATE TABLE users (
            username TEXT PRIMARY KEY, password_hash TEXT, role TEXT, active BOOLEAN,
            created_at TIMESTAMPTZ, changed_at TIMESTAMPTZ, session_nonce TEXT)""",
        """CREATE TABLE reviews (
            case_id TEXT, exit_source TEXT, exit_record_id TEXT, state TEXT, reason TEXT,
            note TEXT, needs_approval BOOLEAN, proposed_by TEXT, proposed_at TIMESTAMPTZ,
            approved_by TEXT, approved_at TIMESTAMPTZ, version INTEGER, band TEXT,
            match_probability DOUBLE, departed_at TIMESTAMPTZ, warrant_id TEXT,
            PRIMARY KEY (case_id, exit_source, exit_record_id))""",
        """CREATE TABLE rejections (
            case_id TEXT, exit_source TEXT, exit_record_id TEXT, rejected_by TEXT,
            rejected_at TIMESTAMPTZ, vector_digest TEXT, seen_run BIGINT,
            PRIMARY KEY (case_id, exit_source, exit_record_id))""",
    ),
    # 5: the term counts of every retained record (``score.frequencies.TermCounts``), kept
    # as sums as records arrive, so that a run reads the history's records it needs and
    # not all of them. They are made with the matching layout (which changes with this),
    # so the next run counts the history whole.
    (
        "CREATE TABLE name_counts (nationality TEXT, value TEXT, n BIGINT)",
        "CREATE TABLE nationality_counts (nationality TEXT, n BIGINT)",
        """CREATE TABLE dob_counts (
            dob_year SMALLINT, dob_month TINYINT, dob_day TINYINT, n BIGINT)""",
        # The broadest pass's keys shared by more retained records than the block cap
        # (``meta.common_cap``): counts only grow, so a night adds to them and counts only
        # its own keys, not the whole history's.
        'CREATE TABLE common_keys ("key" UBIGINT)',
        # The records drawn for u (``store.history.sampled_records``), kept as records
        # arrive: the smallest hashes of all retained records are the smallest of those
        # kept and the night's. ``meta.u_sample`` says how they were drawn.
        "CREATE TABLE u_sample (seq BIGINT, kind TEXT, record_id TEXT, h UBIGINT)",
        # Each kept comparison's record by number, so that a run reads the records its
        # comparisons point to without a join on kind and record_id.
        "ALTER TABLE vectors ADD COLUMN seq BIGINT",
    ),
    # 6: the kept comparisons are weighed in the store (``score.stored``). Each carries
    # whether it is its pair's best-agreeing identity (what training counts), and the
    # values its record's term frequencies are looked up by are kept for the records
    # that any comparison points to. The matching layout changes with this, so the next
    # run compares the history again.
    (
        "ALTER TABLE vectors ADD COLUMN best BOOLEAN",
        """CREATE TABLE record_terms (
            seq BIGINT, nationality TEXT, sur_joined TEXT, giv_first TEXT, giv_joined TEXT,
            sur_first TEXT, dob_year SMALLINT, dob_month TINYINT, dob_day TINYINT)""",
    ),
    # 7: the records any comparison points to, as kept in ``records``, so that a run reads
    # the records of the pairs it decides on from these alone and not from the whole
    # history (``store.history.compared_records``).
    (
        """CREATE TABLE compared_records AS SELECT * EXCLUDE (received_run) FROM records
            WHERE seq IN (SELECT seq FROM record_terms)""",
    ),
    # 8: the records drawn for u are kept whole, so that a night reads them from the
    # sample and not from the whole history.
    (
        """CREATE TABLE drawn AS SELECT r.* EXCLUDE (received_run), u.h
            FROM u_sample u JOIN records r ON r.seq = u.seq""",
        "DROP TABLE u_sample",
        "ALTER TABLE drawn RENAME TO u_sample",
    ),
    # 9: the blocking keys leave the ``record_keys`` table, which every search scanned
    # whole: all of them go into sorted runs that a search seeks in (``store.key_runs``),
    # and those of the broadest pass (bit 16), which each night counts, into a table of
    # their own, an eighth of the size.
    (
        "CREATE TABLE key_runs (name TEXT PRIMARY KEY, first_seq BIGINT, keys BIGINT)",
        """CREATE TABLE broad_keys AS SELECT seq, "key", no_year FROM record_keys
            WHERE pass_bit = 16""",
        runs_from_table,
        "DROP TABLE record_keys",
    ),
    # 10: every kept pair's best identity and score, kept from run to run with the model
    # that weighed them (meta ``scores_model``), so that a run counting no record weighs
    # by that model only the pairs it changed (``score.stored.weigh``). Made afresh by the
    # next run that weighs every pair.
    (
        """CREATE TABLE scores (
            case_id TEXT, seq BIGINT, name_no USMALLINT, dob_no USMALLINT, passes UTINYINT,
            entry BOOLEAN, match_weight DOUBLE, exact BOOLEAN, match_probability DOUBLE,
            source TEXT, record_id TEXT)""",
    ),
    # 11: the retained records no longer keep their document keys (issuer and number, as
    # read and in OCR form), which are made again from those columns as records are read
    # (``store.history``): they were a third of the records table, and of the time a
    # night spends writing its records. The compared records and the records drawn for
    # u, few, keep them.
    (
        "ALTER TABLE records DROP COLUMN doc_key",
        "ALTER TABLE records DROP COLUMN doc_ocr_key",
    ),
    # 12: what the last run decided, case by case (``store.decided``): the rows of each
    # output, and what each case was decided on (meta ``decided_by`` notes the settings
    # and scores), so that a night of cases alone decides again only the cases it
    # touches and keeps the others' rows.
    (
        "CREATE TABLE decided_cases (case_id TEXT, digest TEXT)",
        """CREATE TABLE decided_closures (
            case_id TEXT, uci TEXT, exit_source TEXT, exit_record_id TEXT, departed_at TEXT,
            departure_place TEXT, match_probability DOUBLE, match_weight DOUBLE, band TEXT,
            evidence TEXT, warrant_id TEXT, priority TEXT, region TEXT)""",
        """CREATE TABLE decided_warrants (
            warrant_id TEXT, case_id TEXT, uci TEXT, exit_source TEXT, exit_record_id TEXT,
            departed_at TEXT, match_probability DOUBLE, band TEXT, needs_supervisor BOOLEAN)""",
        """CREATE TABLE decided_alerts (
            case_id TEXT, uci TEXT, exit_source TEXT, exit_record_id TEXT, departed_at TEXT,
            entry_record_id TEXT, entered_at TEXT, match_probability DOUBLE, order_type TEXT,
            arc_required BOOLEAN, arc_reason TEXT)""",
        """CREATE TABLE decided_early (
            case_id TEXT, uci TEXT, exit_source TEXT, exit_record_id TEXT, departed_at TEXT,
            reason TEXT, match_probability DOUBLE, band TEXT, evidence TEXT)""",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)
