"""An OpenAI-compatible endpoint: base URL, key and one reused async client. Knows nothing of chains.

The `openai` SDK is imported on first use (it costs most of a second at start-up) and its own retries
are off: its default spends over a second on a 503 and knows nothing of our deadline.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from aiops_mcp.server.gateway.backoff import parse_retry_after
from aiops_mcp.server.gateway.errors import ModelCallError, SchemaModeRefused

# Statuses worth another try of the same model; anything else moves on to the next model.
_TRANSIENT_STATUSES = {408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529}


@dataclass
class ChatResult:
    content: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float


class Provider:
    """One endpoint. `chat()` returns the raw text of the first choice or raises ModelCallError."""

    def __init__(self, name: str, base_url: str, api_key: str) -> None:
        self.name = name
        self.base_url = base_url
        self._api_key = api_key
        self._client: Any = None

    def _get_client(self) -> Any:
        if self._client is None:
            from openai import AsyncOpenAI

            self._client = AsyncOpenAI(base_url=self.base_url, api_key=self._api_key, max_retries=0)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def chat(
        self,
        model: str,
        messages: list[dict[str, str]],
        *,
        response_format: dict[str, Any],
        timeout: float,
        max_tokens: int = 2048,
    ) -> ChatResult:
        import httpx
        import openai

        client = self._get_client()
        started = time.perf_counter()
        body = {
            "model": model,
            "messages": messages,
            "response_format": response_format,
            "temperature": 0,
            "max_tokens": max_tokens,
        }
        try:
            # The SDK's documented custom-request path: its auth, base URL, timeouts and status-error
            # mapping, without the typed-parameter transform and response models of `create()`, which
            # cost ~0.6 ms of CPU per call (bench/gateway.py). We check the answer's shape ourselves.
            resp = await client.post(
                "/chat/completions", body=body, cast_to=httpx.Response, options={"timeout": timeout}
            )
            data = json.loads(resp.content)
        except openai.APITimeoutError as exc:
            raise ModelCallError("timeout", f"no answer within {timeout:.1f}s", transient=True) from exc
        except openai.APIStatusError as exc:
            raise _status_error(exc, response_format) from exc
        except openai.APIConnectionError as exc:
            raise ModelCallError("connection", _cause(exc), transient=True) from exc
        except (httpx.HTTPError, ValueError, TypeError) as exc:
            # a body that is not JSON at all, or one cut off while it was read
            raise ModelCallError("invalid_response", type(exc).__name__, transient=True) from exc
        latency_ms = (time.perf_counter() - started) * 1000
        return _chat_result(data, latency_ms)


def _chat_result(data: Any, latency_ms: float) -> ChatResult:
    """The first choice of a chat-completions body, or ModelCallError naming what is wrong with it."""
    choices = data.get("choices") if isinstance(data, dict) else None
    choice = choices[0] if isinstance(choices, list) and choices else None
    message = choice.get("message") if isinstance(choice, dict) else None
    if not isinstance(message, dict):
        raise ModelCallError("invalid_response", "no choices in the answer", transient=True)
    if choice.get("finish_reason") == "length":
        raise ModelCallError("truncated", "answer cut at max_tokens", transient=False)
    content = message.get("content")
    if content is not None and not isinstance(content, str):
        raise ModelCallError("invalid_response", "message content is not text", transient=True)
    usage = data.get("usage")
    usage = usage if isinstance(usage, dict) else {}
    return ChatResult(
        content=content or "",
        prompt_tokens=_count(usage.get("prompt_tokens")),
        completion_tokens=_count(usage.get("completion_tokens")),
        latency_ms=latency_ms,
    )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _cause(exc: BaseException) -> str:
    inner = exc.__cause__ or exc.__context__
    return type(inner).__name__ if inner is not None else type(exc).__name__


def _status_error(exc: Any, response_format: dict[str, Any]) -> ModelCallError:
    status = int(getattr(exc, "status_code", 0) or 0)
    headers = getattr(getattr(exc, "response", None), "headers", {}) or {}
    retry_after = parse_retry_after(headers.get("retry-after"))
    if retry_after is None and headers.get("retry-after-ms"):
        try:
            retry_after = float(headers["retry-after-ms"]) / 1000
        except ValueError:
            retry_after = None
    message = str(getattr(exc, "message", "") or "")[:200]
    if (
        status == 400
        and response_format.get("type") == "json_schema"
        and any(word in message.lower() for word in ("response_format", "json_schema", "structured"))
    ):
        return SchemaModeRefused(message)
    return ModelCallError(
        f"http_{status}", message, transient=status in _TRANSIENT_STATUSES, retry_after=retry_after
    )
