"""Edges from conventions of shape and naming, for graphs whose configuration names no host.

Compose samples often wire services only through `depends_on` (removed from the input) and the
application's own source; Kubernetes samples often rely on labels. These rules recover the usual
wiring from what the input does say: a node's role (image), its name, which node is the only one
published to the host, HTTP healthchecks, `tier`/`role` labels. Every edge says which convention made
it ("convention: ..."), and none reaches 0.8: a convention is a likely reading, not evidence.

Each rule fires only when its reading is unambiguous (one UI and a few APIs, one datastore of a kind,
one entry point), and never for a node whose configuration already names its dependencies: that
node's references are better evidence than any shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .graph import is_k8s_service, is_k8s_workload, node_name
from .knowledge import Knowledge
from .models import Node

DATASTORES = {"database", "cache", "queue", "storage"}


@dataclass(frozen=True)
class Convention:
    from_id: str
    to_id: str
    confidence: float
    evidence: str
    type: str


@dataclass
class _Ctx:
    nodes: list[Node]
    role: dict[str, str | None]
    has_out: set[str]  # nodes whose configuration names at least one dependency
    has_in_from: dict[str, set[str]]  # dependency -> dependents already found
    kn: Knowledge
    cfg: dict[str, Any]
    selects: dict[str, set[str]]  # Kubernetes Service -> the workloads it selects (given edges)

    def rx(self, key: str) -> re.Pattern[str]:
        return re.compile(self.cfg[key], re.IGNORECASE)

    def conf(self, key: str) -> float:
        return float(self.cfg["confidence"][key])

    def store_type(self, node: Node) -> str:
        return self.kn.role_types.get(self.role[node.id] or "", "service")


def _publishes(node: Node) -> bool:
    # compose `ports` publish to the host (`expose` does not)
    return bool(node.properties.get("ports"))


HTTP_HEALTH_RE = re.compile(r"\b(curl|wget|http://|https://)", re.IGNORECASE)


def _http_healthcheck(node: Node) -> bool:
    hc = node.properties.get("healthcheck_test")
    text = " ".join(map(str, hc)) if isinstance(hc, list) else str(hc or "")
    return bool(HTTP_HEALTH_RE.search(text))


def _apps(ctx: _Ctx) -> list[Node]:
    return [n for n in ctx.nodes if ctx.role[n.id] is None]


# --- compose-style and generic graphs ----------------------------------------------------------------


def ui_to_api(ctx: _Ctx) -> list[Convention]:
    """A user interface calls the project's API services, when there are only a few of them."""
    ui_re, api_re, client_re = ctx.rx("ui_name"), ctx.rx("api_name"), ctx.rx("client_name")
    uis = [
        n
        for n in ctx.nodes
        if ctx.role[n.id] in (None, "proxy")
        and ui_re.search(node_name(n))
        and n.id not in ctx.has_out
        and not is_k8s_service(n)
    ]
    api_like = [
        n
        for n in _apps(ctx)
        if api_re.search(node_name(n))
        and not ui_re.search(node_name(n))
        and not client_re.search(node_name(n))
    ]
    api_ids = {n.id for n in api_like}
    # a service another API calls is that API's backend, not the UI's (Kubernetes: reach the Service)
    apis = [
        n
        for n in api_like
        if not is_k8s_workload(n) and not (ctx.has_in_from.get(n.id, set()) & (api_ids - {n.id}))
    ]
    out = []
    for ui in uis:
        targets = [a for a in apis if a.id != ui.id]
        conf = ctx.conf("ui_to_api") if len(targets) <= ctx.cfg["max_fanout_ui"] else ctx.conf("guess")
        for api in targets:
            ev = f"convention: {node_name(ui)} looks like a user interface and {node_name(api)} like its API"
            out.append(Convention(ui.id, api.id, conf, ev, "http_api"))
    return out


def entry_point_fanout(ctx: _Ctx) -> list[Convention]:
    """The only service published to the host, a web front or proxy, routes to the internal services."""
    ui_re, client_re, worker_re = ctx.rx("ui_name"), ctx.rx("client_name"), ctx.rx("worker_name")
    if any(is_k8s_service(n) or is_k8s_workload(n) for n in ctx.nodes):
        return []  # Kubernetes publishes through Services, read by the label and name rules instead
    published = [n for n in ctx.nodes if ctx.role[n.id] not in DATASTORES and _publishes(n)]
    if len(published) != 1:
        return []
    entry = published[0]
    if entry.id in ctx.has_out or not (ctx.role[entry.id] == "proxy" or ui_re.search(node_name(entry))):
        return []
    internal = [
        n
        for n in _apps(ctx)
        if n.id != entry.id
        and not client_re.search(node_name(n))
        and not worker_re.search(node_name(n))
        # a service another application calls is behind that application, not behind the entry
        and not (ctx.has_in_from.get(n.id, set()) - {entry.id})
    ]
    # where some services declare an HTTP healthcheck, those are the ones serving HTTP
    serving = [n for n in internal if _http_healthcheck(n)] or internal
    if not serving or len(serving) > ctx.cfg["max_fanout_entry"]:
        return []
    ev = "convention: {e} is the only service published to the host and {t} an internal service behind it"
    return [
        Convention(
            entry.id, t.id, ctx.conf("entry_point"), ev.format(e=node_name(entry), t=node_name(t)), "http_api"
        )
        for t in serving
    ]


