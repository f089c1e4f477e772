"""Failure-analysis benchmark: run the offline engine on the development cases and print the scorer's JSON."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from aiops_mcp.tools.failures.engine import analyze_failure
from aiops_mcp.tools.failures.models import FailureInput

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CASES = SHARED / "data" / "failures" / "dev_subset.jsonl"
SCORER = SHARED / "scorers" / "failure_score.py"


def predict(cases: list[dict]) -> list[dict]:
    preds = []
    for c in cases:
        inp = FailureInput(
            error=c["error"],
            error_stack=c.get("error_stack") or None,
            job_type=c.get("job_type"),
            retry_count=c["retry_count"],
            max_retries=c["max_retries"],
        )
        out = analyze_failure(inp)
        preds.append(
            {
                "id": c["id"],
                "category": out.category,
                "should_retry": out.should_retry,
                "root_cause": out.root_cause,
                "error_class": out.error_class,
                "retry_after_seconds": out.retry_after_seconds,
            }
        )
    return preds


def main() -> None:
    cases = [json.loads(line) for line in CASES.read_text().splitlines() if line.strip()]
    t0 = time.perf_counter()
    preds = predict(cases)
    elapsed = time.perf_counter() - t0
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for p in preds:
            f.write(json.dumps(p) + "\n")
    args = [sys.executable, str(SCORER), f.name, "--cases", str(CASES), "--split", "all", "--by-family"]
    if "--errors" in sys.argv:
        args += ["--list-errors", "100"]
    scored = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
    gold = {c["id"]: c["label"] for c in cases}
    rc_errors = [
        {
            "id": p["id"],
            "gold": gold[p["id"]]["root_cause"],
            "pred": p["root_cause"],
            "class": p["error_class"],
        }
        for p in preds
        if p["root_cause"] != gold[p["id"]]["root_cause"]
    ]
    scored["engine"] = {
        "cases_per_second": round(len(cases) / elapsed, 1) if elapsed else None,
        "unknown_category": sum(p["category"] == "unknown" for p in preds),
        "error_classes": dict(Counter(p["error_class"] for p in preds).most_common(12)),
    }
    if "--errors" in sys.argv:
        scored["root_cause_errors"] = rc_errors
    json.dump(scored, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
