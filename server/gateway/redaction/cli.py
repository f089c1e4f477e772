"""`aiops-mcp redact [FILE|-] [--jsonl]`: the redaction engine as a filter on a stream."""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import islice
from json.encoder import encode_basestring  # the C string encoder (ensure_ascii=False form)
from typing import TextIO

from . import engine
from .vault import RedactionError, Vault, redact_once

_encode = json.JSONEncoder(ensure_ascii=False).encode  # ids that are not strings (numbers, null ...)
_BATCH = 2048  # lines parsed and scanned together: one json call and one pass per detector family per batch

Warn = Callable[[str], None]


def run_redact(inp: TextIO, out: TextIO, *, jsonl: bool, warn: Warn | None = None) -> int:
    """Plain mode: redact the whole input as one text. --jsonl: {"id","text"} per line in, same out.

    Each JSONL line is its own call (its own vault, its own numbering); lines are scanned in batches
    (engine.find_spans_many). A line that is not a JSON object is skipped with a warning naming its line
    number (never its content: it may hold the very secret). A line whose redaction fails is not written
    (fail closed); the other lines of its batch still are. Returns the number of lines skipped for bad
    input; raises RedactionError at the end if any line failed redaction, after writing all the others.
    """
    if not jsonl:
        out.write(Vault().redact(inp.read()))
        out.flush()
        return 0
    say = warn or (lambda _msg: None)
    skipped = failed = 0
    first = 1  # line number of the chunk's first line
    lines = iter(inp)
    while True:
        chunk = list(islice(lines, _BATCH))
        if not chunk:
            break
        raw = [line for line in chunk if line.strip()]
        numbers = _Numbers(chunk, first)
        first += len(chunk)
        records, kept, bad = _parse(raw)
        for k, why in bad:
            say(f"line {numbers[k]}: skipped, {why}")
        skipped += len(bad)
        if records:
            failed += _flush(records, [raw[k] for k in kept] if bad else raw, out, say, numbers, kept)
    out.flush()
    if failed:
        raise RedactionError(f"redaction failed on {failed} line(s); nothing was written for them")
    return skipped


class _Numbers:
    """Input line numbers of a chunk's non-blank lines, worked out only when a message needs one."""

    def __init__(self, chunk: list[str], first: int) -> None:
        self._chunk, self._first = chunk, first
        self._nums: list[int] | None = None

    def __getitem__(self, k: int) -> int:
        if self._nums is None:
            self._nums = [self._first + i for i, line in enumerate(self._chunk) if line.strip()]
        return self._nums[k]


_EXPECTED = 'expected {"id": ..., "text": ...}'


def _parse(lines: list[str]) -> tuple[list[dict[str, object]], list[int], list[tuple[int, str]]]:
    """All lines of a batch in one json.loads call (the per-call overhead dominates ~100-byte lines).

    Returns the records, the indexes of the lines they came from and (index, reason) for lines that are
    not JSON objects; those are found by parsing line by line, only when the batch as a whole does not."""
    try:
        got = json.loads("[" + ",".join(lines) + "]")
        if len(got) == len(lines) and all(type(r) is dict for r in got):
            return got, list(range(len(lines))), []
    except ValueError:
        pass
    records: list[dict[str, object]] = []
    kept: list[int] = []
    bad: list[tuple[int, str]] = []
    for k, line in enumerate(lines):
        try:
            r = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append((k, f"not JSON ({exc.msg} at column {exc.colno}); {_EXPECTED}"))
            continue
        if type(r) is not dict:
            bad.append((k, f"a JSON {type(r).__name__}, not an object; {_EXPECTED}"))
            continue
        records.append(r)
        kept.append(k)
    return records, kept, bad


def _text_of(r: dict[str, object]) -> str:
    t = r.get("text")
    return t if isinstance(t, str) else ("" if t is None else str(t))


def _answers(
    records: list[dict[str, object]],
    texts: list[str],
    found: list[list[tuple[int, int, str]]],
    raw: list[str],
) -> list[str]:
    return [
        # nothing found in a plain {"id", "text"} line: the line is already its own answer (most log lines
        # hold no secret; re-encoding them would cost more than finding that out)
        line.strip()
        if not spans and len(r) == 2 and "id" in r and type(r.get("text")) is str
        else '{"id": '
        + (encode_basestring(i) if isinstance(i := r.get("id"), str) else _encode(i))
        + ', "text": '
        + encode_basestring(redact_once(t, spans))
        + "}"
        for r, t, spans, line in zip(records, texts, found, raw, strict=True)
    ]


def _flush(
    records: list[dict[str, object]],
    raw: list[str],
    out: TextIO,
    say: Warn,
    numbers: _Numbers,
    kept: list[int],
) -> int:
    """Write the batch's answers; returns how many lines failed redaction (and were not written)."""
    texts = [_text_of(r) for r in records]
    failed = 0
    try:
        lines = _answers(records, texts, engine.find_spans_many(texts), raw)
    except Exception:
        # one line broke the batch: redo it line by line so that only the failing lines go unwritten
        lines = []
        for r, t, line, k in zip(records, texts, raw, kept, strict=True):
            try:
                lines += _answers([r], [t], [engine.find_spans(t)], [line])
            except Exception as exc:  # fail closed: nothing of this line is written
                failed += 1
                say(f"line {numbers[k]}: redaction failed ({type(exc).__name__}); nothing written for it")
    if lines:
        out.write("\n".join(lines) + "\n")
    return failed
