"""The organisation tree (小三级): town → village/community → enterprise → work team."""

from piccolo.columns import ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.table import Table

from service.accounts.tables import User


class Town(Table, tablename="town"):
    """A town or sub-district (镇/街道); `county` names the county above it."""

    name = Varchar(length=100, unique=True)
    county = Varchar(length=100, null=True, default=None)


class Village(Table, tablename="village"):
    """A village or community (村/社区)."""

    town = ForeignKey(Town, null=False, index=True, on_delete=OnDelete.restrict)
    name = Varchar(length=100)


class Enterprise(Table, tablename="enterprise"):
    village = ForeignKey(Village, null=False, index=True, on_delete=OnDelete.restrict)
    name = Varchar(length=200)
    # 统一社会信用代码, validated by its check character; the natural key for imports.
    credit_code = Varchar(length=18, unique=True)
    industry = Varchar(length=50, index=True)
    ownership = Varchar(length=16, index=True)  # state_owned | non_public | mixed
    head_count = Integer(null=True, default=None)
    address = Varchar(length=200, null=True, default=None)
    union_chair = Varchar(length=50, null=True, default=None)
    phone = Varchar(length=30, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Team(Table, tablename="team"):
    """A work team (班组) inside an enterprise."""

    enterprise = ForeignKey(Enterprise, null=False, index=True, on_delete=OnDelete.cascade)
    name = Varchar(length=100)


class SupervisorAssignment(Table, tablename="supervisor_assignment"):
    """A mass safety supervisor (群众安全监督员) watches these enterprises."""

    user = ForeignKey(User, null=False, index=True, on_delete=OnDelete.cascade)
    enterprise = ForeignKey(
        Enterprise, null=False, index=True, on_delete=OnDelete.cascade, on_update=OnUpdate.cascade
    )
