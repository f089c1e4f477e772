"""Discovery adapters: docker-compose files and Kubernetes manifests -> a graph in the tool's input format.

Declared dependencies (compose `depends_on`, `links`, `volumes_from: <service>`,
`network_mode: service:<x>`; Kubernetes Service selectors) become given edges, so
`extract_dependencies` reports only what is implicit. Conventions follow the benchmark's
conversion rules: compose ids are `<project>/<service>`, Kubernetes ids `<namespace>/<kind>/<name>`.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml

log = logging.getLogger(__name__)

WORKLOAD_KINDS = {
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Pod",
}
VAR_RE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
COMPOSE_KEPT = (
    "container_name",
    "hostname",
    "command",
    "entrypoint",
    "ports",
    "expose",
    "labels",
    "deploy",
    "restart",
    "user",
    "platform",
    "runtime",
    "working_dir",
    "extra_hosts",
    "dns",
    "cap_add",
    "stop_signal",
    "ulimits",
)


# --- compose ----------------------------------------------------------------------------------------


def _read_env_file(path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    if not path.is_file():
        return env
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        k, _, v = line.partition("=")
        env[k.strip().removeprefix("export ").strip()] = v.strip().strip("'\"")
    return env


def _interpolate(value: Any, env: dict[str, str]) -> Any:
    if isinstance(value, str):

        def sub(m: re.Match[str]) -> str:
            if m.group(0) == "$$":
                return "$"
            name = m.group(1) or m.group(4)
            op, default = m.group(2), m.group(3)
            val = env.get(name)
            if val is None or (op and op.startswith(":") and val == ""):
                return default if op and "-" in op and default is not None else m.group(0)
            return val

        return VAR_RE.sub(sub, value)
    if isinstance(value, list):
        return [_interpolate(v, env) for v in value]
    if isinstance(value, dict):
        return {k: _interpolate(v, env) for k, v in value.items()}
    return value


def _kv_list(value: Any, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Compose's `environment`/`labels`: a dict, or a list of KEY=VALUE (a bare KEY reads the .env)."""
    if isinstance(value, dict):
        return {str(k): "" if v is None else v for k, v in value.items()}
    out: dict[str, Any] = {}
    for item in value or []:
        k, sep, v = str(item).partition("=")
        out[k] = v if sep else (env or {}).get(k, "")
    return out


def _volume_str(v: Any) -> str:
    if isinstance(v, dict):
        return ":".join(str(v[k]) for k in ("source", "target") if v.get(k))
    return str(v)


