"""Token masking: values that are variables in any log (numbers, hex, IPs, paths, ids) become a placeholder.

Masking is applied to the whole message with one combined regex (one pass is what keeps the miner fast).
The placeholder is a single control character, `VAR`, so later steps can split tokens on punctuation
without breaking it apart; it is rendered as `<*>` only when a template is printed.
Only *strong* variables are masked here. Words that merely contain a digit ("u0", "L3", "r24") are
left alone: whether they vary is decided later, from how they behave across lines of one cluster.
"""

from __future__ import annotations

import re

VAR = "\x00"
WILDCARD = "<*>"

_STRONG = [
    # URLs and e-mail addresses
    r"(?<![\w+.-])[A-Za-z][\w+.-]*://[^\s\"'<>]+",
    r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+\.[A-Za-z]{2,}",
    # IPv4 with an optional leading slash and port (HDFS writes "/10.0.0.1:50010")
    r"/?(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?![\w.])",
    # MAC addresses and IPv6-ish groups
    r"(?<![\w:])[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5,}(?![\w:])",
    # UUIDs
    r"(?<![\w-])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])",
    # filesystem paths with two or more separators (Unix or Windows, relative, \\?\ prefixes, globs)
    r"(?<![\w/\\])(?:[A-Za-z]:|\w[\w.$~+%-]*)?(?:[/\\]+[\w.$~+%?*-]+){2,}[/\\]?",
    # identifiers built as prefix_number (blk_-123, job_2015_0001, attempt_1_m_000001_0)
    r"(?<![\w-])[A-Za-z]+_-?\d[\w-]*",
    # hexadecimal
    r"(?<![\w])0[xX][0-9a-fA-F]+(?![\w])",
    r"(?<![\w])(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{6,}(?![\w])",
    # numbers with a unit glued on: 250ms, 1.5s, 64KB
    r"(?<![\w])[-+]?\d+(?:\.\d+)?(?:ms|us|µs|ns|s|sec|secs|min|mins|h|hrs|[kKmMgGtT]i?[bB]|bytes)(?![\w])",
    # versions and numbers (signed, decimal, dotted); "core.1234" keeps its prefix
    r"(?<![\w])[-+]?[vV]?\d+(?:\.\d+)+(?:[eE][-+]?\d+)?(?![\w])",
    # fully qualified names of three or more segments (packages, classes, hosts): com.example.app
    r"(?<![\w.$])[a-z][\w-]*(?:\.[A-Za-z_$][\w$-]*){2,}(?:/[\w.$]+)?(?![\w])",
    r"(?<![\w])[-+]?\d+(?![\w])",
    # literal values of booleans and nulls
    r"(?<![\w])(?:true|false|True|False|TRUE|FALSE|null|NULL|None|nil)(?![\w])",
]
# Every branch starts at a word boundary; saying so once up front lets the engine skip mid-word
# positions after one cheap test instead of trying each branch there (3-4x faster).
_STRONG_RE = re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in _STRONG) + ")")
# Tokens without any of these characters cannot hold a strong variable (literals aside).
_MAYBE_VAR = re.compile(r"[\d/\\@.]|(?<!\w)(?:true|false|True|False|TRUE|FALSE|null|NULL|None|nil)(?!\w)")
_MULTI_VAR = re.compile(VAR + "{2,}")
# Delimiters that separate the sub-units of one token ("uid=123," -> "uid", "=", "123", ",").
SUBUNIT_RE = re.compile(r"([=:,;|@()\[\]{}\"'/\\<>#&+*$.\s-])")
_HAS_DIGIT = re.compile(r"\d")


_CALENDAR = frozenset(
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
     "Oct", "Nov", "Dec"]
)  # fmt: skip
_CALENDAR_FULL = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
_LITERALS = frozenset(["true", "false", "True", "False", "TRUE", "FALSE", "null", "NULL", "None", "nil"])
_TOKEN_CACHE_LIMIT = 100_000
_WRAP = "()[]{}<>,;:@'\"=#"
_HEX = "0123456789abcdefABCDEF"


