"""Redaction engine: coverage per kind, look-alikes that must survive, Philippine ids and phones."""

from __future__ import annotations

import random
import string

import pytest

from aiops_mcp.server.gateway.redaction import Vault, redact_text
from aiops_mcp.server.gateway.redaction.validators import iban_ok, luhn_ok

_rng = random.Random(7)
_B64URL = string.ascii_letters + string.digits + "_-"


def _rand(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    # test tokens are generated at run time so that no secret-shaped literal sits in the repository
    return "".join(_rng.choice(alphabet) for _ in range(n))


def _hidden(text: str, secret: str) -> str:
    out, _ = redact_text(text)
    assert secret not in out, out
    return out


# --- Philippine ids and phones (no public test set has them) -------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("Customer TIN 123-456-789-000 on the invoice", "123-456-789-000", "TIN"),
        ("tin: 123-456-789", "123-456-789", "TIN"),
        ("TIN 123456789000 (unformatted, named)", "123456789000", "TIN"),
        ("SSS no. 34-1234567-8 for payroll", "34-1234567-8", "SSS"),
        ("SSS number 3412345678", "3412345678", "SSS"),
        ("PhilHealth 12-345678901-2", "12-345678901-2", "PHILHEALTH"),
        ("PhilHealth PIN: 123456789012", "123456789012", "PHILHEALTH"),
        ("Pag-IBIG MID 1234-5678-9012", "1234-5678-9012", "PAGIBIG"),
        ("HDMF 123456789012", "123456789012", "PAGIBIG"),
        ("call +63 917 123 4567 after 5pm", "+63 917 123 4567", "PHONE"),
        ("sms sent to +639171234567", "+639171234567", "PHONE"),
        ("mobile 0917-123-4567", "0917-123-4567", "PHONE"),
        ("mobile 0917 123 4567", "0917 123 4567", "PHONE"),
        ("mobile 09171234567", "09171234567", "PHONE"),
    ],
)
def test_philippine_ids_and_phones(text: str, value: str, kind: str) -> None:
    vault = Vault()
    out = vault.redact(text)
    assert value not in out
    assert f"<{kind}_1>" in out
    assert vault.findings() == {kind: 1}


@pytest.mark.parametrize(
    "text",
    [
        "2024-06-21T18:34:24.917Z job 4512 finished in 1234 ms",
        "release v4.20.1 build 20240512",
        "order 100234 shipped, 3 items, total 1299.50",
        "retry 3 of 5 after 30s (attempt id 77)",
        "port 5432 pid 4121 uid 1000",
    ],
)
def test_ordinary_numbers_survive(text: str) -> None:
    assert redact_text(text)[0] == text


# --- kinds from issue 2 --------------------------------------------------------------------------


def test_contact_and_network_data() -> None:
    text = "user maria.cruz@example.com from 203.0.113.7 and 2001:db8::8a2e:370:7334 called +1-212-555-0147"
    out, found = redact_text(text)
    for v in ("maria.cruz@example.com", "203.0.113.7", "2001:db8::8a2e:370:7334", "+1-212-555-0147"):
        assert v not in out
    assert found == {"EMAIL": 1, "IP_ADDRESS": 2, "PHONE": 1}


def test_cards_need_luhn_and_ibans_need_mod97() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    _hidden("card 4111 1111 1111 1111 declined", "4111 1111 1111 1111")
    assert redact_text("card 4111 1111 1111 1112 declined")[0].endswith("1112 declined")
    assert iban_ok("GB82WEST12345698765432") and not iban_ok("GB82WEST12345698765433")
    _hidden("pay to GB82 WEST 1234 5698 7654 32 today", "GB82 WEST 1234 5698 7654 32")
    assert redact_text("ref GB82 WEST 1234 5698 7654 33")[0] == "ref GB82 WEST 1234 5698 7654 33"


