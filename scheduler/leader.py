"""Only one scheduler acts at a time (DESIGN.md §5): a PostgreSQL advisory lock held by a
connection of its own, or an exclusive lock on a file next to the SQLite database. Either is
released by the operating system or the server when the holder dies, so a waiting instance
takes over."""
import fcntl
import os
import zlib
from pathlib import Path

import sqlalchemy as sa

KEY = zlib.crc32(b"anbao.scheduler")


class Leader:
    def __init__(self, engine: sa.Engine, instance_path: str):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        # beside the database file, so that every scheduler of one database meets there
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self.path = (Path(database).with_name(Path(database).name + ".scheduler.lock")
                     if database and database != ":memory:"
                     else Path(instance_path) / "scheduler.lock")
        self.connection = None
        self.fd = None

    def acquire(self) -> bool:
        if self.postgres:
            return self._acquire_advisory()
        return self._acquire_file()

    def _acquire_advisory(self) -> bool:
        try:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except sa.exc.OperationalError:
            return False
        try:
            if connection.scalar(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": KEY}):
                self.connection = connection
                return True
            connection.close()
        except sa.exc.DBAPIError:  # the server went away meanwhile: wait and try again
            connection.invalidate()
            connection.close()
        return False

    def _acquire_file(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return True

    def holds(self) -> bool:
        """Whether the lock is still ours: a PostgreSQL connection that broke lost it."""
        if self.fd is not None:
            return True
        if self.connection is None:
            return False
        try:
            return bool(self.connection.scalar(sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :key "
                "AND pid = pg_backend_pid() AND granted"), {"key": KEY}))
        except sa.exc.DBAPIError:
            self.release()
            return False

    def release(self) -> None:
        if self.connection is not None:
            try:
                # a pooled connection would keep the lock: close it for good
                self.connection.invalidate()
                self.connection.close()
            except sa.exc.DBAPIError:
                pass
            self.connection = None
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
