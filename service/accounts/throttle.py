"""Password guessing throttled per account and address, so nobody locks anyone out.

After two free failures (a typo, then a careful retype), each failure of one account from
one address doubles the wait before that pair may try again (1 s, 2 s, 4 s … 15
minutes): a person who mistypes hardly notices, a guesser at one address gets a dozen
tries in the first quarter of an hour and four an hour after, and neither touches the same account
signed in from elsewhere. Two caps stand far above what one address can reach: failures
from one address over all accounts, and failures of one account from every address
(only a crowd of addresses gets there). The current-password check of a password change
counts the same way: it guesses the same secret.

Failures live in the database so that every worker process counts the same ones. An
attempt is written down before its password is checked, so that many attempts sent at
once see each other; a throttled one is struck out again, so that knocking on a closed
door does not lengthen the wait nor fill the caps.
"""

from __future__ import annotations

import datetime as dt
import math

from . import audit
from .tables import AuditEvent, LoginFailure

FREE_FAILURES = 2
MAX_DELAY = dt.timedelta(minutes=15)
PAIR_MEMORY = dt.timedelta(hours=1)  # a pair's failures count this long
WINDOW = dt.timedelta(minutes=15)  # the caps count failures this long
MAX_PER_ADDRESS = 20
# One address reaches about a dozen failures of an account in 15 minutes; this takes
# eight or more addresses.
MAX_PER_ACCOUNT = 100


def delay(failures: int) -> dt.timedelta:
    """How long one account may not be tried from one address after this many failures."""
    if failures <= FREE_FAILURES:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** min(failures - FREE_FAILURES - 1, 20)), MAX_DELAY)


async def attempt(username: str, ip: str) -> int:
    """Write down an attempt before its password is checked; the seconds to wait first
    (0: go on and check it). A success must call `succeeded`; a failure stays counted."""
    username, ip = username[:64], ip[:64]
    now = dt.datetime.now(dt.UTC)
    [row] = await LoginFailure.insert(LoginFailure(at=now, username=username, ip=ip))
    wait = await _wait(username, ip, row["id"], now)
    if wait:
        await LoginFailure.delete().where(LoginFailure.id == row["id"])
        await _note_throttled(username, ip, now, wait)
    # Keep the table small: what no rule counts any more is of no use.
    await LoginFailure.delete().where(LoginFailure.at < now - PAIR_MEMORY)
    return wait


async def _wait(username: str, ip: str, attempt_id: int, now: dt.datetime) -> int:
    before = LoginFailure.id < attempt_id
    pair = await (
        LoginFailure.select(LoginFailure.at)
        .where(before & (LoginFailure.username == username) & (LoginFailure.ip == ip))
        .where(LoginFailure.at > now - PAIR_MEMORY)
        .order_by(LoginFailure.at, ascending=False)
    )
    wait = pair[0]["at"] + delay(len(pair)) - now if pair else dt.timedelta(0)
    recent = before & (LoginFailure.at > now - WINDOW)
    by_account = await LoginFailure.count().where(recent & (LoginFailure.username == username))
    by_address = await LoginFailure.count().where(recent & (LoginFailure.ip == ip))
    if by_account >= MAX_PER_ACCOUNT or by_address >= MAX_PER_ADDRESS:
        wait = max(wait, WINDOW)
    return max(0, math.ceil(wait.total_seconds()))


async def _note_throttled(username: str, ip: str, now: dt.datetime, wait: int) -> None:
    """One audit entry per account and address a window, however often they knock."""
    noted = await AuditEvent.exists().where(
        (AuditEvent.event == "login_throttled")
        & (AuditEvent.subject == username)
        & (AuditEvent.ip == ip)
        & (AuditEvent.at > now - WINDOW)
    )
    if not noted:
        await audit.record("login_throttled", subject=username, ip=ip, wait=wait)


async def succeeded(username: str, ip: str) -> None:
    """The right password: this pair's failures are forgiven (other addresses' stay)."""
    await LoginFailure.delete().where(
        (LoginFailure.username == username[:64]) & (LoginFailure.ip == ip[:64])
    )