@pytest.mark.parametrize(
    ("prefix", "body", "kind"),
    [
        ("ghp_", _rand(36), "GITHUB_TOKEN"),
        ("glpat-", _rand(20), "GITLAB_TOKEN"),
        ("xoxb-" + "1234567890-1234567890-", _rand(24), "SLACK_TOKEN"),
        # spec shapes (gitleaks): 74 + `T3BlbkFJ` + 74 after `sk-proj-`; 93 + `AA` after `sk-ant-api03-`
        ("sk-proj-", _rand(74, _B64URL) + "T3BlbkFJ" + _rand(74, _B64URL), "OPENAI_KEY"),
        ("sk-ant-api03-", _rand(93, _B64URL) + "AA", "ANTHROPIC_KEY"),
        ("AKIA", _rand(16, string.ascii_uppercase + "234567"), "AWS_ACCESS_KEY"),
        ("sk_live_", _rand(24), "STRIPE_KEY"),
        ("AIza", _rand(35), "GOOGLE_API_KEY"),
        ("sbp_", _rand(40, "0123456789abcdef"), "SUPABASE_KEY"),
        ("vck_", _rand(40), "VERCEL_TOKEN"),
    ],
)
def test_vendor_keys_by_prefix(prefix: str, body: str, kind: str) -> None:
    token = prefix + body
    vault = Vault()
    out = vault.redact(f"worker failed: credential {token} rejected")
    assert token not in out and f"<{kind}_1>" in out


def test_jwt_private_key_and_bearer() -> None:
    import base64
    import json

    def seg(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    jwt = f"{seg({'alg': 'HS256', 'typ': 'JWT'})}.{seg({'sub': '42'})}.{_rand(43)}"
    out = _hidden(f"> Authorization: Bearer {jwt}\n> Host: api", jwt)
    assert "Authorization: Bearer <JWT_1>" in out
    key = (
        "-----BEGIN RSA PRIVATE KEY-----\n" + _rand(64) + "\n" + _rand(40) + "\n-----END RSA PRIVATE KEY-----"
    )
    out = redact_text(key)[0]
    assert out == "-----BEGIN RSA PRIVATE KEY-----\n<PRIVATE_KEY_1>\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("template", "secret"),
    [
        ("postgresql://app:{s}@db.internal:5432/orders", "Pw{r}!x"),
        ("redis://:{s}@cache:6379/0", "Tr{r}#"),
        ("Server=sql01;Database=billing;User Id=svc;Password={s};Encrypt=true", "Ma{r}$g"),
        ('{{"user": "app", "password": "{s}"}}', "hunter-{r}"),
        ("DB_PASSWORD={s}", "{r}"),
        ("api_key={s}&channel=ops", "{r}"),
        ("X-Api-Key: {s}", "{r}"),
        ("secret = '{s}'", "{r}"),
        ("curl -u deploy:{s} https://ci.example.com", "{r}"),
    ],
)
def test_passwords_in_urls_dsns_headers_and_pairs(template: str, secret: str) -> None:
    value = secret.format(r=_rand(14))
    out = _hidden(template.format(s=value), value)
    assert "<" in out


@pytest.mark.parametrize(
    "text",
    [
        "request 0736f5ef-7e88-499a-80cc-90c85d2a5180 done",
        "deploy: rolled out commit 2659ef9170edebb60e1d4b14f31d93ef940d5d60 to production",
        "image sha256:60ed00916bcc626403fae53c0f9d511295bad5f0458cc577d779bd659bf5261a pulled",
        "Authorization: Bearer ${TOKEN}",
        "password=<redacted> user=app",
        "export GITHUB_TOKEN=$GITHUB_TOKEN",
        "token_type=bearer expires_in=3600",
        '{"usage": {"prompt_tokens": 1200, "max_tokens": 4096}}',
        "public_key = 9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit",
        "password must be at least 12 characters",
        "Version 1.2.3 on MyClass::toString at 10:22:31",
        "api_key: your_api_key_here",
        "new_password == confirm_password",
        "password = os.getenv('PASSWORD')",
        '$password = $_POST["password"];',
    ],
)
def test_lookalikes_survive(text: str) -> None:
    assert redact_text(text)[0] == text


def test_generic_high_entropy_only_in_secret_context() -> None:
    blob = _rand(40)
    assert redact_text(f"cache entry {blob} evicted")[0] == f"cache entry {blob} evicted"
    _hidden(f"client_secret: {blob}", blob)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("call 425.882.9090 today", "425.882.9090"),
        ("uatp 122000000000003", "122000000000003"),
        ('contraseña = "Tr0ub4dor3"', "Tr0ub4dor3"),
        ("machine api.example.com login me password s3cr3t-Pass", "s3cr3t-Pass"),
        ("mysql -uroot -pS3cretPass db", "S3cretPass"),
        ('{"password": "correct horse battery staple"}', "correct horse battery staple"),
        (
            "git clone https://oauth2:" + "glpat-" + _rand(20) + "@gitlab.example.com/g/r.git",
            "@gitlab.example.com",
        ),
    ],
)
def test_more_secret_contexts(text: str, value: str) -> None:
    out = redact_text(text)[0]
    if value.startswith("@"):  # only the credential goes, the host stays
        assert value in out and "glpat-" not in out
    else:
        assert value not in out


