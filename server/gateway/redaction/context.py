"""Secrets recognised by where they stand: after a sensitive name, in a header, in a URL's userinfo.

Every scanner here is gated by a cheap substring test on the lower-cased text (the keyword
prefilter), so text without `pass`, `token`, `key`, `://` ... never reaches a context regex.
Each yields (start, end, kind) spans of the secret only: names, operators and quotes survive.
"""

from __future__ import annotations

import base64
import bisect
import re
import threading
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple, cast

from .keys import (
    KEYWORDS,
    NAMES_SEEN,
    VENDORS,
    classify,
    classify_value,
    components,
    names_only_cache,
    split_words,
)
from .rules import GATED, TRIGGER_AT_START, trie_regex
from .validators import (
    char_classes,
    digit_secret,
    generated_shape,
    is_placeholder,
    is_sequential,
    is_structured_id,
    looks_random,
)

Span = tuple[int, int, str]


class _Lazy:
    """A pattern compiled on its first use. The rarer forms (tool command lines, protocol transcripts,
    Kubernetes manifests, encoded layers) sit behind literal gates that most texts never pass, and compiling
    all of them up front cost every CLI start several milliseconds."""

    __slots__ = ("_args", "_rx")

    def __init__(self, pattern: str, flags: int) -> None:
        self._args = (pattern, flags)
        self._rx: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        rx = self._rx
        if rx is None:
            rx = self._rx = re.compile(*self._args)
        return getattr(rx, name)


def _lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return cast("re.Pattern[str]", _Lazy(pattern, flags))


SEP_CHAR = "\x00"  # documents of a batch are joined around this character (see engine.find_spans_many)

_IDENT_RUN = re.compile(r"[\w.\-]{0,128}")  # identifier characters, scanned in C (reversed for the left side)

_OPVAL = re.compile(
    r"""
    (?P<kq>\\?["'`])?                               # closing quote of a quoted name
    (?:\]|\[\])?                                     # d["secret"] = ..., apikey[] = ...
    (?:[ \t]+[A-Za-z_][\w\[\]]*(?=[ \t]*[:=]))?     # a type between name and operator: `var x string = ...`
    [ \t]*+                                          # possessive: a long blank run is read once, not
    (?P<op>:::=|::=|:=|\?=|\.=|\+=|=>|->|<-|==|=|:|,|\|\||\?\?|(?<=[ \t])value[ \t]*=)  # split n ways (quadratic)
    [ \t]*+@?                                        # @"..." (Objective-C string literal)
    (?:
        (?P<vq>\\?["'`])(?P<qv>.{0,400}?)(?P=vq)
      | (?P<uv>[^\s"'`\\<>;&,](?:[^\s"'`\\<>;&,]|[;&,](?![\w.\-\[\]]{1,64}=|\s|$)|<(?!/)|>){0,511})
    )
    """,
    re.X,
)
_FLAGVAL = re.compile(
    r"""(?:=|[ \t]+)(?:(?P<vq>["'])(?P<qv>[^"'\n]{1,200})(?P=vq)|(?P<uv>[^\s"'`\\]{1,512}))"""
)
# `private_key "value";` and `password 'value'` ending its line: a quoted literal right after the name
_QUOTED_STATEMENT = re.compile(
    r"""[ \t]*(?P<vq>["'])(?P<qv>[^"'\s]{1,200})(?P=vq)[ \t]*(?:(?P<semi>;)|$)""", re.M
)
# a YAML block scalar's header after a name: `token: |`, `password: >-`, `"key": |2  # comment`
_BLOCK_HEAD = re.compile(r"""(?:\\?["'`])?[ \t]*:[ \t]*[|>][-+1-9]{0,2}[ \t]*(?:\#[^\n]*)?\r?\n""")
_SPACE_VALUE = re.compile(r"[ \t]+(?P<v>[^\s\"'`]{1,512})[ \t]*(?:\r?\n|$)")
# `password != "x"`, `apiKey === 'x'`: comparisons _OPVAL does not read (it stops at `==`); quotes required
_COMPARE = re.compile(r"""[ \t]*+(?:!==?|===)[ \t]*+(?P<vq>["'])(?P<qv>[^\n]{1,400}?)(?P=vq)""")
# section names whose bare `key` entries are credentials: `[auth]\nkey: ...`, `[credentials]`
_SECRET_SECTIONS = frozenset(
    [
        "auth",
        "credentials",
        "credential",
        "secrets",
        "secret",
        "api",
        "keys",
        "security",
        "token",
        "tokens",
        "oauth",
        "login",
    ]
)
_SECTION = re.compile(r"\[[ \t]*([\w.\- ]{1,64}?)[ \t]*\][ \t]*\r?$")
_XMLVAL = re.compile(r">\s*(?P<uv>[^<\s\x00][^<\x00]{0,300}?)\s*</")
_SCHEME = re.compile(r"(?i)(?:bearer|basic|(?:api-)?token|digest|bot|apikey|sso-key|negotiate)[ \t]+(?=\S)")
# anchored patterns are used with .match (a `^` pattern given to .search is tried at every position)
_CODE_REF_START = re.compile(
    r"(?:self|this|os|process|config|settings|env|environ|params|args|request|options|opts|cfg|conf|secrets|"
    r"vars|inputs|ENV|System)\b[.\[(]"
)
_OBJECT_REF = re.compile(r"(?P<head>[A-Za-z_][\w.]{2,})[{(\[]|[a-z]{2,}(?:\.[a-z][a-z0-9]*){1,}\.[A-Z]")
_MESSAGE = re.compile(
    r"[.!?]$|\b(?:is|are|must|required|invalid|incorrect|not|should|field|too|please)\b", re.I
)
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_PROSE_AFTER = re.compile(r"[ \t]+[a-z]{2,}(?![\w=:])")  # a next word that is not itself `key=`/`key:`
_ALNUM = re.compile(r"[^\W_]")
# type names after `name:` in annotations (Python, TypeScript, Go struct fields read as `name: type`)
_TYPE_NAMES = frozenset(
    [
        "str",
        "bytes",
        "int",
        "bool",
        "float",
        "dict",
        "list",
        "string",
        "number",
        "boolean",
        "any",
        "Any",
        "None",
        "Optional",
        "SecretStr",
        "SecretBytes",
        "object",
        "unknown",
    ]
)
# words before `name(` that make it a call, not a declaration
_NOT_TYPES = frozenset(
    [
        "assert",
        "return",
        "else",
        "await",
        "not",
        "and",
        "or",
        "if",
        "elif",
        "in",
        "is",
        "yield",
        "print",
        "echo",
        "new",
        "throw",
        "raise",
        "while",
        "lambda",
    ]
)
_CLOSING = re.compile(r"\)[)\]:;,]*$")
_PASSWORD_PARTS = frozenset(("password", "passwd", "pwd", "passphrase"))
_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
# `client_id`, `clientId`, `CLIENT-ID` (after `client` found in the lower-cased text)
_CLIENT_ID_TAIL = re.compile(r"[_.\-]?id\b")
# a property list entry: `<key>API_TOKEN</key>` then `<string>value</string>`
_PLIST_VALUE = re.compile(r"</key>\s*<string>(?P<v>[^<\s][^<]{0,300}?)</string>")
# two or more capitalised words of 3+ letters with a vowel, an acronym only leading, digits only after it or at
# the end (`OAuthToken`, `PKCS12PrivateKeyTypes`, `RefreshTokenT`): class and type names; generated tokens
# (digits anywhere, short case runs) do not split so
# (possessive and look-ahead forms: a failing value is rejected in one pass, never re-split)
_CLASS_NAME = re.compile(
    r"_?(?:[A-Z]{1,5}\d{0,3}(?=[A-Z][a-z]))?(?:[A-Z](?=[a-z]*[aeiouy])[a-z]{2,}+){2,}+\d{0,3}[A-Z]?"
)
# what follows an annotation inside a signature: `| None`, `,`, `)`, `= default`
_SIGNATURE_AFTER = re.compile(r"[ \t]*(?:\||,|\)|=(?!=))")
# code after `=`: a subscript of a name (`parts['password']`, `creds_dict[user]`; an unquoted value stops at the
# quote: `parts[`) or a list literal
_CODE_VALUE = re.compile(
    r"[A-Za-z_][\w.]*\[(?:'[^'\]]*'|\"[^\"\]]*\"|[A-Za-z_][\w.]*|-?\d{1,3})\]|[A-Za-z_][\w.]*\[$|\[[A-Za-z_]"
)
# a format field: `{password!r}`, `{session_id[:64]}`, `{cfg.token}`
_FORMAT_FIELD = re.compile(r"\{[a-z_][a-z0-9_]*(?:[.\[][^{}]*|![rsa][^{}]*|:[^{}]*)\}")
# gitleaks' generic identifiers: they name a credential often enough to look at the value, but
# `"api": "users"`, `"access": "read-only"` are not given up whole as a JSON member (see _value_after_op)
_GENERIC_LAST = frozenset(["api", "access"])
# `api: SemanticAnalyzerPluginInterface`, `secret_value: Required[str]`: a type in an annotation
_TYPE_EXPR = re.compile(r"(?:[A-Z][a-z]+){2,}|[A-Z]\w*\[[\w\[\], .|]*\]")
# a capitalised name that may hold acronyms and digits (`SignInWithSSOCredentials`, `Ed25519PrivateKey`)
_CREDENTIAL_TYPE = re.compile(r"[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*")
_CREDENTIAL_WORDS = frozenset(
    ["secret", "secrets", "password", "credential", "credentials", "creds", "key", "token"]
)
_ELEMENT_NAMED = frozenset(["name=", " key="])  # the five characters before the quote opening the name
# the value of a name/value pair after its name: the next line's `value:` (YAML) or the next member (JSON)
_NAME_VALUE = re.compile(
    r"""["']?(?:[ \t]*\r?\n[ \t]*(?:-[ \t]+)?(?i:value):[ \t]*(?P<q>["']?)(?P<v>[^\s"']{1,512})(?P=q)[ \t]*(?:\r?\n|$)"""
    r"""|[ \t]*,\s*(?P<k2>["']?)(?i:value)(?P=k2)[ \t]*:[ \t]*(?:["'](?P<v2>[^"'\n]{1,512})["']|(?P<v3>[^\s,}"']{1,512})))"""
)
# where a secret is kept, or its ciphertext: `arn:aws:secretsmanager:...`, `vault:secret/data/app#password`,
# `projects/123/secrets/db/versions/2` (GCP), `op://vault/item/field` (1Password), `ENC[AES256_GCM,...]` (SOPS)
_REFERENCE_HEADS = ("arn:", "vault:", "projects/", "op://", "ENC[", "ref+", "secretsmanager:", "ssm:", "kms:")
# values of a shape no credential has: an algorithm-tagged digest, an ISO date/time, a version number
_NOT_SECRET_SHAPE = re.compile(
    r"(?:sha(?:1|224|256|384|512)|md5):[0-9a-fA-F]{32,128}"
    r"|\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:[.,]\d{1,9})?)?(?:Z|[+-]\d\d:?\d\d)?)?"
    r"|v?\d{1,4}(?:\.\d{1,6}){1,3}(?:-[0-9A-Za-z.]{1,20})?"
)
# a bare `key`'s value made of capitalised words (XAML/WPF resource keys: `x:Key="PrimaryButtonStyle2"`)
_SHAPE_HEADS = frozenset("0123456789smv")  # the first characters _NOT_SECRET_SHAPE can match
_CAMEL_WORDS = re.compile(r"(?:[A-Z][a-z]+){2,}\d{0,3}")
# commands whose arguments carry a password: `sshpass -p <pw> ssh ...`, `htpasswd -b[c] <file> <user> <pw>`
_TOOL_PASSWORD_ARG = {
    # the password may be quoted: `sshpass -p 'x y' ssh ...` (the quotes stay)
    "sshpass": re.compile(
        r"""[ \t]+-p[ \t]*(?:(?P<q>["'])(?P<qv>[^"'\n]{1,256})(?P=q)|(?P<v>[^\s"'`]{1,256}))"""
    ),
    "htpasswd": re.compile(
        r"[ \t]+-[a-zA-Z]*b[a-zA-Z]*[ \t]+[^\s-]\S*[ \t]+\S+[ \t]+(?P<v>[^\s\"'`]{1,256})"
    ),
}
# words that make `name(` a setter: `setPassword(`, `with_api_key(`, `put_token(`
_SETTERS = frozenset(["set", "with", "put"])
# the next cell of a Markdown table row
_TABLE_CELL = re.compile(r"\|[ \t]*(?P<v>[^\s|`'\"]{10,150})[ \t]*\|")
# a literal handed to a constructor: `std::string secret("x");`
_CALL_LITERAL = re.compile(r"""\([ \t]*(?P<vq>["'])(?P<qv>[^"'\n]{1,200})(?P=vq)[ \t]*[,)]""")


