"""Recall of the redaction engine on gitleaks' rule formats, with a false-positive probe on lookalikes.

    .venv/bin/python bench/gitleaks_formats.py [--rules PATH] [--n 4] [--seed 1234] [--only ID,ID]

For every gitleaks rule it draws `--n` random secrets from the rule's secret capture group (a small
sampler over Python's regex parse tree), embeds each one in gitleaks' own sample templates
(GenerateSampleSecrets in cmd/generate/config/utils/generate.go) with {i} = the rule's first keyword,
plus once bare inside a sentence, and runs `Vault().redact` on each text. A sample counts as hidden
when the secret is gone and no 8+ character piece of it survives (pieces that also occur in the
template around it do not count). Prints one JSON document: per rule recall, overall recall, the
rules below 100% with the templates they fail on, and a false-positive probe: for each rule whose
secret opens with a literal prefix, lookalikes that must survive (prefix + placeholder text, prefix +
too few characters, prefix + a low-entropy repeat), each in a sentence -> share redacted; and a
near-miss probe: for every "format" rule, drawn secrets one step off the spec (a character short,
one more, another ending, the other letter case) that NO gitleaks rule flags (`Oracle`: keyword,
regex, entropy threshold, rule allowlist), each in a sentence -> share redacted. These are the
look-alikes gitleaks' own fps lists are made of.

The rules file is NOT part of this repository (upstream content). Rebuild it as a JSON object
{"rules": [{"id", "regex", "keywords", "entropy", "secret_group", "kind", "path"}, ...]} from
gitleaks' config/gitleaks.toml at commit b58d3f10 (or the closest available: the stored copy
behind the search tools was 009e025a, 218 rules, without the later Bedrock, Airtable PAT, Chief
Tools, Data Factory, Ansible, Looker, Claude rules), one entry per
[[rules]] table: id, regex (the TOML literal string as is, Go syntax), keywords, entropy (or null),
path (or null), secret_group = the rule's secretGroup or 0 (gitleaks' default: the first non-empty
capture group; -1 here means the whole match: set it for microsoft-teams-webhook, whose first
group is one `xxxx-` piece of the URL; set 2 for sonar-api-token, whose first group is the
`(login|token)` keyword: later gitleaks versions give it secretGroup 2), an optional "allowlist" (the
rule's allowlist regexes whose target is the secret), and kind = "semi-generic" for regexes of the form
`(?i)[\\w.-]{0,50}?(?:vendor)...(secret)...` (GenerateSemiGenericRegex), "context" for rules whose
secret is defined by surrounding syntax (curl, kubernetes yaml, nuget, freemius, ...), "generic"
for generic-api-key, "path-only" for rules without a regex, and "format" for the rest
(GenerateUniqueTokenRegex and hand-written literal-led patterns). A 20-line tomllib script does
it: `tomllib.load(open("gitleaks.toml", "rb"))["rules"]` gives the tables.

A secret group that opens and closes with a literal quote (hashicorp-tf-password's `("...")`) is drawn
without those quotes: the templates supply the quoting. The "context" rules' groups hold syntax of their
own (curl's quoted `-u` argument, a manifest's `name: value` line), so inside the templates they read as
nonsense; they are also scored in place (`context_in_place`): the secret inside the command, manifest or
file line that rule reads (shapes generated here, after gitleaks' own test cases for those rules).

Go regex syntax is converted where Python differs: a flag group `(?i)` in the middle of a pattern
applies to the rest of its enclosing group in Go and becomes a scoped `(?i:...)`; `\\z` becomes `\\Z`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import string
import sys
import time
from pathlib import Path
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_RULES = Path("/work/helper-notes/gitleaks_rules.json")

# GenerateSampleSecrets' shapes ({i}: identifier, {s}: secret), GenerateSampleSecret's, then bare.
TEMPLATES: list[tuple[str, str]] = [
    ("ini_quoted1", '{i}Token="{s}"'),
    ("ini_quoted2", '{i}Token = "{s}"'),
    ("ini_unquoted1", "{i}Token={s}"),
    ("ini_unquoted2", "{i}Token = {s}"),
    ("json", '{{\n    "{i}_token": "{s}"\n}}'),
    ("json_escaped", '\\{{\n    \\"{i}_token\\": \\"{s}\\"\n\\}}'),
    ("xml", "<{i}Token>{s}</{i}Token>"),
    ("xml_multiline", "<{i}Token>\n    {s}\n</{i}Token>"),
    ("yaml_plain", "{i}_token: {s}"),
    ("yaml_sq", "{i}_token: '{s}'"),
    ("yaml_dq", '{i}_token: "{s}"'),
    ("yaml_literal", "{i}_token: |\n  {s}"),
    ("yaml_folded", "{i}_token: >\n  {s}"),
    ("csharp", 'string {i}Token = "{s}";'),
    ("go_var", 'var {i}Token string = "{s}"'),
    ("go_short", '{i}Token := "{s}"'),
    ("go_backtick", "{i}Token := `{s}`"),
    ("java", 'String {i}Token = "{s}";'),
    ("kotlin", 'var {i}Token = "{s}"'),
    ("php_concat", '${i}Token .= "{s}"'),
    ("python_sq", "{i}Token = '{s}'"),
    ("python_dq", '{i}Token = "{s}"'),
    ("csv", "{i}Token,{s},"),
    ("logstash", '  "{i}Token" => "{s}"'),
    ("make_recursive", '{i}_TOKEN = "{s}"'),
    ("make_simple", '{i}_TOKEN := "{s}"'),
    ("make_shell", '{i}_TOKEN ::= "{s}"'),
    ("make_eval_shell", '{i}_TOKEN :::= "{s}"'),
    ("make_cond", '{i}_TOKEN ?= "{s}"'),
    ("make_append", '{i}_TOKEN += "{s}"'),
    ("sample_secret", '{i}_api_token = "{s}"'),
    ("bare", "the deploy step printed {s} and then exited"),
]

PRINTABLE = string.ascii_letters + string.digits + "_-./+=:@"
_CAP = 48  # unbounded or very wide repeats draw at most this many extra repetitions


# --- Go -> Python regex ----------------------------------------------------------------------


def _group_end(rx: str, i: int) -> int:
    """Index of the ')' closing the group that encloses position i (len(rx) at top level)."""
    depth, in_class = 0, False
    while i < len(rx):
        ch = rx[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
            if rx[i + 1 : i + 2] == "]":
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return len(rx)


def go_to_python(rx: str) -> str:
    rx = rx.replace(r"\z", r"\Z")
    while True:
        k = rx.find("(?i)", 1)
        if k < 0:
            return rx
        end = _group_end(rx, k + 4)
        rx = rx[:k] + "(?i:" + rx[k + 4 : end] + ")" + rx[end:]


# --- sampler over the parse tree --------------------------------------------------------------


def _class_chars(items: list[Any], icase: bool) -> list[str]:
    chars: set[str] = set()
    negate = False
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            chars.add(chr(av))
        elif op is C.RANGE:
            chars.update(chr(x) for x in range(av[0], av[1] + 1) if x < 128)
        elif op is C.CATEGORY:
            name = str(av)
            if "NOT_" in name:
                base = {"DIGIT": string.digits, "WORD": string.ascii_letters + string.digits + "_"}
                excl = next((v for k, v in base.items() if k in name), " \t\r\n")
                chars.update(c for c in PRINTABLE if c not in excl)
            elif "DIGIT" in name:
                chars.update(string.digits)
            elif "WORD" in name:
                chars.update(string.ascii_letters + string.digits + "_")
            elif "SPACE" in name:
                chars.add(" ")
    if icase:
        chars |= {c.swapcase() for c in chars if c.isalpha()}
    if negate:
        chars = {c for c in PRINTABLE if c not in chars}
    return sorted(chars)


def _emit(items: list[Any], icase: bool, rng: random.Random, out: list[str]) -> None:
    for op, av in items:
        if op is C.LITERAL:
            # literals keep the case they are written in: real prefixes have one canonical case (the
            # pattern's (?i) is leniency, not a format); classes under (?i) draw both cases
            out.append(chr(av))
        elif op is C.NOT_LITERAL:
            out.append(rng.choice([c for c in string.ascii_letters if c != chr(av)]))
        elif op is C.ANY:
            # a lone unescaped `.` in these rules stands for a literal dot (`hooks.slack.com`,
            # `xoxe.xoxp-`); a repeated one (`.{8,}`) is free text
            out.append(".")
        elif op is C.IN:
            out.append(rng.choice(_class_chars(av, icase)))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            lo, hi, sub = av
            top = lo + _CAP if hi is C.MAXREPEAT or hi - lo > _CAP else hi
            for _ in range(rng.randint(lo, top)):
                if len(sub) == 1 and sub[0][0] is C.ANY:
                    out.append(rng.choice(string.ascii_letters + string.digits))
                else:
                    _emit(sub, icase, rng, out)
        elif op is C.SUBPATTERN:
            _gid, add, dele, sub = av
            ic = (icase or bool(add & re.IGNORECASE)) and not bool(dele & re.IGNORECASE)
            _emit(sub, ic, rng, out)
        elif op is C.BRANCH:
            _emit(rng.choice(av[1]), icase, rng, out)
        elif op in (C.AT, C.ASSERT, C.ASSERT_NOT, C.GROUPREF):
            continue
        else:
            raise ValueError(f"sampler: unsupported op {op}")


def _groups(items: list[Any], icase: bool, found: list[tuple[int, list[Any], bool]]) -> None:
    """Every capture group, in opening order, with the case flag in force where it sits."""
    for op, av in items:
        if op is C.SUBPATTERN:
            gid, add, dele, sub = av
            ic = (icase or bool(add & re.IGNORECASE)) and not bool(dele & re.IGNORECASE)
            if gid is not None:
                found.append((gid, sub, ic))
            _groups(sub, ic, found)
        elif op is C.BRANCH:
            for b in av[1]:
                _groups(b, icase, found)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            _groups(av[2], icase, found)


_QUOTES = (ord('"'), ord("'"))


def _unquoted(sub: list[Any]) -> list[Any]:
    """A group that opens and closes with the same literal quote, without them (the template quotes)."""
    items = list(sub)
    if (
        len(items) > 2
        and items[0][0] is C.LITERAL
        and items[-1][0] is C.LITERAL
        and items[0][1] == items[-1][1]
        and items[0][1] in _QUOTES
    ):
        return items[1:-1]
    return items


def _top_branches(parsed: Any) -> list[list[Any]]:
    items = list(parsed)
    if len(items) == 1 and items[0][0] is C.BRANCH:
        return items[0][1][1]
    return [items]


class Sampler:
    """Random secrets for one rule: its secret group's subtree, per top-level alternative."""

    def __init__(self, rule: dict[str, Any]) -> None:
        self.rx = go_to_python(rule["regex"])
        self.compiled = re.compile(self.rx)
        parsed = _parser.parse(self.rx)
        icase = bool(parsed.state.flags & re.IGNORECASE)
        sg = rule.get("secret_group", 0)
        self.variants: list[tuple[list[Any], bool]] = []
        for branch in _top_branches(parsed):
            found: list[tuple[int, list[Any], bool]] = []
            _groups(branch, icase, found)
            if sg == -1 or not found:
                self.variants.append((branch, icase))
            elif sg > 0:
                hit = [f for f in found if f[0] == sg]
                if hit:
                    self.variants.append((hit[0][1], hit[0][2]))
            else:
                # gitleaks: the first non-empty group; the outermost first group of each alternative
                self.variants.append((found[0][1], found[0][2]))
        if not self.variants:
            self.variants.append((list(parsed), icase))
        self.variants = [(_unquoted(sub), ic) for sub, ic in self.variants]

    def sample(self, rng: random.Random, allow: list[re.Pattern[str]] = ()) -> str:  # type: ignore[assignment]
        """A random secret; drawn again (up to 20 times) while a rule allowlist would excuse it."""
        for _ in range(20):
            sub, ic = rng.choice(self.variants)
            out: list[str] = []
            _emit(sub, ic, rng, out)
            got = "".join(out)
            if not any(a.search(got) for a in allow):
                break
        return got

    def literal_prefix(self) -> str:
        """Literal characters every secret opens with (first alternative only), case as written."""
        sub, _ic = self.variants[0]
        pre = []
        for op, av in sub:
            if op is C.LITERAL:
                pre.append(chr(av))
            elif op is C.SUBPATTERN and all(o is C.LITERAL for o, _ in av[3]):
                pre.extend(chr(a) for _, a in av[3])
            elif op is C.AT:
                continue
            else:
                break
        return "".join(pre)