def sole_datastore(ctx: _Ctx) -> list[Convention]:
    """One custom-built application that names no datastore, one datastore nobody names."""
    ui_re = ctx.rx("ui_name")
    lonely_apps = [
        n
        for n in _apps(ctx)
        if n.id not in ctx.has_out and "build" in n.properties and not ui_re.search(node_name(n))
    ]
    lonely_stores = [n for n in ctx.nodes if ctx.role[n.id] in DATASTORES and n.id not in ctx.has_in_from]
    if len(lonely_apps) != 1 or len(lonely_stores) != 1:
        return []
    a, b = lonely_apps[0], lonely_stores[0]
    ev = f"convention: {node_name(a)} is the only custom application and {node_name(b)} the only unused datastore"
    return [Convention(a.id, b.id, ctx.conf("sole_datastore"), ev, ctx.store_type(b))]


def worker_to_broker(ctx: _Ctx) -> list[Convention]:
    """A worker that names nothing consumes the project's only queue (or only cache) and writes its only db."""
    worker_re = ctx.rx("worker_name")
    workers = [n for n in _apps(ctx) if worker_re.search(node_name(n)) and n.id not in ctx.has_out]
    k8s = any(is_k8s_service(n) for n in ctx.nodes)
    by_role: dict[str, list[Node]] = {}
    for n in ctx.nodes:
        # Kubernetes: a datastore is reached through its Service, not its workload
        if ctx.role[n.id] in DATASTORES and not (k8s and is_k8s_workload(n)):
            by_role.setdefault(ctx.role[n.id] or "", []).append(n)
    brokers = by_role.get("queue") or by_role.get("cache", [])
    picks = [b for b in (brokers, by_role.get("database", [])) if len(b) == 1]
    out = []
    for w in workers:
        for (b,) in picks:
            ev = f"convention: {node_name(w)} is a worker and {node_name(b)} the project's only {ctx.role[b.id]}"
            out.append(Convention(w.id, b.id, ctx.conf("worker"), ev, ctx.store_type(b)))
    queues = by_role.get("queue", [])
    if len(queues) == 1:
        for w in _silent(ctx):
            if w not in workers:
                ev = (
                    f"convention: {node_name(w)} neither listens nor answers an HTTP healthcheck like its "
                    f"siblings (a background consumer) and {node_name(queues[0])} is the project's only queue"
                )
                out.append(Convention(w.id, queues[0].id, ctx.conf("worker"), ev, "queue"))
    return out


def _silent(ctx: _Ctx) -> list[Node]:
    """Compose applications that serve nothing (no port, no HTTP healthcheck) among siblings that do."""
    if any(is_k8s_service(n) or is_k8s_workload(n) for n in ctx.nodes):
        return []
    client_re = ctx.rx("client_name")
    apps = [n for n in _apps(ctx) if not client_re.search(node_name(n))]
    if sum(1 for n in apps if _http_healthcheck(n)) < 2:
        return []
    return [
        n
        for n in apps
        if n.id not in ctx.has_out
        and not _http_healthcheck(n)
        and not (n.properties.get("ports") or n.properties.get("expose"))
    ]


def _strip_word(name: str, words: str) -> str | None:
    """`user-mongodb` -> `user`, `mongodb-geo` -> `geo`, `ordersdb` -> `orders`; None if no such word."""
    for pat in (rf"(?P<stem>.+?)[-_]{words}", rf"{words}[-_](?P<stem>.+)", r"(?P<stem>.{3,}?)db"):
        m = re.fullmatch(pat, name, re.IGNORECASE)
        if m:
            return m.group("stem")
    return None


def owner_named_store(ctx: _Ctx) -> list[Convention]:
    """`orders-db`, `user-mongodb`, `memcached-profile`: a datastore named after the service that owns it."""
    k8s = any(is_k8s_service(m) for m in ctx.nodes)
    apps: dict[str, list[Node]] = {}
    for n in _apps(ctx):
        # Kubernetes: the workload depends, on the Service of the store
        if is_k8s_workload(n) or not k8s:
            name = node_name(n)
            apps.setdefault(_strip_word(name, ctx.cfg["service_words"]) or name, []).append(n)
    out = []
    for s in ctx.nodes:
        if ctx.role[s.id] not in DATASTORES or (k8s and not is_k8s_service(s)) or s.id in ctx.has_in_from:
            continue
        stem = _strip_word(node_name(s), ctx.cfg["store_words"])
        owners = [a for a in apps.get(stem or "", []) if a.id != s.id]
        if len(owners) == 1:
            a = owners[0]
            ev = f"convention: {node_name(s)} is named after {node_name(a)}, the service that owns it"
            out.append(Convention(a.id, s.id, ctx.conf("owner_named"), ev, ctx.store_type(s)))
    return out