@pytest.mark.parametrize(
    "text",
    [
        "W WindowManager: Skipping AppWindowToken{df0798e token=Token{78af589 ActivityRecord}}",
        "Bad activity token: android.os.BinderProxy@2bd79ce",
        "addNotification key=0|com.tencent.mm|4097|null|10112",
        "Package_for_KB2919355~31bf3856ad364e35~amd64~~6.3.1.14, ApplicableState",
        '{"password": ["This field is required."]}',
    ],
)
def test_real_log_lookalikes_survive(text: str) -> None:
    assert redact_text(text)[0] == text


# The assignment shapes that config files, code and env dumps use (as secret scanners' generators write them).
_FORMS = [
    '{id}Token = "{s}"',
    '{id}_TOKEN := "{s}"',
    '{id}_TOKEN ::= "{s}"',
    '{id}_TOKEN ?= "{s}"',
    '${id}Token .= "{s}"',
    '{id}_token: "{s}"',
    "{id}_token: '{s}'",
    '{{\n    "{id}_token": "{s}"\n}}',
    "<{id}Token>\n    {s}\n</{id}Token>",
    "{id}Token={s}",
    'System.setProperty("{ID}_TOKEN", "{s}")',
    '  "{id}Token" => "{s}"',
    'var {id}Token string = "{s}"',
    'String {id}Token = "{s}";',
    "{id}Token := `{s}`",
    '{{"config.ini": "{ID}_TOKEN={s}\\nBACKUP_ENABLED=true"}}',
    '{id}_api_token = "{s}"',
    "export {ID}_SECRET={s}",
    '<add key="{id}Password" value="{s}" />',
]


@pytest.mark.parametrize("form", _FORMS)
def test_assignment_forms_hide_generated_values(form: str) -> None:
    for alphabet in (
        string.ascii_lowercase + string.digits,
        string.ascii_letters + "-_=",
        "#&@*$!%^." + string.digits,
    ):
        secret = "k" + _rand(31, alphabet)
        out = redact_text(form.format(id="acme", ID="ACME", s=secret))[0]
        assert secret not in out and secret[:16] not in out, out


@pytest.mark.parametrize("form", _FORMS)
@pytest.mark.parametrize(
    "value", ["${ACME_TOKEN}", "<your-token>", "xxxxxxxxxxxxxxxx", "REPLACE_ME", "{{ .Values.token }}"]
)
def test_assignment_forms_keep_placeholders(form: str, value: str) -> None:
    text = form.format(id="acme", ID="ACME", s=value)
    assert redact_text(text)[0] == text


def test_json_members_in_text_are_given_up_whole() -> None:
    out = redact_text('{"token": "abc", "token_type": "bearer", "authorization": "Basic dXNlcjpwdw=="}')[0]
    assert '"token": "<TOKEN_1>"' in out and '"token_type": "bearer"' in out and "dXNlcjpwdw==" not in out


def test_identifier_keys_are_not_credentials() -> None:
    text = '{"idempotency_key": "9a4c8a68-865e-4c30-a659-3aed2e5bab51:2550Q:2024-Q4", "cache_key": "u:42:Zq81mNw2Lp9xT"}'
    assert redact_text(text)[0] == text
    assert "Zq81mNw2Lp9xT4kR" not in redact_text('{"api_key": "Zq81mNw2Lp9xT4kR"}')[0]


_ODD = "A,.:-¨@*¿?!"  # a secret made of punctuation: only its context says it is one


@pytest.mark.parametrize(
    "text",
    [
        f'apikey := "{_ODD}"',
        f"'theapikey': '{_ODD}'",
        f'apikey = @"{_ODD}"',
        f'apikey[]= "{_ODD}"',
        f'some_dict["secret"] = "{_ODD}"',
        f'private_key "{_ODD}";',
        f"my_password = {_ODD}",
    ],
)
def test_keyword_shapes_of_many_languages(text: str) -> None:
    assert _ODD not in redact_text(text)[0]


