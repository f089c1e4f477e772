"""Offline engine of `classify_job`: weighted cues from the taxonomy, softmax-calibrated confidence.

Cues, per job type (all in taxonomy.json / aiops.toml): the verb that opens the job's headline
sentence (its main effect), keywords and phrases anywhere (stronger in the headline), key names
(field cues), regexes on raw values, and similarity to example payloads. Vocabulary a job merely
mentions scores lower than its headline verb and its structure, which is what the rubric asks:
label by the main effect, not by the nouns.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .features import Features, extract, normalize
from .models import Alternative, ClassifyResult
from .taxonomy import JobType, Taxonomy

MAX_ALTERNATIVES = 4
DESCRIPTION_ONLY_WEIGHT = 1.5


@lru_cache(maxsize=4096)
def _phrase_re(phrase: str) -> re.Pattern[str]:
    """A keyword over normalized text: words separated by spaces, '*' = any word ending."""
    prefix = phrase.endswith("*")
    words = normalize(phrase.rstrip("*")).split()
    body = r"\s".join(re.escape(w) for w in words)
    # `?` in a keyword (unreali?ed) means one optional letter
    body = body.replace(r"\?", "?") if "?" in phrase else body
    return re.compile(r"\b" + body + (r"\w*" if prefix else r"\b"))


@lru_cache(maxsize=4096)
def _value_re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


@dataclass
class _Score:
    total: float = 0.0
    hits: list[tuple[float, str]] = field(default_factory=list)

    def add(self, weight: float, why: str) -> None:
        if weight:
            self.total += weight
            self.hits.append((weight, why))


def _key_matches(cue: str, keys: list[str]) -> bool:
    cue_words = cue.lower().split("_")
    n = len(cue_words)
    for key in keys:
        words = key.split("_")
        if any(words[i : i + n] == cue_words for i in range(len(words) - n + 1)):
            return True
    return False


def _example_tokens(jt: JobType, tax: Taxonomy) -> list[set[str]]:
    if jt._example_tokens is None:  # computed once per loaded taxonomy
        s = tax.settings
        jt._example_tokens = [
            extract(ex, s.headline_keys, s.ignore_keys, s.envelope_keys).tokens for ex in jt.examples
        ]
    return jt._example_tokens


PAREN_RE = re.compile(r"\([^)]*\)")
CLAUSE_RE = re.compile(r",?\s+(?:and then|then|and)\s+|;\s*")


@dataclass(frozen=True)
class _Headline:
    lead: str  # first words, normalized
    min_lead_words: int  # a hyphenated first word ("Close-status") is a modifier, not a verb
    segment: str  # normalized first phrase, up to the first preposition or clause break
    clauses: tuple[str, ...]  # normalized text after each "and" / "then" / ";"


def _headline(f: Features, breaks: list[str]) -> _Headline:
    raw = PAREN_RE.sub(" ", f.headline_raw)
    first = raw.split()[0] if raw.split() else ""
    low = f" {raw.lower()} "
    cut = min((i for i in (low.find(b, 1) for b in breaks) if i > 0), default=len(low))
    return _Headline(
        lead=" ".join(f.headline.split()[:3]),
        min_lead_words=len(normalize(first).split()) if "-" in first else 1,
        segment=normalize(low[:cut]),
        clauses=tuple(normalize(c) for c in CLAUSE_RE.split(raw.lower())[1:] if c.strip()),
    )


def _score(f: Features, jt: JobType, tax: Taxonomy) -> _Score:
    s = tax.settings
    sc = _Score()
    head = f.headline
    hl = _headline(f, s.segment_breaks)
    best_verb = 0.0
    best_why = ""
    for verb, w in jt.lead_verbs.items():
        m = _phrase_re(verb).search(hl.lead)
        if m and m.start() == 0 and len(m.group(0).split()) >= hl.min_lead_words and w > best_verb:
            best_verb, best_why = w, f"headline opens with '{m.group(0)}'"
    sc.add(best_verb * s.lead_verb_factor, best_why)
    # later clauses ("prepare and file ...", "... then post") weigh less than the opening verb
    best_next, next_why = 0.0, ""
    for clause in hl.clauses:
        for verb, w in jt.lead_verbs.items():
            m = _phrase_re(verb).match(clause)
            if m and w > best_next:
                best_next, next_why = w, f"then '{m.group(0)}'"
    sc.add(best_next * s.clause_verb_factor, next_why)
    # noun-phrase headlines ("Trial balance export for ...") name their deliverable last
    best_noun, noun_why = 0.0, ""
    for noun, w in jt.head_nouns.items():
        m = _phrase_re(noun).search(hl.segment)
        if m and m.end() == len(hl.segment) and w > best_noun:
            best_noun, noun_why = w, f"headline is a '{m.group(0)}'"
    sc.add(best_noun * s.head_noun_factor, noun_why)
    # strongest keywords first; a word already credited (accrual / accru*) is not counted twice
    credited: set[tuple[str, int]] = set()
    for kw, w in sorted(jt.keywords.items(), key=lambda kv: -kv[1]):
        rx = _phrase_re(kw)
        for where, text, factor, label in (
            ("h", head, s.headline_factor, "headline says"),
            ("t", f.text, 1.0, "mentions"),
            # a word in a key name is also a field cue's business: it counts, but less
            ("k", f.key_text, s.key_keyword_factor, "key says"),
        ):
            m = rx.search(text) if text else None
            if m is None:
                continue
            if (where, m.start()) not in credited:
                credited.add((where, m.start()))
                sc.add(w * factor, f"{label} '{kw.rstrip('*')}'")
            break
    for cue, w in jt.field_cues.items():
        if _key_matches(cue, f.keys):
            sc.add(w, f"field '{cue}'")
    for vp in jt.value_patterns:
        rx = _value_re(vp.pattern)
        hit = next((v for v in f.values if rx.search(v)), None)
        if hit is not None:
            sc.add(vp.weight, f"value '{hit[:40]}'")
    if jt.examples and s.example_weight and f.tokens:
        best = 0.0
        for toks in _example_tokens(jt, tax):
            if toks:
                best = max(best, len(f.tokens & toks) / len(f.tokens | toks))
        sc.add(round(best * s.example_weight, 3), f"resembles an example ({best:.2f})")
    # a team type given only a description still gets a say: its words act as weak keywords
    bare = not (jt.keywords or jt.lead_verbs or jt.head_nouns or jt.field_cues or jt.value_patterns)
    weight = s.description_weight or (DESCRIPTION_ONLY_WEIGHT if bare else 0.0)
    if weight and jt.description:
        words = {w for w in normalize(jt.description).split() if len(w) > 4}
        overlap = len(words & f.tokens)
        sc.add(weight * overlap, f"{overlap} words of the description")
    return sc


def _softmax(scores: dict[str, float], temperature: float) -> dict[str, float]:
    top = max(scores.values())
    exp = {k: math.exp((v - top) / temperature) for k, v in scores.items()}
    z = sum(exp.values())
    return {k: v / z for k, v in exp.items()}


def classify(payload: dict, taxonomy: Taxonomy, job_types: list[str] | None = None) -> ClassifyResult:
    """Label a job payload with one job type of the taxonomy (restricted to `job_types` if given)."""
    names = taxonomy.names()
    if job_types:
        unknown = [t for t in job_types if t not in taxonomy.job_types]
        if unknown:
            raise ValueError(f"unknown job type(s) {unknown}; known: {', '.join(names)}")
        names = [n for n in names if n in set(job_types)]
    s = taxonomy.settings
    f = extract(payload or {}, s.headline_keys, s.ignore_keys, s.envelope_keys)
    scores = {n: _score(f, taxonomy.job_types[n], taxonomy) for n in names}
    if len(names) == 1:
        only = names[0]
        return ClassifyResult(job_type=only, confidence=1.0, reason="the only candidate job type")
    totals = sorted((sc.total for sc in scores.values()), reverse=True)
    # When a second type has strong cues too (the payload mentions another type's nouns), the
    # margin alone overstates certainty: widen the distribution in proportion to that conflict.
    conflict = max(totals[1], 0.0) / totals[0] if totals[0] > 0 else 1.0
    probs = _softmax(
        {n: sc.total for n, sc in scores.items()}, s.temperature * (1 + s.conflict_factor * conflict)
    )
    ranked = sorted(names, key=lambda n: (-probs[n], names.index(n)))
    best = ranked[0]
    if scores[best].total <= 0:
        return ClassifyResult(
            job_type=best,
            confidence=round(1 / len(names), 3),
            reason="no cue of any job type in the payload",
            alternatives=[Alternative(job_type=n, confidence=round(1 / len(names), 3)) for n in ranked[1:]][
                :MAX_ALTERNATIVES
            ],
        )
    whys = list(dict.fromkeys(why for _, why in sorted(scores[best].hits, reverse=True)))[:4]
    reason = f"{best}: " + "; ".join(whys)
    runner = ranked[1]
    if probs[runner] > 0.1 and scores[runner].hits:
        r_why = sorted(scores[runner].hits, reverse=True)[0][1]
        reason += f" (against {runner}: {r_why})"
    return ClassifyResult(
        job_type=best,
        confidence=round(probs[best], 3),
        reason=reason,
        alternatives=[Alternative(job_type=n, confidence=round(probs[n], 3)) for n in ranked[1:]][
            :MAX_ALTERNATIVES
        ],
    )
