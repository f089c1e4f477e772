"""Streamable HTTP under load: two `aiops-mcp serve --transport http` replicas, 200 calls in flight.

The replicas share breaker and cache through Redis when it answers on 127.0.0.1:6379 (a random key
prefix, deleted afterwards). Each call carries its own e-mail address; the model (the loopback server,
its own process) quotes the placeholders it was sent, so a placeholder restored with another call's
value would show up as a foreign address in the answer. Reports errors, crossings, latency, throughput
and the replicas' RSS.

    .venv/bin/python bench/http_load.py [--calls 2000] [--concurrency 200]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loopback_model import LoopbackModel

BIN = Path(sys.executable).parent
TOKEN = "bench-" + uuid.uuid4().hex
REDIS_URL = "redis://127.0.0.1:6379/0"
ADDRESS = re.compile(r"load\d+\.owner@example-\d+\.ph")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.3).ping())
    except Exception:
        return False


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return round(s[max(0, -(-len(s) * q // 100) - 1)], 2) if s else float("nan")


async def load(urls: list[str], calls: int, concurrency: int) -> dict[str, Any]:
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    latencies: list[float] = []
    errors: list[str] = []
    crossings = 0
    engines: dict[str, int] = {}
    next_i = 0

    async with AsyncExitStack() as stack:
        clients = []
        for i in range(4):
            http = create_mcp_http_client(headers={"authorization": f"Bearer {TOKEN}"})
            transport = streamable_http_client(urls[i % len(urls)], http_client=http)
            clients.append(await stack.enter_async_context(Client(transport, cache=None)))

        async def worker(w: int) -> None:
            nonlocal next_i, crossings
            client = clients[w % len(clients)]
            while next_i < calls:
                i = next_i
                next_i += 1
                own = f"load{i}.owner@example-{i}.ph"
                started = time.perf_counter()
                try:
                    result = await client.call_tool(
                        "analyze_failure", {"error": f"upstream did something odd in call {i} for {own}"}
                    )
                except Exception as exc:  # a transport failure is an error of the run, counted
                    errors.append(type(exc).__name__)
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
                if result.is_error:
                    errors.append(str(result.content)[:120])
                    continue
                data = result.structured_content or {}
                engine = data.get("meta", {}).get("engine", "?")
                engines[engine] = engines.get(engine, 0) + 1
                found = set(ADDRESS.findall(json.dumps({k: v for k, v in data.items() if k != "meta"})))
                crossings += bool(found - {own})

        started = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for w in range(concurrency):
                tg.start_soon(worker, w)
        elapsed = time.perf_counter() - started
    return {
        "calls": calls,
        "concurrency": concurrency,
        "errors": len(errors),
        "error_samples": errors[:5],
        "placeholder_crossings": crossings,
        "engines": engines,
        "seconds": round(elapsed, 2),
        "calls_per_s": round(calls / elapsed, 1),
        "latency_ms": {
            "p50": pct(latencies, 50),
            "p95": pct(latencies, 95),
            "p99": pct(latencies, 99),
            "mean": round(statistics.fmean(latencies), 2) if latencies else None,
        },
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=200)
    opts = p.parse_args()
    shared = redis_up()
    prefix = f"aiops-bench-{uuid.uuid4().hex[:10]}:"
    procs: list[subprocess.Popen[bytes]] = []
    with LoopbackModel(dead="dead") as model, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "aiops.toml"
        config.write_text(
            f'[endpoints.fake]\nbase_url = "{model.base_url}"\n\n'
            '[tools.analyze_failure]\nmodels = ["fake:dead", "fake:m1"]\nllm = "always"\n\n'
            f'[gateway]\nbackoff_base_s = 0.01\nbackoff_cap_s = 0.05\naudit_path = "{Path(tmp) / "audit.jsonl"}"\n'
        )
        env = {
            **os.environ,
            "AIOPS_CONFIG": str(config),
            "AIOPS_HTTP_TOKEN": TOKEN,
            "AIOPS_STORE": f"sqlite:///{Path(tmp) / 'store.sqlite'}",
        }
        env.pop("AIOPS_OFFLINE", None)
        if shared:
            env |= {"AIOPS_REDIS_URL": REDIS_URL, "AIOPS_REDIS_PREFIX": prefix}
        ports = [free_port(), free_port()]
        try:
            for port in ports:
                procs.append(
                    subprocess.Popen(
                        [str(BIN / "aiops-mcp"), "serve", "--transport", "http", "--port", str(port)],
                        env=env,
                        cwd=tmp,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            import httpx2

            deadline = time.monotonic() + 30
            for port in ports:
                while True:
                    try:
                        if httpx2.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                            break
                    except httpx2.HTTPError:
                        pass
                    if time.monotonic() > deadline:
                        raise SystemExit("replicas did not start")
                    time.sleep(0.1)
            rss_before = [rss_mb(pr.pid) for pr in procs]
            urls = [f"http://127.0.0.1:{port}/mcp" for port in ports]
            result = anyio.run(load, urls, opts.calls, opts.concurrency)
            result["replicas"] = len(procs)
            result["replica_rss_mb"] = {"before": rss_before, "after": [rss_mb(pr.pid) for pr in procs]}
            result["shared_state"] = "redis" if shared else "memory (no Redis on 127.0.0.1:6379)"
        finally:
            for pr in procs:
                pr.terminate()
            for pr in procs:
                try:
                    pr.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pr.kill()
            if shared:
                import redis

                r = redis.Redis.from_url(REDIS_URL)
                keys = list(r.scan_iter(match=f"{prefix}*"))
                result_keys = len(keys)
                if keys:
                    r.delete(*keys)
                r.close()
    if shared:
        result["redis_keys_used"] = result_keys
    result["met"] = result["errors"] == 0 and result["placeholder_crossings"] == 0
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
