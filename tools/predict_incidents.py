"""MCP wrapper of `predict_incidents`: degradation, anomalies and time to incident from metrics and events."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from aiops_mcp.server.runtime import Runtime
from aiops_mcp.tools.wiring import ToolDef, annotations, check_size, guarded, tool

if TYPE_CHECKING:
    from aiops_mcp.tools.incidents.models import PredictResult

RESULT = "aiops_mcp.tools.incidents.models:PredictResult"

DESCRIPTION = """Predict incidents before they happen: streaming anomaly detection, trends toward a limit
(time_to_incident_seconds), change points, and correlation of anomalies across metrics and error bursts
in job events (one correlated prediction, not five). Give metrics inline [{name, points: [{timestamp,
value}]}], or names + window ("last 6h") to read the store's metrics table; events optional."""


def register(target: MCPServer | list[ToolDef], rt: Runtime) -> None:
    @tool(
        target,
        name="predict_incidents",
        description=DESCRIPTION,
        annotations=annotations("Predict incidents", open_world=True),
        result=RESULT,
    )
    @guarded("predict_incidents", rt.usage)
    async def predict_incidents(
        metrics: Annotated[
            list[dict[str, Any]] | None, Field(description="Inline series {name, points}.")
        ] = None,
        names: Annotated[list[str] | None, Field(description="Metric names to read from the store.")] = None,
        window: Annotated[
            str | None, Field(description='Store window, e.g. "last 6h" (default last 6h).')
        ] = None,
        events: Annotated[
            list[dict[str, Any]] | None,
            Field(description="Recent job events {timestamp, level, message, source?}."),
        ] = None,
        limits: Annotated[
            dict[str, float] | None,
            Field(description="Known capacity per metric name, e.g. {queue_depth: 10000}."),
        ] = None,
        as_of: Annotated[datetime | None, Field(description="Prediction time (default: last point).")] = None,
    ) -> "PredictResult":
        check_size("metrics", metrics, rt.settings.limits.max_input_bytes)
        from aiops_mcp.tools.incidents.engine import predict
        from aiops_mcp.tools.incidents.llm import ASSIST
        from aiops_mcp.tools.incidents.models import EventIn, MetricSeries, PredictInput

        series = [MetricSeries.model_validate(m) for m in metrics or []]
        if names:
            from aiops_mcp.server.store import parse_window

            start, end = parse_window(window or "last 6h", None, now=as_of or datetime.now(UTC))
            rows = await rt.store.metrics(names, start, end)
            by_name: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
            for row in rows:
                by_name.setdefault(row.name, []).append({"timestamp": row.created_at, "value": row.value})
            series += [MetricSeries(name=n, points=pts) for n, pts in by_name.items() if pts]
        if not series:
            raise ValueError("give metrics inline, or names (+ window) of metrics in the store")
        parsed_events = [EventIn.model_validate(e) for e in events or []]
        inp = PredictInput(metrics=series, names=names, window=window, events=parsed_events, as_of=as_of)
        offline = predict(series, parsed_events, as_of=as_of, limits=limits)
        result = await rt.answer("predict_incidents", inp, offline, ASSIST)
        if rt.alerts is not None:
            from aiops_mcp.server.alerts import Alert

            for p in result.predictions:
                if p.severity == "critical":
                    rt.alerts.submit(
                        Alert(
                            source="predict_incidents",
                            key=f"incident:{p.kind}:{','.join(p.metrics)}",
                            severity="critical",
                            title=f"Predicted incident: {p.kind}",
                            text="; ".join(p.evidence[:3]),
                        )
                    )
        return result
