"""Input and output models of `summarize_logs` (the tool's inputSchema and outputSchema)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from aiops_mcp.tools.meta import Meta

Level = Literal["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
ParamKind = Literal["duration", "size", "count", "number"]


class SummarizeInput(BaseModel):
    lines: list[str] | None = Field(
        None, description="Log lines, oldest first (raw lines with headers, or messages)."
    )
    text: str | None = Field(None, description="A log as one text (split on newlines).")
    source: str | None = Field(None, description="Job-event source in the store, e.g. sync-worker.")
    start: str | None = Field(None, description='Window start: ISO 8601 or "last 1h".')
    end: str | None = Field(None, description="Window end: ISO 8601 (default now).")
    max_patterns: int = Field(50, ge=1, le=500, description="Most patterns returned (the rest are counted).")


class Pattern(BaseModel):
    """One log template: the constant text of a family of lines, variables as <*>."""

    template_id: int = Field(description="Stable id of the template within this summary.")
    template: str = Field(description="Message template; variable parts are <*>.")
    count: int = Field(description="Lines that match the template.")
    share: float = Field(description="count / lines_in, 0..1.")
    level: Level | None = Field(None, description="Most frequent level of its lines, when levels are known.")
    example: str = Field(description="The first line's message (cut to 300 characters).")
    first_line: int = Field(description="1-based number of the first matching input line.")
    last_line: int = Field(description="1-based number of the last matching input line.")
    first_seen: datetime | None = Field(None, description="Timestamp of the first matching line, if parsed.")
    last_seen: datetime | None = Field(None, description="Timestamp of the last matching line, if parsed.")


class ErrorPattern(Pattern):
    """A pattern that signals a problem, by level or by wording."""

    rank: int = Field(description="1 = most important: by severity, then count, then recency.")
    reason: str = Field(description="Why it counts as an error: its level and/or the error words in it.")


class ParameterStats(BaseModel):
    """Statistics of one numeric variable of one template (e.g. the <*> in 'took <*> ms')."""

    template_id: int
    template: str
    position: int = Field(description="0-based index of the variable among the template's <*>.")
    name: str | None = Field(
        None, description="The field name next to the value (e.g. 'time', 'took'), if any."
    )
    kind: ParamKind = Field(description="duration (a latency/time), size (bytes etc.), count, or number.")
    unit: str | None = Field(None, description="Unit written next to the values (ms, s, bytes ...), if any.")
    count: int = Field(description="Numeric values seen.")
    min: float
    p50: float = Field(description="Median (from a bounded uniform sample when there are many values).")
    p95: float
    max: float
    mean: float
    outliers: int = Field(description="Values above Q3 + 3 x IQR (far out on the high side).")
    outlier_examples: list[dict[str, float | int]] = Field(
        default_factory=list, description="Up to 5 of the largest outliers as {value, line}."
    )


class Burst(BaseModel):
    """A stretch of time where lines arrived much faster than usual."""

    start: datetime
    end: datetime
    lines: int = Field(description="Lines inside the burst.")
    peak_per_minute: float
    baseline_per_minute: float = Field(description="Median rate over the whole log.")
    factor: float = Field(description="peak_per_minute / baseline_per_minute.")
    top_templates: list[int] = Field(
        default_factory=list, description="Template ids most frequent in the burst."
    )
    errors: int = Field(0, description="Lines of error level (or error patterns) inside the burst.")


class SummaryStats(BaseModel):
    lines_in: int = Field(description="Lines read (empty lines included).")
    patterns: int = Field(description="Distinct templates found.")
    patterns_returned: int = Field(description="Templates listed in `patterns` (at most max_patterns).")
    patterns_left_out: int = Field(description="Templates not listed; their lines are still counted.")
    lines_left_out: int = Field(description="Lines of the templates not listed.")
    reduction_ratio: float = Field(
        description="1 - patterns / lines_in: share of lines the templates fold away."
    )
    levels: dict[str, int] = Field(
        default_factory=dict, description="Lines per level, when levels are known."
    )
    first_timestamp: datetime | None = None
    last_timestamp: datetime | None = None


class LogSummary(BaseModel):
    summary: str = Field(
        description="A few sentences: volume, what dominates, what is wrong, what to look at."
    )
    patterns: list[Pattern] = Field(description="Templates, most frequent first (at most max_patterns).")
    error_patterns: list[ErrorPattern] = Field(description="Problem templates, most important first.")
    performance: list[ParameterStats] = Field(
        description="Numeric variables per template: durations/latencies first, then sizes and counts."
    )
    bursts: list[Burst] = Field(
        default_factory=list, description="Rate spikes, largest first (needs timestamps)."
    )
    recommended_actions: list[str] = Field(description="What to check next, most urgent first.")
    stats: SummaryStats
    meta: Meta = Field(default_factory=Meta)
