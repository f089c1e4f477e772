"""What every tool wrapper shares: registration, annotations, and one guard that turns failures into
readable tool errors."""

from __future__ import annotations

import functools
import importlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import ValidationError

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

log = logging.getLogger("aiops_mcp.tools")

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class ToolDef:
    """One tool as its module declares it. `result` names the result model ("module:Class") instead of
    importing it, so a server can publish the tool before any result model is imported."""

    fn: Callable[..., Awaitable[Any]]
    name: str
    description: str
    annotations: ToolAnnotations
    result: str


def load_result(ref: str) -> type[Any]:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def tool(
    target: MCPServer | list[ToolDef],
    *,
    name: str,
    description: str,
    annotations: ToolAnnotations,
    result: str,
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Register a tool function. Into a list: `create_server` publishes those with precomputed output
    schemas (tools/schemas.py). On an MCPServer: the SDK derives everything from the signature, with
    the result model as return annotation (the reference the precomputed path is checked against)."""

    def decorator(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        if isinstance(target, list):
            # The SDK evaluates every annotation of the function; the result model is named by `result`.
            fn.__annotations__.pop("return", None)
            target.append(ToolDef(fn, name, description, annotations, result))
        else:
            fn.__annotations__["return"] = load_result(result)
            target.add_tool(fn, name=name, description=description, annotations=annotations)
        return fn

    return decorator


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
