"""Loads knowledge.json (image roles, schemes, ports, variable cues) and answers small questions with it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

# an image's own name that says nothing of what it is; its namespace does (`mssql/server`)
GENERIC_IMAGE_NAMES = frozenset({"server", "db", "database", "community", "enterprise", "standalone", "core"})


@dataclass(frozen=True)
class Knowledge:
    image_roles: list[tuple[str, re.Pattern[str]]]
    scheme_types: dict[str, str]
    port_types: dict[str, str]
    role_types: dict[str, str]
    variable_types: list[tuple[str, re.Pattern[str]]]
    host_keys: re.Pattern[str]
    not_host_keys: re.Pattern[str]
    host_flags: frozenset[str]
    skip_properties: frozenset[str]
    ecosystem_pairs: list[dict[str, Any]] = field(default_factory=list)
    conventions: dict[str, Any] = field(default_factory=dict)

    def role_of(self, image: str | None, name: str | None = None) -> str | None:
        """Role of a node from its image (preferred) or, failing that, its name."""
        for text in (image, name):
            if not text:
                continue
            # only the repository part: a tag such as `:fpm-alpine` is not a role
            path = text.lower().split("@", 1)[0]
            segments = [seg.partition(":")[0] for seg in path.split("/")]
            candidates = [segments[-1]]
            if segments[-1] in GENERIC_IMAGE_NAMES:
                # `mcr.microsoft.com/mssql/server`: the product is the namespace (never the registry host)
                candidates += [s for s in reversed(segments[:-1]) if "." not in s]
            for repo_name in candidates:
                for role, pat in self.image_roles:
                    if pat.search(repo_name):
                        return role
        return None

    def type_of_variable(self, key: str) -> str | None:
        up = key.upper().replace(".", "_").replace("-", "_")
        for typ, pat in self.variable_types:
            if pat.search(up):
                return typ
        return None

    def is_host_key(self, key: str) -> bool:
        up = key.upper().replace(".", "_").replace("-", "_")
        return bool(self.host_keys.search(up)) and not self.not_host_keys.search(up)


@lru_cache(maxsize=1)
def load_knowledge() -> Knowledge:
    raw = json.loads(resources.files(__package__).joinpath("knowledge.json").read_text(encoding="utf-8"))
    flags = re.IGNORECASE
    return Knowledge(
        image_roles=[(r["role"], re.compile(r["pattern"], flags)) for r in raw["image_roles"]],
        scheme_types={k.lower(): v for k, v in raw["scheme_types"].items()},
        port_types=dict(raw["port_types"]),
        role_types=dict(raw["role_types"]),
        variable_types=[(r["type"], re.compile(r["pattern"], flags)) for r in raw["variable_types"]],
        host_keys=re.compile(r"(^|_)" + raw["host_keys"] + r"(_|$)", flags),
        not_host_keys=re.compile(r"(^|_)" + raw["not_host_keys"], flags),
        host_flags=frozenset(f.lower() for f in raw["host_flags"]),
        skip_properties=frozenset(raw["skip_properties"]),
        ecosystem_pairs=list(raw.get("ecosystem_pairs", [])),
        conventions=dict(raw.get("conventions", {})),
    )
