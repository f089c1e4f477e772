"""Secret and PII redaction for everything that leaves the machine (the gateway's first step).

vault = Vault()                  # one per tool call
prompt = vault.redact(text)      # <EMAIL_1>, <GITHUB_TOKEN_1>, <TIN_1> ...
answer = vault.restore_json(model_answer)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .logfilter import RedactingFilter
    from .models import Finding, RedactResult
    from .vault import PLACEHOLDER_RE, RedactionError, Vault

# Everything loads on first use: the rules cost ~40 ms to import, which the server's cold start
# should not pay before the first prompt (or log record) needs them.
_LAZY = {
    "Vault": ".vault",
    "RedactionError": ".vault",
    "PLACEHOLDER_RE": ".vault",
    "RedactingFilter": ".logfilter",
    "Finding": ".models",
    "RedactResult": ".models",
}


def redact_text(text: str) -> tuple[str, dict[str, int]]:
    """Redact one text with a fresh vault; returns the text and kind -> distinct count."""
    from .vault import Vault

    vault = Vault()
    try:
        return vault.redact(text), vault.findings()
    finally:
        vault.close()


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
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
