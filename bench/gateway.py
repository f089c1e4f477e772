"""Gateway adapter overhead, side by side with the bare openai SDK, against one loopback model server.

Figures (one run, interleaved so both sides see the same machine noise):
* overhead: added latency per call of `Gateway.complete()` over a bare `AsyncOpenAI` call that sends the
  same messages and response format and validates the answer, for a 4 KB prompt with secrets in it
  (redaction, cache key, breaker, audit, placeholder restore included). Target <= 0.3 ms p50.
* breaker_open: a chain whose first model is dead, once its breaker is open, against a healthy single
  model. Target <= 0.3 ms p50.
* throughput_32: calls/s with 32 calls in flight, adapter / bare SDK. Target >= 0.9.

    .venv/bin/python bench/gateway.py [--calls 800] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
from pydantic import BaseModel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loopback_model import LoopbackModel

from aiops_mcp.server.config import Settings
from aiops_mcp.server.gateway.audit import AuditLog
from aiops_mcp.server.gateway.gateway import Gateway
from aiops_mcp.server.prompting import system_prompt

SYSTEM = system_prompt("analyze_failure")


class Verdict(BaseModel):
    verdict: str
    note: str


def prompt_4k() -> str:
    """About 4 KB of log-like text with a few secrets in it, as a failure prompt carries."""
    secrets = [
        "contact maria.santos@acme.ph about the invoice run",
        "token ghp_" + "Zq4Rt7Yu1Io9Pa3Sd6Fg2Hj5Kl8Zx0Cv4Bn7M rejected by the API",
        "DATABASE_URL=postgresql://app:Sup3rS3cretPw!x@db.internal:5432/ledger",
        "vendor TIN 123-456-789-000 failed validation",
    ]
    lines = []
    i = 0
    while sum(len(x) + 1 for x in lines) < 4096:
        lines.append(
            f"2025-01-06T10:{i // 60:02d}:{i % 60:02d}Z worker-{i % 4} job sync_{i % 7} step {i} "
            f"took {120 + i * 7 % 300} ms; rows={i * 13 % 1000} batch={i % 5}"
        )
        if i % 9 == 4:
            lines.append(secrets[(i // 9) % len(secrets)])
        i += 1
    return "\n".join(lines)[:4096]


PROMPT = prompt_4k()


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]  # nearest rank


def summary_ms(samples: list[float]) -> dict[str, float]:
    ms = [x * 1000 for x in samples]
    return {
        "p50_ms": round(pct(ms, 50), 3),
        "p90_ms": round(pct(ms, 90), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
    }


class _NoRedaction:
    """Stands in for the Vault to measure the adapter without the redaction rules (never used for real)."""

    count = 0

    def redact(self, text: str) -> str:
        return text

    def restore_json(self, obj: Any) -> Any:
        return obj

    def close(self) -> None:
        return None


async def cpu_breakdown(base_url: str, n: int = 1000) -> dict[str, float]:
    """The adapter's own CPU per call with the HTTP call stubbed out: all of it, then without redaction."""
    from aiops_mcp.server.gateway import gateway as gateway_module
    from aiops_mcp.server.gateway.provider import ChatResult

    class StubProvider:
        _client = object()

        async def chat(self, model: str, messages: Any, **kw: Any) -> ChatResult:
            return ChatResult('{"verdict": "retry", "note": "seen <EMAIL_1>"}', 100, 20, 0.0)

        async def aclose(self) -> None:
            return None

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, audit in (("audit_on", str(Path(tmp) / "a.jsonl")), ("audit_off", None)):
            gw = Gateway(settings_for(base_url, audit), audit=AuditLog(Path(audit), 90) if audit else None)
            gw._providers["fake"] = StubProvider()  # type: ignore[assignment]
            for vault_label, vault in (("", gateway_module.Vault), ("_without_redaction", _NoRedaction)):
                real = gateway_module.Vault
                gateway_module.Vault = vault  # type: ignore[misc]
                try:
                    for _ in range(50):
                        await gw.complete(
                            "b", ["fake:m1"], SYSTEM, PROMPT, Verdict, deadline=anyio.current_time() + 25
                        )
                    started = time.process_time()
                    for _ in range(n):
                        await gw.complete(
                            "b", ["fake:m1"], SYSTEM, PROMPT, Verdict, deadline=anyio.current_time() + 25
                        )
                    out[f"adapter_cpu_ms_{label}{vault_label}"] = round(
                        (time.process_time() - started) / n * 1000, 3
                    )
                finally:
                    gateway_module.Vault = real  # type: ignore[misc]
    return out


