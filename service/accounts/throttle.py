"""Login throttling: too many recent failures for one account or one address → 429.

Failures live in the database so that every worker process counts the same ones.
"""

from __future__ import annotations

import datetime as dt

from .tables import LoginFailure

WINDOW = dt.timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20


async def is_throttled(username: str, ip: str) -> bool:
    since = dt.datetime.now(dt.UTC) - WINDOW
    recent = LoginFailure.at > since
    by_account = await LoginFailure.count().where(recent & (LoginFailure.username == username))
    if by_account >= MAX_PER_ACCOUNT:
        return True
    return await LoginFailure.count().where(recent & (LoginFailure.ip == ip)) >= MAX_PER_ADDRESS


async def record_failure(username: str, ip: str) -> None:
    now = dt.datetime.now(dt.UTC)
    await LoginFailure.insert(LoginFailure(at=now, username=username[:64], ip=ip[:64]))
    # Keep the table small: what is outside every window is of no use.
    await LoginFailure.delete().where(LoginFailure.at < now - 4 * WINDOW)


async def clear_failures(username: str) -> None:
    await LoginFailure.delete().where(LoginFailure.username == username)
