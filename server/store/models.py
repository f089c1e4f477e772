"""Row models of the mcp_jobs tables, and the lenient reading of rows whose columns have the wrong type.

Rows come from databases other programs write to (and SQLite does not enforce column types), so a
row is read field by field: a bad optional field falls back to its default, a bad required field
(id, time, message ...) drops the row; either way the problem is reported, never raised.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

log = logging.getLogger(__name__)


def _to_datetime(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return value  # left as it is: the field's own validation reports it against its column
    if isinstance(value, datetime) and value.tzinfo is None:
        # Naive times in the store are taken as UTC (the schema's columns are timestamptz).
        value = value.replace(tzinfo=UTC)
    return value


def _to_object(value: Any) -> Any:
    if value is None:
        return {}
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        if value == "{}" or not value.strip():  # the column default, by far the most common value
            return {}
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value  # reported by the field's validation ("a valid dictionary")
    return value


_ID_FIELDS = ("id", "job_id")
_TIME_FIELDS = ("created_at", "updated_at", "failed_at", "time")
_OBJECT_FIELDS = ("payload", "data", "labels")


class _Row(BaseModel):
    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        # One Python call per row (not one per field): the stream of job events goes through here.
        # Only safe conversions happen here; anything still wrong fails on its own column below.
        if not isinstance(data, dict):
            return data
        for key in _ID_FIELDS:
            if isinstance(data.get(key), UUID):
                data[key] = str(data[key])
        for key in _TIME_FIELDS:
            if key in data:
                data[key] = _to_datetime(data[key])
        for key in _OBJECT_FIELDS:
            if key in data:
                data[key] = _to_object(data[key])
        if "level" in data:
            level = data["level"]
            data["level"] = "info" if level is None else str(level).strip().lower()
        return data


class JobRow(_Row):
    id: str
    job_type: str
    status: str = "unknown"
    payload: dict[str, Any] = Field(default_factory=dict)
    retry_count: int = 0
    max_retries: int = 3
    error: str | None = None
    error_stack: str | None = None
    created_at: datetime
    updated_at: datetime | None = None


class DlqRow(_Row):
    """One dead-letter item; `model_dump(mode="json")` is the shape `triage_dlq` takes as an item."""

    id: str
    job_id: str | None = None
    job_type: str = "unknown"
    error: str = ""
    error_stack: str | None = None
    retry_count: int = 0
    max_retries: int = 3
    payload: dict[str, Any] = Field(default_factory=dict)
    resolved: bool = False
    created_at: datetime | None = None
    failed_at: datetime

    @field_validator("error", mode="before")
    @classmethod
    def _error(cls, v: Any) -> Any:
        return "" if v is None else v


class EventRow(_Row):
    id: str
    job_id: str | None = None
    source: str
    level: str = "info"
    message: str
    data: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime


class MetricRow(_Row):
    id: str
    name: str
    value: float
    labels: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime


class AuditRecord(BaseModel):
    """One model call of the gateway, as the audit trail keeps it. Text fields are already redacted."""

    time: datetime
    tool: str
    model: str | None = None
    outcome: str
    latency_ms: float = 0.0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    prompt_hash: str | None = None
    prompt: str | None = Field(None, description="Redacted prompt (placeholders, never the secret).")
    answer: str | None = Field(None, description="Redacted answer.")

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, v: Any) -> Any:
        return _to_datetime(v)

    def row(self) -> tuple[Any, ...]:
        """Values in the column order of ai_call_log (created_at, tool, model, ..., answer)."""
        return (
            self.time,
            self.tool,
            self.model,
            self.outcome,
            self.latency_ms,
            self.prompt_tokens,
            self.completion_tokens,
            self.prompt_hash,
            self.prompt,
            self.answer,
        )


class RowProblem(BaseModel):
    """A row the store could not read as the schema says; `action` says what was done about it."""

    table: str
    row_id: str | None
    column: str
    detail: str
    action: Literal["skipped", "defaulted"]

    def __str__(self) -> str:
        what = "row skipped" if self.action == "skipped" else "read as its default"
        return f"{self.table} row {self.row_id or '?'}: column {self.column}: {self.detail} ({what})"


_collector: ContextVar[list[RowProblem] | None] = ContextVar("aiops_store_row_problems", default=None)
_MAX_KEPT = 200  # a table with one bad column would otherwise report every one of its rows
_MAX_LOGGED = 20


@contextlib.contextmanager
def collect_row_problems() -> Iterator[list[RowProblem]]:
    """Collect the problems of the rows read inside the block (per task), e.g. to show them in a tool result.

    At most 200 problems are kept; rows past that are still skipped or defaulted, and logged at debug.
    """
    problems: list[RowProblem] = []
    token = _collector.set(problems)
    try:
        yield problems
    finally:
        _collector.reset(token)


def _report(problem: RowProblem) -> None:
    problems = _collector.get()
    seen = len(problems) if problems is not None else 0
    if problems is not None and seen < _MAX_KEPT:
        problems.append(problem)
    if seen < _MAX_LOGGED:
        log.warning("store: %s", problem)
    else:
        log.debug("store: %s", problem)


M = TypeVar("M", bound=_Row)


def read_row(model: type[M], raw: Mapping[str, Any], table: str) -> M | None:
    """Validate one raw row; fall back to defaults for bad optional fields; None (reported) if unusable."""
    data = dict(raw)
    row_id = data.get("id")
    row_id = None if row_id is None else str(row_id)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    fields = model.model_fields
    for err in errors:
        column = str(err["loc"][0]) if err["loc"] else "?"
        shown = repr(err.get("input"))[:60]
        detail = f"{err['msg']} (value {shown})" if err["type"] != "missing" else "missing"
        info = fields.get(column)
        if info is not None and not info.is_required():
            data.pop(column, None)
            _report(RowProblem(table=table, row_id=row_id, column=column, detail=detail, action="defaulted"))
        else:
            _report(RowProblem(table=table, row_id=row_id, column=column, detail=detail, action="skipped"))
            return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:  # pragma: no cover - defaults are valid by construction
        _report(RowProblem(table=table, row_id=row_id, column="?", detail=str(exc), action="skipped"))
        return None
