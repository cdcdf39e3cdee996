"""One typed settings object, read from the environment once."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated, Literal

import msgspec

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PHOTO_MAX_BYTES_LIMIT = 25 * 1024 * 1024  # the most PHOTO_MAX_BYTES may be set to


class SettingsError(ValueError):
    """An environment variable has a value the service cannot use."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'data' / 'ankang.sqlite3'}"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    forms_dir: Path = PROJECT_ROOT / "forms"
    log_level: str = "info"
    # SQLite tuning: how many read connections, and the fsync policy of commits.
    # FULL: an acknowledged write survives a power cut, not only a crash of the app
    # (WAL with NORMAL may lose the last commits then). Group commit keeps it cheap.
    sqlite_readers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 4
    sqlite_synchronous: Literal["OFF", "NORMAL", "FULL", "EXTRA"] = "FULL"
    # PostgreSQL connection pool size.
    db_pool_max: int = 10
    # Signs CSRF tokens. Unset: a random key kept in data/secret_key, made on first start
    # (shared by every worker on this machine; set it when several machines serve).
    secret_key: str | None = None
    # Set when the service is reached over HTTPS (behind a proxy): cookies become Secure.
    secure_cookies: bool = False
    session_idle_minutes: Annotated[int, msgspec.Meta(ge=1)] = 480
    session_max_hours: Annotated[int, msgspec.Meta(ge=1)] = 168
    # Personal API tokens (and device tokens) end this many days after they are made.
    api_token_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] = 90
    # Photo evidence: the folder the files are kept in, and the largest photo accepted
    # (bytes, as uploaded: phones send 2–8 MB). Bounded so one upload request (a few
    # photos) stays a sane size; service/collection/evidence_routes.py relies on it.
    media_dir: Path = PROJECT_ROOT / "data" / "media"
    photo_max_bytes: Annotated[int, msgspec.Meta(ge=100_000, le=PHOTO_MAX_BYTES_LIMIT)] = (
        10 * 1024 * 1024
    )
    # The address people reach the service at, for links printed on paper (the QR
    # codes of hazard points' warning cards); unset: the address the request came in on.
    public_url: Annotated[str, msgspec.Meta(pattern=r"^https?://[^\s/]+(/[^\s]*)?$")] | None = None

    # Slow or broken clients (service/web/timeouts.py): the time a request's headers may
    # take from its first byte; the time its body may take in all, and between two of
    # its chunks (a photo on a slow phone connection takes a minute; a client sending a
    # byte a second never finishes); how long an idle connection is kept, longer than
    # any proxy in front keeps its own (nginx's upstream keepalive_timeout is 60 s), so
    # that the proxy, never the service, closes an idle connection (see the README).
    headers_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=600)] = 20
    body_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=3600)] = 300
    body_idle_seconds: Annotated[float, msgspec.Meta(gt=0, le=600)] = 30
    keep_alive_seconds: Annotated[int, msgspec.Meta(ge=1, le=3600)] = 75

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for field in msgspec.structs.fields(cls):
            raw = env.get(field.name.upper())
            if raw not in (None, ""):
                values[field.name] = raw.upper() if field.name == "sqlite_synchronous" else raw
        # strict=False lets "8000" become 8000; dec_hook turns strings into Paths.
        try:
            return msgspec.convert(values, cls, strict=False, dec_hook=_decode_path)
        except msgspec.ValidationError as exc:
            # "… - at `$.port`" → name the environment variable a person sets.
            message, _, where = str(exc).partition(" - at `$.")
            variable = where.rstrip("`").upper()
            raise SettingsError(f"{variable}: {message}" if variable else message) from None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def signing_key(self) -> str:
        """SECRET_KEY, or the machine's own key in data/secret_key (made once)."""
        if self.secret_key:
            return self.secret_key
        path = PROJECT_ROOT / "data" / "secret_key"
        try:
            return path.read_text().strip()
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            key = secrets.token_urlsafe(48)
            try:  # "x": if another worker made it first, use theirs
                with path.open("x") as handle:
                    handle.write(key)
                path.chmod(0o600)
            except FileExistsError:
                return path.read_text().strip()
            return key


def _decode_path(type_: type, value: object) -> object:
    if type_ is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError
