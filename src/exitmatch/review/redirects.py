"""Where the app may send a browser after sign-in: only a path on this site.

A ``next`` value is kept only when it is a plain path (``/queue?band=confirmed``): no
scheme, no host, one leading ``/`` (``//evil.com`` is another site to a browser), and no
control characters or backslashes anywhere (browsers drop tabs and newlines and read
``\\`` as ``/``, which turns ``/\\t/evil.com`` into ``//evil.com``).
"""

from __future__ import annotations

from urllib.parse import urlsplit


def same_site_path(raw: str | None, fallback: str) -> str:
    """``raw`` when it is a path on this site, else ``fallback``."""
    if not raw or "\\" in raw or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw):
        return fallback
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return fallback
    if not raw.startswith("/") or raw.startswith("//"):
        return fallback
    return raw
