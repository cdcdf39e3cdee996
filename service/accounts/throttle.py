"""Login throttling: too many recent failures for one account or one address → 429.

Failures live in the database so that every worker process counts the same ones.
"""

from __future__ import annotations

import datetime as dt

from .tables import LoginFailure

WINDOW = dt.timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20


async def _counts(username: str, ip: str) -> tuple[int, int]:
    recent = LoginFailure.at > dt.datetime.now(dt.UTC) - WINDOW
    by_account = await LoginFailure.count().where(recent & (LoginFailure.username == username))
    by_address = await LoginFailure.count().where(recent & (LoginFailure.ip == ip))
    return by_account, by_address


async def is_throttled(username: str, ip: str) -> bool:
    """After recording this attempt: is it beyond the limit?"""
    by_account, by_address = await _counts(username, ip)
    return by_account > MAX_PER_ACCOUNT or by_address > MAX_PER_ADDRESS


async def just_throttled(username: str, ip: str) -> bool:
    """This attempt is the first one beyond a limit (to log a lock-out once)."""
    by_account, by_address = await _counts(username, ip)
    return by_account == MAX_PER_ACCOUNT + 1 or by_address == MAX_PER_ADDRESS + 1


async def record_failure(username: str, ip: str) -> None:
    now = dt.datetime.now(dt.UTC)
    await LoginFailure.insert(LoginFailure(at=now, username=username[:64], ip=ip[:64]))
    # Keep the table small: what is outside every window is of no use.
    await LoginFailure.delete().where(LoginFailure.at < now - 4 * WINDOW)


async def clear_failures(username: str) -> None:
    await LoginFailure.delete().where(LoginFailure.username == username)
