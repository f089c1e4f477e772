"""The `aiops-mcp` command line. Sub-commands import what they need only when they run (cold start)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO


def _open_in(path: str | None) -> TextIO:
    if path in (None, "-"):
        return sys.stdin
    try:
        return open(path, encoding="utf-8", errors="replace")
    except OSError as exc:
        raise SystemExit(f"aiops-mcp: cannot read {path}: {exc.strerror}") from None


def _read_json_arg(arg: str | None) -> dict[str, Any]:
    if arg is None:
        return {}
    if arg == "-":
        text = sys.stdin.read()
    elif arg.startswith("@"):
        try:
            text = Path(arg[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise SystemExit(f"aiops-mcp: cannot read {arg[1:]}: {exc.strerror}") from None
    else:
        text = arg
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        raise SystemExit(
            f"aiops-mcp: arguments are not valid JSON ({exc.msg} at line {exc.lineno})"
        ) from None
    if not isinstance(data, dict):
        raise SystemExit("aiops-mcp: arguments must be a JSON object of the tool's fields")
    return data


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="aiops-mcp", description="AI-ops MCP server for mcp-jobs.")
    p.add_argument(
        "--log-level", default=None, help="DEBUG, INFO, WARNING (default), ERROR; logs go to stderr"
    )
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="serve the tools over stdio (default) or streamable HTTP")
    s.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)

    c = sub.add_parser("call", help="run one tool through the MCP path; prints its structured result")
    c.add_argument("tool")
    c.add_argument("arguments", nargs="?", help="JSON object, @file, or - for stdin")

    logs = sub.add_parser("logs", help="log tools").add_subparsers(dest="logs_command", required=True)
    lp = logs.add_parser("parse", help="template per line as JSONL {template_id, template}")
    lp.add_argument("file", nargs="?", default="-")
    lp.add_argument("--content-only", action="store_true", help="each line is already the message")

    r = sub.add_parser("redact", help="redact secrets and PII")
    r.add_argument("file", nargs="?", default="-")
    r.add_argument("--jsonl", action="store_true", help='read/write {"id","text"} lines')

    m = sub.add_parser("metrics", help="metric tools").add_subparsers(dest="metrics_command", required=True)
    m.add_parser("score", help="stdin: JSON list of {timestamp, value}; stdout: one score per point")

    db = sub.add_parser("db", help="the job store").add_subparsers(dest="db_command", required=True)
    di = db.add_parser("init", help="apply the schema to the configured store (AIOPS_STORE)")
    di.add_argument("--demo", action="store_true", help="also load a realistic sample")
    di.add_argument("--store", default=None, help="store URL (default: AIOPS_STORE or the embedded SQLite)")

    d = sub.add_parser("discover", help="graph from docker-compose or Kubernetes files")
    d.add_argument("kind", choices=["compose", "k8s"])
    d.add_argument("files", nargs="+")

    sub.add_parser("doctor", help="check configuration, each model of each chain, and the store")
    sub.add_parser("demo", help="a tour: every tool on sample data through a real MCP client")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from aiops_mcp.server.logsetup import configure_logging

    configure_logging(args.log_level, redacting=args.command not in {"metrics", "logs"})
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _settings() -> Any:
    from aiops_mcp.server.config import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        raise SystemExit(f"aiops-mcp: {exc}") from None


def _redact(path: str | None, *, jsonl: bool) -> int:
    from aiops_mcp.server.gateway.redaction.cli import run_redact
    from aiops_mcp.server.gateway.redaction.vault import RedactionError

    # Bytes that are not UTF-8 pass through as they came (plain mode) instead of stopping the filter; in
    # JSONL mode, characters that UTF-8 cannot carry (lone surrogates from `\ud800` escapes or from such
    # bytes) are written as JSON's own `\uXXXX` escapes, so every output line stays valid JSON.
    for stream, errors in (
        (sys.stdin, "surrogateescape"),
        (sys.stdout, "backslashreplace" if jsonl else "surrogateescape"),
    ):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors=errors)

    def warn(msg: str) -> None:
        sys.stderr.write(f"aiops-mcp redact: {msg}\n")

    try:
        skipped = run_redact(_open_in(path), sys.stdout, jsonl=jsonl, warn=warn)
    except RedactionError as exc:
        warn(f"{exc} (fail closed)")
        return 1
    if skipped:
        warn(f"{skipped} line(s) were not JSON objects and were skipped; every other line was written")
        return 1
    return 0


def _dispatch(args: argparse.Namespace) -> int:
    cmd = args.command
    if cmd == "serve":
        from aiops_mcp.server.serve import serve

        return serve(_settings(), transport=args.transport, host=args.host, port=args.port)
    if cmd == "call":
        from aiops_mcp.server.commands import call_tool

        return call_tool(_settings(), args.tool, _read_json_arg(args.arguments))
    if cmd == "logs":
        from aiops_mcp.tools.logs.cli import run_parse

        run_parse(_open_in(args.file), sys.stdout, content_only=args.content_only)
        return 0
    if cmd == "redact":
        return _redact(args.file, jsonl=args.jsonl)
    if cmd == "metrics":
        from aiops_mcp.tools.incidents.cli import PointsError, run_score

        try:
            run_score(sys.stdin, sys.stdout)
        except PointsError as exc:
            raise SystemExit(f"aiops-mcp metrics score: {exc}") from None
        return 0
    if cmd == "db":
        from aiops_mcp.server.commands import db_init

        return db_init(_settings(), store=args.store, demo=args.demo)
    if cmd == "discover":
        from aiops_mcp.tools.deps.discover import discover

        try:
            graph = discover(args.kind, [Path(f) for f in args.files])
        except (OSError, ValueError) as exc:
            raise SystemExit(f"aiops-mcp: {exc}") from None
        json.dump(graph, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if cmd == "doctor":
        from aiops_mcp.server.commands import doctor

        return doctor(_settings())
    if cmd == "demo":
        from aiops_mcp.server.demo import run_demo

        return run_demo()
    raise SystemExit(f"aiops-mcp: unknown command {cmd}")


if __name__ == "__main__":
    sys.exit(main())
