"""Secret and PII redaction for everything that leaves the machine (the gateway's first step).

vault = Vault()                  # one per tool call
prompt = vault.redact(text)      # <EMAIL_1>, <GITHUB_TOKEN_1>, <TIN_1> ...
answer = vault.restore_json(model_answer)
"""

from __future__ import annotations

from .logfilter import RedactingFilter
from .models import Finding, RedactResult
from .vault import PLACEHOLDER_RE, RedactionError, Vault


def redact_text(text: str) -> tuple[str, dict[str, int]]:
    """Redact one text with a fresh vault; returns the text and kind -> distinct count."""
    vault = Vault()
    try:
        return vault.redact(text), vault.findings()
    finally:
        vault.close()


__all__ = [
    "PLACEHOLDER_RE",
    "Finding",
    "RedactResult",
    "RedactingFilter",
    "RedactionError",
    "Vault",
    "redact_text",
]
