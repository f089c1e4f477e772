"""Deterministic semantic checks: cheap, certain, and beyond what a JSON schema can say."""

from __future__ import annotations

import calendar
import json
import re
from datetime import date, datetime
from typing import Any

from .models import Problem

MONTHLY_FORMS = re.compile(r"(?i)^(1601-?C|0619-?[EF]|2550M|2551M)$")
QUARTERLY_FORMS = re.compile(r"(?i)^(1601-?[EF]Q|2550Q|2551Q|1702-?Q|1701Q)$")
ANNUAL_FORMS = re.compile(r"(?i)^(1702-?(RT|EX|MX)|1701|1604-?(C|E|F|CF))$")
SOURCE_DEST_PAIRS = (
    ("source", ("destination", "dest", "target")),
    ("source_table", ("target_table", "to_table", "dest_table", "destination_table")),
    ("source_db", ("target_db", "dest_db", "destination_db")),
    ("from", ("to",)),
    ("from_model", ("to_model",)),
)
RUN_TIME_KEYS = ("as_of", "asOf", "run_at", "runAt", "scheduled_at", "created_at")


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
        except ValueError:
            return None
    return None


def period_end(value: Any) -> tuple[date, str] | None:
    """Last day of a period written as 2025-06, 06/2025, 2025-Q2, 2025-H1, 2025 or a date."""
    if isinstance(value, int) and 1900 < value < 3000:
        return date(value, 12, 31), str(value)
    if not isinstance(value, str):
        return None
    v = value.strip()
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", v, re.I):
        y, q = int(m[1]), int(m[2])
        return date(y, 3 * q, calendar.monthrange(y, 3 * q)[1]), v
    if m := re.fullmatch(r"(\d{4})-H([12])", v, re.I):
        y, h = int(m[1]), int(m[2])
        return (date(y, 6, 30) if h == 1 else date(y, 12, 31)), v
    if m := re.fullmatch(r"(\d{4})-(\d{2})", v) or re.fullmatch(r"(\d{2})/(\d{4})", v):
        y, mo = (int(m[1]), int(m[2])) if len(m[1]) == 4 else (int(m[2]), int(m[1]))
        if 1 <= mo <= 12:
            return date(y, mo, calendar.monthrange(y, mo)[1]), v
        return None
    if re.fullmatch(r"\d{4}", v):
        return date(int(v), 12, 31), v
    d = _date(v)
    return (d, v) if d else None


def run_date(payload: dict[str, Any], body: dict[str, Any]) -> date | None:
    """When the job runs, if the payload says so (its own as_of, or the envelope's run time)."""
    for src in (body, payload, payload.get("meta") or {}):
        if isinstance(src, dict):
            for k in RUN_TIME_KEYS:
                d = _date(src.get(k))
                if d:
                    return d
    return None


def _norm(v: Any) -> str:
    if isinstance(v, dict):
        keep = {
            k: v[k] for k in sorted(v) if k in ("system", "table", "model", "db", "database", "schema", "url")
        }
        return json.dumps(keep or v, sort_keys=True).lower()
    return str(v).strip().lower()


def check_sync(body: dict[str, Any], prefix: str) -> list[Problem]:
    out = []
    for src_key, dest_keys in SOURCE_DEST_PAIRS:
        if src_key not in body:
            continue
        for dk in dest_keys:
            if dk in body and body[src_key] and _norm(body[src_key]) == _norm(body[dk]):
                out.append(
                    Problem(
                        path=f"{prefix}{dk}",
                        message=f"{src_key} and {dk} are the same ({str(body[dk])[:80]}): the sync would read and "
                        "write the same place; point it at the other system",
                    )
                )
    return out


def _period_fields(body: dict[str, Any]) -> list[tuple[str, Any]]:
    keys = ("month", "quarter", "period", "taxable_year", "taxableYear", "year", "return_period", "buwan")
    return [(k, body[k]) for k in keys if k in body]


def check_bir(body: dict[str, Any], prefix: str, as_of: date) -> list[Problem]:
    out = []
    form = str(body.get("form") or "")
    periods = _period_fields(body)
    for key, value in periods:
        end = period_end(value)
        if end and end[0] >= as_of:
            out.append(
                Problem(
                    path=f"{prefix}{key}",
                    message=f"the return period {end[1]} ends {end[0].isoformat()}, not before {as_of.isoformat()}: "
                    "a BIR return can be filed only after its period has ended",
                )
            )
    keys = {k for k, _ in periods}
    if MONTHLY_FORMS.match(form) and keys and not keys & {"month", "period", "buwan", "return_period"}:
        out.append(
            Problem(path=f"{prefix}form", message=f"{form} is a monthly return: give the `month` (YYYY-MM)")
        )
    if QUARTERLY_FORMS.match(form) and "month" in keys and not keys & {"quarter", "period"}:
        out.append(
            Problem(
                path=f"{prefix}form", message=f"{form} is a quarterly return: give the `quarter` (YYYY-Qn)"
            )
        )
    if ANNUAL_FORMS.match(form) and keys and not keys & {"year", "taxable_year", "taxableYear", "period"}:
        out.append(
            Problem(path=f"{prefix}form", message=f"{form} is an annual return: give the `taxable_year`")
        )
    deadline = _date(body.get("deadline") or body.get("due"))
    for _, value in periods:
        end = period_end(value)
        if deadline and end and deadline <= end[0]:
            out.append(
                Problem(
                    path=f"{prefix}{'deadline' if 'deadline' in body else 'due'}",
                    message=f"the deadline {deadline.isoformat()} is not after the period end {end[0].isoformat()}",
                )
            )
    return out


def check_close(body: dict[str, Any], prefix: str, as_of: date) -> list[Problem]:
    out = []
    end = None
    for key in ("period_end", "period", "month"):
        if key in body and (end := period_end(body[key])):
            if end[0] > as_of:
                out.append(
                    Problem(
                        path=f"{prefix}{key}",
                        message=f"the period {end[1]} ends {end[0].isoformat()}, after {as_of.isoformat()}: "
                        "a period cannot be closed before it ends",
                    )
                )
            break
    reverse = _date(body.get("reverse_on") or body.get("reverseOn"))
    if reverse and end and reverse <= end[0]:
        key = "reverse_on" if "reverse_on" in body else "reverseOn"
        out.append(
            Problem(
                path=f"{prefix}{key}",
                message=f"the reversal date {reverse.isoformat()} must fall after the period end {end[0].isoformat()}",
            )
        )
    return out
