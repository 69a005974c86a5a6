"""Where file bytes live. Content-addressed: a file is stored once under its SHA-256.

`LocalStorage` keeps them under the instance folder; an S3-compatible backend implements the
same three methods."""
import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app


class Storage(Protocol):
    def put(self, data: bytes) -> str:
        """Store the bytes; returns their SHA-256 (hex)."""

    def open(self, sha256: str) -> BinaryIO:
        """The stored bytes for reading."""

    def exists(self, sha256: str) -> bool: ...


class LocalStorage:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:]

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # written aside and renamed, so a crash never leaves a half file under the name
            fd, tmp = tempfile.mkstemp(dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        return digest

    def open(self, sha256: str) -> BinaryIO:
        return self._path(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()


def storage() -> Storage:
    """The app's storage (ANBAO_STORAGE_PATH, default instance/files)."""
    ext = current_app.extensions
    if "anbao.storage" not in ext:
        ext["anbao.storage"] = LocalStorage(current_app.config.get("STORAGE_PATH")
                                            or Path(current_app.instance_path) / "files")
    return ext["anbao.storage"]
