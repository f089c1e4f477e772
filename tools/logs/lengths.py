"""Joining clusters whose templates differ only in the length of a variable.

Clustering works per token count, so a value that spans a varying number of tokens (a quoted tag with
spaces, a list of stack frames, a list of addresses) splits one event into several clusters. Two
clusters of different lengths are the same event when they share their leading and trailing tokens
(at least two of them with text) and what lies between is either (a) one variable token in the shorter
that matches the longer's tokens joined by spaces, or (b) variable-only tokens on both sides (only
placeholders and punctuation). The family is shown with one `<*>` for the varying part.
"""

from __future__ import annotations

import re
from collections import defaultdict

from .clustering import Cluster
from .masking import VAR

# comparisons per first-token bucket: keeps the pass linear-ish on logs with thousands of clusters
MAX_PAIRS = 20_000
_PUNCT_ONLY = re.compile(r"^[\x00\W]*$")


def _pattern(token: str) -> re.Pattern[str]:
    return re.compile(".+?".join(re.escape(p) for p in token.split(VAR)), re.S)


def _affixes(a: list[str], b: list[str]) -> tuple[int, int]:
    n = min(len(a), len(b))
    p = 0
    while p < n and a[p] == b[p]:
        p += 1
    s = 0
    while s < n - p and a[-1 - s] == b[-1 - s]:
        s += 1
    return p, s


def _variable_only(tokens: list[str]) -> bool:
    return bool(tokens) and all(VAR in t and _PUNCT_ONLY.match(t) for t in tokens)


def same_event(short: list[str], long: list[str]) -> list[str] | None:
    """The joint template of two templates of different lengths, or None when they are different events."""
    p, s = _affixes(short, long)
    # shared tokens that carry text ("lock=<*>," counts, a bare <*> does not)
    anchors = sum(1 for t in short[:p] + short[len(short) - s :] if t != VAR)
    if anchors < 2:
        return None
    if p + s == len(short) and p > 0 and _variable_only(short[p - 1 : p]):
        # the shorter is the longer cut short: its last shared variable is where the list grows
        p -= 1
    mid_s = short[p : len(short) - s]
    mid_l = long[p : len(long) - s]
    # a value spanning a few words; at the very end only when short, or a trailing <*> eats any message
    if (
        len(mid_s) == 1
        and VAR in mid_s[0]
        and (s > 0 or len(mid_l) <= 2)
        and len(mid_l) - len(mid_s) <= 4
        and _pattern(mid_s[0]).fullmatch(" ".join(mid_l))
    ):
        return short
    if _variable_only(mid_s) and _variable_only(mid_l):
        return [*short[:p], VAR, *short[len(short) - s :]]
    return None


def merge_lengths(clusters: list[Cluster]) -> list[list[Cluster]]:
    """Families of clusters that are one event (most families have one member)."""
    parent = list(range(len(clusters)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    display: dict[int, list[str]] = {}
    by_first: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(clusters):
        if c.template:
            by_first[c.template[0]].append(i)
    for idxs in by_first.values():
        if len({len(clusters[i].template) for i in idxs}) < 2:
            continue
        idxs.sort(key=lambda i: len(clusters[i].template))
        budget = MAX_PAIRS
        for a_pos, a in enumerate(idxs):
            for b in idxs[a_pos + 1 :]:
                budget -= 1
                if budget < 0:
                    break
                ta, tb = clusters[a].template, clusters[b].template
                # two anchors with one shared first token need the second or the last token shared too
                if (
                    len(ta) == len(tb)
                    or len(ta) < 2
                    or (ta[1] != tb[1] and ta[-1] != tb[-1])
                    or find(a) == find(b)
                ):
                    continue
                joint = same_event(ta, tb)
                if joint is None:
                    continue
                ra, rb = find(a), find(b)
                keep = display.get(ra, joint)
                parent[rb] = ra
                display[ra] = keep if len(keep) <= len(joint) else joint
    families: dict[int, list[Cluster]] = defaultdict(list)
    for i, c in enumerate(clusters):
        families[find(i)].append(c)
    out = []
    for root, members in families.items():
        if len(members) > 1:
            members[0].display = display.get(root, members[0].template)
        out.append(members)
    return out
