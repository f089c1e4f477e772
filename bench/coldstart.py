"""Cold start and offline call latency of `aiops-mcp serve` (stdio) against mcp-server-time, same run.

Both servers are measured with ../shared/scorers/mcp_probe.py, in alternating rounds so both see the
same machine load. Targets: cold start <= 1.1x mcp-server-time; an offline tool call p50 <= 1.5x
mcp-server-time's trivial tool (get_current_time).

    .venv/bin/python bench/coldstart.py [--rounds 3] [--cold-starts 3] [--calls 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PROBE = SHARED / "scorers" / "mcp_probe.py"
BIN = Path(sys.executable).parent

# Offline calls: a trivial one, and one that runs a real engine.
CALLS = {
    "redact_text": {"text": "mail maria.santos@acme.ph, TIN 123-456-789-000"},
    "analyze_failure": {"error": "HTTP 503 Service Unavailable from api.example.com", "retry_count": 0},
}


def probe(cmd: list[str], tool: str, args: dict[str, Any], opts: argparse.Namespace, env: dict[str, str]) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            str(PROBE),
            "--tool",
            tool,
            "--args",
            json.dumps(args),
            "--calls",
            str(opts.calls),
            "--concurrency",
            "8",
            "--cold-starts",
            str(opts.cold_starts),
            "--",
            *cmd,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    if out.returncode != 0:
        raise SystemExit(f"probe failed for {cmd}: {out.stderr[-2000:]}")
    return json.loads(out.stdout)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--cold-starts", type=int, default=3)
    p.add_argument("--calls", type=int, default=200)
    opts = p.parse_args()
    if not PROBE.is_file():
        raise SystemExit(f"mcp_probe.py not found at {PROBE}")

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "AIOPS_OFFLINE": "1",
            "AIOPS_STORE": f"sqlite:///{Path(tmp) / 'store.sqlite'}",
            "AIOPS_AUDIT_PATH": str(Path(tmp) / "audit.jsonl"),
        }
        for key in ("AI_GATEWAY_API_KEY", "VERCEL_OIDC_TOKEN", "VERCEL_GATEWAY_TOKEN", "AIOPS_CONFIG"):
            env.pop(key, None)
        servers = {
            "mcp_server_time": ([str(BIN / "mcp-server-time")], {"get_current_time": {"timezone": "UTC"}}),
            "aiops_mcp": ([str(BIN / "aiops-mcp"), "serve"], CALLS),
        }
        cold: dict[str, list[float]] = {name: [] for name in servers}
        seq: dict[str, list[float]] = {}
        raw: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
        for _ in range(opts.rounds):
            for name, (cmd, calls) in servers.items():
                for tool, args in calls.items():
                    report = probe(cmd, tool, args, opts, env)
                    cold[name] += report["cold_start_ms"]["runs"]
                    seq.setdefault(f"{name}:{tool}", []).append(report["sequential"]["p50_ms"])
                    raw[name].append(
                        {
                            "tool": tool,
                            "cold_start_ms": report["cold_start_ms"],
                            "first_call_ms": report.get("first_call_ms"),
                            "sequential": report["sequential"],
                            "concurrent": report.get("concurrent"),
                        }
                    )

    cold_median = {name: round(statistics.median(v), 1) for name, v in cold.items()}
    seq_median = {key: round(statistics.median(v), 3) for key, v in seq.items()}
    base_call = seq_median["mcp_server_time:get_current_time"]
    result = {
        "cold_start_median_ms": cold_median,
        "cold_start_runs_ms": {name: [round(x, 1) for x in v] for name, v in cold.items()},
        "cold_start_ratio": round(cold_median["aiops_mcp"] / cold_median["mcp_server_time"], 3),
        "call_p50_ms": seq_median,
        "offline_call_p50_ratio": {
            tool: round(seq_median[f"aiops_mcp:{tool}"] / base_call, 3) for tool in CALLS
        },
        "targets": {"cold_start_ratio": 1.1, "offline_call_p50_ratio": 1.5},
        "probe_reports": raw,
    }
    result["met"] = {
        "cold_start": result["cold_start_ratio"] <= 1.1,
        "offline_call": {tool: r <= 1.5 for tool, r in result["offline_call_p50_ratio"].items()},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
