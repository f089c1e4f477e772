"""`aiops-mcp redact [FILE|-] [--jsonl]`: the redaction engine as a filter on a stream."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from itertools import islice
from json.encoder import encode_basestring  # the C string encoder (ensure_ascii=False form)
from typing import TextIO

from .engine import find_spans_many
from .vault import RedactionError, Vault, redact_once

_encode = json.JSONEncoder(ensure_ascii=False).encode  # ids that are not strings (numbers, null ...)
_BATCH = 2048  # lines parsed and scanned together: one json call and one pass per detector family per batch

log = logging.getLogger(__name__)


def run_redact(inp: TextIO, out: TextIO, *, jsonl: bool) -> None:
    """Plain mode: redact the whole input as one text. --jsonl: {"id","text"} per line in, same out.

    Each JSONL line is its own call (its own vault, its own numbering); lines are scanned in batches
    (engine.find_spans_many). A batch that fails is not written (fail closed) and RedactionError is raised.
    """
    if not jsonl:
        out.write(Vault().redact(inp.read()))
        out.flush()
        return
    lines = iter(inp)
    while True:
        chunk = list(islice(lines, _BATCH))
        if not chunk:
            break
        raw = [line for line in chunk if line.strip()]
        batch = _parse(raw)
        if batch:
            _flush(batch, raw, out)
    out.flush()


def _parse(lines: list[str]) -> list[object]:
    """All lines of a batch in one json.loads call (the per-call overhead dominates ~100-byte lines)."""
    try:
        got = json.loads("[" + ",".join(lines) + "]")
        # one object per line, or parse line by line (malformed input then fails exactly where it did)
        if len(got) == len(lines) and all(type(r) is dict for r in got):
            return got
    except ValueError:
        pass
    return [json.loads(line) for line in lines]


def _flush(batch: Iterable[object], raw: list[str], out: TextIO) -> None:
    records: list[dict[str, object]] = list(batch)  # type: ignore[arg-type]
    texts = [r.get("text") for r in records]
    texts = [t if isinstance(t, str) else ("" if t is None else str(t)) for t in texts]
    try:
        found = find_spans_many(texts)
        lines = [
            # nothing found in a plain {"id", "text"} line: the line is already its own answer (most log
            # lines hold no secret; re-encoding them would cost more than finding that out)
            line.strip()
            if not spans and len(r) == 2 and "id" in r and type(r.get("text")) is str
            else '{"id": '
            + (encode_basestring(i) if isinstance(i := r.get("id"), str) else _encode(i))
            + ', "text": '
            + encode_basestring(redact_once(t, spans))
            + "}"
            for r, t, spans, line in zip(records, texts, found, raw, strict=True)
        ]
    except Exception as exc:
        log.error(
            "redaction failed for a batch of %d lines (first id=%s); nothing written for it",
            len(records),
            records[0].get("id") if records else None,
        )
        raise RedactionError(f"redaction failed: {type(exc).__name__}") from exc
    out.write("\n".join(lines) + "\n")
