"""All SQL about campaigns, their participants and their judges.

The rules (which status change is allowed, what a new campaign needs) are in
`rules.py`; handlers check them before calling the writes here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import msgspec
from piccolo.query.functions.aggregate import Count

from service.accounts.principal import Principal, Role
from service.forms import catalog
from service.orgs import queries as orgs
from service.orgs.tables import Enterprise, Team

from .rules import NewCampaign, Status, within_window
from .tables import Campaign, JudgeAssignment, Participant


class OpenCampaign(msgspec.Struct, frozen=True):
    """A campaign open to one person, and in which capacity they fill its form."""

    campaign_id: int
    name: str
    as_role: Role  # enterprise: self-assessment; judge: evaluation; supervisor: inspection
    enterprise_ids: tuple[int, ...]  # the participants this person fills the form for
    form_version_id: int
    form_id: str
    version: int
    kind: str
    title_zh: str
    title_en: str | None
    opens_at: dt.datetime
    closes_at: dt.datetime
    content_hash: str | None = None  # of the form version, when the query had it

    @classmethod
    def of(cls, campaign: dict, role: Role, enterprise_ids: Iterable[int]) -> OpenCampaign:
        """From a campaign row with its form version's columns (`_campaign_columns`)."""
        return cls(
            campaign_id=campaign["id"],
            name=campaign["name"],
            as_role=role,
            enterprise_ids=tuple(sorted(enterprise_ids)),
            form_version_id=campaign["form_version_id"],
            form_id=campaign["form_id"],
            version=campaign["version"],
            kind=campaign["kind"],
            title_zh=campaign["title_zh"],
            title_en=campaign["title_en"],
            opens_at=campaign["opens_at"],
            closes_at=campaign["closes_at"],
            content_hash=campaign.get("content_hash"),
        )


def _campaign_columns() -> tuple:
    return (
        Campaign.id,
        Campaign.name,
        Campaign.status,
        Campaign.opens_at,
        Campaign.closes_at,
        Campaign.self_assessment,
        Campaign.judges,
        Campaign.supervisors,
        Campaign.policy,
        Campaign.created_at,
        Campaign.town.id.as_alias("town_id"),
        Campaign.town.name.as_alias("town_name"),
        Campaign.form_version.id.as_alias("form_version_id"),
        Campaign.form_version.form_id.as_alias("form_id"),
        Campaign.form_version.version.as_alias("version"),
        Campaign.form_version.kind.as_alias("kind"),
        Campaign.form_version.title_zh.as_alias("title_zh"),
        Campaign.form_version.title_en.as_alias("title_en"),
        Campaign.form_version.content_hash.as_alias("content_hash"),
        Campaign.series.id.as_alias("series_id"),
        Campaign.series.name.as_alias("series_name"),
        Campaign.round_year,
        Campaign.round_label,
    )


# ---------------------------------------------------------------- campaigns


async def create_campaign(new: NewCampaign, created_by: int | None) -> int:
    """A new draft campaign, pinned to the latest version of its form; returns its id."""
    # The form-version row, not the version number: a campaign keeps the very table
    # it was created with, and submissions point at the same row.
    version_id = await catalog.latest_version_id(new.form_id)
    if version_id is None:  # forms are checked against the catalogue before this
        raise LookupError(f"no stored version of form {new.form_id}")
    [row] = await Campaign.insert(
        Campaign(
            name=new.name,
            town=new.town_id,
            form_version=version_id,
            status=Status.draft.value,
            opens_at=new.opens_at.astimezone(dt.UTC),
            closes_at=new.closes_at.astimezone(dt.UTC),
            self_assessment=new.fillers.self_assessment,
            judges=new.fillers.judges,
            supervisors=new.fillers.supervisors,
            created_by=created_by,
            created_at=dt.datetime.now(dt.UTC),
        )
    )
    return row["id"]


async def list_campaigns(town_ids: Iterable[int] | None) -> list[dict]:
    """Campaigns of these towns (None: every town), newest first, with participant counts."""
    query = Campaign.select(*_campaign_columns()).order_by(Campaign.id, ascending=False)
    if town_ids is not None:
        query = query.where(Campaign.town.is_in(list(town_ids) or [-1]))
    campaigns = await query
    counts = await participant_counts([c["id"] for c in campaigns])
    for campaign in campaigns:
        campaign["participant_count"] = counts.get(campaign["id"], 0)
    return campaigns


