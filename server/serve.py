"""`aiops-mcp serve`: stdio for desktop hosts, stateless streamable HTTP for workers and replicas."""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import logging
import os
import socket
import sys
from collections.abc import Mapping
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
        if scope["type"] == "websocket":
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(given, self._expected):
                await send({"type": "websocket.close", "code": 1008})
                return
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


def allowed_hosts(host: str, env: Mapping[str, str] | None = None) -> list[str]:
    """Host header values the HTTP transport accepts (DNS-rebinding protection stays on everywhere).

    `AIOPS_HTTP_ALLOWED_HOSTS` (comma-separated, `name` or `name:port`, `name:*` for any port) names the
    addresses clients and load balancers use. Without it: the loopback names on loopback; the bind
    address off loopback; for a wildcard bind (0.0.0.0, ::) this machine's name and addresses.
    """
    env = os.environ if env is None else env
    configured = [h.strip() for h in (env.get("AIOPS_HTTP_ALLOWED_HOSTS") or "").split(",") if h.strip()]
    names: list[str] = []
    if is_loopback(host):
        names = ["127.0.0.1", "localhost", "[::1]"]
    elif host in ("0.0.0.0", "::", "[::]", ""):
        hostname = socket.gethostname()
        names = [hostname, socket.getfqdn(hostname), "127.0.0.1", "localhost"]
        with contextlib.suppress(OSError):
            names += sorted({info[4][0] for info in socket.getaddrinfo(hostname, None)})
        names = [f"[{n}]" if ":" in n else n for n in names]
    else:
        names = [f"[{host.strip('[]')}]" if ":" in host.strip("[]") else host]
    hosts = configured + [h for n in dict.fromkeys(names) for h in (n, f"{n}:*")]
    return list(dict.fromkeys(hosts))


def transport_security(host: str, env: Mapping[str, str] | None = None) -> Any:
    """DNS-rebinding protection on, on loopback and off it: Host must be one of `allowed_hosts`, and a
    browser's Origin one of `AIOPS_HTTP_ALLOWED_ORIGINS` (requests without Origin, i.e. not from a
    browser page, pass)."""
    from mcp.server.transport_security import TransportSecuritySettings

    env = os.environ if env is None else env
    hosts = allowed_hosts(host, env)
    origins = [o.strip() for o in (env.get("AIOPS_HTTP_ALLOWED_ORIGINS") or "").split(",") if o.strip()]
    if is_loopback(host):
        origins += ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=hosts,
        allowed_origins=list(dict.fromkeys(origins)),
    )


def build_http_app(
    settings: Settings, host: str, *, env: Mapping[str, str] | None = None, runtime: Any = None
) -> Any:
    """The ASGI app: stateless streamable HTTP (any replica can answer any request), bearer token on
    every request (required off loopback), DNS-rebinding protection, request body size limit.
    `runtime`: an existing Runtime (tests inject one with shared state)."""
    from aiops_mcp.server.app import create_server

    token = settings.http.token.get_secret_value() if settings.http.token else None
    if not is_loopback(host) and not token:
        raise SystemExit(
            f"aiops-mcp: refusing to serve HTTP on {host} without a bearer token; set AIOPS_HTTP_TOKEN "
            "(or bind to 127.0.0.1)"
        )
    server = create_server(settings, runtime=runtime)
    security = transport_security(host, env)
    log.info("HTTP Host allow-list: %s", ", ".join(security.allowed_hosts))

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
