"""The Piccolo app: every table of the service, and the top-level migrations/ folder.

One app for all areas, so all migrations live in one ordered folder.
"""

from piccolo.conf.apps import AppConfig

from service.accounts.tables import (
    ApiToken,
    AuditEvent,
    LoginFailure,
    RoleGrant,
    User,
    WebSession,
)
from service.campaigns.tables import Campaign, JudgeAssignment, Participant
from service.collection.tables import (
    Evidence,
    ItemScore,
    SectionScore,
    Submission,
    SubmissionRevision,
)
from service.forms.tables import FormUpload, FormVersion
from service.hazards.tables import (
    ChemicalCard,
    Hazard,
    HazardEvent,
    HazardPoint,
    PointInspection,
    RectificationNotice,
)
from service.orgs.tables import Enterprise, SupervisorAssignment, Team, Town, Village
from service.publication.tables import ResultSnapshot
from service.series.tables import PastTitle, Series
from service.settings import PROJECT_ROOT

# In dependency order: a table comes after the tables it refers to.
TABLES = [
    User,
    RoleGrant,
    WebSession,
    ApiToken,
    LoginFailure,
    AuditEvent,
    Town,
    FormVersion,
    FormUpload,
    Village,
    Enterprise,
    Team,
    SupervisorAssignment,
    Series,
    PastTitle,
    Campaign,
    Participant,
    JudgeAssignment,
    Submission,
    SubmissionRevision,
    SectionScore,
    ItemScore,
    Evidence,
    ResultSnapshot,
    HazardPoint,
    RectificationNotice,
    ChemicalCard,
    PointInspection,
    Hazard,
    HazardEvent,
]

APP_CONFIG = AppConfig(
    app_name="ankang",
    migrations_folder_path=PROJECT_ROOT / "migrations",
    table_classes=TABLES,
    migration_dependencies=[],
    commands=[],
)
