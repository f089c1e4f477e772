"""Secret and PII redaction for everything that leaves the machine (the gateway's first step).

vault = Vault()                  # one per tool call
prompt = vault.redact(text)      # <EMAIL_1>, <GITHUB_TOKEN_1>, <TIN_1> ...
answer = vault.restore_json(model_answer)
"""

from __future__ import annotations

from typing import Any

from .logfilter import RedactingFilter
from .vault import PLACEHOLDER_RE, RedactionError, Vault


def redact_text(text: str) -> tuple[str, dict[str, int]]:
    """Redact one text with a fresh vault; returns the text and kind -> distinct count."""
    vault = Vault()
    try:
        return vault.redact(text), vault.findings()
    finally:
        vault.close()


def __getattr__(name: str) -> Any:
    # the pydantic models load on first use: the `redact` CLI filter does not need pydantic's import time
    if name in ("Finding", "RedactResult"):
        from . import models

        return getattr(models, name)
    raise AttributeError(name)


__all__ = [
    "PLACEHOLDER_RE",
    "Finding",
    "RedactResult",
    "RedactingFilter",
    "RedactionError",
    "Vault",
    "redact_text",
]