_AWS_EXAMPLE_ID = re.compile(r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{9}EXAMPLE")
# words that describe a field instead of filling it: types and flags in schemas, forms and API examples
_SCHEMA_WORDS = frozenset(
    [
        "required",
        "optional",
        "string",
        "str",
        "text",
        "integer",
        "int",
        "boolean",
        "bool",
        "number",
        "object",
        "array",
        "prompt",
        "input",
        "sensitive",
        "disabled",
        "enabled",
        "default",
        "unknown",
    ]
)


_URL_PARTS = re.compile(r"[/?&=#.;:,]+")


def _url_carries_secret(url: str) -> bool:
    """A URL given as a value hides something when it has userinfo or a generated path or query part."""
    rest = url.split("://", 1)[1]
    if "@" in rest.split("/", 1)[0]:
        return True
    return any(
        looks_random(part, min_len=16, min_entropy=3.0) for part in _URL_PARTS.split(rest) if len(part) >= 16
    )


def _value_is_secret(value: str, sensitivity: str, *, op: str, quoted: bool, after: str) -> bool:
    if not value or is_placeholder(value) or (not value.isalnum() and _ALNUM.search(value) is None):
        return (
            False  # nothing, a placeholder, or punctuation only (`,.:-*?!` is a separator run, not a secret)
        )
    low = value.lower()
    if value[-1] == "E" and _AWS_EXAMPLE_ID.fullmatch(value):
        return False  # AWS's documentation key id (`AKIA...EXAMPLE`): the format rule skips it too
    if low in _SCHEMA_WORDS:
        return False  # `"password": "string"` (an API schema's example), `{name: password, value: required}`
    if value[0] == "<" and ">" in after:
        return False  # `Bearer <your API token>`: a placeholder in angle brackets, cut at its first blank
    if "fake" in low:
        return False  # "fakesecret", "somefakekey": a test fixture announcing itself
    if value[-1].isdigit() and value[0].isalpha() and is_placeholder(value.rstrip("0123456789")):
        return False  # `changeme123`, `password1`, `example2`: a filler word numbered (gitleaks' stopwords)
    if value[0] in "/~." and _is_path(value):
        return False  # `PWD=/home/runner`, `token = ~/.config/app/token.json`: where a secret is, not one
    if (
        sensitivity == "weak"
        and value[0] in "hH"
        and low.startswith(("https://", "http://"))
        and not _url_carries_secret(value)
    ):
        # a bare `key` naming an address (`[JSON Web Key]: https://tools.ietf.org/html/rfc7517`, a Markdown
        # link), unless a part of it is generated or it holds userinfo. Under a credential's name a URL stays
        # hidden: webhook URLs are credentials with short ids (`.../hooks/catch/1234567/abcde12/`)
        return False
    if value.startswith(_REFERENCE_HEADS) or (
        value[0] in _SHAPE_HEADS and _NOT_SECRET_SHAPE.fullmatch(value)
    ):
        return False  # a secret manager's reference, an encrypted (SOPS) value, a digest, a time, a version
    if not quoted and (_call_like(value, after) or _CODE_REF_START.match(value) or _CODE_VALUE.match(value)):
        return False  # calls, references, subscripts (`parts['password']`), list literals (`[PGconn_ptr`)
    if value[0] == "{" and _FORMAT_FIELD.fullmatch(value):
        return False  # an f-string / format field: `{password!r}`, `{session_id[:64]}`
    if (
        ("_" in value or (not quoted and "." in value))
        and _VARIABLE.fullmatch(value)
        and (classify(value) if value in NAMES_SEEN else classify_value(value))
    ):
        # `new_password == confirm_password`, `password: "real_key"`: a variable named like a secret
        return False
    if not quoted and op == ":" and (value in _TYPE_NAMES or _type_expr(value, sensitivity, after)):
        return False  # `def f(secret: str)`, `password: SecretStr`: an annotation, not a value
    if sensitivity == "password":
        if len(value) < 3:
            return False
        # "password: required", "--password via the CLI", docstrings' "password: The password part": a word
        # followed by more prose
        if not quoted and value.isalpha() and _one_word(value) and _PROSE_AFTER.match(after):
            return False
        # a quoted sentence ("This field is required.") is a message about a password, not one
        return not (quoted and " " in value and _MESSAGE.search(value))
    if _object_ref(value) and _class_named(value):
        return False  # `Token{a64f992`, `android.os.BinderProxy@2bd79ce`: object reprs and class paths
    # looks_random less its placeholder test, made above
    if sensitivity == "client_id":
        # an OAuth client id is half a credential pair: a long generated value counts, a UUID is an id
        return _UUID.fullmatch(value) is None and generated_shape(value, min_len=32, min_entropy=3.3)
    if (value[0] == "_" or value[0].isupper()) and _CLASS_NAME.fullmatch(value):
        return (
            False  # `TokenSuccessResponse = OAuthToken`: capitalised words are a name, not a generated value
        )
    if sensitivity == "secret":
        if value.isdigit():
            return digit_secret(value)  # client ids, numeric tokens: long, random, not a time
        # 10 characters, as gitleaks' generic rule: `SUMO_ACCESS_KEY: AbCeFG123` is a sample, not a key
        return generated_shape(value, min_len=10, min_entropy=2.8)
    # weak: a bare `key`, most often a lookup key: `{ key: '<uuid>', value: ... }`, `x:Key="BrushGradient1"`
    if _UUID.fullmatch(value) or _CAMEL_WORDS.fullmatch(value):
        return False
    return generated_shape(value, min_len=16, min_entropy=3.2)


_PATH = re.compile(r"(?:~|\.{1,2})?(?:/[\w.\-@+]+)+/?")
_LOWER_SEGMENT = re.compile(r"[a-z0-9_.\-@+]+")


def _is_path(value: str) -> bool:
    """`/home/runner`, `~/.ssh/id_ed25519.pub`, `./conf/app.yaml`: lower-case or word-like segments.

    A base64 token can start with `/` too, but mixes cases inside its segments (`/3htT6l3m/FDIBm`).
    """
    if _PATH.fullmatch(value) is None:
        return False
    segments = [p for p in value.split("/") if p not in ("", "~", ".", "..")]
    if not segments or (value[0] == "/" and len(segments) < 2):
        return False
    return all(_LOWER_SEGMENT.fullmatch(p) or is_structured_id(p) for p in segments)


def _type_expr(value: str, sensitivity: str, after: str) -> bool:
    """A class name or a subscripted type after `name:`; under a password name only the subscripted form or a
    class name inside a signature (`password: CorrectHorse` in YAML may be the password)."""
    if _TYPE_EXPR.fullmatch(value) is None and _CLASS_NAME.fullmatch(value) is None:
        return _CREDENTIAL_TYPE.fullmatch(value) is not None and _names_a_credential(value)
    if sensitivity != "password" or "[" in value or _SIGNATURE_AFTER.match(after) is not None:
        return True
    return _names_a_credential(value)


def _names_a_credential(value: str) -> bool:
    """A class named for a credential is its type (`client_secret: SessionClientSecret`, `credentials:
    SignInWithSSOCredentials`, `key: Ed25519PrivateKey`): its last word says so. A password of capitalised
    words does not end in one, and a drawn token does so about once in 10^5."""
    words = split_words(value)
    return len(words) >= 2 and words[-1] in _CREDENTIAL_WORDS


def _one_word(value: str) -> bool:
    """`required`, `The`, `Available`, `HTTP`: one word in one case pattern (not `hUnTer`)."""
    return value.islower() or value.isupper() or (value[0].isupper() and value[1:].islower())


def _call_like(value: str, after: str) -> bool:
    """Code, not a literal: `foo(hey)you`, `getenv(` (a quote follows), `quote(self.password, "x")` (closed
    later on the line), `(url.username`, `bytes):` (a call or signature closing). A password's symbols
    (`x)p${e]no(b`) open no call that closes, and close none that was opened before them.
    """
    if value[0] == "(":
        return True
    i = value.find("(")
    if i >= 0:
        return value.find(")", i) > 0 or i == len(value) - 1 or ")" in after
    return ")" in value and _CLOSING.search(value) is not None


def _object_ref(value: str) -> bool:
    """_OBJECT_REF.match(value); both of its forms need a bracket or a dot, so most values skip the regex."""
    if "." not in value and "{" not in value and "(" not in value and "[" not in value:
        return False
    return _OBJECT_REF.match(value) is not None


def _class_named(value: str) -> bool:
    """For a value _object_ref matched: a class name (a word, camel case or a dotted path) opens it.

    `Token{a64f`, `HashMap[size=2` are object reprs; `eeDIMc[qy9w...` is a password's letters.
    """
    m = _OBJECT_REF.match(value)
    head = m.group("head") if m is not None else None
    if head is None or "." in head:
        return True
    # a word or snake/camel-case words (`q63{` is a password's characters, not a class)
    return (head.isalpha() or "_" in head) and is_structured_id(head)


def value_kind(ident: str, sensitivity: str) -> str:
    """Placeholder kind for a value found under a sensitive name."""
    low = ident.lower()
    if sensitivity == "password":
        return "SECRET" if "secret" in low else "PASSWORD"
    if "token" in low or "auth" in low or "bearer" in low:
        return "TOKEN"
    if "key" in low:
        return "API_KEY"
    return "SECRET"


def _strip_tail(value: str, start: int) -> tuple[str, int, int]:
    """Drop unbalanced closing brackets and a sentence-final dot or colon from an unquoted value
    (`token=<value>: 401 Unauthorized`)."""
    end = start + len(value)
    while (
        value
        and value[-1] in ")]}.:"
        and (
            value[-1] in ".:"
            or value.count(value[-1]) > value.count({")": "(", "]": "[", "}": "{"}[value[-1]])
        )
    ):
        value = value[:-1]
        end -= 1
    return value, start, end


# every keyword in one scan (a trie alternation): one C-level pass per text instead of one per keyword
_KEYWORD_RX = re.compile(trie_regex(frozenset(KEYWORDS)))
_LEFT_REACH = 80  # how far back a name may start before its keyword


class _Name(NamedTuple):
    ident: str  # the name without leading/trailing dots and dashes
    sens: str  # keys.classify(ident)
    signature: bool  # ends like a signature: a credential only in a signed-URL query
    end: int  # length of the raw run without trailing dots and dashes: where the operator search starts
    flag: bool  # `--name`, or `-name` (a flag when a space precedes it)
    double_dash: bool
    generic: bool  # ends in `api`/`access` (gitleaks' generic identifiers): read only before an operator


def _ident_of(raw: str) -> str:
    """A run of name characters without its leading and trailing dots and dashes (`--password` -> `password`)."""
    return raw.lstrip("-.").rstrip(".-")


def _name(raw: str) -> _Name | None:
    """What the scanner needs to know about a run of name characters; None: not a sensitive name."""
    ident = _ident_of(raw)
    if not ident:
        return None
    if raw.startswith("-D") and len(ident) > 2 and ident[1].islower():
        ident = ident[1:]  # a JVM system property, `-Dsonar.login=...`: the name is what follows -D
    sens = classify(ident)
    if sens is None:
        return None
    return _Name(
        ident,
        sens,
        ident.lower().endswith(("signature", "sig")),
        len(raw.rstrip(".-")),
        raw.startswith("-") and len(ident) > 1,
        raw.startswith("--"),
        components(ident)[-1] in _GENERIC_LAST and _SETTERS.isdisjoint(components(ident)[:-1]),
    )


# names repeat: a text uses a few dozen distinct ones (kept when classify split the name as one)
_name = names_only_cache(_name, _ident_of)


def assignment_spans(text: str, lower: str) -> Iterator[Span]:
    """`name <op> value` where the name announces a secret (see keys.classify)."""
    search = _KEYWORD_RX.search
    m = search(lower)
    if m is None:
        return
    ident_run = _IDENT_RUN.match
    n = len(text)
    # values found so far, each as start * width + end: ints sort as the (start, end) pairs do (0 <= end <
    # width) and compare several times faster than tuples in bisect (one lookup per keyword)
    covered: list[int] = []
    width = n + 1
    # The name's left end is a forward match in the reversed text (made once, on the first hit):
    # text[i - 80 : i] reversed is rtext[n - i : n - i + 80], so no slice is copied and reversed per hit.
    rtext = text[::-1]
    while m is not None:
        # one keyword per run of name characters: the run is the name whichever keyword is found in it
        # (`apikey` holds `api` and `key`), so the next search starts where the run ends
        i = m.start()
        right = ident_run(text, m.end()).end()
        m = search(lower, right)
        r = n - i
        left = i - (ident_run(rtext, r, r + _LEFT_REACH).end() - r)
        if left < i and left and text[left - 1] == "\\" and text[left] in "ntr":
            # `\\napiKey=...` in a JSON-encoded log: the `n` of an escaped break is no part of the name
            left += 1
        if covered:
            j = bisect.bisect_right(covered, left * width + n)  # the last value starting at or before left
            if j and right < covered[j - 1] % width:
                # a keyword inside a value already found is part of that value, not a new name; a name that
                # ends where such a value ends (`Bearer x&-client_secret value=...`) still has its own value
                continue
        name = _name(text[left:right])
        if name is None:
            continue
        if left >= 4 and text.startswith("--- PASS:", left - 4):
            continue  # Go's test verdict (`--- PASS: TestParseConfig (0.00s)`), not a password
        if name.signature and (left == 0 or text[left - 1] not in "?&") and not _aws4_header(text, left):
            continue  # signatures are credentials in signed-URL queries and AWS4 headers; elsewhere data
        if name.generic and not _operator_next(text, left + name.end):
            continue  # `self.api.get(`, `api)`: `api` is a common word in code; only `api = ...` forms are read
        is_flag = name.double_dash or (name.flag and left > 0 and text[left - 1] == " ")
        span = _value_after(text, name.ident, name.sens, left + name.end, left, is_flag)
        if span is not None:
            bisect.insort(covered, span[0] * width + span[1])
            yield span


def _operator_next(text: str, pos: int) -> bool:
    """An operator, a closing quote or a table bar follows pos, after blanks: `api = `, `"api": `, `X-API ?=`."""
    n = len(text)
    while pos < n and text[pos] in " \t":
        pos += 1
    return pos < n and text[pos] in "=:\"'\\,?+|"


def _aws4_header(text: str, left: int) -> bool:
    """`Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=<hex>`."""
    return (
        left >= 2
        and text[left - 2 : left] == ", "
        and text.rfind("SignedHeaders=", max(0, left - 600), left) >= 0
    )


_VENDOR_TAIL = r"[ \t]*[\"']?(?P<v>[A-Za-z0-9][\w\-+/=.]{19,512})"
_VENDOR_VALUE = re.compile("[:=]" + _VENDOR_TAIL)
# The same pattern split by its first character: a single-literal start is scanned much faster by the
# regex engine than a character class (see _vendor_values).
_VENDOR_COLON = re.compile(":" + _VENDOR_TAIL)
_VENDOR_EQUALS = re.compile("=" + _VENDOR_TAIL)


def _vendor_values(text: str) -> Iterator[re.Match[str]]:
    """Exactly `_VENDOR_VALUE.finditer(text)`, from the two literal-led patterns.

    A `:` never lies inside a match (values exclude it), so the `:` matches are found by their own
    scan; an `=` can, so `=` matches are searched again from the end of each match taken.
    """
    colons = _VENDOR_COLON.finditer(text)
    mc = next(colons, None)
    me = _VENDOR_EQUALS.search(text)  # None: no `=` match left anywhere after pos
    pos = 0
    while mc is not None or me is not None:
        if me is not None and me.start() < pos:
            me = _VENDOR_EQUALS.search(text, pos)  # it began inside the match just taken
            continue
        if me is None or (mc is not None and mc.start() < me.start()):
            m, mc = mc, next(colons, None)
        else:
            m, me = me, _VENDOR_EQUALS.search(text, me.end())
        yield m  # type: ignore[misc]
        pos = m.end()  # type: ignore[union-attr]


_WORD_BEFORE = re.compile(r"([A-Za-z]{3,16})[\"']?[ \t]*(?:bot[ \t]*)?$")
# A gate before _WORD_BEFORE: the same pattern with the word spelled as a service name, matched on the
# lower-cased text. A value whose key is a service name always passes (names are ASCII letters, the rest
# is the same pattern); most values (`AWSToken := ...`, `fastly_TOKEN = ...`) do not, and skip the word
# extraction. It is read backwards, as one anchored match in the reversed text instead of a search that
# tries every start in the window: `$` (the window's end, or before a newline ending it) becomes a
# leading optional newline. Forwards it reads
#   (?:<service names>)["']?[ \t]*(?:bot[ \t]*)?$
_VENDOR_BEFORE_REV = re.compile(
    r"\n?(?:[ \t]*tob)?[ \t]*[\"']?" + trie_regex(frozenset(name[::-1] for name in VENDORS))
)


def vendor_spans(text: str, lower: str) -> Iterator[Span]:
    """`sourcegraph: <40 hex>`: a service's bare name as the key; only strongly random values count."""
    n = len(lower)
    rlower = ""  # lower reversed, made at the first candidate
    for m in _vendor_values(text):
        end = m.start()
        lo = max(0, end - 24)
        if not rlower:
            rlower = lower[::-1]
        # lower[lo:end] reversed is rlower[n - end : n - lo]
        if _VENDOR_BEFORE_REV.match(rlower, n - end, n - lo) is None:
            continue  # no service name right before the operator
        w = _WORD_BEFORE.search(text, lo, m.start())
        if w is None or w.group(1).lower() not in VENDORS:
            continue
        if w.start() > 0 and text[w.start() - 1] in "_.-":
            continue
        val = m.group("v").rstrip(".")
        if looks_random(val, min_len=20, min_entropy=3.5):
            yield m.start("v"), m.start("v") + len(val), "API_KEY"


def _value_after(text: str, ident: str, sens: str, pos: int, left: int, is_flag: bool) -> Span | None:
    """The secret value after a sensitive name, if any (at most one per name)."""
    before = text[left - 1] if left else ""
    if before == ":" and _inside_arn(text, left):
        # `arn:aws:secretsmanager:...:secret:prod/db-AbCdEf`: a resource name, not `secret: value`
        return None
    if ident[0] == "_" and ident.lower() in ("_auth", "_authtoken"):
        return None  # npm's config keys: read only in the registry-scoped form (`//host/:_authToken=`, other_spans)
    if before == "{" and left >= 2 and text[left - 2] == "$":
        # `${DB_PASSWORD}` is a reference; its default after `:-`/`:=` (`${DB_PASSWORD:-s3cr3t}`) is a literal
        # that runs whenever the variable is unset: a hard-coded credential when it holds a real value
        # (a plain word, `${DB_PASSWORD:-postgres}`, is a development default and stays)
        d = _SHELL_DEFAULT.match(text, pos)
        if d is not None and sens != "weak":
            v = d.group("v")
            if (len(v) >= 8 and _password_like(v)) and _value_is_secret(
                v, sens, op="default", quoted=True, after=""
            ):
                return d.start("v"), d.end("v"), value_kind(ident, sens)
        return None
    if before == ">" and text.startswith("</key>", pos) and text[left - 5 : left] == "<key>":
        pl = _PLIST_VALUE.match(text, pos)
        if pl is not None and _value_is_secret(pl.group("v"), sens, op="xml", quoted=True, after=""):
            return pl.start("v"), pl.end("v"), value_kind(ident, sens)
        return None
    if (
        before in ("'", '"')
        and text.startswith(before + ">", pos)
        and text[left - 6 : left - 1] in _ELEMENT_NAMED
    ):
        # `<entry key="db.password">value</entry>` (Java's XML properties), `<entry name="token">value<`
        return _xml_value(text, ident, sens, pos + 1)
    if before == "<" and pos < len(text) and text[pos] == ">":
        return _xml_value(text, ident, sens, pos, "</" + text[left:pos] + ">")
    if before == "$" and left >= 2 and text[left - 2] == "<" and pos < len(text) and text[pos] == ">":
        return _xml_value(text, ident, sens, pos, "</$" + text[left:pos] + ">")  # `<$DB_PASSWORD>` templates
    if before in ("'", '"', " ") and _after_name_key(text, left):
        # `- name: STRIPE_SECRET` / `value: ...` (Kubernetes env), `{"name": "API_TOKEN", "value": "..."}`
        nv = _NAME_VALUE.match(text, pos)
        if nv is not None:
            g = "v" if nv.group("v") is not None else "v2" if nv.group("v2") is not None else "v3"
            if _value_is_secret(nv.group(g), sens, op="name", quoted=True, after=""):
                return nv.start(g), nv.end(g), value_kind(ident, sens)
            return None
    if sens == "weak" and "[" in text:
        sens = _section_sensitivity(text, left)
    m = _OPVAL.match(text, pos)
    if m is None:
        return _other_value(text, ident, sens, pos, left, is_flag)
    return _value_after_op(text, ident, sens, m, left)


_ESCAPED_BREAKS = ("\\n", "\\t", "\\r")


def _inside_arn(text: str, left: int) -> bool:
    """The name at left (after a `:`) is a field of an `arn:` resource name (no blank between them)."""
    k = text.rfind("arn:", max(0, left - 200), left)
    if k < 0 or any(c.isspace() for c in text[k:left]):
        return False
    # `\narn:...` in a JSON-encoded log: the `n` of an escaped break is not part of a word before `arn:`
    return k == 0 or not text[k - 1].isalnum() or text[k - 2 : k] in _ESCAPED_BREAKS


def _after_name_key(text: str, left: int) -> bool:
    """The name at left is the value of a `name` key: `name: X`, `"name": "X"`, `'name':'X'`."""
    k = left
    if text[k - 1] in "\"'":
        k -= 1
    while k > 0 and text[k - 1] in " \t":
        k -= 1
    if k < 5 or text[k - 1] != ":":
        return False
    k -= 1
    if text[k - 1] in "\"'":
        k -= 1
    # (`Name`: CloudFormation, ECS and SSM write the pair capitalised)
    return text[k - 4 : k].lower() == "name" and (k == 4 or not text[k - 5].isalnum())


def _xml_value(text: str, ident: str, sens: str, pos: int, close: str = "") -> Span | None:
    """The text of an element named for a secret, from its `>` at pos.

    With the element's own closing tag known (`</db_password>`), the text runs up to it: a password may hold
    `<` (`Lc1?x<2<y`); without it, up to the next `<`."""
    if close:
        k = text.find(close, pos + 1, pos + 320)
        if k > 0:
            raw = text[pos + 1 : k]
            v = raw.strip()
            if (
                v
                and "\n" not in v
                and "<" in v
                and _value_is_secret(v, sens, op="xml", quoted=True, after="")
            ):
                start = pos + 1 + (len(raw) - len(raw.lstrip()))
                return start, start + len(v), value_kind(ident, sens)
    m = _XMLVAL.match(text, pos)
    if m:
        v = m.group("uv").strip()
        if _value_is_secret(v, sens, op="xml", quoted=True, after=""):
            return m.start("uv"), m.start("uv") + len(v), value_kind(ident, sens)
    return None


def _value_after_op(text: str, ident: str, sens: str, m: re.Match[str], left: int) -> Span | None:
    """The value _OPVAL read after a name (and its operator)."""
    op, kq, qv, vq, uv = m.group("op", "kq", "qv", "vq", "uv")
    pos = m.start()
    if op == "==":
        c = _COMPARE.match(text, pos)  # `===`: _OPVAL read `==` then a value `=`
        if c is not None:
            return _compared(text, ident, sens, c)
    elif uv and uv[0] == "|":
        # `name: |`: the value is the indented block on the next lines
        b = _BLOCK_HEAD.match(text, pos)
        if b is not None:
            return _block_value(text, ident, sens, b.end(), left)
    quoted = qv is not None
    check = sens
    if op == ",":
        # `setProperty("X_TOKEN", "v")`: quoted name and value; `` `token`, `secret` `` is a list in prose
        if not (quoted and kq and kq[-1] != "`" and vq[-1] != "`"):
            return _csv_value(text, ident, sens, m, left)
        if is_structured_id(qv):
            return None  # `('scheme', 'user', 'password', 'host')`, `Literal["password", "otp"]`: a list of words
    elif (op == "==" or op == "||" or op == "??" or op == "<-") and not quoted:
        # (`<-`: R's assignment takes a literal, `password <- "x"`; Go's `token <- ch` sends a variable)
        # `password == confirm`: a comparison with a variable; `process.env.API_KEY || fallback`: another name
        # (a quoted fallback, `|| "..."`, is a literal default and is read)
        return None
    if not quoted and text[pos : m.start("op")].strip(" \t\"'`\\[]") not in ("", "value"):
        # a type word before the operator (`var token string = "x"`) is read only with a literal:
        # `#password user=app` is a fragment then another pair (`password value = x` is a value)
        return None
    v, start = (qv, m.start("qv")) if quoted else (uv, m.start("uv"))
    if not quoted and v[0] == "{":
        # `"spring.datasource.password": {"value": "..", "origin": ..}` (Spring Boot's /actuator/env):
        # the named property's value sits one object down
        nv = _NESTED_VALUE.match(text, start)
        if nv is not None and _value_is_secret(nv.group("qv"), sens, op=":", quoted=True, after=""):
            return nv.start("qv"), nv.end("qv"), value_kind(ident, sens)
        return None
    if not quoted and "@" in v and is_placeholder(v[: v.index("@")]):
        return None  # `x-access-token:***REDACTED***@github.com/...`: a masked URL password, then the host
    if v.startswith("AWS4-HMAC-SHA256"):
        return None  # the algorithm of an AWS4 header: its Credential= and Signature= are found by name
    sm = _SCHEME.match(v)
    if sm and len(v) > sm.end():
        if v[0] in "dD" and v[:6].lower() == "digest":
            return _digest_response(text, start + sm.end())
        v, start = v[sm.end() :], start + sm.end()
    elif not quoted and v.lower() == "digest":
        return _digest_response(text, m.end())
    elif not quoted and op == ":" and v[0] == "!" and v[1:].isalpha():
        # a YAML local tag: `password: !vault |` (the vault body below is found by its header), CloudFormation's
        # `!Ref DbPassword`, `!Sub ...`: the tag is not the value, and what follows it is a reference or a vault
        return None
    elif not quoted and (v.lower() in ("bearer", "basic", "token", "api-token", "bot") or v.startswith("!!")):
        # unquoted scheme then the credential: `Authorization: Bearer abc`; a YAML tag: `password: !!str x`
        sm2 = _SCHEME_VALUE.match(text, m.end())
        if not sm2:
            return None
        v, start = sm2.group(1), sm2.start(1)
    elif _scheme_word(v, ident, quoted):
        # any other scheme of an Authorization header (`SharedKey acct:sig`, `Splunk <uuid>`, `NTLM <b64>`,
        # `ApiKey <b64>`): the credential follows the scheme word
        if quoted:
            k = v.index(" ")
            v, start = v[k + 1 :], start + k + 1
        else:
            sm2 = _SCHEME_VALUE.match(text, m.end())
            if sm2:
                v, start = sm2.group(1), sm2.start(1)
                if _AUTH_PARAMS.match(text, start):
                    return None  # `OAuth oauth_token="..", oauth_signature=".."`: each parameter is read by its name
    if not quoted:
        v, start, _ = _strip_tail(v, start)
    end = start + len(v)
    eol = text.find("\n", end, end + 80)
    after = text[end : eol if eol >= 0 else end + 80]  # the rest of the line, bounded
    if (
        sens == "secret"
        and op == ":"
        and quoted
        and kq == '"'
        and vq == '"'
        and not _counting(v)
        and components(ident)[-1] not in _GENERIC_LAST
        # a value opening with a vendor's prefix that its format rejected (`"token": "xoxp-1234567890"`) is a
        # stub: it must look generated like any other
        and not _vendor_headed(v)
    ):
        # a JSON member `"token": "..."`: structured payloads give up the value whole, whatever it looks like
        check = "password"
    elif sens == "secret" and quoted and " " in v and not _PASSWORD_PARTS.isdisjoint(components(ident)):
        # `password_super_secure = "a pass phrase"`: a quoted phrase under a name built on `password` is read
        # as a password (a message about one is still caught by the password test)
        check = "password"
    elif sens == "secret" and _HEX_KEY.fullmatch(v) and _secret_key_name(components(ident)):
        # `secret_access_key = <48 hex>` (IBM COS HMAC keys), `secret_key = <64 hex>`: a key-length hex run under
        # a secret key's own name is the key, however regular it looks (`1234567890abcdef` repeated in tests)
        check = "password"
    if not quoted and after.startswith(":`"):
        return None  # `pass :data:`h11.CLIENT``: a reStructuredText role in prose, not `pass: data`
    if v.isidentifier() and _names_tail(v, ident):
        # `pass=pass`, `self._secret_value = value`: a variable named after the field; quoted, a name mapping
        # (`CHALLENGE_PASSWORD: "challengePassword"`)
        return None
    if not quoted and op == "=" and _tuple_target(text, left):
        return None  # `username, password = auth`: unpacking in code, the value is a variable
    if _value_is_secret(v, check, op=op, quoted=quoted, after=after):
        return start, start + len(v), value_kind(ident, sens)
    return None


def _scheme_word(v: str, ident: str, quoted: bool) -> bool:
    """`SharedKey` in `Authorization: SharedKey acct:sig`: a word of letters (and `-`) opening an
    Authorization header's value; quoted, the whole `"<scheme> <credential>"` with one blank."""
    if components(ident)[-1:] != ("authorization",):
        return False
    if quoted:
        word, blank, rest = v.partition(" ")
        return (
            bool(blank)
            and bool(rest)
            and " " not in rest
            and 2 <= len(word) <= 24
            and word.replace("-", "").isalpha()
        )
    return 2 <= len(v) <= 24 and v.replace("-", "").isalpha()


def _secret_key_name(parts: tuple[str, ...]) -> bool:
    """`secret_key`, `secret_access_key`, `COS_HMAC_SECRET_ACCESS_KEY`: a key named a secret one."""
    return bool(parts) and parts[-1] == "key" and "secret" in parts[-3:-1]


def _vendor_headed(v: str) -> bool:
    """The value opens with a vendor format's 4-character prefix (`xoxp`, `ghp_`, `AKIA`, `sk-p`); shorter
    heads (`AC`, `SK`, `pat`) also open ordinary words."""
    m = TRIGGER_AT_START.match(v)
    return m is not None and m.end() >= 4


def _digest_response(text: str, pos: int) -> Span | None:
    """HTTP Digest credentials from pos: `response="<hex>"` is the password hashed with the nonce (replayable
    while the nonce lives); username, realm, nonce and uri are not secrets."""
    d = _DIGEST_RESPONSE.match(text, pos)
    return (d.start("v"), d.end("v"), "TOKEN") if d is not None else None


def _tuple_target(text: str, left: int) -> bool:
    """The name at left is the second of a statement's unpacking targets: `username, password = ...`."""
    if left < 3 or text[left - 2 : left] != ", ":
        return False
    j = left - 2
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] == "_"):
        j -= 1
    if j == left - 2:
        return False
    return not text[_line_start(text, j) : j].strip()  # the first target starts its line