def redaction_cpu_ms(n: int = 200) -> float:
    """CPU of redacting this prompt alone (the share of the overhead that belongs to the redaction rules)."""
    from aiops_mcp.server.gateway.redaction import Vault

    started = time.process_time()
    for _ in range(n):
        Vault().redact(PROMPT)
    return round((time.process_time() - started) / n * 1000, 3)


def settings_for(base_url: str, audit: str | None) -> Settings:
    return Settings.model_validate(
        {
            "endpoints": {"fake": {"base_url": base_url}},
            "gateway": {
                "cache_ttl_s": 0,  # every call goes to the model: the cache would make this unfair
                "breaker_threshold": 3,
                "breaker_cooldown_s": 3600,
                "backoff_base_s": 0.01,
                "backoff_cap_s": 0.02,
                "audit_path": audit,
            },
        }
    )


def response_format() -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {"name": "Verdict", "schema": Verdict.model_json_schema(), "strict": False},
    }


async def interleaved(
    calls: dict[str, Callable[[], Awaitable[Any]]], n: int, warmup: int = 30
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Round robin over the variants, `n` timed calls each, after `warmup` untimed rounds.

    Returns wall-clock seconds per call, and this process's CPU milliseconds per call (the model server
    runs in another process, so CPU time is the client side only: steadier than wall time on a busy box)."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, float] = {name: 0.0 for name in calls}
    for i in range(warmup + n):
        for name, fn in calls.items():
            cpu_started = time.process_time()
            started = time.perf_counter()
            await fn()
            if i >= warmup:
                times[name].append(time.perf_counter() - started)
                cpu[name] += time.process_time() - cpu_started
    return times, {name: round(total / n * 1000, 3) for name, total in cpu.items()}


async def throughput(fn: Callable[[], Awaitable[Any]], total: int, concurrency: int) -> float:
    left = total

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await fn()

    started = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for _ in range(concurrency):
            tg.start_soon(worker)
    return total / (time.perf_counter() - started)


