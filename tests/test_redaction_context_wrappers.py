"""Secrets inside log-shaped wrappers: connection strings, Authorization headers, URL queries, JSON payloads,
exception messages, environment dumps and command lines; and the log lines around them that must stay.

Every credential is drawn here (seeded) from its format: random passwords with the punctuation people use,
base64/hex/base64url tokens of the documented lengths. Negatives are what such logs also carry: ids, hashes,
UUIDs, counts and sizes under names that contain a sensitive word, placeholders and masks.
Run as a script for per-family rates (`python tests/test_redaction_context_wrappers.py -v`).
"""

from __future__ import annotations

import base64
import json
import random
import string
import sys
from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest

from aiops_mcp.server.gateway.redaction import Vault
from aiops_mcp.server.gateway.redaction.validators import shannon

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64URL = ALNUM + "-_"


def _rand(rng: random.Random, chars: str, n: int) -> str:
    while True:
        v = "".join(rng.choice(chars) for _ in range(n))
        if v[0].isalnum() and v[-1].isalnum() and shannon(v) >= 3.0 and any(c.isdigit() for c in v):
            return v


def _password(rng: random.Random, symbols: str = "!#%*+-._~") -> str:
    """A typed password: letters and digits with a few symbols (URL-safe ones by default)."""
    while True:
        v = "".join(rng.choice(ALNUM + symbols) for _ in range(rng.randint(10, 22)))
        if v[0].isalnum() and any(c.isdigit() for c in v) and any(c.isalpha() for c in v):
            return v


def _b64(rng: random.Random, nbytes: int) -> str:
    return base64.b64encode(bytes(rng.randrange(256) for _ in range(nbytes))).decode()


def _host(rng: random.Random) -> str:
    return rng.choice(["db01.internal", "orders-db.svc.cluster.local", "10.0.3.17", "pg.example.net"])


Case = tuple[str, str]  # (text, secret that must be hidden)


def _conn(rng: random.Random) -> Iterator[tuple[str, Case]]:
    pw = _password(rng)
    user = rng.choice(["app", "svc_billing", "reporting", "etl-user"])
    h = _host(rng)
    yield (
        "url-postgres",
        (f"ERROR could not connect to postgresql://{user}:{pw}@{h}:5432/orders?sslmode=require", pw),
    )
    yield "url-mysql", (f"sqlalchemy.exc.OperationalError: (mysql://{user}:{pw}@{h}/shop) timed out", pw)
    yield (
        "url-mongodb-srv",
        (f"ServerSelectionTimeoutError: mongodb+srv://{user}:{pw}@cluster0.ab1cd.mongodb.net/db", pw),
    )
    yield "url-redis", (f"broker=redis://:{pw}@{h}:6379/0 connection refused", pw)
    yield "url-amqp", (f"amqp://{user}:{pw}@{h}:5672/vhost: ACCESS_REFUSED", pw)
    yield "jdbc-query", (f"url=jdbc:postgresql://{h}:5432/app?user={user}&password={pw}&ssl=true", pw)
    yield (
        "jdbc-sqlserver",
        (f"jdbc:sqlserver://{h}:1433;databaseName=billing;user={user};password={pw};encrypt=true", pw),
    )
    yield "adonet", (f"Server=tcp:{h},1433;Database=app;User Id={user};Password={pw};Encrypt=True;", pw)
    yield "adonet-spaced", (f'conn="Data Source={h};Initial Catalog=app;User ID={user};Password={pw}"', pw)
    yield "conn_str", (f'CONN_STR="Host={h};Username={user};Password={pw};Database=app"', pw)
    yield (
        "go-mysql-dsn",
        (f"[mysql] 2024/05/12 dial failed: {user}:{pw}@tcp({h}:3306)/orders?parseTime=true", pw),
    )
    yield "odbc", (f"Driver={{ODBC Driver 18 for SQL Server}};Server={h};UID={user};PWD={pw};", pw)


