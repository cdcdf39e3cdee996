"""Stored form versions: every version the service has seen, side by side; and the
forms a clerk uploaded on /admin/forms, kept between checking and publishing."""

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from service.accounts.tables import User
from service.orgs.tables import Town

# Where a version came from: a file in forms/ (synced at start) or an upload on
# /admin/forms. `forms sync` only ever writes rows of its own origin.
ORIGIN_FILE = "file"
ORIGIN_UPLOAD = "upload"


class FormVersion(Table, tablename="form_version"):
    """One version of one form. (form_id, version) is unique: a unique index made
    by the first migration (a constraint cannot be added to SQLite tables)."""

    form_id = Varchar(length=64, index=True)
    version = Integer()
    kind = Varchar(length=16)
    title_zh = Varchar(length=200)
    title_en = Varchar(length=200, null=True, default=None)
    # sha256 of the form as written (canonical JSON): comments and layout do not count.
    content_hash = Varchar(length=64)
    # The form as written, as canonical JSON text. Kept as text, not a JSON column,
    # because Piccolo treats JSON columns differently on SQLite and PostgreSQL, and
    # nothing queries inside it.
    definition = Text()
    source_file = Varchar(length=255)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    origin = Varchar(length=16, default=ORIGIN_FILE)
    # The town whose admin uploaded the form: only that town sees it. None: everyone
    # (a built-in form, or one a county-level admin uploaded). Every version of a form
    # id has the owner of its first version.
    owner_town = ForeignKey(Town, null=True, default=None, on_delete=OnDelete.restrict)
    published_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)


class FormUpload(Table, tablename="form_upload"):
    """A checked form waiting to be published: what the clerk uploaded, as the form
    language's YAML (a workbook is stored as the YAML it was read into)."""

    uploaded_by = ForeignKey(User, null=False, index=True, on_delete=OnDelete.cascade)
    # The town it will belong to (None: a county-level admin's, for everyone).
    town = ForeignKey(Town, null=True, default=None, on_delete=OnDelete.cascade)
    file_name = Varchar(length=255)
    form_id = Varchar(length=64)
    source = Text()
    # Rows of a workbook that were not carried over, as JSON: shown until published.
    warnings = Text(default="")
    created_at = Timestamptz()
    # Set once, in the transaction that adds the version: a second publish finds it.
    published_version = ForeignKey(
        FormVersion, null=True, default=None, on_delete=OnDelete.set_null
    )