async def run(opts: argparse.Namespace, base_url: str, workdir: Path) -> dict[str, Any]:
    from openai import AsyncOpenAI

    bare = AsyncOpenAI(base_url=base_url, api_key="not-needed", max_retries=0)
    fmt = response_format()
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": PROMPT}]

    async def bare_call() -> None:
        resp = await bare.chat.completions.create(
            model="m1", messages=messages, response_format=fmt, temperature=0, max_tokens=2048, timeout=12
        )
        Verdict.model_validate_json(resp.choices[0].message.content or "")

    lean_body = {
        "model": "m1",
        "messages": messages,
        "response_format": fmt,
        "temperature": 0,
        "max_tokens": 2048,
    }

    async def lean_sdk_call() -> None:
        # The transport the adapter itself uses (the SDK's custom-request path), with no adapter around it:
        # the like-for-like baseline that isolates what the adapter adds on top of its transport.
        resp = await bare.post(
            "/chat/completions", body=lean_body, cast_to=httpx.Response, options={"timeout": 12}
        )
        Verdict.model_validate_json(json.loads(resp.content)["choices"][0]["message"]["content"] or "")

    audit_file = workdir / "audit.jsonl"
    gw = Gateway(settings_for(base_url, str(audit_file)), audit=AuditLog(audit_file, 90))
    gw_quiet = Gateway(settings_for(base_url, None))

    def adapter(g: Gateway, chain: list[str]) -> Callable[[], Awaitable[Any]]:
        async def call() -> None:
            done = await g.complete(
                "bench", chain, SYSTEM, PROMPT, Verdict, deadline=anyio.current_time() + 25
            )
            assert done.model == chain[-1], done.attempts

        return call

    result: dict[str, Any] = {"prompt_bytes": len(PROMPT.encode()), "calls_per_variant": opts.calls}

    # 1. Overhead per call, sequential.
    t, cpu = await interleaved(
        {
            "bare_sdk": bare_call,
            "lean_sdk": lean_sdk_call,
            "adapter": adapter(gw, ["fake:m1"]),
            "adapter_no_audit": adapter(gw_quiet, ["fake:m1"]),
        },
        opts.calls,
    )
    s = {k: summary_ms(v) for k, v in t.items()}
    result["overhead"] = {
        **s,
        "added_p50_ms": round(s["adapter"]["p50_ms"] - s["bare_sdk"]["p50_ms"], 3),
        "added_p50_ms_audit_off": round(s["adapter_no_audit"]["p50_ms"] - s["bare_sdk"]["p50_ms"], 3),
        "added_p50_ms_over_lean_sdk": round(s["adapter"]["p50_ms"] - s["lean_sdk"]["p50_ms"], 3),
        "cpu_ms_per_call": cpu,
        "added_cpu_ms_per_call": round(cpu["adapter"] - cpu["bare_sdk"], 3),
        "redaction_cpu_ms_per_call": redaction_cpu_ms(),
        "redactions_per_call": (
            await gw_quiet.complete(
                "bench", ["fake:m1"], SYSTEM, PROMPT, Verdict, deadline=anyio.current_time() + 25
            )
        ).redactions,
    }

    # 2. Dead primary behind an open breaker vs a healthy single model.
    gw_dead = Gateway(settings_for(base_url, str(audit_file)), audit=AuditLog(audit_file, 90))
    first = await gw_dead.complete(
        "bench", ["fake:dead", "fake:m1"], SYSTEM, PROMPT, Verdict, deadline=anyio.current_time() + 25
    )
    assert gw_dead.breakers.state("fake:dead") == "open", first.attempts
    t, cpu = await interleaved(
        {
            "healthy_single": adapter(gw_dead, ["fake:m1"]),
            "dead_primary_open": adapter(gw_dead, ["fake:dead", "fake:m1"]),
        },
        opts.calls,
    )
    s = {k: summary_ms(v) for k, v in t.items()}
    result["breaker_open"] = {
        **s,
        "added_p50_ms": round(s["dead_primary_open"]["p50_ms"] - s["healthy_single"]["p50_ms"], 3),
        "cpu_ms_per_call": cpu,
        "added_cpu_ms_per_call": round(cpu["dead_primary_open"] - cpu["healthy_single"], 3),
    }

    # 3. Throughput with 32 in flight, alternating rounds.
    rounds: dict[str, list[float]] = {"bare_sdk": [], "lean_sdk": [], "adapter": []}
    for _ in range(opts.rounds):
        rounds["bare_sdk"].append(await throughput(bare_call, opts.tput_calls, 32))
        rounds["lean_sdk"].append(await throughput(lean_sdk_call, opts.tput_calls, 32))
        rounds["adapter"].append(await throughput(adapter(gw, ["fake:m1"]), opts.tput_calls, 32))
    bare_rate = statistics.median(rounds["bare_sdk"])
    lean_rate = statistics.median(rounds["lean_sdk"])
    adapter_rate = statistics.median(rounds["adapter"])
    result["throughput_32"] = {
        "bare_sdk_calls_per_s": round(bare_rate, 1),
        "lean_sdk_calls_per_s": round(lean_rate, 1),
        "adapter_calls_per_s": round(adapter_rate, 1),
        "ratio": round(adapter_rate / bare_rate, 3),
        "ratio_over_lean_sdk": round(adapter_rate / lean_rate, 3),
        "rounds": {k: [round(x, 1) for x in v] for k, v in rounds.items()},
    }

    result["cpu_breakdown"] = await cpu_breakdown(base_url)

    if opts.profile:
        prof = cProfile.Profile()
        call = adapter(gw, ["fake:m1"])
        prof.enable()
        for _ in range(300):
            await call()
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(r"aiops_mcp|server/|gateway", 25)
        result["profile_top_tottime"] = out.getvalue().splitlines()[:45]

    for g in (gw, gw_quiet, gw_dead):
        await g.aclose()
    await bare.close()

    result["targets"] = {"overhead_p50_ms": 0.3, "breaker_open_p50_ms": 0.3, "throughput_ratio": 0.9}
    result["met"] = {
        "overhead": result["overhead"]["added_p50_ms"] <= 0.3,
        "breaker_open": result["breaker_open"]["added_p50_ms"] <= 0.3,
        "throughput": result["throughput_32"]["ratio"] >= 0.9,
    }
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=800, help="timed sequential calls per variant")
    p.add_argument("--tput-calls", type=int, default=1500, help="calls per throughput round")
    p.add_argument("--rounds", type=int, default=3, help="throughput rounds per side")
    p.add_argument("--profile", action="store_true", help="add a cProfile of 300 adapter calls")
    opts = p.parse_args()
    with LoopbackModel(dead="dead") as model, tempfile.TemporaryDirectory() as tmp:
        result = anyio.run(run, opts, model.base_url, Path(tmp))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
