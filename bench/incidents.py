"""Incident-detector benchmark: the NAB scorer's JSON on the development series, run through the
`aiops-mcp metrics score` command (past-only check included), plus the detector's points/s in-process
and an overfitting cross-check (thresholds chosen on some series, scored on the others).

Usage: .venv/bin/python bench/incidents.py [--details] [--jobs N]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import shlex
import subprocess
import sys
import tempfile
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


def _scorer_module():
    spec = importlib.util.spec_from_file_location("incident_score", SCORER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def crosscheck(pred_dir: Path) -> dict[str, object]:
    """Threshold transfer with the scorer's own sweep and scoring, from the command's saved scores.

    leave_one_out: each series scored at the threshold swept on the other series (normalised over
    all windows; compare with the swept score: the gap is what choosing the threshold on the
    scored series itself buys). halves: series alternately split in two, each half scored at the
    other half's threshold next to its own best.
    """
    sc = _scorer_module()
    corpus = sc.load_corpus(str(NAB))
    preds, _ = sc.preds_from_dir(corpus, str(pred_dir))
    names = sorted(corpus)

    def windows(ns: list[str]) -> int:
        return sum(len(corpus[n].windows) for n in ns)

    def raw_at(ns: list[str], thr: float, prof: str) -> float:
        return sum(sc.score_series(corpus[n], preds[n][0], thr, prof)["raw"] for n in ns)

    def sweep(ns: list[str], prof: str) -> tuple[float, float]:
        return sc.sweep({n: corpus[n] for n in ns}, preds, prof)

    out: dict[str, object] = {}
    for prof in ("standard", "reward_low_FP_rate"):
        loo = sum(raw_at([n], sweep([m for m in names if m != n], prof)[0], prof) for n in names)
        halves = {}
        for tag, (a, b) in {
            "odd->even": (names[1::2], names[0::2]),
            "even->odd": (names[0::2], names[1::2]),
        }.items():
            thr, _ = sweep(a, prof)
            _, own = sweep(b, prof)
            halves[tag] = {
                "transferred": round(sc.normalise(raw_at(b, thr, prof), windows(b), prof), 2),
                "own_best": round(sc.normalise(own, windows(b), prof), 2),
            }
        out[prof] = {"leave_one_out": round(sc.normalise(loo, windows(names), prof), 2), "halves": halves}
    return out


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
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        done = subprocess.run([*args, "--save-preds", tmp], capture_output=True, text=True, check=True)
        scorer_wall_s = time.perf_counter() - t0
        result = json.loads(done.stdout)
        cross = crosscheck(Path(tmp))
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
        "crosscheck": cross,
    }
    json.dump(result, sys.stdout, indent=1, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
