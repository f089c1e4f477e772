"""`aiops-mcp logs parse [FILE|-] [--content-only]`: one JSON object per input line, in order."""

from __future__ import annotations

import json
from typing import TextIO

from .parser import LogParser


def run_parse(inp: TextIO, out: TextIO, *, content_only: bool) -> None:
    """Write {"template_id", "template"} per input line as JSONL; variables are `<*>`.

    `template` covers the message (the header found in raw mode is not part of it); raw mode also
    writes it as `content_template`, the field the LogHub scorer reads for parsing accuracy.
    """
    parser = LogParser(content_only=content_only)
    write = out.write
    dumps = json.dumps
    batch: list[str] = []

    def flush() -> None:
        for p in parser.parse_batch(batch):
            t = parser.template(p.template_id)
            rec = {"template_id": str(p.template_id), "template": t}
            if not content_only:
                rec["content_template"] = t
            write(dumps(rec) + "\n")
        batch.clear()

    for line in inp:
        batch.append(line.rstrip("\r\n"))
        if len(batch) >= parser.batch_size:
            flush()
    if batch:
        flush()
    out.flush()