# special shapes whose gitleaks regex is looser than any real value
def _private_key(rng: random.Random) -> str:
    kind = rng.choice(["RSA ", "EC ", "OPENSSH ", "", "ENCRYPTED "])
    b64 = string.ascii_letters + string.digits + "+/"
    lines = ["".join(rng.choice(b64) for _ in range(64)) for _ in range(rng.randint(3, 8))]
    return f"-----BEGIN {kind}PRIVATE KEY-----\n" + "\n".join(lines) + f"\n-----END {kind}PRIVATE KEY-----"


def _b64url(raw: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _jwt(rng: random.Random) -> str:
    """A structurally real JWT (gitleaks' jwt tests use real ones; the regex alone is looser)."""
    alg = rng.choice(["HS256", "RS256", "ES256"])
    head = _b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    sub = "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(rng.randint(6, 14)))
    claims = {"sub": sub, "iat": rng.randint(1_500_000_000, 1_800_000_000), "name": sub.title()}
    body = _b64url(json.dumps(claims).encode())
    sig = _b64url(bytes(rng.randrange(256) for _ in range(32)))
    return f"{head}.{body}.{sig}"


def _jwt_b64(rng: random.Random) -> str:
    import base64

    return base64.b64encode(_jwt(rng).encode()).decode()


def _sidekiq_url(rng: random.Random) -> str:
    hexd = "0123456789abcdef"
    cred = "".join(rng.choice(hexd) for _ in range(8)) + ":" + "".join(rng.choice(hexd) for _ in range(8))
    return f"https://{cred}@{rng.choice(['gems', 'enterprise'])}.contribsys.com/"


def _bedrock_short_lived(rng: random.Random) -> str:
    """gitleaks matches only the fixed head (base64 of `bedrock.amazonaws.com`); a real key goes on
    with the base64 of a presigned query."""
    import base64

    sig = "".join(rng.choice("0123456789abcdef") for _ in range(64))
    cred = "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))
    url = (
        f"bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Credential=ASIA{cred}&X-Amz-Signature={sig}"
    )
    return "bedrock-api-key-" + base64.b64encode(url.encode()).decode()


def _word(rng: random.Random, lo: int, hi: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def _url(rng: random.Random) -> str:
    return f"https://{_word(rng, 4, 10, string.ascii_lowercase)}.example.com/api/{_word(rng, 3, 8, string.ascii_lowercase)}"


def _curl_user(rng: random.Random) -> tuple[str, str]:
    user, pw = _word(rng, 4, 12), _word(rng, 10, 24, string.ascii_letters + string.digits + "@.-")
    arg = rng.choice([f"{user}:{pw}", f'"{user}:{pw}"', f"'{user}:{pw}'"])
    flag = rng.choice(["-u ", "--user ", "--user=", "-u"])
    layout = rng.choice(["{c} {f}{a} {u}", "{c} -X POST {u} {f}{a}", "{c} -s \\\n  {f}{a} \\\n  {u}"])
    return layout.format(c="curl", f=flag, a=arg, u=_url(rng)), pw


def _curl_header(rng: random.Random) -> tuple[str, str]:
    b64 = string.ascii_letters + string.digits + "+/"
    tok = _word(rng, 24, 48, string.ascii_letters + string.digits + "-_.")
    head, secret = rng.choice(
        [
            (f"Authorization: Bearer {tok}", tok),
            (f"Authorization: Token {tok}", tok),
            (f"X-Api-Key: {tok}", tok),
            (f"Api-Token: {tok}", tok),
            ("Authorization: Basic " + (basic := _word(rng, 20, 40, b64)), basic),
        ]
    )
    q = rng.choice(['"', "'"])
    layout = rng.choice(["curl {u} -H {q}{h}{q}", "curl -X GET \\\n  --header {q}{h}{q} \\\n  {u}"])
    return layout.format(u=_url(rng), q=q, h=head), secret


def _k8s_secret(rng: random.Random) -> tuple[str, str]:
    import base64

    raw = _word(rng, 12, 32, string.ascii_letters + string.digits + "!@#%")
    value = base64.b64encode(raw.encode()).decode()
    key = rng.choice(["password", "api-key", "token", "db.password", "client_secret", "TLS_KEY"])
    meta = f"metadata:\n  name: {_word(rng, 3, 10, string.ascii_lowercase)}\n"
    data = f"data:\n  {key}: {value}\n"
    kind = "apiVersion: v1\nkind: Secret\n"
    return rng.choice([kind + meta + data, data + kind + meta, kind + meta + "type: Opaque\n" + data]), value


def _nuget(rng: random.Random) -> tuple[str, str]:
    pw = _word(rng, 10, 24, string.ascii_letters + string.digits + "!#._-")
    name = rng.choice(["ClearTextPassword", "Password"])
    body = f'  <add key="Username" value="{_word(rng, 4, 10)}" />\n  <add key="{name}" value="{pw}" />'
    return f"<packageSourceCredentials>\n <feed>\n{body}\n </feed>\n</packageSourceCredentials>", pw


def _freemius(rng: random.Random) -> tuple[str, str]:
    key = "sk_" + _word(rng, 29, 29, string.ascii_letters + string.digits + "<>;:~!$")
    q = rng.choice(['"', "'"])
    return (
        f"$config = array(\n    {q}secret_key{q} => {q}{key}{q},\n    {q}public_key{q} => {q}pk_{_word(rng, 29, 29)}{q},\n);",
        key,
    )


# context rules: (text, secret) in the syntax the rule reads, scored in place
IN_PLACE = {
    "curl-auth-user": _curl_user,
    "curl-auth-header": _curl_header,
    "kubernetes-secret-yaml": _k8s_secret,
    "nuget-config-password": _nuget,
    "freemius-secret-key": _freemius,
}


# rule id -> generator; these formats' gitleaks regexes are looser than any real value, or their
# secret group is meaningful only inside the rest of the match (a URL's userinfo)
SPECIAL = {
    "private-key": _private_key,
    "jwt": _jwt,
    "jwt-base64": _jwt_b64,
    "sidekiq-sensitive-url": _sidekiq_url,
    "aws-amazon-bedrock-api-key-short-lived": _bedrock_short_lived,
}


def secret_part(rule_id: str, value: str) -> str:
    """The part that must disappear: a private key's body (its BEGIN/END lines are not secret), a
    URL's userinfo."""
    if rule_id == "private-key":
        return value.split("-----\n", 1)[1].rsplit("\n-----END", 1)[0]
    if rule_id == "sidekiq-sensitive-url":
        return value.split("//", 1)[1].split("@", 1)[0]
    return value


def identifier(rule: dict[str, Any]) -> str:
    kws = rule.get("keywords") or [rule["id"].split("-")[0]]
    ident = re.sub(r"[^A-Za-z0-9]+", "_", kws[0]).strip("_")
    return ident or rule["id"].split("-")[0]


# --- scoring ----------------------------------------------------------------------------------


_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")


def leaked(secret: str, text: str, out: str, fixed: str = "") -> bool:
    """Secret still there, or an 8+ char piece of it that is neither in the template around it nor
    inside the format's fixed literal prefix (`_gitlab_session=` is the rule's shape, not secret)."""
    if secret in out:
        return True
    out = _PLACEHOLDER.sub("\x01", out)  # `<CLOJARS_TOKEN_1>` shares letters with `CLOJARS_T...`
    around = text.replace(secret, "\x00")
    for k in range(len(secret) - 7):
        piece = secret[k : k + 8]
        if piece in out and piece not in around and piece not in fixed:
            return True
    return False


def _shannon(s: str) -> float:
    import math
    from collections import Counter

    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values()) if n else 0.0


class Oracle:
    """gitleaks' own verdict on a text: some rule matches with one of its keywords in the text, the
    secret (its secret group, else the first non-empty group, else the match) above the rule's entropy
    threshold and outside its allowlist. Global allowlist and stopwords are not modelled."""

    def __init__(self, rules: list[dict[str, Any]]) -> None:
        self.rules: list[tuple[list[str], re.Pattern[str], float, list[re.Pattern[str]], int]] = []
        for rule in rules:
            if not rule.get("regex") or rule.get("path"):
                continue
            try:
                rx = re.compile(go_to_python(rule["regex"]))
            except re.error:
                continue
            allow = [re.compile(a) for a in rule.get("allowlist") or ()]
            kws = [k.lower() for k in rule.get("keywords") or ()]
            self.rules.append((kws, rx, rule.get("entropy") or 0.0, allow, rule.get("secret_group", 0)))

    @staticmethod
    def _secret(m: re.Match[str], sg: int) -> str:
        if sg > 0:
            return m.group(sg) or m.group()
        return next((g for g in m.groups() if g), m.group())

    def flags(self, text: str) -> bool:
        low = text.lower()
        for kws, rx, entropy, allow, sg in self.rules:
            if kws and not any(k in low for k in kws):
                continue
            for m in rx.finditer(text):
                secret = self._secret(m, sg)
                if entropy and _shannon(secret) <= entropy:
                    continue
                if any(a.search(secret) for a in allow):
                    continue
                return True
        return False


def near_misses(secret: str, rng: random.Random) -> dict[str, str]:
    """One-step departures from a drawn secret: a character short, one more, another ending, the
    other letter case."""
    alnum = string.ascii_letters + string.digits
    return {
        "short": secret[:-1],
        "long": secret + rng.choice(alnum),
        "ending": secret[:-2] + "".join(rng.choice("BCDFGHXYZ") for _ in range(2)),
        "case": secret.swapcase(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rules", type=Path, default=DEFAULT_RULES)
    ap.add_argument("--n", type=int, default=4, help="secrets per rule")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--only", default="", help="comma-separated rule ids")
    ap.add_argument("--examples", action="store_true", help="show one failing text per rule")
    ap.add_argument(
        "--engine",
        type=Path,
        help="directory holding a copy of the redaction package (as `redaction/`): compare versions "
        "side by side in a working tree others are editing",
    )
    args = ap.parse_args(argv)
    if not args.rules.exists():
        print(
            f"rules file {args.rules} not found: build it from gitleaks' config/gitleaks.toml "
            "(see this script's docstring) and pass --rules PATH",
            file=sys.stderr,
        )
        return 2
    if args.engine:
        sys.path.insert(0, str(args.engine))
        from redaction.vault import Vault  # type: ignore[import-not-found]
    else:
        sys.path.insert(0, str(REPO.parent))
        from aiops_mcp.server.gateway.redaction import Vault

    rules = json.loads(args.rules.read_text())["rules"]
    only = {x for x in args.only.split(",") if x}
    rng = random.Random(args.seed)
    per_rule: dict[str, Any] = {}
    fp: dict[str, Any] = {}
    in_place: dict[str, Any] = {}
    place_rng = random.Random(args.seed + 1)  # its own stream: the template draws stay as they were
    oracle = Oracle(rules)
    nm_total = 0
    nm_red: dict[str, dict[str, int]] = {}
    t0 = time.perf_counter()
    for rule in rules:
        if only and rule["id"] not in only:
            continue
        if not rule.get("regex"):
            continue
        try:
            sampler = Sampler(rule)
        except (re.error, ValueError) as exc:
            per_rule[rule["id"]] = {"error": str(exc)[:80], "kind": rule.get("kind")}
            continue
        ident = identifier(rule)
        allow = [re.compile(a) for a in rule.get("allowlist") or ()]
        fixed = sampler.literal_prefix()
        total = hidden = 0
        fails: dict[str, int] = {}
        example = None
        for _ in range(args.n):
            secret = SPECIAL[rule["id"]](rng) if rule["id"] in SPECIAL else sampler.sample(rng, allow)
            for name, tpl in TEMPLATES:
                text = tpl.format(i=ident, s=secret)
                out = Vault().redact(text)
                total += 1
                if leaked(secret_part(rule["id"], secret), text, out, fixed):
                    fails[name] = fails.get(name, 0) + 1
                    if example is None:
                        example = {"template": name, "in": text[:160], "out": out[:160]}
                else:
                    hidden += 1
        if rule["id"] in IN_PLACE:
            placed = [IN_PLACE[rule["id"]](place_rng) for _ in range(args.n * 8)]
            missed = [text for text, sec in placed if leaked(sec, text, Vault().redact(text))]
            in_place[rule["id"]] = {"recall": round(1 - len(missed) / len(placed), 4)}
            if missed and args.examples:
                in_place[rule["id"]]["example"] = missed[0][:200]
        entry: dict[str, Any] = {"kind": rule.get("kind"), "recall": round(hidden / total, 4)}
        if fails:
            entry["failing_templates"] = dict(sorted(fails.items(), key=lambda kv: -kv[1]))
            if args.examples:
                entry["example"] = example
        per_rule[rule["id"]] = entry
        # near misses of the format that no gitleaks rule flags must survive in prose
        if rule.get("kind") == "format" and rule["id"] not in SPECIAL:
            for _ in range(args.n):
                for how, val in near_misses(sampler.sample(rng, allow), rng).items():
                    text = f"set it to {val} in the docs"
                    if oracle.flags(text):
                        continue  # still a secret to gitleaks (this rule's or another's)
                    nm_total += 1
                    if Vault().redact(text) != text:
                        nm_red.setdefault(rule["id"], {}).setdefault(how, 0)
                        nm_red[rule["id"]][how] += 1
        # false-positive probe for literal-led formats
        prefix = sampler.literal_prefix()
        if rule.get("kind") == "format" and len(prefix) >= 2 and rule["id"] not in SPECIAL:
            body_len = max(8, len(sampler.sample(rng)) - len(prefix))
            real = sampler.sample(rng)
            looks = {
                "xxxx": prefix + "x" * body_len,
                "placeholder": prefix + "your_token_here",
                "too_short": real[: len(prefix) + max(2, (len(real) - len(prefix)) // 4)],
                "repeat": prefix + ("ab" * body_len)[:body_len],
            }
            red = {}
            for name, val in looks.items():
                text = f"set it to {val} in the docs"
                red[name] = Vault().redact(text) != text
            fp[rule["id"]] = {
                "prefix": prefix,
                "redacted": red,
                "share": round(sum(red.values()) / len(red), 2),
            }
    scored = {k: v for k, v in per_rule.items() if "recall" in v}
    by_kind: dict[str, list[float]] = {}
    for v in scored.values():
        by_kind.setdefault(v["kind"], []).append(v["recall"])
    fp_hits = {k: v for k, v in fp.items() if v["share"] > 0}
    report = {
        "seed": args.seed,
        "n_per_rule": args.n,
        "templates": len(TEMPLATES),
        "rules_scored": len(scored),
        "overall_recall": round(sum(v["recall"] for v in scored.values()) / max(1, len(scored)), 4),
        "rules_at_100": sum(v["recall"] == 1.0 for v in scored.values()),
        "by_kind": {
            k: {"rules": len(v), "recall": round(sum(v) / len(v), 4), "at_100": sum(x == 1.0 for x in v)}
            for k, v in sorted(by_kind.items())
        },
        "below_100": {k: v for k, v in scored.items() if v["recall"] < 1.0},
        "errors": {k: v for k, v in per_rule.items() if "error" in v},
        "context_in_place": {
            "recall": round(sum(v["recall"] for v in in_place.values()) / max(1, len(in_place)), 4),
            "rules": in_place,
        },
        "fp_probe": {
            "rules_probed": len(fp),
            "lookalikes_redacted_share": round(
                sum(sum(v["redacted"].values()) for v in fp.values()) / max(1, 4 * len(fp)), 4
            ),
            "rules_with_redacted_lookalikes": fp_hits,
        },
        "near_miss_probe": {
            "near_misses": nm_total,
            "redacted_share": round(sum(sum(v.values()) for v in nm_red.values()) / max(1, nm_total), 4),
            "rules_with_redacted_near_misses": dict(
                sorted(nm_red.items(), key=lambda kv: -sum(kv[1].values()))
            ),
        },
        "seconds": round(time.perf_counter() - t0, 1),
    }
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
