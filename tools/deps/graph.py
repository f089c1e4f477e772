"""Who can be reached by which host name: the alias index of a graph's nodes."""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urlparse

from .models import Node

K8S_WORKLOADS = {
    "deployment",
    "statefulset",
    "daemonset",
    "replicaset",
    "replicationcontroller",
    "job",
    "cronjob",
    "pod",
}
K8S_DNS_SUFFIX = re.compile(r"^[a-z0-9-]+(\.svc(\.cluster\.local)?)?$")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "::1", "*", "host.docker.internal"}


def node_name(node: Node) -> str:
    return (node.name or node.id.rsplit("/", 1)[-1]).lower()


def is_k8s_service(node: Node) -> bool:
    p = node.properties
    return p.get("kind") == "Service" or ("selector" in p and node.type == "service")


def is_k8s_workload(node: Node) -> bool:
    kind = str(node.properties.get("kind") or node.type).lower()
    return kind in K8S_WORKLOADS


def node_ports(node: Node) -> set[str]:
    """Every port the node listens on or publishes (container side and published side)."""
    out: set[str] = set()
    p = node.properties
    for item in list(p.get("ports") or []) + list(p.get("expose") or []):
        if isinstance(item, dict):
            for k in ("port", "targetPort", "containerPort", "target", "published"):
                if item.get(k) is not None:
                    out.add(str(item[k]))
        else:
            for part in re.split(r"[:/]", str(item)):
                if part.isdigit():
                    out.add(part)
    return out


def _hosts_of_property(value: object) -> list[str]:
    vals = value if isinstance(value, list) else [value]
    out = []
    for v in vals:
        if isinstance(v, str) and v:
            host = urlparse(v).hostname if "://" in v else v.split(":", 1)[0]
            if host:
                out.append(host.lower())
    return out


class AliasIndex:
    """Maps a host name (as a dependent would write it) to the nodes it can reach."""

    def __init__(self, nodes: list[Node]):
        self.by_id = {n.id: n for n in nodes}
        self.k8s = any(is_k8s_service(n) or is_k8s_workload(n) for n in nodes)
        self._index: dict[str, set[str]] = defaultdict(set)
        for n in nodes:
            for alias in self.aliases(n):
                self._index[alias].add(n.id)

    def aliases(self, node: Node) -> set[str]:
        p = node.properties
        out = {node_name(node), node.id.lower()}
        for key in ("container_name", "hostname"):
            if isinstance(p.get(key), str):
                out.add(p[key].lower())
        nets = p.get("networks")
        if isinstance(nets, dict):
            for cfg in nets.values():
                if isinstance(cfg, dict):
                    out.update(str(a).lower() for a in cfg.get("aliases") or [])
                    for k in ("ipv4_address", "ipv6_address"):
                        if cfg.get(k):
                            out.add(str(cfg[k]).lower())
        for key in ("domain", "domains", "host", "hosts", "fqdn", "dns_name", "url", "ip", "address"):
            if key in p:
                out.update(_hosts_of_property(p[key]))
        out.discard("")
        return out

    def resolve(self, host: str) -> tuple[list[str], bool]:
        """Node ids a host name reaches, and whether the choice was ambiguous."""
        host = host.lower().rstrip(".")
        if not host or host in LOCAL_HOSTS or "$" in host or "{" in host:
            return [], False
        ids = set(self._index.get(host, ()))
        if not ids and self.k8s and "." in host:
            first, _, rest = host.partition(".")
            if K8S_DNS_SUFFIX.match(rest):
                ids = set(self._index.get(first, ()))
            if not ids:
                # a StatefulSet pod through its headless Service: <pod>.<service>[.<ns>.svc...]
                second, _, rest2 = rest.partition(".")
                if not rest2 or K8S_DNS_SUFFIX.match(rest2):
                    ids = {i for i in self._index.get(second, ()) if is_k8s_service(self.by_id[i])}
        if len(ids) > 1:
            # In Kubernetes only Services have DNS names; a workload of the same name is reached through it.
            services = {i for i in ids if is_k8s_service(self.by_id[i])}
            if services:
                ids = services
            elif self.k8s:
                ids = {i for i in ids if not is_k8s_workload(self.by_id[i])} or ids
        return sorted(ids), len(ids) > 1
