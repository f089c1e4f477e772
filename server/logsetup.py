"""Logging goes to stderr only (stdout is the protocol in stdio mode), through the redacting filter."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """One JSON object per line: what log shippers and `jq` read without a parser of their own."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # exc_text first: the redacting filter leaves the cleaned traceback there.
        if record.exc_text:
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str | None = None, *, redacting: bool = True) -> None:
    """`redacting=False` only for commands that never handle tool input (it saves their start-up)."""
    level = (level or os.environ.get("AIOPS_LOG_LEVEL") or "WARNING").upper()
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    # JSON lines when stderr goes to a file or a host's log (Claude Desktop, systemd), text on a terminal.
    fmt = os.environ.get("AIOPS_LOG_FORMAT") or ("text" if sys.stderr.isatty() else "json")
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if redacting:
        _add_filter(handler)
    root.addHandler(handler)
    root.setLevel(level)
    # Third-party clients log every request at INFO; that is noise on an MCP server's stderr.
    for noisy in ("httpx", "httpx2", "openai", "uvicorn.access", "mcp"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


class LazyRedactingFilter(logging.Filter):
    """The redaction filter, loaded with the first record: most runs log nothing at WARNING."""

    def __init__(self) -> None:
        super().__init__()
        self._inner: logging.Filter | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if self._inner is None:
            from aiops_mcp.server.gateway.redaction import RedactingFilter

            self._inner = RedactingFilter()
        return bool(self._inner.filter(record))


def _add_filter(handler: logging.Handler) -> None:
    handler.addFilter(LazyRedactingFilter())
