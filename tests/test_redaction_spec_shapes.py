"""Vendor shapes read from their specs, and the near misses around them that must survive.

Every value is generated at run time from the format's alphabet and length (no upstream literal).
"""

from __future__ import annotations

import random
import string

import pytest

from aiops_mcp.server.gateway.redaction import redact_text

_rng = random.Random(20261127)
_B64URL = string.ascii_letters + string.digits + "_-"


def _rand(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def _out(text: str) -> str:
    return redact_text(text)[0]


# --- Anthropic: api03/admin01 keys are exactly 93 characters then `AA` ------------------------------


@pytest.mark.parametrize("kind", ["api03", "admin01"])
def test_anthropic_spec_keys_hidden_bare(kind: str) -> None:
    key = f"sk-ant-{kind}-" + _rand(93, _B64URL) + "AA"
    out = _out(f"request failed for key {key} (401)")
    assert key not in out and "<ANTHROPIC_KEY_1>" in out


@pytest.mark.parametrize(
    "body",
    [
        _rand(70, _B64URL) + "AA",  # a key cut short
        _rand(93, _B64URL) + "BB",  # another ending
        _rand(93, _B64URL) + "AAx",  # one more character
    ],
)
def test_anthropic_off_spec_keys_survive_in_prose(body: str) -> None:
    text = f"sample value sk-ant-api03-{body} from the docs"
    assert _out(text) == text


@pytest.mark.parametrize(
    "template",
    [
        "ANTHROPIC_API_KEY={k}",
        "export ANTHROPIC_API_KEY='{k}'",
        '{{"api_key": "{k}"}}',
        "-H 'x-api-key: {k}'",
        "Authorization: Bearer {k}",
    ],
)
def test_anthropic_keys_of_any_length_hide_under_a_secret_name(template: str) -> None:
    key = "sk-ant-api03-" + _rand(_rng.randint(40, 100), _B64URL)
    out = _out(template.format(k=key))
    assert key not in out and key[20:40] not in out


def test_anthropic_oauth_tokens_need_40_characters() -> None:
    token = "sk-ant-oat01-" + _rand(100, _B64URL)
    assert token not in _out(f"token {token} expired")
    short = "sk-ant-oat01-" + _rand(9, string.ascii_letters)
    assert _out(f"value {short} here") == f"value {short} here"


# --- curl -u / --user and curl headers ------------------------------------------------------------


def _pw() -> str:
    return _rand(4) + _rng.choice("!@#%~") + _rand(7) + _rng.choice("!@#%~") + _rand(3)


@pytest.mark.parametrize(
    "template",
    [
        "curl --cacert ca.crt -u elastic:{p}$1 https://localhost:9200",  # a `$` inside the password
        "curl -s --user 'api:{p}' https://api.example.net/v2/messages",
        'curl -s -v --user "j.doe:{p}" "https://api.example.org/user/me"',
        "curl --user kevin:'{p}' -iX PATCH -d @body.json",
        "$ curl https://api.example.com/oauth2/token \\\n  --user {p}:{p}x --data grant_type=code",
    ],
)
def test_curl_user_passwords_hidden(template: str) -> None:
    pw = _pw()
    out = _out(template.format(p=pw))
    assert pw not in out and "<BASIC_AUTH_1>" in out


@pytest.mark.parametrize(
    "template",
    [
        "curl -u{u}:{p} https://api.example.com/v1/items",  # curl reads a short option's argument glued on
        'curl -X POST https://api.example.com/v1/items -u"{u}:{p}"',
        "curl -s \\\n  -u'{u}:{p}' \\\n  https://api.example.com/v1/items",
    ],
)
def test_curl_user_glued_to_flag_hidden(template: str) -> None:
    g = random.Random(template)  # its own stream: the module's draws for later tests stay as they were
    user = "".join(g.choice(string.ascii_letters) for _ in range(8))
    pw = "".join(g.choice(string.ascii_letters + string.digits + "!@#%~") for _ in range(16))
    out = _out(template.format(u=user, p=pw))
    assert pw not in out and "<BASIC_AUTH_1>" in out


@pytest.mark.parametrize(
    "text",
    [
        "curl -ufoo https://api.example.com/v1/items",  # no `user:password` pair
        'curl -u"$USER:$PASS" https://api.example.com/v1/items',
        "curl -s -uadmin:changeme https://localhost:9200",
        "sort -uk2,2 data.txt && git push -uorigin main",  # no curl: other tools' glued -u flags
        "python -u worker.py host:8080",
    ],
)
def test_curl_user_glued_non_credentials_survive(text: str) -> None:
    assert _out(text) == text


def test_curl_user_token_with_empty_password_hidden() -> None:
    token = _rand(24)
    out = _out(f'curl -u "{token}:" https://localhost:9200')
    assert token not in out


@pytest.mark.parametrize(
    "text",
    [
        "curl -i -u 'test:test'",
        "curl -u username:token",
        "curl -u <user:password> https://test.example/endpoint",
        "curl --user neo4j:[PASSWORD] http://db.example:7474/db/data/",
        'curl -u "${_username}:${_password}"',
        'curl -X POST --user "$(cat ./login.txt):$(cat ./password.txt)"',
        "curl --silent --insecure --user ${f5user}:${f5pass} \\",
        "curl -sw '%{http_code}' -X POST --user '$USERNAME:$PASSWORD' $API_URL --data",
        'curl --user "xxx:yyy"',
        'curl -u "admin:" https://localhost:9200',  # an empty password after a plain user name
        'curl -H "Authorization: Bearer <Your API token>" https://api.example.org/v1/audio',
    ],
)
def test_curl_placeholders_survive(text: str) -> None:
    assert _out(text) == text


def test_curl_api_token_scheme_hidden() -> None:
    token = _rand(40, "0123456789abcdef")
    out = _out(f'curl -H "Authorization: Api-Token {token}" --request PUT https://app.example/api/use/1')
    assert token not in out and "Authorization: Api-Token <" in out


# --- Kubernetes Secret manifests --------------------------------------------------------------------


def _b64(n: int) -> str:
    import base64

    return base64.b64encode(_rand(n).encode()).decode()


@pytest.mark.parametrize(
    ("template", "kind"),
    [
        ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  # base64\n  key: {v}\n", "Secret"),
        (
            "apiVersion: v1\ndata:\n\tpassword: {v}\n\tusername: YWRtaW4=\nkind: Secret\nmetadata:\n\tname: x\n",
            "Secret",
        ),
        ("apiVersion: v1\n data:\n \textra: {v}\n kind: secret\n metadata:\n \tname: sa\n", "secret"),
        ("apiVersion: 'v1'\nkind: 'Secret'\ndata:\n\textra: '{v}'\nmetadata:\n\tname: 'x'\n", "Secret"),
        ('apiVersion: "v1"\ndata:\n\textra: "{v}"\nkind: "secret"\n', "secret"),
        ("apiVersion: v1\ndata:\n  .dockercfg: |\n    {v}\nmetadata:\n  name: cfg\nkind: Secret\n", "Secret"),
        (
            "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockercfg\ndata:\n  .dockercfg: >\n    {v}",
            "Secret",
        ),
    ],
)
def test_kubernetes_secret_data_hidden(template: str, kind: str) -> None:
    value = _b64(_rng.randint(12, 60))
    out = _out(template.format(v=value))
    assert value not in out
    assert kind in out.split("kind:")[1][:12]  # the manifest's kind line stays


def test_kubernetes_secret_string_data_hidden_when_generated() -> None:
    token = _rand(28)
    text = f"apiVersion: v1\nkind: Secret\nstringData:\n  SERVICE_TOKEN: {token}\n  region: eu-west-1\n"
    out = _out(text)
    assert token not in out and "region: eu-west-1" in out


@pytest.mark.parametrize(
    "text",
    [
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: auth\ntype: Opaque\ndata:\n  htpasswd: ''\n",
        "apiVersion: v1\nkind: Secret\ndata:\n  htpasswd: {{ htpasswd }}\n---\nkind: ReplicationController\n",
        "apiVersion: v1\ndata:\n\textra: YmFyCg==\nkind: secret\n",  # under 10 base64 characters
        "apiVersion: v1\n data:\n \tpassword: {{ .Values.Password }}\n kind: secret\n",
        # other kinds: their `data:` entries are templates or references, not secrets
        "kind: SopsSecret\nspec:\n  secretTemplates:\n    - name: s1\n      data:\n        n1: {v}\n",
        "kind: ExternalSecret\nspec:\n  data:\n    - secretKey: api-key\n      remoteRef:\n        key: store-key\n",
        "kind: ConfigMap\nmetadata:\n  name: secret-config\ndata:\n  settings: {v}\n",
        # `metadata:` is no `data:` block: a name under it stays
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: abcdefghijkl\n  namespace: monitoring\n",
    ],
)
def test_kubernetes_non_secret_manifests_survive(text: str) -> None:
    text = text.replace("{v}", _b64(24)) if "{v}" in text else text
    assert _out(text) == text


# --- Ansible Vault under a YAML tag; other YAML tags --------------------------------------------------


def _hex(n: int) -> str:
    return _rand(n, "0123456789abcdef")


@pytest.mark.parametrize(
    "header",
    ["$ANSIBLE_VAULT;1.1;AES256", "$ANSIBLE_VAULT;1.2;AES256;prod"],  # 1.2 carries a vault id
)
def test_ansible_vault_tag_stays_and_its_body_hides(header: str) -> None:
    lines = [_hex(80), _hex(80), _hex(34)]
    text = "db_password: !vault |\n  " + header + "\n  " + "\n  ".join(lines) + "\nuser: app"
    out = _out(text)
    assert out.startswith("db_password: !vault |\n  " + header + "\n  <ANSIBLE_VAULT_1>")
    assert all(line not in out for line in lines) and out.endswith("\nuser: app")


@pytest.mark.parametrize(
    "text",
    ["DbPassword: !Ref DbPasswordParameter", 'MasterUserPassword: !Sub "{{resolve:secretsmanager:db}}"'],
)
def test_yaml_tags_before_references_survive(text: str) -> None:
    assert _out(text) == text


# --- detect-secrets keyword forms: words that describe a field; redis-cli -a -------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{name: password, value: required}",
        "- name: password\n  value: required",
        '{"name": "api_token", "value": "string"}',
        '{"username": "string", "password": "string"}',  # an OpenAPI example body
        "password = 'optional'",
    ],
)
def test_field_descriptions_are_not_values(text: str) -> None:
    assert _out(text) == text


