"""Where photo files live: a small interface, and a local directory behind it.

Routes only see `Storage`, so an object store (S3, OSS, MinIO) can replace the local
directory by implementing the same three methods. Keys are relative, slash-separated
names such as "photos/ab/ab12….jpg"; the rows in the database hold the keys.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

import anyio

from service.settings import Settings

# Lower-case letters, digits, "-", "_", "." in slash-separated parts, none of them
# "." or "..", no leading slash: a key can never name a place outside the root.
_KEY = re.compile(r"[a-z0-9_-][a-z0-9_.-]*(/[a-z0-9_-][a-z0-9_.-]*)*")


class MissingObject(LookupError):
    """No object is stored under this key."""


class InvalidKey(ValueError):
    """The key is not one of ours (and might point outside the storage)."""


class Storage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`, replacing what was there, all at once or not at all."""

    async def get(self, key: str) -> bytes:
        """The bytes stored under `key`; MissingObject if there are none."""

    async def delete(self, key: str) -> None:
        """Forget `key`; nothing happens if it is not there."""


def check_key(key: str) -> str:
    if len(key) > 200 or not _KEY.fullmatch(key) or ".." in key.split("/"):
        raise InvalidKey(key)
    return key


class LocalStorage:
    """Files under one directory. A write goes to a temporary file in the target's
    directory, is flushed to the disk, and is renamed over the target: a reader never
    sees half a photo, and a power cut leaves the old file or the new one."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root):  # a symlink inside the root, say
            raise InvalidKey(key)
        return path

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await anyio.to_thread.run_sync(self._put, self.path(key), data)

    async def get(self, key: str) -> bytes:
        try:
            return await anyio.to_thread.run_sync(self.path(key).read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise MissingObject(key) from None

    async def delete(self, key: str) -> None:
        await anyio.to_thread.run_sync(self._delete, self.path(key))

    @staticmethod
    def _put(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_directory(path.parent)  # make the rename itself durable

    @staticmethod
    def _delete(path: Path) -> None:
        path.unlink(missing_ok=True)
        _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def storage_for(settings: Settings) -> Storage:
    """The storage the settings name: the one place to plug in an object store."""
    return LocalStorage(settings.media_dir)
