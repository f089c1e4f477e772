"""The tools' schemas, generated once and shipped, so a cold start does not rebuild them.

The SDK derives a tool's `inputSchema` from its signature (building a pydantic argument model) and its
`outputSchema` from the return annotation (importing the result model and running pydantic's JSON-schema
generator): ~40 ms for our eight tools before `initialize` can be answered. `tool_schemas.json` holds
exactly what the SDK derives (generated through the SDK itself), with a fingerprint of everything the
schemas depend on: the source of each tool module and of each module defining a reachable result model,
the SDK's schema code and pydantic's version. When the fingerprint does not match (a model or a signature
was edited, a library upgraded) the SDK derives everything as usual: a stale file costs time, never a
wrong schema. tests/test_coldstart.py fails while the file is stale. Regenerate with

    .venv/bin/python -m aiops_mcp.tools.schemas

With shipped schemas a tool's argument model is built, and its result model imported, on its first call:
the first time the SDK needs them to validate arguments and to validate and serialise a result.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities import func_metadata as sdk_func_metadata
from mcp.server.mcpserver.utilities.context_injection import find_context_parameter
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata, func_metadata
from mcp_types import CallToolResult, InputRequiredResult
from pydantic import BaseModel
from pydantic.version import VERSION as PYDANTIC_VERSION

from aiops_mcp.tools.wiring import ToolDef, load_result

SHIPPED = Path(__file__).with_name("tool_schemas.json")
_TOPS = ("tools", "server")  # aiops_mcp.<top>: where our source files live, in a checkout or a wheel


class ShippedMetadata(FuncMetadata):
    """FuncMetadata with a precomputed `output_schema`; the argument model is built, and the result model
    imported, on first use.

    The SDK reads these fields live (see FuncMetadata's docstring); a tool call reads the argument model
    only in `validate_arguments` and the result model only in `convert_result`, so filling them in there
    gives the same validation and serialisation as SDK-built metadata (tests/test_coldstart.py compares)."""

    result: str
    fn: Callable[..., Any]
    skip_names: list[str]

    def validate_arguments(self, arguments_to_validate: dict[str, Any]) -> dict[str, Any]:
        if self.arg_model is ArgModelBase:
            self.arg_model = func_metadata(self.fn, self.skip_names, structured_output=False).arg_model
        return super().validate_arguments(arguments_to_validate)

    def convert_result(self, result: Any) -> CallToolResult | InputRequiredResult:
        if self.output_model is None:
            self.output_model = load_result(self.result)
        return super().convert_result(result)


def build_tools(defs: list[ToolDef], shipped_path: Path = SHIPPED) -> list[Tool]:
    """The SDK's Tool for each definition: shipped schemas when fresh, else derived by the SDK."""
    shipped = load_shipped(shipped_path)
    tools = []
    for d in defs:
        output = shipped.get("output_schemas", {}).get(d.result)
        inp = shipped.get("input_schemas", {}).get(d.name)
        tools.append(derive_tool(d) if output is None or inp is None else shipped_tool(d, inp, output))
    return tools


def shipped_tool(d: ToolDef, input_schema: dict[str, Any], output_schema: dict[str, Any]) -> Tool:
    """What `Tool.from_function` builds for a tool without resolvers, from the shipped schemas."""
    context_kwarg = find_context_parameter(d.fn)
    return Tool(
        fn=d.fn,
        name=d.name,
        description=d.description,
        parameters=input_schema,
        fn_metadata=ShippedMetadata(
            arg_model=ArgModelBase,
            output_schema=output_schema,
            result=d.result,
            fn=d.fn,
            skip_names=[context_kwarg] if context_kwarg else [],
        ),
        is_async=inspect.iscoroutinefunction(d.fn),
        context_kwarg=context_kwarg,
        annotations=d.annotations,
    )


def derive_tool(d: ToolDef) -> Tool:
    """The SDK's own path: result model as return annotation, schema derived at registration."""
    d.fn.__annotations__["return"] = load_result(d.result)
    try:
        return Tool.from_function(d.fn, name=d.name, description=d.description, annotations=d.annotations)
    finally:
        del d.fn.__annotations__["return"]


def load_shipped(path: Path = SHIPPED) -> dict[str, dict[str, Any]]:
    """{"input_schemas": by tool name, "output_schemas": by result reference}; empty when the file is
    missing, unreadable or stale."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["fingerprint"] != fingerprint(data["fingerprint"]["sources"]):
            return {}
        return {key: data[key] for key in ("input_schemas", "output_schemas")}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def fingerprint(sources: dict[str, str] | list[str]) -> dict[str, Any]:
    """What the schemas depend on, as of now; `sources` names the files (relative to aiops_mcp)."""
    return {
        "pydantic": PYDANTIC_VERSION,
        "sdk_schema_code": _digest(Path(sdk_func_metadata.__file__)),
        "sources": {rel: _digest(_source_path(rel)) for rel in sorted(sources)},
    }


def _source_path(rel: str) -> Path:
    top, _, rest = rel.partition("/")
    if top not in _TOPS:
        raise ValueError(rel)
    return Path(importlib.import_module(f"aiops_mcp.{top}").__path__[0]) / rest


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return "missing"


def model_sources(model: type[BaseModel]) -> set[str]:
    """Files (relative to aiops_mcp) defining the model and every aiops_mcp type it reaches."""
    modules: set[str] = set()
    seen: set[int] = set()

    def visit(tp: Any) -> None:
        if id(tp) in seen:
            return
        seen.add(id(tp))
        if isinstance(tp, type):
            modules.update(b.__module__ for b in tp.__mro__ if b.__module__.startswith("aiops_mcp."))
            if issubclass(tp, BaseModel):
                for field in tp.model_fields.values():
                    visit(field.annotation)
        for arg in get_args(tp):
            visit(arg)

    visit(model)
    return {_relative(sys.modules[m].__file__ or "") for m in modules}


def _relative(file: str) -> str:
    path = Path(file).resolve()
    for top in _TOPS:
        root = Path(sys.modules[f"aiops_mcp.{top}"].__path__[0]).resolve()
        if path.is_relative_to(root):
            return f"{top}/{path.relative_to(root).as_posix()}"
    raise ValueError(f"{file} is outside aiops_mcp")


def generate(defs: list[ToolDef]) -> dict[str, Any]:
    """The file's content: each tool's schemas exactly as the SDK derives them."""
    inputs: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    sources: set[str] = set()
    for d in defs:
        tool = derive_tool(d)
        if tool.resolved_params:  # shipped_tool builds tools without resolvers only
            raise ValueError(f"{d.name}: tools with Resolve(...) parameters cannot ship their schemas")
        inputs[d.name] = tool.parameters
        outputs[d.result] = tool.output_schema
        sources |= model_sources(load_result(d.result))
        sources.add(_relative(sys.modules[d.fn.__module__].__file__ or ""))
    return {
        "generated_by": "python -m aiops_mcp.tools.schemas",
        "fingerprint": fingerprint(sorted(sources)),
        "input_schemas": dict(sorted(inputs.items())),
        "output_schemas": dict(sorted(outputs.items())),
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, sort_keys=False) + "\n"


def main() -> None:
    from aiops_mcp.server.app import tool_defs
    from aiops_mcp.server.config import Settings
    from aiops_mcp.server.runtime import Runtime

    rt = Runtime.create(Settings(offline=True))
    SHIPPED.write_text(render(generate(tool_defs(rt))), encoding="utf-8")
    print(f"wrote {SHIPPED}")


if __name__ == "__main__":
    main()
