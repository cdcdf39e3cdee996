"""People, their roles, their sessions and tokens, and the audit log."""

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class User(Table, tablename="app_user"):  # "user" is reserved in PostgreSQL
    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=100)
    password_hash = Varchar(length=255)  # argon2id
    is_active = Boolean(default=True)
    created_at = Timestamptz()
    password_changed_at = Timestamptz(null=True, default=None)


class RoleGrant(Table, tablename="role_grant"):
    """One role of one person. An admin's scope is a town (none: the whole county);
    an enterprise account belongs to one enterprise. Ids, not foreign keys, so that
    accounts do not depend on the organisation tables' module."""

    user = ForeignKey(User, null=False, index=True, on_delete=OnDelete.cascade)
    role = Varchar(length=16, index=True)  # admin | supervisor | enterprise | judge
    town_id = Integer(null=True, default=None, index=True)
    enterprise_id = Integer(null=True, default=None, index=True)


class WebSession(Table, tablename="web_session"):
    """A signed-in browser. The cookie holds a random token; only its hash is stored,
    so a copy of the database cannot be used to sign in."""

    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, null=False, index=True, on_delete=OnDelete.cascade)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    language = Varchar(length=8, null=True, default=None)
    ip = Varchar(length=64, null=True, default=None)


class ApiToken(Table, tablename="api_token"):
    """A personal API token: shown once, stored hashed, revocable, ends by itself.
    It is revoked when its owner's password changes or is reset."""

    user = ForeignKey(User, null=False, index=True, on_delete=OnDelete.cascade)
    name = Varchar(length=100)
    token_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=16)  # the first characters, to tell tokens apart on a page
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    # None: made before tokens ended by themselves; tokens.expires_at gives their end.
    expires_at = Timestamptz(null=True, default=None)


class LoginFailure(Table, tablename="login_failure"):
    """Failed sign-ins, shared by every worker process, for throttling."""

    at = Timestamptz(index=True)
    username = Varchar(length=64, index=True)
    ip = Varchar(length=64, index=True)


class AuditEvent(Table, tablename="audit_event"):
    """Security-relevant events: sign-ins, failures, role changes, token use, exports."""

    at = Timestamptz(index=True)
    event = Varchar(length=40, index=True)
    actor_id = Integer(null=True, default=None, index=True)
    subject = Varchar(length=200, null=True, default=None)
    ip = Varchar(length=64, null=True, default=None)
    detail = Text(default="")
