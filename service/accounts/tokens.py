"""Personal API tokens: `Authorization: Bearer ak_…`. Shown once, stored hashed."""

from __future__ import annotations

import datetime as dt
import secrets

from .sessions import token_hash
from .tables import ApiToken, User

PREFIX = "ak_"


async def create_token(user_id: int, name: str) -> str:
    """Make a token and return it: the only time its text exists outside the caller."""
    token = PREFIX + secrets.token_urlsafe(32)
    await ApiToken.insert(
        ApiToken(
            user=user_id,
            name=name.strip()[:100] or "API",
            token_hash=token_hash(token),
            prefix=token[:10],
            created_at=dt.datetime.now(dt.UTC),
        )
    )
    return token


async def user_for_token(token: str) -> tuple[dict, dict, bool] | None:
    """(token row, user, noted) for a live token of an active user, or None. `noted`:
    the use was written down (at most once a minute per token), for the audit log."""
    if not token.startswith(PREFIX):
        return None
    row = await ApiToken.select().where(ApiToken.token_hash == token_hash(token)).first()
    if row is None or row["revoked_at"] is not None:
        return None
    user = await User.select().where(User.id == row["user"]).first()
    if user is None or not user["is_active"]:
        return None
    now = dt.datetime.now(dt.UTC)
    noted = row["last_used_at"] is None or now - row["last_used_at"] > dt.timedelta(minutes=1)
    if noted:
        await ApiToken.update(last_used_at=now).where(ApiToken.id == row["id"])
    return row, user, noted


async def list_tokens(user_id: int) -> list[dict]:
    return (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.prefix,
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
        )
        .where(ApiToken.user == user_id)
        .order_by(ApiToken.created_at, ascending=False)
    )


async def revoke_all_tokens(user_id: int) -> None:
    """After an admin reset or disabling: the person's programs lose access too."""
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