def _names_tail(v: str, ident: str) -> bool:
    """The value's words end the name's words: `pass=pass`, `new_password = password`, `_secret_value = value`."""
    ci = components(ident)
    if not ci:
        return False
    # the last word of both ends in the same letter: most values fail here, before they are split into words
    k = len(v)
    while k and not v[k - 1].isalnum():
        k -= 1
    if not k or (v[k - 1].isascii() and v[k - 1].lower() != ci[-1][-1]):
        return False
    cv = split_words(v)
    return bool(cv) and len(cv) <= len(ci) and ci[-len(cv) :] == cv


def _counting(v: str) -> bool:
    """is_sequential, asked only of values whose first two characters count up (most values' do not)."""
    return len(v) > 1 and ord(v[1]) - ord(v[0]) == 1 and is_sequential(v)


def _declared(text: str, pos: int, left: int) -> bool:
    """`std::string secret("...")`: a type, a blank, the name, a parenthesis (a C++ constructor argument).

    A plain call (`_encode_auth('user:pw')`, `getSecret("name")`, `assert check_secret("x")`) passes input to
    a function: not taken.
    """
    if not text.startswith("(", pos) or left < 2 or text[left - 1] != " ":
        return False
    k = left - 1
    while k > max(0, left - 40) and (text[k - 1].isalnum() or text[k - 1] in "_:<>*&"):
        k -= 1
    word = text[k : left - 1]
    return bool(word) and word not in _NOT_TYPES and (word[-1].isalnum() or word[-1] in "_>*&")


