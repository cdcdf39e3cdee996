"""The campaign a town admin manages, and the audit of what they change in it:
shared by every admin page about a campaign (its settings, rankings, results)."""

from __future__ import annotations

from litestar import Request
from litestar.exceptions import NotFoundException, PermissionDeniedException

from service.accounts import audit
from service.accounts.principal import Principal
from service.web.auth import client_ip

from . import queries


async def managed_campaign(principal: Principal, campaign_id: int) -> dict:
    """The campaign, when it is one of the admin's towns: 404 or 403 otherwise."""
    campaign = await queries.get_campaign(campaign_id)
    if campaign is None:
        raise NotFoundException("No such campaign")
    if not principal.manages_town(campaign["town_id"]):
        raise PermissionDeniedException("Not a campaign of your towns")
    return campaign


async def audit_campaign(request: Request, event: str, campaign_id: int, **detail: object) -> None:
    """Who changed what in a campaign: its panel, status, policy and published results
    decide outcomes people defend."""
    principal: Principal = request.user
    await audit.record(
        event,
        actor_id=principal.user_id,
        subject=f"campaign {campaign_id}",
        ip=client_ip(request.scope),
        **detail,
    )
