"""Self-identifying vendor formats widened or added for gitleaks' rule set (rules.py).

Every token here is generated (seeded random characters in the documented shape), embedded in a
few contexts and must disappear; lookalikes (the prefix followed by a placeholder, too few
characters, a low-entropy repeat, an ordinary name) must come through unchanged.
"""

from __future__ import annotations

import base64
import random
import string
from collections.abc import Callable

import pytest

from aiops_mcp.server.gateway.redaction import PLACEHOLDER_RE, Vault

LOW = string.ascii_lowercase + string.digits
MIX = string.ascii_letters + string.digits
HEX = "0123456789abcdefABCDEF"
URLSAFE = MIX + "_-"


def _r(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _bedrock_short_lived(rng: random.Random) -> str:
    """`bedrock-api-key-` + base64 of a presigned Bedrock URL (random credential and signature)."""
    url = (
        "bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Credential=ASIA"
        + _r(rng, string.ascii_uppercase + "234567", 16)
        + "&X-Amz-Signature="
        + _r(rng, "0123456789abcdef", 64)
    )
    return "bedrock-api-key-" + base64.b64encode(url.encode()).decode()


# name -> generator of one random token of that format
FORMATS: dict[str, Callable[[random.Random], str]] = {
    "clojars_mixed_case": lambda g: "CLOJARS_" + _r(g, MIX, 60),
    "digitalocean_upper_hex": lambda g: "dor_v1_" + _r(g, HEX, 64),
    "dynatrace_mixed_case": lambda g: "dt0c01." + _r(g, MIX, 24) + "." + _r(g, MIX, 64),
    "terraform_mixed_case_id": lambda g: _r(g, MIX, 14) + ".atlasv1." + _r(g, URLSAFE + "=", 64),
    "grafana_cloud_three_pads": lambda g: "glc_" + _r(g, MIX + "+/", 60) + "===",
    "grafana_api_key_three_pads": lambda g: "eyJrIjoi" + _r(g, MIX, 80) + "===",
    "postman_upper_hex": lambda g: "PMAK-" + _r(g, HEX, 24) + "-" + _r(g, HEX, 34),
    "settlemint_mixed_case": lambda g: g.choice(["sm_pat_", "sm_aat_", "sm_sat_"]) + _r(g, MIX, 16),
    "intra42_upper_hex": lambda g: "s-s4t2ud-" + _r(g, HEX, 64),
    "square_short_eaaa": lambda g: "EAAA" + _r(g, URLSAFE, 30),
    "shippo_upper_hex": lambda g: "shippo_live_" + _r(g, HEX, 40),
    "flutterwave_encryption_key": lambda g: "FLWSECK_TEST-" + _r(g, "abcdefghABCDEFGH0123456789", 12),
    "flutterwave_upper_body": lambda g: "FLWPUBK_TEST-" + _r(g, "abcdefghABCDEFGH0123456789", 32) + "-X",
    "adyen_api_key": lambda g: "AQE" + _r(g, MIX, 8) + "." + _r(g, URLSAFE + "=", 60),
    "adyen_client_key": lambda g: (
        g.choice(["test_", "live_"]) + _r(g, string.ascii_uppercase + string.digits, 32)
    ),
    "braintree_access_token": lambda g: (
        "access_token$" + g.choice(["production", "sandbox"]) + "$" + _r(g, LOW, 16)
    ),
    "braintree_tokenization_key": lambda g: (
        g.choice(["production_", "sandbox_"]) + _r(g, LOW, 8) + "_" + _r(g, LOW, 16)
    ),
    "sendgrid_flat_body": lambda g: "SG." + _r(g, URLSAFE, 66),
    "facebook_percent_separator": lambda g: _r(g, string.digits, 15) + "%" + _r(g, URLSAFE, 32),
    "slack_user_token_xoxe": lambda g: (
        "xoxe-" + "-".join(_r(g, string.digits, 12) for _ in range(3)) + "-" + _r(g, MIX, 32)
    ),
    "slack_app_token_mixed_case": lambda g: (
        "xapp-1-" + _r(g, MIX, 11) + "-" + _r(g, string.digits, 13) + "-" + _r(g, MIX, 64)
    ),
    "slack_config_token_upper_kind": lambda g: "xoxe.xoxP-1-" + _r(g, MIX, 165),
    "gitlab_pat_routable": lambda g: "glpat-" + _r(g, URLSAFE, 60) + ".01" + _r(g, LOW, 7),
    "gitlab_runner_routable": lambda g: "glrt-t1_" + _r(g, URLSAFE, 45) + ".0" + _r(g, LOW, 8),
    "langsmith_mixed_case": lambda g: "lsv2_pt_" + _r(g, MIX, 32) + "_" + _r(g, MIX, 10),
    "castai_key": lambda g: "castai_v1_" + _r(g, MIX, 64) + "_" + _r(g, MIX, 8),
    "clickhouse_key": lambda g: "4b1d" + _r(g, MIX, 38),
    "maxmind_license_key": lambda g: _r(g, MIX, 6) + "_" + _r(g, MIX, 29) + "_mmk",
    "authress_key": lambda g: (
        "sc_" + _r(g, LOW, 12) + "." + _r(g, LOW, 5) + ".acc_" + _r(g, LOW, 20) + "." + _r(g, URLSAFE, 50)
    ),
    "django_insecure_key": lambda g: "django-insecure-" + _r(g, LOW + "!@#$%^&*(-_=+)", 50),
    "newrelic_user_key_lower": lambda g: "NRAK-" + _r(g, LOW, 27),
    "newrelic_browser_upper_hex": lambda g: "NRJS-" + _r(g, HEX, 19),
    "plaid_upper_uuid": lambda g: (
        "access-sandbox-" + "-".join(_r(g, "0123456789ABCDEF", k) for k in (8, 4, 4, 4, 12))
    ),
    "mailgun_upper_hex": lambda g: g.choice(["key-", "pubkey-"]) + _r(g, HEX, 32),
    "mapbox_flat_public_token": lambda g: "pk." + _r(g, MIX, 60) + "." + _r(g, MIX, 22),
    "airtable_personal_access_token": lambda g: "pat" + _r(g, MIX, 14) + "." + _r(g, "0123456789abcdef", 64),
    "bedrock_short_lived_key": lambda g: _bedrock_short_lived(g),
}

CONTEXTS = [
    "the deploy step printed {s} and then exited",
    'export VENDOR_CREDENTIAL="{s}"',
    '{{"value": "{s}", "ok": true}}',
]

# must survive: placeholders, too short, low-entropy repeats, ordinary names after word-like prefixes
LOOKALIKES = [
    "CLOJARS_" + "x" * 60,
    "dor_v1_" + "0" * 64,
    "dt0c01." + "X" * 24 + "." + "X" * 64,
    "PMAK-" + "x" * 10,
    "sm_pat_your_token_here",
    "s-s4t2ud-" + "ab" * 32,
    "shippo_live_" + "a" * 40,
    "FLWSECK_TEST-" + "a" * 12,
    "AQExxxxxxxx." + "x" * 60,
    "test_ParseTimestampWithOffsetValueOk",
    "live_ConnectionPoolExhaustedWarningX",
    "sandbox_defaults_configurationxyz",
    "production_settings_loadedfromfiles",
    "access_token$sandbox$xxxxxxxxxxxxxxxx",
    "SG." + "x" * 66,
    "glpat-" + "x" * 40 + ".01xxxxxxx",
    "lsv2_pt_" + "0" * 32 + "_" + "0" * 10,
    "castai_v1_" + "x" * 64 + "_xxxxxxxx",
    "4b1d" + "0" * 38,
    "xxxxxx_" + "x" * 29 + "_mmk",
    "sc_example.abcde.acc_xxxxxxxxxxxxxxxx." + "x" * 40,
    "django-insecure-your_secret_key_here_change_me",
    "django-insecure-" + "x" * 50,
    # filler after a real prefix: placeholder words, phrases, repeated units
    "xoxe.xoxb-1-PutTheConfigurationTokenValueHere",
    "xoxe.xoxp-1-MYCONFIGACCESSTOKENVALUE",
    "ghp_ThisIsWhereYourPersonalTokenShouldGo1",
    "sk_live_YourStripeSecretKeyGoesHere",
    "hf_PasteTheHuggingFaceAccessTokenInHere",
    "xoxb-qwerty-qwerty",
    # Slack: numeric parts of bot/user tokens are 8-14 digits, and a token never ends in digits alone
    "xoxp-4321-8765-2109-9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "xoxp-5550001234",
    "xoxb-987654321098-876543210987-@@@@@@@@",
    # AWS documentation's example keys
    "AKIAJQ4NV2ZD7EXAMPLE",
    "pk." + "x" * 60 + "." + "x" * 22,
    "key-" + "0" * 32,
    "patternMatchingRule." + "0" * 64,
    "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t" + "x" * 40,
    "patXXXXXXXXXXXXXX." + "x" * 64,
    # the alphabet typed out after a real prefix
    "AIzaSybcdefghijklmnopqrstuvwxyz234567890",
    # a file name, not an Infracost token
    "https://cdn.example.org/static/favicon.ico-3f9a0c1b7e2d4a6f8b0c1d2e3f4a5b6c.png",
]


def _leaks(secret: str, out: str) -> bool:
    out = PLACEHOLDER_RE.sub("\x01", out)  # `<CLOJARS_TOKEN_1>` shares a piece with `CLOJARS_...`
    return secret in out or any(secret[k : k + 8] in out for k in range(len(secret) - 7))


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_generated_tokens_are_hidden(name: str) -> None:
    rng = random.Random(f"formats-{name}")
    missed = []
    for _ in range(3):
        token = FORMATS[name](rng)
        for ctx in CONTEXTS:
            text = ctx.format(s=token)
            if _leaks(token, Vault().redact(text)):
                missed.append(ctx)
    assert not missed, f"{name}: not hidden in {len(missed)} of 9 texts"


@pytest.mark.parametrize("value", LOOKALIKES)
def test_lookalikes_survive(value: str) -> None:
    text = f"set it to {value} in the docs"
    assert Vault().redact(text) == text


def test_sidekiq_url_credentials_hidden() -> None:
    rng = random.Random("sidekiq")
    cred = _r(rng, "0123456789abcdef", 8) + ":" + _r(rng, "0123456789abcdef", 8)
    out = Vault().redact(f"source https://{cred}@gems.contribsys.com/ do")
    assert cred not in out and cred.split(":")[0] not in out


def test_gitlab_unsuffixed_long_name_is_not_a_token() -> None:
    # a 51+ character run after a GitLab prefix without the routable `.xx` + 7 suffix is a name
    text = "see glsoat-PREfix_helloworld380_testin_pretty_long_token_long_ for details"
    assert Vault().redact(text) == text


def test_real_slack_and_aws_shapes_still_hidden() -> None:
    # the stricter Slack/AWS shapes above must not cost real tokens
    rng = random.Random("slack-aws")
    digits = string.digits
    tokens = [
        "xoxb-" + _r(rng, digits, 12) + "-" + _r(rng, digits, 13) + "-" + _r(rng, MIX, 24),
        "xoxp-" + "-".join(_r(rng, digits, 12) for _ in range(3)) + "-" + _r(rng, "0123456789abcdef", 32),
        "xoxa-2-" + _r(rng, digits, 9) + "-" + _r(rng, MIX, 18),
        "xoxo-" + "-".join(_r(rng, digits, 6) for _ in range(3)) + "-" + _r(rng, "0123456789abcdef", 18),
        "xoxe-1-" + _r(rng, MIX, 146),
        "AKIA" + _r(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
    ]
    for token in tokens:
        out = Vault().redact(f"token: {token}")
        assert not _leaks(token, out), token[:8]


def test_jwt_with_damaged_header_still_hidden() -> None:
    # a hand-edited sample whose header no longer decodes is still a JWT when its claims decode
    import base64
    import json

    def seg(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    rng = random.Random("jwt")
    head = seg({"alg": "HS256", "typ": "JWT"})
    head = head[:9] + "eee" + head[12:]
    claims = seg({"sub": _r(rng, LOW, 10), "iat": rng.randint(1_600_000_000, 1_800_000_000)})
    token = f"{head}.{claims}.{_r(rng, URLSAFE, 43)}"
    out = Vault().redact(f"JWT := {token}")
    assert not _leaks(token, out)


def test_infracost_token_before_a_full_stop_is_hidden() -> None:
    token = "ico-" + _r(random.Random("ico"), MIX, 32)
    assert not _leaks(token, Vault().redact(f"the key is {token}."))


@pytest.mark.parametrize(
    "header", [b"\x02\x01\x00\x02\x82\x01\x01\x00", b"\x02\x01\x000\r\x06\t*\x86H\x86\xf7\r"]
)
def test_der_private_key_without_pem_lines_hidden(header: bytes) -> None:
    # SEQUENCE (long form) + INTEGER 0 + modulus (PKCS#1) or algorithm (PKCS#8), random rest
    import base64

    rng = random.Random(header)
    rest = bytes(rng.randrange(256) for _ in range(600))
    der = b"\x30\x82" + (len(header) + len(rest)).to_bytes(2, "big") + header + rest
    blob = base64.b64encode(der).decode()
    assert blob.startswith("MII")
    out = Vault().redact(f"PRIVATE_KEY_DER={blob}")
    assert not _leaks(blob, out)


def test_der_certificate_is_not_a_private_key() -> None:
    import base64

    rng = random.Random("cert")
    # SEQUENCE { SEQUENCE { [0] { INTEGER 2 } ... } }: a certificate's opening, no version-0 INTEGER
    der = b"\x30\x82\x02\x10\x30\x82\x01\x79\xa0\x03\x02\x01\x02" + bytes(
        rng.randrange(256) for _ in range(520)
    )
    blob = base64.b64encode(der).decode()
    text = f"see {blob} end"
    assert Vault().redact(text) == text


@pytest.mark.parametrize("prefix", ["xoxp-", "xoxa-", "xoxe-"])
def test_slack_digit_runs_scan_in_linear_time(prefix: str) -> None:
    # `xoxp-1-1-1-...`: the letter test once per start, not once per way to split the digits (was
    # quadratic: 16k characters took ~2 s); quadratic growth would take minutes at this size
    import time

    from aiops_mcp.server.gateway.redaction.engine import find_spans

    text = "x " + prefix + "1-" * 32_000 + "!"
    start = time.perf_counter()
    find_spans(text)
    assert time.perf_counter() - start < 1.0


def test_telegram_bot_api_url_token_hidden() -> None:
    rng = random.Random("telegram")
    token = _r(rng, string.digits, 9) + ":AA" + _r(rng, URLSAFE, 33)
    out = Vault().redact(f"GET https://api.telegram.org/bot{token}/sendMessage 200")
    assert not _leaks(token, out)
    assert out.startswith("GET https://api.telegram.org/") and out.endswith("/sendMessage 200")


def test_schema_type_names_are_not_telegram_tokens() -> None:
    # `prefix12345:A` + a 34-letter type name in an XSD is a name, not a bot token
    name = "ddressValidationResultContentTypes"
    assert len(name) == 34
    text = f'<xsd:element name="AddressValidation" type="abc98765:A{name}"/>'
    assert Vault().redact(text) == text
