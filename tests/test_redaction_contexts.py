"""Secrets found by where they stand, in the assignment forms of many languages and config formats.

Every value here is generated (seeded random characters of the documented shape): the detectors are
checked on forms, not on memorised strings. Negatives are the look-alikes each form invites: words,
placeholders, references, timestamps and ids under names that do or do not announce a secret.
"""

from __future__ import annotations

import random
import string
import zlib

import pytest

from aiops_mcp.server.gateway.redaction import Vault
from aiops_mcp.server.gateway.redaction.validators import (
    digit_secret,
    is_placeholder,
    is_timestamp_digits,
    shannon,
)

LOWER, UPPER, DIGITS = string.ascii_lowercase, string.ascii_uppercase, string.digits
CHARSETS = {
    "alnum": LOWER + UPPER + DIGITS,
    "lower_digits": LOWER + DIGITS,
    "hex": "0123456789abcdef",
    "base64ish": LOWER + UPPER + DIGITS + "=-_./",
    "lower_digits_dash": LOWER + DIGITS + "_-=",
}
# service names as they prefix a credential's name (`<name>Token`, `<NAME>_TOKEN`)
NAMES = ["acme", "zorbix", "datadog", "linkedin", "messagebird", "sumo"]

# `{i}`: the service name, `{I}` upper-cased, `{s}`: the secret
TEMPLATES = [
    '{i}Token="{s}"',
    '{i}Token = "{s}"',
    "{i}Token={s}",
    "{i}Token = {s}",
    '{{\n    "{i}_token": "{s}"\n}}',
    '\\{{\n    \\"{i}_token\\": \\"{s}\\"\n\\}}',
    "<{i}Token>{s}</{i}Token>",
    "<{i}Token>\n    {s}\n</{i}Token>",
    "{i}_token: {s}",
    "{i}_token: '{s}'",
    '{i}_token: "{s}"',
    "{i}_token: |\n  {s}",
    "{i}_token: >\n  {s}",
    'string {i}Token = "{s}";',
    'var {i}Token string = "{s}"',
    '{i}Token := "{s}"',
    "{i}Token := `{s}`",
    'var {i}Token = "{s}"',
    '${i}Token .= "{s}"',
    "{i}Token = '{s}'",
    "{i}Token,{s},",
    '  "{i}Token" => "{s}"',
    '{I}_TOKEN = "{s}"',
    '{I}_TOKEN ::= "{s}"',
    '{I}_TOKEN :::= "{s}"',
    '{I}_TOKEN ?= "{s}"',
    '{I}_TOKEN += "{s}"',
]


def _random(rng: random.Random, chars: str, n: int) -> str:
    assert n >= 12  # shorter draws rarely reach 3 bits per character: the loop below would not end
    while True:
        v = "".join(rng.choice(chars) for _ in range(n))
        # generated tokens start and end with a letter or digit; a lone separator there is not a token.
        # A draw under ~3 bits per character (a few in a hundred short hex values) is below the bar that
        # a name-announced value must reach (context._value_is_secret): not what these tests are about.
        if v[0].isalnum() and v[-1].isalnum() and shannon(v) >= 3.0:
            return v


def _hidden(text: str, secret: str) -> bool:
    return secret not in Vault().redact(text)


def _kept(text: str) -> bool:
    return Vault().redact(text) == text


def _cases(seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for name in NAMES:
        for chars in CHARSETS.values():
            secret = _random(rng, chars, rng.choice([16, 17, 20, 24, 32, 40, 64]))
            out.extend((t.format(i=name, I=name.upper(), s=secret), secret) for t in TEMPLATES)
    return out


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_assignment_template_hides_generated_values(template: str) -> None:
    rng = random.Random(zlib.crc32(template.encode()))
    missed = []
    for name in NAMES:
        for chars in CHARSETS.values():
            secret = _random(rng, chars, rng.choice([16, 17, 20, 24, 32, 40, 64]))
            text = template.format(i=name, I=name.upper(), s=secret)
            if not _hidden(text, secret):
                missed.append(text)
    assert not missed, missed[:3]


def test_templates_keep_the_names() -> None:
    for text, secret in _cases(3)[:200]:
        out = Vault().redact(text)
        assert secret not in out
        name = text.split("Token")[0].split("_token")[0].split("_TOKEN")[0].lstrip('{\n "\\<$').split()[-1]
        assert name in out


# --- digits ------------------------------------------------------------------------------------------


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randint(1, 9)) + "".join(rng.choice(DIGITS) for _ in range(n - 1))


