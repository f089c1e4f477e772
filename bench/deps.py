"""Benchmark of `extract_dependencies` on the development graphs.

Runs the scorer (deps_score.py) with a command per graph: the offline engine through Python, or with
`--cli` the tool through the command line (`aiops-mcp call extract_dependencies -`, about 2 s of
start-up per graph) when a probe shows it works. Prints one JSON document: the scorer's output, which
command ran, a naive name-match baseline and the opt-in guess tier, scored in the same run.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CASES = SHARED / "data" / "deps"
SCORER = SHARED / "scorers" / "deps_score.py"
PY = shlex.quote(sys.executable)
ENGINE_CMD = (
    f"{PY} -c 'import sys, json; from aiops_mcp.tools.deps.engine import extract; "
    "from aiops_mcp.tools.deps.models import DepsInput; g = json.load(sys.stdin); "
    'g.setdefault("min_confidence", float(sys.argv[1]) if len(sys.argv) > 1 else 0.5); '
    "print(extract(DepsInput.model_validate(g)).model_dump_json())'"
)
CLI_CMD = f"{shlex.quote(str(REPO / '.venv' / 'bin' / 'aiops-mcp'))} call extract_dependencies -"
# The baseline: an edge wherever a node's env/command text contains another node's name as a word.
BASELINE_CMD = (
    f'{PY} -c \'import sys, json, re; g = json.load(sys.stdin); ns = g["nodes"]; out = []\n'
    "for a in ns:\n"
    '    p = a.get("properties", {}); t = json.dumps([p.get(k) for k in ("environment", "env", "command", "args")])\n'
    "    for b in ns:\n"
    '        if b is not a and re.search(r"(?<![\\w-])" + re.escape(b["name"]) + r"(?![\\w-])", t):\n'
    '            out.append({"from_id": a["id"], "to_id": b["id"], "confidence": 0.9})\n'
    'print(json.dumps({"edges": out}))\''
)


def _cli_works() -> bool:
    probe = {
        "nodes": [
            {"id": "a", "name": "a", "properties": {"environment": {"DB_HOST": "b"}}},
            {"id": "b", "name": "b", "properties": {"image": "postgres:16"}},
        ],
        "edges": [],
    }
    try:
        r = subprocess.run(
            CLI_CMD, shell=True, input=json.dumps(probe), capture_output=True, text=True, timeout=60
        )
        return r.returncode == 0 and any(e.get("to_id") == "b" for e in json.loads(r.stdout).get("edges", []))
    except (subprocess.TimeoutExpired, json.JSONDecodeError, AttributeError):
        return False


def _score(cmd: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run(
            [sys.executable, str(SCORER), str(CASES), "--cmd", cmd, "--per-case", "--save-preds", tmp],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(r.stdout)


def main() -> None:
    if not CASES.exists():
        print(json.dumps({"skipped": f"no development graphs at {CASES}"}))
        return
    use_cli = "--cli" in sys.argv[1:] and _cli_works()
    result = _score(CLI_CMD if use_cli else ENGINE_CMD)
    base = _score(BASELINE_CMD)
    # the opt-in guess tier (shape-only edges at 0.35-0.4), shown with min_confidence = 0.3
    guess = _score(ENGINE_CMD + " 0.3")["directed"]
    result["bench"] = {
        "command": "aiops-mcp call extract_dependencies -" if use_cli else "offline engine via python -c",
        "naive_name_match_same_run": {
            "precision": base["directed"]["micro"]["precision"],
            "recall": base["directed"]["micro"]["recall"],
        },
        "offline_engine_min_confidence_0.3": {
            "micro": guess["micro"],
            "precision_conf_ge_0.8": guess["calibration"]["precision_conf_ge_0.8"],
        },
        "targets": {"precision": 0.95, "recall": 0.70, "precision_conf_ge_0.8": 0.97},
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
