"""extract_dependencies: dev targets, direction, typing, evidence, validation of model edges, adapters."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from aiops_mcp.tools.deps.discover import discover, load_graph_from_paths
from aiops_mcp.tools.deps.engine import extract, validate_relationships
from aiops_mcp.tools.deps.llm import ASSIST, DepsAnswer, ProposedEdge
from aiops_mcp.tools.deps.models import DepsInput


def graph(*nodes: dict, edges: list | None = None, **kw) -> DepsInput:
    return DepsInput(nodes=list(nodes), edges=edges or [], **kw)


def svc(name: str, **props) -> dict:
    return {"id": f"p/{name}", "type": "service", "name": name, "properties": props}


def pairs(result) -> set[tuple[str, str]]:
    return {(e.from_id, e.to_id) for e in result.edges}


# --- development graphs through the scorer's own functions ------------------------------------------


@pytest.fixture(scope="module")
def scored(shared_dir: Path) -> dict:
    spec = importlib.util.spec_from_file_location("deps_score", shared_dir / "scorers" / "deps_score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    cases = mod.load_cases(str(shared_dir / "data" / "deps"))
    results = {}
    for cid, case in cases.items():
        edges = [e.model_dump() for e in extract(DepsInput.model_validate(case["input"])).edges]
        results[cid] = {d: mod.score_case(case, edges, d) for d in (True, False)}
    return mod.aggregate(cases, results, True)


def test_dev_precision_meets_target(scored):
    assert scored["micro"]["precision"] >= 0.95


def test_dev_confident_edges_are_right(scored):
    assert scored["calibration"]["precision_conf_ge_0.8"] >= 0.97
    assert scored["calibration"]["no_confidence"] == 0


def test_dev_recall_floor(scored):
    # Target is 0.70; 0.787 (70/89) with the conventions of shape and naming (conventions.py).
    # Without them it is 0.596: robot-shop and guestbook name no host at all.
    assert scored["micro"]["recall"] >= 0.70
    assert scored["recall_by_truth_kind"]["implicit_in_input"]["recall"] >= 0.95


def test_dev_no_false_positive_on_empty_truth(scored):
    assert scored["empty_truth_cases"]["false_positives"] == 0


# --- unit --------------------------------------------------------------------------------------------


def test_typed_edges_from_schemes_images_ports_and_names():
    g = graph(
        svc(
            "app",
            environment={
                "DATABASE_URL": "postgres://u:hunter2@db:5432/app",
                "CACHE": "redis://cache:6379/0",
                "BROKER_URL": "amqp://guest:guest@mq:5672//",
                "MEDIA_ENDPOINT": "http://files:9000",
                "OIDC_ISSUER": "https://sso:8443/realms/acme",
                "PRICES_ADDR": "prices:7000",
            },
        ),
        svc("db", image="postgres:16"),
        svc("cache", image="redis:7"),
        svc("mq", image="rabbitmq:3"),
        svc("files", image="minio/minio"),
        svc("sso", image="quay.io/keycloak/keycloak:25"),
        svc("prices", image="acme/prices"),
    )
    types = {e.to_id: e.type for e in extract(g).edges}
    assert types == {
        "p/db": "database",
        "p/cache": "cache",
        "p/mq": "queue",
        "p/files": "storage",
        "p/sso": "auth",
        "p/prices": "http_api",
    }


def test_evidence_on_every_edge_and_no_secret_in_it():
    g = graph(
        svc("app", environment={"DATABASE_URL": "postgres://u:hunter2@db:5432/app"}),
        svc("db", image="postgres"),
    )
    (edge,) = extract(g).edges
    assert edge.evidence.startswith("environment.DATABASE_URL=")
    assert "hunter2" not in edge.evidence and "u:***@db" in edge.evidence


def test_direction_database_does_not_depend_on_the_app_naming_it():
    g = graph(
        svc("web", environment={"DB_HOST": "db"}),
        svc("db", image="mysql:8", environment={"MYSQL_ALLOWED_HOST": "web", "MYSQL_DATABASE": "web"}),
    )
    assert pairs(extract(g)) == {("p/web", "p/db")}


def test_never_an_edge_to_a_node_that_does_not_exist():
    g = graph(
        svc("app", environment={"API_URL": "http://payments:8080", "DB_HOST": "db"}),
        svc("db", image="postgres"),
    )
    ids = {n.id for n in g.nodes}
    edges = extract(g).edges
    assert all(e.from_id in ids and e.to_id in ids for e in edges)
    assert pairs(extract(g)) == {("p/app", "p/db")}


def test_self_references_localhost_and_given_edges_are_not_new():
    g = graph(
        svc("api", environment={"SELF": "http://api:80/health", "LOCAL": "localhost:5432", "DB_HOST": "db"}),
        svc("db", image="postgres"),
        edges=[{"from_id": "p/db", "to_id": "p/api", "type": "whatever"}],
    )
    assert extract(g).edges == []


def test_names_in_non_host_variables_are_ignored():
    g = graph(svc("app", environment={"DB_USER": "db", "QUEUE_NAME": "mq"}), svc("db"), svc("mq"))
    assert extract(g).edges == []


def test_command_flags_and_java_properties():
    g = graph(
        svc("replica", image="redis:7", command=["redis-server", "--replicaof", "primary", "6379"]),
        svc("primary", image="redis:7"),
        svc("geo", environment={"OPTS": "-Xmx1g -Des.host=search -Des.port=9200"}),
        svc("search", image="elasticsearch:8"),
    )
    assert pairs(extract(g)) == {("p/replica", "p/primary"), ("p/geo", "p/search")}


def test_k8s_prefers_the_service_and_understands_cluster_dns():
    nodes = [
        {
            "id": "k/deployment/web",
            "type": "deployment",
            "name": "web",
            "properties": {"kind": "Deployment", "env": {"CART_ADDR": "cart.shop.svc.cluster.local:7070"}},
        },
        {
            "id": "k/deployment/cart",
            "type": "deployment",
            "name": "cart",
            "properties": {"kind": "Deployment"},
        },
        {
            "id": "k/service/cart",
            "type": "service",
            "name": "cart",
            "properties": {"kind": "Service", "selector": {"app": "cart"}, "ports": [{"port": 7070}]},
        },
    ]
    edges = [{"from_id": "k/service/cart", "to_id": "k/deployment/cart", "type": "selects"}]
    (edge,) = extract(DepsInput(nodes=nodes, edges=edges)).edges
    assert (edge.from_id, edge.to_id) == ("k/deployment/web", "k/service/cart")


def test_min_confidence_filters_rule_edges():
    g = graph(svc("kibana", image="kibana:8"), svc("es", image="elasticsearch:8"))
    (edge,) = extract(g).edges
    assert edge.evidence.startswith("rule:") and 0.5 <= edge.confidence < 0.8
    assert (
        extract(
            graph(svc("kibana", image="kibana:8"), svc("es", image="elasticsearch:8"), min_confidence=0.8)
        ).edges
        == []
    )


# --- validate_relationships ---------------------------------------------------------------------------


def test_validate_relationships_reasons():
    g = graph(
        svc("web", environment={"UPSTREAM": "api:8080"}, image="nginx"),
        svc("api"),
        svc("db", image="postgres"),
        edges=[{"from_id": "p/api", "to_id": "p/db", "type": "depends_on"}],
    )
    proposed = [
        {
            "from_id": "p/web",
            "to_id": "p/api",
            "type": "http_api",
            "confidence": 0.9,
            "evidence": "UPSTREAM=api:8080",
        },
        {
            "from_id": "p/web",
            "to_id": "p/api",
            "type": "http_api",
            "confidence": 0.9,
            "evidence": "UPSTREAM=api:8080",
        },
        {"from_id": "p/web", "to_id": "p/ghost", "type": "http_api", "confidence": 0.9, "evidence": "x"},
        {"from_id": "p/api", "to_id": "p/api", "type": "http_api", "confidence": 0.9, "evidence": "x"},
        {"from_id": "p/db", "to_id": "p/api", "type": "database", "confidence": 0.9, "evidence": "x"},
        {
            "from_id": "p/api",
            "to_id": "p/web",
            "type": "http_api",
            "confidence": 0.9,
            "evidence": "API calls the web tier",
        },
    ]
    accepted, rejected = validate_relationships(g, proposed)
    assert [(e.from_id, e.to_id) for e in accepted] == [("p/web", "p/api")]
    reasons = [r.reason for r in rejected]
    assert reasons == [
        "duplicate of an edge already found",
        "unknown node 'p/ghost'",
        "self-loop",
        "duplicates an edge given in the input",
        "evidence not found in the dependent's configuration",
    ]


def test_model_edges_merge_through_validation():
    g = graph(svc("app", image="acme/app:1", environment={"X": "1"}), svc("db", image="postgres"))
    offline = extract(g)
    answer = DepsAnswer(
        edges=[
            ProposedEdge(
                from_id="p/app",
                to_id="p/db",
                type="database",
                confidence=0.99,
                evidence="image acme/app:1 reads its DSN from a file",
            ),
            ProposedEdge(
                from_id="p/app", to_id="p/nope", type="database", confidence=0.9, evidence="acme/app:1"
            ),
        ]
    )
    merged = ASSIST.merge(g, offline, answer)
    assert pairs(merged) == {("p/app", "p/db")} and merged.edges[0].confidence <= 0.85
    assert [r.to_id for r in merged.rejected] == ["p/nope"]
    assert "<graph>" in ASSIST.build_prompt(g, offline)


# --- discovery adapters ---------------------------------------------------------------------------------

COMPOSE = """
services:
  web:
    image: nginx:1.25
    depends_on: [api]
  api:
    build: ./api
    environment:
      - DATABASE_URL=postgres://app:${DB_PASS:-secret}@db:5432/app
      - REDIS_HOST=cache
  db:
    image: postgres:16
  cache:
    image: redis:7
    links: ["db:database"]
