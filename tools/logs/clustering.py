"""Batch clustering of masked messages: frequency-based common patterns, then column-wise splitting.

The idea follows Brain (Yu et al., 2023): within messages of one token count, a template's constant
words occur at the same position in every line of that template, so they share one frequency. For each
distinct message the frequency shared by the most words (ties: the higher one) marks its longest common
pattern, and messages with the same pattern form a candidate cluster. Each cluster is then refined column
by column: a column whose values look like data (digits, names with dots or slashes, key=value values,
many distinct words) becomes a variable; a column with a few plain words, different field names, or
values led by different words splits the cluster, because different wording means a different event
("... from file X: Bad file descriptor" vs "... Permission denied"). No per-system setting is involved.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from .masking import VAR, common_prefix, generalize, looks_variable

# A column of plain words with at most this many distinct values splits a cluster; more means data.
MAX_SPLIT_VALUES = 3


@dataclass
class Cluster:
    """Distinct masked messages (token tuples) that share one template."""

    members: list[tuple[str, ...]]
    template: list[str]
    display: list[str] | None = None
    """Set on the first cluster of a family of lengths: the template shown for all of them."""


def _lcp_key(toks: tuple[str, ...], cols: list[dict[str, int]]) -> tuple[tuple[int, str], ...]:
    fs = [col[t] if t != VAR else 0 for col, t in zip(cols, toks, strict=True)]
    counts = Counter(fs)
    counts.pop(0, None)
    if not counts:
        return ()
    best = max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
    return tuple((i, t) for i, (t, f) in enumerate(zip(toks, fs, strict=True)) if f == best)


# one word, filler punctuation, one value: "instruction......<*>", "threshold=<*>"
_LEAD_WORD = re.compile(r"^([A-Za-z]{2,})[^\w\x00]*\x00[^\w\x00]*$")
_WORD_STRIP = ".,;:()[]{}\"'"
_FIELD_NAME = re.compile(r"^([A-Za-z_][\w.\[\]]*)[=:]")


def _split_key(values: list[str], data_words: frozenset[str] = frozenset()) -> Callable[[str], str] | None:
    """How a column of differing values splits its cluster, or None when the column is a variable.

    Values of named fields ("uid=1", "uid=2") are data, but different field names are different events;
    words that look like data are data; words that vary in other events too (user names that show up
    in "Failed password for X" and "session opened for user X") are data; a few plain words are wording.
    """
    names = [_FIELD_NAME.match(v) for v in values]
    if all(names):
        if len({n.group(1) for n in names if n}) == 1:
            return None
        return lambda v: m.group(1) if (m := _FIELD_NAME.match(v)) else v
    # a column that holds a masked value in some line is a variable position ("chdir(<*>)", "chdir(pwd)"),
    # unless the word it starts with differs: "instruction...<*>" and "exception...<*>" are wording
    if any(VAR in v for v in values):
        leads = [_LEAD_WORD.match(v) for v in values]
        if all(leads) and 1 < len({m.group(1) for m in leads if m}) <= MAX_SPLIT_VALUES:
            return lambda v: m.group(1) if (m := _LEAD_WORD.match(v)) else v
        return None
    # "Surface(name=A)" / "Surface(name=B)": a shared prefix ending in a key is a named field too
    prefix = common_prefix(values)
    if "=" in prefix:
        return None
    if all(looks_variable(v) for v in values) or len(values) > MAX_SPLIT_VALUES:
        return None
    if sum(1 for v in values if v.strip(_WORD_STRIP) in data_words) >= 3:
        return None
    return lambda v: v


def _data_words(groups: list[tuple[list[tuple[str, ...]], int]]) -> frozenset[str]:
    """Words that vary inside two or more candidate clusters: values of variables, not wording."""
    seen: dict[str, set[int]] = defaultdict(set)
    for gid, (members, n_tok) in enumerate(groups):
        if len(members) < 2:
            continue
        for i in range(n_tok):
            vals = {m[i] for m in members}
            if 1 < len(vals) <= 64:
                for v in vals:
                    if VAR not in v:
                        seen[v.strip(_WORD_STRIP)].add(gid)
    return frozenset(w for w, gids in seen.items() if len(gids) >= 2 and w)


def _refine(members: list[tuple[str, ...]], n_tok: int, data_words: frozenset[str]) -> list[Cluster]:
    """Split on columns of few plain words; build the template of each resulting cluster."""
    stack = [members]
    done: list[Cluster] = []
    while stack:
        group = stack.pop()
        template: list[str] = []
        split_col = -1
        split_n = 0
        split_key: Callable[[str], str] | None = None
        for i in range(n_tok):
            vals = list({m[i] for m in group})
            if len(vals) == 1:
                template.append(vals[0])
                continue
            # a message's first word is its verb or subject: wording even when it recurs elsewhere
            key = None if VAR in vals else _split_key(vals, data_words if i > 0 else frozenset())
            if key is None:
                template.append(generalize(vals))
                continue
            n_parts = len({key(v) for v in vals})
            if split_key is None or n_parts < split_n:
                split_col, split_n, split_key = i, n_parts, key
            template.append(VAR)
        if split_key is not None:
            parts: dict[str, list[tuple[str, ...]]] = defaultdict(list)
            for m in group:
                parts[split_key(m[split_col])].append(m)
            stack.extend(parts.values())
        else:
            done.append(Cluster(group, template))
    return done


def cluster(counts: dict[tuple[str, ...], int]) -> list[Cluster]:
    """Cluster distinct masked token tuples (with their line counts) into templates."""
    by_len: dict[int, list[tuple[str, ...]]] = defaultdict(list)
    for toks in counts:
        by_len[len(toks)].append(toks)
    candidates: list[tuple[list[tuple[str, ...]], int]] = []
    for n_tok, msgs in by_len.items():
        # frequency of each word at each position, weighted by line counts
        cols: list[dict[str, int]] = [defaultdict(int) for _ in range(n_tok)]
        for m in msgs:
            c = counts[m]
            for col, t in zip(cols, m, strict=True):
                col[t] += c
        groups: dict[tuple, list[tuple[str, ...]]] = defaultdict(list)
        for m in msgs:
            groups[_lcp_key(m, cols)].append(m)
        candidates.extend((members, n_tok) for members in groups.values())
    data_words = _data_words(candidates)
    out: list[Cluster] = []
    for members, n_tok in candidates:
        out.extend(_refine(members, n_tok, data_words))
    return out
