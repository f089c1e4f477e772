"""Offline engine of `extract_dependencies`: references in configuration, matched against the graph.

Each candidate edge points from the node whose configuration names a host to the node that host
reaches (from = dependent, to = dependency). Evidence is the property path and the value. A few
general rules from knowledge.json (Kibana needs Elasticsearch, ...) add lower-confidence edges.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .conventions import convention_edges
from .graph import AliasIndex, is_k8s_service, node_name, node_ports
from .knowledge import Knowledge, load_knowledge
from .models import EDGE_TYPES, DepsInput, DepsResult, Edge, FoundEdge, Node, RejectedEdge
from .references import Reference, references_of

log = logging.getLogger(__name__)

FORM_CONFIDENCE = {"url": 0.95, "host_port": 0.92, "host_key": 0.9, "flag": 0.85, "bare": 0.7}
DATASTORES = {"database", "cache", "queue", "storage"}
MAX_EVIDENCE = 3
USERINFO_RE = re.compile(r"(://[^:@/\s]*):([^@/\s]+)@")


def _mask_password(m: re.Match[str]) -> str:
    # evidence is shown to people and models: keep the user, never the password
    return f"{m.group(1)}:***@"


@dataclass
class _Candidate:
    confidences: list[float] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)

    def confidence(self) -> float:
        # independent references reinforce each other (noisy-or), never to certainty
        miss = 1.0
        for c in self.confidences:
            miss *= 1.0 - c
        return round(min(0.99, 1.0 - miss), 3)


def _image(node: Node) -> str | None:
    img = node.properties.get("image")
    return img if isinstance(img, str) and img else None


NODE_TYPE_ROLES = {
    "database": "database",
    "db": "database",
    "cache": "cache",
    "queue": "queue",
    "broker": "queue",
    "storage": "storage",
    "bucket": "storage",
    "auth": "auth",
    "idp": "auth",
}


def _role(node: Node, kn: Knowledge) -> str | None:
    # a generic graph may say what a node is in its type; compose/k8s graphs say it in the image
    return NODE_TYPE_ROLES.get(node.type.lower()) or kn.role_of(_image(node), node_name(node))


def edge_type(ref: Reference | None, target: Node, kn: Knowledge) -> str:
    """Most specific first: a non-HTTP scheme, the target's role, its port, the variable's name."""
    if ref and ref.scheme and kn.scheme_types.get(ref.scheme) not in (None, "http_api"):
        return kn.scheme_types[ref.scheme]
    role = _role(target, kn)
    if role and role != "proxy":
        return kn.role_types.get(role, "service")
    if ref and ref.port and ref.port in kn.port_types:
        return kn.port_types[ref.port]
    if ref:
        by_var = kn.type_of_variable(ref.key)
        if by_var:
            return by_var
        if ref.scheme in ("http", "https", "grpc", "grpcs", "ws", "wss") or role == "proxy":
            return "http_api"
    # an application reached by name without a datastore cue: it serves an API of some kind
    return "http_api"


def _given_pairs(edges: Iterable[Edge]) -> set[frozenset[str]]:
    return {frozenset((e.from_id, e.to_id)) for e in edges}


def _reference_edges(
    nodes: list[Node], index: AliasIndex, kn: Knowledge
) -> dict[tuple[str, str], _Candidate]:
    found: dict[tuple[str, str], _Candidate] = defaultdict(_Candidate)
    for node in nodes:
        src_role = _role(node, kn)
        seen: set[tuple[str, str, str]] = set()
        for ref in references_of(node.properties, kn):
            # the same variable repeated (k8s: pod env and container env) is one piece of evidence
            if (ref.key, ref.raw, ref.host) in seen:
                continue
            seen.add((ref.key, ref.raw, ref.host))
            targets, ambiguous = index.resolve(ref.host)
            for tid in targets:
                if tid == node.id:
                    continue
                target = index.by_id[tid]
                if src_role in DATASTORES and _role(target, kn) not in DATASTORES | {"auth"}:
                    # a database naming an app (grants, allowed hosts) does not depend on it
                    log.debug("skipped %s -> %s: datastore naming an application", node.id, tid)
                    continue
                conf = FORM_CONFIDENCE[ref.form]
                if ref.port and ref.port in node_ports(target):
                    conf = min(0.97, conf + 0.03)
                if ambiguous:
                    conf *= 0.5
                cand = found[(node.id, tid)]
                cand.confidences.append(conf)
                cand.types.append(edge_type(ref, target, kn))
                ev = f"{ref.path}={USERINFO_RE.sub(_mask_password, ref.raw)}"
                if ev not in cand.evidence:
                    cand.evidence.append(ev)
    return found


def _repo_name(image: str | None) -> str:
    """`docker.io/grafana/loki:2.9` -> `loki:2.9`: the organisation is not what the image is."""
    return (image or "").lower().rsplit("/", 1)[-1]


def _matches(pattern: str, node: Node) -> bool:
    return any(re.search(pattern, t, re.IGNORECASE) for t in (_repo_name(_image(node)), node_name(node)) if t)


def _rule_edges(
    nodes: list[Node], found: dict[tuple[str, str], _Candidate], kn: Knowledge
) -> dict[tuple[str, str], _Candidate]:
    """Edges that no configuration value states but that general knowledge makes likely."""
    out: dict[tuple[str, str], _Candidate] = {}
    linked = {frozenset(k) for k in found}
    for rule in kn.ecosystem_pairs:
        for a in nodes:
            if not _matches(rule["from"], a):
                continue
            targets = [
                b for b in nodes if b.id != a.id and _matches(rule["to"], b) and not _matches(rule["from"], b)
            ]
            # only when the pairing is unambiguous and not already explained by a reference
            if len(targets) != 1 or any(frozenset((a.id, t.id)) in linked for t in targets):
                continue
            b = targets[0]
            out[(a.id, b.id)] = _Candidate([rule["confidence"]], [f"rule: {rule['why']}"], [rule["type"]])
    # helpers run from the application's own image with another entrypoint (cron, daemon, websocket)
    by_image: dict[str, list[Node]] = defaultdict(list)
    for n in nodes:
        if _image(n) and _role(n, kn) is None:
            by_image[_image(n)].append(n)
    for image, group in by_image.items():
        mains = [n for n in group if not n.properties.get("entrypoint") and not n.properties.get("command")]
        helpers = [n for n in group if n.properties.get("entrypoint") or n.properties.get("command")]
        if len(mains) != 1 or not helpers:
            continue
        for h in helpers:
            key = (h.id, mains[0].id)
            if frozenset(key) not in linked:
                ev = f"rule: same image {image} as {node_name(mains[0])} with its own entrypoint (a helper of the app)"
                out[key] = _Candidate([0.6], [ev], ["service"])
    return out


def _finish(cands: dict[tuple[str, str], _Candidate], given: set[frozenset[str]]) -> list[FoundEdge]:
    edges = []
    for (a, b), cand in cands.items():
        if a == b or frozenset((a, b)) in given:
            continue
        typ = max(set(cand.types), key=lambda t: (cand.types.count(t), t != "service"))
        edges.append(
            FoundEdge(
                from_id=a,
                to_id=b,
                type=typ,
                confidence=cand.confidence(),
                evidence="; ".join(cand.evidence[:MAX_EVIDENCE]),
            )
        )
    edges.sort(key=lambda e: (-e.confidence, e.from_id, e.to_id))
    return edges


def _with_paths(inp: DepsInput) -> DepsInput:
    if not inp.paths:
        return inp
    from .discover import load_graph_from_paths

    graph = load_graph_from_paths(inp.paths)
    known = {n.id for n in inp.nodes}
    nodes = list(inp.nodes) + [Node.model_validate(n) for n in graph["nodes"] if n["id"] not in known]
    edges = list(inp.edges) + [Edge.model_validate(e) for e in graph["edges"]]
    return inp.model_copy(update={"nodes": nodes, "edges": edges, "paths": []})


def _typed_nodes(inp: DepsInput) -> list[Node]:
    """A Service has no image of its own: lend it the image of the workload it selects (for typing only)."""
    by_id = {n.id: n for n in inp.nodes}
    lent: dict[str, str] = {}
    for e in inp.edges:
        a, b = by_id.get(e.from_id), by_id.get(e.to_id)
        if a and b and is_k8s_service(a) and not _image(a) and _image(b):
            lent.setdefault(a.id, _image(b) or "")
    return [
        n.model_copy(update={"properties": {**n.properties, "image": lent[n.id]}}) if n.id in lent else n
        for n in inp.nodes
    ]


def extract(inp: DepsInput) -> DepsResult:
    inp = _with_paths(inp)
    kn = load_knowledge()
    nodes = _typed_nodes(inp)
    index = AliasIndex(nodes)
    found = _reference_edges(nodes, index, kn)
    # a reverse pair is kept only from the stronger side: the graph stays acyclic per pair
    for a, b in list(found):
        if (b, a) in found and found[(a, b)].confidence() < found[(b, a)].confidence():
            del found[(a, b)]
    found.update({k: v for k, v in _rule_edges(nodes, found, kn).items() if k not in found})
    # conventions of shape and naming, for nodes whose configuration names nothing
    selects: dict[str, set[str]] = defaultdict(set)
    for e in inp.edges:
        selects[e.from_id].add(e.to_id)
    roles = {n.id: _role(n, kn) for n in nodes}
    for c in convention_edges(nodes, roles, set(found), selects, kn):
        found[(c.from_id, c.to_id)] = _Candidate([c.confidence], [c.evidence], [c.type])
    edges = [e for e in _finish(found, _given_pairs(inp.edges)) if e.confidence >= inp.min_confidence]
    return DepsResult(edges=edges)


# --- validation of model-suggested edges (the plan's validateRelationships) -------------------------

_TRIVIAL = {"true", "false", "yes", "no", "none", "null", "latest"}


def _leaf_strings(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, str | int | float) and not isinstance(v, bool):
                yield f"{k}={v}"
            yield from _leaf_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaf_strings(v)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        yield str(value)


def evidence_in_input(evidence: str, node: Node) -> bool:
    """True when the evidence quotes something the dependent's configuration really contains."""
    ev = evidence.lower()
    if not ev.strip():
        return False
    for leaf in _leaf_strings(node.properties):
        low = leaf.lower()
        value = low.split("=", 1)[-1]
        if len(value) >= 4 and not value.replace(".", "").isdigit() and value not in _TRIVIAL and value in ev:
            return True
        if len(ev) >= 6 and ev.strip(" '\"") in low:
            return True
    return False


