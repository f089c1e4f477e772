"""Benchmark of the offline `classify_job` engine on the development cases.

Prints one JSON document: the scorer's output (classify_score.py) plus throughput and a keyword-only
baseline measured in the same run (the engine with only its keyword cues).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiops_mcp.tools.classify.engine import classify
from aiops_mcp.tools.classify.taxonomy import load_taxonomy

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CASES = SHARED / "data" / "classify" / "dev_subset.jsonl"
SCORER = SHARED / "scorers" / "classify_score.py"


def _score(preds: list[dict]) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.write("".join(json.dumps(p) + "\n" for p in preds))
    out = subprocess.run(
        [sys.executable, str(SCORER), f.name, "--cases", str(CASES), "--subset", "all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(f.name).unlink()
    return json.loads(out)


def _keywords_only():
    overrides = {}
    for name, jt in load_taxonomy().job_types.items():
        overrides[name] = {"replace": True, "description": jt.description, "keywords": jt.keywords}
    overrides["settings"] = {"example_weight": 0.0}
    return load_taxonomy(overrides)


def main() -> None:
    if not CASES.exists():
        print(json.dumps({"skipped": f"no development cases at {CASES}"}))
        return
    cases = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    tax = load_taxonomy()
    t0 = time.perf_counter()
    preds = []
    for c in cases:
        r = classify(c["payload"], tax)
        preds.append({"id": c["id"], "job_type": r.job_type, "confidence": r.confidence})
    elapsed = time.perf_counter() - t0
    result = _score(preds)
    base_tax = _keywords_only()
    base = _score(
        [
            {"id": c["id"], **classify(c["payload"], base_tax).model_dump(include={"job_type", "confidence"})}
            for c in cases
        ]
    )
    result["engine"] = {
        "cases_per_second": round(len(cases) / elapsed, 1) if elapsed else None,
        "mean_ms": round(1000 * elapsed / len(cases), 3),
        "keyword_cues_only_same_run": {
            "accuracy": base["accuracy"],
            "per_tier": {t: v["accuracy"] for t, v in base["per_tier"].items()},
        },
        "targets": {"accuracy": 0.92, "hard": 0.85, "accuracy_confident": 0.97},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