def _compared(text: str, ident: str, sens: str, c: re.Match[str]) -> Span | None:
    v = c.group("qv")
    if _value_is_secret(v, "secret" if sens == "weak" else sens, op="==", quoted=True, after=""):
        return c.start("qv"), c.end("qv"), value_kind(ident, sens)
    return None


_TABLE_ROW_VALUE = re.compile(r"(?P<v>[^\s=:]\S{0,255})[ \t]*(?:\r?\n|$)")


def _other_value(text: str, ident: str, sens: str, pos: int, left: int, is_flag: bool) -> Span | None:
    """A name that _OPVAL found no `<op> value` after: the less common forms, chosen by the next character.

    Most such names are words in prose (`the token is expired`): their next character rules every form out.
    """
    n = len(text)
    j = pos
    while j < n and text[j] in " \t":
        j += 1
    ch = text[j] if j < n else ""
    if (j - pos >= 2 or "\t" in text[pos:j]) and ident.lower() != "pass":
        # a table row (`vault kv get`, `printenv | column -t`): the name opens its line, then a column gap
        # and one value to the end of the line (`password    s3cr3t`); prose has single blanks. (A bare
        # `PASS` heads test runners' verdict lines, ` PASS  src/api.spec.ts`, not password columns)
        row = _TABLE_ROW_VALUE.match(text, j)
        if row is not None and not text[text.rfind("\n", 0, left) + 1 : left].strip():
            v = row.group("v")
            if _value_is_secret(v, sens, op="table", quoted=False, after=""):
                return row.start("v"), row.end("v"), value_kind(ident, sens)
            return None
    if ch == "[" and j == pos:
        # `char secret[25] = "..."`: an array size between the name and the operator
        k = text.find("]", pos, pos + 8)
        if k > pos + 1 and text[pos + 1 : k].isdigit():
            m = _OPVAL.match(text, k + 1)
            if m is not None:
                return _value_after_op(text, ident, sens, m, left)
        return None
    if (ch == "=" or ch == ":") and j == pos and text[j + 1 : j + 2] in _ODD_FIRST:
        return _odd_first_value(text, ident, sens, j + 1)
    if ch == "!" or ch == "=":
        c = _COMPARE.match(text, pos)  # `password != "x"`, `apiKey === 'x'`
        return _compared(text, ident, sens, c) if c is not None else None
    if ch in ":\"'`\\":
        b = _BLOCK_HEAD.match(text, pos)  # `name: >` (`>` cannot start a value _OPVAL reads)
        if b is not None:
            return _block_value(text, ident, sens, b.end(), left)
        if ch in "\"'":
            q = _QUOTED_STATEMENT.match(text, pos)
            if q is not None:
                # `private_key "value";` takes the name's own test; a quoted literal ending a line after a
                # bare name (`password 'x'`) must also look generated
                check = ("secret" if sens == "weak" else sens) if q.group("semi") else "secret"
                v = q.group("qv")
                if _value_is_secret(v, check, op="", quoted=True, after=""):
                    return q.start("qv"), q.end("qv"), value_kind(ident, sens)
                return None
    if ch == "-" and j > pos:
        tool = _TOOL_PASSWORD_ARG.get(ident.lower())
        t = tool.match(text, pos) if tool is not None else None
        g = "qv" if t is not None and t.groupdict().get("qv") else "v"
        if t is not None and _value_is_secret(t.group(g), "password", op="arg", quoted=g == "qv", after=""):
            return t.start(g), t.end(g), "PASSWORD"
        if t is not None or tool is not None:
            return None
    if is_flag:
        fm = _FLAGVAL.match(text, pos)
        if fm:
            quoted = fm.group("qv") is not None
            v = fm.group("qv") if quoted else fm.group("uv")
            g = "qv" if quoted else "uv"
            if _value_is_secret(v, sens, op="flag", quoted=quoted, after=text[fm.end() : fm.end() + 12]):
                return fm.start(g), fm.end(g), value_kind(ident, sens)
        return None
    if ch == "(" and j == pos and not _SETTERS.isdisjoint(components(ident)[:-1]):
        # `setPassword("x")`, `with_api_key('x')`: a setter's literal argument is the value it sets
        c = _CALL_LITERAL.match(text, pos)
        check = "secret" if sens == "weak" else sens
        if c is not None and _value_is_secret(c.group("qv"), check, op="(", quoted=True, after=""):
            return c.start("qv"), c.end("qv"), value_kind(ident, sens)
        return None
    if ch == "|" and left >= 2 and text[left - 2 : left] == "| ":
        # a Markdown table row `| API_TOKEN | <value> |`: only a generated value (docs tables hold types)
        t = _TABLE_CELL.match(text, j)
        if t is not None and _value_is_secret(t.group("v"), "secret", op="|", quoted=True, after=""):
            return t.start("v"), t.end("v"), value_kind(ident, sens)
        return None
    if ch == "(" and j == pos and _declared(text, pos, left):
        c = _CALL_LITERAL.match(text, pos)
        if c is not None and _value_is_secret(c.group("qv"), "secret", op="(", quoted=True, after=""):
            return c.start("qv"), c.end("qv"), value_kind(ident, sens)
        return None
    if left >= 4 and text[left - 1] in " \t=":
        k = left
        while k > 0 and text[k - 1] in " \t":
            k -= 1
        if k and text[k - 1] in "=VxX":  # `... == name`, `... != name`, `ENV name`, `setx name`
            found = _statement_value(text, ident, sens, pos, left)
            if found is not None:
                return found
    if j == pos + 1 and text[pos] == " " and sens != "weak" and ch.isalnum():
        return _message_value(text, ident, sens, j)
    return None


# `AuthError: rejected token <value>`, `invalid password <value> for user`: an exception message that
# names the credential, then prints it after a blank; only a value no word or identifier looks like
_LOWER_RUN = re.compile(r"[a-z]+")
_MESSAGE_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9+/_\-=.!#%*@$^&~?]{9,511}(?=[\s\"'`),;\]]|$)")


