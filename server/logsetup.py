"""Logging goes to stderr only (stdout is the protocol in stdio mode), through the redacting filter."""

from __future__ import annotations

import logging
import os
import sys


def configure_logging(level: str | None = None, *, redacting: bool = True) -> None:
    """`redacting=False` only for commands that never handle tool input (it saves their start-up)."""
    level = (level or os.environ.get("AIOPS_LOG_LEVEL") or "WARNING").upper()
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if redacting:
        _add_filter(handler)
    root.addHandler(handler)
    root.setLevel(level)
    # Third-party clients log every request at INFO; that is noise on an MCP server's stderr.
    for noisy in ("httpx", "httpx2", "openai", "uvicorn.access", "mcp"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def _add_filter(handler: logging.Handler) -> None:
    from aiops_mcp.server.gateway.redaction import RedactingFilter

    handler.addFilter(RedactingFilter())
