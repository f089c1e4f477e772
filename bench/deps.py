"""Benchmark of `extract_dependencies` on the development graphs.

Runs the scorer (deps_score.py) with a command per graph: the offline engine through Python, or with
`--cli` the tool through the command line (`aiops-mcp call extract_dependencies -`, about 2 s of
start-up per graph) when a probe shows it works. Prints one JSON document: the scorer's output, which
command ran, a naive name-match baseline and the opt-in guess tier, scored in the same run.

It adds, scored in process with the scorer's own functions: the edges each convention rule
(conventions.py) makes per source family, and a leave-one-family-out check: each family scored with
the rules that were written from the OTHER families' graphs only (the rules whose dev edges all fall
in the held-out family are switched off), next to all rules and no conventions at all.
"""

from __future__ import annotations

import importlib.util
import json
import re
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


# Which development family each convention was written from (the graphs that showed the need).
# owner_named_store comes from no dev graph (it fires on none), nor does worker_to_broker's named-worker half.
RULE_ORIGIN = {
    "ui_to_api": {"awesome-compose", "compose-apps"},
    "entry_point_fanout": {"compose-apps"},
    "sole_datastore": {"awesome-compose"},
    "replica_to_primary": {"k8s"},
    "k8s_tiers": {"k8s"},
    "worker_to_broker": {"compose-apps"},  # its silent-consumer half
    "owner_named_store": set(),
}
RULE_TAG = re.compile(r"\[(\w+)\]$")


def _in_process(rule_names: set[str] | None) -> tuple[dict, dict]:
    """(aggregate, per-rule tp/fp by family) of the engine with only the named conventions on."""
    from aiops_mcp.tools.deps import conventions
    from aiops_mcp.tools.deps.engine import extract
    from aiops_mcp.tools.deps.models import DepsInput

    spec = importlib.util.spec_from_file_location("deps_score", SCORER)
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    cases = mod.load_cases(str(CASES))
    saved = conventions.RULES
    if rule_names is not None:
        conventions.RULES = tuple(r for r in saved if r.__name__ in rule_names)
    results, by_rule = {}, {}
    try:
        for cid, case in cases.items():
            edges = [e.model_dump() for e in extract(DepsInput.model_validate(case["input"])).edges]
            results[cid] = {d: mod.score_case(case, edges, d) for d in (True, False)}
            family = cid.split("/", 1)[0]
            truth = {(t["from_id"], t["to_id"]) for t in case["truth"]}
            truth |= {tuple(a) for t in case["truth"] for a in t.get("alt") or []}
            ambiguous = {(a["from_id"], a["to_id"]) for a in case.get("ambiguous") or []}
            for e in edges:
                m = RULE_TAG.search(e["evidence"])
                if m and (e["from_id"], e["to_id"]) not in ambiguous:
                    cell = by_rule.setdefault(m.group(1), {}).setdefault(family, {"tp": 0, "fp": 0})
                    cell["tp" if (e["from_id"], e["to_id"]) in truth else "fp"] += 1
    finally:
        conventions.RULES = saved
    return mod.aggregate(cases, results, True), by_rule


def _family_cross_check() -> dict:
    full, by_rule = _in_process(None)
    none, _ = _in_process(set())
    out: dict = {"edges_by_rule": by_rule, "leave_one_family_out": {}}
    for family in full["by_source"]:
        kept = {r for r, origin in RULE_ORIGIN.items() if not origin or origin - {family}}
        held, _ = _in_process(kept)
        pick = {
            k: v
            for k, v in held["by_source"][family].items()
            if k in ("tp", "fp", "fn", "precision", "recall")
        }
        out["leave_one_family_out"][family] = {
            "rules_off": sorted(set(RULE_ORIGIN) - kept),
            "other_families_rules": pick,
            "all_rules": {k: full["by_source"][family][k] for k in pick},
            "no_conventions": {k: none["by_source"][family][k] for k in pick},
        }
    tot = {
        k: sum(v["other_families_rules"][k] for v in out["leave_one_family_out"].values())
        for k in ("tp", "fp", "fn")
    }
    out["leave_one_family_out_micro"] = {
        **tot,
        "precision": round(tot["tp"] / max(1, tot["tp"] + tot["fp"]), 4),
        "recall": round(tot["tp"] / max(1, tot["tp"] + tot["fn"]), 4),
    }
    return out


def main() -> None:
    if not CASES.exists():
        print(json.dumps({"skipped": f"no development graphs at {CASES}"}))
        return
    use_cli = "--cli" in sys.argv[1:] and _cli_works()
    result = _score(CLI_CMD if use_cli else ENGINE_CMD)
    base = _score(BASELINE_CMD)
    # the opt-in guess tier (a UI in front of more than a few APIs, at 0.4), shown with min_confidence = 0.3
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
        "conventions": _family_cross_check(),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