async def participant_counts(campaign_ids: list[int]) -> dict[int, int]:
    if not campaign_ids:
        return {}
    rows = (
        await Participant.select(Participant.campaign, Count(alias="participants"))
        .where(Participant.campaign.is_in(campaign_ids))
        .group_by(Participant.campaign)
    )
    return {row["campaign"]: row["participants"] for row in rows}


async def get_campaign(campaign_id: int) -> dict | None:
    return await Campaign.select(*_campaign_columns()).where(Campaign.id == campaign_id).first()


async def set_policy(campaign_id: int, policy_json: str) -> None:
    await Campaign.update({Campaign.policy: policy_json}).where(Campaign.id == campaign_id)


async def set_status(campaign_id: int, status: Status) -> None:
    await Campaign.update(status=status.value).where(Campaign.id == campaign_id)


# ---------------------------------------------------------------- participants


async def participants(campaign_id: int) -> list[dict]:
    return (
        await Participant.select(
            Participant.id,
            Participant.enterprise.id.as_alias("enterprise_id"),
            Participant.enterprise.name.as_alias("enterprise_name"),
            Participant.enterprise.village.name.as_alias("village_name"),
            Participant.team.id.as_alias("team_id"),
            Participant.team.name.as_alias("team_name"),
        )
        .where(Participant.campaign == campaign_id)
        .order_by(Participant.enterprise.village.name)
        .order_by(Participant.enterprise.name)
    )


async def add_participants(campaign_id: int, town_id: int, enterprise_ids: Iterable[int]) -> int:
    """Add enterprises of the campaign's town (others are ignored, as are those already
    taking part); returns how many were added."""
    wanted = set(enterprise_ids)
    if not wanted:
        return 0
    in_town = await Enterprise.select(Enterprise.id).where(
        Enterprise.id.is_in(sorted(wanted)) & (Enterprise.village.town.id == town_id)
    )
    taking_part = await Participant.select(Participant.enterprise).where(
        (Participant.campaign == campaign_id) & Participant.team.is_null()
    )
    present = {row["enterprise"] for row in taking_part}
    new = sorted({row["id"] for row in in_town} - present)
    if new:
        await Participant.insert(
            *[Participant(campaign=campaign_id, enterprise=enterprise) for enterprise in new]
        )
    return len(new)


async def teams_of_town(town_id: int) -> list[dict]:
    """Work teams (班组) of the town's enterprises, for campaigns that rank teams."""
    return (
        await Team.select(
            Team.id,
            Team.name,
            Team.enterprise.id.as_alias("enterprise_id"),
            Team.enterprise.name.as_alias("enterprise_name"),
        )
        .where(Team.enterprise.village.town.id == town_id)
        .order_by(Team.enterprise.name)
    )


async def add_team_participants(campaign_id: int, town_id: int, team_ids: Iterable[int]) -> int:
    """Add work teams of the campaign's town (others ignored, as are those already in)."""
    wanted = set(team_ids)
    if not wanted:
        return 0
    teams = {t["id"]: t for t in await teams_of_town(town_id) if t["id"] in wanted}
    present = {
        row["team"]
        for row in await Participant.select(Participant.team).where(
            (Participant.campaign == campaign_id) & Participant.team.is_not_null()
        )
    }
    new = [team for team_id, team in sorted(teams.items()) if team_id not in present]
    if new:
        await Participant.insert(
            *[
                Participant(campaign=campaign_id, enterprise=t["enterprise_id"], team=t["id"])
                for t in new
            ]
        )
    return len(new)


async def remove_participant(campaign_id: int, participant_id: int) -> int:
    """Remove one participant of this campaign; returns how many rows went (0 or 1)."""
    where = (Participant.campaign == campaign_id) & (Participant.id == participant_id)
    found = await Participant.count().where(where)
    if found:
        await Participant.delete().where(where)
    return found


async def enterprises_of_town(town_id: int) -> list[dict]:
    return await orgs.list_enterprises([town_id])


# ---------------------------------------------------------------- judges


async def judges() -> list[dict]:
    """Active users who hold the judge role: the people a campaign's panel is made of."""
    return await orgs.users_with_role(Role.judge)


async def judge_assignments(campaign_id: int) -> list[dict]:
    return (
        await JudgeAssignment.select(
            JudgeAssignment.id,
            JudgeAssignment.user.id.as_alias("user_id"),
            JudgeAssignment.user.username.as_alias("username"),
            JudgeAssignment.user.display_name.as_alias("display_name"),
            JudgeAssignment.enterprise.id.as_alias("enterprise_id"),
            JudgeAssignment.enterprise.name.as_alias("enterprise_name"),
        )
        .where(JudgeAssignment.campaign == campaign_id)
        .order_by(JudgeAssignment.user.username)
        .order_by(JudgeAssignment.id)
    )


