"""Server-side web sessions in the database, shared by every worker process.

The cookie carries a random token; the table keeps its SHA-256, so neither a log nor a
copy of the database lets anyone sign in. A session ends when the user signs out,
after `idle` without a request, or `lifetime` after sign-in, whichever comes first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from .tables import User, WebSession

COOKIE_NAME = "ankang_session"
# last_seen_at is written at most this often, so that reading pages costs no writes.
TOUCH_EVERY = dt.timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(user_id: int, *, ip: str | None, language: str | None) -> str:
    """A new session (a new id at every sign-in); returns the cookie token."""
    token = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    await WebSession.insert(
        WebSession(
            token_hash=token_hash(token),
            user=user_id,
            created_at=now,
            last_seen_at=now,
            language=language,
            ip=ip,
        )
    )
    return token


async def load_session(
    token: str, *, idle: dt.timedelta, lifetime: dt.timedelta
) -> tuple[dict, dict] | None:
    """(session, user) for a live session of an active user, or None; expired
    sessions are deleted on sight."""
    row = await WebSession.select().where(WebSession.token_hash == token_hash(token)).first()
    if row is None:
        return None
    now = dt.datetime.now(dt.UTC)
    if now - row["last_seen_at"] > idle or now - row["created_at"] > lifetime:
        await WebSession.delete().where(WebSession.id == row["id"])
        return None
    user = await User.select().where(User.id == row["user"]).first()
    if user is None or not user["is_active"]:
        return None
    if now - row["last_seen_at"] > TOUCH_EVERY:
        await WebSession.update(last_seen_at=now).where(WebSession.id == row["id"])
    return row, user


async def end_session(session_id: int) -> None:
    await WebSession.delete().where(WebSession.id == session_id)


async def end_all_sessions(user_id: int) -> None:
    """After a password change or reset, or when an account is disabled."""
    await WebSession.delete().where(WebSession.user == user_id)


async def end_other_sessions(user_id: int, keep: int | None) -> None:
    """After a password change: every other browser signed in as this person."""
    query = WebSession.delete().where(WebSession.user == user_id)
    if keep is not None:
        query = query.where(WebSession.id != keep)
    await query


async def set_language(session_id: int, language: str) -> None:
    await WebSession.update(language=language).where(WebSession.id == session_id)
