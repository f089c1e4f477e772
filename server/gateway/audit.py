"""The audit trail: one JSON line per model call, redacted text only, with retention.

Records older than the retention are dropped when the trail is opened and then once a day, so the
file never grows without bound and never keeps a record past its retention by more than a day.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from pydantic import BaseModel

log = logging.getLogger(__name__)


class AuditEntry(BaseModel):
    time: datetime
    tool: str
    model: str
    outcome: str
    latency_ms: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    prompt_hash: str
    prompt: str
    answer: str | None = None


def prompt_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AuditLog:
    """Append-only JSONL; `path=None` keeps nothing (tests, or audit turned off)."""

    _PURGE_EVERY_S = 86_400.0

    _PENDING_MAX = 2000

    def __init__(self, path: Path | None, retention_days: int, *, collect: bool = False) -> None:
        self.path = path
        self.retention = timedelta(days=retention_days)
        self._lock = threading.Lock()
        # -inf: the first record purges, which also creates the folder (monotonic time starts near boot).
        self._last_purge = float("-inf")
        self._fh: TextIO | None = None
        self.written = 0
        # Entries waiting to be copied to the store's ai_call_log (bounded: a dead store cannot grow it).
        self.pending: deque[AuditEntry] | None = deque(maxlen=self._PENDING_MAX) if collect else None

    def drain(self) -> list[AuditEntry]:
        if not self.pending:
            return []
        with self._lock:
            items = list(self.pending)
            self.pending.clear()
        return items

    def record(self, entry: AuditEntry) -> None:
        if self.pending is not None:
            self.pending.append(entry)
        if self.path is None:
            return
        line = entry.model_dump_json() + "\n"
        try:
            with self._lock:
                if time.monotonic() - self._last_purge > self._PURGE_EVERY_S:
                    self._purge_locked()
                if self._fh is None:
                    self._fh = self.path.open("a", encoding="utf-8")
                self._fh.write(line)
                # One flush per record: a crash loses no record that a call already reported.
                self._fh.flush()
                self.written += 1
        except OSError as exc:
            # The audit trail must never fail a tool call; the loss is logged.
            log.warning("audit trail not written to %s: %s", self.path, exc)

    def purge(self) -> int:
        with self._lock:
            return self._purge_locked()

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None

    def _purge_locked(self) -> int:
        self._last_purge = time.monotonic()
        if self._fh is not None:
            # The purge may replace the file; the next record reopens it.
            self._fh.close()
            self._fh = None
        if self.path is None or not self.path.exists():
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            return 0
        cutoff = datetime.now(UTC) - self.retention
        kept: list[str] = []
        dropped = 0
        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    stamp = datetime.fromisoformat(json.loads(line)["time"])
                except (ValueError, KeyError, TypeError):
                    dropped += 1
                    continue
                if stamp.tzinfo is None:
                    stamp = stamp.replace(tzinfo=UTC)
                if stamp >= cutoff:
                    kept.append(line)
                else:
                    dropped += 1
        if dropped:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text("".join(kept), encoding="utf-8")
            os.replace(tmp, self.path)
        return dropped
