"""Finds network references (URLs, DSNs, host:port, bare host names) in a node's configuration.

The output is raw: every string that may name a host, with where it was found. Matching the
references against the graph's nodes happens in engine.py.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .knowledge import Knowledge

# scheme://[userinfo@]authority[/...]; the authority may list several hosts (mongodb, kafka).
URL_RE = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*)://(?:[^@/\s'\"]*@)?([^/\s?#'\"]+)")
HOST_PORT_RE = re.compile(r"(?<![\w.\-/@:])(\[?[A-Za-z0-9][A-Za-z0-9.\-]*\]?):(\d{2,5})(?![\w.\-])")
DEFINE_RE = re.compile(r"^-{0,2}D?([A-Za-z][\w.\-]*)=(.*)$")
SPLIT_RE = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Reference:
    path: str  # where: environment.REDIS_HOST, command[2], args ...
    key: str  # the governing variable, flag or property name
    host: str
    port: str | None
    scheme: str | None
    form: str  # url | host_port | host_key | flag | bare
    raw: str  # the value as written (shortened)


def _leaves(value: Any, path: str, key: str) -> Iterator[tuple[str, str, str]]:
    """(path, key, string) for every string in a nested structure; list items keep the parent key."""
    if isinstance(value, str):
        yield path, key, value
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        yield path, key, str(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, f"{path}.{k}" if path else str(k), str(k))
    elif isinstance(value, list):
        joined = all(isinstance(v, str) for v in value)
        if joined and value:
            # command/args lists: keep them as one command line so flags see their values
            yield path, key, " ".join(shlex.quote(v) if " " in v else v for v in value)
        else:
            for i, v in enumerate(value):
                yield from _leaves(v, f"{path}[{i}]", key)


def _split_authority(authority: str) -> list[tuple[str, str | None]]:
    out = []
    for part in authority.split(","):
        part = part.strip()
        if not part:
            continue
        if part.startswith("["):
            host, _, rest = part[1:].partition("]")
            out.append((host, rest.lstrip(":") or None))
            continue
        host, _, port = part.partition(":")
        out.append((host, port if port.isdigit() else None))
    return out


DNS_PORT_RE = re.compile(r"#\d+$")  # dnsmasq/pihole style upstream: 172.29.0.2#5054


def _clean(host: str) -> str:
    return DNS_PORT_RE.sub("", host.strip().strip("'\"")).rstrip(".").lower()


def references_in_value(path: str, key: str, value: str, kn: Knowledge) -> Iterator[Reference]:
    raw = value if len(value) <= 160 else value[:157] + "..."
    spans: list[tuple[int, int]] = []
    for m in URL_RE.finditer(value):
        spans.append(m.span())
        for host, port in _split_authority(m.group(2)):
            yield Reference(path, key, _clean(host), port, m.group(1).lower(), "url", raw)
    rest = value
    for a, b in reversed(spans):
        rest = rest[:a] + " " * (b - a) + rest[b:]
    for m in HOST_PORT_RE.finditer(rest):
        spans.append(m.span())
        yield Reference(path, key, _clean(m.group(1).strip("[]")), m.group(2), None, "host_port", raw)
    # bare names: the whole value, comma lists, `-Dx.host=name`, `--host name`
    for a, b in spans:
        rest = rest[:a] + " " * (b - a) + rest[b:]
    tokens = [t for t in SPLIT_RE.split(rest) if t]
    prev = ""
    for tok in tokens:
        tok_key, tok_val = key, tok
        m = DEFINE_RE.match(tok)
        if m and "=" in tok:
            tok_key, tok_val = m.group(1), m.group(2)
        if tok_val:
            if prev.lower() in kn.host_flags:
                yield Reference(path, prev, _clean(tok_val), None, None, "flag", raw)
            elif kn.is_host_key(tok_key):
                yield Reference(path, tok_key, _clean(tok_val), None, None, "host_key", raw)
            elif tok_key == key != path and len(tokens) == 1 and not kn.not_host_keys.search(key.upper()):
                # a whole env value equal to a node name; weaker than a host-ish key
                yield Reference(path, key, _clean(tok_val), None, None, "bare", raw)
        prev = tok


def references_of(properties: dict[str, Any], kn: Knowledge) -> Iterator[Reference]:
    for prop, value in properties.items():
        if prop in kn.skip_properties:
            continue
        if prop == "containers" and isinstance(value, list):
            # k8s: only what a container is told (env, command, args), not its own probes/ports
            for i, c in enumerate(value):
                if isinstance(c, dict):
                    for sub in ("env", "command", "args"):
                        if sub in c:
                            for p, k, s in _leaves(c[sub], f"containers[{i}].{sub}", sub):
                                yield from references_in_value(p, k, s, kn)
            continue
        if prop == "build" and isinstance(value, dict):
            value = {"args": value.get("args", {})}
        for p, k, s in _leaves(value, prop, prop):
            yield from references_in_value(p, k, s, kn)
