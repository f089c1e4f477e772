"""`aiops-mcp redact [FILE|-] [--jsonl]`: the redaction engine as a filter on a stream."""

from __future__ import annotations

import json
import logging
from typing import TextIO

from .engine import find_spans_many
from .vault import RedactionError, Vault

_encode = json.JSONEncoder(
    ensure_ascii=False
).encode  # one encoder, not one per line as json.dumps(...) makes
_BATCH = 256  # lines scanned together: one pass per detector family per batch

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
    batch: list[dict[str, object]] = []
    for line in inp:
        if line.strip():
            batch.append(json.loads(line))
            if len(batch) >= _BATCH:
                _flush(batch, out)
                batch = []
    if batch:
        _flush(batch, out)
    out.flush()


def _flush(batch: list[dict[str, object]], out: TextIO) -> None:
    texts = [r.get("text") for r in batch]
    texts = [t if isinstance(t, str) else ("" if t is None else str(t)) for t in texts]
    try:
        found = find_spans_many(texts)
        lines = [
            _encode({"id": r.get("id"), "text": Vault().redact_found(t, spans)})
            for r, t, spans in zip(batch, texts, found, strict=True)
        ]
    except Exception as exc:
        log.error(
            "redaction failed for a batch of %d lines (first id=%s); nothing written for it",
            len(batch),
            batch[0].get("id"),
        )
        raise RedactionError(f"redaction failed: {type(exc).__name__}") from exc
    out.write("\n".join(lines) + "\n")