@pytest.mark.parametrize("n", [12, 16, 18, 24, 40])
def test_random_digit_runs_under_token_names_are_hidden(n: int) -> None:
    rng = random.Random(n)
    forms = [
        "{i}Token = {s}",
        '{i}_token: "{s}"',
        "{I}_CLIENT_TOKEN={s}",
        "<{i}Token>{s}</{i}Token>",
        "{i}Token,{s},",
    ]
    hidden = total = 0
    for _ in range(60):
        secret = _digits(rng, n)
        text = rng.choice(forms).format(i="acme", I="ACME", s=secret)
        total += 1
        hidden += _hidden(text, secret)
        # the rule is digit_secret: nothing else decides a digit run
        assert _hidden(text, secret) == digit_secret(secret), text
    assert hidden / total >= 0.8


@pytest.mark.parametrize(
    "text",
    [
        "token: 1700000000123",  # epoch millis
        "token = 1712345678",  # epoch seconds
        "auth_token: 1712345678123456",  # epoch micros
        "token: 20240131120000",  # yyyymmddHHMMSS
        "token: 1234567890123456",  # counting
        "token: 1000000000000000",
        "token: 4444444444444444",
        "token: 1212121212121212",
        "api_token: 12345678901",  # short
        "token: 48213907",
        "max_tokens: 839112673092716304",
        "token_count: 839112673092716304",
        "tokens_used,839112673092716304,",
        "user_id: 839112673092716304",
        "order_id = 839112673092716304",
        "port: 54321",
        "key: 839112673092716304",  # a bare `key` is a lookup key
        "page_token: 42",
    ],
)
def test_digit_runs_that_are_times_counts_or_ids_are_kept(text: str) -> None:
    assert _kept(text)


def test_digit_secret_rejects_shapes_not_drawn_at_random() -> None:
    assert is_timestamp_digits("1712345678")
    assert is_timestamp_digits("1712345678123")
    assert is_timestamp_digits("20240131")
    assert not is_timestamp_digits("9712345678123")
    assert not digit_secret("123456789012")  # sequential
    assert not digit_secret("111122223333")  # few distinct digits
    assert not digit_secret("12345678")  # short
    assert not digit_secret("４８２１３９０７５６１２３４")  # full-width digits: not ASCII
    assert digit_secret("482139075612")


# --- YAML block scalars ----------------------------------------------------------------------------


@pytest.mark.parametrize("indicator", ["|", ">", "|-", ">-", "|+", ">+", "|2"])
def test_yaml_block_scalar_values_are_hidden(indicator: str) -> None:
    rng = random.Random(len(indicator) * 7 + ord(indicator[0]))
    secret = _random(rng, CHARSETS["alnum"], 32)
    for text in (
        f"api_token: {indicator}\n  {secret}\n",
        f"spec:\n  auth:\n    password: {indicator}\n      {secret}\n  other: 1\n",
        f'"client_secret": {indicator}  # rotated monthly\n    {secret}',
        f"- token: {indicator}\n\n    {secret}\nnext: 2",
    ):
        out = Vault().redact(text)
        assert secret not in out
        assert indicator in out and ("next: 2" in out or "next" not in text)


def test_a_wrapped_block_value_is_hidden_whole() -> None:
    rng = random.Random(9)
    parts = [_random(rng, CHARSETS["base64ish"], 40) for _ in range(3)]
    text = "tls_private_key: |\n  " + "\n  ".join(parts) + "\nport: 443"
    out = Vault().redact(text)
    assert all(p not in out for p in parts)
    assert out.endswith("\nport: 443")


@pytest.mark.parametrize(
    "text",
    [
        "token: |\n  See the runbook for how to rotate it",
        "password: >\n  Please enter your password below.",
        "description: |\n  Zq4Rt7Yu1Io9Pa3SZq4Rt7Yu1Io9Pa3S",  # not a sensitive name
        "token: |\n${TOKEN}",  # not indented: not block content
        "  token: |\n  Zq4Rt7Yu1Io9Pa3SZq4Rt7Yu1Io9Pa3S",  # not deeper than the key
        "secret: |\n  {{ .Values.secret }}",
        "api_token: |\n  os.environ.get",
        "token: |\n  your_token_here",
        "token: >\n  xxxxxxxxxxxxxxxxxxxxxxxx",
    ],
)
def test_yaml_block_scalars_that_are_not_secrets_are_kept(text: str) -> None:
    assert _kept(text)


