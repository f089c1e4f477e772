"""Counters since start, for the `aiops://usage` resource: calls, engines, fallbacks, errors per tool."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ToolUsage:
    calls: int = 0
    errors: int = 0
    offline: int = 0
    model: int = 0
    fallbacks: int = 0
    degraded: int = 0


@dataclass
class UsageBook:
    tools: dict[str, ToolUsage] = field(default_factory=dict)

    def record(self, tool: str, *, engine: str, attempts: int, degraded: bool) -> None:
        u = self.tools.setdefault(tool, ToolUsage())
        u.calls += 1
        if engine == "model":
            u.model += 1
        else:
            u.offline += 1
        # A fallback is any answer that needed more than the first attempt, or the offline engine after a try.
        if attempts > 1 or (engine == "offline" and attempts > 0):
            u.fallbacks += 1
        if degraded:
            u.degraded += 1

    def error(self, tool: str) -> None:
        u = self.tools.setdefault(tool, ToolUsage())
        u.calls += 1
        u.errors += 1

    def snapshot(self) -> dict[str, Any]:
        return {name: vars(u).copy() for name, u in sorted(self.tools.items())}