def validate_relationships(
    inp: DepsInput, proposed: list[FoundEdge | dict[str, Any]], known: list[FoundEdge] | None = None
) -> tuple[list[FoundEdge], list[RejectedEdge]]:
    """Keep a suggested edge only if both nodes exist, it is new, and its evidence is in the input."""
    by_id = {n.id: n for n in inp.nodes}
    given = _given_pairs(inp.edges)
    seen = {(e.from_id, e.to_id) for e in known or []}
    accepted: list[FoundEdge] = []
    rejected: list[RejectedEdge] = []
    for raw in proposed:
        data = raw.model_dump() if isinstance(raw, FoundEdge) else dict(raw)
        a, b = str(data.get("from_id") or ""), str(data.get("to_id") or "")

        def reject(reason: str, a: str = a, b: str = b) -> None:
            rejected.append(RejectedEdge(from_id=a, to_id=b, reason=reason))

        if a not in by_id:
            reject(f"unknown node {a!r}")
        elif b not in by_id:
            reject(f"unknown node {b!r}")
        elif a == b:
            reject("self-loop")
        elif frozenset((a, b)) in given:
            reject("duplicates an edge given in the input")
        elif (a, b) in seen:
            reject("duplicate of an edge already found")
        elif not evidence_in_input(str(data.get("evidence") or ""), by_id[a]):
            reject("evidence not found in the dependent's configuration")
        else:
            typ = str(data.get("type") or "service").lower().replace(" ", "_")
            try:
                conf = float(data.get("confidence", 0.5))
            except (TypeError, ValueError):
                conf = 0.5
            accepted.append(
                FoundEdge(
                    from_id=a,
                    to_id=b,
                    type=typ if typ in EDGE_TYPES else "service",
                    confidence=max(0.0, min(1.0, conf)),
                    evidence=str(data["evidence"]),
                )
            )
            seen.add((a, b))
    return accepted, rejected
