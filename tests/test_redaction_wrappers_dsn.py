"""Passwords in connection strings and command lines as programs print them, drawn (seeded) from the
characters generated passwords use, including the ones a DSN treats specially when they come first
(`Password=;x...`, `password=<x...`); and the placeholders and masks that must stay in the same places.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

import pytest

from aiops_mcp.server.gateway.redaction import Vault, context
from tests.growth import growth_ratio

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


TOOLS: list[tuple[str, Callable[[str], str]]] = [
    (
        "ldapsearch",
        lambda v: (
            f"+ ldapsearch -x -H ldaps://ldap.internal -D cn=admin,dc=corp,dc=io -w {v} -b dc=corp,dc=io"
        ),
    ),
    ("ldapmodify-quoted", lambda v: f"ldapmodify -x -D 'cn=Directory Manager' -w '{v}' -f change.ldif"),
    ("smbclient", lambda v: f"+ smbclient //fs01/share -U backup%{v} -c 'ls'"),
    ("rpcclient-domain", lambda v: f"rpcclient -U 'CORP\\\\svc_scan%{v}' 10.0.0.5 -c enumdomusers"),
    ("sqlplus", lambda v: f"$ sqlplus -s scott/{v}@//db.internal:1521/ORCLPDB1 @report.sql"),
    ("sqlplus-tns", lambda v: f"sqlplus system/{v}@PRODDB as sysdba"),
    ("expdp", lambda v: f"expdp system/{v} DIRECTORY=dump DUMPFILE=full.dmp FULL=y"),
    (
        "jdbc-thin",
        lambda v: f"java.sql.SQLException: ORA-01017 url=jdbc:oracle:thin:scott/{v}@db.internal:1521:ORCL",
    ),
    ("ezconnect", lambda v: f"connect string: app_ro/{v}@//db-scan.internal:1521/SVC"),
]


@pytest.mark.parametrize(("name", "wrap"), TOOLS)
def test_tool_logon_passwords_are_hidden(name: str, wrap: Callable[[str], str]) -> None:
    for _ in range(6):
        v = _password()
        out = Vault().redact(wrap(v))
        assert v not in out, (name, out)


@pytest.mark.parametrize(
    "text",
    [
        "ldapsearch -x -W -D cn=admin,dc=corp -b dc=corp '(uid=bob)'",
        "ldapsearch -x -w $LDAP_BIND_PW -b dc=corp",
        "smbclient -L //fs01 -U guest%",
        'cmd = "smbclient -U %s%%%s" % (user, password)',
        "net rpc user -U %USERNAME%",
        "sqlplus / as sysdba",
        "sqlplus scott/&pw@orcl",
        "jdbc:oracle:thin:@//db:1521/svc",
        "jdbc:oracle:thin:${DB_USER}/${DB_PASSWORD}@db:1521:ORCL",
        "see docs/setup@//example",
        "sqlplus scott/<password>@orcl",
    ],
)
def test_tool_lookalikes_stay(text: str) -> None:
    assert Vault().redact(text) == text


@pytest.mark.parametrize(
    ("fn", "make"),
    [
        (context._LDAP_W.search, lambda n: "ldapsearch" + " -x" * (n // 3)),
        (context._LDAP_W.search, lambda n: "ldapsearch -w" * (n // 13)),
        (context._SMB_USER.search, lambda n: "-U " + "a" * n),
        (context._SMB_USER.search, lambda n: "-U a\\" * (n // 5)),
        (context._ORACLE_TOOL.search, lambda n: "sqlplus " + "-s " * (n // 3)),
        (context._ORACLE_TOOL.search, lambda n: "sqlplus a/" * (n // 10)),
        (context._EZCONNECT.search, lambda n: "a" * n + "/b@/"),
        (context._ODD_VALUE.match, lambda n: ";" + "a" * n),
        (context._FTP_PASS.search, lambda n: "PASS " + "a" * n + " x"),
        (context._IMAP_LOGIN.search, lambda n: "a LOGIN " * (n // 8)),
        (context._IMAP_LOGIN.search, lambda n: "a LOGIN b " + "c" * n + " d"),
        (context._SMTP_LOGIN_PW.search, lambda n: "334 UGFzc3dvcmQ6\n" * (n // 17)),
        (context._SMTP_PLAIN.search, lambda n: "AUTH PLAIN " + "A" * n + "!"),
        (context._MESSAGE_VALUE.match, lambda n: "a" * n + "{"),
        (context._TOKEN_AFTER.match, lambda n: "a" * n),
        (Vault().redact, lambda n: "rejected token " * (n // 15)),
        (Vault().redact, lambda n: "> PASS x\n" * (n // 9)),
        (context._NESTED_VALUE.match, lambda n: '{"value": "' + "a" * n),
        (context._DB_CONNECT_CALL.search, lambda n: "PDO('" + "a" * n),
        (context._DB_CONNECT_CALL.search, lambda n: "mysqli_connect('a', 'b', " * (n // 25)),
        (Vault().redact, lambda n: "x@//" * (n // 4)),
        (Vault().redact, lambda n: "Password=;" * (n // 10)),
    ],
)
def test_wrapper_patterns_are_linear(fn: Callable[[str], object], make: Callable[[int], str]) -> None:
    assert growth_ratio(fn, make) < 3.0


@pytest.mark.parametrize(
    "text",
    [
        "dsn=app:${DB_PASSWORD:-}@tcp(mysql:3306)/orders",
        "+ redis-cli -h cache -a {{ .Values.redisPassword }} ping",
        "+ mysql -h db -u root -p{{ mysql_root_password }} -e 'select 1'",
    ],
)
def test_template_slots_after_password_arguments_stay(text: str) -> None:
    assert Vault().redact(text) == text


def test_password_with_separators_inside_after_an_odd_first_character_is_hidden() -> None:
    for first in ";,<":
        v = first + _password()[:5] + "&" + _password()
        out = Vault().redact(f"FATAL dsn: host=db user=app password={v} dbname=app")
        assert v[1:] not in out and "dbname=app" in out


@pytest.mark.parametrize(
    "value", ["#{db.password}", "(sensitive value)", "(hidden)", "vault:secret/data/db#password"]
)
@pytest.mark.parametrize(("name", "wrap"), ODD_START[:2] + TOOLS[:3])
def test_interpolations_and_cli_stand_ins_stay(name: str, wrap: Callable[[str], str], value: str) -> None:
    if " " in value and name in ("ldapsearch", "smbclient"):
        value = value.replace(" ", "_")  # an unquoted argument has no blank
    text = wrap(value)
    out = Vault().redact(text)
    assert value in out, (name, out)


def test_ampersand_first_password_and_colon_in_go_dsn_password_are_hidden() -> None:
    for _ in range(5):
        v = "&" + _password()
        out = Vault().redact(f"Driver={{ODBC Driver 18}};Server=db;Uid=svc;Pwd={v};Encrypt=yes;")
        assert v[1:] not in out
        w = _password()[:6] + ":" + _password()
        out = Vault().redact(f"panic: dsn=app:{w}@tcp(mysql:3306)/orders")
        assert w not in out and w.split(":")[1] not in out


@pytest.mark.parametrize("text", ["GET /login?user=bob&password=&next=/home", "a=1&password=&token=&x=2"])
def test_empty_query_values_stay(text: str) -> None:
    assert Vault().redact(text) == text