@pytest.mark.parametrize(
    "template",
    [
        "redis-cli -h cache.internal -a {p} ping",
        'redis-cli -a "{p}" -p 6379 INFO',
        "REDIS: redis-cli -n 2 -a '{p}' --scan",
    ],
)
def test_redis_cli_password_hidden(template: str) -> None:
    pw = _rand(14)
    out = _out(template.format(p=pw))
    assert pw not in out and "<PASSWORD_1>" in out


@pytest.mark.parametrize(
    "text", ["redis-cli -a $REDIS_PASSWORD ping", "redis-cli -a -h host", "redis-cli -a ${PW}"]
)
def test_redis_cli_references_survive(text: str) -> None:
    assert _out(text) == text


# --- names that announce a value is not real ---------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        'nonMatchingToken := "{v}"',
        'fakeToken = "{v}"',
        "dummy_password = '{v}'",
        "mockApiKey: {v}",
        "EXAMPLE_SECRET={v}",
    ],
)
def test_names_announcing_fixtures_keep_their_values(template: str) -> None:
    text = template.format(v=_rand(16))
    assert _out(text) == text


def test_vendor_formats_still_hide_under_fixture_names() -> None:
    token = "ghp_" + _rand(36)
    assert token not in _out(f'fakeToken = "{token}"')