def _auth(rng: random.Random) -> Iterator[tuple[str, Case]]:
    tok = _rand(rng, ALNUM, rng.choice([32, 40, 64]))
    yield "bearer", (f"> Authorization: Bearer {tok}\n> Accept: */*", tok)
    basic = base64.b64encode(f"svc:{_password(rng)}".encode()).decode()
    yield "basic", (f"headers: {{'Authorization': 'Basic {basic}', 'User-Agent': 'curl/8.4'}}", basic)
    hx = _rand(rng, HEX, 40)
    yield "token-scheme", (f"GET /api/v2/issues Authorization: Token {hx} 200 OK", hx)
    resp = _rand(rng, HEX, 32)
    yield (
        "digest",
        (
            f'Authorization: Digest username="ops", realm="api", nonce="{_rand(rng, HEX, 16)}", uri="/v1", '
            f'response="{resp}", qop=auth',
            resp,
        ),
    )
    sig = _rand(rng, HEX, 64)
    yield (
        "aws4",
        (
            "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240512/us-east-1/s3/aws4_request, "
            f"SignedHeaders=host;x-amz-date, Signature={sig}",
            sig,
        ),
    )
    key = _rand(rng, ALNUM, 32)
    yield "x-api-key", (f"-H 'X-Api-Key: {key}' -H 'Accept: application/json'", key)


def _query(rng: random.Random) -> Iterator[tuple[str, Case]]:
    tok = _rand(rng, B64URL, 40)
    yield "token", (f'"GET /hooks/notify?token={tok}&channel=ops HTTP/1.1" 200 17', tok)
    yield "access_token", (f"callback?state=abc123&access_token={tok}&token_type=bearer", tok)
    sig = quote(_b64(rng, 32), safe="")
    yield (
        "sig",
        (f"https://acct.blob.core.windows.net/c/f.bin?sv=2022-11-02&se=2024-06-01&sp=r&sig={sig}", sig),
    )
    amz = _rand(rng, HEX, 64)
    yield (
        "x-amz-signature",
        (
            f"GET https://b.s3.amazonaws.com/k.tgz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature={amz} 403",
            amz,
        ),
    )
    key = _rand(rng, ALNUM, 32)
    yield "key", (f"fetch failed: https://maps.example.com/api/geocode?address=x&key={key}", key)
    yield "api_key", (f"HTTPError 503 for url 'https://hooks.example.com/n?api_key={key}&x=1'", key)


def _json(rng: random.Random) -> Iterator[tuple[str, Case]]:
    sec = _rand(rng, ALNUM + "-_", 40)
    for name in ["client_secret", "apiKey", "x-api-key", "refresh_token", "private_key_id", "password"]:
        doc = {"job": "sync-42", "config": {"auth": {name: sec}, "region": "eu-west-1"}}
        yield f"nested-{name}", (json.dumps(doc), sec)
    doc = {"items": [{"name": "a", "token": sec}, {"name": "b"}]}
    yield "array", (json.dumps(doc), sec)
    inner = json.dumps({"refresh_token": sec, "scope": "read"})
    yield "escaped-inner", (json.dumps({"event": "token.refresh", "body": inner}), sec)
    pw = _password(rng)
    yield "compact-password", (json.dumps({"user": "svc", "password": pw}, separators=(",", ":")), pw)


def _traces(rng: random.Random) -> Iterator[tuple[str, Case]]:
    pw = _password(rng)
    yield (
        "python-kwargs",
        (
            f'Traceback (most recent call last):\n  File "db.py", line 9, in connect\n'
            f"    psycopg2.connect(host='db', user='app', password='{pw}')\nOperationalError: timeout",
            pw,
        ),
    )
    yield (
        "java-caused-by",
        (
            f"Caused by: java.sql.SQLException: Access denied; url=jdbc:mysql://db:3306/x?user=app&password={pw}",
            pw,
        ),
    )
    tok = _rand(rng, ALNUM, 36)
    yield "exception-message", (f"AuthError: request rejected (api_key={tok}, status=401)", tok)
    yield "repr", (f"Config(host='db', token='{tok}', retries=3)", tok)


def _env(rng: random.Random) -> Iterator[tuple[str, Case]]:
    tok = _rand(rng, ALNUM, 40)
    yield "export", (f"+ export SLACK_BOT_TOKEN={tok}\n+ ./deploy.sh", tok)
    yield "export-quoted", (f'export GH_TOKEN="{tok}"', tok)
    pw = _password(rng)
    yield "env-line", (f"HOME=/home/runner\nDB_PASSWORD={pw}\nPATH=/usr/bin", pw)
    yield "docker-env", (f"docker run -e API_SECRET={tok} -p 8080:8080 app:latest", tok)
    yield "k8s-env", (f"- name: STRIPE_SECRET\n  value: {tok}\n", tok)
    yield (
        "k8s-env-flow",
        (f"env: [{{name: DB_PASSWORD, value: {pw}}}, {{name: LOG_LEVEL, value: debug}}]", pw),
    )


