"""The regexes added for the context forms stay linear on long adversarial runs.

Each input is a long run of the characters a pattern loops over, ending so that the match must fail
(or succeed only at the end): a pattern that backtracks over splits of the run takes seconds here.
"""

from __future__ import annotations

import time

import pytest

from aiops_mcp.server.gateway.redaction import Vault, context

N = 20_000


def _timed(fn, *args) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (context._CLASS_NAME.fullmatch, "A" + "1" * N + "!"),
        (context._CLASS_NAME.fullmatch, "Aaaaaaaaa" * (N // 9) + "!"),
        (context._CLASS_NAME.fullmatch, "Abc" * (N // 3) + "1x"),
        (context._CAMEL_WORDS.fullmatch, "Ab" * (N // 2) + "!"),
        (context._PATH.fullmatch, "/a" * (N // 2) + " "),
        (context._CODE_VALUE.match, "a" * N + "["),
        (context._FORMAT_FIELD.fullmatch, "{a" + "[" * N),
        (context._NOT_SECRET_SHAPE.fullmatch, "1." * (N // 2) + "x"),
        (context._TYPE_EXPR.fullmatch, "Ab" * (N // 2) + "!"),
        (context._NAME_VALUE.match, " " * N + "x"),
        (context._DIGEST_RESPONSE.match, "response=" * (N // 9)),
        (context._TABLE_CELL.match, "|" + " " * N + "x"),
    ],
)
def test_new_context_patterns_are_linear(pattern, text: str) -> None:  # type: ignore[no-untyped-def]
    assert _timed(pattern, text) < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "sshpass -p" + " " * N + "x",
        "htpasswd -b " + "a " * (N // 2),
        "- name: API_TOKEN" + " " * N + "\n value:",
        "Authorization: Digest " + "a=b, " * (N // 5),
        "| API_TOKEN |" + " " * N,
        "api_key: " + "Abc" * (N // 3) + "1",
        "token=arn:" + "a:" * (N // 2),
    ],
)
def test_whole_texts_in_the_new_forms_are_fast(text: str) -> None:
    assert _timed(Vault().redact, text) < 2.0
