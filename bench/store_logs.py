"""summarize_logs over job events read from PostgreSQL: streamed by the store vs a plain SELECT into a list.

For each size (10k, 100k events) a throwaway database gets the schema and that many realistic events
(the demo generator's workers, levels and "took N ms" latencies), loaded with COPY. Then, each in a fresh
subprocess so the memory figures do not mix:
- `stream`: `store.job_events(...)` (keyset pages of 1,000) fed one by one into `LogSummarizer`;
- `select_list`: `select ... order by created_at` with `fetchall()` into a list, then fed the same way;
- the same two reads without the summariser (`*_read_only`), to show what the read itself costs.
Each run reports wall seconds and peak memory: `peak_py_mb` (tracemalloc, a second run, so its overhead
does not touch the timing) and `max_rss_mb` (the whole process, interpreter and imports included).
Machine-wide noise is large here: compare the two modes of the same run (the `ratios`).

Usage: .venv/bin/python bench/store_logs.py [--sizes 10000,100000] [--admin-url postgresql://...]
Prints one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ADMIN = os.environ.get("AIOPS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SOURCE = "sync-worker"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
WINDOW = (NOW - timedelta(days=2), NOW + timedelta(minutes=1))
MODES = ("stream", "select_list", "stream_read_only", "select_list_read_only")


def _summarizer() -> Any | None:
    try:
        from aiops_mcp.tools.logs.summary import LogSummarizer
    except ImportError:
        return None
    return LogSummarizer()


def _with_db(url: str, name: str) -> str:
    p = urlsplit(url)
    return urlunsplit((p.scheme, p.netloc, f"/{name}", p.query, ""))


async def _prepare(admin_url: str, n: int) -> str:
    import psycopg
    from psycopg.types.json import Jsonb

    from aiops_mcp.server.store import init_db
    from aiops_mcp.server.store.demo import sample

    name = f"aiops_bench_{uuid.uuid4().hex[:10]}"
    async with await psycopg.AsyncConnection.connect(admin_url, autocommit=True) as admin:
        await admin.execute(f'create database "{name}"')
    url = _with_db(admin_url, name)
    await init_db(url)
    events = sample(seed=11, now=NOW, events=n).events
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        copy_sql = (
            "copy mcp_jobs.job_events (id, job_id, source, level, message, data, created_at) from stdin"
        )
        async with cur.copy(copy_sql) as copy:
            for e in events:
                # Every event goes to one source so the window holds exactly n rows.
                await copy.write_row(
                    (
                        e["id"],
                        e["job_id"],
                        SOURCE,
                        e["level"],
                        e["message"],
                        Jsonb(e["data"]),
                        e["created_at"],
                    )
                )
        await cur.execute("analyze mcp_jobs.job_events")
    return url


async def _drop(admin_url: str, url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    async with await psycopg.AsyncConnection.connect(admin_url, autocommit=True) as admin:
        await admin.execute(f'drop database if exists "{name}" with (force)')


async def _run_mode(url: str, mode: str) -> dict[str, Any]:
    """One measurement in this (fresh) process."""
    summarizer = None if mode.endswith("read_only") else _summarizer()
    if summarizer is None and not mode.endswith("read_only"):
        return {"error": "aiops_mcp.tools.logs.summary.LogSummarizer is not importable"}
    lines = 0
    t0 = time.perf_counter()
    if mode.startswith("stream"):
        from aiops_mcp.server.store import open_store

        store = open_store(url)
        try:
            async for ev in store.job_events(SOURCE, *WINDOW, max_rows=10_000_000):
                lines += 1
                if summarizer is not None:
                    summarizer.feed(ev.message, timestamp=ev.created_at, level=ev.level)
        finally:
            await store.aclose()
    else:
        import psycopg
        from psycopg.rows import dict_row

        async with (
            await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn,
            conn.cursor() as cur,
        ):
            await cur.execute(
                "select id, job_id, source, level, message, data, created_at from mcp_jobs.job_events "
                "where source = %s and created_at >= %s and created_at < %s order by created_at, id",
                (SOURCE, *WINDOW),
            )
            rows = await cur.fetchall()
        for row in rows:
            lines += 1
            if summarizer is not None:
                summarizer.feed(row["message"], timestamp=row["created_at"], level=row["level"])
    out: dict[str, Any] = {"lines_in": lines}
    if summarizer is not None:
        result = summarizer.result()
        stats = getattr(result, "stats", None)
        out["summary_lines_in"] = getattr(stats, "lines_in", None)
        out["patterns"] = getattr(stats, "patterns", None)
    out["seconds"] = round(time.perf_counter() - t0, 3)
    return out


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _child(url: str, mode: str, trace: bool) -> dict[str, Any]:
    # Import everything first: the figures are about the rows, not about loading the drivers.
    import psycopg  # noqa: F401
    import psycopg_pool  # noqa: F401

    import aiops_mcp.server.store.postgres_store  # noqa: F401

    _summarizer()
    base_rss = _rss_mb()
    if trace:
        tracemalloc.start()
    out = asyncio.run(_run_mode(url, mode))
    if trace:
        return {"peak_py_mb": round(tracemalloc.get_traced_memory()[1] / 2**20, 1)}
    # VmHWM, not ru_maxrss: the latter keeps the parent's peak across fork/exec.
    with open("/proc/self/status") as f:
        peak = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
    out["max_rss_mb"] = round(peak, 1)
    out["rss_growth_mb"] = round(peak - base_rss, 1)
    return out


def _spawn(url: str, mode: str, trace: bool) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", url, mode] + (["--trace"] if trace else [])
    proc = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False)
    if proc.returncode != 0:
        return {
            "error": proc.stderr.strip().splitlines()[-1]
            if proc.stderr.strip()
            else f"exit {proc.returncode}"
        }
    return json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--admin-url", default=ADMIN)
    ap.add_argument("--child", nargs=2, metavar=("URL", "MODE"))
    ap.add_argument("--trace", action="store_true")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_child(args.child[0], args.child[1], args.trace)))
        return
    report: dict[str, Any] = {
        "bench": "store_logs",
        "summarizer": "LogSummarizer" if _summarizer() is not None else "missing (read-only figures only)",
        "page_size": 1000,
        "sizes": {},
        "ratios": {},
    }
    for n in [int(s) for s in args.sizes.split(",")]:
        url = asyncio.run(_prepare(args.admin_url, n))
        try:
            per: dict[str, Any] = {}
            for mode in MODES:
                per[mode] = _spawn(url, mode, trace=False) | _spawn(url, mode, trace=True)
            report["sizes"][str(n)] = per
            report["ratios"][str(n)] = _ratios(per)
        finally:
            asyncio.run(_drop(args.admin_url, url))
    print(json.dumps(report, indent=2))


def _ratios(per: dict[str, Any]) -> dict[str, Any]:
    def ratio(a: str, b: str, key: str) -> float | None:
        x, y = per.get(a, {}).get(key), per.get(b, {}).get(key)
        return round(x / y, 2) if isinstance(x, (int, float)) and isinstance(y, (int, float)) and y else None

    return {
        "stream_vs_list_seconds": ratio("stream", "select_list", "seconds"),
        "stream_vs_list_peak_py": ratio("stream", "select_list", "peak_py_mb"),
        "read_only_stream_vs_list_seconds": ratio("stream_read_only", "select_list_read_only", "seconds"),
        "read_only_stream_vs_list_peak_py": ratio("stream_read_only", "select_list_read_only", "peak_py_mb"),
    }


if __name__ == "__main__":
    main()
