"""With a store configured, every model call of the gateway also lands, redacted, in its ai_call_log."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client

from aiops_mcp.server.app import create_server
from tests.fake_openai import FakeOpenAI
from tests.fault_matrix_support import matrix_settings, schema_responder

SECRET_EMAIL = "juan.dela.cruz@acme.ph"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    server.responder = schema_responder
    yield server
    server.stop()


@pytest.mark.anyio
async def test_model_calls_are_audited_in_the_store_redacted(fake: FakeOpenAI, tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    settings = matrix_settings(fake.base_url, ["analyze_failure"], str(tmp_path / "audit.jsonl"))
    settings.store = f"sqlite:///{db}"
    fake.script("m1", "503")
    async with Client(create_server(settings), cache=None) as client:
        result = await client.call_tool(
            "analyze_failure", {"error": f"SMTP 550 mailbox {SECRET_EMAIL} unavailable"}
        )
    assert not result.is_error
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "select tool, model, outcome, prompt from ai_call_log order by created_at"
        ).fetchall()
    outcomes = [(tool, model, outcome) for tool, model, outcome, _ in rows]
    assert ("analyze_failure", "fake:m1", "http_503") in outcomes
    assert any(model == "fake:m2" for _, model, _ in outcomes)
    assert all(SECRET_EMAIL not in (prompt or "") for *_, prompt in rows)
    assert any("<EMAIL_1>" in (prompt or "") for *_, prompt in rows)
