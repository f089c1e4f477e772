"""Every tool end to end through the SDK's client: in memory and over stdio, in both protocol eras."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mcp import Client, StdioServerParameters

from aiops_mcp.server.app import create_server
from aiops_mcp.server.config import Settings

NOW = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)


def _series() -> list[dict[str, Any]]:
    return [
        {
            "name": "queue_depth",
            "points": [
                {
                    "timestamp": (NOW + timedelta(minutes=i)).isoformat(),
                    "value": 100 + i * (1 if i < 50 else 30),
                }
                for i in range(80)
            ],
        }
    ]


CALLS: dict[str, dict[str, Any]] = {
    "classify_job": {
        "payload": {"source": {"system": "odoo"}, "destination": {"table": "invoices"}, "mode": "incremental"}
    },
    "analyze_failure": {"error": "HTTP 503 Service Unavailable from api.bir.gov.ph", "retry_count": 0},
    "triage_dlq": {
        "items": [
            {"id": "d1", "error": "connection refused to pooler 10.0.0.5:6543", "job_type": "sync"},
            {"id": "d2", "error": "connection refused to pooler 10.0.0.5:6543", "job_type": "sync"},
            {"id": "d3", "error": "invalid TIN format for vendor 42", "job_type": "bir_filing"},
        ],
        "as_of": NOW.isoformat(),
    },
    "extract_dependencies": {
        "nodes": [
            {
                "id": "api",
                "type": "service",
                "name": "api",
                "properties": {"env": {"DATABASE_URL": "postgresql://app@db:5432/app"}},
            },
            {"id": "db", "type": "service", "name": "db", "properties": {"image": "postgres:16"}},
        ]
    },
    "summarize_logs": {
        "lines": [
            f"2025-01-06 10:00:{i:02d} ERROR worker-{i % 3} timeout after {100 + i} ms" for i in range(40)
        ]
        + ["2025-01-06 10:01:00 INFO done"]
    },
    "redact_text": {"text": "mail maria@acme.ph, TIN 123-456-789-000"},
    "validate_job_payload": {"payload": {"source": "a", "destination": "a"}, "job_type": "sync"},
    "predict_incidents": {"metrics": _series(), "limits": {"queue_depth": 5000}},
}


def offline_settings() -> Settings:
    return Settings(offline=True)


async def _check_all(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(CALLS) <= set(tools)
    for name, args in CALLS.items():
        tool = tools[name]
        assert tool.output_schema is not None, name
        assert tool.annotations is not None and tool.annotations.read_only_hint is True
        result = await client.call_tool(name, args)
        assert not result.is_error, (name, result.content)
        data = result.structured_content
        jsonschema.validate(data, tool.output_schema)
        if name != "redact_text":
            assert data["meta"]["engine"] == "offline", name


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_every_tool_in_memory_both_eras(mode: str) -> None:
    async with Client(create_server(offline_settings()), mode=mode, cache=None) as client:
        await _check_all(client)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_every_tool_over_stdio_both_eras(mode: str, tmp_path: Path) -> None:
    env = {
        "AIOPS_OFFLINE": "1",
        "AIOPS_STORE": f"sqlite:///{tmp_path / 's.sqlite'}",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "aiops_mcp.server.cli", "serve"], env=env, cwd=str(tmp_path)
    )
    async with Client(params, mode=mode, cache=None) as client:
        await _check_all(client)


@pytest.mark.anyio
async def test_bad_input_is_a_tool_error_and_the_server_keeps_serving() -> None:
    server = create_server(Settings(offline=True, limits={"max_input_bytes": 4096}))
    async with Client(server, cache=None) as client:
        cases = [
            ("analyze_failure", {"error": "x", "retry_count": "many"}, "retry_count"),
            ("analyze_failure", {"error": "x", "retry_count": -1}, "retry_count"),
            ("classify_job", {}, "payload"),
            ("classify_job", {"payload": "not an object"}, "payload"),
            ("validate_job_payload", {"payload": {}}, "job_type"),
            ("redact_text", {"text": "x" * 10_000}, "max_input_bytes"),
            ("summarize_logs", {}, "lines"),
            ("triage_dlq", {"items": [{"no_id": 1}]}, "id"),
            ("extract_dependencies", {"nodes": []}, "nodes"),
        ]
        for tool, args, needle in cases:
            result = await client.call_tool(tool, args)
            assert result.is_error, (tool, args)
            text = " ".join(getattr(c, "text", "") for c in result.content)
            assert needle in text, (tool, text)
            assert "Traceback" not in text
        ok = await client.call_tool("redact_text", {"text": "still alive"})
        assert not ok.is_error


@pytest.mark.anyio
async def test_resources_and_prompts() -> None:
    async with Client(create_server(offline_settings()), cache=None) as client:
        uris = {str(r.uri) for r in (await client.list_resources()).resources}
        assert {"aiops://config", "aiops://usage"} <= uris
        await client.call_tool("redact_text", {"text": "a@b.co"})
        usage = await client.read_resource("aiops://usage")
        assert '"redact_text"' in usage.contents[0].text
        config = (await client.read_resource("aiops://config")).contents[0].text
        assert "chains" in config and "api_key_set" in config
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        assert {"investigate_failed_job", "triage_dead_letter_queue"} <= prompts


@pytest.mark.anyio
async def test_summarize_logs_sends_progress_on_large_input() -> None:
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    lines = [f"INFO request {i} served in {i % 50} ms" for i in range(12_000)]
    async with Client(create_server(offline_settings()), cache=None) as client:
        result = await client.call_tool("summarize_logs", {"lines": lines}, progress_callback=on_progress)
    assert not result.is_error
    assert result.structured_content["stats"]["lines_in"] == 12_000
    assert seen and seen == sorted(seen)
