"""Which names announce a secret: `password`, `api_key`, `githubToken`, `X-Api-Key`, `AccountKey`.

Used by the text scanner (identifier before `=`, `:`, `=>` ...) and by the JSON walker (dict keys).
The test is on the *last* component of the name, so `token_type`, `keyword`, `key_down_event`,
`UserSecretsId` and `max_tokens` are ordinary names while `bot_token1` and `sumo_access_key` are not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Literal, TypeVar

Sensitivity = Literal["password", "secret", "weak"] | None
_T = TypeVar("_T")

# Components that make the value secret whatever it looks like (a password can be a plain word).
_PASSWORD_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "secret",
        "secrete",
        "secreto",
        "pw",
        "contrasena",
        "contraseña",
        "keypass",
        "sshpass",  # the command: `sshpass -p <password>` (context.py reads its argument)
        # other languages' words for a password that the `pass` keyword reaches (German, French, Norwegian)
        "passwort",
        "passe",
        "passord",
    }
)
# Inside a longer name (`secret_key_base`, `mySecretString`, `token_value`) these still mark a credential,
# unless the name ends in a neutral word (`password_min_length`, `secretName`).
_INNER_WORDS = frozenset(
    {"password", "passwd", "pwd", "secret", "token", "apikey", "credential", "credentials", "creds"}
)
# Accounts whose `<account>_pass` is a password (`pass` alone is a verb in most names).
_PASS_OWNERS = frozenset(
    [
        "db",
        "database",
        "user",
        "admin",
        "root",
        "my",
        "app",
        "sql",
        "mysql",
        "ftp",
        "smtp",
        "mail",
        "redis",
        "ldap",
    ]
)
# Components that name a credential; the value still has to look generated.
_SECRET_WORDS = frozenset(
    {
        "token",
        "apikey",
        "api_key",
        "secretkey",
        "accesskey",
        "privatekey",
        "authkey",
        "auth",
        "authorization",
        "credential",
        "credentials",
        "signature",
        "sig",
        "bearer",
        "cookie",
        "sessionid",
        "session",
        "dsn",
        "connectionstring",
        "connstr",
        "jwt",
        "otp",
        "pat",
        "psk",
        "salt",
        "hmac",
        "creds",
        # gitleaks' generic identifiers `api` and `access` as the whole name or its last word (`X-API`,
        # `client_access`); the value must still look generated
        "api",
        "access",
    }
)
# Run-together names (`apikey`, `DBPASSWORD`, `authtoken`) checked by suffix.
_SUFFIXES_PASSWORD = ("password", "passwd", "pwd", "secret", "keypass", "storepass", "contrasena", "passwort")
# `<owner>key` run together (detect-secrets' denylist spells these: `appkey`, `dbkey`, `privkey` ...);
# `hotkey`, `monkey`, `turkey` and `passkey` end in `key` without naming an owner of a credential
_SUFFIXES_SECRET = (
    "token",
    "apikey",
    "secretkey",
    "accesskey",
    "privatekey",
    "authkey",
    "credentials",
    "appkey",
    "servicekey",
    "applicationkey",
    "accountkey",
    "dbkey",
    "databasekey",
    "clientkey",
    "privkey",
    "masterkey",
    "signingkey",
    "encryptionkey",
    "licensekey",
    "hmackey",
    # session cookies by their server's name: `JSESSIONID`, `PHPSESSID`, `ASPSESSIONID...`
    "sessionid",
    "sessid",
)
# Components that make the whole name non-secret (public halves of key pairs, metadata about a secret).
_NEUTRAL = frozenset(
    {
        "public",
        "pub",
        "publishable",
        "type",
        "name",
        "id",
        "ids",
        "length",
        "len",
        "expiry",
        "expires",
        "expiration",
        "ttl",
        "url",
        "uri",
        "path",
        "file",
        "count",
        "max",
        "min",
        "policy",
        "hint",
        "field",
        "header",
        "prefix",
        "format",
        "version",
        "kind",
        "enabled",
        "required",
        "endpoint",
        "dir",
        "location",
        "rotation",
        "manager",
        "provider",
        "store",
        "mode",
        "size",
        "label",
        "types",
        "names",
        # metadata about a credential, not the credential: who issued it, for whom, where, when, how
        "audience",
        "issuer",
        "scope",
        "scopes",
        "region",
        "timeout",
        "algorithm",
        "alg",
        "status",
        "source",
        "ref",
        "arn",
        "at",
        "days",
        "seconds",
        "sha",  # `token_sha256`: components split the digits off (sha, 256)
        "md",
        "kid",
    }
)

# `<x>_key` names that are identifiers, not credentials (the value is data the model may need to see).
_ID_KEYS = frozenset(
    [
        "idempotency",
        "cache",
        "primary",
        "partition",
        "sort",
        "schema",
        "hot",
        "idx",
        "routing",
        "object",
        "s3",
        "dedup",
        "dedupe",
        "lookup",
        "foreign",
        "row",
        "message",
        "composite",
        "unique",
        "hash",
        "index",
        "map",
        "group",
        "shard",
        "bucket",
        "sequence",
        "natural",
        "surrogate",
        "business",
        "external",
        "correlation",
        "trace",
        "request",
        # keys that address data in a store, a queue, a config or a UI (their values are names and hashes)
        "lock",
        "job",
        "task",
        "event",
        "record",
        "entity",
        "resource",
        "config",
        "state",
        "queue",
        "metric",
        "feature",
        "flag",
        "item",
        "dict",
        "attr",
        "field",
        "column",
        "table",
        "tag",
        "param",
        "setting",
        "property",
        "route",
        "query",
        "search",
        "order",
        "page",
        "cursor",
        "redis",
        "registry",
        "translation",
        "locale",
    ]
)
# Anti-forgery nonces are bound to one page/session and worthless elsewhere: not credentials.
_ANTI_FORGERY = frozenset({"csrf", "xsrf"})
_RUN_TOGETHER = (
    "apikey",
    "password",
    "passwd",
    "privatekey",
    "secretkey",
    "accesskey",
    "authtoken",
    "accesstoken",
)
_PUBLIC = frozenset({"public", "pub", "publishable"})
_PAT_OWNERS = frozenset({"devops", "ado", "personal", "access", "git", "registry", "api"})
_PASSWORD_INNER = frozenset({"password", "passwd", "pwd", "passphrase"})
# names that say their value is not a real credential: `fakeToken`, `dummy_password`, `mockApiKey`,
# `nonMatchingToken` (test fixtures and doc samples; a vendor-format value is still found by its format)
_NOT_REAL = frozenset({"fake", "dummy", "mock", "bogus", "placeholder", "example", "sample", "nonmatching"})
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_SEP = re.compile(r"[^A-Za-z0-9]+")


_MISS = object()
_TABLE_SIZE = 4096


_VOWELS = frozenset("aeiouy")
# five digits or six lower-to-upper humps: more than _name_shaped allows, found without splitting the string
# (most generated tokens stop here; they are met again and again, a name only until it is remembered)
_MANY_PIECES = re.compile(r"(?:[^0-9]*[0-9]){5}|(?:[^a-z]*[a-z]+[A-Z]){6}")


def _name_shaped(s: str, parts: tuple[str, ...]) -> bool:
    """Words of a name (`DB_PASSWORD`, `apiKeyValue`, `x-auth-token-2`): up to six pieces, two of them
    numbers at most (four digits in all), one single letter and two words without a vowel (`db`, `pwd`) at
    most, no word over 16 letters. A generated token splits into many short pieces (`CtjfIZ4SApiMz9` ->
    ctjf, iz, 4, s, api, mz, 9): of 20,000 drawn 24-character tokens holding a keyword 7 pass, of 32
    characters none; short ones pass more often (16: 3%), and those are kept. 99% of the name lookups in
    logs, code and the development cases are of names that pass."""
    if len(s) > 48:
        return False
    singles = digits = bare = words = 0
    for p in parts:
        if p.isdigit():
            digits += len(p)
            continue
        words += 1
        if len(p) == 1:
            singles += 1
        elif len(p) > 16:
            return False
        elif _VOWELS.isdisjoint(p):
            bare += 1
    return len(parts) <= 6 and len(parts) - words <= 2 and singles <= 1 and digits <= 4 and bare <= 2


def _remember(table: dict[str, _T], key: str, value: _T) -> None:
    """Keep key -> value in a process-wide table, bounded: a full table is emptied first."""
    if len(table) >= _TABLE_SIZE:
        table.clear()
    table[key] = value


_WORDS: dict[str, tuple[str, ...]] = {}  # components' table (names only)
# for callers that meet a value and may use the cached answers when it is also a name already seen
NAMES_SEEN: Mapping[str, tuple[str, ...]] = _WORDS


def names_only_cache(
    fn: Callable[[str], _T], name_of: Callable[[str], str] | None = None
) -> Callable[[str], _T]:
    """Remember fn's answers process-wide, but only for strings that read as names.

    The scanners also meet values here (a token that happens to hold `api` or `key` is read as a run of
    name characters first), and a process-wide table of recent secrets would outlive every call. fn must
    split `name_of(s)` with `components`, which keeps only name-shaped strings: an answer is kept when
    components kept the string, and computed again otherwise. Bounded: the table is emptied when full.
    """
    table: dict[str, _T] = {}

    def cached(s: str) -> _T:
        got = table.get(s, _MISS)
        if got is _MISS:
            got = fn(s)
            if (s if name_of is None else name_of(s)) in _WORDS:
                _remember(table, s, got)
        return got  # type: ignore[return-value]

    cached.__doc__ = fn.__doc__
    cached.table = table  # type: ignore[attr-defined]  # for tests: what the process keeps
    return cached


def split_words(name: str) -> tuple[str, ...]:
    """`DB_PASSWORD` -> (db, password), `apiKeyV2` -> (api, key, v, 2); never cached (values come here too)."""
    if not name.isascii():  # `contraseña` -> `contrasena`
        name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    out: list[str] = []
    for chunk in _SEP.split(name):
        if chunk:
            out.extend(p.lower() for p in _CAMEL.findall(chunk))
    return tuple(out)


def components(name: str) -> tuple[str, ...]:
    """split_words, remembered process-wide for names only (see names_only_cache)."""
    got = _WORDS.get(name)
    if got is None:
        got = split_words(name)
        if _MANY_PIECES.match(name) is None and _name_shaped(name, got):
            _remember(_WORDS, name, got)
    return got


components.table = _WORDS  # type: ignore[attr-defined]


@names_only_cache
def classify(name: str) -> Sensitivity:
    """password: redact any real value; secret: redact a value that looks generated; weak: bare `key`."""
    return _sensitivity(name, components)


def classify_value(value: str) -> Sensitivity:
    """classify for a value read as a possible variable name (`password = new_password`): nothing of it is
    kept after the call, whatever it looks like."""
    return _sensitivity(value, split_words)


def _sensitivity(name: str, words: Callable[[str], tuple[str, ...]]) -> Sensitivity:
    parts = words(name)
    # trailing digits and repeated keywords (`token4`, `api_token_123`, `tokenToken`) do not change the meaning
    while parts and parts[-1].isdigit():
        parts = parts[:-1]
    # `api_key_value`, `authValue`, `token_value_2`: a trailing `value` names the same thing (a password
    # name so extended is read as `secret`: the value must look generated, `secret_value = value` is code)
    if len(parts) >= 2 and parts[-1] == "value":
        sens = _sensitivity("_".join(parts[:-1]), words)
        return "secret" if sens == "password" else sens
    if not parts:
        return None
    last = parts[-1]
    if parts[-2:] in (("conn", "str"), ("connection", "string")):
        return "secret"  # `conn_str`, `ConnectionString`: a connection string (its password is looked for inside)
    if parts[-3:] == ("private", "key", "id"):
        return "secret"  # a service account's key id travels with the key (`"private_key_id"` in GCP JSON)
    if last in _NEUTRAL or any(p in _PUBLIC or p in _ANTI_FORGERY or p in _NOT_REAL for p in parts):
        return None
    if "matching" in parts and parts.index("matching") > 0 and parts[parts.index("matching") - 1] == "non":
        return None  # `nonMatchingToken`, `non_matching_key`
    if len(parts) >= 2 and parts[0] in ("not", "no", "non"):
        return None  # `not_secret`, `no_password`, `NON_SECRET_VALUE`: the name says what the value is not
    if last in _PASSWORD_WORDS or last.endswith(_SUFFIXES_PASSWORD):
        return "password"
    if last == "access" and len(parts) >= 2 and parts[-2] == "random":
        return None  # `random_access`: a memory/IO term (gitleaks' allowlist)
    if last == "pat":
        # a personal access token after its service (`GITHUB_PAT`, `gitlabPat`, `AZURE_DEVOPS_PAT`); alone, or
        # after another word (`word_pat`, `sep_pat`), `pat` is code's short name for a pattern
        return "secret" if any(p in VENDORS or p in _PAT_OWNERS for p in parts[:-1]) else None
    if last == "login" and len(parts) >= 2 and parts[-2] in VENDORS:
        # `sonar.login`, `SONAR_LOGIN`: the property that takes a service's authentication token (a user
        # name under it does not look generated, and only a generated value is redacted)
        return "secret"
    if last in _SECRET_WORDS or last.endswith(_SUFFIXES_SECRET):
        # `db_password_token`, `DB_PASSWDToken`, `db_pwd_api_key`: a credential named after a password
        # holds one (any real value, not only a generated one)
        return "password" if not _PASSWORD_INNER.isdisjoint(parts[:-1]) else "secret"
    if last == "key":
        # `api_key`, `secret_key`, `access_key`, `private_key`, `AccountKey`, `X-Api-Key` are credentials;
        # a bare `key` is often an ordinary lookup key.
        if len(parts) >= 2 and parts[-2] in (
            "api",
            "secret",
            "access",
            "private",
            "account",
            "master",
            "auth",
            "client",
            "encryption",
            "signing",
            "license",
            "service",
            "admin",
            "app",
            "application",
            "db",
            "database",
            "priv",
            "storage",
            "consumer",
            "subscription",
            "webhook",
            "hmac",
        ):
            return "secret"
        if len(parts) >= 2 and parts[-2] in _ID_KEYS:
            return None
        if len(parts) >= 2 and parts[-2] in VENDORS:
            return "secret"  # `HEROKU_KEY`, `sendgrid_key`: a service's key is its credential (a UUID for Heroku)
        return "weak"
    if any(p in _INNER_WORDS for p in parts[:-1]):
        return "secret"
    # `db_pass_secure`, `smtp_pass_prod`: an inner `pass` after an account's name; `pass_context`,
    # `pass_through` and `bypass_cache` are not about passwords
    for k in range(1, len(parts) - 1):
        if parts[k] == "pass" and parts[k - 1] in _PASS_OWNERS:
            return "secret"
    # run-together lower-case names: `theapikey`, `fooapikeyfoo`, `mydbpassword1`
    if any(w in last for w in _RUN_TOGETHER):
        return "secret"
    return None


# Services whose bare name is used as the key of their credential (`sourcegraph: <key>`); a value
# under one of these names is redacted only when it looks strongly random (see context.py).
VENDORS = frozenset(
    [
        "adafruit",
        "adobe",
        "airtable",
        "algolia",
        "alibaba",
        "anthropic",
        "artifactory",
        "asana",
        "atlassian",
        "authress",
        "aws",
        "azure",
        "beamer",
        "bitbucket",
        "bittrex",
        "bintray",
        "clickhouse",
        "clojars",
        "cloudflare",
        "codecov",
        "cohere",
        "coinbase",
        "confluent",
        "confluence",
        "contentful",
        "databricks",
        "datadog",
        "digitalocean",
        "discord",
        "doppler",
        "dropbox",
        "droneci",
        "duffel",
        "dynatrace",
        "easypost",
        "etsy",
        "facebook",
        "fastly",
        "finicity",
        "finnhub",
        "flickr",
        "flutterwave",
        "frameio",
        "freshbooks",
        "gcp",
        "github",
        "gitlab",
        "gitter",
        "gocardless",
        "grafana",
        "groq",
        "harness",
        "hashicorp",
        "heroku",
        "hubspot",
        "huggingface",
        "infracost",
        "intercom",
        "jfrog",
        "jira",
        "kraken",
        "kucoin",
        "launchdarkly",
        "linear",
        "linkedin",
        "lob",
        "looker",
        "mailchimp",
        "mailgun",
        "mapbox",
        "mattermost",
        "meraki",
        "messagebird",
        "netlify",
        "newrelic",
        "notion",
        "npm",
        "nytimes",
        "okta",
        "openai",
        "pagerduty",
        "paypal",
        "plaid",
        "planetscale",
        "postman",
        "prefect",
        "privateai",
        "pulumi",
        "pypi",
        "rapidapi",
        "readme",
        "replicate",
        "rubygems",
        "scalingo",
        "sendbird",
        "sendgrid",
        "sendinblue",
        "sentry",
        "settlemint",
        "shippo",
        "shopify",
        "sidekiq",
        "slack",
        "snyk",
        "sonar",
        "sonarqube",
        "sourcegraph",
        "square",
        "squarespace",
        "sumo",
        "stripe",
        "sumologic",
        "supabase",
        "telegram",
        "travis",
        "trello",
        "twilio",
        "twitch",
        "twitter",
        "typeform",
        "vercel",
        "yandex",
        "zendesk",
    ]
)

# Lower-case substrings that can start a sensitive name; the scanner looks for these with str.find
# (a C-speed memchr loop) before running any context regex: gitleaks' keyword prefilter.
KEYWORDS: tuple[str, ...] = (
    "contrase",
    "pat",  # `GITHUB_PAT` (keys.classify keeps `pat` alone and `path`, `pattern`: one classify call per hit)
    "login",  # `sonar.login`
    "pass",
    "secret",
    "token",
    "key",
    "auth",
    "cred",
    "sig",
    "bearer",
    "cookie",
    "session",
    "sessid",
    "dsn",
    "jwt",
    "pw",
    "api",
    "access",
)
