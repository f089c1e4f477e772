"""RSS over 20,000 tool calls through the model path: the cache, audit trail and breakers stay bounded.

In-process MCP server and client (`Client(server)`), the loopback model server in its own process.
Every call has a distinct input (so the response cache fills and evicts); one tool's chain starts with
a dead model whose breaker opens, half-opens every 2 s and fails again; the audit trail is on.

    .venv/bin/python bench/memory.py [--calls 20000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loopback_model import LoopbackModel

from aiops_mcp.server.config import Settings


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def call_args(i: int) -> tuple[str, dict[str, Any]]:
    if i % 2:
        return "analyze_failure", {
            "error": f"upstream returned something odd for job {i} (owner ops{i % 97}@example.ph)",
            "retry_count": i % 3,
        }
    return "classify_job", {"payload": {"task": f"odd task {i}", "owner": f"ops{i % 89}@example.ph", "n": i}}


async def run(opts: argparse.Namespace, base_url: str, workdir: Path) -> dict[str, Any]:
    from mcp import Client

    from aiops_mcp.server.app import create_server

    settings = Settings.model_validate(
        {
            "endpoints": {"fake": {"base_url": base_url}},
            "tools": {
                "analyze_failure": {"models": ["fake:dead", "fake:m1"], "llm": "always"},
                "classify_job": {"models": ["fake:m1", "fake:m2"], "llm": "always"},
            },
            "gateway": {
                "breaker_cooldown_s": 2.0,
                "backoff_base_s": 0.01,
                "backoff_cap_s": 0.02,
                "audit_path": str(workdir / "audit.jsonl"),
            },
        }
    )
    server = create_server(settings)
    rt = server.runtime  # type: ignore[attr-defined]
    samples: list[dict[str, float]] = []
    errors = 0
    done = 0
    started = time.perf_counter()
    async with Client(server, cache=None) as client:
        next_i = 0

        async def worker() -> None:
            nonlocal next_i, errors, done
            while next_i < opts.calls:
                i = next_i
                next_i += 1
                tool, args = call_args(i)
                result = await client.call_tool(tool, args)
                errors += bool(result.is_error)
                done += 1
                if done % opts.sample_every == 0:
                    gc.collect()
                    samples.append({"calls": done, "rss_mb": round(rss_mb(), 1)})

        async with anyio.create_task_group() as tg:
            for _ in range(opts.concurrency):
                tg.start_soon(worker)
    elapsed = time.perf_counter() - started
    gateway = rt.gateway
    bounded = {
        "cache_entries": len(gateway.cache),
        "cache_limit": settings.gateway.cache_size,
        "breaker_models": len(gateway.breakers.snapshot()),
        "per_model_counters": len(gateway.stats.per_model),
        "json_mode_models": len(gateway._json_mode_models),
        "audit_lines": sum(1 for _ in (workdir / "audit.jsonl").open()),
        "audit_file_mb": round((workdir / "audit.jsonl").stat().st_size / 2**20, 1),
    }
    await rt.aclose()
    warm = next(s for s in samples if s["calls"] >= opts.warmup)
    last = samples[-1]
    return {
        "calls": opts.calls,
        "errors": errors,
        "seconds": round(elapsed, 1),
        "calls_per_s": round(opts.calls / elapsed, 1),
        "rss_mb_samples": samples,
        "rss_mb_after_warmup": warm["rss_mb"],
        "rss_mb_at_end": last["rss_mb"],
        "rss_growth_mb_after_warmup": round(last["rss_mb"] - warm["rss_mb"], 1),
        "rss_growth_pct_after_warmup": round((last["rss_mb"] / warm["rss_mb"] - 1) * 100, 2),
        "state": bounded,
        "usage": rt.usage.snapshot(),
        "gateway": {
            "calls": gateway.stats.calls,
            "answered": gateway.stats.answered,
            "cache_hits": gateway.stats.cache_hits,
            "exhausted": gateway.stats.exhausted,
        },
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=20_000)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--sample-every", type=int, default=1000)
    p.add_argument("--warmup", type=int, default=2000, help="RSS growth is measured from this many calls on")
    opts = p.parse_args()
    with LoopbackModel(dead="dead") as model, tempfile.TemporaryDirectory() as tmp:
        result = anyio.run(run, opts, model.base_url, Path(tmp))
    result["target"] = "RSS flat after warm-up (growth < 5% and < 10 MB over the run)"
    result["met"] = result["rss_growth_pct_after_warmup"] < 5 and result["rss_growth_mb_after_warmup"] < 10
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
