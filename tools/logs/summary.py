"""`LogSummarizer`: the offline engine of `summarize_logs`, streaming, memory bounded by templates."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from .header import LEVELS, level_of, parse_timestamp
from .masking import VAR
from .models import LogSummary
from .parser import LogParser, ParsedLine
from .report import build_summary
from .stats import RateCounter, Slot, number_of, slots_of, token_values

EXAMPLE_CHARS = 300
PROGRESS_EVERY = 5000
_LEVEL_WORDS = {
    "warn": "WARNING", "warning": "WARNING", "error": "ERROR", "err": "ERROR", "fatal": "CRITICAL",
    "critical": "CRITICAL", "crit": "CRITICAL", "info": "INFO", "debug": "DEBUG", "trace": "TRACE",
    "failed": "ERROR", "failure": "ERROR", "dead": "ERROR", "panic": "CRITICAL", "notice": "INFO",
}  # fmt: skip


def normalize_level(level: str | None) -> str | None:
    """A level (or job status) given by the caller, as one of LEVELS."""
    if not level:
        return None
    up = level.strip().upper()
    if up in LEVELS:
        return up
    return level_of(up) or _LEVEL_WORDS.get(level.strip().lower())


@dataclass
class TemplateStats:
    """What the summary keeps per template: counts, levels, line span, example and its numbers."""

    count: int = 0
    levels: Counter[str] = field(default_factory=Counter)
    first_line: int = 0
    last_line: int = 0
    example: str = ""
    first_ts: datetime | None = None
    last_ts: datetime | None = None
    tokens: list[str] | None = None
    slots: list[Slot] = field(default_factory=list)
    patterns: dict[int, re.Pattern[str] | None] = field(default_factory=dict)
    guessed_level: str | None = None

    def bind(self, tokens: list[str]) -> None:
        """(Re)derive the variable slots when the template's tokens are new or were widened."""
        old = {(s.token, s.part): s for s in self.slots} if self.tokens is not None else {}
        kept_tokens = self.tokens or []
        self.tokens = tokens
        fresh = slots_of(tokens)
        self.slots = [
            old.get((s.token, s.part), s)
            if s.token < len(kept_tokens) and kept_tokens[s.token] == tokens[s.token]
            else s
            for s in fresh
        ]
        self.patterns = {
            i: re.compile("(.*?)".join(re.escape(p) for p in t.split(VAR)), re.S) if t != VAR else None
            for i, t in enumerate(tokens)
            if VAR in t
        }


class LogSummarizer:
    """Feed lines one by one (raw text lines, or messages with their own timestamp/level); then `result()`.

    Raw lines go through header detection (level and timestamp are read from the header); messages fed
    with a timestamp or level (rows from a database) are taken as the message itself.
    """

    def __init__(self, *, content_only: bool | None = None, batch_size: int = 5000) -> None:
        self.content_only = content_only
        self.batch_size = batch_size
        self.parser: LogParser | None = None
        self.templates: dict[int, TemplateStats] = {}
        self.rate = RateCounter()
        self.levels: Counter[str] = Counter()
        self.lines_in = 0
        self.first_ts: datetime | None = None
        self.last_ts: datetime | None = None
        self._buffer: list[tuple[str, datetime | None, str | None]] = []

    def feed(self, line: str, *, timestamp: datetime | None = None, level: str | None = None) -> None:
        self._buffer.append((line.rstrip("\r\n"), timestamp, level))
        self.lines_in += 1
        if len(self._buffer) >= self.batch_size:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        if self.parser is None:
            content_only = self.content_only
            if content_only is None:
                content_only = any(ts is not None or lv is not None for _, ts, lv in self._buffer)
            self.parser = LogParser(content_only=content_only, batch_size=self.batch_size)
        buf, self._buffer = self._buffer, []
        parsed = self.parser.parse_batch([b[0] for b in buf])
        for p, (_, ts, lv) in zip(parsed, buf, strict=True):
            self._account(p, ts, normalize_level(lv))

    def _account(self, p: ParsedLine, ts: datetime | None, level: str | None) -> None:
        assert self.parser is not None
        if ts is None and p.header:
            ts = parse_timestamp(p.header)
        st = self.templates.get(p.template_id)
        if st is None:
            st = self.templates[p.template_id] = TemplateStats(
                first_line=p.number, example=p.message[:EXAMPLE_CHARS]
            )
            st.first_ts = ts
            # a level word opening the message ("ERROR: ...") is shared by the template's lines
            st.guessed_level = _guess_level(p.message)
        level = level or p.level or st.guessed_level
        tmpl = self.parser.miner.templates[p.template_id]
        if st.tokens is not tmpl.tokens:
            st.bind(tmpl.tokens)
        st.count += 1
        st.last_line = p.number
        if level:
            st.levels[level] += 1
            self.levels[level] += 1
        if ts is not None:
            st.first_ts = st.first_ts or ts
            st.last_ts = ts
            self.first_ts = self.first_ts or ts
            self.last_ts = ts
            self.rate.add(ts, p.template_id, level in ("ERROR", "CRITICAL"))
        if st.slots and not all(s.dead for s in st.slots):
            self._numbers(st, p)

    @staticmethod
    def _numbers(st: TemplateStats, p: ParsedLine) -> None:
        toks = p.message.split()
        assert st.tokens is not None
        if len(toks) != len(st.tokens):
            return
        values: dict[int, list[str] | None] = {}
        for slot in st.slots:
            if slot.dead:
                continue
            if slot.token not in values:
                values[slot.token] = token_values(
                    st.tokens[slot.token], st.patterns.get(slot.token), toks[slot.token]
                )
            parts = values[slot.token]
            if parts is None or slot.part >= len(parts):
                continue
            num = number_of(parts[slot.part])
            if num is None:
                slot.non_numeric += 1
            else:
                slot.values.add(num[0], p.number)
                if num[1]:
                    slot.units[num[1].lower()] += 1
            if slot.values.count + slot.non_numeric == slot.JUDGE_AFTER:
                slot.judge()

    def result(self, max_patterns: int = 50) -> LogSummary:
        """The summary of everything fed so far (feeding may continue afterwards)."""
        self._flush()
        texts = {tid: self.parser.template(tid) for tid in self.templates} if self.parser else {}
        return build_summary(self, texts, max_patterns)


def _guess_level(message: str) -> str | None:
    """A level word at the start of a message ("ERROR: ...", "[warn] ...") when no header gave one."""
    for tok in message.split(None, 3)[:3]:
        lvl = level_of(tok)
        if lvl:
            return lvl
    return None


def summarize(
    lines: Iterable[str], *, max_patterns: int = 50, progress: Callable[[int], None] | None = None
) -> LogSummary:
    """Summarise raw log lines; `progress(n)` is called every ~5,000 lines with the count so far."""
    s = LogSummarizer()
    for n, line in enumerate(lines, 1):
        s.feed(line)
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
    return s.result(max_patterns=max_patterns)
