"""Cold start: `create_server` publishes precomputed output schemas (tools/schemas.py) and imports no result
model, taxonomy or engine before the first call, with exactly the public contract the SDK derives itself."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase
from pydantic import BaseModel

from aiops_mcp.server.app import TOOL_MODULES, create_server, tool_defs
from aiops_mcp.server.config import Settings
from aiops_mcp.server.runtime import Runtime
from aiops_mcp.tools import schemas
from aiops_mcp.tools.wiring import load_result
from tests.test_e2e import CALLS

SETTINGS = Settings(offline=True)


def _sdk_server(rt: Runtime) -> MCPServer:
    """The reference: every tool registered through the SDK's own derivation (`server.add_tool`)."""
    server = MCPServer("reference", log_level="WARNING")
    for name in TOOL_MODULES:
        importlib.import_module(f"aiops_mcp.tools.{name}").register(server, rt)
    return server


async def _listing(server: MCPServer) -> list[dict[str, Any]]:
    async with Client(server, cache=None) as client:
        tools = (await client.list_tools()).tools
    return [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]


def _volatile_free(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _volatile_free(v) for k, v in value.items() if k != "latency_ms"}
    if isinstance(value, list):
        return [_volatile_free(v) for v in value]
    return value


def test_shipped_schemas_are_fresh() -> None:
    """Fails after a result model (or pydantic / the SDK) changed: run `python -m aiops_mcp.tools.schemas`."""
    rt = Runtime.create(SETTINGS)
    shipped = json.loads(schemas.SHIPPED.read_text(encoding="utf-8"))
    assert shipped == schemas.generate(tool_defs(rt)), (
        "tools/tool_schemas.json is stale: run .venv/bin/python -m aiops_mcp.tools.schemas"
    )
    assert schemas.load_shipped(), "the fingerprint of a freshly generated file does not match"


@pytest.mark.anyio
async def test_tools_list_equals_the_sdk_derivation() -> None:
    rt = Runtime.create(SETTINGS)
    published = await _listing(create_server(runtime=rt))
    reference = await _listing(_sdk_server(rt))
    assert [t["name"] for t in published] == [t["name"] for t in reference]
    assert published == reference


@pytest.mark.anyio
async def test_every_output_schema_is_the_result_models_schema() -> None:
    rt = Runtime.create(SETTINGS)
    defs = {d.name: d for d in tool_defs(rt)}
    for tool in await _listing(create_server(runtime=rt)):
        model = load_result(defs[tool["name"]].result)
        assert issubclass(model, BaseModel)
        assert tool["outputSchema"] == model.model_json_schema(), tool["name"]
        assert tool["outputSchema"]["type"] == "object"


def test_shipped_path_defers_the_result_models() -> None:
    rt = Runtime.create(SETTINGS)
    tools = schemas.build_tools(tool_defs(rt))
    assert len(tools) == len(TOOL_MODULES)
    for tool in tools:
        assert isinstance(tool.fn_metadata, schemas.ShippedMetadata), tool.name
        assert tool.fn_metadata.arg_model is ArgModelBase, tool.name
        assert tool.fn_metadata.output_model is None, tool.name
        assert tool.output_schema is not None


def test_stale_file_falls_back_to_the_sdk(tmp_path: Path) -> None:
    data = json.loads(schemas.SHIPPED.read_text(encoding="utf-8"))
    first = next(iter(data["fingerprint"]["sources"]))
    data["fingerprint"]["sources"][first] = "0" * 16
    stale = tmp_path / "tool_schemas.json"
    stale.write_text(json.dumps(data), encoding="utf-8")
    assert schemas.load_shipped(stale) == {}
    assert schemas.load_shipped(tmp_path / "missing.json") == {}

    rt = Runtime.create(SETTINGS)
    shipped = {t.name: t for t in schemas.build_tools(tool_defs(rt))}
    derived = schemas.build_tools(tool_defs(rt), shipped_path=stale)
    for tool in derived:
        assert not isinstance(tool.fn_metadata, schemas.ShippedMetadata), tool.name
        assert tool.fn_metadata.output_model is not None
        assert tool.fn_metadata.arg_model is not ArgModelBase
        assert tool.output_schema == shipped[tool.name].output_schema, tool.name
        assert tool.parameters == shipped[tool.name].parameters, tool.name


@pytest.mark.anyio
async def test_calls_return_what_the_sdk_derivation_returns() -> None:
    """Structured and text content of every tool match the SDK-built server's (latencies aside)."""
    rt = Runtime.create(SETTINGS)
    async with (
        Client(create_server(runtime=rt), cache=None) as fast,
        Client(_sdk_server(rt), cache=None) as reference,
    ):
        for name, args in CALLS.items():
            got = await fast.call_tool(name, args)
            want = await reference.call_tool(name, args)
            assert not got.is_error, (name, got.content)
            assert got.structured_content is not None, name
            assert _volatile_free(got.structured_content) == _volatile_free(want.structured_content), name
            got_text = json.loads(got.content[0].text)  # type: ignore[union-attr]
            want_text = json.loads(want.content[0].text)  # type: ignore[union-attr]
            assert _volatile_free(got_text) == _volatile_free(want_text), name
            assert got_text == got.structured_content, name


# Refused arguments, and a list sent as a JSON string (which the SDK pre-parses): same answers both ways.
ODD_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("analyze_failure", {"error": "boom", "retry_count": -1}),
    ("analyze_failure", {"error": "boom", "retry_count": "many"}),
    ("redact_text", {}),
    ("summarize_logs", {"lines": '["a 1", "a 2", "b 3"]'}),
    ("classify_job", {"payload": {"report": "x"}, "job_types": ["nope"]}),
    ("triage_dlq", {"items": [{"id": "1", "error": "x"}], "limit": 0}),
]


@pytest.mark.anyio
async def test_refusals_and_pre_parsing_match_the_sdk_derivation() -> None:
    rt = Runtime.create(SETTINGS)
    async with (
        Client(create_server(runtime=rt), cache=None) as fast,
        Client(_sdk_server(rt), cache=None) as reference,
    ):
        for name, args in ODD_CALLS:
            got = await fast.call_tool(name, args)
            want = await reference.call_tool(name, args)
            assert got.is_error == want.is_error, (name, args)
            if got.is_error:
                assert got.content == want.content, (name, args)
            else:
                assert _volatile_free(got.structured_content) == _volatile_free(want.structured_content)


def test_start_up_imports_no_result_model_taxonomy_or_engine() -> None:
    """What `create_server` imports is what `aiops-mcp serve` pays before it can answer `initialize`."""
    code = (
        "import sys, json\n"
        "from aiops_mcp.server.app import create_server\n"
        "from aiops_mcp.server.config import Settings\n"
        "create_server(Settings(offline=True))\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('aiops_mcp'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    heavy = [m for m in loaded if m.rsplit(".", 1)[-1] in {"models", "taxonomy", "engine", "llm"}]
    assert heavy == [], heavy
