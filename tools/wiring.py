"""What every tool wrapper shares: annotations, and one guard that turns failures into readable tool errors."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import ValidationError

log = logging.getLogger("aiops_mcp.tools")

P = ParamSpec("P")
R = TypeVar("R")


def annotations(title: str, *, open_world: bool) -> ToolAnnotations:
    """All analysis tools are read-only; open-world only when a model may be called."""
    return ToolAnnotations(
        title=title,
        read_only_hint=True,
        destructive_hint=False,
        idempotent_hint=True,
        open_world_hint=open_world,
    )


def describe_validation(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False)[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "input"
        parts.append(f"{where}: {err['msg']}")
    return "invalid arguments: " + "; ".join(parts)


def check_size(name: str, value: Any, limit: int) -> None:
    """Refuse arguments over the configured size before any work starts."""
    if value is None:
        return
    size = len(value.encode("utf-8")) if isinstance(value, str) else len(json.dumps(value, default=str))
    if size > limit:
        raise ToolError(
            f"{name} is {size:,} bytes, over the limit of {limit:,} (limits.max_input_bytes); "
            "send less, or raise the limit in aiops.toml"
        )


def guarded(tool: str, usage: Any) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Expected failures become ToolError with a message the agent can act on; nothing else escapes."""

    def wrap(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(fn)
        async def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return await fn(*args, **kwargs)
            except ToolError:
                usage.error(tool)
                raise
            except ValidationError as exc:
                usage.error(tool)
                raise ToolError(describe_validation(exc)) from None
            except (ValueError, LookupError) as exc:
                usage.error(tool)
                raise ToolError(str(exc)) from None
            except Exception as exc:
                usage.error(tool)
                # Imported here, on the failure path only: the store package is not needed at start-up.
                from aiops_mcp.server.store.errors import StoreError

                if isinstance(exc, StoreError):
                    raise ToolError(str(exc)) from None
                log.exception("%s failed", tool)
                raise ToolError(
                    f"internal error in {tool} ({type(exc).__name__}); see the server log"
                ) from None

        return inner

    return wrap
