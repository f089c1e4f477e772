"""`aiops-mcp serve`: stdio for desktop hosts, stateless streamable HTTP for workers and replicas."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import sys
from typing import Any

import anyio

from aiops_mcp.server.config import Settings

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class BearerAuth:
    """ASGI middleware: every request must carry `Authorization: Bearer <AIOPS_HTTP_TOKEN>`."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("path") != "/health":
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(given, self._expected):
                body = b'{"error": "missing or wrong bearer token (AIOPS_HTTP_TOKEN)"}'
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def build_http_app(settings: Settings, host: str) -> Any:
    from mcp.server.transport_security import TransportSecuritySettings

    from aiops_mcp.server.app import create_server

    token = settings.http.token.get_secret_value() if settings.http.token else None
    if not is_loopback(host) and not token:
        raise SystemExit(
            f"aiops-mcp: refusing to serve HTTP on {host} without a bearer token; set AIOPS_HTTP_TOKEN "
            "(or bind to 127.0.0.1)"
        )
    server = create_server(settings)
    security = None
    if not is_loopback(host):
        # Off loopback the bearer token is the gate; DNS-rebinding protection targets browsers on localhost.
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)

    @server.custom_route("/health", methods=["GET"])
    async def health(_request: Any) -> Any:
        from starlette.responses import JSONResponse

        return JSONResponse({"status": "ok"})

    app = server.streamable_http_app(
        stateless_http=True,
        host=host,
        max_request_body_size=settings.http.max_body_bytes,
        transport_security=security,
    )
    return BearerAuth(app, token) if token else app


def serve(settings: Settings, *, transport: str, host: str, port: int) -> int:
    if transport == "stdio":
        from aiops_mcp.server.app import create_server

        server = create_server(settings)
        anyio.run(server.run_stdio_async)
        return 0
    import uvicorn

    app = build_http_app(settings, host)
    url = f"http://{host}:{port}/mcp"
    engine = "models via the gateway" if settings.models_enabled else "offline engines (no credentials set)"
    print(
        f"aiops-mcp serving streamable HTTP at {url} ({engine})\n"
        f"  Inspector: npx @modelcontextprotocol/inspector --cli {url} --transport http --method tools/list\n"
        f"  Claude Code: claude mcp add --transport http aiops {url}\n"
        "  Stop with Ctrl-C.",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")
    return 0