def _cli(rng: random.Random) -> Iterator[tuple[str, Case]]:
    pw = _password(rng)
    tok = _rand(rng, ALNUM, 32)
    yield "--password", (f"$ pg_dump --host db --username app --password {pw} orders", pw)
    yield "--password=", (f"mysqladmin --user=root --password={pw} status", pw)
    yield "--token=", (f"vault login --token={tok} -address=https://vault:8200", tok)
    yield "--api-key", (f"cli deploy --api-key {tok} --env prod", tok)
    yield "--client-secret", (f"az login --service-principal -u app --client-secret {tok} --tenant t", tok)
    yield "mysql -p", (f"$ mysql -h db -u root -p{pw} shop", pw)
    yield "-u then -p", (f"$ mongosh -u admin -p {pw} --authenticationDatabase admin", pw)
    yield "sshpass -p", (f"+ sshpass -p {pw} ssh -o StrictHostKeyChecking=no deploy@10.0.0.5", pw)
    yield "htpasswd -b", (f"RUN htpasswd -bc /etc/nginx/.htpasswd admin {pw}", pw)


FAMILIES: dict[str, Callable[[random.Random], Iterator[tuple[str, Case]]]] = {
    "conn": _conn,
    "auth": _auth,
    "query": _query,
    "json": _json,
    "trace": _traces,
    "env": _env,
    "cli": _cli,
}


def positives(rounds: int = 8) -> Iterator[tuple[str, str, str]]:
    rng = random.Random(11)
    for _ in range(rounds):
        for fam, gen in FAMILIES.items():
            for sub, (text, secret) in gen(rng):
                yield f"{fam}:{sub}", text, secret


