"""All SQL about the organisation tree, assignments, and importing enterprise lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from service.accounts.principal import Principal, Role
from service.accounts.tables import RoleGrant, User

from .importer import EnterpriseRecord
from .tables import Enterprise, SupervisorAssignment, Team, Town, Village

# The fields an import or an edit sets on an enterprise (the credit code is its key).
ENTERPRISE_FIELDS = (
    "name",
    "industry",
    "ownership",
    "head_count",
    "address",
    "union_chair",
    "phone",
)


@dataclass
class ImportSummary:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    villages_added: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- towns and villages


async def towns_for(principal: Principal) -> list[dict]:
    """The towns an admin manages (all of them for a county-level admin)."""
    query = Town.select().order_by(Town.name)
    if principal.admin_towns is not None:
        if not principal.admin_towns:
            return []
        query = query.where(Town.id.is_in(list(principal.admin_towns)))
    return await query


async def get_town(town_id: int) -> dict | None:
    return await Town.select().where(Town.id == town_id).first()


async def ensure_town(name: str, county: str | None = None) -> int:
    found = await Town.select(Town.id).where(Town.name == name).first()
    if found:
        return found["id"]
    [row] = await Town.insert(Town(name=name, county=county))
    return row["id"]


async def villages_of(town_id: int) -> list[dict]:
    return await Village.select().where(Village.town == town_id).order_by(Village.name)


async def ensure_village(town_id: int, name: str) -> tuple[int, bool]:
    """The village of that name in the town, made when missing; (id, made)."""
    found = (
        await Village.select(Village.id)
        .where((Village.town == town_id) & (Village.name == name))
        .first()
    )
    if found:
        return found["id"], False
    [row] = await Village.insert(Village(town=town_id, name=name))
    return row["id"], True


# ---------------------------------------------------------------- enterprises


def _enterprise_columns():
    return (
        Enterprise.id,
        Enterprise.name,
        Enterprise.credit_code,
        Enterprise.industry,
        Enterprise.ownership,
        Enterprise.head_count,
        Enterprise.address,
        Enterprise.union_chair,
        Enterprise.phone,
        Enterprise.village.id.as_alias("village_id"),
        Enterprise.village.name.as_alias("village_name"),
        Enterprise.village.town.id.as_alias("town_id"),
        Enterprise.village.town.name.as_alias("town_name"),
    )


async def list_enterprises(
    town_ids: list[int] | None, *, village_id: int | None = None, search: str = ""
) -> list[dict]:
    """Enterprises of these towns (None: every town), optionally of one village or
    matching a name or credit code."""
    query = (
        Enterprise.select(*_enterprise_columns())
        .order_by(Enterprise.village.name)
        .order_by(Enterprise.name)
    )
    if town_ids is not None:
        query = query.where(Enterprise.village.town.id.is_in(town_ids or [-1]))
    if village_id is not None:
        query = query.where(Enterprise.village.id == village_id)
    if search.strip():
        term = f"%{search.strip()}%"
        query = query.where(Enterprise.name.like(term) | Enterprise.credit_code.like(term.upper()))
    return await query


async def get_enterprise(enterprise_id: int) -> dict | None:
    return (
        await Enterprise.select(*_enterprise_columns())
        .where(Enterprise.id == enterprise_id)
        .first()
    )


async def save_enterprise(values: dict, village_id: int, enterprise_id: int | None = None) -> int:
    now = dt.datetime.now(dt.UTC)
    fields = {name: values.get(name) for name in ENTERPRISE_FIELDS}
    if enterprise_id is None:
        [row] = await Enterprise.insert(
            Enterprise(
                **fields,
                credit_code=values["credit_code"],
                village=village_id,
                created_at=now,
                updated_at=now,
            )
        )
        return row["id"]
    await Enterprise.update(
        **fields, credit_code=values["credit_code"], village=village_id, updated_at=now
    ).where(Enterprise.id == enterprise_id)
    return enterprise_id


async def credit_code_owner(credit_code: str) -> int | None:
    found = (
        await Enterprise.select(Enterprise.id).where(Enterprise.credit_code == credit_code).first()
    )
    return found["id"] if found else None


def may_see_enterprise(principal: Principal, enterprise: dict, watched: set[int]) -> bool:
    """An enterprise's page: its own accounts, the supervisors watching it, the admins
    of its town. Nobody else (another enterprise least of all)."""
    return (
        enterprise["id"] in principal.enterprises
        or (principal.has(Role.supervisor) and enterprise["id"] in watched)
        or principal.manages_town(enterprise["town_id"])
    )


class OtherTownsEnterprises(Exception):
    """Rows whose credit code belongs to an enterprise of another town."""

    def __init__(self, rows: list[tuple[EnterpriseRecord, str]]):
        self.rows = rows  # (record, the other town's name)
        super().__init__(f"{len(rows)} enterprise(s) of other towns")


async def import_enterprises(town_id: int, records: list[EnterpriseRecord]) -> ImportSummary:
    """Store a whole, already validated list in one transaction: all rows or none.
    The credit code identifies an enterprise, so importing the same file again
    changes nothing."""
    summary = ImportSummary()
    engine = Enterprise._meta.db
    async with engine.transaction():
        villages = {v["name"]: v["id"] for v in await villages_of(town_id)}
        codes = [record.credit_code for record in records]
        existing = {
            row["credit_code"]: row
            for row in await Enterprise.select(
                *Enterprise.all_columns(),
                Enterprise.village.town.id.as_alias("town_id"),
                Enterprise.village.town.name.as_alias("town_name"),
            ).where(Enterprise.credit_code.is_in(codes))
        }
        # A list of one town never moves, renames or edits another town's enterprise.
        foreign = [
            (record, existing[record.credit_code]["town_name"])
            for record in records
            if record.credit_code in existing and existing[record.credit_code]["town_id"] != town_id
        ]
        if foreign:
            raise OtherTownsEnterprises(foreign)
        for record in records:
            if record.village not in villages:
                villages[record.village], _ = await ensure_village(town_id, record.village)
                summary.villages_added.append(record.village)
            values = {
                "credit_code": record.credit_code,
                **{name: getattr(record, name) for name in ENTERPRISE_FIELDS},
            }
            values["ownership"] = record.ownership.value
            village_id = villages[record.village]
            row = existing.get(record.credit_code)
            if row is None:
                await save_enterprise(values, village_id)
                summary.added.append(record.name)
            elif any(row[name] != values[name] for name in ENTERPRISE_FIELDS) or (
                row["village"] != village_id
            ):
                await save_enterprise(values, village_id, row["id"])
                summary.updated.append(record.name)
            else:
                summary.unchanged += 1
    return summary


# ---------------------------------------------------------------- teams and people


async def teams_of(enterprise_id: int) -> list[dict]:
    return await Team.select().where(Team.enterprise == enterprise_id).order_by(Team.name)


async def add_team(enterprise_id: int, name: str) -> None:
    await Team.insert(Team(enterprise=enterprise_id, name=name.strip()[:100]))


async def remove_team(enterprise_id: int, team_id: int) -> bool:
    """Remove a team unless a campaign lists it (its results must keep their team)."""
    from service.campaigns.tables import Participant

    if await Participant.exists().where(Participant.team == team_id):
        return False
    await Team.delete().where((Team.id == team_id) & (Team.enterprise == enterprise_id))
    return True


async def watched_by(user_id: int) -> set[int]:
    rows = await SupervisorAssignment.select(SupervisorAssignment.enterprise).where(
        SupervisorAssignment.user == user_id
    )
    return {row["enterprise"] for row in rows}


async def supervisors_of(enterprise_id: int) -> list[dict]:
    return await SupervisorAssignment.select(
        SupervisorAssignment.user.id.as_alias("user_id"),
        SupervisorAssignment.user.username.as_alias("username"),
        SupervisorAssignment.user.display_name.as_alias("display_name"),
    ).where(SupervisorAssignment.enterprise == enterprise_id)


async def accounts_of(enterprise_id: int) -> list[dict]:
    """The enterprise accounts of an enterprise."""
    grants = await RoleGrant.select(RoleGrant.user).where(
        (RoleGrant.role == Role.enterprise.value) & (RoleGrant.enterprise_id == enterprise_id)
    )
    if not grants:
        return []
    return await User.select(User.id, User.username, User.display_name).where(
        User.id.is_in([g["user"] for g in grants])
    )


async def users_with_role(role: Role) -> list[dict]:
    grants = await RoleGrant.select(RoleGrant.user).where(RoleGrant.role == role.value)
    ids = sorted({g["user"] for g in grants})
    if not ids:
        return []
    return (
        await User.select(User.id, User.username, User.display_name)
        .where(
            User.id.is_in(ids) & (User.is_active == True)  # noqa: E712 (a column expression)
        )
        .order_by(User.username)
    )


async def assign_supervisor(enterprise_id: int, user_id: int) -> bool:
    if await SupervisorAssignment.exists().where(
        (SupervisorAssignment.enterprise == enterprise_id) & (SupervisorAssignment.user == user_id)
    ):
        return False
    await SupervisorAssignment.insert(SupervisorAssignment(enterprise=enterprise_id, user=user_id))
    return True


async def unassign_supervisor(enterprise_id: int, user_id: int) -> None:
    await SupervisorAssignment.delete().where(
        (SupervisorAssignment.enterprise == enterprise_id) & (SupervisorAssignment.user == user_id)
    )
