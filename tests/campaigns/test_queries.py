"""Campaign queries on every engine: pinning the form version, and what is open to fill
for an enterprise account, a judge and a supervisor."""

from __future__ import annotations

import datetime as dt

from service.accounts.principal import Principal, Role
from service.accounts.users import create_user, get_user, principal_for
from service.campaigns.queries import create_campaign, get_campaign, open_campaigns_for
from service.campaigns.rules import Fillers, NewCampaign, window
from tests.campaigns.factories import add_campaign, add_form_version, add_town, assign_judge, watch


async def person(username: str, *roles: Role, enterprise_id: int | None = None) -> Principal:
    grants = [(role, None, enterprise_id if role == Role.enterprise else None) for role in roles]
    user_id = await create_user(username, username, "correct-horse-42", grants)
    return await principal_for(await get_user(user_id))


def summary(found) -> set[tuple[str, Role, tuple[int, ...]]]:
    return {(c.name, c.as_role, c.enterprise_ids) for c in found}


async def test_a_campaign_keeps_the_form_version_it_was_created_with(database):
    town = (await add_town("安康镇", {"东风村": ["甲厂"]}))["town"]
    first = await add_form_version("workers-home", 1)
    new = NewCampaign(
        "职工之家评比",
        town,
        "workers-home",
        *window(dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
        Fillers(self_assessment=True),
    )
    old = await create_campaign(new, created_by=None)
    second = await add_form_version("workers-home", 2)
    later = await create_campaign(new, created_by=None)
    assert (await get_campaign(old))["form_version_id"] == first
    assert (await get_campaign(later))["form_version_id"] == second
    assert (await get_campaign(later))["version"] == 2


async def test_each_role_gets_the_open_campaigns_it_fills(database):
    a = await add_town("安康镇", {"东风村": ["甲厂", "乙厂"], "红旗社区": ["丙厂"]})
    b = await add_town("和平镇", {"新村": ["丁厂"]})
    form = await add_form_version()
    e1, e2, e3, e4 = a["甲厂"], a["乙厂"], a["丙厂"], b["丁厂"]
    now = dt.datetime.now(dt.UTC)
    town = a["town"]

    self_check = await add_campaign(
        town, form, name="自评", enterprises=[e1, e2], self_assessment=True
    )
    panel = await add_campaign(town, form, name="评委评分", enterprises=[e1], judges=True)
    await add_campaign(
        town, form, name="草稿", status="draft", enterprises=[e1], self_assessment=True
    )
    await add_campaign(
        town, form, name="已结束", status="closed", enterprises=[e1], self_assessment=True
    )
    await add_campaign(
        town,
        form,
        name="已过期",
        enterprises=[e1],
        self_assessment=True,
        opens_at=now - dt.timedelta(days=30),
        closes_at=now - dt.timedelta(days=1),
    )
    await add_campaign(
        town,
        form,
        name="未开始",
        enterprises=[e1],
        self_assessment=True,
        judges=True,
        opens_at=now + dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
    )
    inspection = await add_campaign(
        town, form, name="检查", enterprises=[e2, e3], judges=True, supervisors=True
    )
    await add_campaign(town, form, name="别的企业", enterprises=[e3], supervisors=True)
    other_town = await add_campaign(
        b["town"], form, name="和平镇检查", enterprises=[e4], supervisors=True
    )

    enterprise = await person("jiachang", Role.enterprise, enterprise_id=e1)
    assert summary(await open_campaigns_for(enterprise)) == {("自评", Role.enterprise, (e1,))}
    second = await person("yichang", Role.enterprise, enterprise_id=e2)
    assert summary(await open_campaigns_for(second)) == {("自评", Role.enterprise, (e2,))}
    nobody = await person("wuchang", Role.enterprise)  # an account not tied to an enterprise
    assert await open_campaigns_for(nobody) == []

    judge = await person("pingwei", Role.judge)
    await assign_judge(panel, judge.user_id)  # for every participant
    await assign_judge(inspection, judge.user_id, e3)  # for one enterprise only
    await assign_judge(self_check, judge.user_id, e3)  # e3 does not take part: nothing to do
    assert summary(await open_campaigns_for(judge)) == {
        ("评委评分", Role.judge, (e1,)),
        ("检查", Role.judge, (e3,)),
    }

    supervisor = await person("jianduyuan", Role.supervisor, Role.judge)
    await watch(supervisor.user_id, e2, e4)
    await assign_judge(panel, supervisor.user_id)
    found = await open_campaigns_for(supervisor)
    assert summary(found) == {
        ("检查", Role.supervisor, (e2,)),
        ("和平镇检查", Role.supervisor, (e4,)),
        ("评委评分", Role.judge, (e1,)),
    }
    first = next(c for c in found if c.campaign_id == inspection)
    assert (first.form_id, first.version, first.form_version_id) == ("campaign-test-form", 1, form)
    assert {c.campaign_id for c in found} == {inspection, other_town, panel}

    # Without the role, the assignments give nothing.
    watcher_without_role = await person("tuixiu", Role.enterprise, enterprise_id=e4)
    await watch(watcher_without_role.user_id, e2)
    assert await open_campaigns_for(watcher_without_role) == []


async def test_the_window_is_checked_at_the_given_moment(database):
    a = await add_town("安康镇", {"东风村": ["甲厂"]})
    form = await add_form_version()
    opens_at = dt.datetime(2026, 2, 28, 16, 0, tzinfo=dt.UTC)  # 1 March, 00:00 in China
    closes_at = dt.datetime(2026, 3, 31, 15, 59, 59, tzinfo=dt.UTC)
    await add_campaign(
        a["town"],
        form,
        enterprises=[a["甲厂"]],
        self_assessment=True,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    enterprise = await person("jiachang", Role.enterprise, enterprise_id=a["甲厂"])
    assert await open_campaigns_for(enterprise, opens_at - dt.timedelta(seconds=1)) == []
    assert len(await open_campaigns_for(enterprise, opens_at)) == 1
    assert len(await open_campaigns_for(enterprise, closes_at)) == 1
    assert await open_campaigns_for(enterprise, closes_at + dt.timedelta(seconds=1)) == []
