"""Demo data for a first look: a town, ~30 enterprises, one account per role, open
campaigns. `python -m service seed`; `make run` calls it. It adds nothing once the demo
admin exists, so it never undoes what people changed since."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from service.accounts.principal import Role
from service.accounts.users import create_user, find_by_username
from service.campaigns.tables import Campaign, JudgeAssignment, Participant
from service.forms import catalog
from service.hazards.demo import seed_hazard_demo
from service.orgs import queries
from service.orgs.importer import parse_enterprise_file
from service.orgs.tables import Enterprise, Team

DEMO_FILE = Path(__file__).parent / "orgs" / "demo_enterprises.csv"
DEMO_TOWN = "安康镇"
DEMO_COUNTY = "示例县"
DEMO_PASSWORD = "ankang-demo"
# (username, name, role): the accounts README lists.
DEMO_USERS = [
    ("admin", "县总工会 王主任", Role.admin),
    ("supervisor", "群众安全监督员 李师傅", Role.supervisor),
    ("enterprise", "东风机械 工会主席", Role.enterprise),
    ("judge", "评委 赵老师", Role.judge),
    # A second supervisor: a rectification is verified by someone other than its author.
    ("supervisor2", "群众安全监督员 陈师傅", Role.supervisor),
]
# (form id, campaign name, who fills)
DEMO_CAMPAIGNS = [
    ("ankang-cup-enterprise", "2026年安康镇“安康杯”竞赛企业考核", {"self_assessment", "judges"}),
    ("ankang-cup-team", "2026年安康镇“安康杯”优胜班组评选", {"self_assessment", "judges"}),
    ("harmonious-enterprise", "2026年安康镇和谐劳动关系企业评价", {"self_assessment", "judges"}),
    ("workers-home", "2026年安康镇职工之家建设考核", {"self_assessment", "judges"}),
    ("safety-inspection-card", "2026年第四季度群众安全监督检查", {"supervisors"}),
]
DEMO_TEAMS = ["机加工一班", "装配班", "仓储物流班"]


async def seed_demo_data() -> list[str]:
    """Create the demo data unless it is there; returns what was done, in lines."""
    if await find_by_username(DEMO_USERS[0][0]) is not None:
        return ["demo data already there: nothing added"]
    done = []
    town_id = await queries.ensure_town(DEMO_TOWN, DEMO_COUNTY)
    result = parse_enterprise_file(DEMO_FILE.read_bytes(), DEMO_FILE.name)
    if not result.ok:  # the demo file is tested; this would be a programming error
        raise RuntimeError(f"demo enterprises do not parse: {result.errors[:3]}")
    summary = await queries.import_enterprises(town_id, result.records)
    done.append(f"{DEMO_TOWN}: {len(summary.added)} enterprises")
    enterprises = await Enterprise.select(Enterprise.id).order_by(Enterprise.id)
    ids = [e["id"] for e in enterprises]
    first = ids[0]
    for name in DEMO_TEAMS:
        await queries.add_team(first, name)
    user_ids: dict[Role, int] = {}  # the first account of each role
    accounts: dict[str, int] = {}
    for username, name, role in DEMO_USERS:
        accounts[username] = await create_user(
            username,
            name,
            DEMO_PASSWORD,
            [(role, None, first if role is Role.enterprise else None)],
        )
        user_ids.setdefault(role, accounts[username])
    for enterprise_id in ids[:6]:
        for supervisor in (accounts["supervisor"], accounts["supervisor2"]):
            await queries.assign_supervisor(enterprise_id, supervisor)
    done.append(f"accounts: {', '.join(u for u, _, _ in DEMO_USERS)} (password {DEMO_PASSWORD})")
    done += await _campaigns(town_id, ids, first, user_ids)
    done.append(await seed_hazard_demo(ids, user_ids[Role.supervisor], dt.datetime.now(dt.UTC)))
    return done


async def _campaigns(town_id: int, ids: list[int], first: int, user_ids: dict) -> list[str]:
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    teams = await Team.select(Team.id, Team.enterprise).where(Team.enterprise == first)
    done = []
    for form_id, name, fillers in DEMO_CAMPAIGNS:
        version_id = await catalog.latest_version_id(form_id)
        if version_id is None:
            continue  # forms not synced yet
        [row] = await Campaign.insert(
            Campaign(
                name=name,
                town=town_id,
                form_version=version_id,
                status="open",
                opens_at=today - dt.timedelta(days=7),
                closes_at=today + dt.timedelta(days=60),
                self_assessment="self_assessment" in fillers,
                judges="judges" in fillers,
                supervisors="supervisors" in fillers,
                created_at=dt.datetime.now(dt.UTC),
            )
        )
        if form_id == "ankang-cup-team":
            participants = [
                Participant(campaign=row["id"], enterprise=t["enterprise"], team=t["id"])
                for t in teams
            ]
        else:
            participants = [Participant(campaign=row["id"], enterprise=e) for e in ids]
        await Participant.insert(*participants)
        if "judges" in fillers:
            await JudgeAssignment.insert(
                JudgeAssignment(campaign=row["id"], user=user_ids[Role.judge])
            )
        done.append(f"campaign: {name} ({len(participants)} participants)")
    return done