@pytest.mark.parametrize("name", ["matchingToken", "api_token", "sampling_secret_key"])
def test_ordinary_secret_names_still_hide(name: str) -> None:
    value = _rand(20)
    assert value not in _out(f'{name} = "{value}"')


# --- credentials named after a database password (gitleaks' database-password shapes) -------------------

_DB_ALPHABET = string.ascii_letters + string.digits + ":;<@=}!$?^"  # the rule's, less `,` (CSV)


def _db_secret(n: int) -> str:
    # the rule's alphabet; the first character a letter or digit (a leading `$`/`<`/`;` reads as a reference,
    # a placeholder or a separator in the shapes below)
    return _rand(1) + _rand(n - 1, _DB_ALPHABET)


@pytest.mark.parametrize(
    "template",
    [
        'db_passwordToken = "{s}"',
        "DB_PASSWD_TOKEN := '{s}'",
        "db_password_token: {s}",
        '{{\n    "DB_PASSWD_token": "{s}"\n}}',
        'string DB_PASSWORDToken = "{s}";',
        "db_password_api_token = '{s}'",
        "db_passwordToken,{s},",
        "$DB_PASSWDToken,{s},",
        "<DB_PASSWORDToken>{s}</DB_PASSWORDToken>",
        "<$DB_PASSWORDToken>{s}</$DB_PASSWORDToken>",
    ],
)
@pytest.mark.parametrize("n", [6, 10, 20])
def test_database_password_credentials_hidden(template: str, n: int) -> None:
    secret = _db_secret(n)
    out = _out(template.format(s=secret))
    assert secret not in out