def _message_value(text: str, ident: str, sens: str, at: int) -> Span | None:
    m = _MESSAGE_VALUE.match(text, at)
    if m is None:
        return None
    v = m.group().rstrip(".")
    if "=" in v.rstrip("=") or _is_path(v):
        return None  # `token file=/etc/app/tok`, `pw app.keystore=env/cert.p12`: a setting or a path follows
    if char_classes(v) < 3 and not (len(v) >= 32 and _HEX_KEY.fullmatch(v.lower()) and not v.isdigit()):
        return None  # a word, a number, a version; a hex value only at key length (`<hex40>`)
    # an identifier (`ClientV2Builder`, `Passw0rdPolicy`) has no lone lower-case letter: a random draw almost
    # always does (`vng6qDfz...`); a typed password then needs a symbol (`Maple608$Agg`)
    word_like = all(len(r) >= 2 for r in _LOWER_RUN.findall(v))
    if sens == "password":
        typed = (
            any(c.isdigit() for c in v)
            and not v.strip("_-.").replace("_", "").replace("-", "").replace(".", "").isalnum()
        )
        ok = len(v) >= 10 and (not word_like or typed) and looks_random(v, min_len=10, min_entropy=3.0)
    else:
        ok = not word_like and looks_random(v, min_len=20, min_entropy=3.5) and not _is_path(v)
    return (at, at + len(v), value_kind(ident, sens)) if ok else None


# `Password=;x7Gq...;`, `password=<Tz9...`, `pwd=&Kq2...`: an unquoted generated password may open with a character that
# _OPVAL reads as a separator or a placeholder's bracket; read on when what follows is not another `name=`
_ODD_FIRST = frozenset(";,<&")
_ODD_VALUE = re.compile(r"""[;,<&](?:[^\s"'`\\<>;&,]|[;&,](?![\w.\-\[\]]{1,64}=|\s|$)){5,255}""")
_NEXT_PAIR = re.compile(r"[\w.\-\[\]]{1,64}=")


def _odd_first_value(text: str, ident: str, sens: str, at: int) -> Span | None:
    m = _ODD_VALUE.match(text, at)
    if m is None or _NEXT_PAIR.match(text, at + 1):
        return None  # `Password=;Database=app`: an empty password, then the next pair
    if text[at] == "<" and text[m.end() : m.end() + 1] == ">":
        return None  # `<db-password>`: a placeholder
    v = m.group()
    if _value_is_secret(v, sens, op="=", quoted=False, after=text[m.end() : m.end() + 12]):
        return m.start(), m.end(), value_kind(ident, sens)
    return None


# how far back the start of a name's line is looked for (a bound for one-line megabyte texts)
_LINE_REACH = 256
_SECTION_REACH = 4096  # how far back an INI section header is looked for


def _line_start(text: str, left: int) -> int:
    """Start of the line holding text[left] (or _LINE_REACH before it, on a very long line)."""
    lo = max(0, left - _LINE_REACH)
    return text.rfind("\n", lo, left) + 1 or lo


def _section_sensitivity(text: str, left: int) -> str:
    """A bare `key` under an INI section named for credentials (`[auth]`, `[api]`) names one."""
    if left and text[left - 1] not in "\n \t":
        return "weak"
    line_start = _line_start(text, left)
    if text[line_start:left].strip() or (line_start and text[line_start - 1] != "\n"):
        return "weak"  # the name is not the first thing on its line: not an INI entry
    hdr = text.rfind("\n[", max(0, line_start - _SECTION_REACH), line_start)
    hdr = hdr + 1 if hdr >= 0 else (0 if text.startswith("[") else -1)
    if hdr < 0 or SEP_CHAR in text[hdr:line_start]:
        return "weak"
    eol = text.find("\n", hdr, line_start)
    m = _SECTION.match(text, hdr, eol if eol >= 0 else line_start)  # the header line alone
    if m is None:
        return "weak"
    name = m.group(1)
    if classify(name) in ("password", "secret") or any(p in _SECRET_SECTIONS for p in components(name)):
        return "secret"
    return "weak"


def _block_value(text: str, ident: str, sens: str, start: int, left: int) -> Span | None:
    """The content of a YAML block scalar (`name: |` then indented lines) if it is one secret.

    The content must be indented deeper than the name's line and hold no blank inside a line (prose,
    commands and lists are not single values); lines of one wrapped value are taken together.
    """
    line_start = _line_start(text, left)
    key_indent = left - line_start  # the name's column (list dashes and quotes before it count as indent)
    n = len(text)
    i, indent = start, -1
    first = last = -1
    parts: list[str] = []
    while i < n and len(parts) < 64:
        j = text.find("\n", i)
        if j < 0:
            j = n
        line = text[i:j].rstrip("\r \t")
        body = line.lstrip(" \t")
        if not body:
            if parts:
                break
            i = j + 1
            continue
        ind = len(line) - len(body)
        if indent < 0:
            if ind <= key_indent:
                return None
            indent = ind
        elif ind < indent:
            break
        if SEP_CHAR in body or " " in body or "\t" in body:
            return None
        if first < 0:
            first = i + ind
        last = i + len(line)
        parts.append(body)
        i = j + 1
    if not parts:
        return None
    v = "".join(parts)
    check = "secret" if len(parts) > 1 and sens == "password" else sens
    # read as unquoted: a block holding `os.environ["X"]` or `config.token` is a reference, not a literal
    if _value_is_secret(v, check, op=":", quoted=False, after=""):
        return first, last, value_kind(ident, sens)
    return None


def _csv_value(text: str, ident: str, sens: str, m: re.Match[str], left: int) -> Span | None:
    """`apiToken,<value>,`: a CSV field after a name field; only a value that looks generated counts.

    Headers and descriptions (`token,description,default`, `password,Password,text`) are words.
    """
    k = (
        left - 1 if left > 0 and text[left - 1] == "$" else left
    )  # `$DB_PASSWORD,<value>,` (a variable's name)
    if (k > 0 and text[k - 1] not in "\n\r\t,\x00") or "." in ident:
        return None  # a field starts a line or follows a comma; `self.key, default=None` is code
    if m.end("op") != (m.start("vq") if m.group("vq") else m.start("uv")):
        return None  # `key, value` with a blank: an argument list, not a CSV row
    quoted = m.group("qv") is not None
    if quoted:
        v, start = m.group("qv"), m.start("qv")
    else:
        v, start = m.group("uv").split(",", 1)[0], m.start("uv")
        v, start, _ = _strip_tail(v, start)
    if _value_is_secret(v, "secret", op=",", quoted=quoted, after="") or (
        # under a password name a short value counts when it mixes character classes (`Hd3$x9`), never a
        # word or a number (`password,Password,text` is a header row)
        sens == "password"
        and len(v) >= 6
        and _password_like(v)
        and _value_is_secret(v, "password", op=",", quoted=quoted, after="")
    ):
        return start, start + len(v), value_kind(ident, sens)
    return None


_ENV_WORDS = ("ENV", "setx", "SETX")


def _statement_value(text: str, ident: str, sens: str, pos: int, left: int) -> Span | None:
    """`ENV SECRET_KEY value` (Dockerfile), `setx API_KEY value` (Windows), `"v" == password` (reversed).

    Asked for every name followed by no operator (prose mostly): both forms are ruled out on the few
    characters before the name before anything else is looked at.
    """
    k = left
    while k > 0 and text[k - 1] in " \t":
        k -= 1
    if text[k - 2 : k] in ("==", "!="):
        # a literal compared with the name: `"value" == password`, `'value' !== apiKey`
        k -= 2
        if k > 0 and text[k - 1] in "=!":
            k -= 1
        while k > 0 and text[k - 1] in " \t":
            k -= 1
        if k == 0 or text[k - 1] not in "\"'":
            return None
        o = text.rfind(text[k - 1], max(0, k - 202), k - 1)
        if o < 0:
            return None
        v = text[o + 1 : k - 1]
        if "\n" not in v and _value_is_secret(
            v, sens if sens != "weak" else "secret", op="==", quoted=True, after=""
        ):
            return o + 1, k - 1, value_kind(ident, sens)
        return None
    if not text[max(0, k - 4) : k].endswith(_ENV_WORDS):
        return None
    if text[_line_start(text, left) : left].strip() not in _ENV_WORDS:
        return None
    sv = _SPACE_VALUE.match(text, pos)
    if sv is not None and _value_is_secret(sv.group("v"), sens, op=" ", quoted=False, after=""):
        return sv.start("v"), sv.end("v"), value_kind(ident, sens)
    return None


_NESTED_VALUE = re.compile(
    r"""\{\s*(?P<k>\\?["'])value(?P=k)[ \t]*:[ \t]*(?P<q>\\?["'])(?P<qv>[^"'\n\\]{1,400})(?P=q)"""
)
_AUTH_PARAMS = re.compile(
    r"[A-Za-z_][\w\-]{0,63}=[\"']"
)  # `k="v", ...` after a scheme (RFC 7235 auth-params)
_SCHEME_VALUE = re.compile(r"[ \t]+([^\s\"'`\\,;]{1,512})")
_BEARER_VALUE = re.compile(r"[ \t]+([A-Za-z0-9\-._~+/]{16,1024}={0,3})")
_DIGEST_RESPONSE = re.compile(r"""[^\n]{0,600}?\bresponse[ \t]*=[ \t]*"?(?P<v>[0-9a-fA-F]{32,128})\b""")
# the password half of documentation URLs (`https://user:pass@host`, `foo:bar@`)
_DOC_PASSWORDS = frozenset(["pass", "pw", "pwd", "passwd", "bar", "baz"])
_GO_DSN = re.compile(r"(?<![\w/:])[\w.\-]{1,64}:(?P<pw>[^\s@/'\"<>]{1,256})@tcp\(")
_AUTHORITY_END = re.compile(r"[\s/?#'\"<>]")
_URL_USERINFO = re.compile(r"://(?P<user>[^\s:/@'\"<>]{0,256}):(?P<pw>[^\s@/'\"<>]{1,256})@(?=[\w\[.\-])")
_CURL_USER = re.compile(
    r"-(?:u|-user)(?:[ \t]+|=)(?P<v>\"[^\"\n]{0,256}\"(?::\"[^\"\n]{0,256}\")?|'[^'\n]{0,256}'"
    # quoted inside a JSON string (`\"user:pw\"`); unquoted, a `"` ends the value (it closes a JSON string)
    r"|\\\"[^\"\\\n]{0,256}\\\"|[^\s\"]{1,512})"
)
# curl takes a short option's argument glued to it too (`curl -uadmin:pw`, `-u"svc:pw"`); read only in a
# text that names curl (elsewhere `-u` heads flags such as `-uf`, `-ul`), and, as the spaced form, only a
# `user:password` pair counts (_curl_credentials)
_CURL_USER_GLUED = _lazy(r"-u(?P<v>\"[^\"\n]{1,256}\"|'[^'\n]{1,256}'|[^\s\"'\-:][^\s\"']{0,511})")
# `(?<!\S)-u` with the look-behind after the literal `-`: a pattern that opens with a look-behind is tried at
# every position of the text, one that opens with a literal only where that character occurs
_USER_THEN_P = re.compile(r"-(?<!\S-)u[ \t]+[^\s-]\S{0,127}[ \t]+-p[ \t]+(?P<v>[^\s\"'`\-][^\s\"'`]{0,255})")
_AUTH_PAIR = _lazy(
    r"""(?:\bauth[ \t]*=[ \t]*[(\[]|(?:Basic|Digest)Auth\()[ \t]*(?P<q1>["'])[^"'\n]{0,128}(?P=q1)[ \t]*,[ \t]*"""
    r"""(?P<q2>["'])(?P<v>[^"'\n]{1,256})(?P=q2)[ \t]*[)\]]"""
)
_SHELL_DEFAULT = re.compile(r"""[ \t]*:?[-=](?P<v>[^}\s"'$`]{1,256})\}""")
_HEX_KEY = re.compile(r"[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{48}|[0-9a-fA-F]{64}")
_AZURE_KEY = _lazy(r"(?<![A-Za-z0-9+/=\-])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])")
# the same, found from its literal `==` end: a pattern that opens with a class is tried at every position
_AZURE_END = _lazy(r"==(?![A-Za-z0-9+/=])")
_NPMRC_AUTH = _lazy(
    r"(?<![/\w])//[A-Za-z0-9][\w.\-]{0,253}(?::\d{1,5})?(?:/[\w.\-~%@]{0,128}){0,16}/:_auth(?:Token)?=[ \t]?"
    r"(?P<v>[^\s\"'`]{1,1024})"
)
_REDIS_CLI_AUTH = _lazy(
    r"""(?i:redis-cli)\b[^\n\x00]{0,300}?[ \t]-a[ \t]+(?P<v>"[^"\n]{1,256}"|'[^'\n]{1,256}'|[^\s"'\-][^\s"']{0,255})"""
)
_LOGIN_P = re.compile(r"login[^\n]{0,200}?[ \t]-p[ \t]+(?P<v>[^\s\"']{1,256})")
_NETRC_PW = re.compile(r"password[ \t]+(?P<v>[^\s\"']{1,256})")
_MYSQL_P = re.compile(r"-p(?P<v>[^\s\-][^\s]{0,255})")
# OpenLDAP clients: `-w <bind password>` (`-W` prompts for it instead)
_LDAP_W = _lazy(
    r"ldap(?:search|modify|add|delete|whoami|passwd|compare|modrdn|exop|url)\b[^\n]{0,400}?[ \t]-w[ \t]*"
    r"(?:(?P<q>[\"'])(?P<qv>[^\"'\n]{1,256})(?P=q)|(?P<v>[^\s\"']{1,256}))"
)
# Samba tools: `-U [DOMAIN\\]user%password` (smbclient, rpcclient, smbcacls, net, winexe)
_SMB_USER = _lazy(
    r"(?:-U|--user(?:name)?[= ])[ \t]*[\"']?(?:[\w.\-]{1,64}[\\/]{1,2})?[\w.\-@$]{1,64}%(?P<v>[^\s\"'%][^\s\"']{0,255})"
)
# Oracle: `user/password@host` in a thin JDBC URL, an EZConnect string (`@//host:1521/svc`) or the
# logon argument of the command-line tools (`sqlplus -s scott/pw@orcl`, `expdp system/pw DIRECTORY=...`)
_ORACLE_THIN = _lazy(r":thin:[\w$#.]{1,64}/(?P<v>[^\s@/\"']{1,128})@")
_EZCONNECT = _lazy(r"[A-Za-z][\w$#.]{0,63}/(?P<v>[^\s@/\"'<>]{1,128})@//")
_ORACLE_TOOL = _lazy(
    r"(?:sqlplus|expdp|impdp|rman)(?:64)?(?:\.exe)?[ \t]+(?:-[A-Za-z]+[ \t]+)*"
    r"(?:userid=|target[ \t]*=?[ \t]*)?[\"']?[A-Za-z][\w$#.]{0,63}/(?P<v>[^\s@/\"']{1,128})(?=[@\s\"']|$)"
)
_ORACLE_TOOLS = ("sqlplus", "expdp", "impdp")  # and `rman target` (`rman` alone: "performance")
# a Secret manifest: `kind: Secret` exactly (not `SopsSecret`, `ExternalSecret`, `SecretStore`), and the
# `data:`/`stringData:` keys whose entries are the secrets (`metadata:` holds `data:` too: not at a line start)
_K8S_KIND = _lazy(r"""^[ \t\-]*["']?kind["']?:[ \t]*["']?secret["']?[ \t,]*\r?$""", re.M | re.I)
# candidates in a whole batch: a document may also end at the NUL right after its kind line
_K8S_KIND_NEAR = _lazy(
    r"""^[ \t\-]*["']?kind["']?:[ \t]*["']?secret["']?[ \t,]*\r?(?:$|(?=\x00))""", re.M | re.I
)
_K8S_DATA_KEY = _lazy(r"^([ \t]*)(data|stringData):[ \t]*(?:\#[^\n]*)?\r?$", re.M)
# one entry of the block: `name: value`, `name: 'value'`, `name: |` (a block scalar on the next lines)
_K8S_ENTRY = _lazy(
    r"""([ \t]*)([\w.\-]{1,253}):[ \t]*(?:(?P<blk>[|>][-+]?)[ \t]*|(?P<q>["']?)(?P<v>[^\s"'#]{1,8192})(?P=q))[ \t]*\r?$"""
)
_B64_VALUE = re.compile(r"[A-Za-z0-9+/]{10,8192}={0,3}")
_K8S_JSON_KIND = _lazy(r'"kind"[ \t]*:[ \t]*"secret"')  # searched in the lower-cased text
_K8S_JSON_DATA = _lazy(r'"(data|stringData)"[ \t]*:[ \t]*\{')
_K8S_JSON_MEMBER = _lazy(r'\s*"(?P<k>[\w.\-]{1,253})"[ \t]*:[ \t]*"(?P<v>[^"\\\n]{1,8192})"\s*,?')


