"""Provider: one endpoint's chat call against the loopback server, every answer shape it can get."""

from __future__ import annotations

import json
from collections.abc import Iterator

import anyio
import pytest

from aiops_mcp.server.gateway.errors import ModelCallError, SchemaModeRefused
from aiops_mcp.server.gateway.provider import Provider

from .fake_openai import FakeOpenAI

FORMAT = {"type": "json_schema", "json_schema": {"name": "V", "schema": {"type": "object"}, "strict": False}}
MESSAGES = [{"role": "system", "content": "sys"}, {"role": "user", "content": "hello"}]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    server.hang_s = 2.0
    yield server
    server.stop()


def chat(fake: FakeOpenAI, mode: str, *, timeout: float = 5.0):
    fake.script("m1", mode)
    provider = Provider("fake", fake.base_url, "test-key")

    async def go():
        try:
            return await provider.chat("m1", MESSAGES, response_format=FORMAT, timeout=timeout)
        finally:
            await provider.aclose()

    return anyio.run(go)


def failure(fake: FakeOpenAI, mode: str, **kw: float) -> ModelCallError:
    with pytest.raises(ModelCallError) as info:
        chat(fake, mode, **kw)
    return info.value


def test_ok_answer_carries_content_usage_and_the_request_it_sent(fake: FakeOpenAI) -> None:
    fake.responder = lambda body: json.dumps({"verdict": "retry"})
    got = chat(fake, "ok")
    assert json.loads(got.content) == {"verdict": "retry"}
    assert (got.prompt_tokens, got.completion_tokens) == (100, 20)
    sent = fake.requests[-1]
    assert sent["model"] == "m1" and sent["messages"] == MESSAGES
    assert sent["response_format"] == FORMAT and sent["temperature"] == 0 and sent["max_tokens"] == 2048


@pytest.mark.parametrize(
    ("mode", "reason", "transient"),
    [
        ("malformed", "invalid_response", True),
        ("not_completion", "invalid_response", True),
        ("no_choices", "invalid_response", True),
        ("content_not_text", "invalid_response", True),
        ("truncated", "truncated", False),
        ("drop", None, True),
        ("refused", "connection", True),
        ("503", "http_503", True),
        ("401", "http_401", False),
        ("404", "http_404", False),
    ],
)
def test_every_bad_answer_is_a_model_call_error(
    fake: FakeOpenAI, mode: str, reason: str | None, transient: bool
) -> None:
    err = failure(fake, mode)
    if reason is not None:
        assert err.outcome == reason
    else:  # a cut body may surface as a connection error or as an unreadable body, never as success
        assert err.outcome in ("connection", "invalid_response")
    assert err.transient is transient


def test_retry_after_is_read_from_a_429(fake: FakeOpenAI) -> None:
    err = failure(fake, "429:3")
    assert err.outcome == "http_429" and err.transient and err.retry_after == 3.0


def test_hang_past_the_timeout_is_a_timeout(fake: FakeOpenAI) -> None:
    err = failure(fake, "hang", timeout=0.3)
    assert err.outcome == "timeout" and err.transient


def test_schema_mode_refusal_is_told_apart_from_other_400s(fake: FakeOpenAI) -> None:
    with pytest.raises(SchemaModeRefused):
        chat(fake, "refuse_schema")
    assert failure(fake, "400").outcome == "http_400"


def test_token_counts_of_the_wrong_type_count_as_zero_not_as_a_crash(fake: FakeOpenAI) -> None:
    got = chat(fake, "odd_usage")
    assert (got.prompt_tokens, got.completion_tokens) == (0, 0)
