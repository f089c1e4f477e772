"""The shipped SQL (one file per dialect) and `init_db`, which applies it and optionally loads the demo."""

from __future__ import annotations

import sqlite3
from importlib import resources
from typing import Literal

import anyio.to_thread

from .errors import StoreError, describe_exception

Dialect = Literal["postgresql", "sqlite"]
SQL_FILES: dict[Dialect, str] = {"postgresql": "001_mcp_jobs.sql", "sqlite": "001_mcp_jobs.sqlite.sql"}
SUPABASE_MIGRATION = "supabase/migrations/20261126000000_mcp_jobs.sql"
TABLES = ("jobs", "dead_letter_queue", "job_events", "metrics", "ai_call_log")


def schema_sql(dialect: Dialect = "postgresql") -> str:
    """The migration text: PostgreSQL (also the Supabase migration) or SQLite."""
    return resources.files(__package__).joinpath("sql", SQL_FILES[dialect]).read_text(encoding="utf-8")


SUPABASE_HOWTO = (
    "db init does not write to Supabase (the service-role key cannot run DDL through the REST API). "
    f"Apply the schema with `supabase db push` (migration {SUPABASE_MIGRATION}) or paste it into the "
    "Supabase SQL editor (`aiops-mcp` ships the same file as aiops_mcp/server/store/sql/001_mcp_jobs.sql), "
    "then add mcp_jobs to the exposed schemas (Dashboard > Settings > API > Exposed schemas)."
)


async def init_db(url: str | None, *, demo: bool = False) -> str:
    """Create the mcp_jobs tables in the store named by `url` (as `open_store` reads it); `demo` loads the
    sample. Idempotent: tables are created if missing and demo rows have fixed ids, so a second run adds
    nothing. Returns one line for a person; raises `StoreError` on failure."""
    from . import open_store
    from .postgres_store import PostgresStore
    from .sqlite_store import SqliteStore

    store = open_store(url)
    try:
        if isinstance(store, SqliteStore):
            return await _init_sqlite(store, demo)
        if isinstance(store, PostgresStore):
            return await store.init_schema(demo=demo)
        return f"{store.label}: {SUPABASE_HOWTO}"
    finally:
        await store.aclose()


async def _init_sqlite(store: object, demo: bool) -> str:
    from .demo import load_sqlite, sample
    from .sqlite_store import SqliteStore

    assert isinstance(store, SqliteStore)

    def work() -> str:
        store.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(store.path, timeout=10.0)
        try:
            conn.execute("pragma journal_mode=wal")
            conn.executescript(schema_sql("sqlite"))
            line = f"{store.label}: schema ready ({', '.join(TABLES)})"
            if demo:
                counts = load_sqlite(conn, sample())
                line += "; demo data: " + _counts(counts)
            conn.commit()
            return line
        finally:
            conn.close()

    try:
        line = await anyio.to_thread.run_sync(work)
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(store.label, f"cannot initialise: {describe_exception(exc)}") from None
    store._ready = True
    return line


def _counts(counts: dict[str, tuple[int, int]]) -> str:
    """`{"jobs": (added, total)}` → `jobs 10 added (10 in the sample), ...`."""
    return ", ".join(
        f"{table} {added:,} added" + (f" ({total:,} in the sample)" if added != total else "")
        for table, (added, total) in counts.items()
    )