# what docs and tests put after `-u user:` (gitleaks' curl allowlist): not a password
_CURL_DOC_PASSWORDS = frozenset(
    ["test", "token", "pass", "password", "pwd", "passwd", "changeit", "changeme"]
)


def _curl_credentials(v: str) -> bool:
    """`user:password` after curl's -u/--user is a credential: not a reference, a placeholder or a doc word.

    `"$USER:$PASS"`, `${u}:${p}` and `$(cat f)` are references; a `$` inside a password (`P@ss$1`) is not.
    An empty password (`"<token>:"`) leaves the token in the user part: it counts when it looks generated.
    """
    inner = v.replace('\\"', "").replace('"', "").replace("'", "")
    if ":" not in inner or "{{" in inner or "${" in inner or "$(" in inner:
        return False
    if inner[0] == "<" and inner[-1] == ">":
        return False  # `<user:password>`
    user, _, pw = inner.partition(":")
    if not pw:
        return len(user) >= 8 and _password_like(user) and "@" not in user
    if user.startswith("$") or pw.startswith("$") or is_placeholder(pw):
        return False
    low = pw.lower()
    if low in _CURL_DOC_PASSWORDS or low in _DOC_PASSWORDS or set(low) <= {"x"} or set(low) <= {"*"}:
        return False
    return not (len(set(pw)) == 1 and len(set(user)) <= 1)


def _command_password(v: str) -> bool:
    """A password argument of a tool read by position (`-w x`, `user%x`, `sqlplus user/x@db`): anything
    but a placeholder, a shell or SQL*Plus variable (`$PW`, `&pw`), another flag or a number."""
    return (
        len(v) >= 4
        and v[0] not in "$&%-{([<#"
        and not v.isdigit()
        and not v.startswith(_REFERENCE_HEADS)
        and not is_placeholder(v)
    )


def _password_like(v: str) -> bool:
    """A command-line argument that can only be a password: two character classes, not words, numbers or ports."""
    return (
        char_classes(v) >= 2
        and not v.replace(":", "").replace(".", "").isdigit()
        and not is_structured_id(v)
        and not is_placeholder(v)
    )


# Passwords that shell traces (`set -x`, CI logs) print as a tool's positional or flag argument; each
# behind its tool's literal (lower-case gate). Group `v` (or `qv`, quoted) is the password.
_V = r"""(?:(?P<q>["'])(?P<qv>[^"'\n]{1,256})(?P=q)|(?P<v>[^\s"'|;&]{1,256}))"""


def _echo_piped_into(commands: str) -> Any:
    """`echo [-n] x | ... <command>`: x is what the command reads from its standard input."""
    return _lazy(r"echo[ \t]+(?:-[neE]+[ \t]+)?" + _V + r"[ \t]*\|[^\n|]{0,120}?(?:" + commands + ")")


_CLI_ARGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # GitHub Actions: whatever is masked is a secret
    ("::add-mask::", _lazy(r"::add-mask::" + _V)),
    # OpenSSL pass phrases: `-passin pass:x`, `-k x`
    ("pass:", _lazy(r"-(?:pass|passin|passout|password)[ \t]+pass:" + _V)),
    ("openssl", _lazy(r"openssl[^\n]{0,200}?[ \t]-k[ \t]+" + _V)),
    # archive passwords: `zip -P x`, `7z a -px`
    ("zip", _lazy(r"(?:zip|zipcloak|unzip)[^\n]{0,120}?[ \t]-P[ \t]+" + _V)),
    ("7z", _lazy(r"7z[ar]?(?:\.exe)?[^\n]{0,120}?[ \t]-p" + _V)),
    # `htpasswd -b [-c] file user x`, `rabbitmqctl add_user user x`, `net use ... /user:dom\user x`
    (
        "htpasswd",
        _lazy(r"htpasswd(?P<flags>(?:[ \t]+-[A-Za-z]+)+)[ \t]+[^\s\-]\S*[ \t]+\S+[ \t]+" + _V),
    ),
    ("rabbitmqctl", _lazy(r"rabbitmqctl[ \t]+(?:add_user|change_password)[ \t]+\S+[ \t]+" + _V)),
    ("/user:", _lazy(r"(?i:/user):\S+[ \t]+" + _V)),
    # `echo x | docker login --password-stdin`, `echo 'x' | sudo -S ...`, `echo x | passwd --stdin bob`
    ("stdin", _echo_piped_into(r"--password-stdin(?![\w\-])|passwd[^\n|]{0,40}?--stdin(?![\w\-])")),
    ("sudo -s", _lazy(r"echo[ \t]+(?:-[neE]+[ \t]+)?" + _V + r"[ \t]*\|[ \t]*sudo[ \t]+-S")),
    # SQL Server's command-line tools take the password after a capital -P (`sqlcmd -S db -U sa -P x`)
    ("sqlcmd", _lazy(r"sqlcmd(?:\.exe)?[^\n]{0,200}?[ \t]-P[ \t]*" + _V)),
    # SQL: `CREATE USER app IDENTIFIED BY 'x'`, `ALTER USER app IDENTIFIED WITH caching_sha2_password BY 'x'`
    # (`GRANT ... TO app IDENTIFIED BY 'x'` in old MySQL); prose's "the item identified by INDEX" has no account
    (
        "identified",
        _lazy(
            r"(?i:(?:user|role|login|to)[ \t]+\S{1,256}[ \t]+identified(?:[ \t]+with[ \t]+\w+)?[ \t]+by)[ \t]+"
            + _V
        ),
    ),
    # PowerShell: `ConvertTo-SecureString "x" -AsPlainText -Force` (the plain text is the password)
    (
        "securestring",
        _lazy(
            r"(?i:convertto-securestring)[ \t]+(?:-String[ \t]+)?" + _V + r"(?=[^\n]{0,400}(?i:-AsPlainText))"
        ),
    ),
    # secret stores fed from the command line: `gh secret set NAME --body x`, `az keyvault secret set ...
    # --value x`, `echo -n x | gcloud secrets create ...` (one `secret` scan gates all three)
    (
        "secret",
        _lazy(r"(?:gh|glab)[ \t]+secret[ \t]+set[ \t]+\S+[^\n]{0,80}?[ \t](?:--body|-b)(?:[ \t]+|=)" + _V),
    ),
    ("secret", _lazy(r"keyvault[ \t]+secret[ \t]+set[^\n]{0,200}?[ \t]--value(?:[ \t]+|=)" + _V)),
    # `dotnet user-secrets set "Db:Password" "x"`: whatever is set there is a secret
    ("secret", _lazy(r"user-secrets[ \t]+set[ \t]+(?:\"[^\"\n]{1,200}\"|\S{1,200})[ \t]+" + _V)),
    (
        "secret",
        _echo_piped_into(
            r"gcloud[ \t]+secrets|kubectl[ \t]+create[ \t]+secret|docker[ \t]+secret|gh[ \t]+secret|vault[ \t]+kv"
            r"|wrangler[ \t]+secret"
        ),
    ),
    # `aws ssm put-parameter --name /db/password --value x --type SecureString`
    (
        "put-parameter",
        _lazy(r"put-parameter(?=[^\n]{0,400}SecureString)[^\n]{0,300}?[ \t]--value(?:[ \t]+|=)" + _V),
    ),
    # a here-string into a secret store: `vercel env add DB_PASSWORD production <<< 'x'`
    ("<<<", _lazy(r"(?i:secrets?|env[ \t]+add)[^\n]{0,200}?<<<[ \t]*" + _V)),
    # a `.pgpass` line printed with its file name nearby: `host:port:db:user:password`
    (
        ".pgpass",
        _lazy(r"(?m)^[^\s:#]{1,253}:(?:\d{1,5}|\*):[^\s:]{1,64}:[^\s:]{1,64}:(?P<v>\S{1,256})$"),
    ),
)


# PHP's connection calls take the password as the third literal: `new PDO('mysql:host=db', 'app', 'pw')`,
# `mysqli_connect('db', 'app', 'pw')`, `PDO->__construct(...)` in a stack trace
_DB_CONNECT_CALL = _lazy(
    r"""(?:PDO|mysqli_connect|mysql_connect|mysqli->real_connect|mysqli->__construct|new mysqli)(?:->__construct)?"""
    r"""\([ \t]*(?P<a>["'])[^"'\n]{0,256}(?P=a)[ \t]*,[ \t]*(?P<b>["'])[^"'\n]{0,128}(?P=b)[ \t]*,[ \t]*"""
    r"""(?P<q>["'])(?P<qv>[^"'\n]{1,256})(?P=q)"""
)


# the forms grouped by gate, in first-seen order: forms that share a gate cost one scan
_CLI_GATES: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = tuple(
    (gate, tuple(rx for g, rx in _CLI_ARGS if g == gate)) for gate in dict.fromkeys(g for g, _ in _CLI_ARGS)
)


def _cli_arg_spans(text: str, rx: re.Pattern[str]) -> Iterator[Span]:
    for m in rx.finditer(text):
        if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"):
            continue  # inside a longer word (`gzip`, `my7z`)
        groups = m.groupdict()
        if "b" not in groups.get("flags", "b"):
            continue  # htpasswd reads the password from the command line only with -b
        g = "qv" if groups.get("qv") is not None else "v"
        v = m.group(g)
        if v and _command_password(v) and v[0] not in "/*":
            yield m.start(g), m.end(g), "PASSWORD"