"""

K8S = """
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {CART_ADDR: "cart:7070"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: front}
spec:
  template:
    metadata: {labels: {app: front}}
    spec:
      containers:
      - name: server
        image: front:1
        env:
        - {name: CART, valueFrom: {configMapKeyRef: {name: cfg, key: CART_ADDR}}}
        - {name: PW, valueFrom: {secretKeyRef: {name: s, key: pw}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart}
spec:
  template:
    metadata: {labels: {app: cart}}
    spec: {containers: [{name: c, image: "cart:1", ports: [{containerPort: 7070}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: cart}
spec: {selector: {app: cart}, ports: [{port: 7070}]}
"""


def test_discover_compose(tmp_path: Path):
    (tmp_path / "shop").mkdir()
    f = tmp_path / "shop" / "compose.yaml"
    f.write_text(COMPOSE)
    g = discover("compose", [f])
    ids = {n["id"] for n in g["nodes"]}
    assert ids == {"shop/web", "shop/api", "shop/db", "shop/cache"}
    assert {(e["from_id"], e["to_id"], e["type"]) for e in g["edges"]} == {
        ("shop/web", "shop/api", "depends_on"),
        ("shop/cache", "shop/db", "links"),
    }
    api = next(n for n in g["nodes"] if n["id"] == "shop/api")
    assert api["properties"]["environment"]["DATABASE_URL"] == "postgres://app:secret@db:5432/app"
    result = extract(DepsInput(paths=[str(f)]))
    assert pairs(result) == {("shop/api", "shop/db"), ("shop/api", "shop/cache")}


def test_discover_k8s(tmp_path: Path):
    f = tmp_path / "all.yaml"
    f.write_text(K8S)
    g = discover("k8s", [f])
    front = next(n for n in g["nodes"] if n["name"] == "front")
    assert front["properties"]["env"] == {"CART": "cart:7070", "PW": "<secretKeyRef:s/pw>"}
    assert g["edges"] == [
        {"from_id": "default/service/cart", "to_id": "default/deployment/cart", "type": "selects"}
    ]
    (edge,) = extract(DepsInput.model_validate(g)).edges
    assert (edge.from_id, edge.to_id) == ("default/deployment/front", "default/service/cart")


def test_load_graph_from_paths_detects_both_kinds(tmp_path: Path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "docker-compose.yml").write_text(COMPOSE)
    (tmp_path / "k.yaml").write_text(K8S)
    (tmp_path / "other.yaml").write_text("just: data\n")
    g = load_graph_from_paths([str(tmp_path)])
    assert {n["id"].split("/")[0] for n in g["nodes"]} == {"c", "default"}
    json.dumps(g)  # plain JSON, printable by `aiops-mcp discover`
    with pytest.raises(FileNotFoundError):
        load_graph_from_paths([str(tmp_path / "missing.yaml")])


@pytest.mark.parametrize(
    ("kind", "text", "needle"),
    [
        ("compose", "services: [\n", "line 2 is not valid YAML"),
        ("k8s", "kind: [\n", "line 2 is not valid YAML"),
        ("compose", "- 1\n- 2\n", "not a compose file"),
        ("compose", "services: [web, db]\n", "`services` must be a mapping"),
        ("compose", "services:\n  web: 5\n", "service `web` must be a mapping (got int)"),
    ],
)
def test_discover_names_the_file_and_the_problem(tmp_path: Path, kind: str, text: str, needle: str):
    f = tmp_path / "x.yaml"
    f.write_text(text)
    with pytest.raises(ValueError, match=re.escape(needle)) as err:
        discover(kind, [f])  # type: ignore[arg-type]
    assert str(f) in str(err.value)


def test_conventions_at_default_and_wide_fanout_only_when_asked_for():
    nodes = [
        svc("frontend", build={"context": "web"}),
        svc("orders-api", build={"context": "api"}),
        svc("db", image="postgres"),
    ]
    edges = extract(graph(*nodes)).edges
    assert {(e.from_id, e.to_id) for e in edges} == {("p/frontend", "p/orders-api"), ("p/orders-api", "p/db")}
    assert all(0.5 <= e.confidence < 0.8 and e.evidence.startswith("convention:") for e in edges)
    # a UI in front of many APIs: which ones it calls is a guess, hidden at the default threshold
    many = [svc("frontend", build={"context": "web"})] + [svc(f"s{i}-api") for i in range(6)]
    assert extract(graph(*many)).edges == []
    guessed = extract(graph(*many, min_confidence=0.3)).edges
    assert len(guessed) == 6 and all(e.confidence < 0.5 for e in guessed)


def test_generic_graph_matches_ids_domains_and_node_types():
    g = DepsInput.model_validate(
        {
            "nodes": [
                {
                    "id": "billing",
                    "type": "service",
                    "name": "Billing API",
                    "properties": {"url": "https://billing.acme.ph"},
                },
                {
                    "id": "web",
                    "type": "service",
                    "name": "Web",
                    "properties": {
                        "env": {"BILLING_URL": "https://billing.acme.ph/v1", "LEDGER": "ledger-db:5432"}
                    },
                },
                {"id": "ledger-db", "type": "database", "name": "ledger", "properties": {}},
            ]
        }
    )
    assert {(e.from_id, e.to_id, e.type) for e in extract(g).edges} == {
        ("web", "billing", "http_api"),
        ("web", "ledger-db", "database"),
    }


def test_probe_commands_and_healthchecks_name_hosts():
    g = graph(
        svc("app", command=["sh", "-c", "until nslookup db; do sleep 2; done; exec app"]),
        svc("web", healthcheck_test=["CMD", "curl", "-f", "http://app:8080/ready"]),
        svc("db", image="postgres"),
    )
    assert pairs(extract(g)) == {("p/app", "p/db"), ("p/web", "p/app")}
