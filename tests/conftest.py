"""Shared fixtures. Data sets live in ../shared (beside the repo); tests that need them skip without it."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "data").is_dir():
        pytest.skip(
            f"shared data folder not found at {SHARED} (it sits beside the repo on dev and CI machines)"
        )
    return SHARED


POSTGRES_ADMIN = os.environ.get("AIOPS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A throwaway database on the local PostgreSQL, dropped afterwards; skips when none answers."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = await psycopg.AsyncConnection.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(
            f"PostgreSQL not reachable at {POSTGRES_ADMIN} ({str(exc).splitlines()[0]}); .ci/run starts it"
        )
    name = f"aiops_test_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'create database "{name}"')
    parts = urlsplit(POSTGRES_ADMIN)
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    finally:
        await admin.execute(f'drop database if exists "{name}" with (force)')
        await admin.close()
