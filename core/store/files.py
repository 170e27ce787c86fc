"""Content-addressed files: each payload is stored once, under its SHA-256.

Layout under the store's folder (``GREENPRINT_DATA_DIR/files/<store id>``, one per
database): ``<first 2 hex>/<sha256>.parquet``, and ``tmp/`` for writes in progress. A write goes to a temporary file that is flushed
to disk (fsync), then renamed into place (atomic), then the folder is flushed: a file
under its final name is always complete. A crash leaves at most a temporary file, or a
complete file no row names yet; both are removed by the store's garbage collection.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from core.store.errors import StoreUnavailable

SUFFIX = ".parquet"
TMP = "tmp"


def digest(data: bytes) -> str:
    """SHA-256 of ``data``, hex."""
    return hashlib.sha256(data).hexdigest()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Files:
    """The store's files under ``root`` (created when missing)."""

    def __init__(self, root: Path):
        self.root = root
        self.tmp = root / TMP
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}{SUFFIX}"

    def put(self, data: bytes) -> str:
        """Store ``data`` durably (see the module docstring); return its key (SHA-256)."""
        key = digest(data)
        final = self.path(key)
        if final.exists() and final.stat().st_size == len(data):
            return key  # the same content is there, complete (it was renamed into place)
        new_folder = not final.parent.exists()
        final.parent.mkdir(exist_ok=True)
        part = self.tmp / f"{uuid.uuid4().hex}.part"
        with open(part, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, final)
        _fsync_dir(final.parent)
        if new_folder:
            _fsync_dir(self.root)
        return key

    def read(self, key: str, what: str) -> bytes:
        """The content under ``key``, checked against it; ``what`` names it in errors."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise StoreUnavailable(f"the file of {what} is missing: {path} (was the data "
                                   "directory moved or cleaned? GREENPRINT_DATA_DIR names it)") from None
        if digest(data) != key:
            raise StoreUnavailable(f"the file of {what} is damaged (its content does not match "
                                   f"its hash): {path}; restore it from a backup, or delete {what}")
        return data

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    def size(self, key: str) -> int:
        """Bytes on disk."""
        return self.path(key).stat().st_size

    def keys(self) -> set[str]:
        """Every stored key."""
        return {p.name.removesuffix(SUFFIX) for p in self.root.glob(f"??/*{SUFFIX}")}

    def remove(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def clear_tmp(self) -> int:
        """Remove every temporary file (only while no write is in progress); how many."""
        parts = list(self.tmp.glob("*.part"))
        for part in parts:
            part.unlink(missing_ok=True)
        return len(parts)