@pytest.mark.parametrize(
    "text",
    [
        'theapikey := "somefakekey"',
        "theapikeyforfoo := hopenobodyfindsthisone",
        'my_password = "fakesecret"',
        "my_password = foo(hey)you",
        "login(username=username, password=password)",
        "apiKey: this.apiKey,",
        "csrf-token=Mj2qykJO5rELyHgezQ69nzUX0i3OH67V7+V4eUrLfpuy",
        "credentialsId: 'ff083f76-7804-4ef1-80e4-fe975bb9141b'",
        '<entry key="jetbrains.mps.v8_elimination" value="executed" />',
    ],
)
def test_keyword_lookalikes_of_many_languages(text: str) -> None:
    assert redact_text(text)[0] == text


@pytest.mark.parametrize(
    "text",
    [
        "password=" * 2000,
        '"token": "' * 2000,
        "token " * 3000,
        "1:" * 8000,
        "a@" * 8000,
        "eyJ." * 4000,
        "-u " * 5000,
    ],
)
def test_pathological_inputs_are_bounded(text: str) -> None:
    # every value regex has a ceiling and keywords inside a found value are skipped, so these stay linear
    out = redact_text(text)[0]
    assert isinstance(out, str) and len(out) <= len(text) + 64


# --- tokens as URL path segments -------------------------------------------------------------------


def _path_tokens() -> list[str]:
    rng = random.Random(23)
    alnum = string.ascii_letters + string.digits
    draw = lambda n, a=alnum: "".join(rng.choice(a) for _ in range(n))  # noqa: E731
    return [
        "ghp_" + draw(36),
        "glpat-" + draw(20),
        "sk_live_" + draw(32),
        "AKIA" + draw(16, string.ascii_uppercase + string.digits),
        "npm_" + draw(36),
        "xoxb-" + draw(11, string.digits) + "-" + draw(12, string.digits) + "-" + draw(24),
    ]


@pytest.mark.parametrize("token", _path_tokens())
@pytest.mark.parametrize(
    "template",
    [
        "GET https://api.example.com/v1/keys/{t}/usage 200",
        "GET /{t}/ 404",
        "fetching https://hooks.example.com/{t}",
        "path/to/{t}/file.json",
    ],
)
def test_vendor_token_as_a_path_segment_is_hidden(template: str, token: str) -> None:
    """A `/` before a token opens it as a blank does (webhook and API URLs carry tokens in the path);
    inside base64, where `/` is a letter, no format matches by chance (the test below)."""
    out = _hidden(template.format(t=token), token)
    assert out.startswith(template.split("{t}")[0])


def test_random_base64_blobs_stay_whole() -> None:
    import base64

    rng = random.Random(5)
    for _ in range(300):
        blob = base64.b64encode(rng.randbytes(rng.randint(300, 3000))).decode()
        assert redact_text("tls.crt: " + blob)[0] == "tls.crt: " + blob


def _unprefixed_tokens() -> list[str]:
    rng = random.Random(29)
    draw = lambda n, a: "".join(rng.choice(a) for _ in range(n))  # noqa: E731
    low = string.ascii_lowercase + string.digits
    return [
        # Azure AD client secret: 3 characters, a digit, `Q~`, 31-34 more
        draw(3, string.ascii_letters)
        + draw(1, string.digits)
        + "Q~"
        + draw(34, string.ascii_letters + string.digits),
        draw(14, low) + ".atlasv1." + draw(64, low),  # Terraform Cloud API token
    ]


@pytest.mark.parametrize("token", _unprefixed_tokens())
def test_unprefixed_format_after_an_escaped_break_is_hidden(token: str) -> None:
    """In JSON-encoded logs a token opens a line as `\\n<token>`: the `n` is no word before it."""
    for sep in ("\\n", "\\t", "\\r\\n"):
        _hidden('{"level": "error", "msg": "auth failed' + sep + token + ' rejected"}', token)


def _password(rng: random.Random) -> str:
    core = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randint(10, 18)))
    k = rng.randint(1, len(core) - 1)
    return core[:k] + rng.choice("!@#%^*-_+.") + core[k:]


