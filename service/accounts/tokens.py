"""Personal API tokens: `Authorization: Bearer ak_…`. Shown once, stored hashed, and
ended by themselves after some days (API_TOKEN_DAYS), at a password change or reset,
when revoked, or when the account is disabled."""

from __future__ import annotations

import datetime as dt
import secrets

from .principal import Principal
from .sessions import token_hash
from .tables import ApiToken
from .users import principal_from

PREFIX = "ak_"
DEFAULT_DAYS = 90  # Settings.api_token_days's default


async def create_token(user_id: int, name: str, *, days: int = DEFAULT_DAYS) -> str:
    """Make a token that works for `days` and return it: the only time its text exists
    outside the caller. Pages pass the API_TOKEN_DAYS setting."""
    token = PREFIX + secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    await ApiToken.insert(
        ApiToken(
            user=user_id,
            name=name.strip()[:100] or "API",
            token_hash=token_hash(token),
            prefix=token[:10],
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
    )
    return token


def expires_at(row: dict) -> dt.datetime:
    """When a token row ends; those made before tokens ended, the default days after."""
    return row["expires_at"] or row["created_at"] + dt.timedelta(days=DEFAULT_DAYS)


# The token, its user and their grants in one round trip: every API request asks it.
_TOKEN_SQL = """
SELECT t.id AS token_id, t.prefix, t.revoked_at, t.last_used_at, t.created_at, t.expires_at,
       u.id, u.username, u.display_name, u.is_active,
       g.role, g.town_id, g.enterprise_id
FROM api_token t
JOIN app_user u ON u.id = t."user"
LEFT JOIN role_grant g ON g."user" = u.id
WHERE t.token_hash = {}
"""


async def principal_for_token(token: str) -> tuple[Principal, dict, bool] | None:
    """(principal, token row, noted) for a live token of an active user, or None.
    `noted`: the use was written down (at most once a minute per token), for the
    audit log."""
    if not token.startswith(PREFIX):
        return None
    rows = await ApiToken.raw(_TOKEN_SQL, token_hash(token))
    if not rows:
        return None
    first = rows[0]
    now = dt.datetime.now(dt.UTC)
    if first["revoked_at"] is not None or not first["is_active"] or expires_at(first) <= now:
        return None
    grants = [row for row in rows if row["role"] is not None]
    principal = principal_from(first, grants, via_token=True)
    last = first["last_used_at"]
    noted = last is None or now - last > dt.timedelta(minutes=1)
    if noted:
        await ApiToken.update(last_used_at=now).where(ApiToken.id == first["token_id"])
    return principal, {"id": first["token_id"], "prefix": first["prefix"]}, noted


async def list_tokens(user_id: int) -> list[dict]:
    """The person's tokens, newest first, each with when it ends and whether it has."""
    rows = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.prefix,
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
            ApiToken.expires_at,
        )
        .where(ApiToken.user == user_id)
        .order_by(ApiToken.created_at, ascending=False)
    )
    now = dt.datetime.now(dt.UTC)
    for row in rows:
        row["expires_at"] = expires_at(row)
        row["expired"] = row["expires_at"] <= now
    return rows


async def revoke_all_tokens(user_id: int) -> None:
    """After a password change or reset, or disabling: the person's programs (and
    devices) lose access too."""
    await ApiToken.update(revoked_at=dt.datetime.now(dt.UTC)).where(
        (ApiToken.user == user_id) & ApiToken.revoked_at.is_null()
    )


async def revoke_token(user_id: int, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False when there is no such live token."""
    row = (
        await ApiToken.select(ApiToken.id)
        .where(
            (ApiToken.id == token_id) & (ApiToken.user == user_id) & ApiToken.revoked_at.is_null()
        )
        .first()
    )
    if row is None:
        return False
    await ApiToken.update(revoked_at=dt.datetime.now(dt.UTC)).where(ApiToken.id == token_id)
    return True