# --- CSV --------------------------------------------------------------------------------------------


def test_csv_field_after_a_sensitive_name_is_hidden() -> None:
    rng = random.Random(21)
    for chars in CHARSETS.values():
        secret = _random(rng, chars, 32)
        for text in (
            f"apiToken,{secret},",
            f"prod,api_token,{secret},2024-01-01",
            f'auth_token,"{secret}",x',
        ):
            out = Vault().redact(text)
            assert secret not in out
            assert "oken" in out


@pytest.mark.parametrize(
    "text",
    [
        "token,description,default",
        "auth_token,required,string",
        "password,Password,text,,",
        "prompt_tokens,completion_tokens,total_tokens",
        "api_token,your_token_here,",
        "api_token,${API_TOKEN},",
        "token,aaaaaaaaaaaaaaaaaaaaaaaa,",
        "mytoken,abc",
        "call(token, refreshToken)",
    ],
)
def test_csv_rows_of_words_and_placeholders_are_kept(text: str) -> None:
    assert _kept(text)


# --- keyword forms of many languages ------------------------------------------------------------------

KEYWORD_FORMS = [
    'password = "{s}"',
    "$password = '{s}';",
    "my_secret := {s}",
    '"api_key" => "{s}"',
    "'password' => '{s}',",
    "<password>{s}</password>",
    "set PASSWORD={s}",
    "export TOKEN={s}",
    "-Dpassword={s}",
    "  password: {s}",
    "[credentials]\nsecret = {s}",
    "[auth]\nkey: {s}",
    'if (password != "{s}") {{',
    'apiKey === "{s}"',
    "password !== '{s}'",
    '"{s}" == password',
    "'{s}' !== apiKey",
    "ENV SECRET_KEY {s}",
    "setx API_KEY {s}",
    "password: !!str {s}",
    "password '{s}'",
    'private_key "{s}";',
]


@pytest.mark.parametrize("form", KEYWORD_FORMS)
def test_keyword_forms_hide_generated_values(form: str) -> None:
    rng = random.Random(form)
    for chars in (CHARSETS["alnum"], LOWER + UPPER + DIGITS + "!@#%^*+~"):
        secret = _random(rng, chars, rng.randint(14, 30))
        text = form.format(s=secret)
        assert _hidden(text, secret), text


@pytest.mark.parametrize(
    "text",
    [
        "if (password != confirmPassword) {",
        "if password == other_password:",
        "password === null",
        '"" == password',
        "[server]\nkey: kP0wPSfNp7Qz",  # a bare key outside a credentials section (12 characters)
        "[auth]\nkey: cache_dir",
        "ENV SECRET_KEY_FILE /run/secrets/key",
        "echo password 'hello'",
        "api_key = os.environ['API_KEY']",
        "token = config.token",
        "api_token = settings.API_TOKEN",
        "token = getenv('TOKEN')",
        "token: <token>",
        "token = ${TOKEN}",
        "api_key: your_api_key_here",
        "password: changeme",
        "token: must be provided",
        "token_type: bearer",
        "request_id: 4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b",
        "commit: 2659ef9170edebb60e1d4b14f31d93ef940d5d60",
    ],
)
def test_keyword_forms_that_hold_no_secret_are_kept(text: str) -> None:
    assert _kept(text)


# --- placeholders ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abcabcabcabcabc", "121212121212", "xYz1xYz1xYz1xYz1"])
def test_short_units_repeated_are_placeholders(value: str) -> None:
    assert is_placeholder(value)
    assert _kept(f"api_token = {value}")


