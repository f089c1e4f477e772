"""Exception messages that name a credential and then print it after a blank (`AuthError: rejected token
<value>`): the value is hidden when no word, identifier, version or path looks like it. Values are drawn
(seeded) from their formats; the prose and code look-alikes around such names must stay.
"""

from __future__ import annotations

import base64
import random
import string
from collections.abc import Callable

import pytest

from aiops_mcp.server.gateway.redaction import Vault

ALNUM = string.ascii_letters + string.digits
RNG = random.Random(77)


def _draw(chars: str, n: int) -> str:
    while True:
        v = "".join(RNG.choice(chars) for _ in range(n))
        if (
            v[0].isalnum()
            and any(c.isdigit() for c in v)
            and any(c.isupper() for c in v)
            and any(c.islower() for c in v)
        ):
            return v


VALUES = {
    "api_key": lambda: _draw(ALNUM, 32),
    "access_token": lambda: _draw(ALNUM + "-_", 43),
    "aws_secret_access_key": lambda: _draw(ALNUM + "+/", 40),
    "client_secret": lambda: "".join(RNG.choice("0123456789abcdef") for _ in range(40)),
    "AccountKey": lambda: base64.b64encode(RNG.randbytes(64)).decode(),
    "password": lambda: _draw(ALNUM, 6) + RNG.choice("!#$%*+?") + _draw(ALNUM, 6),
}

MESSAGES = [
    "worker.errors.AuthError: rejected {n} {v}",
    "ERROR auth: invalid {n} {v} for user svc-sync",
    "java.lang.IllegalStateException: bad {n} {v}, giving up",
    "panic: login failed with {n} {v}\n\ngoroutine 1 [running]:",
]


@pytest.mark.parametrize("msg", MESSAGES)
@pytest.mark.parametrize("name", list(VALUES))
def test_credential_printed_after_its_name_is_hidden(msg: str, name: str) -> None:
    for _ in range(4):
        v = VALUES[name]()
        out = Vault().redact(msg.format(n=name, v=v))
        assert v not in out, out


@pytest.mark.parametrize(
    "text",
    [
        "secret SecretsManagerClient2Builder is deprecated",
        "token ExpiredSignatureError2 raised",
        "the password Passw0rdPolicy applies to all users",
        "password for invalid user admin2 from bastion",
        "api key version v2.3.1-Beta",
        "token 2024-05-12T10:15:32Z expired",
        "secret path /var/run/Secrets2/xYz9Abc/config",
        "token at src/Auth2/TokenStore3/index.ts",
        "password length 12 exceeded",
        "secret Some-Words_and.more!",
        "token type Bearer",
        "curl -u user:pw app.keystore.file=env/cert.p12 -k",  # a setting follows the word, not a value
        "password file=/etc/app/Pw2.txt loaded",
        "=== RUN   TestParseConfig\n--- PASS: TestParseConfig (0.00s)\nPASS\nok  \tpkg/config\t0.012s",
    ],
)
def test_words_identifiers_and_paths_after_a_name_stay(text: str) -> None:
    assert Vault().redact(text) == text


def test_oauth1_header_hides_the_token_parameter_not_the_parameter_names() -> None:
    token = f"{RNG.randint(10**8, 10**9)}-{_draw(ALNUM, 40)}"
    text = f'> Authorization: OAuth oauth_consumer_key="ck", oauth_token="{token}", oauth_version="1.0"'
    out = Vault().redact(text)
    assert token not in out
    assert 'oauth_consumer_key="ck"' in out and 'oauth_version="1.0"' in out


def _pw() -> str:
    return _draw(ALNUM, 7) + RNG.choice("!#*+.-") + _draw(ALNUM, 5)


@pytest.mark.parametrize(
    "make",
    [
        lambda v: (
            f'"spring.datasource.password": {{"value": "{v}", "origin": "System Environment Property"}}'
        ),
        lambda v: f'{{"propertySources": [{{"properties": {{"app.api-key": {{"value": "{v}"}}}}}}]}}',
        lambda v: f"#0 /var/www/db.php(12): PDO->__construct('mysql:host=db;dbname=app', 'app', '{v}')",
        lambda v: f'$db = new mysqli("db.internal", "app", "{v}", "shop");',
        lambda v: f"mysqli_connect('localhost', 'root', '{v}')",
    ],
)
def test_nested_property_values_and_connect_call_passwords_are_hidden(make: Callable[[str], str]) -> None:
    for _ in range(4):
        v = _pw()
        out = Vault().redact(make(v))
        assert v not in out, out


@pytest.mark.parametrize(
    "text",
    [
        '"spring.datasource.password": {"value": "******", "origin": "System Environment Property"}',
        '"app.timeout": {"value": "30s"}',
        "mysqli_connect('localhost', 'root', '')",
        "new PDO($dsn, $user, $password)",
        'mysqli_connect("db", "app", getenv("DB_PASSWORD"))',
    ],
)
def test_masked_and_variable_connection_arguments_stay(text: str) -> None:
    assert Vault().redact(text) == text
