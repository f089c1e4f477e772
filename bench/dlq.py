"""DLQ triage benchmark: run the offline engine on every development snapshot and print the scorer's JSON."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from aiops_mcp.tools.dlq.engine import triage
from aiops_mcp.tools.dlq.models import DlqItem

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DLQ_DIR = SHARED / "data" / "dlq"
SCORER = SHARED / "scorers" / "dlq_score.py"


def snapshots() -> list[Path]:
    return sorted(p for p in DLQ_DIR.glob("*.json") if not p.name.endswith(".gold.json"))


def as_of_for(raw: list[dict]) -> datetime:
    """RULES.md: as_of is the latest failed_at in the snapshot (the triage runs right after it)."""
    return max(
        datetime.fromisoformat(r["failed_at"].replace("Z", "+00:00")) for r in raw if r.get("failed_at")
    )


def run(snapshot: Path) -> tuple[dict, float]:
    raw = json.loads(snapshot.read_text())
    items = [DlqItem.model_validate(r) for r in raw]
    t0 = time.perf_counter()
    result = triage(items, as_of=as_of_for(raw))
    return json.loads(result.model_dump_json()), time.perf_counter() - t0


def main() -> None:
    out_dir = Path(tempfile.mkdtemp(prefix="dlq-bench-"))
    timings = {}
    groups = {}
    for snap in snapshots():
        pred, seconds = run(snap)
        (out_dir / snap.name).write_text(json.dumps(pred))
        timings[snap.stem] = round(seconds * 1000, 1)
        groups[snap.stem] = [
            {k: g[k] for k in ("id", "count", "severity", "action", "root_cause", "signature")}
            for g in pred["groups"]
        ]
    proc = subprocess.run(
        [sys.executable, str(SCORER), "--pred-dir", str(out_dir), "--dlq-dir", str(DLQ_DIR)],
        capture_output=True,
        text=True,
        check=True,
    )
    scored = json.loads(proc.stdout)
    scored["engine"] = {"triage_ms": timings}
    if "--groups" in sys.argv:
        scored["groups"] = groups
    json.dump(scored, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
