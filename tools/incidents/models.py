"""Input and output models of `predict_incidents` (the tool's inputSchema and outputSchema)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from aiops_mcp.tools.meta import Meta

Kind = Literal["anomaly", "trend", "changepoint", "correlated"]
Severity = Literal["critical", "high", "medium", "low"]


class Point(BaseModel):
    timestamp: datetime
    value: float


class MetricSeries(BaseModel):
    name: str = Field(description="Metric name, e.g. 'queue_depth' or 'api.error_rate'.")
    points: list[Point] = Field(description="Observations, any order (sorted by time before analysis).")
    limit: float | None = Field(
        None,
        description="Known capacity or SLO bound (queue limit, 100 for percent); enables time to incident.",
    )


class EventIn(BaseModel):
    timestamp: datetime
    level: str = Field(description="Log level or job status: error, warning, failed, info ...")
    message: str = ""
    source: str | None = Field(None, description="Job type, queue or service that emitted the event.")


class PredictInput(BaseModel):
    metrics: list[MetricSeries] | None = Field(None, description="Series given inline.")
    names: list[str] | None = Field(None, description="Metric names to read from the store's metrics table.")
    window: str | None = Field(None, description="Look-back for store reads, e.g. '6h', '30m', '2d'.")
    events: list[EventIn] | None = Field(None, description="Recent job events (errors, failures).")
    as_of: datetime | None = Field(None, description="Analysis time; default: the latest observation.")


class Prediction(BaseModel):
    metrics: list[str]
    kind: Kind
    severity: Severity
    started_at: datetime
    score: float = Field(ge=0.0, le=1.0)
    time_to_incident_seconds: float | None = Field(
        None, description="When a limit or a trend makes it meaningful: seconds until the metric crosses it."
    )
    evidence: list[str]


class PredictResult(BaseModel):
    predictions: list[Prediction] = Field(description="Most urgent first.")
    summary: str
    meta: Meta = Field(default_factory=Meta)
