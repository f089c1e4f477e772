"""Raw or content lines in, (line, template id) out: header detection plus the template miner, streamed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .header import HeaderLayout, learn_layout
from .miner import TemplateMiner


@dataclass(slots=True)
class ParsedLine:
    number: int
    """1-based line number in the input."""
    header: str
    message: str
    level: str | None
    template_id: int


class LogParser:
    """Streams lines through header detection (raw mode) and the template miner, batch by batch.

    In raw mode the header layout is learned from the first batch and kept for the whole stream.
    Memory holds one batch plus the miner's templates and bounded caches.
    """

    def __init__(self, *, content_only: bool = False, batch_size: int = 5000) -> None:
        self.content_only = content_only
        self.miner = TemplateMiner(batch_size=batch_size)
        self.batch_size = batch_size
        self.layout: HeaderLayout | None = None
        self._count = 0

    def _split(self, batch: list[str]) -> list[tuple[str, str, str | None]]:
        if self.content_only:
            return [("", ln, None) for ln in batch]
        if self.layout is None:
            self.layout = learn_layout(batch)
        split = self.layout.split
        return [split(ln) for ln in batch]

    def parse_batch(self, batch: list[str]) -> list[ParsedLine]:
        """Parse lines (without line terminators) continuing the numbering of earlier batches."""
        start = self._count
        self._count += len(batch)
        if self.content_only:
            ids = self.miner.add_batch(batch)
            return [
                ParsedLine(start + i, "", m, None, t)
                for i, (m, t) in enumerate(zip(batch, ids, strict=True), 1)
            ]
        parts = self._split(batch)
        ids = self.miner.add_batch([p[1] for p in parts])
        return [
            ParsedLine(start + i, h, m, lv, t)
            for i, ((h, m, lv), t) in enumerate(zip(parts, ids, strict=True), 1)
        ]

    def parse(self, lines: Iterable[str]) -> Iterator[ParsedLine]:
        batch: list[str] = []
        for ln in lines:
            batch.append(ln.rstrip("\r\n"))
            if len(batch) >= self.batch_size:
                yield from self.parse_batch(batch)
                batch = []
        if batch:
            yield from self.parse_batch(batch)

    def template(self, template_id: int) -> str:
        return self.miner.template_text(template_id)
