"""Cold start and offline call latency of `aiops-mcp serve` (stdio) against mcp-server-time, same run.

Both servers are measured with ../shared/scorers/mcp_probe.py, in alternating rounds so both see the
same machine load. Targets: cold start <= 1.1x mcp-server-time; an offline tool call p50 <= 1.5x
mcp-server-time's trivial tool (get_current_time).

    .venv/bin/python bench/coldstart.py [--rounds 3] [--cold-rounds 6] [--cold-starts 3] [--calls 200]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PROBE = SHARED / "scorers" / "mcp_probe.py"
BIN = Path(sys.executable).parent

# Offline calls: a trivial one, and one that runs a real engine.
CALLS = {
    "redact_text": {"text": "mail maria.santos@acme.ph, TIN 123-456-789-000"},
    "analyze_failure": {"error": "HTTP 503 Service Unavailable from api.example.com", "retry_count": 0},
}


def probe(
    cmd: list[str], tool: str | None, args: dict[str, Any], opts: argparse.Namespace, env: dict[str, str]
) -> dict:
    """One mcp_probe run; without a tool, cold starts (and tools/list) only."""
    calls = ["--tool", tool, "--args", json.dumps(args), "--calls", str(opts.calls), "--concurrency", "8"]
    out = subprocess.run(
        [
            sys.executable,
            str(PROBE),
            *(calls if tool else []),
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
        # The probe exits 1 when calls fail too; its report then names the first error.
        try:
            reason = json.loads(out.stdout).get("first_error")
        except ValueError:
            reason = None
        raise SystemExit(f"probe failed for {cmd}: {reason or out.stderr[-2000:]}")
    return json.loads(out.stdout)


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found |= {int(x) for x in text}
    return found


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def server_cpu(cmd: list[str], tool: str, args: dict[str, Any], env: dict[str, str], n: int) -> float:
    """The server process's own CPU per call (ms), from /proc: steadier than wall-clock on a busy box."""
    from mcp import Client, StdioServerParameters

    before_children = _children(os.getpid())
    params = StdioServerParameters(command=cmd[0], args=cmd[1:], env=env)
    async with Client(params, cache=None) as client:
        pid = max(_children(os.getpid()) - before_children)
        for _ in range(20):
            await client.call_tool(tool, args)
        start = _cpu_s(pid)
        for _ in range(n):
            await client.call_tool(tool, args)
        return round((_cpu_s(pid) - start) / n * 1000, 3)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument(
        "--cold-rounds", type=int, default=6, help="extra alternating rounds of cold starts only (less noise)"
    )
    p.add_argument("--cold-starts", type=int, default=3)
    p.add_argument("--calls", type=int, default=200)
    p.add_argument("--cpu-calls", type=int, default=500, help="calls per server CPU measurement")
    opts = p.parse_args()
    if not PROBE.is_file():
        raise SystemExit(f"mcp_probe.py not found at {PROBE}")
    # Bytecode as an installed wheel has it (pip compiles on install; mcp-server-time's is): in an
    # editable checkout under PYTHONDONTWRITEBYTECODE=1, every edited module would recompile on each start.
    for folder in ("server", "tools", "prompts"):
        compileall.compile_dir(REPO / folder, quiet=1)

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

        for _ in range(opts.cold_rounds):
            for name, (cmd, _calls) in servers.items():
                cold[name] += probe(cmd, None, {}, opts, env)["cold_start_ms"]["runs"]

        cpu: dict[str, list[float]] = {}
        for _ in range(opts.rounds):
            for name, (cmd, calls) in servers.items():
                for tool, args in calls.items():
                    cpu.setdefault(f"{name}:{tool}", []).append(
                        anyio.run(server_cpu, cmd, tool, args, env, opts.cpu_calls)
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
        "server_cpu_ms_per_call": {key: statistics.median(v) for key, v in cpu.items()},
        "server_cpu_ratio": {
            tool: round(
                statistics.median(cpu[f"aiops_mcp:{tool}"])
                / statistics.median(cpu["mcp_server_time:get_current_time"]),
                3,
            )
            for tool in CALLS
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
