"""Passwords in connection strings and command lines as programs print them, drawn (seeded) from the
characters generated passwords use, including the ones a DSN treats specially when they come first
(`Password=;x...`, `password=<x...`); and the placeholders and masks that must stay in the same places.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

import pytest

from aiops_mcp.server.gateway.redaction import Vault

ALNUM = string.ascii_letters + string.digits
RNG = random.Random(4127)


def _password(first: str = "") -> str:
    while True:
        body = "".join(RNG.choice(ALNUM + "!#*+-.~") for _ in range(RNG.randint(10, 18)))
        if sum(c.isdigit() for c in body) >= 2 and sum(c.isalpha() for c in body) >= 4 and body[0].isalnum():
            return first + body


ODD_START: list[tuple[str, Callable[[str], str]]] = [
    ("adonet", lambda v: f"Server=db;Database=app;User Id=sa;Password={v};TrustServerCertificate=True"),
    ("libpq", lambda v: f"FATAL: could not connect, dsn: host=db user=app password={v} dbname=app"),
    ("odbc", lambda v: f"Driver={{ODBC Driver 18}};Server=db;Uid=svc;Pwd={v};Encrypt=yes;"),
]


@pytest.mark.parametrize(("name", "wrap"), ODD_START)
@pytest.mark.parametrize("first", [";", ",", "<"])
def test_unquoted_password_opening_with_a_separator_is_hidden(
    name: str, wrap: Callable[[str], str], first: str
) -> None:
    for _ in range(5):
        v = _password(first)
        out = Vault().redact(wrap(v))
        assert v[1:] not in out, (name, out)


@pytest.mark.parametrize(("name", "wrap"), ODD_START)
def test_an_empty_password_before_the_next_pair_keeps_that_pair(
    name: str, wrap: Callable[[str], str]
) -> None:
    text = wrap(";Database=app") if name != "libpq" else wrap("")
    assert "Database=app" in Vault().redact(text) or name == "libpq"


@pytest.mark.parametrize(
    "value",
    [
        "<password>",
        "<your-db-password>",
        "***REDACTED***",
        "**masked**",
        "__hidden__",
        "${DB_PASSWORD}",
        "********",
    ],
)
@pytest.mark.parametrize(("name", "wrap"), ODD_START)
def test_placeholders_in_the_password_slot_stay(name: str, wrap: Callable[[str], str], value: str) -> None:
    text = wrap(value)
    assert Vault().redact(text) == text


def test_placeholder_userinfo_followed_by_a_host_stays() -> None:
    text = "remote: https://x-access-token:<token>@github.com/org/repo.git"
    assert Vault().redact(text) == text


def test_bracketed_random_slot_name_stays() -> None:
    text = "Server=db;User Id=sa;Password=<Tk4vQz9pLm2x>;Encrypt=yes"
    assert Vault().redact(text) == text
