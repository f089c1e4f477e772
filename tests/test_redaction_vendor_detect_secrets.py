"""Formats from detect-secrets' regex plugins (their regexes read as the spec; every value generated):
PyPI upload tokens for pypi.org and test.pypi.org, SoftLayer API URLs, bare Telegram bot tokens,
Twilio account/API key SIDs, Artifactory `AKC` tokens of any length. Each is hidden in the line
styles those plugins are tested on (bare, assignments in a few languages, JSON, YAML, shell, a
comment); look-alikes (short, placeholder, an identifier of the same length) survive in prose.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

import pytest

from aiops_mcp.server.gateway.redaction import PLACEHOLDER_RE, Vault

MIX = string.ascii_letters + string.digits
LOWNUM = string.ascii_lowercase + string.digits
URLSAFE = MIX + "_-"


def _r(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _telegram(rng: random.Random) -> str:
    return _r(rng, string.digits, rng.choice([8, 9, 10])) + ":" + _r(rng, URLSAFE, 35)


FORMATS: dict[str, Callable[[random.Random], str]] = {
    "pypi_org": lambda g: "pypi-AgEIcHlwaS5vcmc" + _r(g, URLSAFE, 80),
    "pypi_test_index": lambda g: "pypi-AgENdGVzdC5weXBpLm9yZw" + _r(g, URLSAFE, 80),
    "telegram_bare": _telegram,
    "twilio_account_sid": lambda g: "AC" + _r(g, LOWNUM, 32),
    "twilio_api_key_sid": lambda g: "SK" + _r(g, LOWNUM, 32),
    "artifactory_short_akc": lambda g: "AKC" + _r(g, MIX, g.randint(12, 60)),
    "mailchimp_alphanumeric": lambda g: _r(g, LOWNUM, 32) + "-us" + str(g.randint(1, 20)),
    "openai_named_project": lambda g: (
        "sk-" + _r(g, string.ascii_lowercase, 8) + "-" + _r(g, MIX, 20) + "T3BlbkFJ" + _r(g, MIX, 20)
    ),
}

LINES = [
    "{s}",
    'key = "{s}"',
    "token: {s}",
    '{{"data": "{s}"}}',
    "export VALUE={s}",
    "# {s}",
    'String s = "{s}";',
    "x := `{s}`",
]


def _leaks(secret: str, out: str) -> bool:
    out = PLACEHOLDER_RE.sub("\x01", out)
    return secret in out or any(secret[k : k + 8] in out for k in range(len(secret) - 7))


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_plugin_shaped_values_are_hidden(name: str) -> None:
    rng = random.Random(f"detect-secrets-{name}")
    missed = []
    for _ in range(3):
        value = FORMATS[name](rng)
        for line in LINES:
            text = line.format(s=value)
            if _leaks(value, Vault().redact(text)):
                missed.append(text)
    assert not missed, f"{name}: not hidden in {missed[:1]}"


@pytest.mark.parametrize("version", ["v3", "v3.1"])
def test_softlayer_api_url_key_hidden_host_kept(version: str) -> None:
    key = _r(random.Random(f"softlayer-{version}"), LOWNUM, 64)
    text = f"client = Client(endpoint_url='https://api.softlayer.com/soap/{version}/{key}')"
    out = Vault().redact(text)
    assert key not in out and f"https://api.softlayer.com/soap/{version}/" in out


def _lookalikes() -> list[str]:
    g = random.Random("detect-secrets-lookalikes")
    return [
        "pypi-AgENdGVzdC5weXBpLm9yZw" + _r(g, URLSAFE, 20),  # too short for a token
        "pypi-AgENdGVzdC5weXBpLm9yZw" + "x" * 80,  # placeholder
        "https://api.softlayer.com/soap/v3/" + _r(g, LOWNUM, 40),
        "https://api.softlayer.com/soap/v3/<your-api-key>",
        # an 8-10 digit number, a colon and 35 characters that are a name, not a base64 secret
        "1700000000:cache_invalidation_request_for_users",
        "12345678:SOME_CONSTANT_NAME_IN_UPPER_CASE_XYZ",
        _r(g, string.digits, 7) + ":" + _r(g, URLSAFE, 35),  # bot ids have 8-10 digits
        _r(g, string.digits, 9) + ":" + _r(g, URLSAFE, 34),  # secrets have 35 characters
        "AC" + "knowledgementsforeverythingthatw",  # a word: no digits
        "AC" + _r(g, LOWNUM, 31),
        "AKC" + _r(g, MIX, 8),
        "AKC" + "x" * 20,
        "testAKCwithinsomeirrelevantstring",
        "2024-05-01T12:30:45.123456789:scheduler_heartbeat_ok",
        "customerdatawarehouseexportbatch-us1",  # a 32-letter name: no digits
        "sk-myproject-" + "x" * 20 + "T3BlbkFJ" + "x" * 20,
    ]


@pytest.mark.parametrize("value", _lookalikes())
def test_plugin_lookalikes_survive_in_prose(value: str) -> None:
    text = f"set it to {value} in the docs"
    assert Vault().redact(text) == text
