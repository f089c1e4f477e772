"""Gateway errors. One aggregated error carries the whole trail so the tool can answer offline with it."""

from __future__ import annotations

from aiops_mcp.tools.meta import Attempt


class ModelCallError(Exception):
    """One attempt failed. `outcome` is the short code that lands in the trail (http_503, timeout, ...)."""

    def __init__(
        self, outcome: str, detail: str = "", *, transient: bool, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{outcome}: {detail}" if detail else outcome)
        self.outcome = outcome
        self.detail = detail
        self.transient = transient
        self.retry_after = retry_after


class SchemaModeRefused(ModelCallError):
    """The endpoint rejected the JSON-schema response format; the same model is asked again in JSON mode."""

    def __init__(self, detail: str) -> None:
        super().__init__("http_400", detail, transient=False)


class AllModelsFailed(Exception):
    """No model of the chain produced a valid answer in time; `attempts` is the trail."""

    def __init__(self, attempts: list[Attempt], reason: str) -> None:
        super().__init__(reason)
        self.attempts = attempts
        self.reason = reason


class RedactionFailed(Exception):
    """Redaction raised: nothing was sent (fail closed)."""