def replica_to_primary(ctx: _Ctx) -> list[Convention]:
    """A replica (by name or `role` label) follows the primary of the same name or `app` label."""
    rep_re, pri_re = ctx.rx("replica_words"), ctx.rx("primary_words")
    rep_name = re.compile(rf"(?<=[-_]){rep_re.pattern}(?=[-_0-9]|$)", re.IGNORECASE)
    pri_name = re.compile(rf"(?<=[-_]){pri_re.pattern}(?=[-_0-9]|$)", re.IGNORECASE)
    k8s = any(is_k8s_service(n) for n in ctx.nodes)
    out: dict[tuple[str, str], Convention] = {}

    def add(a: Node, b: Node, why: str) -> None:
        ev = f"convention: {node_name(a)} is a replica and {node_name(b)} its primary ({why})"
        out[(a.id, b.id)] = Convention(a.id, b.id, ctx.conf("replica"), ev, ctx.store_type(b))

    replicas = [n for n in ctx.nodes if not is_k8s_service(n) and (is_k8s_workload(n) or not k8s)]
    primaries = [n for n in ctx.nodes if is_k8s_service(n) or not k8s]
    for a in replicas:
        m = rep_name.search(node_name(a))
        stem = node_name(a)[: m.start()] if m else None
        labels = a.properties.get("pod_labels") or {}
        app = labels.get("app") or labels.get("app.kubernetes.io/name")
        is_rep_label = any(
            rep_re.fullmatch(str(labels.get(k, ""))) for k in ("role", "app.kubernetes.io/component")
        )
        for b in primaries:
            if b.id == a.id:
                continue
            mb = pri_name.search(node_name(b))
            if m and mb and stem and node_name(b)[: mb.start()] == stem:
                add(a, b, "names")
                continue
            sel = b.properties.get("selector") or {}
            b_app = sel.get("app") or sel.get("app.kubernetes.io/name")
            b_pri = any(
                pri_re.fullmatch(str(sel.get(k, ""))) for k in ("role", "app.kubernetes.io/component")
            )
            if is_rep_label and b_pri and app and app == b_app:
                add(a, b, "labels")
    return list(out.values())


def k8s_tiers(ctx: _Ctx) -> list[Convention]:
    """A workload labelled as the front tier calls the Services labelled as the back tier."""
    front_re, back_re = ctx.rx("front_tier"), ctx.rx("back_tier")
    fronts = [
        n
        for n in ctx.nodes
        if is_k8s_workload(n)
        and n.id not in ctx.has_out
        and front_re.fullmatch(str((n.properties.get("pod_labels") or {}).get("tier", "")))
    ]
    backs = [
        s
        for s in ctx.nodes
        if is_k8s_service(s) and back_re.fullmatch(str((s.properties.get("selector") or {}).get("tier", "")))
    ]
    if len(backs) > ctx.cfg["max_fanout_ui"]:
        return []
    out = []
    for f in fronts:
        ns = f.id.split("/", 1)[0]
        for s in backs:
            if f.id in ctx.selects.get(s.id, set()) or s.id.split("/", 1)[0] != ns:
                continue
            ev = f"convention: {node_name(f)} is labelled tier=frontend and Service {node_name(s)} tier=backend"
            typ = ctx.store_type(s) if ctx.role[s.id] in DATASTORES else "http_api"
            out.append(Convention(f.id, s.id, ctx.conf("tier"), ev, typ))
    return out


RULES: tuple[Callable[[_Ctx], list[Convention]], ...] = (
    ui_to_api,
    entry_point_fanout,
    sole_datastore,
    worker_to_broker,
    owner_named_store,
    replica_to_primary,
    k8s_tiers,
)


def convention_edges(
    nodes: list[Node],
    role: dict[str, str | None],
    found_pairs: set[tuple[str, str]],
    selects: dict[str, set[str]],
    kn: Knowledge,
) -> list[Convention]:
    """Conventional edges between nodes that no found edge links yet (either direction)."""
    cfg = kn.conventions
    if not cfg:
        return []
    has_in_from: dict[str, set[str]] = {}
    for a, b in found_pairs:
        has_in_from.setdefault(b, set()).add(a)
    ctx = _Ctx(nodes, role, {a for a, _ in found_pairs}, has_in_from, kn, cfg, selects)
    linked = {frozenset(p) for p in found_pairs}
    best: dict[tuple[str, str], Convention] = {}
    # the rule's name closes the evidence, so a reader (and the benchmark) can tell them apart
    results = [
        Convention(c.from_id, c.to_id, c.confidence, f"{c.evidence} [{rule.__name__}]", c.type)
        for rule in RULES
        for c in rule(ctx)
    ]
    for c in results:
        key = (c.from_id, c.to_id)
        if c.from_id == c.to_id or frozenset(key) in linked:
            continue
        if key not in best or c.confidence > best[key].confidence:
            best[key] = c
    # a pair is read one way only: keep the stronger direction
    for a, b in list(best):
        if (a, b) in best and (b, a) in best and best[(a, b)].confidence <= best[(b, a)].confidence:
            del best[(a, b)]
    return list(best.values())
