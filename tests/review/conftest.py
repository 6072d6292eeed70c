"""A review store built from the golden night, with one account per role (and a second
officer and supervisor, for the four-eyes and concurrency tests)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from exitmatch.contract.codes import Source
from exitmatch.reconcile import STORE_FILE, run_reconcile
from exitmatch.review.accounts import add_user
from exitmatch.settings import Settings
from exitmatch.store.store import Store

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden"
PASSWORD = "a long test password"
USERS = {
    "olivia": "officer",
    "oscar": "officer",
    "sam": "supervisor",
    "sue": "supervisor",
    "ann": "analyst",
}


def golden_inputs() -> dict[Source, list[Path]]:
    return {source: [GOLDEN / f"{source.value}.csv"] for source in Source}


@pytest.fixture(scope="session")
def golden_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden night reconciled once, with the accounts; copied for each test."""
    out = tmp_path_factory.mktemp("golden-review")
    run_reconcile(golden_inputs(), out, Settings())
    with Store.open(out / STORE_FILE) as store:
        for name, role in USERS.items():
            add_user(store, name, PASSWORD, role, "test")
    return out


@pytest.fixture
def review_dir(golden_template: Path, tmp_path: Path) -> Path:
    """A private copy of the reconciled golden night: its store and outputs."""
    target = tmp_path / "night"
    shutil.copytree(golden_template, target)
    return target


@pytest.fixture
def db(review_dir: Path) -> Path:
    return review_dir / STORE_FILE


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def shown_pair(html: str) -> dict[str, str]:
    """The (exit source, exit record id) a case page's decision forms name."""
    found = {
        name: re.search(rf'name="{name}" value="([^"]*)"', html)
        for name in ("exit_source", "exit_record_id")
    }
    return {name: m.group(1) for name, m in found.items() if m}


def switch_candidate(store: Store, case_id: str) -> tuple[str, str]:
    """What a later run does when it proposes another departure for the case: the
    candidate now names another exit record (of the same kind). Returns the new pair."""
    source, record_id = store.connection.execute(
        "SELECT exit_source, exit_record_id FROM candidates WHERE case_id = ?", [case_id]
    ).fetchone() or ("", "")
    other = store.scalar(
        "SELECT min(record_id) FROM records WHERE kind = ? AND record_id <> ?",
        [source, record_id],
    )
    store.connection.execute(
        "UPDATE candidates SET exit_record_id = ? WHERE case_id = ?", [other, case_id]
    )
    return str(source), str(other)