@pytest.mark.parametrize("sep", [";=", ",=", "&="])
@pytest.mark.parametrize("template", ["db_password = {s}", "DB_PASSWORD={s}", "database_password: {s}"])
def test_separator_then_equals_stays_in_an_unquoted_value(template: str, sep: str) -> None:
    # `x;=y` is no `name=` pair after the value (a name has a character): the password runs on
    g = random.Random(template + sep)
    alnum = string.ascii_letters + string.digits
    secret = "".join(g.choice(alnum) for _ in range(12)) + sep + "".join(g.choice(alnum) for _ in range(10))
    out = _out(template.format(s=secret))
    assert not any(secret[k : k + 8] in out for k in range(len(secret) - 7)), out


def test_separator_then_a_name_still_ends_the_value() -> None:
    out = _out("Password=Xk29vLq7Pz4TnW8r;Database=app;Server=db1")
    assert "Xk29vLq7Pz4TnW8r" not in out and ";Database=app;Server=db1" in out


@pytest.mark.parametrize(
    "text",
    [
        "password,Password,text",  # a CSV header row
        "db_password_token,required,",
        "<db_password>changeme</db_password>",
    ],
)
def test_database_password_look_alikes_survive(text: str) -> None:
    assert _out(text) == text


# --- Square OAuth secrets: `sq0csp-` + exactly 43 characters (detect-secrets reads `\` among them) --------


def test_square_oauth_secret_of_spec_length_hidden_even_when_typed() -> None:
    body = (
        string.ascii_uppercase[:11] + "_" + string.ascii_uppercase[11:] + "-" + string.digits + "\\" + "abcd"
    )
    assert len(body) == 43
    out = _out(f"square_oauth = sq0csp-{body}")
    assert "sq0csp-" not in out and "abcd" not in out


def test_square_oauth_masks_survive() -> None:
    text = "square_oauth = sq0csp-" + "x" * 43
    assert _out(text) == text


# --- command lines and client calls that carry a password ---------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "sshpass -p '{p}' ssh root@host",
        'sshpass -p "{p}" scp f host:',
        "auth=('admin', '{p}')",
        'requests.get(url, auth=HTTPBasicAuth("svc", "{p}"))',
        "session.auth = ('bob', '{p}')",
        "aiohttp.BasicAuth('svc', '{p}')",
    ],
)
def test_cli_and_client_passwords_hidden(template: str) -> None:
    pw = _pw()
    out = _out(template.format(p=pw))
    assert pw not in out and "<PASSWORD_1>" in out


