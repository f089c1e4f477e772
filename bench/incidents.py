"""Incident-detector benchmark: the NAB scorer's JSON on the development series, run through the
`aiops-mcp metrics score` command (past-only check included), plus the detector's points/s in-process.

Usage: .venv/bin/python bench/incidents.py [--details] [--jobs N]
"""

from __future__ import annotations

import argparse
import csv
import json
import shlex
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from aiops_mcp.tools.incidents.detector import StreamingDetector

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SCORER = SHARED / "scorers" / "incident_score.py"
NAB = SHARED / "data" / "incidents" / "nab"


def _works(cmd: str) -> bool:
    probe = json.dumps([{"timestamp": "2026-01-01 00:00:00", "value": 1.0}])
    done = subprocess.run(cmd, shell=True, input=probe, capture_output=True, text=True, timeout=60)
    return done.returncode == 0 and done.stdout.strip().startswith("{")


def score_command() -> tuple[str, str | None]:
    """The CLI command `aiops-mcp metrics score`; if it does not start, the same function via python -c."""
    code = "import sys; from aiops_mcp.tools.incidents.cli import run_score; run_score(sys.stdin, sys.stdout)"
    direct = f"{shlex.quote(sys.executable)} -c {shlex.quote(code)}"
    exe = Path(sys.executable).with_name("aiops-mcp")
    if exe.exists():
        cli = f"{shlex.quote(str(exe))} metrics score"
        if _works(cli):
            return cli, None
        return direct, "`aiops-mcp metrics score` failed to start; scored run_score via python -c"
    return direct, "`aiops-mcp` not installed; scored run_score via python -c"


def load_series() -> list[tuple[list[datetime], list[float]]]:
    out = []
    for path in sorted((NAB / "data").glob("*/*.csv")):
        with path.open() as f:
            rows = list(csv.DictReader(f))
        out.append(
            ([datetime.fromisoformat(r["timestamp"]) for r in rows], [float(r["value"]) for r in rows])
        )
    return out


def throughput(series: list[tuple[list[datetime], list[float]]]) -> dict[str, float]:
    """Detector points/s in-process, next to a bare EWMA loop measured in the same run (the machine is shared)."""
    n = sum(len(ts) for ts, _ in series)
    t0 = time.perf_counter()
    for ts, ys in series:
        det = StreamingDetector()
        for t, y in zip(ts, ys, strict=True):
            det.update(t, y)
    detector_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _, ys in series:
        m = 0.0
        for y in ys:
            m += 0.1 * (y - m)
    baseline_s = time.perf_counter() - t0
    return {
        "points": n,
        "detector_points_per_s": round(n / detector_s),
        "ewma_loop_points_per_s": round(n / baseline_s),
        "detector_cost_vs_ewma_loop": round(detector_s / baseline_s, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--details", action="store_true", help="per-window detail rows")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    cmd, note = score_command()
    args = [
        sys.executable,
        str(SCORER),
        "--data",
        str(NAB),
        "--split",
        "all",
        "--cmd",
        cmd,
        "--jobs",
        str(a.jobs),
    ]
    if a.details:
        args.append("--details")
    t0 = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    scorer_wall_s = time.perf_counter() - t0
    result = json.loads(done.stdout)
    result["bench"] = {
        "command": cmd,
        "command_note": note,
        "scorer_wall_s": round(scorer_wall_s, 2),
        **throughput(load_series()),
        "headline": {
            p: {
                "score": v["score"],
                "threshold": v["threshold"],
                "windows_detected": v["windows_detected"],
                "fp_rows": v["fp_rows"],
            }
            for p, v in result["profiles"].items()
        },
        "past_only": result.get("causality", {}).get("past_only"),
    }
    json.dump(result, sys.stdout, indent=1, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