@pytest.mark.parametrize(
    "template",
    [
        "CREATE USER app IDENTIFIED BY '{p}';",
        "ALTER USER 'app'@'%' IDENTIFIED WITH caching_sha2_password BY '{p}';",
        "GRANT ALL ON shop.* TO app IDENTIFIED BY '{p}'",
        'sqlcmd -S db01 -U sa -P {p} -Q "select 1"',
        '$cred = ConvertTo-SecureString "{p}" -AsPlainText -Force',
        "psql postgresql://app:{p}@db.internal:5432/app",
        "aws ssm put-parameter --name /prod/db/password --value '{p}' --type SecureString",
        "gh secret set DB_PASSWORD --body '{p}'",
        "vercel env add DB_PASSWORD production <<< '{p}'",
        "az keyvault secret set --vault-name kv --name db-password --value '{p}'",
        "echo -n '{p}' | gcloud secrets create db-password --data-file=-",
        '{{\n  "environment": [\n    {{\n      "name": "DB_PASSWORD",\n      "value": "{p}"\n    }}\n  ]\n}}',
        "Environment:\n  - Name: DB_PASSWORD\n    Value: {p}\n",
        '{{\n  "spring.datasource.password": {{\n    "value": "{p}",\n    "origin": "application.yml:4"\n  }}\n}}',
        'dotnet user-secrets set "Db:Password" "{p}"',
        'password <- "{p}"',
    ],
)
def test_passwords_in_admin_commands_secret_stores_and_entries_are_hidden(template: str) -> None:
    rng = random.Random(sum(map(ord, template)))
    for _ in range(5):
        p = _password(rng)
        out = _hidden(template.format(p=p), p)
        assert not any(p[i : i + 8] in out for i in range(len(p) - 7)), out  # no piece left either


@pytest.mark.parametrize(
    "text",
    [
        "Activate the menu item identified by INDEX and return it.",
        'sqlcmd -S db01 -E -Q "select 1"',  # -E: Windows authentication, no password
        "ConvertTo-SecureString -String $env:DB_PASSWORD -AsPlainText -Force",
        "aws ssm put-parameter --name /app/log_level --value debug --type String",
        'gh secret set DB_PASSWORD --body "$DB_PASSWORD"',
        "cat <<< 'hello world'",
        '{\n  "env": [\n    {\n      "name": "LOG_LEVEL",\n      "value": "debug"\n    }\n  ]\n}',
        "select {\ncase token <- tokens:\n}",  # Go: a channel receive, not R's assignment
        'password <- readline("Password: ")',
    ],
)
def test_admin_command_and_secret_store_lookalikes_stay(text: str) -> None:
    assert redact_text(text)[0] == text


@pytest.mark.parametrize(
    "value",
    [
        "+44 20 7946 0958",
        "(212) 555-0198",
        "10.42.7.19",
        "DE89370400440532013000",
        "4012 8888 8888 1881",
        "09171234567",
    ],
)
def test_personal_data_opening_a_line_of_a_json_encoded_log_is_hidden(value: str) -> None:
    for sep in ("\\n", "\\t", "\\r\\n"):
        _hidden('{"msg": "callback failed' + sep + value + ' (retrying)"}', value)


def test_json_encoded_log_lines_keep_their_timestamps_and_operators() -> None:
    """`\\n081110 010438 4917 INFO` is a date, a time and a thread id (was read as a phone after the `n`);
    `\\t::` in a format string is no address."""
    for text in (
        '{"msg": "Receiving block blk_38865049064139660\\n081110 010438 4917 INFO dfs.DataNode: done"}',
        "print(f\"crypt\\t:: {find_library('crypt')}\")",
    ):
        assert redact_text(text)[0] == text


def test_an_address_under_a_bare_key_stays_but_a_url_under_a_credential_name_hides() -> None:
    link = "[JSON Web Key]: https://tools.ietf.org/html/rfc7517"  # a Markdown link reference
    assert redact_text(link)[0] == link
    hook = "https://hooks.zapier.com/hooks/catch/" + _rand(7, string.digits) + "/" + _rand(7) + "/"
    _hidden("SECRET=" + hook, hook)  # webhook URLs are credentials, even with short ids
    generated = "https://example.com/a/" + _rand(24)
    _hidden("key: " + generated, generated)