def _service_names(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [str(k) for k in value]
    return [str(v) for v in value or []]


def _yaml_docs(path: Path) -> list[Any]:
    """Every YAML document of a file; a syntax error is a ValueError that names the file and the line."""
    try:
        return list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise ValueError(f"{path}:{where} is not valid YAML ({problem})") from None


def _compose_graph(path: Path) -> dict[str, Any]:
    docs = _yaml_docs(path)
    doc = (docs[0] if docs else None) or {}
    if not isinstance(doc, dict):
        raise ValueError(
            f"{path}: not a compose file (the top level is a {type(doc).__name__}, not a mapping)"
        )
    if not isinstance(doc.get("services") or {}, dict):
        raise ValueError(f"{path}: `services` must be a mapping of service names to their settings")
    env = {**_read_env_file(path.parent / ".env")}
    doc = _interpolate(doc, {**env, **{k: v for k, v in os.environ.items() if k not in env}})
    project = str(doc.get("name") or path.resolve().parent.name)
    nodes, edges = [], []
    for name, svc in (doc.get("services") or {}).items():
        svc = svc or {}
        if not isinstance(svc, dict):
            raise ValueError(f"{path}: service `{name}` must be a mapping (got {type(svc).__name__})")
        sid = f"{project}/{name}"
        props: dict[str, Any] = {"platform": "docker-compose", "compose_project": project}
        if svc.get("image"):
            props["image"] = svc["image"]
        if svc.get("build") is not None:
            b = svc["build"]
            props["build"] = {"context": b} if isinstance(b, str) else dict(b)
        environment: dict[str, Any] = {}
        env_files = svc.get("env_file") or []
        for ef in [env_files] if isinstance(env_files, str | dict) else env_files:
            ef_path = ef.get("path") if isinstance(ef, dict) else ef
            if ef_path:
                environment.update(_read_env_file(path.parent / str(ef_path)))
        environment.update(_kv_list(svc.get("environment"), env))
        props["environment"] = environment
        for key in COMPOSE_KEPT:
            if key in svc:
                props[key] = _kv_list(svc[key]) if key == "labels" else svc[key]
        if "volumes" in svc:
            props["volumes"] = [_volume_str(v) for v in svc["volumes"] or []]
        if "networks" in svc:
            nets = svc["networks"]
            props["networks"] = (
                {str(n): {} for n in nets}
                if isinstance(nets, list)
                else {str(k): (v or {}) for k, v in (nets or {}).items()}
            )
        hc = svc.get("healthcheck") or {}
        if isinstance(hc, dict) and hc.get("test"):
            props["healthcheck_test"] = hc["test"]
        for key in ("configs", "secrets"):
            if key in svc:
                props[key] = [s if isinstance(s, str) else s.get("source") for s in svc[key] or []]
        nodes.append({"id": sid, "type": "service", "name": str(name), "properties": props})
        for dep in _service_names(svc.get("depends_on")):
            edges.append({"from_id": sid, "to_id": f"{project}/{dep}", "type": "depends_on"})
        for link in svc.get("links") or []:
            edges.append(
                {"from_id": sid, "to_id": f"{project}/{str(link).split(':', 1)[0]}", "type": "links"}
            )
        for vf in svc.get("volumes_from") or []:
            vf = str(vf)
            if not vf.startswith("container:"):
                edges.append(
                    {"from_id": sid, "to_id": f"{project}/{vf.split(':', 1)[0]}", "type": "volumes_from"}
                )
        nm = str(svc.get("network_mode") or "")
        if nm.startswith("service:"):
            edges.append({"from_id": sid, "to_id": f"{project}/{nm[8:]}", "type": "network_mode"})
    return {"nodes": nodes, "edges": edges}


# --- kubernetes -------------------------------------------------------------------------------------


def _k8s_docs(path: Path) -> list[dict[str, Any]]:
    out = []
    for doc in _yaml_docs(path):
        if not isinstance(doc, dict):
            continue
        if doc.get("kind") == "List":
            out.extend(d for d in doc.get("items") or [] if isinstance(d, dict))
        elif doc.get("kind"):
            out.append(doc)
    return out


def _env_of(container: dict[str, Any], configmaps: dict[tuple[str, str], dict[str, str]], ns: str) -> dict:
    env: dict[str, Any] = {}
    for src in container.get("envFrom") or []:
        ref = (src.get("configMapRef") or {}).get("name")
        if ref:
            env.update(configmaps.get((ns, ref), {}))
        elif (src.get("secretRef") or {}).get("name"):
            env[f"<secretRef:{src['secretRef']['name']}>"] = ""
    for item in container.get("env") or []:
        name = item.get("name")
        if "value" in item:
            env[name] = str(item["value"])
            continue
        vf = item.get("valueFrom") or {}
        if "configMapKeyRef" in vf:
            r = vf["configMapKeyRef"]
            env[name] = configmaps.get((ns, r.get("name")), {}).get(
                r.get("key"), f"<configMapKeyRef:{r.get('name')}/{r.get('key')}>"
            )
        elif "secretKeyRef" in vf:
            r = vf["secretKeyRef"]
            env[name] = f"<secretKeyRef:{r.get('name')}/{r.get('key')}>"
        elif "fieldRef" in vf:
            env[name] = f"<fieldRef:{vf['fieldRef'].get('fieldPath')}>"
        else:
            env[name] = ""
    return env


def _pod_spec(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(pod spec, pod metadata) of any workload kind."""
    spec = doc.get("spec") or {}
    if doc["kind"] == "Pod":
        return spec, doc.get("metadata") or {}
    if doc["kind"] == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    tpl = spec.get("template") or {}
    return tpl.get("spec") or {}, tpl.get("metadata") or {}


def _k8s_graph(paths: list[Path]) -> dict[str, Any]:
    docs = [d for p in paths for d in _k8s_docs(p)]
    configmaps = {
        ((d.get("metadata") or {}).get("namespace", "default"), (d.get("metadata") or {}).get("name")): {
            str(k): str(v) for k, v in (d.get("data") or {}).items()
        }
        for d in docs
        if d.get("kind") == "ConfigMap"
    }
    nodes, edges, workloads = [], [], []
    for d in docs:
        meta = d.get("metadata") or {}
        name, ns, kind = meta.get("name"), meta.get("namespace", "default"), d.get("kind")
        if kind in WORKLOAD_KINDS:
            pod, pod_meta = _pod_spec(d)
            conts = list(pod.get("initContainers") or []) + list(pod.get("containers") or [])
            env: dict[str, Any] = {}
            for c in conts:
                env.update(_env_of(c, configmaps, ns))
            main = (pod.get("containers") or [{}])[0]
            props = {
                "kind": kind,
                "labels": meta.get("labels") or {},
                "pod_labels": pod_meta.get("labels") or {},
                "replicas": (d.get("spec") or {}).get("replicas"),
                "image": main.get("image"),
                "env": env,
                "command": main.get("command"),
                "args": main.get("args"),
                "ports": [p for c in conts for p in c.get("ports") or []],
                "containers": [
                    {k: c.get(k) for k in ("name", "image", "command", "args", "ports") if c.get(k)}
                    | {"env": _env_of(c, configmaps, ns)}
                    for c in conts
                ],
                "volumes": pod.get("volumes") or [],
                "serviceAccountName": pod.get("serviceAccountName"),
                "annotations": meta.get("annotations") or {},
            }
            node = {
                "id": f"{ns}/{kind.lower()}/{name}",
                "type": kind.lower(),
                "name": name,
                "properties": {k: v for k, v in props.items() if v not in (None, [], {})},
            }
            nodes.append(node)
            workloads.append((ns, node))
        elif kind == "Service":
            spec = d.get("spec") or {}
            nodes.append(
                {
                    "id": f"{ns}/service/{name}",
                    "type": "service",
                    "name": name,
                    "properties": {
                        "kind": "Service",
                        "labels": meta.get("labels") or {},
                        "service_type": spec.get("type", "ClusterIP"),
                        "selector": spec.get("selector") or {},
                        "ports": spec.get("ports") or [],
                    },
                }
            )
    for svc in [n for n in nodes if n["properties"].get("kind") == "Service"]:
        sel = svc["properties"]["selector"]
        ns = svc["id"].split("/", 1)[0]
        for wns, w in workloads:
            labels = w["properties"].get("pod_labels") or {}
            if sel and wns == ns and all(labels.get(k) == v for k, v in sel.items()):
                edges.append({"from_id": svc["id"], "to_id": w["id"], "type": "selects"})
    return {"nodes": nodes, "edges": edges}


# --- entry points -----------------------------------------------------------------------------------


def _expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.suffix in (".yml", ".yaml")))
        else:
            out.append(p)
    return out


def discover(kind: Literal["compose", "k8s"], paths: list[Path]) -> dict[str, Any]:
    """Build the graph of docker-compose files or Kubernetes manifests."""
    files = _expand([Path(p) for p in paths])
    if kind == "k8s":
        return _k8s_graph(files)
    graph: dict[str, Any] = {"nodes": [], "edges": []}
    seen: dict[str, dict[str, Any]] = {}
    for f in files:
        g = _compose_graph(f)
        for n in g["nodes"]:
            if n["id"] in seen:
                # a later file overrides an earlier one, as `docker compose -f a -f b` does
                seen[n["id"]]["properties"].update(n["properties"])
            else:
                seen[n["id"]] = n
                graph["nodes"].append(n)
        graph["edges"].extend(e for e in g["edges"] if e not in graph["edges"])
    return graph


def detect_kind(path: Path) -> Literal["compose", "k8s"] | None:
    try:
        docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        log.warning("cannot read %s: %s", path, exc)
        return None
    if any(
        isinstance(d, dict) and isinstance(d.get("services"), dict) and "apiVersion" not in d for d in docs
    ):
        return "compose"
    if any(isinstance(d, dict) and d.get("apiVersion") and d.get("kind") for d in docs):
        return "k8s"
    return None


def load_graph_from_paths(paths: list[str]) -> dict[str, Any]:
    """Graph of compose files and/or Kubernetes manifests (directories are searched for *.yml/*.yaml)."""
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise FileNotFoundError(f"no such file or directory: {', '.join(missing)}")
    by_kind: dict[str, list[Path]] = {"compose": [], "k8s": []}
    for f in _expand([Path(p) for p in paths]):
        kind = detect_kind(f)
        if kind:
            by_kind[kind].append(f)
        else:
            log.info("skipped %s: neither a compose file nor a Kubernetes manifest", f)
    graph: dict[str, Any] = {"nodes": [], "edges": []}
    for kind in ("compose", "k8s"):
        if by_kind[kind]:
            g = discover(kind, by_kind[kind])  # type: ignore[arg-type]
            graph["nodes"].extend(g["nodes"])
            graph["edges"].extend(g["edges"])
    return graph
