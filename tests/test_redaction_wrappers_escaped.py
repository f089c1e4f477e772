"""Secrets inside an encoded layer of a log line: a query string carried percent-encoded in another URL's
parameter, a form body logged percent-encoded, JSON whose quotes are written \\u0022 or \\x22.

The detectors key on a boundary or operator (`=`, `"`, `:`) that the encoding hides, so the engine scans
the decoded line too and maps spans back; the hidden range is the value as written. Values are drawn
(seeded) from their formats; look-alikes and placeholders in the same layers must stay.
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid
from collections.abc import Callable
from urllib.parse import quote

import pytest

from aiops_mcp.server.gateway.redaction import Vault, context
from tests.growth import growth_ratio

ALNUM = string.ascii_letters + string.digits
RNG = random.Random(20261127)


def _draw(chars: str, n: int) -> str:
    while True:
        v = "".join(RNG.choice(chars) for _ in range(n))
        if sum(c.isdigit() for c in v) >= 2 and sum(c.isalpha() for c in v) >= 4:
            return v


def _b64u(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _jwt() -> str:
    head = _b64u(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = _b64u(
        json.dumps(
            {"sub": str(RNG.randint(1000, 99999)), "iat": RNG.randint(1_600_000_000, 1_800_000_000)}
        ).encode()
    )
    return f"{head}.{claims}.{_b64u(RNG.randbytes(32))}"


def _password() -> str:
    return _draw(ALNUM, 6) + RNG.choice("!#%*+-.~@?") + _draw(ALNUM, 6) + RNG.choice("!#*+-.")


TOKENS: list[tuple[str, Callable[[], str]]] = [
    ("github", lambda: "ghp_" + _draw(ALNUM, 36)),
    ("gitlab", lambda: "glpat-" + _draw(ALNUM + "_-", 20)),
    ("aws-id", lambda: "AKIA" + _draw(string.ascii_uppercase + "234567", 16)),
    ("slack", lambda: f"xoxb-{RNG.randint(10**10, 10**12)}-{RNG.randint(10**10, 10**12)}-{_draw(ALNUM, 24)}"),
    ("stripe", lambda: "sk_live_" + _draw(ALNUM, 32)),
    ("jwt", _jwt),
    ("opaque", lambda: _draw(ALNUM + "_-", 40)),
]


def _nested_redirect(name: str, v: str) -> str:
    inner = f"https://app.example.com/cb?{name}={v}&state=ok"
    return (
        f"302 Location: https://login.example.com/authorize?redirect_uri={quote(inner, safe='')}&scope=openid"
    )


def _form_body(name: str, v: str) -> str:
    return f"POST /login 401 body=username%3Dbob%26{name}%3D{quote(v, safe='')}%26remember%3D1"


def _u0022(name: str, v: str) -> str:
    return (
        '{"log":"{\\u0022'
        + name
        + "\\u0022:\\u0022"
        + v
        + '\\u0022,\\u0022status\\u0022:401}","stream":"stderr"}'
    )


def _x22(name: str, v: str) -> str:
    return 'msg="upstream said {\\x22' + name + "\\x22: \\x22" + v + '\\x22}" level=warn'


WRAPPERS: list[tuple[str, Callable[[str, str], str]]] = [
    ("nested-redirect", _nested_redirect),
    ("form-body", _form_body),
    ("json-u0022", _u0022),
    ("json-x22", _x22),
]


def _as_written(text: str, v: str) -> str:
    enc = quote(v, safe="")
    return enc if v not in text and enc in text else v


@pytest.mark.parametrize(("wrapper", "wrap"), WRAPPERS)
@pytest.mark.parametrize(("kind", "draw"), TOKENS)
def test_tokens_in_encoded_layers_are_hidden(
    wrapper: str, wrap: Callable[[str, str], str], kind: str, draw: Callable[[], str]
) -> None:
    for name in ("access_token", "api_key", "token"):
        v = draw()
        text = wrap(name, v)
        out = Vault().redact(text)
        assert _as_written(text, v) not in out, (wrapper, kind, out)
        assert name in out  # the name and the encoded operators stay


@pytest.mark.parametrize(("wrapper", "wrap"), WRAPPERS)
def test_passwords_in_encoded_layers_are_hidden(wrapper: str, wrap: Callable[[str, str], str]) -> None:
    for name in ("password", "passwd", "db_password"):
        v = _password()
        text = wrap(name, v)
        out = Vault().redact(text)
        assert _as_written(text, v) not in out, (wrapper, out)


def test_span_covers_the_encoded_value_exactly() -> None:
    v = _password().replace("%", "!")
    text = _form_body("password", v)
    out = Vault().redact(text)
    assert "%26remember%3D1" in out and "username%3Dbob%26password%3D" in out
    assert quote(v, safe="") not in out


@pytest.mark.parametrize(("wrapper", "wrap"), WRAPPERS)
def test_lookalikes_and_placeholders_in_encoded_layers_stay(
    wrapper: str, wrap: Callable[[str, str], str]
) -> None:
    cases = [
        ("request_id", str(uuid.UUID(int=RNG.getrandbits(128)))),
        ("commit", "".join(RNG.choice("0123456789abcdef") for _ in range(40))),
        ("trace_id", "".join(RNG.choice("0123456789abcdef") for _ in range(32))),
        ("password", "${DB_PASSWORD}"),
        ("api_key", "<your-api-key>"),
        ("token", "********"),
    ]
    for name, v in cases:
        text = wrap(name, v)
        assert Vault().redact(text) == text, (wrapper, name, v)


def test_deeply_encoded_input_is_bounded() -> None:
    # every layer decodes one `%25` only: the scan stops after a few layers instead of recursing per layer
    text = "q=%" + "25" * 5000 + "3Dvalue"
    assert Vault().redact(text) == text


def test_plain_lines_next_to_an_encoded_one_are_scanned_once() -> None:
    v = "ghp_" + _draw(ALNUM, 36)
    text = "boot ok\n" + _nested_redirect("token", v) + "\nshutdown"
    out = Vault().redact(text)
    assert v not in out and out.startswith("boot ok\n") and out.endswith("\nshutdown")


@pytest.mark.parametrize(
    ("fn", "make"),
    [
        (context._ESCAPE_GATE.search, lambda n: "%2" * n),
        (context._ESCAPE.search, lambda n: "\\u00" * n),
        (Vault().redact, lambda n: "a=%3D" * (n // 5)),
        (Vault().redact, lambda n: "x%3Dy\n" * (n // 6)),
        (Vault().redact, lambda n: "%25" * (n // 3)),
    ],
)
def test_escape_patterns_are_linear(fn: Callable[[str], object], make: Callable[[int], str]) -> None:
    assert growth_ratio(fn, make) < 3.0


@pytest.mark.parametrize(("kind", "draw"), TOKENS[:6])
@pytest.mark.parametrize("brk", ["\\n", "\\t", "\\r\\n"])
def test_vendor_token_after_an_escaped_break_is_hidden(kind: str, draw: Callable[[], str], brk: str) -> None:
    v = draw()
    text = json.dumps({"level": "debug", "msg": "placeholder"}).replace(
        "placeholder", f"loaded:{brk}{v}{brk}done"
    )
    out = Vault().redact(text)
    assert v not in out, (kind, out)
    assert f"loaded:{brk}" in out and f"{brk}done" in out


def test_words_after_escaped_breaks_stay() -> None:
    sha = "".join(RNG.choice("0123456789abcdef") for _ in range(40))
    text = '{"msg": "step 1\\nskipped\\tsk_test\\nglpat-\\ncommit ' + sha + '\\nghp_short"}'
    assert Vault().redact(text) == text


def test_many_escaped_breaks_stay_linear() -> None:
    assert growth_ratio(Vault().redact, lambda k: "\\nghp_" * (k // 6)) < 3.0


def test_arn_after_an_escaped_break_stays() -> None:
    acct = "".join(RNG.choice("0123456789") for _ in range(12))
    arn = f"arn:aws:secretsmanager:us-east-1:{acct}:secret:prod/db-AbCdEf"
    text = json.dumps({"level": "debug", "msg": f"config:\n{arn}\nend"})
    assert Vault().redact(text) == text


def _html(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize(
    "encode",
    [
        _html,
        lambda s: s.replace('"', "&#34;").replace("=", "&#61;"),
        lambda s: s.replace('"', "&#x22;"),
        lambda s: json.dumps(json.dumps(s)),  # JSON encoded twice: \\\" around the inner strings
    ],
)
@pytest.mark.parametrize(("kind", "draw"), [*TOKENS[5:], ("password", _password)])
def test_values_in_html_escaped_and_twice_encoded_text_are_hidden(
    encode: Callable[[str], str], kind: str, draw: Callable[[], str]
) -> None:
    for inner in ('{"password": "%s", "user": "bob"}', "<password>%s</password>", "client_secret=%s&x=1"):
        v = draw().replace("&", "!")
        text = encode(inner % v)
        out = Vault().redact(text)
        assert v not in out, (kind, text, out)


@pytest.mark.parametrize(
    "text",
    [
        "&lt;b&gt;hello&lt;/b&gt; &quot;world&quot;",
        "&quot;token&quot;: &quot;&lt;your-token&gt;&quot;",
        "&#1234; &#9; &#x7F;",
        json.dumps(
            json.dumps({"request_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "password": "${DB_PASSWORD}"})
        ),
    ],
)
def test_html_and_twice_encoded_lookalikes_stay(text: str) -> None:
    assert Vault().redact(text) == text
