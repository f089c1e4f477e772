"""Benchmark of the offline log template miner against Drain3 on the LogHub-2k development systems.

Runs both parsers on each system in content mode (the Content field of each line, as in the papers)
and raw mode (whole lines; our miner finds the header itself, Drain3 gets the benchmark's per-system
masks and thresholds), scores both with the shared scorer, and times them side by side (best of
`--repeat` interleaved runs, so machine noise hits both alike). Then streams `--scale` synthetic lines
(development lines with their numbers re-drawn) through the miner to show throughput and that memory
stays bounded by the number of templates. Prints one JSON document.

    .venv/bin/python bench/logs.py [--repeat 3] [--scale 1000000]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import sys
import time
import tracemalloc
from pathlib import Path

from aiops_mcp.tools.logs.parser import LogParser
from aiops_mcp.tools.logs.summary import LogSummarizer

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA = SHARED / "data" / "loghub2k"
SYSTEMS = ("HDFS", "BGL", "Windows", "Android")


def _scorer():
    spec = importlib.util.spec_from_file_location("logparse_score", SHARED / "scorers" / "logparse_score.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def run_ours(lines: list[str], content_only: bool) -> tuple[list[dict], float]:
    t0 = time.perf_counter()
    parser = LogParser(content_only=content_only)
    parsed = list(parser.parse(lines))
    dt = time.perf_counter() - t0
    preds = []
    for p in parsed:
        t = parser.template(p.template_id)
        preds.append({"template_id": str(p.template_id), "template": t, "content_template": t})
    if content_only:
        for p in preds:
            del p["content_template"]
    return preds, dt


def run_drain3(lines: list[str], settings: dict) -> tuple[list[dict], float]:
    from drain3 import TemplateMiner
    from drain3.masking import MaskingInstruction
    from drain3.template_miner_config import TemplateMinerConfig

    cfg = TemplateMinerConfig()
    cfg.drain_sim_th = settings["st"]
    cfg.drain_depth = settings["depth"]
    cfg.masking_instructions = [MaskingInstruction(rx, "*") for rx in settings["regex"]]
    cfg.mask_prefix, cfg.mask_suffix = "<", ">"
    cfg.profiling_enabled = False
    t0 = time.perf_counter()
    miner = TemplateMiner(config=cfg)
    ids = [miner.add_log_message(ln)["cluster_id"] for ln in lines]
    dt = time.perf_counter() - t0
    clusters = miner.drain.id_to_cluster
    return [{"template_id": str(i), "template": clusters[i].get_template()} for i in ids], dt


def _figures(res: dict, n: int, dt: float) -> dict:
    return {
        "GA": res["GA"],
        "PA": res["PA"],
        "templates": res["n_pred_templates"],
        "gt_templates": res["n_gt_templates"],
        "lines_per_s": round(n / dt),
    }


def bench_systems(repeat: int) -> dict:
    S = _scorer()
    settings = json.loads((DATA / "settings.json").read_text())["systems"]
    out: dict = {}
    for system in SYSTEMS:
        folder = DATA / system
        gt = S.load_ground_truth(str(folder), system)
        raw = S.read_raw_lines(str(folder / f"{system}_2k.log"))
        content = [r["Content"] for r in gt]
        fmt = settings[system]["log_format"]
        out[system] = {}
        for mode, lines in (("content", content), ("raw", raw)):
            best = {"ours": float("inf"), "drain3": float("inf")}
            preds = {}
            for _ in range(repeat):
                p, dt = run_ours(lines, content_only=(mode == "content"))
                preds["ours"], best["ours"] = p, min(best["ours"], dt)
                p, dt = run_drain3(lines, settings[system])
                preds["drain3"], best["drain3"] = p, min(best["drain3"], dt)
            row = {}
            for name in ("ours", "drain3"):
                res = S.score_rows(gt, preds[name], mode, fmt, raw_lines=raw if mode == "raw" else None)
                row[name] = _figures(res, len(lines), best[name])
            row["speedup"] = round(best["drain3"] / best["ours"], 2)
            out[system][mode] = row
    return out


def averages(systems: dict) -> dict:
    avg: dict = {}
    for mode in ("content", "raw"):
        avg[mode] = {}
        for name in ("ours", "drain3"):
            rows = [systems[s][mode][name] for s in systems]
            total_s = sum(2000 / r["lines_per_s"] for r in rows)
            avg[mode][name] = {
                "GA": round(sum(r["GA"] for r in rows) / len(rows), 4),
                "PA": round(sum(r["PA"] for r in rows) / len(rows), 4),
                "min_GA": min(r["GA"] for r in rows),
                "lines_per_s": round(2000 * len(rows) / total_s),
            }
        avg[mode]["speedup"] = round(avg[mode]["ours"]["lines_per_s"] / avg[mode]["drain3"]["lines_per_s"], 2)
    return avg


def synthetic(n: int, seed: int = 7, systems: tuple[str, ...] = SYSTEMS):
    """`n` content lines drawn from the development systems with every number re-drawn."""
    S = _scorer()
    pool = []
    for system in systems:
        pool.extend(r["Content"] for r in S.load_ground_truth(str(DATA / system), system))
    rng = random.Random(seed)
    digits = re.compile(r"\d+")

    def redraw(m: re.Match[str]) -> str:
        return str(rng.randrange(10 ** len(m.group())))

    for _ in range(n):
        yield digits.sub(redraw, rng.choice(pool))


def stream_side_by_side(per_system: int) -> dict:
    """Ours vs Drain3 (each system's benchmark settings) on a longer synthetic stream per system."""
    settings = json.loads((DATA / "settings.json").read_text())["systems"]
    out: dict = {}
    tot_ours = tot_drain = 0.0
    for system in SYSTEMS:
        lines = list(synthetic(per_system, systems=(system,)))
        t0 = time.perf_counter()
        parser = LogParser(content_only=True)
        for _ in parser.parse(lines):
            pass
        ours = time.perf_counter() - t0
        _, drain = run_drain3(lines, settings[system])
        tot_ours += ours
        tot_drain += drain
        out[system] = {
            "ours_lines_per_s": round(per_system / ours),
            "drain3_lines_per_s": round(per_system / drain),
            "speedup": round(drain / ours, 2),
        }
    out["all"] = {
        "ours_lines_per_s": round(per_system * len(SYSTEMS) / tot_ours),
        "drain3_lines_per_s": round(per_system * len(SYSTEMS) / tot_drain),
        "speedup": round(tot_drain / tot_ours, 2),
    }
    return out


def bench_scale(n: int) -> dict:
    lines = list(synthetic(n))
    parser = LogParser(content_only=True)
    t0 = time.perf_counter()
    count = sum(1 for _ in parser.parse(lines))
    ours_s = time.perf_counter() - t0
    assert count == n
    del lines
    # memory: peak traced allocation while streaming 10% and 100% of the lines from a generator
    peaks: dict[str, dict] = {}
    for m in (n // 10, n):
        tracemalloc.start()
        p = LogParser(content_only=True)
        for _ in p.parse(synthetic(m)):
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        peaks[str(m)] = {"peak_traced_mb": round(peak / 2**20, 2), "templates": len(p.miner)}
    # the summary engine (counts, levels, numbers, bursts): speed untraced on up to 200k lines, memory
    # traced on 1% and 10% of the stream (tracing slows it about tenfold)
    k2 = min(n, 200_000)
    t0 = time.perf_counter()
    s = LogSummarizer()
    for ln in synthetic(k2):
        s.feed(ln)
    s.result()
    summary: dict[str, object] = {"lines_per_s": round(k2 / (time.perf_counter() - t0)), "lines": k2}
    for m in (n // 100, n // 10):
        tracemalloc.start()
        s = LogSummarizer()
        for ln in synthetic(m):
            s.feed(ln)
        res = s.result()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        summary[str(m)] = {"peak_traced_mb": round(peak / 2**20, 2), "patterns": res.stats.patterns}
    return {
        "lines": n,
        "lines_per_s": round(n / ours_s),
        "templates": len(parser.miner),
        "side_by_side_50k_per_system": stream_side_by_side(min(n, 50_000)),
        "miner_memory": peaks,
        "summarizer_memory": summary,
        "note": "synthetic stream: development messages of all four systems with every number re-drawn; "
        "side by side: one system's messages each, Drain3 with that system's benchmark settings; "
        "peak memory by tracemalloc: it follows templates, not lines",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--scale", type=int, default=1_000_000, help="synthetic lines for the streaming test (0: skip)"
    )
    args = ap.parse_args(argv)
    if not DATA.is_dir():
        print(json.dumps({"error": f"shared data not found at {DATA}"}))
        return 2
    systems = bench_systems(args.repeat)
    doc = {"average": averages(systems), "systems": systems}
    if args.scale:
        doc["scale"] = bench_scale(args.scale)
    print(json.dumps(doc, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