@pytest.mark.parametrize(
    "text",
    [
        "sshpass -p $SSHPASS ssh host",
        "auth=('user', user_password)",
        "auth=(USER, PASS)",
        "requests.get(url, auth=HTTPBasicAuth('user', 'password'))",
    ],
)
def test_cli_and_client_references_survive(text: str) -> None:
    assert _out(text) == text


def test_kubernetes_secret_json_data_hidden() -> None:
    crt, token = _b64(40), _rand(26)
    text = (
        '{"apiVersion": "v1", "data": {"tls.crt": "@CRT@", "username": "YWRtaW4="}, "kind": "Secret", '
        '"stringData": {"API_TOKEN": "@TOK@", "region": "eu-west-1"}, "metadata": {"name": "web"}}'
    )
    out = _out(text.replace("@CRT@", crt).replace("@TOK@", token))
    assert crt not in out and token not in out
    assert '"region": "eu-west-1"' in out and '"kind": "Secret"' in out


def test_kubernetes_configmap_json_survives() -> None:
    text = '{"kind": "ConfigMap", "data": {"settings": "B64"}, "metadata": {"name": "secret-config"}}'
    text = text.replace("B64", _b64(30))
    assert _out(text) == text


# --- literal defaults after a secret's name: `NAME || "x"`, `${NAME:-x}` -----------------------------------


@pytest.mark.parametrize(
    "template",
    [
        'const key = process.env.API_KEY || "{s}";',
        "const pw = process.env.DB_PASSWORD ?? '{s}';",
        "POSTGRES_PASSWORD: ${{POSTGRES_PASSWORD:-{s}}}",
        "export API_TOKEN=${{API_TOKEN:={s}}}",
    ],
)
def test_literal_defaults_of_secret_names_hidden(template: str) -> None:
    value = _rand(8) + _rand(4, string.digits) + _rand(6)
    out = _out(template.format(s=value))
    assert value not in out


@pytest.mark.parametrize(
    "text",
    [
        "if (!token || token.length < 10) return;",
        "const key = apiKey || defaultKey;",
        "password: ${DB_PASSWORD:-postgres}",  # a development default word
        "${SECRET_KEY:-changeme}",
        "${TOKEN:?token required}",
        "${API_KEY:-${OTHER_KEY}}",
    ],
)
def test_references_and_word_defaults_survive(text: str) -> None:
    assert _out(text) == text


# --- vendor-prefixed stubs under credential names -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"token1": "xoxp-1234567890"',  # a prefix and a counting run: a documentation stub
        "xoxe.xoxp-1-initial",  # the head of a configuration token, nothing after it
        '{"token": "ghp_abc"}',
    ],
)
def test_vendor_stubs_survive(text: str) -> None:
    assert _out(text) == text


def test_generated_values_after_a_vendor_prefix_still_hide_under_credential_names() -> None:
    value = "sk-ant-api03-" + _rand(50, _B64URL)  # not the spec length: found by the name
    assert value not in _out(f'{{"api_key": "{value}"}}')
    token = (
        "xoxp-" + "-".join(_rand(12, string.digits) for _ in range(3)) + "-" + _rand(32, "0123456789abcdef")
    )
    assert token not in _out(f'"user_token": "{token}"')


@pytest.mark.parametrize(
    "template",
    [
        "GET /app;jsessionid={v}?page=2 HTTP/1.1",
        "redirect to /login?PHPSESSID={v}&lang=en",
        "aspsessionid={v}",
    ],
)
def test_server_session_ids_hidden(template: str) -> None:
    value = _rand(32, "0123456789ABCDEF")
    assert value not in _out(template.format(v=value))


# --- Authorization headers with other schemes ---------------------------------------------------------


