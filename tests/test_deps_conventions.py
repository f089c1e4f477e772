"""extract_dependencies: conventions of shape and naming (conventions.py), on small hand-made graphs."""

from __future__ import annotations

from aiops_mcp.tools.deps.engine import extract
from aiops_mcp.tools.deps.models import DepsInput

HTTP_HC = ["CMD", "curl", "-f", "http://localhost:8080/health"]


def svc(name: str, **props) -> dict:
    return {"id": f"p/{name}", "type": "service", "name": name, "properties": props}


def run(
    *nodes: dict, edges: list | None = None, min_confidence: float = 0.5
) -> dict[tuple[str, str], object]:
    inp = DepsInput(nodes=list(nodes), edges=edges or [], min_confidence=min_confidence)
    return {(e.from_id.split("/")[-1], e.to_id.split("/")[-1]): e for e in extract(inp).edges}


def test_ui_calls_the_apis_but_not_an_apis_own_backend():
    found = run(
        svc("web-ui", build={"context": "ui"}),
        svc(
            "orders-service",
            build={"context": "orders"},
            environment={"PRICING_URL": "http://pricing-api:80"},
        ),
        svc("catalog-api", build={"context": "catalog"}),
        svc("pricing-api", build={"context": "pricing"}),
    )
    assert set(found) == {
        ("orders-service", "pricing-api"),  # a reference, from the configuration
        ("web-ui", "orders-service"),
        ("web-ui", "catalog-api"),
    }
    conv = found[("web-ui", "catalog-api")]
    assert conv.evidence.startswith("convention:") and conv.type == "http_api"
    assert 0.5 <= conv.confidence < 0.8


def test_a_node_that_names_its_dependencies_gets_no_convention():
    found = run(
        svc("frontend", build={"context": "web"}, environment={"API_URL": "http://orders-api:8080"}),
        svc("orders-api", build={"context": "api"}),
        svc("users-api", build={"context": "users"}),
    )
    assert set(found) == {("frontend", "orders-api")}
    assert found[("frontend", "orders-api")].confidence >= 0.9


def test_the_only_published_web_front_routes_to_the_serving_services():
    found = run(
        svc("gateway", image="nginx:1.27", ports=["80:80"]),
        svc("accounts", build={"context": "accounts"}, healthcheck_test=HTTP_HC),
        svc("basket", build={"context": "basket"}, healthcheck_test=HTTP_HC),
        svc("mailer", build={"context": "mailer"}),  # no HTTP healthcheck while its siblings have one
        svc("cache", image="redis:7"),
    )
    assert {k for k, e in found.items() if "published to the host" in e.evidence} == {
        ("gateway", "accounts"),
        ("gateway", "basket"),
    }


def test_no_entry_point_when_two_services_are_published():
    found = run(
        svc("web", build={"context": "web"}, ports=["80:80"]),
        svc("admin", build={"context": "admin"}, ports=["81:80"]),
        svc("reports", build={"context": "reports"}),
    )
    assert not any("published to the host" in e.evidence for e in found.values())


def test_sole_application_and_sole_unused_datastore():
    found = run(svc("app", build={"context": "."}), svc("store", image="mongo:7"))
    assert set(found) == {("app", "store")}
    assert found[("app", "store")].type == "database"
    # two candidate applications: no telling which one uses the store
    assert (
        run(svc("a1", build={"context": "a"}), svc("a2", build={"context": "b"}), svc("db", image="mysql"))
        == {}
    )


def test_worker_consumes_the_only_broker_and_writes_the_only_database():
    found = run(
        svc("worker", build={"context": "worker"}),
        svc("redis", image="redis:7"),
        svc("db", image="postgres:16"),
        svc("vote", build={"context": "vote"}, environment={"REDIS_HOST": "redis"}),
    )
    assert {("worker", "redis"), ("worker", "db")} <= set(found)
    assert found[("worker", "redis")].type == "cache"
    # two databases: the worker's is not known, its broker still is
    found = run(
        svc("email-worker", build={"context": "w"}),
        svc("mq", image="rabbitmq:3"),
        svc("db1", image="postgres:16"),
        svc("db2", image="mysql:8"),
    )
    assert set(found) == {("email-worker", "mq")}


