"""Rows for campaign tests: a town with villages and enterprises, a form version, a
campaign. Async: await them in async tests, or run them with tests.factories.in_database."""

from __future__ import annotations

import datetime as dt
import itertools

import msgspec

from service.campaigns.tables import Campaign, JudgeAssignment, Participant
from service.forms.tables import FormVersion
from service.orgs.credit_code import make_credit_code
from service.orgs.tables import Enterprise, SupervisorAssignment, Town, Village
from tests.factories import definition

_codes = itertools.count(1)


async def add_town(name: str, villages: dict[str, list[str]]) -> dict[str, int]:
    """A town with its villages and their enterprises; the ids by name ("town" for the town)."""
    now = dt.datetime.now(dt.UTC)
    [town] = await Town.insert(Town(name=name))
    ids = {"town": town["id"]}
    for village_name, enterprises in villages.items():
        [village] = await Village.insert(Village(town=town["id"], name=village_name))
        for enterprise_name in enterprises:
            [row] = await Enterprise.insert(
                Enterprise(
                    village=village["id"],
                    name=enterprise_name,
                    credit_code=make_credit_code(f"91330199MA2{next(_codes):06d}"),
                    industry="机械制造",
                    ownership="non_public",
                    created_at=now,
                    updated_at=now,
                )
            )
            ids[enterprise_name] = row["id"]
    return ids


async def add_form_version(form_id: str = "campaign-test-form", version: int = 1) -> int:
    now = dt.datetime.now(dt.UTC)
    [row] = await FormVersion.insert(
        FormVersion(
            form_id=form_id,
            version=version,
            kind="scored",
            title_zh="测试评分表",
            title_en="Test table",
            content_hash=f"{form_id}-{version}",
            definition=msgspec.json.encode(definition(id=form_id, version=version)).decode(),
            source_file=f"{form_id}.yaml",
            created_at=now,
            updated_at=now,
        )
    )
    return row["id"]


async def add_campaign(
    town_id: int,
    form_version_id: int,
    *,
    name: str = "测试活动",
    status: str = "open",
    enterprises: list[int] = (),  # type: ignore[assignment]
    self_assessment: bool = False,
    judges: bool = False,
    supervisors: bool = False,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
) -> int:
    """A campaign (open by default, its window around now) with these participants."""
    now = dt.datetime.now(dt.UTC)
    [row] = await Campaign.insert(
        Campaign(
            name=name,
            town=town_id,
            form_version=form_version_id,
            status=status,
            opens_at=opens_at or now - dt.timedelta(days=1),
            closes_at=closes_at or now + dt.timedelta(days=30),
            self_assessment=self_assessment,
            judges=judges,
            supervisors=supervisors,
            created_at=now,
        )
    )
    if enterprises:
        await Participant.insert(
            *[Participant(campaign=row["id"], enterprise=e) for e in enterprises]
        )
    return row["id"]


async def assign_judge(campaign_id: int, user_id: int, enterprise_id: int | None = None) -> None:
    await JudgeAssignment.insert(
        JudgeAssignment(campaign=campaign_id, user=user_id, enterprise=enterprise_id)
    )


async def watch(user_id: int, *enterprise_ids: int) -> None:
    await SupervisorAssignment.insert(
        *[SupervisorAssignment(user=user_id, enterprise=e) for e in enterprise_ids]
    )