async def assign_judge(campaign_id: int, user_id: int, enterprise_id: int | None) -> bool:
    """Put a judge on the panel (for one enterprise, or all); False if already there."""
    where = (JudgeAssignment.campaign == campaign_id) & (JudgeAssignment.user == user_id)
    where &= (
        JudgeAssignment.enterprise.is_null()
        if enterprise_id is None
        else JudgeAssignment.enterprise == enterprise_id
    )
    if await JudgeAssignment.exists().where(where):
        return False
    await JudgeAssignment.insert(
        JudgeAssignment(campaign=campaign_id, user=user_id, enterprise=enterprise_id)
    )
    return True


async def remove_judge(campaign_id: int, assignment_id: int) -> None:
    await JudgeAssignment.delete().where(
        (JudgeAssignment.campaign == campaign_id) & (JudgeAssignment.id == assignment_id)
    )


# ---------------------------------------------------------------- what is open to fill


async def open_campaigns_for(
    principal: Principal, now: dt.datetime | None = None, *, overdue: bool = False
) -> list[OpenCampaign]:
    """The campaigns a person fills now: status open and `now` inside the window
    (with `overdue`, also those whose last day has passed but are still open).

    - an enterprise account: campaigns with self-assessment in which its enterprise
      takes part;
    - a judge: campaigns they are assigned to (for every participant, or for the
      one enterprise of the assignment);
    - a supervisor: campaigns with supervisors' inspections that include an
      enterprise they watch.

    One entry per campaign and capacity: a person with two roles may get the same
    campaign twice.
    """
    now = now or dt.datetime.now(dt.UTC)
    is_open = Participant.campaign.status == Status.open.value
    found: dict[tuple[int, Role], set[int]] = {}

    if principal.has(Role.enterprise) and principal.enterprises:
        rows = await Participant.select(Participant.campaign, Participant.enterprise).where(
            is_open
            & Participant.campaign.self_assessment.eq(True)
            & Participant.enterprise.is_in(sorted(principal.enterprises))
        )
        for row in rows:
            found.setdefault((row["campaign"], Role.enterprise), set()).add(row["enterprise"])

    if principal.has(Role.judge):
        assignments = await JudgeAssignment.select(
            JudgeAssignment.campaign, JudgeAssignment.enterprise
        ).where(
            (JudgeAssignment.user == principal.user_id)
            & (JudgeAssignment.campaign.status == Status.open.value)
        )
        if assignments:
            campaign_ids = sorted({a["campaign"] for a in assignments})
            taking_part: dict[int, set[int]] = {}
            for row in await Participant.select(Participant.campaign, Participant.enterprise).where(
                Participant.campaign.is_in(campaign_ids)
            ):
                taking_part.setdefault(row["campaign"], set()).add(row["enterprise"])
            for a in assignments:
                everyone = taking_part.get(a["campaign"], set())
                mine = everyone if a["enterprise"] is None else everyone & {a["enterprise"]}
                if mine:
                    found.setdefault((a["campaign"], Role.judge), set()).update(mine)

    if principal.has(Role.supervisor):
        watched = await orgs.watched_by(principal.user_id)
        if watched:
            rows = await Participant.select(Participant.campaign, Participant.enterprise).where(
                is_open
                & Participant.campaign.supervisors.eq(True)
                & Participant.enterprise.is_in(sorted(watched))
            )
            for row in rows:
                found.setdefault((row["campaign"], Role.supervisor), set()).add(row["enterprise"])

    if not found:
        return []
    campaigns = {
        c["id"]: c
        for c in await Campaign.select(*_campaign_columns()).where(
            Campaign.id.is_in(sorted({campaign_id for campaign_id, _ in found}))
        )
    }
    result = []
    for (campaign_id, role), enterprise_ids in sorted(found.items()):
        c = campaigns[campaign_id]
        started = c["opens_at"] <= now
        if not (started if overdue else within_window(c["opens_at"], c["closes_at"], now)):
            continue
        result.append(OpenCampaign.of(c, role, enterprise_ids))
    return result


async def campaign_submissions(campaign_id: int) -> list[dict]:
    """Who filled what in a campaign (no answers): for the progress page."""
    from service.collection.tables import Submission  # collection depends on campaigns

    return await Submission.select(
        Submission.enterprise.as_alias("enterprise_id"),
        Submission.team.as_alias("team_id"),
        Submission.role,
        Submission.author.as_alias("author_id"),
        Submission.status,
        Submission.total,
    ).where(Submission.campaign == campaign_id)
