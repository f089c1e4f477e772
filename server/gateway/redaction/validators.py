"""Checks that turn a pattern hit into a finding: checksums, structure, entropy, placeholders.

Regexes find candidates cheaply; these functions decide. Keeping them apart lets the same
validator serve several patterns and keeps every rule testable on its own.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import math
import re
from collections import _count_elements  # type: ignore[attr-defined]
from collections.abc import Set as AbstractSet

# --- entropy / shape -------------------------------------------------------------------------


_CLOGC = [0.0] + [c * math.log2(c) for c in range(1, 4097)]
_CLOGC_AT = _CLOGC.__getitem__  # bound once, not on every call
_LOG2 = [0.0] + [math.log2(n) for n in range(1, 4097)]  # math.log2(n), looked up


def shannon(value: str) -> float:
    """Bits per character; random tokens sit above ~3.5, words and repeated runs well below."""
    return _shannon_counts(value)[0]


def _shannon_counts(value: str) -> tuple[float, dict[str, int]]:
    """shannon() and the character counts it was computed from (of the first 4096 characters)."""
    n = len(value)
    counts: dict[str, int] = {}
    if not n:
        return 0.0, counts
    if n > 4096:
        value, n = value[:4096], 4096
    # H = log2(n) - sum(c*log2(c))/n, with c*log2(c) from a table: no Python-level loop per character
    _count_elements(counts, value)  # Counter's C core without Counter's Python-level constructor
    return _LOG2[n] - sum(map(_CLOGC_AT, counts.values())) / n, counts


_FILLER = frozenset(
    [
        "replace_me",
        "replaceme",
        "replace-me",
        "changeit",
        "fixme",
        "redacted",
        "masked",
        "hidden",
        "secret",
        "password",
        "passwd",
        "changeme",
        "change_me",
        "none",
        "null",
        "nil",
        "undefined",
        "true",
        "false",
        "yes",
        "no",
        "empty",
        "todo",
        "tbd",
        "xxx",
        "dummy",
        "sample",
        "placeholder",
        "example",
        "notset",
        "not_set",
        "not-set",
        "unset",
        "n/a",
        "na",
    ]
)
# well-formed template expressions: `${VAR}`, `${VAR:-x}`, `${ var.x }`, `$(cmd)`, `{{ .Values.x }}`, `{% x %}`.
# Only whole expressions count: `m{{h}o)p${e]nob(...}}` uses the same characters and is a password.
_TEMPLATE_RE = re.compile(
    r"\$\{[ \t]*[A-Za-z_][\w.]*[ \t]*(?:[:\-=?+][^{}]*)?\}|\$\([^()]*\)|\{\{[^{}]*\}\}|\{%[^{}]*%\}"
)
_RUN8 = re.compile(r"(.)\1{7,}")
_RUN4 = re.compile(r"(.)\1\1\1")  # in every other character: see _has_run8
# one `$name` reference and what may follow it up to the next `$` (a path, a port, `:` of `$env:X`, an
# index or a call: `$_POST["x"]`, `$this->token`)
_VAR_REF = re.compile(r"\$([A-Za-z_]\w*)(?:[/:.@\-\[(][^\s$]*)?")
# format fields: `%s`, `%(password)s`, `{}`, `{0}`, `{api_key}` (lower snake case; `{gNSWPH8prVqs}` is a value)
_FORMAT = re.compile(r"%(?:\(\w*\))?[sd]|\{\d*\}|\{[a-z_][a-z0-9_]*\}")
_YOUR = re.compile(
    r"your[_\-\s]?(?:own[_\-\s]?)?(?:api[_\-\s]?)?(?:key|token|secret|password)|(?:put|insert|add|enter)[_\-\s]?your"
    r"|_here\b|[_\-]here$"
)


_MASK_EDGE = "*#_-~."


def has_mask(s: str) -> bool:
    """A mask in the value as written: `xxxx` or `XXXX` (`xXXx` inside a random token is chance), `****`,
    `####`, `•••` (five substring tests cost half of one regex search over the alternation)."""
    return "xxxx" in s or "XXXX" in s or "****" in s or "####" in s or "\u2022\u2022\u2022" in s


def is_placeholder(value: str) -> bool:
    """Template variables, masks and filler words: text that names a secret without holding one."""
    s = value.strip()
    if not s:
        return True
    low = s.lower()
    if low in _FILLER:
        return True
    first, last = s[0], s[-1]
    if last == "}" and s.startswith("#{"):
        return True  # `#{db.password}`: Spring SpEL, Ruby and Octopus interpolation
    if first == "(" and last == ")" and s[1:-1].replace(" ", "").isalpha():
        return True  # `(sensitive value)`, `(hidden)`: what Terraform and CLIs print instead of a value
    if first in _MASK_EDGE and last in _MASK_EDGE and low.strip(_MASK_EDGE) in _FILLER:
        return True  # a filler word framed by mask characters: `***REDACTED***`, `__hidden__`, `##masked##`
    if first == "$" and len(s) > 1 and (s[1] in "{(" or s[1:].isdigit() or _var_refs(s)):
        return True  # $VAR, ${VAR}, $(cmd), $1, $_POST["x"]; not `$oC$z1BSgzQh...` (a password with dollars)
    if (first == "<" and last == ">") or (first == "[" and last == "]") or (first == "%" and last == "%"):
        return True  # <redacted>, [MASKED], %VAR%
    if has_mask(s):
        return True
    if "{" in s:
        if _TEMPLATE_RE.search(s) or _FORMAT.fullmatch(s):
            return True  # template markers; "{}", "{token}"
        if first == "{" and last == "}" and len(s) > 2 and is_structured_id(s[1:-1]):
            return True  # "{SumoAccessKey}": a named slot (a random `{ZqL5kVrX1n8t}` is a value in braces)
    elif ("$(" in s and _TEMPLATE_RE.search(s)) or ("%" in s and _FORMAT.fullmatch(s)):
        return True  # $(cmd); "%s", "%(password)s"
    if ("your" in low or "here" in low) and _YOUR.search(low):
        return True
    if _has_run8(s):
        # a mask (`AKIAXXXXXXXXXXXXXXXX`), unless the run sits inside a long random token: some formats
        # carry one (`...AAAAAAAAAA...` in long-lived Dropbox tokens, `AAAA...` heads of Twitter bearers)
        rest = _RUN8.sub("", s)
        return not generated_shape(rest, min_len=24, min_entropy=3.5)
    # a periodic value repeats its first character 2, 3 or 4 places on: one comparison rules most values out
    return len(s) >= 12 and (s[2] == first or s[3] == first or s[4] == first) and _is_periodic(s)


def _is_periodic(s: str) -> bool:
    """`abcabcabcabc`, `12121212...`: a unit of 2-4 characters repeated over a value of 12 or more (typed filler)."""
    n = len(s)
    if n < 12:
        return False
    # s.startswith(s[p:]): s[i] == s[i + p] for every i, i.e. s is its first p characters repeated
    return any(s[p] == s[0] and s.startswith(s[p:]) and s[:p] != s[0] * p for p in (2, 3, 4))


def _var_refs(s: str) -> bool:
    """`$HOME`, `$API_KEY`, `$securePassword`, `$USER:$PASS`: the value is shell/PowerShell references.

    Variable names are words in one case or camel case; `$oC$z1BSgzQhYsC70ABL` is a password with dollars.
    """
    pos = 0
    while pos < len(s):
        m = _VAR_REF.match(s, pos)
        if m is None:
            return False
        name = m.group(1)
        if not (name.isupper() or name.islower() or is_structured_id(name)):
            return False
        pos = m.end()
    return True


def _has_run8(s: str) -> bool:
    """_RUN8.search(s): a character (not a newline) repeated 8 times in a row.

    Such a run covers a position that is a multiple of 8, so its character is one of s[::8]: a few
    C-level substring tests instead of a regex step per position (long values keep the regex, whose
    cost does not grow with the number of distinct characters).
    """
    if len(s) > 512:
        return _RUN8.search(s) is not None
    # such a run leaves 4 equal characters in a row in every other character; most values have none
    if _RUN4.search(s[::2]) is None:
        return False
    for c in set(s[::8]):  # noqa: SIM110 - a plain loop: any() over a generator is slower here
        if c != "\n" and c * 8 in s:
            return True
    return False


_SEGMENT_SPLIT = re.compile(r"[:/._\-@ ,|]+")
# words, numbers, and short tags such as v8, x64, s3, ec2, md5
# `Camel`/`CamelCase` words are written `[A-Z]?[a-z]{2,}(?:[A-Z][a-z]{2,})*`, not `(?:[A-Z]?[a-z]{2,})+`:
# the same strings, but the nested repeat could split a lower-case run in exponentially many ways before
# failing (`a` * 40 + `B` took seconds).
_WORD_PART = r"(?:[a-z]+|[A-Z]+|[A-Z]?[a-z]{2,}(?:[A-Z][a-z]{2,})*|\d+|[a-z]{1,3}\d{1,2})"
_WORDLIKE = re.compile(rf"^{_WORD_PART}$")
# The whole value as separator-joined word parts, in one C-level match: a value it rejects has a part
# that _WORDLIKE rejects (parts hold no separator, so a part's alternative cannot run into the next
# part), which is the common answer for generated tokens. Values with a newline take the per-part
# path (`$` also matches before a final newline there).
_WORDS_SHAPE = re.compile(rf"(?:[:/._\-@ ,|]*+(?>{_WORD_PART}(?=[:/._\-@ ,|]|\Z)))*+[:/._\-@ ,|]*+")


def is_structured_id(value: str) -> bool:
    """`user:1234:profile`, `not_long_enough`, `v1.2.3`: words and numbers joined by separators.

    Keys, cache keys and versions look like this; generated secrets mix cases and digits inside one run.
    """
    if _WORDS_SHAPE.fullmatch(value) is None and "\n" not in value:
        return False
    parts = [p for p in _SEGMENT_SPLIT.split(value) if p]
    return bool(parts) and all(_WORDLIKE.match(p) and len(p) <= 24 and _pronounceable(p) for p in parts)


def _pronounceable(part: str) -> bool:
    """Long letter runs are words only with a word-like share of vowels (`zatmbxrvjbdxofhw` is not)."""
    if len(part) <= 10 or part.isdigit():
        return True
    vowels = sum(part.lower().count(ch) for ch in "aeiouy")
    return vowels / len(part) >= 0.25


_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")
_PLAIN = _LOWER | _UPPER | _DIGITS | frozenset("_.-")


def char_classes(value: str) -> int:
    """How many of lower / upper / digit / symbol occur (`_-.` are separators, not symbols)."""
    return _classes(set(value))


def _classes(chars: AbstractSet[str]) -> int:
    return (
        (not chars.isdisjoint(_LOWER))
        + (not chars.isdisjoint(_UPPER))
        + (not chars.isdisjoint(_DIGITS))
        + (not chars <= _PLAIN)
    )


def is_sequential(value: str) -> bool:
    """`abcdefgh0123456789...`: keyboard/alphabet runs used as fake keys in docs and tests."""
    if len(value) < 8:
        return False
    n = len(value.encode("utf-8", "replace"))
    return up_steps(value) >= (n - 1) * 0.5


def up_steps(value: str) -> int:
    """How many neighbouring bytes of the UTF-8 text step up by one (`ab`, `89`); at least 2 characters.

    codes[i+1] - codes[i] == 1  <=>  codes[i+1] == codes[i] + 1: a zero byte in the XOR of the two
    shifted strings, counted in C (two big-int conversions) instead of one Python step per byte.
    The table wraps 0xFF to 0x00, a step that is not +1, but UTF-8 never contains a 0xFF byte.
    """
    codes = value.encode("utf-8", "replace")
    diff = int.from_bytes(codes[1:], "big") ^ int.from_bytes(codes[:-1].translate(_PLUS_ONE), "big")
    return diff.to_bytes(len(codes) - 1, "big").count(0)


_PLUS_ONE = bytes(range(1, 256)) + b"\x00"


def looks_random(value: str, *, min_len: int = 8, min_entropy: float = 2.8) -> bool:
    """A value that plausibly is a generated credential (used where the context says 'secret')."""
    return generated_shape(value, min_len=min_len, min_entropy=min_entropy) and not is_placeholder(value)


def generated_shape(value: str, *, min_len: int, min_entropy: float) -> bool:
    """looks_random without its placeholder test, for callers that have just made that test."""
    if len(value) < min_len or " " in value.strip():
        return False
    h, counts = _shannon_counts(value)
    # one character class (all lower-case, all digits...) only for long, high-entropy runs
    if h < min_entropy:
        return False
    if len(value) < 16 or h < 3.4:
        # counts cover the first 4096 characters: the whole value below that length
        chars = counts.keys() if len(value) <= 4096 else set(value)
        if _classes(chars) < 2:
            return False
    return not (is_structured_id(value) or is_sequential(value))


def _is_date_prefix(value: str) -> bool:
    """`20240131...`: a calendar date (yyyymmdd) at the start of a digit run."""
    if value[:2] not in ("19", "20"):
        return False
    month, day = int(value[4:6]), int(value[6:8])
    return 1 <= month <= 12 and 1 <= day <= 31


def is_timestamp_digits(value: str) -> bool:
    """Epoch seconds/millis/micros/nanos of 2011-2030 (10, 13, 16, 19 digits) or a yyyymmdd[HHMM[SS[mmm]]] stamp."""
    n = len(value)
    if n in (10, 13, 16, 19) and 1_300_000_000 <= int(value[:10]) < 1_900_000_000:
        return True
    return n in (8, 12, 14, 17) and _is_date_prefix(value)


def digit_secret(value: str, *, min_len: int = 12) -> bool:
    """A run of digits that plausibly is a generated credential (a client id, a numeric token).

    Digits are also what counts, ports, ids and times are made of, so this is asked only under a name that
    announces a credential: the run must be long (>= min_len, at most 64), not a timestamp or a date, and
    look drawn at random (at least 5 distinct digits, ~2.4 bits per digit, no digit filling half the run, no
    counting sequence). Random runs pass ~80% (12 digits) to ~95% (18 and more) of the time; `100000000000`, `123456789012`,
    `1700000000123` and `20240131120000` do not.
    """
    n = len(value)
    if not (min_len <= n <= 64) or not value.isascii() or not value.isdigit():
        return False
    h, counts = _shannon_counts(value)
    if len(counts) < 5 or h < 2.4 or max(counts.values()) > n // 2:
        return False
    if is_timestamp_digits(value) or is_sequential(value) or _has_run8(value):
        return False
    # four (five from 20 digits) equal digits in a row are rare in random runs, common in made-up ones
    run = 4 if n < 20 else 5
    return not any(c * run in value for c in counts if counts[c] >= run)


# --- checksums -------------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    total, alt = 0, False
    for ch in reversed(digits):
        d = ord(ch) - 48
        if alt:
            d *= 2
            if d > 9:
                d -= 9
        total += d
        alt = not alt
    return total % 10 == 0


# ISO 13616 lengths per country (registry as published by SWIFT, plus a few partial members).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
    "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


def iban_ok(compact: str) -> bool:
    """Country length and the ISO 7064 mod-97 check over the compact (space-free) form."""
    if len(compact) < 15 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    # letters to their base-36 values in one C-level pass; anything int(ch, 36) would refuse leaves a
    # character that is not a decimal digit (Unicode digits stay: int() reads them as int(ch, 36) does)
    digits = (compact[4:] + compact[:4]).translate(_BASE36)
    return digits.isdecimal() and int(digits) % 97 == 1


_BASE36 = str.maketrans(
    {ch: str(int(ch, 36)) for ch in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"}
)


# --- structure -------------------------------------------------------------------------------


def _b64url_json(segment: str) -> object | None:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def jwt_ok(token: str) -> bool:
    """A JWT/JWS: its header decodes to a JSON object naming an algorithm or a type."""
    header = token.split(".", 1)[0]
    obj = _b64url_json(header)
    return isinstance(obj, dict) and ("alg" in obj or "typ" in obj or "enc" in obj)


def ipv4_ok(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 4 and all(p.isdigit() and len(p) <= 3 and int(p) <= 255 for p in parts)


def ipv6_ok(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58check_ok(addr: str) -> bool:
    import hashlib

    num = 0
    for ch in addr:
        idx = _B58.find(ch)
        if idx < 0:
            return False
        num = num * 58 + idx
    raw = num.to_bytes(25, "big") if num.bit_length() <= 200 else b""
    if len(raw) != 25:
        return False
    check = hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()[:4]
    return check == raw[-4:]


def ssn_ok(area: str, group: str, serial: str) -> bool:
    """US SSA rules: no 000/666/9xx area, no 00 group, no 0000 serial, not voided or example numbers."""
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    # voided (Woolworth wallet card) and the sequences used as examples everywhere; one digit nine times
    # (`111-11-1111`) is form filler, never an assigned number
    digits = area + group + serial
    return digits not in ("078051120", "123456789", "987654321") and digits != digits[0] * 9


def itin_ok(area: str, group: str, serial: str) -> bool:
    """IRS individual taxpayer numbers: 9xx area and a group in 50-65, 70-88, 90-92 or 94-99 (the
    ranges the IRS assigns; SSNs never start with 9, so these never collide with ssn_ok)."""
    digits = area + group + serial
    if area[0] != "9" or serial == "0000" or digits == "987654321" or digits == digits[0] * 9:
        return False  # (a counting-down run and one digit nine times are examples and filler)
    g = int(group)
    return 50 <= g <= 65 or 70 <= g <= 88 or 90 <= g <= 92 or 94 <= g <= 99


# --- Keccak-256 (the pre-standard SHA-3 that Ethereum uses; hashlib's sha3_256 pads differently) ---
_KECCAK_RC = [
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]  # fmt: skip
# rotation offsets r[x][y] and lane order of the rho-pi step, as (source lane, target lane, offset)
_KECCAK_ROT = [
    [0, 36, 3, 41, 18],
    [1, 44, 10, 45, 2],
    [62, 6, 43, 15, 61],
    [28, 55, 25, 21, 56],
    [27, 20, 39, 8, 14],
]
_KECCAK_PI = [
    (x + 5 * y, y + 5 * ((2 * x + 3 * y) % 5), _KECCAK_ROT[x][y]) for x in range(5) for y in range(5)
]
_M64 = (1 << 64) - 1


def _keccak_f(a: list[int]) -> None:
    """Keccak-f[1600] on 25 lanes, lane (x, y) at index x + 5*y."""
    for rc in _KECCAK_RC:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [c[x - 1] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _M64) for x in range(5)]
        for i in range(25):
            a[i] ^= d[i % 5]
        b = [0] * 25
        for src, dst, r in _KECCAK_PI:
            v = a[src]
            b[dst] = ((v << r) | (v >> (64 - r))) & _M64 if r else v
        for y in range(0, 25, 5):
            row = b[y : y + 5]
            for x in range(5):
                a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5])
        a[0] ^= rc


def keccak256(data: bytes) -> bytes:
    rate = 136
    padded = bytearray(data) + b"\x01" + bytes(-(len(data) + 1) % rate)
    padded[-1] |= 0x80
    state = [0] * 25
    for off in range(0, len(padded), rate):
        block = padded[off : off + rate]
        for i in range(rate // 8):
            state[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _keccak_f(state)
    return b"".join(lane.to_bytes(8, "little") for lane in state[:4])


def eip55_ok(hex40: str) -> bool:
    """The EIP-55 mixed-case checksum of an Ethereum address (the 40 hex digits after `0x`): a letter
    is upper case exactly where the Keccak-256 of the lower-case address has a nibble of 8 or more."""
    low = hex40.lower()
    digest = keccak256(low.encode("ascii")).hex()
    return all((ch.isupper() == (digest[i] >= "8")) if ch.isalpha() else True for i, ch in enumerate(hex40))
