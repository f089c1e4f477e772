"""`aiops-mcp call`, `db init` and `doctor`: each goes through the same code paths as the server."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import anyio
from pydantic import BaseModel

from aiops_mcp.server.config import DEFAULT_CHAINS, Settings


def call_tool(settings: Settings, tool: str, arguments: dict[str, Any]) -> int:
    """Run one tool through an in-memory MCP client, so validation and errors are exactly as over MCP."""
    from mcp import Client

    from aiops_mcp.server.app import create_server

    async def go() -> int:
        server = create_server(settings)
        async with Client(server, cache=None) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            if tool not in names:
                print(f"aiops-mcp: unknown tool {tool!r}; tools: {', '.join(sorted(names))}", file=sys.stderr)
                return 2
            result = await client.call_tool(tool, arguments)
        if result.is_error:
            text = " ".join(getattr(c, "text", "") for c in result.content)
            print(f"aiops-mcp: {text}", file=sys.stderr)
            return 1
        json.dump(result.structured_content, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0

    return anyio.run(go)


def db_init(settings: Settings, *, store: str | None, demo: bool) -> int:
    from aiops_mcp.server.store import StoreError, init_db

    try:
        summary = anyio.run(lambda: init_db(store or settings.store, demo=demo))
    except StoreError as exc:
        print(f"aiops-mcp: {exc}", file=sys.stderr)
        return 1
    print(summary)
    return 0


class _Ping(BaseModel):
    reply: str


def _check_job_types(settings: Settings, out: Any) -> int:
    """The taxonomy loads on classify_job's first call; doctor loads it now so a broken [job_types] shows."""
    from aiops_mcp.tools.classify.taxonomy import load_taxonomy

    try:
        taxonomy = load_taxonomy(settings.job_types or None)
    except Exception as exc:  # pydantic ValidationError or ValueError: both name what is wrong
        out.write(f"job types: FAILED, [job_types] in the configuration is invalid: {exc}\n")
        return 1
    custom = f", {len(settings.job_types)} entries from the configuration" if settings.job_types else ""
    out.write(f"job types: {len(taxonomy.names())}{custom}\n")
    return 0


def doctor(settings: Settings) -> int:
    """Print what is configured and whether each model of each chain answers."""
    from aiops_mcp.server.gateway.errors import AllModelsFailed
    from aiops_mcp.server.runtime import Runtime

    out = sys.stdout
    out.write(f"configuration: {settings.source}\n")
    out.write(f"gateway base URL: {settings.gateway.base_url}\n")
    rt = Runtime.create(settings)
    reason = (
        None
        if settings.models_enabled
        else ("AIOPS_OFFLINE is set" if settings.offline else "no credentials (set AI_GATEWAY_API_KEY)")
    )

    async def check() -> int:
        bad = 0
        seen: set[str] = set()
        try:
            for tool in DEFAULT_CHAINS:
                chain = settings.chain(tool)
                out.write(
                    f"{tool} [{settings.policy(tool).llm}]: {' -> '.join(chain) or '(none)'} -> offline\n"
                )
                for entry in chain:
                    if entry in seen or reason is not None:
                        continue
                    seen.add(entry)
                    started = time.perf_counter()
                    try:
                        await rt.gateway.complete(
                            "doctor",
                            [entry],
                            'Reply with the JSON object {"reply": "OK"}.',
                            "ping",
                            _Ping,
                            deadline=anyio.current_time() + settings.gateway.attempt_timeout_s,
                        )
                        out.write(f"  {entry}: OK ({(time.perf_counter() - started) * 1000:.0f} ms)\n")
                    except AllModelsFailed as exc:
                        bad += 1
                        out.write(f"  {entry}: FAILED ({exc.reason})\n")
            if reason:
                out.write(f"models: not called ({reason}); every tool answers from its offline engine\n")
            bad += _check_job_types(settings, out)
            out.write(f"store: {settings.public_view()['store'] or 'embedded SQLite (default)'}\n")
            try:
                await rt.store.ping()
                demo = " (holds the demo sample)" if await rt.store.is_demo() else ""
                out.write(f"  reachable: {rt.store.label}{demo}\n")
            except Exception as exc:
                bad += 1
                out.write(f"  FAILED: {exc}\n")
        finally:
            await rt.aclose()
        return bad

    return 1 if anyio.run(check) else 0