def mask_token(token: str) -> str:
    """One whitespace-free token with its strong variables replaced by `VAR`."""
    if (token.isalpha() and token not in _LITERALS) or not _MAYBE_VAR.search(token):
        return token
    if token.isdigit():
        return VAR
    # fast path for the most common shapes, a number or 0x-hex wrapped in punctuation ("@0x7fe", "(42),")
    core = token.strip(_WRAP)
    if core and (core.isdigit() or (core[:2] in ("0x", "0X") and len(core) > 2 and not core[2:].strip(_HEX))):
        start = token.index(core)
        return token[:start] + VAR + token[start + len(core) :]
    out = _STRONG_RE.sub(VAR, token)
    if VAR + VAR in out:
        out = _MULTI_VAR.sub(VAR, out)
    return out


def mask(text: str, cache: dict[str, str] | None = None) -> str:
    """The message with strong variables replaced by `VAR`, tokens joined by single spaces.

    No pattern spans whitespace, so masking token by token equals masking the whole text; tokens repeat
    a lot across lines, so a bounded cache of masked tokens (owned by the caller) does most of the work.
    """
    if cache is None:
        cache = {}
    out = []
    for tok in text.split():
        m = cache.get(tok)
        if m is None:
            m = mask_token(tok)
            if len(cache) >= _TOKEN_CACHE_LIMIT:
                cache.clear()
            cache[tok] = m
        out.append(m)
    return " ".join(out)


def tokens(masked: str) -> list[str]:
    return masked.split()


def render(token_or_text: str) -> str:
    """A template (or one token of it) as printed: `VAR` becomes `<*>`."""
    return token_or_text.replace(VAR, WILDCARD)


def subunits(token: str) -> list[str]:
    """A token split on punctuation, delimiters kept ("a=1," -> ["a", "=", "1", ","])."""
    return [u for u in SUBUNIT_RE.split(token) if u]


def looks_variable(value: str) -> bool:
    """A varying word that is data rather than wording: has a digit, a placeholder, or is a dotted/path name."""
    if VAR in value or _HAS_DIGIT.search(value):
        return True
    core = value.strip(".,;:()[]{}\"'")
    if core in _CALENDAR or (core[:3] in _CALENDAR and core.lower() in _CALENDAR_FULL):
        return True  # weekday and month names inside dates
    return any(c in core for c in "./\\_@$")


def generalize(values: list[str]) -> str:
    """One template token covering several different values of a variable column.

    Values with the same sub-unit shape keep their shared sub-units ("uid=1," + "uid=2," -> "uid=VAR,");
    otherwise the common sub-unit prefix and suffix stay and the middle becomes one `VAR`.
    """
    parts = [subunits(v) for v in values]
    n = len(parts[0])
    if all(len(p) == n for p in parts):
        out = []
        for i in range(n):
            first = parts[0][i]
            out.append(first if all(p[i] == first for p in parts) else VAR)
    else:
        pre = 0
        shortest = min(len(p) for p in parts)
        while pre < shortest and all(p[pre] == parts[0][pre] for p in parts):
            pre += 1
        suf = 0
        while suf < shortest - pre and all(p[-1 - suf] == parts[0][-1 - suf] for p in parts):
            suf += 1
        out = parts[0][:pre] + [VAR] + (parts[0][len(parts[0]) - suf :] if suf else [])
    token = "".join(out)
    return _MULTI_VAR.sub(VAR, token)


def common_prefix(values: list[str]) -> str:
    """The longest string every value starts with (character-wise)."""
    if not values:
        return ""
    lo, hi = min(values), max(values)
    n = 0
    while n < len(lo) and lo[n] == hi[n]:
        n += 1
    return lo[:n]


def collapse_lists(tokens: list[str]) -> list[str]:
    """Runs of one repeated variable token ("@<*> @<*> @<*>") shown once: a list of values is one variable.

    Bare `VAR` tokens are kept apart: "<*> <*>" is usually two different values (a path and an id).
    """
    out: list[str] = []
    for t in tokens:
        if out and t == out[-1] and t != VAR and VAR in t and not _WORDISH.search(t):
            continue
        out.append(t)
    return out


_WORDISH = re.compile(r"[A-Za-z0-9]")