def _oracle_logons(text: str, lower: str) -> Iterator[Span]:
    if ":thin:" in lower:
        for m in _ORACLE_THIN.finditer(lower):
            if _command_password(text[m.start("v") : m.end("v")]):
                yield m.start("v"), m.end("v"), "PASSWORD"
    at = text.find("@//")
    while at >= 0:
        # the logon right before the EZConnect address, read from the start of its token
        lo = max(0, at - 200)
        k = max(text.rfind(c, lo, at) for c in " \t\n=\"':(,") + 1
        m = _EZCONNECT.match(text, k) if k < at else None
        v = m.group("v") if m is not None and m.end() == at + 3 else ""
        if v and _command_password(v) and _password_like(v):  # `@//` alone is a weak sign: a mixed value
            yield m.start("v"), m.end("v"), "PASSWORD"
        at = text.find("@//", at + 3)
    if any(tool in lower for tool in _ORACLE_TOOLS) or "rman target" in lower:
        for m in _ORACLE_TOOL.finditer(lower):
            if m.start() > 0 and (lower[m.start() - 1].isalnum() or lower[m.start() - 1] in "_-"):
                continue
            if _command_password(text[m.start("v") : m.end("v")]):
                yield m.start("v"), m.end("v"), "PASSWORD"


# Protocol transcripts (client/server logs, `curl -v`, debug dumps) carry the password in the command itself:
# FTP `PASS <pw>`, IMAP `<tag> LOGIN <user> <pw>`, SMTP `AUTH PLAIN <base64 of \\0user\\0pw>` and the
# base64 line that answers the server's `334 UGFzc3dvcmQ6` ("Password:") prompt of AUTH LOGIN
_FTP_PASS = _lazy(r"PASS[ \t]+(?P<v>[^\s]{1,256})[ \t]*(?:\r?\n|$)")
_IMAP_LOGIN = _lazy(
    r"LOGIN[ \t]+(?:\"[^\"\n]{1,128}\"|[^\s\"]{1,128})[ \t]+"
    r"(?:\"(?P<qv>[^\"\n]{1,256})\"|(?P<v>[^\s\"]{1,256}))[ \t]*(?:\r?\n|$)"
)
_IMAP_TAG = _lazy(r"[A-Za-z0-9.]{1,12}[ \t]+$")  # `a001 ` before LOGIN (matched from the line start)
_FILE_TAIL = re.compile(r"\.[A-Za-z]{1,4}$")
_SMTP_PLAIN = _lazy(r"AUTH[ \t]+PLAIN[ \t]+(?P<v>[A-Za-z0-9+/]{8,1024}={0,2})")
_SMTP_LOGIN_PW = _lazy(
    r"334[ \t]+UGFzc3dvcmQ6[^\n]{0,16}\n[^\n]{0,8}?(?P<v>[A-Za-z0-9+/]{4,1024}={0,2})[ \t]*(?:\r?\n|$)"
)
# what a transcript prints before a command on its line: `> `, `C: `, `---> `, `[ftp] ` (the IMAP tag is
# part of the LOGIN pattern)
_TRANSCRIPT_LEAD = _lazy(r"[ \t]*(?:>|<|-{2,3}>|C:|\[[\w .:\-]{1,32}\])?[ \t]*")


def _transcript_line(text: str, at: int) -> bool:
    start = text.rfind("\n", max(0, at - 64), at) + 1
    return (start > 0 or at <= 64) and _TRANSCRIPT_LEAD.fullmatch(text, start, at) is not None


def _protocol_logins(text: str) -> Iterator[Span]:
    if "PASS" in text:
        for m in _FTP_PASS.finditer(text):
            v = m.group("v")
            if "*" in v or "/" in v or _FILE_TAIL.search(v):
                continue  # `PASS ****`; test runners print `PASS  src/app.test.js`
            if _transcript_line(text, m.start()) and _command_password(v):
                yield m.start("v"), m.end("v"), "PASSWORD"
    if "LOGIN" in text:
        for m in _IMAP_LOGIN.finditer(text):  # literal-led: a class-led pattern tests every position
            g = "qv" if m.group("qv") is not None else "v"
            tag = _IMAP_TAG.search(text, max(0, m.start() - 16), m.start())
            if tag is not None and _transcript_line(text, tag.start()) and _command_password(m.group(g)):
                yield m.start(g), m.end(g), "PASSWORD"
    if "AUTH" in text:
        for m in _SMTP_PLAIN.finditer(text):
            try:
                raw = base64.b64decode(m.group("v"), validate=True)
            except ValueError:
                continue
            if raw.count(b"\x00") == 2 and not raw.endswith(b"\x00"):
                yield m.start("v"), m.end("v"), "BASIC_AUTH"
    if "UGFzc3dvcmQ6" in text:
        for m in _SMTP_LOGIN_PW.finditer(text):
            yield m.start("v"), m.end("v"), "PASSWORD"


def _client_id_spans(text: str, lower: str) -> Iterator[Span]:
    """`client_id: <value>`: ids are not secrets (no keyword of the name scan), but OAuth client ids that are
    long generated strings are one half of a credential pair; UUID client ids stay (see _value_is_secret)."""
    i = lower.find("client")
    while i >= 0:
        m = _CLIENT_ID_TAIL.match(lower, i + 6)
        if m is not None and (i == 0 or not lower[i - 1].isalnum()):
            span = _value_after(text, text[i : m.end()], "client_id", m.end(), i, False)
            if span is not None:
                yield span
        i = lower.find("client", i + 6)


def _azure_storage_keys(text: str, lower: str) -> Iterator[Span]:
    """An Azure storage account key (64 bytes in base64: 86 characters and `==`) on its own, with Azure named
    within two lines of it (`CREATE DATABASE SCOPED CREDENTIAL ... azure ...` then the key). Keys of SSH and
    other public-key listings and `sha512-` integrity digests are not account keys."""
    for end in _AZURE_END.finditer(text):
        m = _AZURE_KEY.match(text, end.start() - 86) if end.start() >= 86 else None
        if m is None:
            continue
        s = m.start()
        if text[max(0, s - 7) : s] == "sha512-":
            continue
        lo = s
        for _ in range(3):  # the start of the line two above
            lo = lower.rfind("\n", 0, max(0, lo - 1)) if lo > 0 else -1
            if lo < 0:
                break
        hi = m.end()
        for _ in range(3):  # the end of the line two below
            k = lower.find("\n", hi + 1)
            if k < 0:
                hi = len(lower)
                break
            hi = k
        window = lower[max(0, lo) : hi]
        line_start = lower.rfind("\n", 0, s) + 1
        head = lower[line_start:s]  # an SSH or public-key listing names its keys before them
        if "azure" in window and SEP_CHAR not in window and "publickey" not in head and "ssh-rsa" not in head:
            yield s, m.end(), "SECRET"