@pytest.mark.parametrize("scheme", ["SharedKey", "Splunk", "GenieKey", "ApiKey", "Negotiate", "NTLM", "SSWS"])
def test_authorization_credentials_after_any_scheme_hidden(scheme: str) -> None:
    cred = _rand(40)
    for text in (f"Authorization: {scheme} {cred}", f'{{"authorization": "{scheme} {cred}"}}'):
        out = _out(text)
        assert cred not in out and scheme in out


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: required",
        "authorization: Custom value here",
        "Authorization: Bearer",
        "Authorization: None",
    ],
)
def test_authorization_words_survive(text: str) -> None:
    assert _out(text) == text


# --- hex keys under secret key names; names that negate ------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        'secret_access_key="{v}"',
        "COS_HMAC_SECRET_ACCESS_KEY = '{v}'",
        '"secret_access_key": "{v}"',
        "ibm_cos_secret_key={v}",
    ],
)
def test_regular_hex_keys_under_secret_key_names_hidden(template: str) -> None:
    unit = _rand(16, "0123456789abcdef")
    value = unit * 3  # a 48-hex key written as a repeated block, as test fixtures do
    assert value not in _out(template.format(v=value))


@pytest.mark.parametrize(
    "text", ["not_secret = notapassword", "no_password = true_value", "NON_SECRET_LABEL=green"]
)
def test_negated_secret_names_keep_their_values(text: str) -> None:
    assert _out(text) == text


def test_regular_hex_under_other_names_survives() -> None:
    text = "cache_key = " + "0123456789abcdef" * 2
    assert _out(text) == text


# --- Azure storage account keys named by a nearby mention of Azure -------------------------------------


def _azure_key() -> str:
    import base64

    return base64.b64encode(bytes(_rng.randrange(256) for _ in range(64))).decode()


_AZ_HEAD = (
    "(https://portal.azure.com/). CREATE DATABASE SCOPED CREDENTIAL StorageCred WITH IDENTITY = 'IDENTITY',"
)


@pytest.mark.parametrize(
    "template",
    [
        _AZ_HEAD + " {k}",
        _AZ_HEAD + "\n    some data here\n    {k}",
        _AZ_HEAD + "\n\n    {k}",
        "    {k}\n    some data 1\n    Azure.com WITH IDENTITY = 'IDENTITY'",
    ],
)
def test_azure_storage_keys_near_an_azure_mention_hidden(template: str) -> None:
    key = _azure_key()
    assert len(key) == 88 and key.endswith("==")
    assert key not in _out(template.format(k=key))


@pytest.mark.parametrize(
    "template",
    [
        "{k}",
        _AZ_HEAD + "\n    some data 1\n    some data 2\n    {k}",  # three lines away
        "    {k}\n    nomention.com WITH IDENTITY = 'IDENTITY'",
        "SshPublicKeys: ssh-rsa {k}  # azure vm",
        "resolution: {{integrity: sha512-{k}}}\npeerDependencies:\n  '@azure/identity': '*'",
    ],
)
def test_azure_like_base64_without_the_context_survives(template: str) -> None:
    key = _azure_key()
    if "sha512-" in template:
        key = key[1:] + "A"  # an integrity digest may open with `/`; keep it a plain base64 run
        key = key[:86] + "=="
    text = template.format(k=key)
    assert _out(text) == text


def test_aws_documentation_key_id_under_a_secret_name_survives() -> None:
    text = "aws_secret_access_key: AKIA" + "IOSFODNN7" + "EXAMPLE"
    assert _out(text) == text
    real = "AKIA" + _rand(16, string.ascii_uppercase + "234567")
    assert real not in _out(f"aws_secret_access_key: {real}")


