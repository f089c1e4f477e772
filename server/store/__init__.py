"""The job store: mcp-jobs' jobs, dead-letter queue, job events and metrics, and the model-call audit trail.

`open_store(url)` picks the backend from `AIOPS_STORE` (see the README): the embedded SQLite file by
default, PostgreSQL through psycopg 3, or Supabase through supabase-py. Opening is cheap; the backend's
driver is imported and the connection made on first use, so the server's cold start does not pay for it.
"""

from __future__ import annotations

import os
from pathlib import Path

from .base import JobStore, Overflow
from .errors import StoreError, WindowTooLarge, mask_url
from .models import AuditRecord, DlqRow, EventRow, JobRow, MetricRow, RowProblem, collect_row_problems
from .schema import init_db, schema_sql
from .window import parse_window

__all__ = [
    "AuditRecord",
    "DlqRow",
    "EventRow",
    "JobRow",
    "JobStore",
    "MetricRow",
    "Overflow",
    "RowProblem",
    "StoreError",
    "WindowTooLarge",
    "collect_row_problems",
    "default_sqlite_path",
    "init_db",
    "open_store",
    "parse_window",
    "schema_sql",
]

USAGE = "use sqlite:///path (default: under the user data directory), postgresql://... or supabase"


def default_sqlite_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("aiops-mcp", appauthor=False)) / "store.sqlite3"


def open_store(url: str | None, *, environ: dict[str, str] | None = None) -> JobStore:
    """The store named by `url` (the `AIOPS_STORE` setting). Raises StoreError if the URL is unusable.

    - None / "": SQLite under the user's data directory, created (with the demo sample) on first use;
    - `sqlite:///relative/path` or `sqlite:////absolute/path` (SQLAlchemy's spelling; `~` expands);
    - `postgresql://user:pass@host:5432/db` (or `postgres://`);
    - `supabase`: SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY from the environment.
    """
    env = os.environ if environ is None else environ
    text = (url or "").strip()
    if not text:
        from .sqlite_store import SqliteStore

        return SqliteStore(default_sqlite_path(), seed_demo=True)
    lowered = text.lower()
    if lowered.startswith("sqlite:"):
        from .sqlite_store import SqliteStore

        if not lowered.startswith("sqlite:///") or len(text) <= len("sqlite:///"):
            raise StoreError(mask_url(text), f"a SQLite store is written sqlite:///path; {USAGE}")
        path = Path(os.path.expanduser(text[len("sqlite:///") :]))
        if str(path) == ":memory:":
            raise StoreError(text, "an in-memory SQLite store would be empty on every call; name a file")
        return SqliteStore(path)
    if lowered.startswith(("postgresql://", "postgres://")):
        from .postgres_store import PostgresStore

        return PostgresStore(text)
    if lowered == "supabase":
        from .supabase_store import SupabaseStore

        missing = [k for k in ("SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY") if not env.get(k, "").strip()]
        if missing:
            raise StoreError("supabase", f"{' and '.join(missing)} not set in the environment")
        sb_url = env["SUPABASE_URL"].strip()
        if not sb_url.lower().startswith(("https://", "http://")):
            raise StoreError(
                "supabase", "SUPABASE_URL must start with https:// (e.g. https://<ref>.supabase.co)"
            )
        return SupabaseStore(sb_url, env["SUPABASE_SERVICE_ROLE_KEY"].strip())
    raise StoreError(mask_url(text), f"unknown kind of store; {USAGE}")