def test_datastores_named_after_their_owner():
    found = run(
        svc("user-service", build={"context": "user"}),
        svc("user-mongodb", image="mongo:4.4"),
        svc("user-memcached", image="memcached:1.6"),
        svc("geo", build={"context": "geo"}),
        svc("mongodb-geo", image="mongo:4.4"),
        svc("ordersdb", image="postgres:16"),
        svc("orders", build={"context": "orders"}),
        svc("audit-db", image="postgres:16"),  # no service called audit
    )
    assert {k for k, e in found.items() if "named after" in e.evidence} == {
        ("user-service", "user-mongodb"),
        ("user-service", "user-memcached"),
        ("geo", "mongodb-geo"),
        ("orders", "ordersdb"),
    }


def test_replica_follows_its_primary_by_name_in_compose():
    found = run(svc("pg-primary", image="postgres:16"), svc("pg-replica", image="postgres:16"))
    assert set(found) == {("pg-replica", "pg-primary")}
    assert found[("pg-replica", "pg-primary")].type == "database"


def _k8s(kind: str, name: str, **props) -> dict:
    k = "Service" if kind == "service" else "Deployment"
    return {"id": f"k/{kind}/{name}", "type": kind, "name": name, "properties": {"kind": k, **props}}


def test_k8s_labels_replica_to_primary_and_front_tier_to_back_tier():
    nodes = [
        _k8s("deployment", "web", image="acme/web:1", pod_labels={"app": "shop", "tier": "frontend"}),
        _k8s("service", "web", selector={"app": "shop", "tier": "frontend"}, service_type="LoadBalancer"),
        _k8s(
            "deployment",
            "kv-a",
            image="redis:7",
            pod_labels={"app": "kv", "role": "primary", "tier": "backend"},
        ),
        _k8s("service", "kv-write", selector={"app": "kv", "role": "primary", "tier": "backend"}),
        _k8s(
            "deployment",
            "kv-b",
            image="redis:7",
            pod_labels={"app": "kv", "role": "replica", "tier": "backend"},
        ),
        _k8s("service", "kv-read", selector={"app": "kv", "role": "replica", "tier": "backend"}),
    ]
    edges = [
        {"from_id": f"k/service/{s}", "to_id": f"k/deployment/{d}", "type": "selects"}
        for s, d in (("web", "web"), ("kv-write", "kv-a"), ("kv-read", "kv-b"))
    ]
    found = run(*nodes, edges=edges)
    assert set(found) == {("web", "kv-write"), ("web", "kv-read"), ("kv-b", "kv-write")}
    assert all(
        e.from_id.startswith("k/deployment/") and e.to_id.startswith("k/service/") for e in found.values()
    )
    assert found[("web", "kv-write")].type == "cache"


def test_conventions_stay_below_confident_and_drop_at_a_high_threshold():
    nodes = [
        svc("frontend", build={"context": "f"}),
        svc("api", build={"context": "a"}),
        svc("db", image="postgres"),
    ]
    found = run(*nodes)
    assert found and all(e.confidence < 0.8 and e.evidence.startswith("convention:") for e in found.values())
    assert run(*nodes, min_confidence=0.8) == {}


def test_a_web_app_beside_an_unused_database_is_left_alone():
    # a UI-named app and a database, nothing else: the app may well not use it
    assert (
        run(
            svc("web", build={"context": "."}, ports=["80:80"]),
            svc("db", image="mcr.microsoft.com/mssql/server"),
        )
        == {}
    )


def test_a_service_that_serves_nothing_among_serving_siblings_consumes_the_queue():
    found = run(
        svc("orders", build={"context": "o"}, healthcheck_test=HTTP_HC),
        svc("billing", build={"context": "b"}, healthcheck_test=HTTP_HC),
        svc("notifier", build={"context": "n"}),
        svc("bus", image="rabbitmq:3-management"),
        svc("db1", image="postgres:16"),
        svc("db2", image="mongo:7"),
    )
    assert set(found) == {("notifier", "bus")}
    assert found[("notifier", "bus")].type == "queue"


def test_image_namespace_names_the_product_only_behind_a_generic_image_name():
    from aiops_mcp.tools.deps.knowledge import load_knowledge

    kn = load_knowledge()
    assert kn.role_of("mcr.microsoft.com/mssql/server:2022-latest") == "database"
    assert kn.role_of("traefik/whoami") is None  # a vendor's namespace is not what the image is
    assert kn.role_of("minio/mc") is None
