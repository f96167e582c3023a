"""One ingest at a time per data directory: a file lock that waits, then refuses clearly."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from config.settings import Settings


class IngestBusy(Exception):
    """Another ingest held the lock for longer than the settings allow waiting (Swedish)."""

    def __init__(self, lock_path: Path, waited_s: float) -> None:
        super().__init__(
            f"En annan indexering pågår redan (låsfil {lock_path}); gav upp efter "
            f"{waited_s:.0f} s. Försök igen när den är klar (väntetiden ställs in med "
            "POLICYBOT_INGEST_LOCK_TIMEOUT_S)."
        )
        self.lock_path = lock_path


def lock_path(settings: Settings) -> Path:
    return settings.data_dir.resolve() / "ingest.lock"


@contextmanager
def ingest_lock(
    settings: Settings, on_wait: Callable[[Path], None] | None = None
) -> Iterator[float]:
    """Hold the data directory's ingest lock; yields the seconds spent waiting for it.

    An OS-level lock (flock), so a killed ingest (kill -9) releases it with its process.
    """
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, thread_local=False)
    started = time.monotonic()
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait(path)
        try:
            lock.acquire(timeout=settings.ingest_lock_timeout_s)
        except Timeout:
            raise IngestBusy(path, time.monotonic() - started) from None
    try:
        yield time.monotonic() - started
    finally:
        lock.release()
