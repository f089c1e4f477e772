"""Streaming template miner: a digit-free key cache, template matching, and batch clustering of the rest.

Memory is bounded by the number of templates (plus one batch and bounded caches), never by the number
of lines: lines are processed in batches; each line is first looked up by its text without digits,
then (masked) matched against known templates of the same token count; only unmatched lines of a
batch are clustered (clustering.py, lengths.py), and the new clusters either generalise a compatible
known template or become new templates. Template ids are stable once given.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .clustering import cluster
from .lengths import merge_lengths
from .masking import VAR, collapse_lists, common_prefix, generalize, looks_variable, mask, render

CACHE_LIMIT = 50_000
_HAS_DIGIT = re.compile(r"\d").search
_DIGITS = b"0123456789"


@dataclass
class Template:
    id: int
    tokens: list[str]
    count: int = 0
    _patterns: list[re.Pattern[str] | None] | None = field(default=None, repr=False)
    display: list[str] | None = None
    """Shown instead of `tokens` when the template covers several token counts (see lengths.py)."""

    def _compile(self) -> list[re.Pattern[str] | None]:
        # compiled on first use: most templates of a batch are never matched against later lines
        self._patterns = [
            re.compile(".*?".join(re.escape(p) for p in t.split(VAR)), re.S)
            if VAR in t and t != VAR
            else None
            for t in self.tokens
        ]
        return self._patterns

    @property
    def text(self) -> str:
        return render(" ".join(collapse_lists(self.display if self.display is not None else self.tokens)))

    def patterns(self) -> list[re.Pattern[str] | None]:
        return self._patterns if self._patterns is not None else self._compile()

    def matches(self, toks: list[str] | tuple[str, ...]) -> bool:
        pats = self._patterns if self._patterns is not None else self._compile()
        # a template without any text ("<*> <*>") must not swallow new wording of the same length
        anchorless = all(t == VAR for t in self.tokens)
        for t, tt, pat in zip(toks, self.tokens, pats, strict=False):
            if t == tt:
                continue
            if tt == VAR:
                if anchorless and not looks_variable(t):
                    return False
                continue
            if pat is None or not pat.fullmatch(t):
                return False
        return True

    def absorb(self, other_tokens: list[str]) -> None:
        """Widen this template so it also covers `other_tokens` (same length)."""
        self.tokens = [
            a if a == b else generalize([a, b]) for a, b in zip(self.tokens, other_tokens, strict=False)
        ]
        self._patterns = None


def _compatible(known: Template, b: list[str]) -> bool:
    """A new template (of a later batch) is the known one seen with other values.

    They may differ only in a minority of positions, each one data on both sides: the known token's
    variable pattern covers the new token, or both look like data, or both are values of one named field.
    """
    pats = known.patterns()
    differ = 0
    for x, y, pat in zip(known.tokens, b, pats, strict=True):
        if x == y:
            continue
        differ += 1
        if x == VAR or y == VAR or (pat is not None and pat.fullmatch(y)):
            continue
        if "=" in common_prefix([x, y]):
            continue
        if not (looks_variable(x) and looks_variable(y)) or generalize([x, y]) == VAR:
            return False
    a = known.tokens
    constant = sum(1 for x in a if x != VAR)
    return differ * 2 <= constant


class TemplateMiner:
    """Assigns a template id to each message; feed it messages in batches (or one by one via `mine`)."""

    def __init__(self, batch_size: int = 5000) -> None:
        self.batch_size = batch_size
        self.templates: dict[int, Template] = {}
        self._by_len: dict[int, list[Template]] = defaultdict(list)
        self._cache: dict[bytes, int] = {}
        self._token_cache: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.templates)

    def template_text(self, tid: int) -> str:
        return self.templates[tid].text

    def _new_template(self, tokens: list[str], known_before: int) -> Template:
        # only templates of earlier batches: clusters of one batch were kept apart on purpose
        for known in self._by_len[len(tokens)]:
            if known.id <= known_before and _compatible(known, tokens):
                known.absorb(tokens)
                return known
        t = Template(len(self.templates) + 1, tokens)
        self.templates[t.id] = t
        self._by_len[len(tokens)].append(t)
        return t

    def _lookup(self, masked: str) -> int | None:
        toks = masked.split()
        for t in self._by_len.get(len(toks), ()):
            if t.matches(toks):
                return t.id
        return None

    def add_batch(self, messages: list[str]) -> list[int]:
        """Template ids of `messages`, in order.

        Lines are first keyed by their text with digits removed: lines with one key differ only in
        numbers, so one template serves them all, and masking/matching runs once per key instead of once
        per line (this is what makes the miner several times faster than tree-based parsers). The first
        and the last line of each key are both clustered, so a word that varies inside a key (host12 vs
        host7) still shows up as a variable.
        """
        cache = self._cache
        # bytes.translate is the cheapest way to drop digits in CPython (~0.3 us a line)
        keys = [m.encode("utf-8", "surrogateescape").translate(None, _DIGITS) for m in messages]
        # resolved keys of this batch; the cache across batches may be cleared at any time
        tid_of: dict[bytes, int] = {}
        first: dict[bytes, str] = {}
        last: dict[bytes, str] = {}
        weight: dict[bytes, int] = defaultdict(int)
        for k, m in zip(keys, messages, strict=False):
            if k in tid_of:
                continue
            tid = cache.get(k)
            if tid is not None:
                tid_of[k] = tid
                continue
            if k not in first:
                first[k] = m
            last[k] = m
            weight[k] += 1
        pending: dict[tuple[str, ...], int] = defaultdict(int)
        waiting: dict[bytes, tuple[str, ...]] = {}
        for k, m in first.items():
            masked = mask(m, self._token_cache)
            tid = self._lookup(masked)
            if tid is not None:
                tid_of[k] = tid
                self._remember(k, tid)
                continue
            toks = tuple(masked.split())
            waiting[k] = toks
            n = weight[k]
            other = last[k]
            # lines of one key differ only in digits; that matters only where masking kept digits
            if other is not m and n > 1 and _HAS_DIGIT(masked) and other != m:
                pending[tuple(mask(other, self._token_cache).split())] += 1
                n -= 1
            pending[toks] += n
        if pending:
            member_tid: dict[tuple[str, ...], int] = {}
            known_before = len(self.templates)
            for family in merge_lengths(cluster(pending)):
                head = family[0]
                t = self._new_template(head.template, known_before)
                if head.display is not None:
                    t.display = head.display
                for c in family:
                    if c is not head:
                        # the other lengths match lines but share the head's id and text
                        self._by_len[len(c.template)].append(Template(t.id, c.template))
                    for member in c.members:
                        member_tid[member] = t.id
            for k, toks in waiting.items():
                tid_of[k] = member_tid[toks]
                self._remember(k, tid_of[k])
        out = [tid_of[k] for k in keys]
        templates = self.templates
        for tid, n in Counter(out).items():
            templates[tid].count += n
        return out

    def _remember(self, key: bytes, tid: int) -> None:
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = tid

    def mine(self, messages: Iterable[str]) -> Iterator[tuple[str, int]]:
        """(message, template id) for each message, in order, processed batch by batch."""
        batch: list[str] = []
        for m in messages:
            batch.append(m)
            if len(batch) >= self.batch_size:
                yield from zip(batch, self.add_batch(batch), strict=False)
                batch = []
        if batch:
            yield from zip(batch, self.add_batch(batch), strict=False)