def _docs_holding(lower: str, rx: re.Pattern[str], seps: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    """(start, end) of each document (`seps` apart) in which rx finds a match, found from the matches: a
    batch joins thousands of documents and most hold none, so walking every document would cost more."""
    n = len(lower)
    hit = rx.search(lower)
    while hit is not None:
        k = hit.start()
        start = max(lower.rfind(sep, 0, k + len(sep) - 1) for sep in seps) + 1
        end = min((e for e in (lower.find(sep, k) for sep in seps) if e >= 0), default=n)
        yield start, end
        hit = rx.search(lower, end + 1) if end < n else None


def _k8s_secret_spans(text: str, lower: str) -> Iterator[Span]:
    """The values under `data:` (base64 of 10+ characters) and `stringData:` (generated-looking) of each
    document (`---` or a batch separator apart) whose kind is Secret; `kind:` may come before or after."""
    for doc_start, doc_end in _docs_holding(lower, _K8S_KIND_NEAR, (SEP_CHAR, "\n---")):
        if _K8S_KIND.search(lower, doc_start, doc_end) is not None:
            for key in _K8S_DATA_KEY.finditer(text, doc_start, doc_end):
                yield from _k8s_entries(text, key.end(), doc_end, len(key.group(1)), key.group(2) == "data")


def _k8s_json_spans(text: str, lower: str) -> Iterator[Span]:
    """The same in JSON (`kubectl get secret -o json`, API audit logs): the members of a `"data"` object
    (base64) or a `"stringData"` object (generated-looking) in a document holding `"kind": "Secret"`."""
    for start, end in _docs_holding(lower, _K8S_JSON_KIND, (SEP_CHAR,)):
        for obj in _K8S_JSON_DATA.finditer(text, start, end):
            base64 = obj.group(1) == "data"
            pos = obj.end()
            while (m := _K8S_JSON_MEMBER.match(text, pos, end)) is not None:
                v = m.group("v")
                if (
                    _B64_VALUE.fullmatch(v) is not None and not is_placeholder(v)
                    if base64
                    else _value_is_secret(
                        v, classify(m.group("k")) or "secret", op=":", quoted=True, after=""
                    )
                ):
                    yield m.start("v"), m.end("v"), "SECRET"
                pos = m.end()


def _k8s_entries(text: str, pos: int, end: int, key_indent: int, base64: bool) -> Iterator[Span]:
    """The entries of a `data:` block from pos: lines indented deeper than the key (comments skipped)."""
    indent = -1
    while pos < end:
        pos = text.find("\n", pos, end)
        if pos < 0:
            return
        pos += 1
        eol = text.find("\n", pos, end)
        eol = end if eol < 0 else eol
        line = text[pos:eol]
        body = line.lstrip(" \t")
        if not body.strip() or body[0] == "#":
            continue
        ind = len(line) - len(body)
        if ind <= key_indent or (indent >= 0 and ind < indent):
            return  # the block has ended
        indent = ind if indent < 0 else indent
        m = _K8S_ENTRY.fullmatch(line)
        if m is None or ind != indent:
            continue
        if m.group("blk"):
            span = _k8s_block(text, eol, end, ind)
            if span is not None and (not base64 or _B64_VALUE.fullmatch(span[2])):
                yield span[0], span[1], "SECRET"
            continue
        v = m.group("v")
        ok = (
            _B64_VALUE.fullmatch(v) is not None and not is_placeholder(v)
            if base64
            else _value_is_secret(v, classify(m.group(2)) or "secret", op=":", quoted=True, after="")
        )
        if ok:
            yield pos + m.start("v"), pos + m.end("v"), "SECRET"


def _k8s_block(text: str, pos: int, end: int, key_indent: int) -> tuple[int, int, str] | None:
    """A block scalar's content after its header line (ending at pos): (start, end, joined text)."""
    first = last = -1
    parts: list[str] = []
    while pos < end and len(parts) < 256:
        eol = text.find("\n", pos + 1, end)
        eol = end if eol < 0 else eol
        line = text[pos + 1 : eol].rstrip("\r \t")
        body = line.lstrip(" \t")
        if body and len(line) - len(body) <= key_indent:
            break
        if body:
            if first < 0:
                first = pos + 1 + len(line) - len(body)
            last = pos + 1 + len(line)
            parts.append(body)
        pos = eol
    if not parts or is_placeholder(parts[0]):
        return None
    return first, last, "".join(parts)


def _curl_user_spans(text: str, rx: re.Pattern[str]) -> Iterator[Span]:
    """`-u user:pw` / `-uuser:pw` as a flag of its own (after a blank), when the pair is a credential."""
    for m in rx.finditer(text):
        if m.start() > 0 and not text[m.start() - 1].isspace():
            continue
        if _curl_credentials(m.group("v")):
            yield m.start("v"), m.end("v"), "BASIC_AUTH"


def other_spans(text: str, lower: str) -> Iterator[Span]:
    """Bearer tokens, URL userinfo passwords, curl -u, docker login -p, Kubernetes Secret data, client ids."""
    if "client" in lower:
        yield from _client_id_spans(text, lower)
    i = lower.find("bearer")
    while i >= 0:
        m = _BEARER_VALUE.match(text, i + 6)
        if (
            m
            and (i == 0 or not text[i - 1].isalnum())
            and looks_random(m.group(1), min_len=16, min_entropy=3.0)
        ):
            yield m.start(1), m.end(1), "TOKEN"
        i = lower.find("bearer", i + 6)
    if "@tcp(" in text:
        # Go's MySQL DSN (no scheme): `user:password@tcp(db:3306)/app`
        for m in _GO_DSN.finditer(text):
            pw = m.group("pw")
            if "${" in text[m.start() - 2 : m.start("pw")]:
                continue  # `${DB_PASS:-}@tcp(...)`: a shell default, empty
            if not is_placeholder(pw) and not pw.startswith("$") and pw.lower() not in _DOC_PASSWORDS:
                yield m.start("pw"), m.end("pw"), "PASSWORD"
    if "://" in text:
        for m in _URL_USERINFO.finditer(text):
            start, end = m.span("pw")
            # a password holding a raw `@` (`app:p@ss@db/app`): the host follows the authority's last `@`
            stop = _AUTHORITY_END.search(text, end + 1, end + 257)  # (bounded: many URLs in one blob)
            last_at = text.rfind(
                "@", end + 1, stop.start() if stop is not None else min(len(text), end + 257)
            )
            if last_at > end:
                end = last_at
            pw = text[start:end]
            if not is_placeholder(pw) and not pw.startswith("$") and pw.lower() not in _DOC_PASSWORDS:
                yield start, end, "PASSWORD"
    if "-u" in text:
        yield from _curl_user_spans(text, _CURL_USER)
        if "curl" in lower:
            yield from _curl_user_spans(text, _CURL_USER_GLUED)
        if " -p" in text:
            # `mongo -u admin -p <pw>`, `docker login -u ci -p <pw>`: -p right after a -u user is the password
            # (alone, -p is a port, a patch or a path in other commands)
            for m in _USER_THEN_P.finditer(text):
                v = m.group("v")
                # `-p 8080:8080` (ports), `-p shop` (mysql's database), `-p my_vhost` (rabbitmqctl): not passwords
                if _password_like(v) and "://" not in v:
                    yield m.start("v"), m.end("v"), "PASSWORD"
    has_auth = "auth" in lower  # one scan gates the auth-pair and .npmrc forms
    if has_auth and ("auth(" in lower or "auth=" in lower or "auth =" in lower):
        # a user/password pair handed to an HTTP client: `auth=('svc', 'pw')`, `HTTPBasicAuth("svc", "pw")`
        for m in _AUTH_PAIR.finditer(text):
            if _value_is_secret(m.group("v"), "password", op="(", quoted=True, after=""):
                yield m.start("v"), m.end("v"), "PASSWORD"
    if "azure" in lower and "==" in text:
        yield from _azure_storage_keys(text, lower)
    if has_auth and ":_auth" in text:
        # .npmrc registry credentials, `//registry.example/:_authToken=<token>` or `:_auth=<base64>`: whatever
        # the value looks like (`MYTOKEN2`, `abc123def456`), bar references (`${NPM_TOKEN}`)
        # one line at a time around each `/:_auth`: the pattern opens with a look-behind, so a scan of the
        # whole text would try it at every position
        i = text.find("/:_auth")
        while i >= 0:
            start = text.rfind("\n", 0, i) + 1
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            for m in _NPMRC_AUTH.finditer(text, start, end):
                v = m.group("v")
                if not v.startswith("$") and not is_placeholder(v):
                    yield m.start("v"), m.end("v"), "TOKEN"
            i = text.find("/:_auth", end)
    if "redis-cli" in lower:
        # `redis-cli -a <password>` (`--pass` is read by name): the password may be quoted
        for m in _REDIS_CLI_AUTH.finditer(text):
            v = m.group("v").strip("\"'")
            if v and not v.startswith(("$", "{{")) and not is_placeholder(v):
                yield m.start("v") + (m.group("v") != v), m.end("v") - (m.group("v") != v), "PASSWORD"
    if "machine" in lower:  # .netrc: `machine host login user password secret`
        for m in _NETRC_PW.finditer(text):
            if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_-"):
                continue
            if not is_placeholder(m.group("v")):
                yield m.start("v"), m.end("v"), "PASSWORD"
    if "ldap" in lower and "-w" in text:
        for m in _LDAP_W.finditer(text):  # not `lower`: `-W` (prompt) is another flag
            if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"):
                continue
            g = "qv" if m.group("qv") is not None else "v"
            if _command_password(text[m.start(g) : m.end(g)]):
                yield m.start(g), m.end(g), "PASSWORD"
    if "%" in text and ("-U" in text or "--user" in lower):
        for m in _SMB_USER.finditer(text):
            if m.start() > 0 and not text[m.start() - 1].isspace():
                continue
            if _command_password(m.group("v")):
                yield m.start("v"), m.end("v"), "PASSWORD"
    yield from _oracle_logons(text, lower)
    if "PDO" in text or "mysql" in text:  # every call form names one of them (`connect` is a common word)
        for m in _DB_CONNECT_CALL.finditer(text):
            if _command_password(m.group("qv")):
                yield m.start("qv"), m.end("qv"), "PASSWORD"
    for gate, rxs in _CLI_GATES:
        if gate in lower:
            for rx in rxs:
                yield from _cli_arg_spans(text, rx)
    if "PASS" in text or "LOGIN" in text or "AUTH" in text or "UGFzc3dvcmQ6" in text:
        yield from _protocol_logins(text)
    if "mysql" in lower:  # mysql -pSECRET (no space)
        for m in _MYSQL_P.finditer(text):
            if m.start() == 0 or not text[m.start() - 1].isspace():
                continue
            if not is_placeholder(m.group("v")) and not m.group("v").startswith("{{"):  # -p{{ .Values.x }}
                yield m.start("v"), m.end("v"), "PASSWORD"
    if "login" in lower:
        for m in _LOGIN_P.finditer(text):
            if m.start() > 0 and text[m.start() - 1].isalnum():
                continue
            if not is_placeholder(m.group("v")):
                yield m.start("v"), m.end("v"), "PASSWORD"
    if "kind" in lower and "secret" in lower:  # Kubernetes Secrets, in YAML and in JSON
        if "kind:" in lower and "data:" in lower:
            yield from _k8s_secret_spans(text, lower)
        if '"kind"' in lower and 'data"' in lower:
            yield from _k8s_json_spans(text, lower)
    if _has_escape(text):
        yield from escaped_spans(text)
    if "\\" in text:
        yield from _after_escaped_breaks(text)
        if "\\n" in text and ("</" in text or ("kind" in lower and "secret" in lower)):
            yield from _multiline_string_spans(text)


# Values inside an encoded layer: a query string carried in another URL's parameter
# (`redirect_uri=...%3Ftoken%3D<value>`), a form body logged percent-encoded (`password%3D<value>`), JSON
# escaped with \u0022 quotes. Every detector keys on a boundary or an operator (`=`, `"`, `:`) that the
# encoding hides, so such lines are decoded (printable ASCII only) and scanned again; spans map back to
# the encoded text, so the hidden range is the value as it was written.
# the gate's three families, each led by its literal character: searched apart (`_has_escape`), three
# literal-led searches skip to their character where one search for the alternation tries every position
# (~5 ms per MB of logs); joined, they give each escape's position in order (`escaped_spans`)
_ESCAPE_PCT = re.compile(r"%(?:3[ADFadf]|2[02367CFcf])")
_ESCAPE_BSL = re.compile(
    r"\\(?:u00[2-7][0-9A-Fa-f]|x[2-7][0-9A-Fa-f]|\\\\\")"
)  # and JSON encoded twice (`\\\"`)
_ESCAPE_AMP = re.compile(
    r"&(?:quot|apos|lt|#[0-9]{2}|#[xX][2-7][0-9A-Fa-f]);"
)  # HTML entities (`&quot;`, `&#34;`)
_ESCAPE_GATE = re.compile("|".join(rx.pattern for rx in (_ESCAPE_PCT, _ESCAPE_BSL, _ESCAPE_AMP)))


def _has_escape(text: str) -> bool:
    """Whether `_ESCAPE_GATE` occurs in text."""
    return bool(
        ("%" in text and _ESCAPE_PCT.search(text))
        or ("\\" in text and _ESCAPE_BSL.search(text))
        or ("&" in text and _ESCAPE_AMP.search(text))
    )


_MAX_LAYERS = 2
_DECODING = threading.local()  # how many encoded layers the current thread is inside
_ESCAPE = _lazy(
    r"%([2-7][0-9A-Fa-f])|\\u00([2-7][0-9A-Fa-f])|\\x([2-7][0-9A-Fa-f])|\\([\"/\\])"
    r"|&(quot|apos|lt|gt|amp);|&#([0-9]{2,3});|&#[xX]([2-7][0-9A-Fa-f]);"
)
_ENTITIES = {"quot": '"', "apos": "'", "lt": "<", "gt": ">", "amp": "&"}


def _decode_line(line: str) -> tuple[str, list[int], list[int]]:
    """The line with its escapes decoded, and breakpoints (decoded offset, line offset) to map back."""
    return _splice(line, _printable_escapes(line))


def _printable_escapes(line: str) -> Iterator[tuple[int, int, str]]:
    for m in _ESCAPE.finditer(line):
        hexa = m.group(1) or m.group(2) or m.group(3) or m.group(7)
        if hexa:
            ch = chr(int(hexa, 16))
        elif m.group(6):
            ch = chr(int(m.group(6)))
        else:
            ch = m.group(4) or _ENTITIES[m.group(5)]
        if " " <= ch <= "~":
            yield m.start(), m.end(), ch


def _splice(line: str, edits: Iterable[tuple[int, int, str]]) -> tuple[str, list[int], list[int]]:
    """line with each (start, end) range replaced by one character, and the breakpoints to map back."""
    parts: list[str] = []
    dec_at: list[int] = [0]
    src_at: list[int] = [0]
    pos = dec = 0
    for start, end, ch in edits:
        parts.append(line[pos:start])
        dec += start - pos
        parts.append(ch)
        dec_at.append(dec)
        src_at.append(start)
        dec += 1
        pos = end
        dec_at.append(dec)
        src_at.append(pos)
    parts.append(line[pos:])
    return "".join(parts), dec_at, src_at


# A document carried in a JSON string (`"msg": "apiVersion: v1\\nkind: Secret\\ndata:\\n  pw: ..."`,
# `"<apiToken>\\n  value\\n</apiToken>"`): the readers of Kubernetes Secrets and XML elements want its real line
# breaks, so such lines are decoded once more with JSON's string escapes (`\\n`, `\\t`, `\\"` ...)
_JSON_STRING_ESCAPE = re.compile(r'\\([nrt"\\/])')
_JSON_UNESCAPED = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "/": "/"}


def _decode_json_string(line: str) -> tuple[str, list[int], list[int]]:
    """The line with JSON's string escapes decoded, and breakpoints to map back (as _decode_line)."""
    return _splice(
        line, ((m.start(), m.end(), _JSON_UNESCAPED[m.group(1)]) for m in _JSON_STRING_ESCAPE.finditer(line))
    )


def _rescan(line_start: int, decoded: tuple[str, list[int], list[int]], depth: int) -> Iterator[Span]:
    """Spans of a decoded line, one layer deeper, mapped back onto the encoded text."""
    from .engine import find_spans  # the engine imports this module: a call-time import

    text, dec_at, src_at = decoded
    _DECODING.depth = depth + 1
    try:
        found = find_spans(text)
    finally:
        _DECODING.depth = depth
    for s, e, kind in found:
        yield line_start + _to_source(s, dec_at, src_at), line_start + _to_source(e, dec_at, src_at), kind


def _multiline_string_spans(text: str) -> Iterator[Span]:
    depth = getattr(_DECODING, "depth", 0)
    if depth >= _MAX_LAYERS:
        return
    i = text.find("\\n")
    while i >= 0:  # only the lines that hold an escaped break
        start = text.rfind("\n", 0, i) + 1
        end = text.find("\n", i)
        end = len(text) if end < 0 else end
        line = text[start:end]
        low = line.lower()
        if "</" in line or ("kind" in low and "secret" in low):
            yield from _rescan(start, _decode_json_string(line), depth)
        i = text.find("\\n", end)


def _to_source(d: int, dec_at: list[int], src_at: list[int]) -> int:
    j = bisect.bisect_right(dec_at, d) - 1
    return src_at[j] + (d - dec_at[j])


def escaped_spans(text: str) -> Iterator[Span]:
    """Spans found in the decoded form of each line that holds an escaped operator or quote."""
    depth = getattr(_DECODING, "depth", 0)
    if depth >= _MAX_LAYERS:
        return  # `%252522...`: a few layers are real (a URL inside a URL), more are a crafted input
    done = -1
    for g in _ESCAPE_GATE.finditer(text):
        if g.start() < done:
            continue
        start = text.rfind("\n", 0, g.start()) + 1
        end = text.find("\n", g.end())
        done = end = len(text) if end < 0 else end
        decoded = _decode_line(text[start:end])
        if len(decoded[0]) == end - start:
            continue
        yield from _rescan(start, decoded, depth)


# A vendor token right after an escaped line break or tab (`"msg": "config:\\nghp_..."`, JSON-encoded logs):
# the trigger scan wants a non-token character before the prefix, and `n` of `\\n` is one
_ESCAPED_BREAK = re.compile(r"\\[nrt]")
_TOKEN_AFTER = re.compile(r"[^\s\\\"'<>,;)\]}]{8,2048}")


# formats without a literal prefix (`xxx8Q~...` Azure secrets, `.atlasv1.`, `scauth_...acc_`) are read
# after an escaped break only from 16 characters on and when their gate is in the token
_GATES = tuple(g.gate for g in GATED)


def _after_escaped_breaks(text: str) -> Iterator[Span]:
    from .engine import find_spans  # the engine imports this module: a call-time import

    for m in _ESCAPED_BREAK.finditer(text):
        pos = m.end()
        t = _TOKEN_AFTER.match(text, pos)
        if t is None:
            continue
        if TRIGGER_AT_START.match(text, pos) is None:
            token = t.group()
            if len(token) < 16 or not any(g in token for g in _GATES):
                continue
        for s, e, kind in find_spans(t.group()):
            yield pos + s, pos + e, kind
