"""What a payload says, flattened: key names, free text, raw values and its headline sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
NON_WORD_RE = re.compile(r"[^a-z0-9]+")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "this",
        "to",
        "with",
        "not",
        "no",
        "all",
        "each",
        "per",
        "via",
        "then",
        "than",
        "that",
        "these",
        "those",
        "its",
        "their",
        "our",
        "your",
    ]
)


def normalize(text: str) -> str:
    """`reverseOn`, `reverse-on`, `reverse_on` and `Reverse on` all become `reverse on`."""
    return NON_WORD_RE.sub(" ", CAMEL_RE.sub(" ", text).lower()).strip()


def snake(key: str) -> str:
    return normalize(key).replace(" ", "_")


@dataclass
class Features:
    keys: list[str] = field(default_factory=list)  # snake_case key names
    values: list[str] = field(default_factory=list)  # raw string values
    text: str = ""  # normalized values, ' | ' between items
    key_text: str = ""  # normalized key names
    headline: str = ""  # normalized first free-text sentence
    headline_raw: str = ""
    tokens: set[str] = field(default_factory=set)

    @property
    def first_words(self) -> str:
        return " ".join(self.headline.split()[:2])


def _is_sentence(value: str) -> bool:
    return len(value.split()) >= 3 and any(c.isalpha() for c in value)


def extract(
    payload: dict[str, Any], headline_keys: list[str], ignore_keys: list[str], envelope_keys: list[str]
) -> Features:
    ignore = {snake(k) for k in ignore_keys}
    envelope = {snake(k) for k in envelope_keys}
    heads = [snake(k) for k in headline_keys]
    f = Features()
    parts: list[str] = []
    key_parts: list[str] = []
    headline_by_key: dict[str, str] = {}
    sentences: list[str] = []

    def walk(value: Any, depth: int, key: str | None) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                sk = snake(str(k))
                if sk in ignore or (depth == 0 and sk in envelope and len(value) > 1):
                    # job-system envelope (who asked, retries): says nothing about the job itself
                    continue
                f.keys.append(sk)
                key_parts.append(normalize(str(k)))
                walk(v, depth + 1, sk)
        elif isinstance(value, list):
            for v in value:
                walk(v, depth + 1, key)
        elif isinstance(value, str):
            f.values.append(value)
            parts.append(normalize(value))
            if _is_sentence(value):
                sentences.append(value)
                if key in heads and key not in headline_by_key:
                    headline_by_key[key] = value
        elif value is not None and not isinstance(value, bool):
            f.values.append(str(value))

    walk(payload, 0, None)
    f.text = " | ".join(p for p in parts if p)
    f.key_text = " | ".join(p for p in key_parts if p)
    headline = next((headline_by_key[k] for k in heads if k in headline_by_key), None)
    if headline is None and sentences:
        headline = sentences[0]
    f.headline_raw = headline or ""
    f.headline = normalize(f.headline_raw)
    words = f"{f.text} {f.key_text}".split()
    f.tokens = {t for t in words if t not in STOPWORDS and t != "|" and not t.isdigit() and len(t) > 1}
    return f
