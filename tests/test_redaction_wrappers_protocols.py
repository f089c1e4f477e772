"""Passwords in protocol transcripts (FTP `PASS`, IMAP `LOGIN`, SMTP `AUTH PLAIN` / `AUTH LOGIN`) as client
debug logs print them, with generated (seeded) passwords; and the test-runner and prose lines that share
their words (`PASS  src/app.test.js`, `LOGIN button`) must stay.
"""

from __future__ import annotations

import base64
import random
import string
from collections.abc import Callable

import pytest

from aiops_mcp.server.gateway.redaction import Vault

ALNUM = string.ascii_letters + string.digits
RNG = random.Random(9001)


def _password() -> str:
    while True:
        v = "".join(RNG.choice(ALNUM + "!#%+-.?@^_~") for _ in range(RNG.randint(10, 18)))
        if v[0].isalnum() and sum(c.isdigit() for c in v) >= 2 and "/" not in v:
            return v


def _b64(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


TRANSCRIPTS: list[tuple[str, Callable[[str], tuple[str, str]]]] = [
    ("ftp", lambda v: (f"> USER deploy\n< 331 Password required\n> PASS {v}\n< 530 Login incorrect", v)),
    (
        "ftp-curl",
        lambda v: (f"* Connected to ftp.example.com\n< 220 ready\n> USER ci\n> PASS {v}\n< 230 ok", v),
    ),
    ("imap", lambda v: (f"C: a001 LOGIN bob@example.org {v}\nS: a001 NO [AUTHENTICATIONFAILED]", v)),
    ("imap-quoted", lambda v: (f'a002 LOGIN "svc" "{v}"\na002 OK LOGIN completed', v)),
    (
        "smtp-plain",
        lambda v: (
            f"C: AUTH PLAIN {_b64(chr(0) + 'bob' + chr(0) + v)}\nS: 535 5.7.8 failed",
            _b64(chr(0) + "bob" + chr(0) + v),
        ),
    ),
    (
        "smtp-login",
        lambda v: (
            f"S: 334 VXNlcm5hbWU6\nC: {_b64('bob')}\nS: 334 UGFzc3dvcmQ6\nC: {_b64(v)}\nS: 235 ok",
            _b64(v),
        ),
    ),
]


@pytest.mark.parametrize(("name", "make"), TRANSCRIPTS)
def test_transcript_passwords_are_hidden(name: str, make: Callable[[str], tuple[str, str]]) -> None:
    for _ in range(5):
        text, hide = make(_password())
        out = Vault().redact(text)
        assert hide not in out, (name, out)


@pytest.mark.parametrize(
    "text",
    [
        " PASS  src/utils/date.test.js\n",
        " PASS  api.spec.ts\n",
        "PASS\nok  \texample.com/pkg\t0.012s",
        "tests PASS 12/12",
        "> PASS ****",
        "PASS (hidden)",
        "user clicked LOGIN button now",
        "the user LOGIN admin failed",
        "AUTH PLAIN required",
        "C: AUTH PLAIN " + _b64("no-nul-here-at-all"),
    ],
)
def test_transcript_lookalikes_stay(text: str) -> None:
    assert Vault().redact(text) == text