@pytest.mark.parametrize("seed", range(5))
def test_random_values_are_not_periodic_placeholders(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        assert not is_placeholder(_random(rng, CHARSETS["alnum"], rng.randint(12, 64)))


def test_long_blank_and_line_runs_stay_linear() -> None:
    # the new forms look back along the line: a megabyte line of names must not make that quadratic
    import time

    text = "token: |\n" + "  x" * 2000 + " token " * 20000 + '"v" ==' + " " * 5000 + "password"
    t0 = time.perf_counter()
    Vault().redact(text)
    assert time.perf_counter() - t0 < 2.0


# --- values made of symbols, template look-alikes, calls -----------------------------------------------

# passwords drawn from letters, digits and the symbols that template and code syntax also use
SYMBOLIC = LOWER + UPPER + DIGITS + "{}()[]$#>-_!@%^*"


def _symbolic(rng: random.Random, n: int, *, quoted: bool) -> str:
    # unquoted, `(` then `)` reads as a call (`foo(hey)you`) and is not taken: no `(` in those values
    chars = SYMBOLIC if quoted else SYMBOLIC.replace("(", "")
    while True:
        v = "".join(rng.choice(chars) for _ in range(n))
        if v[0].isalnum() and v[-1].isalnum() and not is_placeholder(v):
            return v


@pytest.mark.parametrize(
    "form",
    [
        'apikey = "{s}"',
        "db_pass := {s}",
        "secret: {s}",
        "db_pass_secure = {s}",
        'my_password_secure = @"{s}";',
        'char secret[32] = "{s}";',
        'std::string secret("{s}");',
        'if (api_key != "{s}") {{',
        'if ("{s}" === private_key) {{',
    ],
)
def test_symbolic_passwords_are_hidden(form: str) -> None:
    rng = random.Random(zlib.crc32(form.encode()))
    for _ in range(20):
        secret = _symbolic(rng, rng.randint(16, 40), quoted='{s}"' in form or '"{s}' in form)
        text = form.format(s=secret)
        assert _hidden(text, secret), text


def test_most_symbolic_values_are_not_placeholders() -> None:
    # `{{`, `${` and `$(` make a placeholder only as whole template expressions
    rng = random.Random(77)
    values = ["".join(rng.choice(SYMBOLIC) for _ in range(30)) for _ in range(2000)]
    assert sum(is_placeholder(v) for v in values) < 100


@pytest.mark.parametrize(
    "value",
    [
        "${DB_PASSWORD}",
        "${DB_PASSWORD:-postgres}",
        "${ var.token }",
        "${{ secrets.API_TOKEN }}",
        "{{ .Values.auth.token }}",
        "{% raw %}",
        "$(cat /run/secrets/token)",
        "prefix-${TOKEN}-suffix",
        "$API_TOKEN",
        "$env:API_TOKEN",
        "$_POST['password']",
        "$securePassword",
        "$1",
    ],
)
def test_template_expressions_and_references_are_placeholders(value: str) -> None:
    assert is_placeholder(value)
    assert _kept(f"password = {value}")


def test_dollars_inside_a_password_do_not_make_a_reference() -> None:
    rng = random.Random(31)
    for _ in range(50):
        secret = "$" + rng.choice(LOWER) + rng.choice(UPPER) + "$" + _random(rng, CHARSETS["alnum"], 16)
        assert not is_placeholder(secret)
        assert _hidden(f"DB_PASSWORD={secret}", secret)


@pytest.mark.parametrize(
    "text",
    [
        'password = "-_!@%^*#"',  # punctuation only
        "password := ,.:-*?!",
        'password: "real_key"',  # a variable name in quotes
        'password: "new_password"',
        "api_key: fs.readFileSync('key.pem',",
        "token = getenv('TOKEN')",
        "password = foo(hey)you",
        "token = Token{a64f992e}",
        "api_token: android.os.BinderProxy@2bd79ce",
    ],
)
def test_symbol_runs_variables_and_calls_are_kept(text: str) -> None:
    assert _kept(text)


def test_a_fixed_run_inside_a_long_random_token_is_not_a_mask() -> None:
    rng = random.Random(5)
    for _ in range(20):
        head = "".join(rng.choice(LOWER + DIGITS) for _ in range(11))
        secret = head + "A" * 10 + _random(rng, LOWER + DIGITS + "-_=", 43)
        assert _hidden(f"dropbox_token: {secret}", secret)
    assert is_placeholder("AKIA" + "X" * 16)
    assert is_placeholder("sk_live_" + "x" * 24)


# --- client ids, property lists, named slots, short samples --------------------------------------------


def test_long_generated_client_ids_are_hidden_and_uuid_ones_kept() -> None:
    rng = random.Random(12)
    for form in ('"client_id" : "{s}"', "clientId = {s}", "CLIENT_ID={s}", "oauth.client-id: '{s}'"):
        for chars in (CHARSETS["hex"], CHARSETS["alnum"]):
            secret = _random(rng, chars, rng.choice([32, 40, 64]))
            assert _hidden(form.format(s=secret), secret)
        uuid = "-".join("".join(rng.choice(CHARSETS["hex"]) for _ in range(k)) for k in (8, 4, 4, 4, 12))
        assert _kept(form.format(s=uuid))
    assert _kept("client_id: web-frontend")
    assert _kept("client_identifier = Zq4Rt7Yu1Io9Pa3SZq4Rt7Yu1Io9Pa3SZq4R")  # not a client id


def test_property_list_values_under_sensitive_keys_are_hidden() -> None:
    rng = random.Random(13)
    secret = _random(rng, CHARSETS["alnum"], 32)
    text = f"<dict>\n\t<key>API_TOKEN</key>\n\t<string>{secret}</string>\n\t<key>PLIST_VERSION</key>\n\t<string>1</string>"
    out = Vault().redact(text)
    assert secret not in out and "<string>1</string>" in out
    assert _kept("<key>API_TOKEN_NAME</key>\n<string>deploy-bot</string>")


@pytest.mark.parametrize(
    "text", ["SUMO_ACCESS_KEY={SumoAccessKey}", "api_token: {ApiToken}", "access_key: AbCeFG123"]
)
def test_named_slots_and_short_samples_are_kept(text: str) -> None:
    assert _kept(text)


def test_a_random_value_in_braces_is_not_a_named_slot() -> None:
    rng = random.Random(14)
    for _ in range(50):
        secret = _random(rng, CHARSETS["alnum"], 16)
        assert not is_placeholder("{" + secret + "}")


def test_a_quoted_phrase_under_a_name_built_on_password_is_hidden() -> None:
    rng = random.Random(15)
    words = ["".join(rng.choice(LOWER) for _ in range(rng.randint(4, 8))) for _ in range(40)]
    for _ in range(20):
        phrase = " ".join(rng.choice(words) for _ in range(4))
        assert _hidden(f'db_password_secure = "{phrase}"', phrase)
    assert _kept('password_reset_subject = "Please reset your password"')
    assert _kept('password_error: "invalid password"')
    assert _kept('password_hint = "my dog name"')  # hint: metadata about a password
    assert _kept('api_key_help = "see the settings page"')  # not a password name


@pytest.mark.parametrize(
    "text",
    [
        "def get(self, key, default=None):",
        "def create(self, key, compression=100) -> bool:",
        "    def __init__(self, password: bytes):",
        "    def __init__(self, token: TokenInterface):",
        '    password = enforce_bytes(proxy_auth[1], name="proxy_auth")',
        "    auth = (url.username, url.password)",
        '    password = quote(kwargs.pop("password", "") or "", safe=SAFE)',
        "    pass_context = jinja2.contextfunction",
        "    final_token = token[:-1]",
        "    key = key_and_subkey[:newline_idx]",
        "    get_password = (lambda: password) if password else None",
        "    return jwt.encode(claims, self.signing_key, algorithm=self.signing_algorithm)",
        "for _, chars in itertools.groupby(s, key=is_consecutive):",
    ],
)
def test_code_is_not_a_secret(text: str) -> None:
    # argument lists, signatures, calls and slices: names that announce secrets, values that are code
    assert _kept(text)


@pytest.mark.parametrize(
    "text",
    [
        ">>> str(_encode_auth('username%3Apassword'))",
        'assert check_secret("Zq4Rt7Yu1Io9Pa3SZq4R")',
        'return getSecret("Zq4Rt7Yu1Io9Pa3SZq4R")',
        'value = load_token("Zq4Rt7Yu1Io9Pa3SZq4R")',
    ],
)
def test_a_literal_passed_to_a_function_named_like_a_secret_is_kept(text: str) -> None:
    assert _kept(text)


@pytest.mark.parametrize(
    "text",
    ["def _leaks(secret: str, out: str) -> bool:", "  password: string;", "api_token: Optional[str] = None"],
)
def test_type_annotations_are_not_values(text: str) -> None:
    assert _kept(text)
