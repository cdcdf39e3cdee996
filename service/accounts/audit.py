"""The audit log: security-relevant events that admins can read."""

from __future__ import annotations

import datetime as dt
import logging

import msgspec

from .tables import AuditEvent

log = logging.getLogger("service.audit")


async def record(
    event: str,
    *,
    actor_id: int | None = None,
    subject: str | None = None,
    ip: str | None = None,
    **detail: object,
) -> None:
    """Store an event (login, login_failed, login_throttled, role_granted, token_used, …)."""
    log.info("audit %s actor=%s subject=%s ip=%s %s", event, actor_id, subject, ip, detail)
    await AuditEvent.insert(
        AuditEvent(
            at=dt.datetime.now(dt.UTC),
            event=event,
            actor_id=actor_id,
            subject=subject[:200] if subject else None,
            ip=ip,
            detail=msgspec.json.encode(detail).decode() if detail else "",
        )
    )


async def recent(limit: int = 200, event: str | None = None) -> list[dict]:
    query = AuditEvent.select().order_by(AuditEvent.at, ascending=False).limit(limit)
    if event:
        query = query.where(AuditEvent.event == event)
    return await query
