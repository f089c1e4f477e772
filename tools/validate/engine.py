"""Offline engine of `validate_job_payload`: JSON Schema per job type, then deterministic semantics.

Schemas ship in schemas/<job_type>.json; a team adds or replaces them through `schemas`
(job type -> JSON Schema, e.g. from aiops.toml). A schema node may carry `x-hint`: the fix an
agent should make, shown instead of the validator's generic message.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jsonschema costs ~45 ms at import: loaded on the first validation, not at server start
    from jsonschema.exceptions import ValidationError

from . import semantics
from .models import Problem, ValidationResult

log = logging.getLogger(__name__)

# job-system envelopes around the job's own parameters: validate what is inside
ENVELOPES = (("job", "params"), ("data", "attributes"), ("input",), ("spec",), ("params",), ("payload",))
ENVELOPE_SIBLINGS = {
    "requested_by",
    "requestedBy",
    "priority",
    "meta",
    "metadata",
    "idempotency_key",
    "runAt",
    "run_at",
    "attempt",
    "created_at",
    "id",
    "job_id",
    "correlation_id",
    "queue",
    "retries",
}
MAX_PROBLEMS = 20


@lru_cache(maxsize=1)
def shipped_schemas() -> dict[str, dict[str, Any]]:
    folder = resources.files(__package__).joinpath("schemas")
    return {
        f.name.removesuffix(".json"): json.loads(f.read_text(encoding="utf-8"))
        for f in folder.iterdir()
        if f.name.endswith(".json")
    }


def unwrap(payload: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """(the job's own parameters, their dotted path prefix)."""
    for chain in ENVELOPES:
        if set(payload) - {chain[0]} - ENVELOPE_SIBLINGS:
            continue  # the wrapper key sits beside job fields: it is a field, not an envelope
        node: Any = payload
        for key in chain:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and node:
            return node, ".".join(chain) + "."
    return payload, ""


def _path(prefix: str, parts: Any) -> str:
    out = prefix.rstrip(".")
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _message(err: ValidationError) -> str:
    hint = err.schema.get("x-hint") if isinstance(err.schema, dict) else None
    if err.validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else ""
        prop_hint = ((err.schema.get("properties") or {}).get(missing) or {}).get("x-hint")
        return f"'{missing}' is required" + (f": {prop_hint}" if prop_hint else "")
    if hint:
        return (
            f"{hint} (got {json.dumps(err.instance, default=str)[:60]})" if err.validator != "anyOf" else hint
        )
    return err.message


def _schema_problems(body: dict[str, Any], schema: dict[str, Any], prefix: str) -> list[Problem]:
    from jsonschema import Draft202012Validator, FormatChecker

    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(body), key=lambda e: (list(e.absolute_path), e.message))
    return [Problem(path=_path(prefix, e.absolute_path), message=_message(e)) for e in errors]


def _as_of(value: date | datetime | str | None, payload: dict[str, Any], body: dict[str, Any]) -> date:
    given = semantics._date(value) if value is not None else None
    return given or semantics.run_date(payload, body) or datetime.now(UTC).date()


def validate_payload(
    payload: dict,
    job_type: str,
    schemas: dict[str, dict] | None = None,
    *,
    as_of: date | datetime | str | None = None,
) -> ValidationResult:
    """Problems an agent can fix, each with a path. `as_of` (default: the payload's run time, else today)
    dates the semantic checks (a BIR period that has not ended, closing a future period)."""
    known = {**shipped_schemas(), **(schemas or {})}
    if job_type not in known:
        return ValidationResult(
            valid=False,
            problems=[
                Problem(
                    path="job_type",
                    message=f"unknown job type {job_type!r}; known: {', '.join(sorted(known))}",
                )
            ],
        )
    schema = known[job_type]
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return ValidationResult(
            valid=False,
            problems=[
                Problem(path="job_type", message=f"the schema for {job_type} is invalid: {exc.message}")
            ],
        )
    if not isinstance(payload, dict):
        return ValidationResult(
            valid=False, problems=[Problem(path="", message="the payload must be a JSON object")]
        )
    body, prefix = unwrap(payload)
    problems = _schema_problems(body, schema, prefix)
    when = _as_of(as_of, payload, body)
    if job_type == "sync":
        problems += semantics.check_sync(body, prefix)
    elif job_type == "bir_filing":
        problems += semantics.check_bir(body, prefix, when)
    elif job_type == "month_end_close":
        problems += semantics.check_close(body, prefix, when)
    return ValidationResult(valid=not problems, problems=problems[:MAX_PROBLEMS])