def test_documents_carried_in_a_json_string_are_read_with_their_line_breaks() -> None:
    """A Kubernetes Secret or an XML element logged inside a JSON string keeps its structure only through
    `\\n` escapes; the readers see the decoded lines and the spans map back onto the escaped text."""
    import json

    b64 = __import__("base64").b64encode(_rand(18).encode()).decode()
    manifest = f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: {b64}\n"
    token = _rand(32)
    element = f"<apiToken>\n    {token}\n</apiToken>"
    for doc, secret in ((manifest, b64), (element, token)):
        for text in (json.dumps({"msg": doc}), json.dumps({"level": "error", "message": doc}, indent=2)):
            out = _hidden(text, secret)
            assert json.loads(out)  # still one JSON document


def test_curl_credentials_inside_a_json_string_keep_the_json_whole() -> None:
    import json

    placeholder = json.dumps({"msg": 'curl --user "xxx:yyy" https://api.example.com'})
    assert redact_text(placeholder)[0] == placeholder  # a documentation pair, escaped: kept as in plain text
    pw = _rand(14)
    for cmd in (f'curl --user "bob:{pw}" https://x', f"curl -u bob:{pw}"):
        out = _hidden(json.dumps({"msg": cmd}), pw)
        assert json.loads(out)["msg"].startswith("curl ")


@pytest.mark.parametrize("sep", ["\u00a0", "\u202f", "\u2009", "\u2013", "\u2011"])
def test_numbers_grouped_with_typeset_spaces_and_dashes(sep: str) -> None:
    """No-break and thin spaces, en dashes and non-breaking hyphens group digits as a blank or `-` would."""
    for value in ("+44 20 7946 0958", "4012 8888 8888 1881", "0917 123 4567", "01 23 45 67 89"):
        _hidden("call " + value.replace(" ", sep) + " today", value.replace(" ", sep))
    for kept in ("population 67 390 000", "1990-2020", "Umsatz 12 345 678 EUR"):
        text = kept.replace(" ", sep) if sep in "\u00a0\u202f\u2009" else kept.replace("-", sep)
        assert redact_text(text)[0] == text


def test_key_value_tables_hide_the_value_column() -> None:
    """`vault kv get` and `column -t` print a name, a column gap and the value alone to the end of the line."""
    rng = random.Random(41)
    pw = _password(rng)
    table = f"====== Data ======\nKey         Value\n---         -----\npassword    {pw}\nusername    admin\n"
    out = _hidden(table, pw)
    assert "username    admin" in out
    _hidden("PASSWORD\t" + pw, pw)
    for kept in (
        "password    required",
        "password\t\tOptional",
        "The password  is wrong",
        "password    ********",
    ):
        assert redact_text(kept)[0] == kept


@pytest.mark.parametrize("name", ["apiKey", "api_key", "token", "client_secret", "DB_PASSWORD"])
def test_a_name_opening_a_line_of_a_json_encoded_log_is_read_as_the_name(name: str) -> None:
    """`\\napiKey=...`: the `n` of the escaped break is not glued to the name (`napiKey` is no credential)."""
    rng = random.Random(len(name))
    for tpl in ('{{"msg": "config loaded\\n{n}={v}\\nport=5432"}}', '{{"msg": "env:\\n\\t{n}: {v}"}}'):
        v = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(12)) + "!"
        _hidden(tpl.format(n=name, v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        "    def sign_in_with_sso(\n        self, credentials: SignInWithSSOCredentials\n    ) -> SSOResponse:",
        "class P(TypedDict, total=False):\n    client_secret: SessionClientSecret\n",
        "    def sign(self, msg: bytes, key: Ed25519PrivateKey | Ed448PrivateKey) -> bytes:",
        "        return BasicAuth(username=auth[0], password=auth[1])",
        "smtp.user, smtp.password = sim_auth[0], sim_auth[1]",
    ],
)
def test_types_named_for_credentials_and_numeric_subscripts_are_code(text: str) -> None:
    assert redact_text(text)[0] == text


def test_a_drawn_token_holding_a_credential_word_is_still_hidden() -> None:
    """Only a class name *ending* in a credential word reads as a type; words inside a token do not count."""
    for word in ("Key", "Secret", "Token"):
        token = _rand(10) + word + _rand(14)
        _hidden("api_key: " + token, token)
        _hidden("password: " + token, token)
