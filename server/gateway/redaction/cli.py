"""`aiops-mcp redact [FILE|-] [--jsonl]`: the redaction engine as a filter on a stream."""

from __future__ import annotations

import json
import logging
from typing import TextIO

from .vault import Vault

log = logging.getLogger(__name__)


def run_redact(inp: TextIO, out: TextIO, *, jsonl: bool) -> None:
    """Plain mode: redact the whole input as one text. --jsonl: {"id","text"} per line in, same out.

    Each JSONL line is its own call (its own vault). A line that fails to redact is not written
    (fail closed) and the error is re-raised after logging its id.
    """
    if not jsonl:
        out.write(Vault().redact(inp.read()))
        out.flush()
        return
    dumps, loads = json.dumps, json.loads
    write = out.write
    for line in inp:
        if not line.strip():
            continue
        rec = loads(line)
        text = rec.get("text")
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        try:
            red = Vault().redact(text)
        except Exception:
            log.error("redaction failed for id=%s; nothing written for it", rec.get("id"))
            raise
        write(dumps({"id": rec.get("id"), "text": red}, ensure_ascii=False) + "\n")
    out.flush()
