"""Normalised error signatures: the error's first meaningful line with variable parts masked."""

from __future__ import annotations

import re

_MASKS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I), "<uuid>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b"), "<ts>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<date>"),
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b"), "<ip>"),
    (re.compile(r"https?://[^\s'\"<>)]+"), lambda m: _mask_url(m.group(0))),  # type: ignore[list-item]
    (re.compile(r"\b0x[0-9a-f]+\b|\b[0-9a-f]{12,}\b", re.I), "<hex>"),
    (re.compile(r"\b(?:req|org|sk|key|id)_[A-Za-z0-9]{6,}\b"), "<id>"),
    (re.compile(r"\b[A-Z]{2,}[-_]?\d{3,}[A-Z0-9]*\b"), "<ref>"),
    (re.compile(r"\b\d+(\.\d+)?\b"), "<n>"),
]


def _mask_url(url: str) -> str:
    m = re.match(r"(https?://[^/?#]+)([^?#]*)", url)
    if not m:
        return "<url>"
    path = re.sub(r"/[^/]*\d[^/]*", "/<id>", m.group(2))
    return m.group(1) + path


def mask(text: str) -> str:
    out = text
    for rx, repl in _MASKS:
        out = rx.sub(repl, out)  # type: ignore[arg-type]
    out = re.sub(r"'[^']{1,80}'|\"[^\"]{1,80}\"", lambda m: m.group(0) if "<" in m.group(0) else "<s>", out)
    return re.sub(r"\s+", " ", out).strip()


def first_line(error: str) -> str:
    for line in (error or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def signature(error: str, limit: int = 200) -> str:
    """Masked first line of the error: ids, numbers, timestamps, hex, ips and quoted values replaced."""
    return mask(first_line(error)[: limit * 4])[:limit]
