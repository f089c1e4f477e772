"""Passwords that shell traces (`set -x`, CI logs) print as a tool's argument: GitHub Actions masks, OpenSSL
pass phrases, archive passwords, htpasswd/rabbitmqctl/net use positionals, `echo x | ... --password-stdin`,
`.pgpass` lines. Passwords are drawn (seeded); variables, prompts and unrelated flags must stay.
"""

from __future__ import annotations

import random
import string
import time
from collections.abc import Callable

import pytest

from aiops_mcp.server.gateway.redaction import Vault

ALNUM = string.ascii_letters + string.digits
RNG = random.Random(31337)


def _password() -> str:
    while True:
        v = "".join(RNG.choice(ALNUM + "!#%+.?@^_~") for _ in range(RNG.randint(10, 18)))
        if v[0].isalnum() and sum(c.isdigit() for c in v) >= 2:
            return v


TRACES: list[Callable[[str], str]] = [
    lambda v: f'Run echo "::add-mask::{v}"',
    lambda v: f"+ openssl pkcs12 -export -in c.pem -inkey k.pem -passout pass:{v} -out c.p12",
    lambda v: f"+ openssl enc -aes-256-cbc -salt -k {v} -in db.sql -out db.enc",
    lambda v: f"+ zip -P {v} backup.zip db.sql",
    lambda v: f"+ unzip -o -P '{v}' backup.zip",
    lambda v: f"+ 7z a -t7z -p{v} backup.7z db.sql",
    lambda v: f"+ htpasswd -b -c /etc/nginx/.htpasswd admin {v}",
    lambda v: f"+ rabbitmqctl add_user app {v}",
    lambda v: f"+ rabbitmqctl change_password app '{v}'",
    lambda v: f"C:\\> net use Z: \\\\fs01\\share /user:CORP\\svc {v} /persistent:no",
    lambda v: f"+ echo {v} | docker login -u ci --password-stdin ghcr.io",
    lambda v: f"+ echo '{v}' | sudo -S systemctl restart app",
    lambda v: f"+ echo {v} | passwd --stdin deploy",
    lambda v: f"$ cat ~/.pgpass\ndb.internal:5432:orders:app:{v}\n*:*:*:replicator:{v}",
]


@pytest.mark.parametrize("make", TRACES)
def test_cli_argument_passwords_are_hidden(make: Callable[[str], str]) -> None:
    for _ in range(4):
        v = _password()
        out = Vault().redact(make(v))
        assert v not in out, out


@pytest.mark.parametrize(
    "text",
    [
        "+ echo $REGISTRY_TOKEN | docker login -u ci --password-stdin ghcr.io",
        "+ cat token.txt | docker login --password-stdin",
        "+ echo hello | grep --stdin-filter x",
        "+ openssl enc -aes-256-cbc -k $KEY -in a -out b",
        "+ openssl x509 -in cert.pem -noout -text",
        "+ zip -r release.zip dist/",
        "+ gzip -9 -P file",
        "+ 7z l archive.7z -slt",
        "+ htpasswd -c /etc/nginx/.htpasswd admin",
        "C:\\> net use Z: \\\\fs01\\share /user:CORP\\svc *",
        'Run echo "::add-mask::${{ secrets.DEPLOY_KEY }}"',
        "+ mkdir -p /tmp/.pgpass.d",
    ],
)
def test_cli_lookalikes_stay(text: str) -> None:
    assert Vault().redact(text) == text


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "openssl" + " -x" * (n // 3),
        lambda n: "zip" + " a" * (n // 2),
        lambda n: "htpasswd" + " -b" * (n // 3),
        lambda n: "echo a" + " b" * (n // 2) + " | --stdin",
        lambda n: ".pgpass\n" + "a:1:b:c:d\n" * (n // 10),
        lambda n: "/user:" + "a" * n,
    ],
)
def test_cli_patterns_stay_linear(make: Callable[[int], str]) -> None:
    def best(t: str) -> float:
        out = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            Vault().redact(t)
            out = min(out, time.perf_counter() - t0)
        return out

    n = 20_000
    assert best(make(2 * n)) / max(best(make(n)), 1e-4) < 3.0
