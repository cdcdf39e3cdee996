"""Which towns a person is tied to, and so which admins may manage them.

An account keeps seeing what it once did after its assignments end (a supervisor the
hazards they found and the forms they filled, a judge their panel's scores), so its
current grants alone do not say whose it is: an admin of another town who could reset
its password would read, through it, the first town's data. Every tie counts.
"""

from __future__ import annotations

from piccolo.query import Select

from .principal import Principal, Role
from .tables import RoleGrant

# None among a person's towns: a county-level admin grant (every town).
Towns = set[int | None]


async def towns_of(user_ids: list[int]) -> dict[int, Towns]:
    """For each person, every town their grants and their work tie them to: an admin
    grant's town (None: the county), the town a grant was made in, their enterprise
    account's enterprise, the enterprises they watch, the campaigns they judge, the
    forms they filled, the hazards they found, rectified or verified. A few queries
    for any number of people."""
    from service.campaigns.tables import JudgeAssignment
    from service.collection.tables import Submission
    from service.hazards.tables import Hazard
    from service.orgs.tables import Enterprise, SupervisorAssignment

    towns: dict[int, Towns] = {user_id: set() for user_id in user_ids}
    if not user_ids:
        return towns
    grants = await RoleGrant.select().where(RoleGrant.user.is_in(user_ids))
    enterprise_ids = [g["enterprise_id"] for g in grants if g["enterprise_id"] is not None]
    enterprise_towns = {
        row["id"]: row["town"]
        for row in await Enterprise.select(
            Enterprise.id, Enterprise.village.town.id.as_alias("town")
        ).where(Enterprise.id.is_in(enterprise_ids or [-1]))
    }
    for grant in grants:
        if grant["role"] == Role.admin or grant["town_id"] is not None:
            towns[grant["user"]].add(grant["town_id"])
        if grant["role"] == Role.enterprise and grant["enterprise_id"] is not None:
            towns[grant["user"]].add(enterprise_towns.get(grant["enterprise_id"]))
    ties: list[Select] = [
        SupervisorAssignment.select(
            SupervisorAssignment.user.as_alias("who"),
            SupervisorAssignment.enterprise.village.town.id.as_alias("town"),
        ).where(SupervisorAssignment.user.is_in(user_ids)),
        JudgeAssignment.select(
            JudgeAssignment.user.as_alias("who"),
            JudgeAssignment.campaign.town.id.as_alias("town"),
        ).where(JudgeAssignment.user.is_in(user_ids)),
        # A submission's enterprise, or its campaign's town (a team's, a report's).
        Submission.select(
            Submission.author.as_alias("who"),
            Submission.enterprise.village.town.id.as_alias("town"),
            Submission.campaign.town.id.as_alias("campaign_town"),
        ).where(Submission.author.is_in(user_ids)),
    ]
    for column in (Hazard.found_by, Hazard.rectified_by, Hazard.closed_by):
        ties.append(
            Hazard.select(
                column.as_alias("who"), Hazard.enterprise.village.town.id.as_alias("town")
            ).where(column.is_in(user_ids))
        )
    for query in ties:
        for row in await query.distinct():
            for town in (row["town"], row.get("campaign_town")):
                if town is not None:
                    towns[row["who"]].add(town)
    return towns


async def manageable(actor: Principal, user_ids: list[int]) -> set[int]:
    """Whom this admin manages. A county-level admin: everyone. A town's admin: those
    tied to their towns and to no other town nor the county; someone tied to no town
    at all is the county's (an admin of any town could otherwise take them over)."""
    if actor.admin_towns is None:
        return set(user_ids)
    return {
        user_id
        for user_id, towns in (await towns_of(user_ids)).items()
        if towns and all(town is not None and actor.manages_town(town) for town in towns)
    }
