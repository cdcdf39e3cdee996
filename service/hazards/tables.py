"""Hazards (隐患), their timeline, rectification notices, hazard points (危险源点) and
chemical information cards (有毒有害化学物质信息卡).

A hazard is created in the same atomic write as the submission that found it (one
per failed hazard-flagged check, or one per hazard report), so an acknowledged
submission never lacks its hazards and a retried one never doubles them: the unique
index (submission, item) holds one hazard per failed item.
"""

from piccolo.columns import (
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from service.accounts.tables import User
from service.orgs.tables import Enterprise


class HazardPoint(Table, tablename="hazard_point"):
    """A hazard point registered with its warning card's fields (危险源点警示卡)."""

    enterprise = ForeignKey(Enterprise, null=False, index=True, on_delete=OnDelete.restrict)
    name = Varchar(length=100)
    location = Varchar(length=200, default="")  # workshop, section, where the card hangs
    danger_level = Varchar(length=16, default="yellow")  # red | orange | yellow | blue
    accident_types = Text(default="")  # likely accident types (可能发生的事故类型)
    protective_measures = Text(default="")
    monitoring = Text(default="")  # monitoring requirements (监控要求)
    emergency_plan = Text(default="")
    responsible = Varchar(length=50, default="")
    responsible_phone = Varchar(length=30, default="")
    inspection_cycle_days = Integer(default=30)
    active = Boolean(default=True)  # retired points stay for their history
    created_at = Timestamptz()
    updated_at = Timestamptz()


class PointInspection(Table, tablename="point_inspection"):
    """A submission filled at a hazard point (started from its QR code)."""

    submission = UUID(unique=True)
    point = ForeignKey(HazardPoint, null=False, index=True, on_delete=OnDelete.restrict)


class Hazard(Table, tablename="hazard"):
    # The key of its own photos (after-photos, direct uploads) in the evidence table.
    key = UUID(unique=True)
    enterprise = ForeignKey(Enterprise, null=False, index=True, on_delete=OnDelete.restrict)
    hazard_point = ForeignKey(
        HazardPoint, null=True, default=None, index=True, on_delete=OnDelete.set_null
    )
    # Where it was found: the submission and the failed item (or the report's id).
    submission = UUID(null=True, default=None)
    item = Varchar(length=64, null=True, default=None)
    source = Varchar(length=16, default="inspection")  # inspection | report | manual
    location = Varchar(length=200, default="")
    gps = Varchar(length=64, default="")  # "lat,lng" as answered
    description = Text(default="")
    standard = Text(default="")  # what the failed check asks for
    photos = Text(default="[]")  # JSON: evidence ids of the finding
    grade = Varchar(length=16, index=True)
    state = Varchar(length=16, index=True)  # lifecycle.State
    found_by = ForeignKey(User, null=True, default=None, index=True, on_delete=OnDelete.set_null)
    found_at = Timestamptz(index=True)
    responsible = Varchar(length=50, default="")
    deadline = Date(null=True, default=None)
    measures = Text(default="")  # the measures asked for or planned
    plan = Text(default="")  # JSON: a major hazard's rectification plan
    rectification = Text(default="")  # the measures taken, as the enterprise reports them
    after_photos = Text(default="[]")  # JSON: evidence ids
    rectified_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    rectified_at = Timestamptz(null=True, default=None)
    closed_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    closed_at = Timestamptz(null=True, default=None)
    # Bumped by every transition: two people acting on one state, only the first wins.
    version = Integer(default=1)
    updated_at = Timestamptz()


class HazardEvent(Table, tablename="hazard_event"):
    """One step of a hazard's timeline: never updated."""

    hazard = ForeignKey(Hazard, null=False, index=True, on_delete=OnDelete.cascade)
    action = Varchar(length=24)  # lifecycle.Action, or "reported"
    from_state = Varchar(length=16, default="")
    to_state = Varchar(length=16)
    actor = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    at = Timestamptz()
    detail = Text(default="{}")  # JSON: the reason, the fields set, the photos added


class RectificationNotice(Table, tablename="rectification_notice"):
    """隐患整改通知书: numbered per year, for one or several hazards of one enterprise."""

    year = Integer()
    sequence = Integer()  # unique with year (see the migration)
    enterprise = ForeignKey(Enterprise, null=False, index=True, on_delete=OnDelete.restrict)
    hazards = Text()  # JSON: hazard ids
    deadline = Date(null=True, default=None)  # the earliest deadline of its hazards
    issued_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    issued_at = Timestamptz()
    issuer = Varchar(length=100, default="")  # the union that issues it, as printed
    # The id the issuing page carried: a double tap or a retried post finds this notice
    # instead of numbering a second one (unique: see the migration; SQLite cannot add a
    # UNIQUE column to a table that exists).
    token = Varchar(length=36, null=True, default=None)


class ChemicalCard(Table, tablename="chemical_card"):
    """有毒有害化学物质信息卡 of one chemical used at one enterprise."""

    enterprise = ForeignKey(Enterprise, null=False, index=True, on_delete=OnDelete.restrict)
    name_zh = Varchar(length=100)
    name_en = Varchar(length=200, default="")
    cas = Varchar(length=12, default="")  # checked by its check digit
    properties = Text(default="")  # physical and chemical properties
    health_hazards = Text(default="")
    exposure_limits = Text(default="")  # e.g. PC-TWA, PC-STEL, MAC
    protection = Text(default="")
    first_aid = Text(default="")
    emergency_handling = Text(default="")
    emergency_phones = Text(default="")
    location = Varchar(length=200, default="")  # where it is used or stored
    created_at = Timestamptz()
    updated_at = Timestamptz()
