"""Stored form versions: every version the service has seen, side by side."""

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


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
