"""After sign-in the app sends the browser only to a path on this site."""

from __future__ import annotations

from pathlib import Path

import pytest

from exitmatch.review.app import create_app
from exitmatch.review.redirects import same_site_path

from .conftest import PASSWORD, csrf_token


@pytest.mark.parametrize(
    "raw",
    [
        "/\t/evil.com",
        "//evil.com",
        "/\\evil.com",
        "\\\\evil.com",
        "https://evil.com/queue",
        "javascript:alert(1)",
        "evil.com",
        "/queue\n",
        "",
    ],
)
def test_other_sites_and_odd_paths_go_to_the_queue(raw: str) -> None:
    assert same_site_path(raw, "/queue") == "/queue"


def test_a_path_on_this_site_is_kept() -> None:
    assert same_site_path("/case/RC-0101?band=confirmed&pos=3", "/q") == (
        "/case/RC-0101?band=confirmed&pos=3"
    )


@pytest.mark.parametrize("query", ["next=/%09/evil.com", "next=//evil.com", "next=/%5Cevil.com"])
def test_sign_in_never_redirects_off_site(db: Path, query: str) -> None:
    client = create_app(db, secret_key="test").test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        f"/login?{query}",
        data={"username": "olivia", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/queue"
