"""Per-call placeholder vault: consistent `<KIND_N>` placeholders out, original values back in.

One Vault lives for one tool call: every message of the call goes through the same instance, so the
same value always gets the same placeholder; `restore*` maps the model's answer back. Nothing is
persisted and the mapping is dropped with the object (`close()` clears it early).
"""

from __future__ import annotations

import re
from typing import Any

from .context import value_kind
from .engine import find_spans
from .keys import classify
from .validators import is_placeholder, looks_random

PLACEHOLDER_RE = re.compile(r"<([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*?)_(\d{1,6})>")


def redact_once(text: str, spans: list[tuple[int, int, str]]) -> str:
    """`Vault().redact_found(text, spans)` for a text that is a call of its own (the JSONL filter's lines).

    The common line, one finding and no placeholder-shaped text to step around, is `<KIND_1>` without
    building a vault; every other line goes through a vault, so the numbering rules live in one place.
    """
    if not spans:
        return text
    if len(spans) == 1 and "<" not in text:
        start, end, kind = spans[0]
        return f"{text[:start]}<{kind}_1>{text[end:]}"
    return Vault().redact_found(text, spans)


_VALUE_KEYS = frozenset({"value", "Value", "VALUE"})
_NAME_KEYS = ("name", "Name", "key", "Key", "NAME", "KEY")


def _entry_name(obj: dict[Any, Any]) -> str | None:
    """The secret-bearing name of a name/value entry (`{"name": "API_TOKEN", "value": ...}`), if any."""
    if not _VALUE_KEYS.intersection(obj):
        return None
    for k in _NAME_KEYS:
        name = obj.get(k)
        if isinstance(name, str) and classify(name) not in (None, "weak"):
            return name
    return None


class RedactionError(RuntimeError):
    """Redaction failed; the caller must not send anything (fail closed)."""


class Vault:
    """Redacts text and JSON for one call and restores placeholders in the answer."""

    def __init__(self) -> None:
        self._by_value: dict[str, str] = {}
        self._by_placeholder: dict[str, str] = {}
        self._counters: dict[str, int] = {}
        self._kinds: dict[str, int] = {}
        self._reserved: set[str] = set()  # placeholder-shaped strings already present in the input

    # --- redaction ---------------------------------------------------------------------------

    def redact(self, text: str) -> str:
        """Replace every sensitive span of `text`; raises RedactionError rather than return a partial result."""
        if not isinstance(text, str):
            raise RedactionError(f"redact() expects str, got {type(text).__name__}")
        try:
            return self._redact(text)
        except RedactionError:
            raise
        except Exception as exc:  # fail closed: no partially redacted text escapes
            raise RedactionError(f"redaction failed: {type(exc).__name__}") from exc

    def _redact(self, text: str, spans: list[tuple[int, int, str]] | None = None) -> str:
        if "<" in text:
            for m in PLACEHOLDER_RE.finditer(text):
                if m.group() not in self._by_placeholder:
                    self._reserved.add(m.group())
        if spans is None:
            spans = find_spans(text)
        if not spans:
            return text
        out: list[str] = []
        pos = 0
        for start, end, kind in spans:
            out.append(text[pos:start])
            out.append(self._placeholder(text[start:end], kind))
            pos = end
        out.append(text[pos:])
        return "".join(out)

    def _placeholder(self, value: str, kind: str) -> str:
        ph = self._by_value.get(value)
        if ph is not None:
            return ph
        n = self._counters.get(kind, 0)
        while True:
            n += 1
            ph = f"<{kind}_{n}>"
            if ph not in self._reserved:
                break
        self._counters[kind] = n
        self._kinds[kind] = self._kinds.get(kind, 0) + 1
        self._by_value[value] = ph
        self._by_placeholder[ph] = value
        return ph

    def redact_found(self, text: str, spans: list[tuple[int, int, str]]) -> str:
        """Apply spans already found by `engine.find_spans_many` (batch scanning); same guarantees as redact."""
        try:
            return self._redact(text, spans)
        except Exception as exc:
            raise RedactionError(f"redaction failed: {type(exc).__name__}") from exc

    def redact_json(self, obj: Any) -> Any:
        """Walk dicts/lists: values under secret-bearing keys are replaced whole, strings are redacted as text."""
        try:
            return self._walk(obj, None)
        except RedactionError:
            raise
        except Exception as exc:
            raise RedactionError(f"redaction failed: {type(exc).__name__}") from exc

    def _walk(self, obj: Any, key: str | None) -> Any:
        sens = classify(key) if key else None
        if isinstance(obj, dict):
            # the `value` of an entry is read under the entry's own name (`{"name": "DB_PASSWORD", "value":
            # "..."}` in Kubernetes and ECS environments, `{"Name": "/prod/db/password", "Value": ...}` in SSM),
            # or under the key that holds the entry (`{"client_secret": {"value": "...", "origin": ...}}`)
            owner = _entry_name(obj) or (key if sens and sens != "weak" else None)
            return {
                (self._redact(k) if isinstance(k, str) else k): self._walk(
                    v, (owner if owner and k in _VALUE_KEYS else k) if isinstance(k, str) else None
                )
                for k, v in obj.items()
            }
        if isinstance(obj, (list, tuple)):
            return [self._walk(v, key) for v in obj]
        if isinstance(obj, bool) or obj is None:
            return obj
        if isinstance(obj, (int, float)):
            if sens == "password" or (sens == "secret" and abs(obj) >= 1000):
                return self._placeholder(str(obj), value_kind(key or "", sens))
            return obj
        if isinstance(obj, str):
            if self._whole_value(obj, sens):
                spans = find_spans(obj)
                if len(spans) == 1 and spans[0][0] == 0 and spans[0][1] == len(obj):
                    return self._placeholder(obj, spans[0][2])  # a detector's more specific kind
                return self._placeholder(obj, value_kind(key or "", sens))
            return self._redact(obj)
        return obj

    @staticmethod
    def _whole_value(value: str, sens: str | None) -> bool:
        """A string under a secret-bearing key is replaced whole (a bare `key` only when it looks generated)."""
        if not sens or not value.strip() or is_placeholder(value) or PLACEHOLDER_RE.fullmatch(value):
            return False
        return sens != "weak" or looks_random(value, min_len=16, min_entropy=3.2)

    # --- restoration -------------------------------------------------------------------------

    def restore(self, text: str) -> str:
        """Put original values back; placeholders this vault did not issue stay as they are."""
        if not self._by_placeholder or "<" not in text:
            return text
        return PLACEHOLDER_RE.sub(lambda m: self._by_placeholder.get(m.group(), m.group()), text)

    def restore_json(self, obj: Any) -> Any:
        if isinstance(obj, str):
            return self.restore(obj)
        if isinstance(obj, dict):
            return {
                (self.restore(k) if isinstance(k, str) else k): self.restore_json(v) for k, v in obj.items()
            }
        if isinstance(obj, (list, tuple)):
            return [self.restore_json(v) for v in obj]
        return obj

    # --- bookkeeping -------------------------------------------------------------------------

    def findings(self) -> dict[str, int]:
        """kind -> number of distinct values replaced in this call."""
        return dict(self._kinds)

    @property
    def count(self) -> int:
        return len(self._by_value)

    def close(self) -> None:
        """Forget every mapping now (the vault must not outlive its call)."""
        self._by_value.clear()
        self._by_placeholder.clear()
        self._counters.clear()
        self._kinds.clear()
        self._reserved.clear()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never show values
        return f"Vault(count={self.count}, findings={self.findings()})"