# --- .npmrc registry credentials ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "value"),
    [
        ("//registry.npmjs.org/:_authToken={v}", "UUID"),
        ("//registry.npmjs.org/:_authToken= {v}", "UUID"),
        ("//npm.example.com/api/npm/npm-remote/:_authToken={v}", "WORD"),
        ("//private.registry.example:8443/:_auth={v}", "B64"),
        ("//registry.example.com/:_auth={v}", "WORD"),
    ],
)
def test_npmrc_registry_credentials_hidden_whatever_their_shape(template: str, value: str) -> None:
    import base64
    import uuid

    v = {
        "UUID": str(uuid.UUID(int=_rng.getrandbits(128))),
        "WORD": "TOKEN_" + _rand(5, string.ascii_uppercase),
        "B64": base64.b64encode(f"ci:{_rand(10)}".encode()).decode(),
    }[value]
    out = _out(template.format(v=v))
    assert v not in out


@pytest.mark.parametrize(
    "text",
    [
        "//registry.npmjs.org:_authToken=UUID",  # no `/` before `:`: not a registry scope
        "registry.npmjs.org/:_authToken=UUID",
        "///:_authToken=UUID",
        "_authToken=UUID",
        "_auth=B64",
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
        "//registry.npmjs.org/:_authToken=",
    ],
)
def test_npmrc_lookalikes_survive(text: str) -> None:
    import base64
    import uuid

    text = text.replace("UUID", str(uuid.UUID(int=_rng.getrandbits(128))))
    text = text.replace("B64", base64.b64encode(b"ci:" + _rand(8).encode()).decode())
    assert _out(text) == text


# --- JWTs: the signature may be missing; a damaged header must still read as a JSON object ----------------


