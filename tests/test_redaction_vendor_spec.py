"""Vendor formats held to their specified shape (rules.py): exact length, charset, fixed head.

A token of the documented shape is hidden in a sentence, an assignment and JSON; a near miss that the
format's spec rules out (one character short, a character outside the alphabet, the payload marker
missing) is not that token and must come through unchanged in prose. Every value is generated here.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable

import pytest

from aiops_mcp.server.gateway.redaction import PLACEHOLDER_RE, Vault

MIX = string.ascii_letters + string.digits
B64 = MIX + "+/"
URLSAFE = MIX + "_-"
LETTERS = string.ascii_letters
LOWHEX = "0123456789abcdef"


def _r(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _sentry_org(rng: random.Random, secret_tail: str | None = None) -> str:
    """`sntrys_` + base64 of the org payload (`{"iat": ..., "region_url": ...}`) + `_` + 43 base64."""
    payload = {
        "iat": rng.randint(1_600_000_000, 1_800_000_000) + rng.random(),
        "url": "https://sentry.io",
        "region_url": "https://us.sentry.io",
        "org": _r(rng, string.ascii_lowercase, rng.randint(4, 12)),
    }
    head = base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
    tail = secret_tail if secret_tail is not None else _r(rng, B64, 43)
    return f"sntrys_{head}_{tail}"


FORMATS: dict[str, Callable[[random.Random], str]] = {
    "huggingface_user": lambda g: "hf_" + _r(g, LETTERS, 34),
    "huggingface_org": lambda g: "api_org_" + _r(g, LETTERS, 34),
    "perplexity": lambda g: "pplx-" + _r(g, MIX, 48),
    "github_fine_grained": lambda g: "github_pat_" + _r(g, MIX, 22) + "_" + _r(g, MIX, 59),
    "heroku_v2": lambda g: "HRKU-AA" + _r(g, URLSAFE, 58),
    "digitalocean_pat": lambda g: "dop_v1_" + _r(g, LOWHEX, 64),
    "vault_service": lambda g: "hvs." + _r(g, URLSAFE, 95),
    "vault_batch": lambda g: "hvb." + _r(g, URLSAFE, 150),
    "slack_webhook": lambda g: (
        "https://hooks.slack.com/services/T"
        + _r(g, string.ascii_uppercase + string.digits, 8)
        + "/B"
        + _r(g, string.ascii_uppercase + string.digits, 8)
        + "/"
        + _r(g, MIX, 24)
    ),
    "sentry_org": _sentry_org,
    # the 43-character secret of an org token may hold `+` and `/` anywhere
    "sentry_org_plus_slash": lambda g: _sentry_org(g, _r(g, MIX, 20) + "+/" + _r(g, MIX, 21)),
    "chieftools": lambda g: g.choice(["ctp_", "cto_", "ctr_"]) + _r(g, MIX, g.randint(30, 60)),
    "datafactory_shir": lambda g: (
        "IR@"
        + "-".join(_r(g, LOWHEX, k) for k in (8, 4, 4, 4, 12))
        + "@adf-"
        + _r(g, string.ascii_lowercase, 6)
        + "@"
        + g.choice(["we", "eu", "eastus2"])
        + "@"
        + _r(g, B64, 43)
        + "="
    ),
    "claude_session_url_upper_host": lambda g: "https://CLAUDE.AI/code/session_" + _r(g, MIX, 24),
}

CONTEXTS = [
    "the deploy step printed {s} and then exited",
    'export VENDOR_CREDENTIAL="{s}"',
    '{{"value": "{s}", "ok": true}}',
]


def _near_misses() -> list[str]:
    g = random.Random("vendor-spec-near-misses")
    return [
        "hf_" + _r(g, LETTERS, 33),  # one letter short
        "hf_" + _r(g, LETTERS, 20) + _r(g, string.digits, 14),  # digits: not a letters-only token
        "api_org_" + _r(g, LETTERS, 30),
        "pplx-" + _r(g, MIX, 47),
        "pplx-" + _r(g, MIX, 49),
        "github_pat_" + _r(g, MIX, 22) + "_" + _r(g, MIX, 50),
        "HRKU-AA" + _r(g, URLSAFE, 57),
        "HRKU-" + _r(g, MIX, 60),  # no `AA` after the dash
        "dop_v1_" + _r(g, LOWHEX, 62) + "ZZ",  # not hex at the end
        "https://hooks.slack.com/services/T0000/B0000/" + _r(g, MIX, 10),
        # org-token head without the region_url payload, and one a character short at the end
        "sntrys_eyJpYXQiO" + _r(g, B64, 80) + "_" + _r(g, B64, 43),
        _sentry_org(g, _r(g, B64, 42)),
        "cto_" + _r(g, MIX, 12),
        "ctr_" + "x" * 40,
        "IR@" + "-".join(_r(g, LOWHEX, k) for k in (8, 4, 4, 4, 12)) + "@adf@we@" + _r(g, B64, 20),
        "https://CLAUDE.AI/code/session_short",
        "https://claude.ai/chat/session_" + _r(g, MIX, 24),
    ]


NEAR_MISSES = _near_misses()


def _leaks(secret: str, out: str) -> bool:
    out = PLACEHOLDER_RE.sub("\x01", out)
    return secret in out or any(secret[k : k + 8] in out for k in range(len(secret) - 7))


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_spec_shaped_tokens_are_hidden(name: str) -> None:
    rng = random.Random(f"vendor-spec-{name}")
    missed = []
    for _ in range(4):
        token = FORMATS[name](rng)
        for ctx in CONTEXTS:
            text = ctx.format(s=token)
            if _leaks(token, Vault().redact(text)):
                missed.append(text)
    assert not missed, f"{name}: not hidden in {missed[:1]}"


@pytest.mark.parametrize("value", NEAR_MISSES)
def test_spec_near_misses_survive_in_prose(value: str) -> None:
    text = f"set it to {value} in the docs"
    assert Vault().redact(text) == text


def _vault_payload(rng: random.Random) -> tuple[str, list[str]]:
    lines = [_r(rng, LOWHEX, 80) for _ in range(3)]
    return "\n".join(lines), lines


@pytest.mark.parametrize(
    "layout",
    [
        "$ANSIBLE_VAULT;1.1;AES256\n{p}",
        "db_password: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n      {pi}\nnext_key: 1",
        'ansible_token = "ANSIBLE_VAULT;1.0;AES256;\n{p}"',
    ],
)
def test_ansible_vault_payload_hidden_header_kept(layout: str) -> None:
    payload, lines = _vault_payload(random.Random(layout))
    text = layout.format(p=payload, pi=payload.replace("\n", "\n      "))
    out = Vault().redact(text)
    assert "ANSIBLE_VAULT;1." in out
    assert not any(_leaks(line, out) for line in lines)


def test_ansible_vault_header_alone_survives() -> None:
    text = "files encrypted with ansible-vault start with $ANSIBLE_VAULT;1.1;AES256 and a newline"
    assert Vault().redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "ANSIBLE_VAULT;1.1;AES256\n" + ("a" * 15 + " ") * 5000,
        "ANSIBLE_VAULT;1.1;AES256\n" + "0123456789abcdef" * 3000 + "z",
        "sk-" + "a" * 50_000,
        "sk-x-" + ("A" * 19 + "-") * 3000,
        "IR@" + "-" * 36 + "@" + "x" * 20_000,
        "1234567890:" * 10_000,
        ("9" * 16 + ":A") * 5000,
        "softlayer.com/soap/v3/" * 5000,
    ],
)
def test_new_formats_scan_long_inputs_in_linear_time(text: str) -> None:
    import time

    start = time.perf_counter()
    Vault().redact(text)
    assert time.perf_counter() - start < 1.0
