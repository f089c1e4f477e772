"""Single forms read by the context scanner, each with the look-alikes that must stay.

Values are drawn here (seeded, `_token`); names and shapes come from the detectors' specs (detect-secrets'
KeywordDetector, gitleaks' generic-api-key and its allowlists) and from what code and logs hold.
"""

from __future__ import annotations

import random
import string

import pytest

from aiops_mcp.server.gateway.redaction import Vault
from aiops_mcp.server.gateway.redaction.keys import classify
from aiops_mcp.server.gateway.redaction.validators import shannon

ALNUM = string.ascii_letters + string.digits


def _token(seed: int, n: int = 32) -> str:
    rng = random.Random(seed)
    while True:
        v = "".join(rng.choice(ALNUM) for _ in range(n))
        if shannon(v) >= 3.5 and any(c.isdigit() for c in v) and any(c.isupper() for c in v):
            return v


def _uuid(seed: int) -> str:
    rng = random.Random(seed)
    h = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:]}"


T1, T2 = _token(1), _token(2, 40)

HIDDEN = [
    # setters take the value they set (`getSecret("name")` passes a name: see KEPT)
    f'config.setPassword("{T1}");',
    f"client.with_api_key('{T1}')",
    f'builder.setClientSecret("{T2}").build()',
    # a Markdown table row
    f"| API_TOKEN | {T1} |",
    # Java's XML properties and name-keyed entries
    f'<entry key="db.password">{T1}</entry>',
    f"<entry name='auth_token'>{T2}</entry>",
    # Kubernetes env name/value pairs and their JSON form
    f"env:\n  - name: PAYMENT_API_KEY\n    value: {T1}\n",
    f'{{"name": "GH_TOKEN", "value": "{T2}"}}',
    # run-together names from detect-secrets' denylist, gitleaks' generic identifiers as last word
    f"appkey = {T1}",
    f'DBKEY="{T1}"',
    f"privkey: {T2}",
    f'secreto = "{T1}"',
    f"keypass={T1}",
    f'X-API: "{T1}"',
    f"client_access = {T2}",
    f'"api_key_value": "{T1}"',
    f'"private_key_id": "{T2}"',
    # a UUID under a credential's name is a credential (Heroku keys are UUIDs)
    f"api_key: {_uuid(3)}",
    # a word followed by a `key=value` is a value, not prose
    f"password={T1[:8].lower()} user=app host=db",
]


@pytest.mark.parametrize("text", HIDDEN)
def test_values_in_these_forms_are_hidden(text: str) -> None:
    out = Vault().redact(text)
    assert T1 not in out and T2 not in out and _uuid(3) not in out, out


KEPT = [
    # calls that pass a name or a variable
    'value = getSecret("payment-api-token")',
    "login(username=username, pass=pass, pwd=pwd)",
    "new_password = password",
    "self._secret_value = value",
    # annotations: a class or a subscripted type after `name:`
    "def connect(api: SemanticAnalyzerInterface, password: Optional[str] = None) -> None:",
    "    session: AsyncRealtimeSessionResource",
    "    client_secret: Required[str]",
    # where a secret is, not the secret
    "PWD=/home/runner/work/app/app",
    "api_token = ~/.config/app/token.json",
    "secret_file=./conf/prod/secret.yaml",
    # filler words numbered
    "api_token = changeme123",
    "password: example2",
    # gitleaks' allowlisted names: ids, names, sizes, public halves, schema/sequence keys
    f'schemaKey: "{_uuid(4)}"',
    f"random_access = {T1}",
    f'"refresh_token_audience": "{_uuid(5)}"',
    # a bare `key` holding an id or a resource name
    f"    {{ key: '{_uuid(6)}', value: 'Americas' }},",
    '<Style x:Key="PrimaryButtonStyle2" TargetType="Button">',
    # JSON members named api/access hold words
    '{"api": "users", "access": "read-only"}',
    # a Markdown table of types
    "| API_TOKEN | string | required |",
    # a reStructuredText role after a word that is also a name
    "If you're implementing a client, pass :data:`h11.CLIENT`.",
    # docstrings (`Args:` entries), unpacking, subscripts, list literals, format fields, word lists
    "        password: The password part of the URL.",
    "        client_secret: Configuration options for the generated secret.",
    "    username, password = auth",
    "    user, pw = value, None",
    "    expected_password = credentials_dict[username]",
    "        password=parts['password'],",
    "    lib.PQchangePassword.argtypes = [PGconn_ptr, c_char_p]",
    'print(f"password={password!r}")',
    'raise KeyError(f"unknown session ID: {request_session_id[:64]}")',
    "__slots__ = ('scheme', 'user', 'password', 'host', 'port')",
    'method: Literal["password", "otp", "oauth"]',
    'AttributeOID.CHALLENGE_PASSWORD: "challengePassword",',
    # class and type names
    "TokenSuccessResponse = OAuthToken",
    "def resolve(api_key: _AzureApiKeyT | None, token_provider: TokenProviderT | None) -> None:",
    "    token_endpoint_auth_method: OAuthClientTokenEndpointAuthMethod",
    # documentation URLs
    "e.g. `pass` in `https://user:pass@host:port/path`",
]


@pytest.mark.parametrize("text", KEPT)
def test_look_alikes_in_these_forms_are_kept(text: str) -> None:
    assert Vault().redact(text) == text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("appkey", "secret"),
        ("databasekey", "secret"),
        ("priv_key", "secret"),
        ("secreto", "password"),
        ("keypass", "password"),
        ("thepwd", "password"),
        ("api_key_value", "secret"),
        ("password_value", "secret"),  # a password name extended: the value must look generated
        ("X-API", "secret"),
        ("private_key_id", "secret"),
        ("conn_str", "secret"),
        ("random_access", None),
        ("schemaKey", None),
        ("token_expires_at", None),
        ("TOKEN_AUDIENCE", None),
        ("token_sha256", None),
        ("secret_region", None),
        ("hotkey", None),
        ("monkey", None),
        ("Passwort", "password"),
        ("mot_de_passe", "password"),
        ("bypass", None),
        ("passenger", None),
    ],
)
def test_name_classes(name: str, expected: str | None) -> None:
    assert classify(name) == expected