def _b64url(raw: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_unsigned_jwts_hidden() -> None:
    header = _b64url(b'{"typ":"JWT",\r\n"alg":"HS256"}')
    claims = _b64url(('{"sub":"' + _rand(10) + '","name":"x\\n y"}').encode())
    token = f"{header}.{claims}"
    assert token not in _out(f"cached token {token} expired")


def test_jwt_with_a_slip_in_its_header_hidden_and_garbage_headers_kept() -> None:
    claims = _b64url(('{"sub":"' + _rand(12) + '","iat":1700000000}').encode())
    sig = _rand(43, _B64URL)
    slip = _b64url(b'{"alg":\'\x9ez","typ":"JWT"}')  # a hand-edited header: still an object
    token = f"{slip}.{claims}.{sig}"
    assert token not in _out(f"token {token}")
    garbage = "eyJ" + _b64url(bytes(_rng.randrange(128, 256) for _ in range(40)))
    cut = _b64url(b'{"alg":"HS256","typ":"JWT"')  # the closing brace cut off
    for head in (garbage, cut):
        text = f"value {head}.{claims}.{sig} here"
        assert _out(text) == text


# --- detect-secrets plugin formats: Aiven tokens, Google OAuth client ids ------------------------------


@pytest.mark.parametrize("n", [8, 15, 24])
def test_aiven_tokens_hidden(n: int) -> None:
    token = "AVNS_" + _rand(n, string.ascii_letters + string.digits + "_")
    out = _out(f"service password {token} rotated")
    assert token not in out and "<AIVEN_TOKEN_1>" in out


@pytest.mark.parametrize("text", ["AVNS_", "AVNS12345678", "AVNS_" + "Ab3dE"])
def test_aiven_lookalikes_survive(text: str) -> None:
    assert _out(f"value {text} here") == f"value {text} here"


def test_google_oauth_client_ids_hidden() -> None:
    cid = _rand(12, string.digits) + "-" + _rand(32, string.ascii_lowercase + string.digits)
    out = _out(f'client_id: "{cid}.apps.googleusercontent.com"')
    assert cid not in out


@pytest.mark.parametrize(
    "text", ["xxxx.apps.googleusercontent.com", "32555940559.apps.googleusercontent.com"]
)
def test_google_client_id_lookalikes_survive(text: str) -> None:
    assert _out(text) == text


# --- Bedrock keys and Vault tokens --------------------------------------------------------------------

_BEDROCK_HEAD = "ABSK" + "QmVkcm9ja0FQSUtleS1"  # `ABSK` + base64 of `BedrockAPIKey-`


@pytest.mark.parametrize("n", [90, 150, 246])
def test_bedrock_long_term_keys_of_spec_length_hidden(n: int) -> None:
    key = _BEDROCK_HEAD + _rand(n, string.ascii_letters + string.digits + "+/")
    assert key not in _out(f"key = {key}")


def test_bedrock_long_term_key_filled_with_a_word_still_hidden() -> None:
    key = _BEDROCK_HEAD + ("SAMPLE" * 20)[:110] + "="  # documentation keys repeat a word
    assert key not in _out(f"AWS_BEARER_TOKEN_BEDROCK={key} ")


@pytest.mark.parametrize(
    "text",
    [
        _BEDROCK_HEAD + "SAMPLE",  # too short
        _BEDROCK_HEAD + "SAMPLE" * 50 + "=",  # longer than any key
        "AXSK" + "QmVkcm9ja0FQSUtleS1" + ("SAMPLE" * 20)[:110],
        "bedrock-api-key-",
        "bedrock-api-key-" + "YmVkcm9jay5hbWF6b25hd3MuY29x",  # another host
    ],
)
def test_bedrock_lookalikes_survive(text: str) -> None:
    assert _out(f"value {text} end") == f"value {text} end"


def test_bedrock_short_term_key_head_alone_hidden() -> None:
    head = "bedrock-api-key-" + "YmVkcm9jay5hbWF6b25hd3MuY29t"  # base64 of `bedrock.amazonaws.com`
    for text in (head, f'bedrockToken = "{head}"', f"{head}{_rand(6)}"):
        assert head not in _out(text)


def test_legacy_vault_tokens_longer_than_24_hidden() -> None:
    token = (
        "s." + _rand(4, string.digits) + _rand(14, string.ascii_lowercase) + _rand(18, string.ascii_uppercase)
    )
    assert token not in _out(f"vault token {token}")
    for text in ("s.AcceptanceTimeoutSeconds x", "s.makeKubeConfigController = args"):
        assert _out(text) == text


def test_masked_aws_key_ids_survive_and_regular_ones_hide() -> None:
    assert _out("key = AKIA" + "X" * 16) == "key = AKIA" + "X" * 16
    run = "AKIA" + _rng.choice("QRSTUVWYZ") * 16  # a run that is no mask
    assert run not in _out(f"id {run}")


def test_service_named_keys_hold_credentials_even_as_uuids() -> None:
    import uuid

    key = str(uuid.UUID(int=_rng.getrandbits(128)))
    assert key not in _out(f'const HEROKU_KEY = "{key}"')
    sample = "12345678-ABCD-ABCD-ABCD-1234567890AB"  # a counting sample stays
    assert _out(f'const HEROKU_KEY = "{sample}"') == f'const HEROKU_KEY = "{sample}"'


# --- personal access tokens after their service, and a service's `login` property ------------------------


@pytest.mark.parametrize(
    "template",
    [
        "GITHUB_PAT={v}",
        'gitlabPat = "{v}"',
        "AZURE_DEVOPS_PAT: {v}",
        '{{"bitbucket_pat": "{v}"}}',
        "sonar.login={v}",  # SonarQube's property for the authentication token
        'const SONAR_LOGIN = "{v}"',
        "-Dsonar.login={v}",
    ],
)
def test_service_pat_and_login_tokens_hidden(template: str) -> None:
    g = random.Random(template)
    value = "".join(g.choice(string.ascii_letters + string.digits) for _ in range(40))
    out = _out(template.format(v=value))
    assert value not in out and "<" in out


@pytest.mark.parametrize(
    "text",
    [
        'pat = r"(?P<name>[a-z_]+)=(?P<value>.*)"',  # `pat`: code's short name for a pattern
        "word_pat = '\\\\w+'",
        "sep_pat = re.compile(r'[,;]')",
        "sonar.login=admin",  # a user name under the property: not generated
        'user_login = "jsmith"',
        "login_url = https://sso.example.com/login",
        "the compat path and the pattern file",
    ],
)
def test_pat_and_login_look_alikes_survive(text: str) -> None:
    assert _out(text) == text