def _uuid(rng: random.Random) -> str:
    h = _rand(rng, HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def negatives(rounds: int = 4) -> Iterator[tuple[str, str]]:
    rng = random.Random(12)
    for _ in range(rounds):
        n = rng.randint(2, 9000)
        yield "counts", f"usage: prompt_tokens={n} completion_tokens={n // 3} total_tokens={n + n // 3}"
        yield "counts", f"token_count={n} max_tokens=4096 model=m-large"
        yield "counts", f"tokens: {n}"
        yield "counts", f"password_length={rng.randint(8, 64)} password_min_length=12"
        yield "counts", f"secret_count: {rng.randint(0, 40)} rotated: true"
        yield "names", f"secret_name: {rng.choice(['my-secret', 'db-creds', 'app-tls'])}"
        yield "names", f"secretName: {rng.choice(['prod-db-creds-v2', 'registry-pull'])}\nnamespace: default"
        yield (
            "names",
            f'{{"secretRef": {{"name": "{rng.choice(["api-keys", "pg-auth"])}", "key": "password"}}}}',
        )
        yield "names", "valueFrom:\n  secretKeyRef:\n    name: db-secret\n    key: password"
        yield "names", "- {name: API_TOKEN, valueFrom: {secretKeyRef: {name: api, key: token}}}"
        yield "counts", f"- {{name: TOKEN_TTL, value: {rng.randint(60, 86400)}}}"
        yield "ids", f"request_id={_uuid(rng)} trace_id={_rand(rng, HEX, 32)} span_id={_rand(rng, HEX, 16)}"
        yield "ids", f"deploy: commit {_rand(rng, HEX, 40)} rolled out (image sha256:{_rand(rng, HEX, 64)})"
        yield "ids", f"checksum ok: md5={_rand(rng, HEX, 32)} size={rng.randint(1, 10**9)}"
        yield "ids", f"token refreshed for session {_uuid(rng)} (expires_in=3600)"
        yield "ids", f"access granted user_id={rng.randint(1, 99999)} role=admin"
        yield "ids", f"acquired lock_key={_rand(rng, HEX, 32)} ttl=30s owner=worker-3"
        yield "ids", f'{{"event_key": "{_rand(rng, HEX, 40)}", "queue_key": "jobs:{_rand(rng, HEX, 12)}"}}'
        yield "placeholder", "password=${DB_PASSWORD} user=app"
        yield "placeholder", "token: {{ secrets.GITHUB_TOKEN }}"
        yield "placeholder", "Authorization: Bearer <token>"
        yield "placeholder", "api_key=<redacted> status=401"
        yield "placeholder", "password: '****' # set via env"
        yield "placeholder", "DB_PASSWORD=REDACTED"
        yield "placeholder", "export API_TOKEN=changeme"
        yield "placeholder", "postgresql://app:${PGPASSWORD}@db:5432/app"
        yield "placeholder", 'DSN="root:${MYSQL_PASSWORD}@tcp(mysql:3306)/app"'
        yield "ids", 'sql.Open("mysql", "app@tcp(db:3306)/orders")'
        yield "placeholder", "curl -H 'Authorization: Bearer $TOKEN' https://api.example.com"
        yield "prose", 'password authentication failed for user "app"'
        yield "prose", "401 Unauthorized: Authorization header missing or malformed"
        yield "prose", "WARNING! Using --password via the CLI is insecure. Use --password-stdin."
        yield "prose", "token expired, refreshing (attempt 2 of 5)"
        yield "prose", "secret rotation completed for 3 keys in 120ms"
        yield "prose", "apt-get install -y sshpass openssh-client"
        yield "prose", "htpasswd -c /etc/nginx/.htpasswd admin"
        yield "placeholder", "sshpass -p $SSHPASS ssh deploy@host"
        yield "prose", f"docker run -u 1000 -p {rng.randint(1024, 9999)}:8080 app:latest"
        yield "prose", "mysql -u root -p shop < dump.sql"
        yield "prose", "rabbitmqctl -u guest -p my_vhost list_queues"
        acct = rng.randint(10**11, 10**12 - 1)
        tail = "".join(rng.choice(string.ascii_letters) for _ in range(6))
        yield (
            "references",
            f"fetched arn:aws:secretsmanager:us-east-1:{acct}:secret:prod/db-{tail} (version AWSCURRENT)",
        )
        yield "references", "db_password: vault:secret/data/app#password  # resolved at start-up"
        yield "references", f'"client_secret": "projects/{acct}/secrets/oauth-client/versions/3"'
        yield "references", "password: ENC[AES256_GCM,data:Tr9x,iv:Zm9v,tag:YmFy,type:str]"
        yield "references", "API_TOKEN=op://ops/deploy-bot/credential"
        yield (
            "metadata",
            f"token_expires_at={rng.randint(2020, 2030)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T10:22:31Z",
        )
        yield (
            "metadata",
            f'"refresh_token_audience": "{_uuid(rng)}", "token_issuer": "https://id.example.com"',
        )
        yield "metadata", f"secret_region={rng.choice(['us-east-1', 'eu-west-2'])} secret_source=vault"
        yield "metadata", f"token: {rng.randint(2020, 2030)}-0{rng.randint(1, 9)}-2{rng.randint(0, 8)}"
        yield "metadata", f"secret: v{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}"
        yield "metadata", f"token=sha256:{_rand(rng, HEX, 64)} verified"
        yield "metadata", f"token_sha256: {_rand(rng, HEX, 64)}"
        yield "metadata", "PWD=/home/runner/work/app/app\nOLDPWD=/home/runner"


def _hidden(text: str, secret: str) -> bool:
    return secret not in Vault().redact(text)


def _kept(text: str) -> bool:
    return Vault().redact(text) == text


# --- tests -------------------------------------------------------------------------------------------------

_POS = list(positives())
_NEG = list(negatives())


@pytest.mark.parametrize("family", sorted({f for f, _, _ in _POS}))
def test_wrapped_credentials_are_hidden(family: str) -> None:
    missed = [t for f, t, s in _POS if f == family and not _hidden(t, s)]
    assert not missed, missed[:3]


@pytest.mark.parametrize("kind", sorted({k for k, _ in _NEG}))
def test_log_lines_without_credentials_are_kept(kind: str) -> None:
    changed = [(t, Vault().redact(t)) for k, t in _NEG if k == kind and not _kept(t)]
    assert not changed, changed[:3]


if __name__ == "__main__":
    rates: dict[str, list[int]] = {}
    for f, t, s in _POS:
        r = rates.setdefault("+" + f.split(":")[0], [0, 0])
        r[0] += _hidden(t, s)
        r[1] += 1
    for k, t in _NEG:
        r = rates.setdefault("-" + k, [0, 0])
        r[0] += _kept(t)
        r[1] += 1
    for f, (ok, total) in rates.items():
        print(f"{f:14s} {ok:4d}/{total:<4d} {ok / total:.3f}")
    if "-v" in sys.argv:
        seen = set()
        for f, t, s in _POS:
            if not _hidden(t, s) and f not in seen:
                seen.add(f)
                print("MISS", f, repr(t), "->", repr(Vault().redact(t)))
        for k, t in _NEG:
            if not _kept(t) and t not in seen:
                seen.add(t)
                print("FP  ", k, repr(t), "->", repr(Vault().redact(t)))
