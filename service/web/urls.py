"""Where a redirect may go."""

from __future__ import annotations


def safe_next(target: str | None) -> str:
    """Only a path on this site: never `//host` or `https://host` (an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
